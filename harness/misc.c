/* misc.c - small conditions cases share: privilege, memory, files, the table's "holds", records. */
#include "uds_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

void
uds_require_unprivileged(void)
{
	uds_note("running as uid %d (euid %d)", (int)getuid(), (int)geteuid());
	UDS_REQUIRE(geteuid() != 0, "runs as root, which passes every permission check");
}

void
uds_require_root(void)
{
	uds_note("running as uid %d (euid %d)", (int)getuid(), (int)geteuid());
	UDS_REQUIRE(geteuid() == 0, "runs unprivileged, which no permission check lets through");
}

void
uds_require_node(const char *path, mode_t type)
{
	struct stat st;

	UDS_REQUIRE(lstat(path, &st) == 0, "lstat(\"%s\"): %s, expected a node", path,
	    uds_errno_name(errno));
	UDS_REQUIRE((st.st_mode & S_IFMT) == type, "\"%s\" has file type %#o, expected %#o",
	    path, (unsigned)(st.st_mode & S_IFMT), (unsigned)type);
}

void
uds_require_no_node(const char *path)
{
	struct stat st;

	UDS_FAILS_WITH(ENOENT, lstat(path, &st));
}

int
uds_create_file(const char *path, const char *contents)
{
	int fd = (int)UDS_OK(open(path, O_RDWR | O_CREAT | O_EXCL, 0644));

	UDS_EQ(write(fd, contents, strlen(contents)), strlen(contents), "bytes written");
	return fd;
}

int
uds_sockopt_int_at(const char *file, int line, int fd, int level, int name, const char *what)
{
	int v = -12345;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, level, name, &v, &len) == -1)
		uds_fail_at(file, line, "getsockopt(%s) on fd %d failed: %s", what, fd,
		    uds_errno_name(errno));
	if (len != sizeof(v))
		uds_fail_at(file, line, "getsockopt(%s) on fd %d: option length %u, expected %zu",
		    what, fd, (unsigned)len, sizeof(v));
	return v;
}

const char *
uds_result_str(long rc, int err)
{
	static char bufs[4][48];
	static int next;
	char *buf = bufs[next++ % 4];

	if (rc == -1)
		snprintf(buf, sizeof(bufs[0]), "-1 (%s)", uds_errno_name(err));
	else
		snprintf(buf, sizeof(bufs[0]), "%ld", rc);
	return buf;
}

void
uds_become_nobody(void)
{
	UDS_OK(setgroups(0, NULL));
	UDS_OK(setgid(UDS_NOBODY));
	UDS_OK(setuid(UDS_NOBODY));
}

long
uds_sysctl_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

void
uds_require_nofile(long n)
{
	struct rlimit rl;

	UDS_OK(getrlimit(RLIMIT_NOFILE, &rl));
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur >= (rlim_t)n)
		return;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < (rlim_t)n)
		uds_skip("needs %ld descriptors open at once; the hard RLIMIT_NOFILE is %ld", n,
		    (long)rl.rlim_max);
	rl.rlim_cur = (rlim_t)n;
	UDS_OK(setrlimit(RLIMIT_NOFILE, &rl));
}

void *
uds_unmapped_page(void)
{
	size_t size = (size_t)sysconf(_SC_PAGESIZE);
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON, -1, 0);

	UDS_REQUIRE(p != MAP_FAILED, "mmap() of one page failed: %s", uds_errno_name(errno));
	UDS_OK(munmap(p, size));
	return p;
}

void
uds_require_holds(const char *key)
{
	long v = uds_expected_value(key);
	const struct uds_expectation *e = uds_expect(key);

	if (v == 0)
		uds_skip("%s: on %s the behaviour does not hold (%s: %s)", key,
		    uds_platform_name(uds_platform()), uds_basis_word(e->basis), e->source);
	UDS_REQUIRE(v == 1, "suite bug: expectation %s is %ld, not 1 (\"holds\") or 0", key, v);
}

void
uds_gc_nudge(void)
{
	int sv[2];

	/* A socket sent over its own pair and dropped: the collector's cue. */
	UDS_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	uds_send_fds(sv[0], &sv[1], 1);
	close(sv[0]);
	close(sv[1]);
}

void
uds_require_pipe_released(int pipe_r)
{
	char c;

	uds_gc_nudge();
	uds_wait_readable(pipe_r);
	UDS_EQ(UDS_OK(read(pipe_r, &c, 1)), 0,
	    "read() on the pipe once its write end is released everywhere, in flight included");
}

void
uds_require_oob(void)
{
	int sv[2], err;
	ssize_t rc, got = -1;
	char c = '?';

	UDS_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	UDS_EQ(UDS_OK(send(sv[0], "a", 1, 0)), 1, "probe bytes sent");
	rc = send(sv[0], "x", 1, MSG_OOB);
	err = errno;
	if (rc == 1) {
		/*
		 * An implementation may accept the flag and ignore it, and read MSG_OOB
		 * as a plain read: the urgent byte must come back, not the ordinary one.
		 */
		got = recv(sv[1], &c, 1, MSG_OOB | MSG_DONTWAIT);
		err = errno;
	}
	close(sv[0]);
	close(sv[1]);
	if (rc == -1 && (err == EOPNOTSUPP || err == EINVAL))
		uds_skip("AF_UNIX MSG_OOB not supported: send(MSG_OOB) failed with %s "
		    "(needs CONFIG_AF_UNIX_OOB, Linux >= 5.15)", uds_errno_name(err));
	UDS_REQUIRE(rc == 1, "probe send(MSG_OOB) returned %zd (%s)", rc,
	    rc == -1 ? uds_errno_name(err) : "no error");
	if (got != 1 || c != 'x')
		uds_skip("AF_UNIX MSG_OOB not supported: send(MSG_OOB) was accepted, but the peer's "
		    "recv(MSG_OOB) gave %s instead of the urgent byte", got == -1 ?
		    uds_errno_name(err) : c == 'a' ? "the ordinary byte before it" : "other data");
}

void
uds_require_sockopt(int fd, int level, int name, const char *what)
{
	char v[64];
	socklen_t len = sizeof(v);

	/* Not setsockopt(): an implementation may accept an option it ignores. */
	if (getsockopt(fd, level, name, v, &len) == -1 && (errno == ENOPROTOOPT || errno == EINVAL))
		uds_skip("%s is not supported here: getsockopt() failed with %s", what,
		    uds_errno_name(errno));
}

void
uds_passrights_off(int fd)
{
#ifdef SO_PASSRIGHTS
	int off = 0;

	uds_require_sockopt(fd, SOL_SOCKET, SO_PASSRIGHTS, "SO_PASSRIGHTS (Linux >= 6.16)");
	if (setsockopt(fd, SOL_SOCKET, SO_PASSRIGHTS, &off, sizeof(off)) == -1)
		uds_skip("SO_PASSRIGHTS not supported by this kernel: setsockopt() failed with %s "
		    "(needs Linux >= 6.16)", uds_errno_name(errno));
#else
	(void)fd;
	uds_skip("SO_PASSRIGHTS is a Linux (6.16) interface, absent here");
#endif
}

static uint32_t
record_checksum(const unsigned char *p, size_t n)
{
	uint32_t h = 2166136261u;       /* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

size_t
uds_record_make(struct uds_record *r, uint32_t sender, uint32_t seq, size_t max_fill)
{
	UDS_REQUIRE(max_fill > 0 && max_fill <= sizeof(r->fill),
	    "suite bug: record fill limit %zu is not within 1..%zu", max_fill, sizeof(r->fill));
	r->sender = sender;
	r->seq = seq;
	r->len = (uint32_t)((seq * 131u + sender * 17u) % max_fill);
	for (uint32_t i = 0; i < r->len; i++)
		r->fill[i] = (unsigned char)(seq * 3u + i + sender);
	r->sum = record_checksum(r->fill, r->len);
	return UDS_RECORD_HEAD + r->len;
}

void
uds_record_check(const struct uds_record *r, ssize_t n, const char *what)
{
	UDS_REQUIRE(n >= (ssize_t)UDS_RECORD_HEAD, "%s of %zd bytes is shorter than its header",
	    what, n);
	UDS_REQUIRE(n == (ssize_t)(UDS_RECORD_HEAD + r->len),
	    "%s length is %zd, expected %zu (header + %u bytes of fill)", what, n,
	    UDS_RECORD_HEAD + r->len, r->len);
	UDS_REQUIRE(record_checksum(r->fill, r->len) == r->sum,
	    "%s %u from sender %u arrived corrupted", what, r->seq, r->sender);
}
