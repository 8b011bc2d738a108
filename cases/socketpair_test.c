/*
 * socketpair_test - creation and identity (catalogue area A): socketpair()
 * of every type, flags given in the type, what a socket reports about
 * itself (SO_TYPE, SO_DOMAIN, SO_PROTOCOL, names, fstat), descriptor
 * numbers, the coprocess pattern of APUE 17.2, the half close a parent
 * uses to end a child's input, and the Linux /proc and sockfs views.
 */
#include "socketpair.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#ifdef HAVE_SYS_XATTR_H
#include <sys/xattr.h>
#endif
#include <unistd.h>

#if defined(__linux__)
#include <sys/syscall.h>        /* SYS_socketcall, where calls are multiplexed */
#endif
#if defined(SYS_socketcall) && defined(__has_include)
#if __has_include(<linux/net.h>)
#include <linux/net.h>          /* SYS_SOCKET, socketcall's call numbers */
#define HAVE_SOCKETCALL 1
#endif
#endif
#if defined(__has_include)
#if __has_include(<sys/vfs.h>) && __has_include(<linux/magic.h>)
#include <sys/vfs.h>
#include <linux/magic.h>
#endif
#endif

/* Every socket the kind made: both ends and, where there is one, the listener. */
int
sockets_of(const struct uds_pair *p, int fds[3])
{
	int n = 0;

	fds[n++] = p->a;
	fds[n++] = p->b;
	if (p->listener != -1)
		fds[n++] = p->listener;
	return n;
}

/*
 * socket(AF_UNIX, type, 0) against the table's key: the value is 1 when the
 * call succeeds and SO_TYPE reads want; what was seen is noted either way.
 */
static void
expect_socket_type(const char *key, int type, const char *type_name, int want)
{
	int fd = socket(AF_UNIX, type, 0);
	int got = -1;

	if (fd == -1) {
		uds_note("socket(AF_UNIX, %s) failed: %s", type_name, uds_errno_name(errno));
	} else {
		got = UDS_SOCKOPT_INT(fd, SOL_SOCKET, SO_TYPE);
		uds_note("SO_TYPE of the %s socket: %d", type_name, got);
		close(fd);
	}
	UDS_EXPECT_VALUE(key, got == want);
}

/* O_NONBLOCK (1), FD_CLOEXEC (2) and, where it exists, FD_CLOFORK (4) of fd. */
#define ST_NONBLOCK 1
#define ST_CLOEXEC  2
#define ST_CLOFORK  4
static int
fd_state(int fd)
{
	int fl = (int)UDS_OK(fcntl(fd, F_GETFL)), fdfl = (int)UDS_OK(fcntl(fd, F_GETFD));
	int st = 0;

	st |= (fl & O_NONBLOCK) ? ST_NONBLOCK : 0;
	st |= (fdfl & FD_CLOEXEC) ? ST_CLOEXEC : 0;
#ifdef FD_CLOFORK
	st |= (fdfl & FD_CLOFORK) ? ST_CLOFORK : 0;
#endif
	return st;
}

/*
 * Creates the kind's sockets with extra type flags (socketpair() for pair
 * kinds, one socket() for unbound ones) and requires every new descriptor
 * to carry exactly the descriptor flags in want; a non-blocking pair must
 * also answer an empty receive with EAGAIN.
 */
static void __attribute__((unused))
check_created(const struct uds_kind *k, int type_flags, int want)
{
	int fds[2], n = 1;

	if (k->how == UDS_HOW_PAIR) {
		UDS_EQ(socketpair(AF_UNIX, k->type | type_flags, 0, fds), 0, "socketpair() result");
		n = 2;
	} else
		fds[0] = (int)UDS_OK(socket(AF_UNIX, k->type | type_flags, 0));
	for (int i = 0; i < n; i++)
		UDS_REQUIRE(fd_state(fds[i]) == want,
		    "descriptor %d made with type flags %#x has state %#x, want %#x "
		    "(1 O_NONBLOCK, 2 FD_CLOEXEC, 4 FD_CLOFORK)", fds[i], (unsigned)type_flags,
		    (unsigned)fd_state(fds[i]), (unsigned)want);
	if (n == 2 && (want & ST_NONBLOCK)) {
		char c;

		UDS_FAILS_WITH(EAGAIN, recv(fds[0], &c, 1, 0));
		UDS_FAILS_WITH(EAGAIN, recv(fds[1], &c, 1, 0));
	}
	for (int i = 0; i < n; i++)
		close(fds[i]);
}

/* Both ends send their records before either reads; each arrives whole, once, in order. */
static void
exchange_records(int x, int y)
{
	static const size_t from_x[] = { 1, 100, 17 }, from_y[] = { 5, 2000 };
	char out[2000], in[4096];

	UDS_REQUIRE(x != y, "both ends are descriptor %d", x);
	for (size_t i = 0; i < 3; i++) {
		memset(out, 'x' + (int)i, from_x[i]);
		uds_send_one(x, out, from_x[i]);
	}
	for (size_t i = 0; i < 2; i++) {
		memset(out, 'a' + (int)i, from_y[i]);
		uds_send_one(y, out, from_y[i]);
	}
	for (size_t i = 0; i < 3; i++) {
		UDS_EQ(uds_recv_one(y, in, sizeof(in), 0), from_x[i], "bytes in one record to y");
		UDS_REQUIRE(in[0] == 'x' + (int)i && in[from_x[i] - 1] == 'x' + (int)i,
		    "record %zu to y carries the wrong payload", i);
	}
	for (size_t i = 0; i < 2; i++) {
		UDS_EQ(uds_recv_one(x, in, sizeof(in), 0), from_y[i], "bytes in one record to x");
		UDS_REQUIRE(in[0] == 'a' + (int)i && in[from_y[i] - 1] == 'a' + (int)i,
		    "record %zu to x carries the wrong payload", i);
	}
	uds_require_nothing_queued(x);
	uds_require_nothing_queued(y);
}

/* getsockname()/getpeername() into a garbage-filled buffer; returns the length. */
static socklen_t
name_of(int fd, bool peer, struct sockaddr_un *sun)
{
	socklen_t len = sizeof(*sun);

	memset(sun, 0xa5, sizeof(*sun));
	if (peer)
		UDS_OK(getpeername(fd, (struct sockaddr *)sun, &len));
	else
		UDS_OK(getsockname(fd, (struct sockaddr *)sun, &len));
	uds_note("%s(fd %d): family %d, %s", peer ? "getpeername" : "getsockname", fd,
	    sun->sun_family, uds_addr_str(sun, len));
	return len;
}

/* 1 when the address is the family alone: length offsetof(sun_path), family AF_UNIX. */
static int
family_only(const struct sockaddr_un *sun, socklen_t len)
{
	return len == offsetof(struct sockaddr_un, sun_path) && sun->sun_family == AF_UNIX;
}

UDS_CASE(socketpair_stream_is_full_duplex, "A-06", UDS_STREAM | UDS_PAIR | UDS_ALL_VARIANTS)
{
	char ab[3000], ba[2500], in[3000];

	UDS_REQUIRE(p->a != p->b && p->a >= 0 && p->b >= 0, "ends %d and %d", p->a, p->b);
	for (size_t i = 0; i < sizeof(ab); i++)
		ab[i] = (char)(i * 7 + 1);
	for (size_t i = 0; i < sizeof(ba); i++)
		ba[i] = (char)(i * 13 + 5);
	uds_send_all(p->a, ab, sizeof(ab));
	uds_send_all(p->b, ba, sizeof(ba));
	uds_recv_all(p->b, in, sizeof(ab));
	UDS_REQUIRE(memcmp(in, ab, sizeof(ab)) == 0, "bytes a->b arrived changed");
	uds_recv_all(p->a, in, sizeof(ba));
	UDS_REQUIRE(memcmp(in, ba, sizeof(ba)) == 0, "bytes b->a arrived changed");
	uds_require_nothing_queued(p->a);
	uds_require_nothing_queued(p->b);
}

UDS_CASE(socketpair_dgram_ends_exchange_datagrams, "A-07", UDS_DGRAM | UDS_PAIR | UDS_ALL_VARIANTS)
{
	exchange_records(p->a, p->b);
}

UDS_CASE(socketpair_seqpacket_ends_exchange_records, "A-08",
    UDS_SEQPACKET | UDS_PAIR | UDS_ALL_VARIANTS)
{
	exchange_records(p->a, p->b);
}

UDS_CASE(getsockname_unnamed_gives_family_only, "A-09", UDS_ALL_TYPES | UDS_PAIR | UDS_UNBOUND)
{
	struct sockaddr_un sa, sb;
	socklen_t la = name_of(p->a, false, &sa), lb = name_of(p->b, false, &sb);

	UDS_EXPECT_VALUE("getsockname.unnamed_family_only",
	    family_only(&sa, la) && family_only(&sb, lb));
}

UDS_CASE(getpeername_socketpair_gives_unnamed_peer, "A-10", UDS_ALL_TYPES | UDS_PAIR)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);
	int fds[2] = { p->a, p->b };

	for (int i = 0; i < 2; i++)
		UDS_EXPECT_RESULT("getpeername.socketpair",
		    getpeername(fds[i], (struct sockaddr *)&sun, &len));
	for (int i = 0; i < 2; i++) {
		len = name_of(fds[i], true, &sun);
		UDS_EXPECT_VALUE("getpeername.socketpair_unnamed", family_only(&sun, len));
	}
}

UDS_CASE(sock_nonblock_in_type_sets_o_nonblock, "A-11", UDS_ALL_TYPES | UDS_PAIR | UDS_UNBOUND)
{
#ifdef SOCK_NONBLOCK
	(void)uds_expected_value("socket.type_flags");
	check_created(p->kind, SOCK_NONBLOCK, ST_NONBLOCK);
	check_created(p->kind, 0, 0);
#else
	uds_skip("SOCK_NONBLOCK is not defined here (A-11: a Linux and BSD extension)");
#endif
}

UDS_CASE(sock_cloexec_in_type_sets_fd_cloexec, "A-12", UDS_ALL_TYPES | UDS_PAIR | UDS_UNBOUND)
{
#ifdef SOCK_CLOEXEC
	(void)uds_expected_value("socket.type_flags");
	check_created(p->kind, SOCK_CLOEXEC, ST_CLOEXEC);
	check_created(p->kind, 0, 0);
#else
	uds_skip("SOCK_CLOEXEC is not defined here (A-12: a Linux and BSD extension)");
#endif
}

UDS_CASE(sock_clofork_in_type_sets_fd_clofork, "A-13", UDS_ALL_TYPES | UDS_PAIR | UDS_UNBOUND)
{
#if defined(SOCK_CLOFORK) && defined(FD_CLOFORK)
	(void)uds_expected_value("socket.type_flag_clofork");
	check_created(p->kind, SOCK_CLOFORK, ST_CLOFORK);
	check_created(p->kind, 0, 0);
#else
	uds_skip("SOCK_CLOFORK or FD_CLOFORK is not defined here (A-13: a NetBSD extension)");
#endif
}

UDS_CASE(socketpair_nonblock_and_cloexec_together, "A-14", UDS_ALL_TYPES | UDS_PAIR)
{
#if defined(SOCK_NONBLOCK) && defined(SOCK_CLOEXEC)
	(void)uds_expected_value("socket.type_flags");
	check_created(p->kind, SOCK_NONBLOCK | SOCK_CLOEXEC, ST_NONBLOCK | ST_CLOEXEC);
	check_created(p->kind, 0, 0);
#else
	uds_skip("SOCK_NONBLOCK or SOCK_CLOEXEC is not defined here (A-14)");
#endif
}

UDS_CASE(socketpair_bad_vector_efault, "A-15", UDS_ALL_TYPES | UDS_PAIR)
{
	int *volatile nowhere = NULL;
	struct uds_fd_snapshot before;

	uds_fds_snapshot(&before);
	UDS_EXPECT_RESULT("socketpair.bad_vector", socketpair(AF_UNIX, p->kind->type, 0, nowhere));
	UDS_FDS_UNCHANGED(&before, "by the failed socketpair()");
}

/* A coprocess: the child's end of the pair becomes its stdin and stdout. */
struct coproc {
	int child_end, parent_end;
	const char *prog;       /* the filter program to exec, or NULL */
};

static void
coproc_stdio(const struct coproc *c)
{
	close(c->parent_end);
	UDS_REQUIRE(c->child_end > 1, "the child's end is descriptor %d", c->child_end);
	UDS_OK(dup2(c->child_end, 0));
	UDS_OK(dup2(c->child_end, 1));
	close(c->child_end);
}

/* A filter that upper-cases its input, then writes "EOF\n" after end of file on input. */
static void
upcase_filter(void *arg)
{
	char buf[256];
	ssize_t n;

	coproc_stdio(arg);
	while ((n = read(0, buf, sizeof(buf))) != 0) {
		UDS_REQUIRE(n > 0, "filter: read(0) failed: %s", uds_errno_name(errno));
		for (ssize_t i = 0; i < n; i++)
			buf[i] = (char)toupper((unsigned char)buf[i]);
		uds_send_all(1, buf, (size_t)n);
	}
	/* End of file on standard input; standard output must still work. */
	uds_send_all(1, "EOF\n", 4);
}

static void
exec_filter(void *arg)
{
	const struct coproc *c = arg;

	coproc_stdio(c);
	execl(c->prog, "tr", "a-z", "A-Z", (char *)NULL);
	uds_fail_at(__FILE__, __LINE__, "execl(%s) failed: %s", c->prog, uds_errno_name(errno));
}

/* Text for a one-line message: newlines shown as "\\n". */
static const char *
one_line(const char *s, size_t n)
{
	static char bufs[2][256];
	static int next;
	char *buf = bufs[next++ % 2], *o = buf;

	for (size_t i = 0; i < n && o < buf + sizeof(bufs[0]) - 3; i++) {
		if (s[i] == '\n') {
			*o++ = '\\';
			*o++ = 'n';
		} else
			*o++ = s[i];
	}
	*o = '\0';
	return buf;
}

/*
 * Runs the filter as a coprocess on the pair's b end: writes the input,
 * half-closes with shutdown(SHUT_WR), and requires exactly the upper-cased
 * input followed by trailer, then end of file.
 */
static void
run_coprocess(struct uds_pair *p, void (*filter)(void *), const char *prog, const char *trailer)
{
	static const char input[] = "hello\nunix domain\ncoprocess 17.2\n";
	struct coproc c = { .child_end = p->b, .parent_end = p->a, .prog = prog };
	struct uds_child child;
	char want[128], got[128];
	size_t len = 0;
	ssize_t n;

	uds_child_start(&child, filter, &c);
	close(p->b);
	p->b = -1;
	uds_send_all(p->a, input, sizeof(input) - 1);
	UDS_OK(shutdown(p->a, SHUT_WR));
	do {
		UDS_REQUIRE(len < sizeof(got), "more output than expected: \"%s\"",
		    one_line(got, len));
		uds_wait_readable(p->a);
		n = recv(p->a, got + len, sizeof(got) - len, 0);
		UDS_REQUIRE(n != -1, "recv() of the filter's output: %s", uds_errno_name(errno));
		len += (size_t)n;
	} while (n != 0);
	snprintf(want, sizeof(want), "HELLO\nUNIX DOMAIN\nCOPROCESS 17.2\n%s", trailer);
	UDS_REQUIRE(len == strlen(want) && memcmp(got, want, len) == 0,
	    "the coprocess wrote \"%s\" (%zu bytes) before end of file, want \"%s\"",
	    one_line(got, len), len, one_line(want, strlen(want)));
	uds_child_finish(&child);
}

UDS_CASE(coprocess_filter_over_socketpair, "A-17", UDS_STREAM | UDS_PAIR | UDS_BOTH_ENDS,
    .note = "our own filter code in the child")
{
	run_coprocess(p, upcase_filter, NULL, "EOF\n");
}

UDS_CASE(coprocess_exec_filter_over_socketpair, "A-17", UDS_STREAM | UDS_PAIR | UDS_BOTH_ENDS,
    .note = "an exec'ed tr a-z A-Z")
{
	static const char *const trs[] = { "/usr/bin/tr", "/bin/tr" };

	for (size_t i = 0; i < 2; i++)
		if (access(trs[i], X_OK) == 0) {
			run_coprocess(p, exec_filter, trs[i], "");
			return;
		}
	uds_skip("no tr program at /usr/bin/tr or /bin/tr to exec as the filter");
}

UDS_CASE(socketpair_takes_lowest_free_descriptors, "A-18", UDS_ALL_TYPES | UDS_PAIR)
{
	int h[5], sv[2];

	/* dup() takes the lowest free number, so h[0..4] leave no gap between them. */
	for (int i = 0; i < 5; i++)
		h[i] = (int)UDS_OK(dup(p->a));
	close(h[1]);
	close(h[3]);
	for (int fd = 0; fd <= h[3]; fd++)
		UDS_REQUIRE((fcntl(fd, F_GETFD) == -1) == (fd == h[1] || fd == h[3]),
		    "descriptor %d is %s: the holes are not the lowest free numbers", fd,
		    fcntl(fd, F_GETFD) == -1 ? "free" : "open");
	UDS_EQ(socketpair(AF_UNIX, p->kind->type, 0, sv), 0, "socketpair() result");
	uds_note("the free numbers were %d and %d; socketpair() returned %d and %d", h[1], h[3],
	    sv[0], sv[1]);
	UDS_EXPECT_VALUE("socketpair.lowest_free_descriptors",
	    (sv[0] == h[1] && sv[1] == h[3]) || (sv[0] == h[3] && sv[1] == h[1]));
	close(sv[0]);
	close(sv[1]);
	close(h[0]);
	close(h[2]);
	close(h[4]);
}

UDS_CASE(so_type_is_the_creation_type, "A-19", UDS_ALL_TYPES | UDS_CONNECTED | UDS_UNBOUND)
{
	int fds[3], n = sockets_of(p, fds);

	for (int i = 0; i < n; i++)
		UDS_EQ(UDS_SOCKOPT_INT(fds[i], SOL_SOCKET, SO_TYPE), p->kind->type,
		    "SO_TYPE");
}

UDS_CASE(so_domain_is_af_unix, "A-20", UDS_ALL_TYPES | UDS_CONNECTED | UDS_UNBOUND)
{
#ifdef SO_DOMAIN
	int fds[3], n = sockets_of(p, fds);

	for (int i = 0; i < n; i++)
		UDS_EXPECT_VALUE("sockopt.so_domain",
		    UDS_SOCKOPT_INT(fds[i], SOL_SOCKET, SO_DOMAIN));
#else
	uds_skip("SO_DOMAIN is not defined here (A-20)");
#endif
}

UDS_CASE(so_protocol_is_zero, "A-21", UDS_ALL_TYPES | UDS_CONNECTED | UDS_UNBOUND)
{
#ifdef SO_PROTOCOL
	int fds[3], n = sockets_of(p, fds);

	for (int i = 0; i < n; i++)
		UDS_EXPECT_VALUE("sockopt.so_protocol",
		    UDS_SOCKOPT_INT(fds[i], SOL_SOCKET, SO_PROTOCOL));
#else
	uds_skip("SO_PROTOCOL is not defined here (A-21)");
#endif
}

/* fstat() of fd, noting its mode and owner. */
static void
stat_socket(int fd, struct stat *st)
{
	UDS_OK(fstat(fd, st));
	uds_note("fstat(fd %d): mode %#o, uid %ld, gid %ld", fd, (unsigned)st->st_mode,
	    (long)st->st_uid, (long)st->st_gid);
}

UDS_CASE(fstat_reports_a_socket, "A-22", UDS_ALL_TYPES | UDS_CONNECTED | UDS_UNBOUND)
{
	int fds[3], n = sockets_of(p, fds);
	struct stat st;

	for (int i = 0; i < n; i++) {
		stat_socket(fds[i], &st);
		UDS_EXPECT_VALUE("fstat.socket_is_sock", S_ISSOCK(st.st_mode) != 0);
	}
}

UDS_CASE(fstat_unbound_mode_0777, "A-23", UDS_ALL_TYPES | UDS_PAIR | UDS_UNBOUND)
{
	int fds[2] = { p->a, p->b };
	struct stat st;

	for (int i = 0; i < 2; i++) {
		stat_socket(fds[i], &st);
		UDS_EXPECT_VALUE("fstat.unbound_mode_0777", (st.st_mode & 07777) == 0777);
	}
}

UDS_CASE_UNPRIV(fstat_owner_is_the_creator, "A-24", UDS_ALL_TYPES | UDS_PAIR | UDS_UNBOUND)
{
	int fds[2] = { p->a, p->b };
	struct stat st;

	uds_require_unprivileged();
	uds_note("gid %d (egid %d)", (int)getgid(), (int)getegid());
	for (int i = 0; i < 2; i++) {
		stat_socket(fds[i], &st);
		UDS_EXPECT_VALUE("fstat.owner_is_creator",
		    st.st_uid == geteuid() && st.st_gid == getegid());
	}
}

UDS_CASE(fstatfs_reports_sockfs, "A-25", UDS_ALL_TYPES | UDS_CONNECTED | UDS_UNBOUND)
{
#ifdef SOCKFS_MAGIC
	int fds[3], n = sockets_of(p, fds);
	struct statfs sfs;

	for (int i = 0; i < n; i++) {
		UDS_OK(fstatfs(fds[i], &sfs));
		UDS_EQ(sfs.f_type, SOCKFS_MAGIC, "f_type");
		UDS_EQ(sfs.f_bsize, sysconf(_SC_PAGESIZE), "f_bsize");
		UDS_EQ(sfs.f_namelen, NAME_MAX, "f_namelen");
	}
#else
	uds_skip("no Linux fstatfs()/SOCKFS_MAGIC here (A-25: Linux only)");
#endif
}

UDS_CASE(fcntl_o_nonblock_makes_empty_recv_eagain, "A-26", UDS_ALL_TYPES | UDS_CONNECTED)
{
	int fds[2] = { p->a, p->b };
	char c;

	for (int i = 0; i < 2; i++) {
		int fl = (int)UDS_OK(fcntl(fds[i], F_GETFL));

		UDS_REQUIRE(!(fl & O_NONBLOCK), "fd %d was made non-blocking", fds[i]);
		UDS_OK(fcntl(fds[i], F_SETFL, fl | O_NONBLOCK));
		UDS_REQUIRE(UDS_OK(fcntl(fds[i], F_GETFL)) & O_NONBLOCK, "O_NONBLOCK did not stick");
		UDS_FAILS_WITH(EAGAIN, recv(fds[i], &c, 1, 0));
		UDS_FAILS_WITH(EAGAIN, read(fds[i], &c, 1));
	}
	uds_send_one(p->a, "n", 1);
	UDS_EQ(uds_recv_one(p->b, &c, 1, 0), 1, "bytes received when data is queued");
	UDS_OK(fcntl(p->b, F_SETFL, (int)UDS_OK(fcntl(p->b, F_GETFL)) & ~O_NONBLOCK));
	UDS_BLOCKS(recv(p->b, &c, 1, 0));
}

UDS_CASE(socket_is_not_seekable, "A-27", UDS_ALL_TYPES | UDS_CONNECTED)
{
	int fds[3], n = sockets_of(p, fds);
	char c = 0;

	for (int i = 0; i < n; i++) {
		UDS_FAILS_WITH(ESPIPE, lseek(fds[i], 0, SEEK_CUR));
		UDS_FAILS_WITH(ESPIPE, lseek(fds[i], 1, SEEK_SET));
	}
	uds_send_one(p->a, "q", 1);
	uds_wait_readable(p->b);
	UDS_FAILS_WITH(ESPIPE, pread(p->b, &c, 1, 1));
	UDS_FAILS_WITH(ESPIPE, pwrite(p->a, "w", 1, 1));
	UDS_EQ(uds_recv_one(p->b, &c, 1, 0), 1, "bytes of the queued data");
	UDS_EQ(c, 'q', "the queued byte after pread()");
	uds_require_nothing_queued(p->b);
}

UDS_CASE(fsync_on_socket_einval, "A-28", UDS_ALL_TYPES | UDS_CONNECTED | UDS_UNBOUND)
{
	int fds[3], n = sockets_of(p, fds);

	for (int i = 0; i < n; i++)
		UDS_EXPECT_RESULT("fsync.socket", fsync(fds[i]));
}

UDS_CASE(advisory_locks_on_socket, "A-37", UDS_ALL_TYPES | UDS_CONNECTED | UDS_UNBOUND)
{
	int fds[3], n = sockets_of(p, fds);

	for (int i = 0; i < n; i++) {
		struct flock lk = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };

		UDS_EXPECT_RESULT("flock.socket", flock(fds[i], LOCK_EX | LOCK_NB));
		UDS_EXPECT_RESULT("fcntl_setlk.socket", fcntl(fds[i], F_SETLK, &lk));
	}
}

UDS_CASE(fallocate_and_readahead_on_socket_fail, "A-38", UDS_ALL_TYPES | UDS_CONNECTED | UDS_UNBOUND)
{
#if defined(HAVE_FALLOCATE) && defined(HAVE_READAHEAD)
	int fds[3], n = sockets_of(p, fds);

	for (int i = 0; i < n; i++) {
		UDS_FAILS_WITH(ENODEV, fallocate(fds[i], 0, 0, 4096));
		UDS_FAILS_WITH(EINVAL, readahead(fds[i], 0, 4096));
	}
#else
	uds_skip("fallocate() and readahead() are Linux interfaces, absent here");
#endif
}

UDS_CASE(user_xattr_on_socket, "A-39", UDS_ALL_TYPES | UDS_PAIR)
{
#ifdef HAVE_SYS_XATTR_H
	char value[8];

	UDS_EXPECT_RESULT("xattr.socket_get_unset", fgetxattr(p->a, "user.uds", value, sizeof(value)));
	UDS_EXPECT_RESULT("xattr.socket_set_user", fsetxattr(p->a, "user.uds", "v", 1, XATTR_CREATE));
#else
	uds_skip("no <sys/xattr.h> (fgetxattr(), fsetxattr()) in this build");
#endif
}

UDS_CASE(proc_self_fd_open_of_socket_fails, "A-29", UDS_ALL_TYPES | UDS_CONNECTED | UDS_UNBOUND)
{
	int fds[3], n = sockets_of(p, fds);
	struct uds_fd_snapshot before;
	char path[64];

	if (access("/proc/self/fd", F_OK) == -1)
		uds_skip("/proc/self/fd does not exist here (%s); A-29 is Linux's",
		    uds_errno_name(errno));
	uds_fds_snapshot(&before);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[i]);
		UDS_EXPECT_RESULT("proc_fd.open_socket", open(path, O_RDWR));
		UDS_EXPECT_RESULT("proc_fd.open_socket", open(path, O_RDONLY));
	}
	UDS_FDS_UNCHANGED(&before, "by open() of /proc/self/fd/N");
}

UDS_CASE(so_cookie_identifies_the_socket, "A-35", UDS_ALL_TYPES | UDS_CONNECTED | UDS_UNBOUND)
{
#ifdef SO_COOKIE
	int fds[3], n = sockets_of(p, fds);
	uint64_t cookie[3];

	uds_require_sockopt(fds[0], SOL_SOCKET, SO_COOKIE, "SO_COOKIE");
	for (int i = 0; i < n; i++) {
		uint64_t again = 0;
		socklen_t len = sizeof(cookie[i]);

		UDS_OK(getsockopt(fds[i], SOL_SOCKET, SO_COOKIE, &cookie[i], &len));
		UDS_EQ(len, sizeof(uint64_t), "SO_COOKIE length");
		UDS_REQUIRE(cookie[i] != 0, "fd %d has cookie 0", fds[i]);
		UDS_OK(getsockopt(fds[i], SOL_SOCKET, SO_COOKIE, &again, &len));
		UDS_REQUIRE(again == cookie[i], "fd %d: cookie changed between calls", fds[i]);
		for (int j = 0; j < i; j++)
			UDS_REQUIRE(cookie[j] != cookie[i], "fds %d and %d share cookie %#llx",
			    fds[j], fds[i], (unsigned long long)cookie[i]);
	}
#else
	uds_skip("SO_COOKIE is not defined here (A-35: Linux only)");
#endif
}

UDS_CASE(accept_gives_one_private_connection_each, "A-36",
    UDS_CONNECTION_TYPES | UDS_NAMED | UDS_BOTH_MODES | UDS_NBLISTENER)
{
	enum { N = 3 };
	int c[N], s[N], known[2 * N + 3] = { p->listener, p->a, p->b }, nknown = 3;
	bool seen[N] = { false };
	char tag;

	for (int i = 0; i < N; i++) {
		c[i] = uds_socket(p->kind->type, false);
		uds_connect(c[i], &p->b_name);
		if (p->kind->nonblock)
			uds_set_nonblock(c[i]);
		known[nknown++] = c[i];
		uds_send_one(c[i], (char[]){ (char)('A' + i) }, 1);
	}
	for (int j = 0; j < N; j++) {
		s[j] = uds_accept(p->listener);
		for (int k = 0; k < nknown; k++) {
			UDS_REQUIRE(s[j] != known[k], "accept() returned descriptor %d again", s[j]);
			UDS_REQUIRE(!uds_same_file(s[j], known[k]),
			    "accepted fd %d is the same socket as fd %d", s[j], known[k]);
		}
		known[nknown++] = s[j];
		/* One client's tag, exactly once. */
		UDS_EQ(uds_recv_one(s[j], &tag, 1, 0), 1, "bytes of the client's tag");
		UDS_REQUIRE(tag >= 'A' && tag < 'A' + N && !seen[tag - 'A'],
		    "accepted socket %d got tag '%c', which no other client sent", s[j], tag);
		seen[tag - 'A'] = true;
		uds_require_nothing_queued(s[j]);
		uds_send_one(s[j], &tag, 1);
	}
	for (int i = 0; i < N; i++) {
		UDS_EQ(uds_recv_one(c[i], &tag, 1, 0), 1, "bytes of the reply");
		UDS_EQ(tag, 'A' + i, "reply tag: the accepted socket's client");
		uds_require_nothing_queued(c[i]);
	}
	uds_require_nothing_queued(p->b);
}

UDS_CASE(protocol_pf_unix_accepted, "A-04", UDS_ALL_TYPES | UDS_PAIR | UDS_UNBOUND)
{
	int fds[2] = { -1, -1 }, rc;
	char c = 0;

	if (p->kind->how == UDS_HOW_PAIR)
		rc = socketpair(AF_UNIX, p->kind->type, PF_UNIX, fds);
	else
		rc = fds[0] = socket(AF_UNIX, p->kind->type, PF_UNIX);
	UDS_EXPECT_RESULT("socket.protocol_pf_unix", rc);
	UDS_EQ(UDS_SOCKOPT_INT(fds[0], SOL_SOCKET, SO_TYPE), p->kind->type, "SO_TYPE");
	if (fds[1] != -1) {
		uds_send_one(fds[1], "p", 1);
		UDS_EQ(uds_recv_one(fds[0], &c, 1, 0), 1, "bytes across the pair");
		UDS_EQ(c, 'p', "byte across the pair");
		close(fds[1]);
	}
	close(fds[0]);
}

UDS_CASE(sock_raw_is_datagram, "A-05", UDS_NO_KIND)
{
	expect_socket_type("socket.raw_is_dgram", SOCK_RAW, "SOCK_RAW", SOCK_DGRAM);
}

/* socket() of the type with protocol 0 is a socket of that type that serves at a name. */
static void
fresh_socket_serves(int type)
{
	int fd = (int)UDS_OK(socket(AF_UNIX, type, 0));
	struct uds_addr name;
	struct stat st;

	UDS_OK(fstat(fd, &st));
	UDS_REQUIRE(S_ISSOCK(st.st_mode), "fstat() of the new descriptor: mode %o is not a socket's",
	    (unsigned)st.st_mode);
	UDS_EQ(UDS_SOCKOPT_INT(fd, SOL_SOCKET, SO_TYPE), type, "SO_TYPE");
	uds_serve_fresh(fd, type, &name);
	uds_require_reaches(type, &name, fd);
	close(fd);
}

UDS_CASE(stream_socket_created, "A-01", UDS_NO_KIND)
{
	fresh_socket_serves(SOCK_STREAM);
}

UDS_CASE(dgram_socket_created, "A-02", UDS_NO_KIND)
{
	fresh_socket_serves(SOCK_DGRAM);
}

UDS_CASE(seqpacket_socket_created, "A-03", UDS_NO_KIND)
{
	expect_socket_type("socket.seqpacket", SOCK_SEQPACKET, "SOCK_SEQPACKET", SOCK_SEQPACKET);
}

/*
 * where the kernel multiplexes the socket calls (32-bit x86, s390,
 * 32-bit PowerPC and others: socketcall(2)), SYS_SOCKET through socketcall
 * makes the same socket as socket(): here a datagram socket, bound to a
 * name, that receives what a socket() socket sends there.
 */
UDS_CASE(socketcall_socket_is_a_socket, "A-16", UDS_NO_KIND)
{
#ifdef HAVE_SOCKETCALL
	unsigned long args[3] = { AF_UNIX, SOCK_DGRAM, 0 };
	int rx = (int)UDS_OK(syscall(SYS_socketcall, SYS_SOCKET, args));
	int tx = uds_socket(SOCK_DGRAM, false);
	struct uds_addr name;
	char c = 0;

	UDS_EQ(UDS_SOCKOPT_INT(rx, SOL_SOCKET, SO_TYPE), SOCK_DGRAM, "SO_TYPE");
	uds_addr_fresh_path(&name);
	uds_bind(rx, &name);
	UDS_EQ(UDS_OK(sendto(tx, "s", 1, 0, (const struct sockaddr *)&name.sun, name.len)), 1,
	    "bytes sent to the socketcall() socket's name");
	UDS_EQ(uds_recv_one(rx, &c, 1, 0), 1, "bytes received");
	UDS_EQ(c, 's', "the datagram");
	close(tx);
	close(rx);
#else
	uds_skip("no socketcall(2) in this build's ABI (it exists where the kernel multiplexes "
	    "the socket calls, e.g. 32-bit x86: the i386 build of ci/build-matrix)");
#endif
}
