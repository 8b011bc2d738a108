/* misc.c - small conditions cases share: privilege, memory, the table's "holds". */
#include "uds_internal.h"

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

void
uds_require_unprivileged(void)
{
	uds_note("running as uid %d (euid %d)", (int)getuid(), (int)geteuid());
	UDS_REQUIRE(geteuid() != 0, "runs as root, which passes every permission check");
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

	UDS_REQUIRE(v == 1, "suite bug: expectation %s is %ld, not 1 (\"holds\")", key, v);
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
	ssize_t rc;

	UDS_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	rc = send(sv[0], "x", 1, MSG_OOB);
	err = errno;
	close(sv[0]);
	close(sv[1]);
	if (rc == -1 && (err == EOPNOTSUPP || err == EINVAL))
		uds_skip("AF_UNIX MSG_OOB not supported: send(MSG_OOB) failed with %s "
		    "(needs CONFIG_AF_UNIX_OOB, Linux >= 5.15)", uds_errno_name(err));
	UDS_REQUIRE(rc == 1, "probe send(MSG_OOB) returned %zd (%s)", rc,
	    rc == -1 ? uds_errno_name(err) : "no error");
}
