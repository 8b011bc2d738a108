/*
 * fdpass_test - descriptor passing with SCM_RIGHTS (catalogue area K, with
 * O-02 for a bad descriptor number and N-12 for the per-message limit):
 * identity and sharing of what is passed, lifetime in flight, control
 * buffers too small or absent, where descriptors sit in a stream, peeking
 * and close-on-exec.
 *
 * Where it matters whether a descriptor was closed by the kernel, what
 * travels is the write end of a pipe: its read end sees end-of-file
 * exactly when the last reference to the write end, in flight or not, is
 * gone, and a byte written through a received write end shows which pipe
 * it belongs to.
 */
#include "uds.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/*
 * Control space for exactly n descriptors.  CMSG_LEN, not CMSG_SPACE:
 * on LP64 CMSG_SPACE(sizeof(int)) is padded to room for two, and a
 * truncation case must offer exactly the room it names.
 */
#define ROOM_FOR(n) CMSG_LEN((size_t)(n) * sizeof(int))

/* Sends data with file f attached, asserting every byte is taken. */
static void
send_with_file(int sock, int f, const char *data)
{
	size_t len = strlen(data);

	UDS_EQ(UDS_OK(uds_sendmsg_fds(sock, &f, 1, data, len, 0)), len,
	    "bytes sent with the descriptor");
}

/*
 * Fails unless the descriptors opened since before are exactly those the
 * control data of m names, and none was closed.
 */
static void
require_only_named(const struct uds_fd_snapshot *before, const struct uds_msg *m)
{
	struct uds_fd_snapshot expected = *before;

	for (int i = 0; i < m->nfds; i++) {
		int fd = m->fds[i];

		UDS_REQUIRE(fd >= 0, "control data names descriptor %d (#%d)", fd, i);
		if (fd >= UDS_FD_SCAN)
			continue;
		UDS_REQUIRE(!expected.open[fd], "control data names descriptor %d (#%d), which "
		    "was already open", fd, i);
		expected.open[fd] = 1;
	}
	UDS_FDS_UNCHANGED(&expected, "by recvmsg() beyond those its control data names");
}

/*
 * One recvmsg() into buf with room for maxfds descriptors (CMSG_SPACE),
 * after waiting; asserts success and that no descriptor appears beyond
 * those the control data names.  Returns the data bytes.
 */
static ssize_t
recv_msg(int sock, void *buf, size_t len, int maxfds, int flags, struct uds_msg *m)
{
	struct uds_fd_snapshot snap;
	ssize_t n;

	uds_fds_snapshot(&snap);
	n = uds_recvmsg_ctl(sock, buf, len, CMSG_SPACE((size_t)maxfds * sizeof(int)), flags, m);
	UDS_REQUIRE(n != -1, "recvmsg() of %zu bytes with room for %d descriptors (flags %#x) "
	    "failed: %s", len, maxfds, (unsigned)flags, uds_errno_name(errno));
	require_only_named(&snap, m);
	return n;
}

/*
 * Receives one message into a 20-byte buffer with room for maxfds
 * descriptors: it must be exactly data, carrying exactly nfiles
 * descriptors referring to files[0..nfiles-1] in order, with neither
 * MSG_TRUNC nor MSG_CTRUNC.
 */
static void
recv_expect(int sock, const char *data, const int *files, int nfiles, int maxfds,
    struct uds_msg *m)
{
	char buf[20];
	size_t len = strlen(data);
	ssize_t n;

	UDS_REQUIRE(len < sizeof(buf), "suite bug: \"%s\" does not fit the receive buffer", data);
	n = recv_msg(sock, buf, sizeof(buf), maxfds, 0, m);
	UDS_EQ(n, len, "data bytes received");
	UDS_REQUIRE(memcmp(buf, data, len) == 0, "received \"%.*s\", expected \"%s\"",
	    (int)n, buf, data);
	UDS_REQUIRE(!(m->flags & (MSG_TRUNC | MSG_CTRUNC)), "msg_flags %#x: MSG_TRUNC or "
	    "MSG_CTRUNC set on a message that fit", (unsigned)m->flags);
	UDS_EQ(m->nfds, nfiles, "descriptors received");
	for (int i = 0; i < nfiles; i++)
		UDS_REQUIRE(uds_same_file(m->fds[i], files[i]), "received descriptor #%d (fd %d) "
		    "is not the file sent as #%d (fd %d)", i, m->fds[i], i, files[i]);
}

/* The file behind fd holds exactly contents (read from offset 0). */
static void
expect_contents(int fd, const char *contents)
{
	char buf[64];
	size_t len = strlen(contents);
	ssize_t n = UDS_OK(pread(fd, buf, sizeof(buf), 0));

	UDS_EQ(n, len, "bytes of the file read through the descriptor");
	UDS_REQUIRE(memcmp(buf, contents, len) == 0, "the file holds \"%.*s\", not \"%s\"",
	    (int)n, buf, contents);
}

/* Closes every descriptor m received. */
static void
close_received(struct uds_msg *m)
{
	for (int i = 0; i < m->nfds; i++)
		UDS_OK(close(m->fds[i]));
	m->nfds = 0;
}

static bool
has_cloexec(int fd)
{
	return (UDS_OK(fcntl(fd, F_GETFD)) & FD_CLOEXEC) != 0;
}

/* Hand-built control data: room for several headers, aligned for struct cmsghdr. */
union ctl_buf {
	struct cmsghdr align;
	unsigned char buf[4 * CMSG_SPACE(8 * sizeof(int))];
};

/*
 * Writes an SCM_RIGHTS header carrying fds[0..n-1] at offset off of c
 * (cmsg_len CMSG_LEN(n ints)); returns the offset just past it
 * (off + CMSG_SPACE(n ints)), where a next header goes and the
 * msg_controllen that ends with it.
 */
static size_t
rights_put(union ctl_buf *c, size_t off, const int *fds, int n)
{
	size_t bytes = (size_t)n * sizeof(int);
	struct cmsghdr *cm;

	UDS_REQUIRE(n >= 0 && off % CMSG_ALIGN(1) == 0 &&
	    off + CMSG_SPACE(bytes) <= sizeof(c->buf),
	    "suite bug: an SCM_RIGHTS header of %d descriptors does not fit at offset %zu", n, off);
	cm = (struct cmsghdr *)(void *)(c->buf + off);
	cm->cmsg_len = CMSG_LEN(bytes);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	if (n > 0)
		memcpy(CMSG_DATA(cm), fds, bytes);
	return off + CMSG_SPACE(bytes);
}

/*
 * sendmsg() of len bytes of data with raw control data ctl/ctllen (any
 * pointer, even NULL or unmapped), to name `to` when not NULL, through send
 * (sendmsg, or uds_sys_sendmsg for the kernel's own rule); returns its result.
 */
static ssize_t
sendmsg_raw_via(ssize_t (*send)(int, const struct msghdr *, int), int sock,
    const struct uds_addr *to, const char *data, size_t len, void *ctl, size_t ctllen)
{
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr msg;

	memset(&msg, 0, sizeof(msg));
	if (to != NULL) {
		msg.msg_name = (void *)&to->sun;
		msg.msg_namelen = to->len;
	}
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl;
	msg.msg_controllen = ctllen;
	return send(sock, &msg, 0);
}

/* sendmsg_raw_via() through the C library's sendmsg(). */
static ssize_t
sendmsg_raw(int sock, const struct uds_addr *to, const char *data, size_t len, void *ctl,
    size_t ctllen)
{
	return sendmsg_raw_via(sendmsg, sock, to, data, len, ctl, ctllen);
}

/*
 * recvmsg() into buf with raw control ctl/ctllen (any pointer, even NULL
 * or unmapped) after waiting; msg is left as the call left it, for
 * msg_flags and msg_controllen.  Returns recvmsg()'s result.
 */
static ssize_t
recvmsg_raw(int sock, void *buf, size_t len, void *ctl, size_t ctllen, struct msghdr *msg)
{
	static struct iovec iov;        /* outlives the call, as msg points to it */

	iov.iov_base = buf;
	iov.iov_len = len;
	memset(msg, 0, sizeof(*msg));
	msg->msg_iov = &iov;
	msg->msg_iovlen = 1;
	msg->msg_control = ctl;
	msg->msg_controllen = ctllen;
	uds_wait_readable(sock);
	return recvmsg(sock, msg, 0);
}

/*
 * Tracked pipes: what travels is write end wr[i]; the case keeps read end
 * rd[i] (non-blocking), which sees end-of-file exactly when the last
 * reference to wr[i] -- the sender's, one in flight, the receiver's -- is
 * gone.  A byte written through a received write end shows which pipe it
 * belongs to.
 */
#define TRACKED_MAX 4

struct tracked {
	int n;
	int rd[TRACKED_MAX];
	int wr[TRACKED_MAX];    /* -1 once closed locally */
};

/* Where a tracked write end is, as a receiver finds out. */
enum { IN_FLIGHT, ARRIVED, RELEASED };

static const char *
state_name(int state)
{
	return state == IN_FLIGHT ? "in flight" : state == ARRIVED ? "arrived"
	    : state == RELEASED ? "released" : "?";
}

/* Opens n tracked pipes. */
static void
tracked_open(struct tracked *t, int n)
{
	UDS_REQUIRE(n > 0 && n <= TRACKED_MAX, "suite bug: %d tracked pipes", n);
	t->n = n;
	for (int i = 0; i < n; i++) {
		int fds[2];

		UDS_OK(pipe(fds));
		t->rd[i] = fds[0];
		t->wr[i] = fds[1];
		UDS_OK(fcntl(t->rd[i], F_SETFL, (int)UDS_OK(fcntl(t->rd[i], F_GETFL)) | O_NONBLOCK));
	}
}

/* Closes the case's own copies of write ends first..first+count-1. */
static void
tracked_close_local(struct tracked *t, int first, int count)
{
	UDS_REQUIRE(first >= 0 && first + count <= t->n, "suite bug: pipes %d..%d of %d",
	    first, first + count - 1, t->n);
	for (int i = first; i < first + count; i++) {
		UDS_REQUIRE(t->wr[i] != -1, "suite bug: pipe %d's write end closed twice", i);
		UDS_OK(close(t->wr[i]));
		t->wr[i] = -1;
	}
}

/*
 * Sends write ends first..first+count-1 in one message (one data byte) and
 * closes the local copies: the only references left are in flight.
 */
static void
tracked_send(int sock, struct tracked *t, int first, int count)
{
	UDS_REQUIRE(first >= 0 && first + count <= t->n, "suite bug: pipes %d..%d of %d",
	    first, first + count - 1, t->n);
	uds_send_fds(sock, &t->wr[first], count);
	tracked_close_local(t, first, count);
}

/*
 * Which tracked pipe the write end fd belongs to: writes one byte through
 * it and reads it back from the read end it reaches.  -1 for none.
 */
static int
tracked_which(struct tracked *t, int fd)
{
	int which = -1;
	char c;

	UDS_EQ(UDS_OK(write(fd, "w", 1)), 1, "bytes written through a received write end");
	for (int i = 0; i < t->n; i++) {
		ssize_t n;

		if (t->rd[i] == -1)
			continue;
		n = read(t->rd[i], &c, 1);
		if (n == 0 || (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)))
			continue;
		UDS_REQUIRE(n == 1, "read() of pipe %d's read end: %s", i, uds_errno_name(errno));
		UDS_REQUIRE(which == -1, "one byte through fd %d reached pipes %d and %d", fd,
		    which, i);
		which = i;
	}
	return which;
}

/* True when pipe i's read end is at end-of-file now (its write end released). */
static bool
tracked_eof_now(struct tracked *t, int i)
{
	char c;
	ssize_t n = read(t->rd[i], &c, 1);

	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return false;
	UDS_REQUIRE(n == 0, "read() of pipe %d's read end gave %zd (%s), expected end-of-file "
	    "or EAGAIN", i, n, n == -1 ? uds_errno_name(errno) : "stray data");
	return true;
}

/*
 * released: pipe i's write end must be released (end-of-file within the
 * deadline).  Not released: it must still be open now (no event at all on
 * the read end).
 */
static void
require_released(struct tracked *t, int i, bool released, const char *when)
{
	short rev;

	if (!released) {
		rev = uds_poll(t->rd[i], POLLIN, 0);
		UDS_REQUIRE(rev == 0, "pipe %d's write end was released %s (read end revents %#x)",
		    i, when, (unsigned)rev);
		return;
	}
	rev = uds_poll(t->rd[i], POLLIN, UDS_DEADLINE_MS);
	UDS_REQUIRE(rev != 0, "pipe %d's write end was not released %s (no end-of-file within "
	    "%d ms)", i, when, UDS_DEADLINE_MS);
	UDS_REQUIRE(tracked_eof_now(t, i), "pipe %d's read end was readable but not at "
	    "end-of-file %s", i, when);
}

/*
 * One recvmsg() of tracked write ends with exactly ctl_space bytes of
 * control (0: msg_control NULL).  Each received write end must be one still
 * in flight and becomes ARRIVED; each pipe still IN_FLIGHT that is at
 * end-of-file when the call has returned becomes RELEASED.  Also checks
 * that no descriptor appears beyond those the control data names.
 * Returns recvmsg()'s result, errno intact when it is -1.
 */
static ssize_t
recv_tracked(int sock, struct tracked *t, size_t ctl_space, int *state, struct uds_msg *m)
{
	struct uds_fd_snapshot snap;
	char buf[16];
	ssize_t rc;
	int err;

	uds_fds_snapshot(&snap);
	rc = uds_recvmsg_ctl(sock, buf, sizeof(buf), ctl_space, 0, m);
	err = errno;
	require_only_named(&snap, m);
	for (int i = 0; i < m->nfds; i++) {
		int which = tracked_which(t, m->fds[i]);

		UDS_REQUIRE(which != -1, "received descriptor #%d (fd %d) is none of the tracked "
		    "write ends", i, m->fds[i]);
		UDS_REQUIRE(state[which] == IN_FLIGHT, "pipe %d's write end arrived, but it was "
		    "%s", which, state_name(state[which]));
		state[which] = ARRIVED;
	}
	for (int i = 0; i < t->n; i++)
		if (state[i] == IN_FLIGHT && tracked_eof_now(t, i))
			state[i] = RELEASED;
	errno = err;
	return rc;
}

/* Each of the n tracked write ends must be where want says. */
static void
expect_states(const int *state, const int *want, int n)
{
	for (int i = 0; i < n; i++)
		UDS_REQUIRE(state[i] == want[i], "pipe %d's write end is %s, expected %s", i,
		    state_name(state[i]), state_name(want[i]));
}

/* ------------------------------------------------------------------ */
/* Identity and sharing                                                */
/* ------------------------------------------------------------------ */

UDS_CASE(passed_descriptor_is_same_file, "K-01", UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	int f = uds_temp_file("identity");
	struct uds_msg m;

	send_with_file(p->a, f, "k");
	recv_expect(p->b, "k", &f, 1, 1, &m);
	expect_contents(m.fds[0], "identity");
	uds_require_nothing_queued(p->b);
}

UDS_CASE(passed_descriptor_shares_offset, "K-02", UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS,
    .note = "the offset")
{
	int f = uds_temp_file("0123456789");
	struct uds_msg m;
	char buf[8];

	uds_send_fds(p->a, &f, 1);
	recv_expect(p->b, "F", &f, 1, 1, &m);
	UDS_EQ(UDS_OK(read(m.fds[0], buf, 4)), 4, "bytes read through the received descriptor");
	UDS_EQ(UDS_OK(lseek(f, 0, SEEK_CUR)), 4, "sender's offset after the receiver read 4 bytes");
	UDS_OK(lseek(f, 7, SEEK_SET));
	UDS_EQ(UDS_OK(read(m.fds[0], buf, sizeof(buf))), 3, "bytes left after lseek(7)");
	UDS_REQUIRE(memcmp(buf, "789", 3) == 0, "read \"%.3s\" after lseek(7), not \"789\"", buf);
	UDS_EQ(UDS_OK(lseek(f, 0, SEEK_CUR)), 10, "sender's offset after the receiver's last read");
}

UDS_CASE(passed_descriptor_shares_status_flags, "K-02",
    UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS, .note = "O_APPEND")
{
	int f = uds_temp_file("abc");
	struct uds_msg m;
	char buf[8];

	uds_send_fds(p->a, &f, 1);
	recv_expect(p->b, "F", &f, 1, 1, &m);
	UDS_REQUIRE(!(UDS_OK(fcntl(m.fds[0], F_GETFL)) & O_APPEND),
	    "O_APPEND set before anyone set it");
	UDS_OK(fcntl(f, F_SETFL, (int)UDS_OK(fcntl(f, F_GETFL)) | O_APPEND));
	UDS_REQUIRE(UDS_OK(fcntl(m.fds[0], F_GETFL)) & O_APPEND,
	    "O_APPEND set by the sender is not seen through the received descriptor");
	UDS_OK(lseek(m.fds[0], 0, SEEK_SET));
	UDS_EQ(UDS_OK(write(m.fds[0], "Z", 1)), 1, "bytes written through the received descriptor");
	UDS_EQ(UDS_OK(pread(f, buf, sizeof(buf), 0)), 4, "file length after the appending write");
	UDS_REQUIRE(memcmp(buf, "abcZ", 4) == 0, "file holds \"%.4s\", not \"abcZ\"", buf);
}

UDS_CASE(received_descriptor_takes_lowest_free_number, "K-03",
    UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	int f = uds_temp_file("hole");
	int x1 = (int)UDS_OK(dup(f)), x2 = (int)UDS_OK(dup(f)), x3 = (int)UDS_OK(dup(f));
	struct uds_msg m;

	UDS_REQUIRE(x1 < x2 && x2 < x3, "dup() gave %d, %d, %d, not increasing", x1, x2, x3);
	UDS_OK(close(x2));
	uds_send_fds(p->a, &f, 1);
	recv_expect(p->b, "F", &f, 1, 1, &m);
	uds_note("hole at %d, highest open %d, received %d", x2, x3, m.fds[0]);
	UDS_EXPECT_VALUE("scm_rights.lowest_free", m.fds[0] == x2);
}

UDS_CASE(several_descriptors_arrive_in_order, "K-05",
    UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	int f[3] = { uds_temp_file("one"), uds_temp_file("two"), uds_temp_file("three") };
	int two[2] = { f[2], f[0] };
	struct uds_msg m;

	UDS_EQ(UDS_OK(uds_sendmsg_fds(p->a, two, 2, "2", 1, 0)), 1, "bytes sent with two");
	recv_expect(p->b, "2", two, 2, 4, &m);
	close_received(&m);
	UDS_EQ(UDS_OK(uds_sendmsg_fds(p->a, f, 3, "3", 1, 0)), 1, "bytes sent with three");
	recv_expect(p->b, "3", f, 3, 4, &m);
	expect_contents(m.fds[0], "one");
	expect_contents(m.fds[2], "three");
}

UDS_CASE(separate_messages_keep_own_descriptors, "K-06",
    UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	int f1 = uds_temp_file("first"), f2 = uds_temp_file("second");
	struct uds_msg m;

	uds_require_holds("scm_rights.separate_messages");
	UDS_EQ(UDS_OK(uds_sendmsg_fds(p->a, &f1, 1, "A", 1, 0)), 1, "bytes of the first message");
	UDS_EQ(UDS_OK(uds_sendmsg_fds(p->a, &f2, 1, "B", 1, 0)), 1, "bytes of the second message");
	recv_expect(p->b, "A", &f1, 1, 1, &m);
	recv_expect(p->b, "B", &f2, 1, 1, &m);
	uds_require_nothing_queued(p->b);
}

UDS_CASE(passed_socket_is_usable, "K-09", UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	int sv[2], type = -1;
	socklen_t len = sizeof(type);
	struct uds_msg m;
	char buf[8];

	UDS_OK(socketpair(AF_UNIX, p->kind->type, 0, sv));
	uds_send_fds(p->a, &sv[0], 1);
	UDS_OK(close(sv[0]));
	recv_msg(p->b, buf, sizeof(buf), 1, 0, &m);
	UDS_EQ(m.nfds, 1, "descriptors received");
	UDS_OK(getsockopt(m.fds[0], SOL_SOCKET, SO_TYPE, &type, &len));
	UDS_EQ(type, p->kind->type, "SO_TYPE of the received socket");
	uds_send_one(m.fds[0], "ping", 4);
	UDS_EQ(uds_recv_one(sv[1], buf, sizeof(buf), 0), 4, "bytes at the other end");
	UDS_REQUIRE(memcmp(buf, "ping", 4) == 0, "the other end got \"%.4s\"", buf);
	uds_send_one(sv[1], "pong", 4);
	UDS_EQ(uds_recv_one(m.fds[0], buf, sizeof(buf), 0), 4, "bytes at the received socket");
	UDS_REQUIRE(memcmp(buf, "pong", 4) == 0, "the received socket got \"%.4s\"", buf);
}

UDS_CASE(passed_listener_accepts, "K-07", UDS_CONNECTION_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	struct uds_addr name;
	int l = uds_listener(p->kind, &name), client, conn, on = 0;
	socklen_t len = sizeof(on);
	struct uds_msg m;
	char buf[8];

	uds_require_holds("scm_rights.listener_passes");
	uds_send_fds(p->a, &l, 1);
	UDS_OK(close(l));
	recv_msg(p->b, buf, sizeof(buf), 1, 0, &m);
	UDS_EQ(m.nfds, 1, "descriptors received");
	UDS_OK(getsockopt(m.fds[0], SOL_SOCKET, SO_ACCEPTCONN, &on, &len));
	UDS_EQ(on, 1, "SO_ACCEPTCONN of the received listener");
	client = uds_socket(p->kind->type, false);
	uds_connect(client, &name);
	conn = uds_accept(m.fds[0]);
	uds_send_one(client, "hi", 2);
	UDS_EQ(uds_recv_one(conn, buf, sizeof(buf), 0), 2, "bytes on the accepted connection");
}

/* ------------------------------------------------------------------ */
/* Lifetime in flight                                                  */
/* ------------------------------------------------------------------ */

/*
 * Receives a file (holding `contents`) and tracked write end 0 in one
 * message; checks the file reads back and the write end is the one in
 * flight, then closes it and requires the pipe to see end-of-file.
 */
static void
recv_file_and_write_end(int sock, struct tracked *t, const char *contents)
{
	struct uds_msg m;
	char buf[8];

	require_released(t, 0, false, "while in flight with no other reference");
	recv_msg(sock, buf, sizeof(buf), 2, 0, &m);
	UDS_EQ(m.nfds, 2, "descriptors received");
	expect_contents(m.fds[0], contents);
	UDS_EQ(tracked_which(t, m.fds[1]), 0, "pipe the received write end belongs to");
	require_released(t, 0, false, "once received");
	UDS_OK(close(m.fds[1]));
	require_released(t, 0, true, "after the receiver closed the only copy");
}

UDS_CASE(in_flight_file_stays_open_after_sender_closes, "K-48",
    UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	struct tracked t;
	int fds[2];

	tracked_open(&t, 1);
	fds[0] = uds_temp_file("kept open");
	fds[1] = t.wr[0];
	uds_send_fds(p->a, fds, 2);
	UDS_OK(close(fds[0]));
	tracked_close_local(&t, 0, 1);
	recv_file_and_write_end(p->b, &t, "kept open");
}

struct exiting_sender {
	int sock;
	int fds[2];
};

static void
send_then_exit(void *argp)
{
	struct exiting_sender *arg = argp;

	uds_send_fds(arg->sock, arg->fds, 2);
	UDS_OK(close(arg->fds[0]));
	UDS_OK(close(arg->fds[1]));
}

UDS_CASE(in_flight_file_survives_sender_exit, "K-04",
    UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	struct exiting_sender arg = { .sock = p->a };
	struct uds_child child;
	struct tracked t;

	tracked_open(&t, 1);
	arg.fds[0] = uds_temp_file("sender gone");
	arg.fds[1] = t.wr[0];
	uds_child_start(&child, send_then_exit, &arg);
	UDS_OK(close(arg.fds[0]));
	tracked_close_local(&t, 0, 1);
	uds_child_finish(&child);
	recv_file_and_write_end(p->b, &t, "sender gone");
}

UDS_CASE(closing_receiver_releases_queued, "K-49", UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	struct tracked t;

	uds_require_holds("scm_rights.receiver_close_releases");
	tracked_open(&t, 1);
	tracked_send(p->a, &t, 0, 1);
	require_released(&t, 0, false, "while queued at the receiver");
	UDS_OK(close(p->b));
	p->b = -1;
	require_released(&t, 0, true, "after the receiving socket was closed");
}

UDS_CASE(closing_both_ends_releases_in_flight, "K-45",
    UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	struct tracked t;

	uds_require_holds("scm_rights.both_closed_releases");
	tracked_open(&t, 1);
	tracked_send(p->a, &t, 0, 1);
	UDS_OK(close(p->a));
	p->a = -1;
	require_released(&t, 0, false, "after only the sending socket was closed");
	UDS_OK(close(p->b));
	p->b = -1;
	require_released(&t, 0, true, "after both sockets were closed");
}

/* ------------------------------------------------------------------ */
/* Control buffers too small or absent                                 */
/* ------------------------------------------------------------------ */

UDS_CASE(large_control_buffer_reports_space_used, "K-08",
    UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	int f[3] = { uds_temp_file("a"), uds_temp_file("b"), uds_temp_file("c") };
	struct uds_msg m;
	char buf[8];

	uds_require_holds("scm_rights.controllen_lowered");
	for (int n = 1; n <= 3; n += 2) {
		size_t used_min = CMSG_LEN((size_t)n * sizeof(int));
		size_t used_max = CMSG_SPACE((size_t)n * sizeof(int));

		uds_send_fds(p->a, f, n);
		recv_msg(p->b, buf, sizeof(buf), 64, 0, &m);
		UDS_EQ(m.nfds, n, "descriptors received");
		UDS_REQUIRE(m.controllen >= used_min && m.controllen <= used_max,
		    "msg_controllen %zu after %d descriptors; want %zu..%zu (buffer %zu)",
		    m.controllen, n, used_min, used_max, (size_t)CMSG_SPACE(64 * sizeof(int)));
		close_received(&m);
	}
}

UDS_CASE(no_room_for_one_descriptor_truncates, "K-20",
    UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	int state[1] = { IN_FLIGHT }, want[1] = { RELEASED };
	struct tracked t;
	struct uds_msg m;
	ssize_t rc;

	tracked_open(&t, 1);
	tracked_send(p->a, &t, 0, 1);
	rc = recv_tracked(p->b, &t, ROOM_FOR(0), state, &m);
	UDS_EXPECT_RESULT("scm_rights.ctrunc", rc);
	if (rc == -1)
		return;
	UDS_EQ(m.bytes, 1, "data bytes received");
	UDS_EQ(m.nfds, 0, "descriptors received");
	UDS_REQUIRE(m.flags & MSG_CTRUNC, "msg_flags %#x lacks MSG_CTRUNC", (unsigned)m.flags);
	expect_states(state, want, 1);
}

UDS_CASE(short_control_buffer_keeps_first_descriptors, "K-21",
    UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	int state[3] = { IN_FLIGHT, IN_FLIGHT, IN_FLIGHT };
	int want[3] = { ARRIVED, ARRIVED, RELEASED };
	struct tracked t;
	struct uds_msg m;
	ssize_t rc;

	tracked_open(&t, 3);
	tracked_send(p->a, &t, 0, 3);
	rc = recv_tracked(p->b, &t, CMSG_SPACE(2 * sizeof(int)), state, &m);
	UDS_EXPECT_RESULT("scm_rights.ctrunc", rc);
	if (rc == -1)
		return;
	UDS_EQ(m.bytes, 1, "data bytes received");
	UDS_EQ(m.nfds, 2, "descriptors named by cmsg_len");
	UDS_REQUIRE(m.flags & MSG_CTRUNC, "msg_flags %#x lacks MSG_CTRUNC", (unsigned)m.flags);
	UDS_REQUIRE(m.controllen >= CMSG_LEN(2 * sizeof(int)) &&
	    m.controllen <= CMSG_SPACE(2 * sizeof(int)),
	    "msg_controllen %zu does not describe two descriptors", m.controllen);
	expect_states(state, want, 3);
}

/*
 * Receives the two messages of two tracked write ends each (pipes 0-1 and
 * 2-3) with room for `room` descriptors per recvmsg(): each receive may
 * bring no more than room, sets MSG_CTRUNC exactly when it closed one, and
 * at the end nothing is left in flight.  False where the table says the
 * platform refuses a truncating receive instead.
 */
static bool
receive_two_pairs(int sock, struct tracked *t, int room)
{
	int state[4] = { IN_FLIGHT, IN_FLIGHT, IN_FLIGHT, IN_FLIGHT };
	ssize_t bytes = 0;

	for (int recv = 0; recv < 2 && bytes < 2; recv++) {
		int released_before = 0, released_after = 0;
		struct uds_msg m;
		ssize_t rc;

		for (int i = 0; i < 4; i++)
			released_before += state[i] == RELEASED;
		rc = recv_tracked(sock, t, ROOM_FOR(room), state, &m);
		if (room < 2) {
			UDS_EXPECT_RESULT("scm_rights.ctrunc", rc);
			if (rc == -1)
				return false;
		}
		UDS_REQUIRE(rc > 0, "recvmsg() with room for %d: %s", room,
		    rc == -1 ? uds_errno_name(errno) : "no data");
		bytes += rc;
		for (int i = 0; i < 4; i++)
			released_after += state[i] == RELEASED;
		UDS_REQUIRE(m.nfds <= room, "%d descriptors arrived in room for %d", m.nfds, room);
		UDS_EQ((m.flags & MSG_CTRUNC) != 0, released_after > released_before,
		    "MSG_CTRUNC set exactly when a descriptor was closed");
	}
	UDS_EQ(bytes, 2, "data bytes of the two messages");
	for (int i = 0; i < 4; i++)
		UDS_REQUIRE(state[i] != IN_FLIGHT, "room for %d: pipe %d's write end is still in "
		    "flight after both messages were received", room, i);
	return true;
}

UDS_CASE(truncation_across_queued_messages_leaks_nothing, "K-22",
    UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	for (int room = 1; room <= 3; room++) {
		struct tracked t;

		tracked_open(&t, 4);
		tracked_send(p->a, &t, 0, 2);
		tracked_send(p->a, &t, 2, 2);
		if (!receive_two_pairs(p->b, &t, room))
			return;
		for (int i = 0; i < 4; i++)
			UDS_OK(close(t.rd[i]));
	}
}

UDS_CASE(null_control_discards_descriptors, "K-18",
    UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	int state[1] = { IN_FLIGHT }, want[1] = { RELEASED };
	struct tracked t;
	struct uds_msg m;

	uds_require_holds("scm_rights.null_control");
	tracked_open(&t, 1);
	tracked_send(p->a, &t, 0, 1);
	UDS_EQ(recv_tracked(p->b, &t, 0, state, &m), 1, "data bytes returned");
	UDS_EQ(m.nfds, 0, "descriptors received");
	UDS_REQUIRE(m.flags & MSG_CTRUNC, "msg_flags %#x lacks MSG_CTRUNC", (unsigned)m.flags);
	expect_states(state, want, 1);
	uds_require_nothing_queued(p->b);
}

UDS_CASE(null_control_with_length_discards, "K-19",
    UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	struct uds_fd_snapshot snap;
	struct msghdr msg;
	struct tracked t;
	char buf[8];

	uds_require_holds("scm_rights.null_control_with_length");
	tracked_open(&t, 1);
	tracked_send(p->a, &t, 0, 1);
	uds_fds_snapshot(&snap);
	UDS_EQ(UDS_OK(recvmsg_raw(p->b, buf, sizeof(buf), NULL, 64, &msg)), 1, "data bytes");
	UDS_FDS_UNCHANGED(&snap, "by recvmsg() with msg_control NULL");
	UDS_REQUIRE(msg.msg_flags & MSG_CTRUNC, "msg_flags %#x lacks MSG_CTRUNC",
	    (unsigned)msg.msg_flags);
	UDS_EQ(msg.msg_controllen, 0, "msg_controllen returned");
	require_released(&t, 0, true, "after recvmsg() without a control buffer");
}

UDS_CASE(faulting_control_buffer_leaks_nothing, "K-17",
    UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	struct uds_fd_snapshot snap;
	struct msghdr msg;
	struct tracked t;
	ssize_t rc;
	char buf[8];

	tracked_open(&t, 1);
	tracked_send(p->a, &t, 0, 1);
	uds_fds_snapshot(&snap);
	rc = recvmsg_raw(p->b, buf, sizeof(buf), uds_unmapped_page(), CMSG_SPACE(sizeof(int)), &msg);
	UDS_EXPECT_RESULT("scm_rights.recv_control_fault", rc);
	UDS_FDS_UNCHANGED(&snap, "by recvmsg() into an unmapped control buffer");
	if (rc != -1) {
		UDS_EQ(rc, 1, "data bytes returned");
		UDS_REQUIRE(msg.msg_flags & MSG_CTRUNC, "msg_flags %#x lacks MSG_CTRUNC though no "
		    "descriptor was delivered", (unsigned)msg.msg_flags);
		require_released(&t, 0, true, "after a recvmsg() that could not deliver it");
	}
}

UDS_CASE(read_discards_descriptors, "K-26", UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	struct uds_fd_snapshot snap;
	struct tracked t;
	char buf[16];

	uds_require_holds("scm_rights.read_discards");
	tracked_open(&t, 1);
	UDS_EQ(UDS_OK(uds_sendmsg_fds(p->a, t.wr, 1, "abc", 3, 0)), 3, "bytes sent");
	tracked_close_local(&t, 0, 1);
	uds_wait_readable(p->b);
	uds_fds_snapshot(&snap);
	UDS_EQ(UDS_OK(read(p->b, buf, sizeof(buf))), 3, "bytes read()");
	UDS_REQUIRE(memcmp(buf, "abc", 3) == 0, "read() returned \"%.3s\"", buf);
	UDS_FDS_UNCHANGED(&snap, "by read() of a message carrying a descriptor");
	require_released(&t, 0, true, "after read() of its message");
	uds_require_nothing_queued(p->b);
}

/* ------------------------------------------------------------------ */
/* Where descriptors sit in a stream                                   */
/* ------------------------------------------------------------------ */

UDS_CASE(stream_recv_before_rights_bytes_gets_none, "K-27",
    UDS_STREAM | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	int f = uds_temp_file("late");
	struct uds_msg m;
	char buf[8];

	uds_require_holds("scm_rights.stream_barrier");
	uds_send_one(p->a, "abcd", 4);
	send_with_file(p->a, f, "E");
	for (int i = 0; i < 2; i++) {
		UDS_EQ(recv_msg(p->b, buf, 2, 4, 0, &m), 2, "bytes into a 2-byte buffer");
		UDS_REQUIRE(memcmp(buf, i == 0 ? "ab" : "cd", 2) == 0, "received \"%.2s\"", buf);
		UDS_EQ(m.nfds, 0, "descriptors with the plain bytes");
	}
	recv_expect(p->b, "E", &f, 1, 4, &m);
}

UDS_CASE(stream_rights_form_barrier, "K-30", UDS_STREAM | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	int f = uds_temp_file("barrier");
	struct uds_msg m;

	uds_require_holds("scm_rights.stream_barrier");
	uds_send_one(p->a, "abcd", 4);
	send_with_file(p->a, f, "E");
	uds_send_one(p->a, "fghi", 4);
	recv_expect(p->b, "abcdE", &f, 1, 4, &m);
	recv_expect(p->b, "fghi", NULL, 0, 4, &m);
	uds_require_nothing_queued(p->b);
}

UDS_CASE(stream_rights_never_merged, "K-31", UDS_STREAM | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	int f1 = uds_temp_file("one"), f2 = uds_temp_file("two");
	struct uds_msg m;

	uds_require_holds("scm_rights.stream_barrier");
	send_with_file(p->a, f1, "A");
	send_with_file(p->a, f2, "B");
	recv_expect(p->b, "A", &f1, 1, 4, &m);
	recv_expect(p->b, "B", &f2, 1, 4, &m);
}

UDS_CASE(stream_read_consumes_rights_bytes, "K-28", UDS_STREAM | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	struct tracked t;
	struct uds_msg m;
	char buf[8];

	uds_require_holds("scm_rights.read_discards");
	tracked_open(&t, 1);
	tracked_send(p->a, &t, 0, 1);
	uds_wait_readable(p->b);
	UDS_EQ(UDS_OK(read(p->b, buf, sizeof(buf))), 1, "bytes read()");
	require_released(&t, 0, true, "after read() consumed its byte");
	uds_send_one(p->a, "Y", 1);
	recv_expect(p->b, "Y", NULL, 0, 4, &m);
}

UDS_CASE(stream_partial_read_drops_descriptors, "K-29",
    UDS_STREAM | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	struct tracked t;
	struct uds_msg m;
	char buf[8];

	uds_require_holds("scm_rights.stream_partial_read");
	tracked_open(&t, 1);
	UDS_EQ(UDS_OK(uds_sendmsg_fds(p->a, t.wr, 1, "XYZ", 3, 0)), 3, "bytes sent");
	tracked_close_local(&t, 0, 1);
	uds_wait_readable(p->b);
	UDS_EQ(UDS_OK(read(p->b, buf, 1)), 1, "bytes read()");
	require_released(&t, 0, true, "after read() of the first of its bytes");
	recv_expect(p->b, "YZ", NULL, 0, 4, &m);
}

UDS_CASE(stream_plain_read_keeps_later_rights, "K-33",
    UDS_STREAM | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	int f = uds_temp_file("kept");
	struct uds_msg m;
	char buf[8];

	uds_require_holds("scm_rights.stream_kept_past_plain_read");
	uds_send_one(p->a, "abcd", 4);
	send_with_file(p->a, f, "E");
	uds_wait_readable(p->b);
	UDS_EQ(UDS_OK(read(p->b, buf, 4)), 4, "plain bytes read()");
	recv_expect(p->b, "E", &f, 1, 4, &m);
	expect_contents(m.fds[0], "kept");
}

UDS_CASE(stream_rights_without_data_discarded, "K-34",
    UDS_STREAM | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	struct tracked t;
	struct uds_msg m;

	uds_require_holds("scm_rights.stream_needs_data");
	tracked_open(&t, 1);
	UDS_EQ(UDS_OK(uds_sendmsg_fds(p->a, t.wr, 1, "", 0, 0)), 0, "bytes sent");
	tracked_close_local(&t, 0, 1);
	require_released(&t, 0, true, "after a zero-byte stream sendmsg() and a local close");
	uds_require_nothing_queued(p->b);
	uds_send_one(p->a, "z", 1);
	recv_expect(p->b, "z", NULL, 0, 4, &m);
}

UDS_CASE(stream_empty_rights_coalesce, "K-14", UDS_STREAM | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	union ctl_buf c;
	struct uds_msg m;

	uds_require_holds("scm_rights.empty_rights_coalesce");
	memset(&c, 0, sizeof(c));
	UDS_EQ(UDS_OK(sendmsg_raw(p->a, NULL, "ab", 2, c.buf, rights_put(&c, 0, NULL, 0))), 2,
	    "bytes sent with an empty SCM_RIGHTS");
	uds_send_one(p->a, "cd", 2);
	recv_expect(p->b, "abcd", NULL, 0, 4, &m);
}

/* ------------------------------------------------------------------ */
/* Records, peeking, zero-length receives, close-on-exec               */
/* ------------------------------------------------------------------ */

UDS_CASE(dgram_rights_without_data_delivered, "K-35", UDS_DGRAM | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	int f = uds_temp_file("no payload");
	struct uds_msg m;

	uds_require_holds("scm_rights.dgram_without_data");
	UDS_EQ(UDS_OK(uds_sendmsg_fds(p->a, &f, 1, "", 0, 0)), 0, "bytes sent");
	recv_expect(p->b, "", &f, 1, 4, &m);
	expect_contents(m.fds[0], "no payload");
	uds_require_nothing_queued(p->b);
}

UDS_CASE(truncated_record_brings_its_descriptors, "K-37",
    UDS_RECORD_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	int f = uds_temp_file("record");
	struct uds_msg m;
	char buf[16];

	uds_require_holds("scm_rights.record_truncated");
	send_with_file(p->a, f, "0123456789");
	uds_send_one(p->a, "next", 4);
	UDS_EQ(recv_msg(p->b, buf, 3, 4, 0, &m), 3, "bytes into a 3-byte buffer");
	UDS_REQUIRE(m.flags & MSG_TRUNC, "msg_flags %#x lacks MSG_TRUNC", (unsigned)m.flags);
	UDS_EQ(m.nfds, 1, "descriptors with the truncated record");
	UDS_REQUIRE(uds_same_file(m.fds[0], f), "the descriptor is not the file sent");
	recv_expect(p->b, "next", NULL, 0, 4, &m);
	uds_require_nothing_queued(p->b);
}

UDS_CASE(peek_installs_descriptors_again, "K-38", UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	int f = uds_temp_file("peeked");
	struct uds_msg peeked, got;
	char buf[8];

	uds_require_holds("scm_rights.peek_installs_again");
	send_with_file(p->a, f, "P");
	UDS_EQ(recv_msg(p->b, buf, sizeof(buf), 1, MSG_PEEK, &peeked), 1, "bytes peeked");
	UDS_EQ(peeked.nfds, 1, "descriptors installed by the peek");
	recv_expect(p->b, "P", &f, 1, 1, &got);
	UDS_REQUIRE(got.fds[0] != peeked.fds[0], "the receive reused the peeked number %d",
	    got.fds[0]);
	UDS_REQUIRE(uds_same_file(peeked.fds[0], f), "the peeked descriptor is not the file sent");
	expect_contents(peeked.fds[0], "peeked");
	uds_require_nothing_queued(p->b);
}

UDS_CASE(zero_length_recvmsg_delivers_descriptors, "K-41",
    UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	int f = uds_temp_file("zero");
	struct uds_msg m;
	char buf[8];

	uds_require_holds("scm_rights.zero_length_recv");
	send_with_file(p->a, f, "abc");
	UDS_EQ(recv_msg(p->b, buf, 0, 1, 0, &m), 0, "bytes into a 0-byte buffer");
	UDS_EQ(m.nfds, 1, "descriptors delivered");
	UDS_REQUIRE(uds_same_file(m.fds[0], f), "the descriptor is not the file sent");
	if (p->kind->type == SOCK_STREAM) {
		recv_expect(p->b, "abc", NULL, 0, 1, &m);
	} else {
		UDS_REQUIRE(m.flags & MSG_TRUNC, "msg_flags %#x lacks MSG_TRUNC",
		    (unsigned)m.flags);
		uds_require_nothing_queued(p->b);
	}
}

UDS_CASE(sender_cloexec_not_inherited, "K-39", UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	int f = uds_temp_file("cloexec");
	struct uds_msg m;

	uds_require_holds("scm_rights.cloexec_not_inherited");
	UDS_OK(fcntl(f, F_SETFD, FD_CLOEXEC));
	uds_send_fds(p->a, &f, 1);
	recv_expect(p->b, "F", &f, 1, 1, &m);
	UDS_REQUIRE(!has_cloexec(m.fds[0]), "the received descriptor has FD_CLOEXEC");
	UDS_REQUIRE(has_cloexec(f), "the sender's descriptor lost FD_CLOEXEC");
}

UDS_CASE(cmsg_cloexec_sets_cloexec, "K-40", UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
#ifdef MSG_CMSG_CLOEXEC
	int f[3] = { uds_temp_file("x"), uds_temp_file("y"), uds_temp_file("z") };
	struct uds_msg m;
	char buf[8];
	int with = 0;

	uds_send_fds(p->a, f, 3);
	recv_msg(p->b, buf, sizeof(buf), 3, MSG_CMSG_CLOEXEC, &m);
	UDS_EQ(m.nfds, 3, "descriptors received");
	for (int i = 0; i < 3; i++) {
		UDS_REQUIRE(uds_same_file(m.fds[i], f[i]), "descriptor #%d is not the file sent",
		    i);
		if (has_cloexec(m.fds[i]))
			with++;
		else
			uds_note("received descriptor #%d (fd %d) lacks FD_CLOEXEC", i, m.fds[i]);
		UDS_REQUIRE(!has_cloexec(f[i]), "the sender's descriptor #%d gained FD_CLOEXEC", i);
	}
	UDS_EXPECT_VALUE("scm_rights.cmsg_cloexec", with == 3);
#else
	uds_skip("MSG_CMSG_CLOEXEC is not defined on this platform");
#endif
}

/* ------------------------------------------------------------------ */
/* What sendmsg() accepts                                              */
/* ------------------------------------------------------------------ */

UDS_CASE(bad_descriptor_number_ebadf, "O-02", UDS_ALL_TYPES | UDS_CONNECTED | UDS_BOTH_MODES)
{
	struct tracked t;
	int both[2];

	tracked_open(&t, 1);
	both[0] = t.wr[0];
	both[1] = (int)UDS_OK(dup(t.wr[0]));
	UDS_OK(close(both[1]));
	UDS_EXPECT_RESULT("scm_rights.bad_fd", uds_sendmsg_fds(p->a, &both[1], 1, NULL, 0, 0));
	uds_require_nothing_queued(p->b);
	UDS_EXPECT_RESULT("scm_rights.bad_fd", uds_sendmsg_fds(p->a, both, 2, NULL, 0, 0));
	uds_require_nothing_queued(p->b);
	tracked_close_local(&t, 0, 1);
	require_released(&t, 0, true, "after the failed send and the local close");
}

UDS_CASE(short_cmsg_len_rejected, "K-11", UDS_ALL_TYPES | UDS_CONNECTED | UDS_BOTH_MODES)
{
	int f = uds_temp_file("short");
	union ctl_buf c;
	size_t len;

	memset(&c, 0, sizeof(c));
	len = rights_put(&c, 0, &f, 1);
	c.align.cmsg_len = sizeof(struct cmsghdr) - 1;
	UDS_EXPECT_RESULT("scm_rights.cmsg_len_short", sendmsg_raw(p->a, NULL, "s", 1, c.buf, len));
	uds_require_nothing_queued(p->b);
}

UDS_CASE(empty_rights_is_no_control, "K-13", UDS_ALL_TYPES | UDS_CONNECTED | UDS_BOTH_MODES)
{
	int f = uds_temp_file("beside");
	union ctl_buf c;
	struct uds_msg m;
	size_t len;

	memset(&c, 0, sizeof(c));
	len = rights_put(&c, 0, NULL, 0);
	UDS_EXPECT_RESULT("scm_rights.empty_rights", sendmsg_raw(p->a, NULL, "e", 1, c.buf, len));
	recv_expect(p->b, "e", NULL, 0, 4, &m);
	len = rights_put(&c, rights_put(&c, 0, NULL, 0), &f, 1);
	UDS_EXPECT_RESULT("scm_rights.empty_rights", sendmsg_raw(p->a, NULL, "1", 1, c.buf, len));
	recv_expect(p->b, "1", &f, 1, 4, &m);
	memset(&c, 0, sizeof(c));
	len = rights_put(&c, rights_put(&c, 0, &f, 1), NULL, 0);
	UDS_EXPECT_RESULT("scm_rights.empty_rights", sendmsg_raw(p->a, NULL, "2", 1, c.buf, len));
	recv_expect(p->b, "2", &f, 1, 4, &m);
}

UDS_CASE(zero_controllen_is_no_control, "K-15", UDS_ALL_TYPES | UDS_CONNECTED | UDS_BOTH_MODES)
{
	int f = uds_temp_file("ignored");
	union ctl_buf c;
	struct uds_msg m;

	memset(&c, 0, sizeof(c));
	UDS_EXPECT_RESULT("scm_rights.zero_controllen", sendmsg_raw(p->a, NULL, "0", 1, c.buf, 0));
	recv_expect(p->b, "0", NULL, 0, 4, &m);
	(void)rights_put(&c, 0, &f, 1);
	UDS_EXPECT_RESULT("scm_rights.zero_controllen", sendmsg_raw(p->a, NULL, "1", 1, c.buf, 0));
	recv_expect(p->b, "1", NULL, 0, 4, &m);
}

UDS_CASE(unmapped_send_control_efault, "K-16", UDS_ALL_TYPES | UDS_CONNECTED | UDS_BOTH_MODES)
{
	UDS_EXPECT_RESULT("scm_rights.send_control_fault",
	    sendmsg_raw_via(uds_sys_sendmsg, p->a, NULL, "x", 1, uds_unmapped_page(),
	    CMSG_SPACE(sizeof(int))));
	uds_require_nothing_queued(p->b);
}

UDS_CASE(two_rights_headers_in_one_message, "K-52", UDS_ALL_TYPES | UDS_CONNECTED | UDS_BOTH_MODES)
{
	int f1 = uds_temp_file("first"), f2 = uds_temp_file("second");
	union ctl_buf c;
	struct uds_msg m = { .nfds = 0 };
	size_t len;
	char buf[8];
	int got = 0;

	memset(&c, 0, sizeof(c));
	len = rights_put(&c, rights_put(&c, 0, &f1, 1), &f2, 1);
	if (sendmsg_raw(p->a, NULL, "2", 1, c.buf, len) == -1) {
		uds_note("sendmsg() with two SCM_RIGHTS headers failed: %s", uds_errno_name(errno));
	} else {
		recv_msg(p->b, buf, sizeof(buf), 4, 0, &m);
		got = m.nfds;
	}
	UDS_EXPECT_VALUE("scm_rights.two_headers", got);
	if (got == 2)
		UDS_REQUIRE(uds_same_file(m.fds[0], f1) && uds_same_file(m.fds[1], f2),
		    "the two descriptors arrived out of order");
}

UDS_CASE(rights_to_named_receiver, "K-43", UDS_DGRAM | UDS_PATH | UDS_BOTH_MODES)
{
	int rx = uds_socket(SOCK_DGRAM, p->kind->nonblock);
	int tx = uds_socket(SOCK_DGRAM, p->kind->nonblock);
	int f = uds_temp_file("by name");
	struct uds_addr name;
	union ctl_buf c;
	struct uds_msg m;

	uds_require_holds("scm_rights.sendmsg_to_name");
	uds_addr_fresh_for(p->kind, &name);
	uds_bind(rx, &name);
	memset(&c, 0, sizeof(c));
	UDS_EQ(UDS_OK(sendmsg_raw(tx, &name, "n", 1, c.buf, rights_put(&c, 0, &f, 1))), 1,
	    "bytes sent to the name");
	recv_expect(rx, "n", &f, 1, 1, &m);
}

UDS_CASE(cmsg_macros_walk_headers, "K-10", UDS_NO_KIND)
{
	union ctl_buf c;
	struct msghdr msg;
	struct cmsghdr *cm;
	int fd = 0;

	memset(&c, 0, sizeof(c));
	memset(&msg, 0, sizeof(msg));
	msg.msg_control = c.buf;
	msg.msg_controllen = sizeof(struct cmsghdr) - 1;
	UDS_REQUIRE(CMSG_FIRSTHDR(&msg) == NULL, "CMSG_FIRSTHDR() with %zu bytes is not NULL",
	    sizeof(struct cmsghdr) - 1);
	msg.msg_controllen = rights_put(&c, rights_put(&c, 0, &fd, 1), &fd, 1);
	cm = CMSG_FIRSTHDR(&msg);
	UDS_REQUIRE(cm == &c.align, "CMSG_FIRSTHDR() is not the start of msg_control");
	UDS_EQ((unsigned char *)CMSG_DATA(cm) - (unsigned char *)cm, CMSG_LEN(0),
	    "CMSG_DATA() offset from its header");
	cm = CMSG_NXTHDR(&msg, cm);
	UDS_REQUIRE(cm != NULL, "CMSG_NXTHDR() lost the second header");
	UDS_EQ((unsigned char *)cm - c.buf, CMSG_SPACE(sizeof(int)), "offset of the second header");
	UDS_REQUIRE(CMSG_NXTHDR(&msg, cm) == NULL, "CMSG_NXTHDR() after the last header "
	    "is not NULL");
	for (size_t n = 0; n <= 8; n++) {
		UDS_REQUIRE(CMSG_LEN(n * sizeof(int)) <= CMSG_SPACE(n * sizeof(int)),
		    "CMSG_LEN(%zu) > CMSG_SPACE(%zu)", n * sizeof(int), n * sizeof(int));
		UDS_EQ(CMSG_LEN(n * sizeof(int)), CMSG_LEN(0) + n * sizeof(int),
		    "CMSG_LEN(n ints)");
	}
}

/* ------------------------------------------------------------------ */
/* Per-message limit (N-12)                                            */
/* ------------------------------------------------------------------ */

/* Raises the soft RLIMIT_NOFILE to at least need (within the hard limit); saves the old one. */
static void
nofile_at_least(rlim_t need, struct rlimit *saved)
{
	struct rlimit rl;

	UDS_OK(getrlimit(RLIMIT_NOFILE, saved));
	rl = *saved;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
		UDS_REQUIRE(rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need,
		    "RLIMIT_NOFILE hard limit %llu is below the %llu descriptors needed",
		    (unsigned long long)rl.rlim_max, (unsigned long long)need);
		rl.rlim_cur = need;
		UDS_OK(setrlimit(RLIMIT_NOFILE, &rl));
	}
}

UDS_CASE(per_message_limit_accepted, "N-12", UDS_ALL_TYPES | UDS_CONNECTED | UDS_BOTH_MODES,
    .note = "the limit: accepted")
{
	long limit = uds_expected_value("scm_rights.max_fds");
	int f = uds_temp_file("many"), fds[UDS_MAX_PASS];
	struct rlimit saved;
	struct uds_msg m;
	char buf[8];

	UDS_REQUIRE(limit > 0 && limit < UDS_MAX_PASS, "suite bug: limit %ld", limit);
	nofile_at_least((rlim_t)(2 * limit + 64), &saved);
	for (long i = 0; i < limit; i++)
		fds[i] = f;
	UDS_EQ(UDS_OK(uds_sys_sendmsg_fds(p->a, fds, (int)limit, NULL, 0, 0)), 1,
	    "bytes sent with the limit of descriptors");
	recv_msg(p->b, buf, sizeof(buf), (int)limit, 0, &m);
	UDS_EQ(m.nfds, limit, "descriptors received");
	UDS_REQUIRE(!(m.flags & MSG_CTRUNC), "MSG_CTRUNC set with room for all");
	for (int i = 0; i < m.nfds; i++)
		UDS_REQUIRE(uds_same_file(m.fds[i], f), "descriptor #%d is not the file sent", i);
	close_received(&m);
	UDS_OK(setrlimit(RLIMIT_NOFILE, &saved));
}

UDS_CASE(per_message_limit_exceeded, "N-12", UDS_ALL_TYPES | UDS_CONNECTED | UDS_BOTH_MODES,
    .note = "one more: refused")
{
	long limit = uds_expected_value("scm_rights.max_fds");
	int f = uds_temp_file("too many"), fds[UDS_MAX_PASS];
	struct uds_fd_snapshot snap;
	struct rlimit saved;

	UDS_REQUIRE(limit > 0 && limit + 1 <= UDS_MAX_PASS, "suite bug: limit %ld", limit);
	nofile_at_least((rlim_t)(limit + 64), &saved);
	for (long i = 0; i <= limit; i++)
		fds[i] = f;
	uds_fds_snapshot(&snap);
	UDS_EXPECT_RESULT("scm_rights.over_max",
	    uds_sys_sendmsg_fds(p->a, fds, (int)limit + 1, NULL, 0, 0));
	UDS_FDS_UNCHANGED(&snap, "by a refused sendmsg()");
	uds_require_nothing_queued(p->b);
	UDS_OK(setrlimit(RLIMIT_NOFILE, &saved));
}

/* ------------------------------------------------------------------ */
/* An unaligned control buffer; descriptors with a large stream write  */
/* ------------------------------------------------------------------ */

/*
 * recvmsg() after waiting, with a control buffer that starts 4 bytes past
 * an 8-byte boundary and holds exactly ROOM_FOR(1) bytes; the control data
 * is parsed from an aligned copy.  Returns recvmsg()'s result.
 */
static ssize_t
recv_unaligned_one(int sock, char *buf, size_t len, struct uds_msg *m)
{
	union {
		struct cmsghdr align;
		char buf[64];
	} raw, copy;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = raw.buf + 4,
	    .msg_controllen = ROOM_FOR(1) };
	ssize_t n;

	memset(m, 0, sizeof(*m));
	memset(&raw, 0, sizeof(raw));
	uds_wait_readable(sock);
	n = recvmsg(sock, &msg, 0);
	if (n == -1)
		return -1;
	m->bytes = n;
	m->flags = msg.msg_flags;
	m->controllen = msg.msg_controllen;
	UDS_REQUIRE(msg.msg_controllen <= ROOM_FOR(1), "msg_controllen %zu exceeds the %zu "
	    "bytes offered", (size_t)msg.msg_controllen, (size_t)ROOM_FOR(1));
	memcpy(copy.buf, raw.buf + 4, msg.msg_controllen);
	msg.msg_control = copy.buf;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
			for (size_t i = 0; i < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++)
				memcpy(&m->fds[m->nfds++], CMSG_DATA(cm) + i * sizeof(int),
				    sizeof(int));
	return n;
}

UDS_CASE(unaligned_control_buffer, "K-24", UDS_ALL_TYPES | UDS_CONNECTED)
{
	int f = uds_temp_file("unaligned"), two[2] = { f, f };
	struct uds_msg m;
	char buf[8];

	uds_require_holds("scm_rights.unaligned_control");
	send_with_file(p->a, f, "1");
	UDS_EQ(UDS_OK(recv_unaligned_one(p->b, buf, sizeof(buf), &m)), 1, "data bytes");
	UDS_EQ(m.nfds, 1, "descriptors received into the exact buffer");
	UDS_REQUIRE(!(m.flags & MSG_CTRUNC), "MSG_CTRUNC set although one descriptor fits");
	UDS_REQUIRE(uds_same_file(m.fds[0], f), "the descriptor is not the file sent");
	close_received(&m);
	UDS_EQ(UDS_OK(uds_sendmsg_fds(p->a, two, 2, "2", 1, 0)), 1, "bytes sent with two");
	UDS_EQ(UDS_OK(recv_unaligned_one(p->b, buf, sizeof(buf), &m)), 1, "data bytes");
	UDS_EQ(m.nfds, 1, "descriptors received of two into room for one");
	UDS_REQUIRE(m.flags & MSG_CTRUNC, "MSG_CTRUNC not set with a descriptor dropped");
	UDS_REQUIRE(uds_same_file(m.fds[0], f), "the descriptor is not the file sent");
	close_received(&m);
}

enum { LARGE = 1 << 20, PIECE = 100000 };

static char large_data[LARGE];

struct large_send {
	int sock;
	int other;              /* the receiver's end: the child drops its copy */
	int file;
};

/* Child of K-36: one sendmsg() of LARGE bytes carrying the file. */
static void
send_large_with_file(void *argp)
{
	const struct large_send *s = argp;

	UDS_OK(close(s->other));
	UDS_EQ(UDS_OK(uds_sendmsg_fds(s->sock, &s->file, 1, large_data, LARGE, 0)), LARGE,
	    "bytes of the large message");
}

UDS_CASE(large_stream_message_fds_with_first_piece, "K-36", UDS_STREAM | UDS_CONNECTED)
{
	static char piece[PIECE];
	struct large_send s = { .sock = p->a, .other = p->b, .file = uds_temp_file("large") };
	struct uds_child child;
	struct uds_msg m;
	size_t got = 0;
	int pieces = 0;

	uds_require_holds("scm_rights.stream_large_fds_first_piece");
	for (size_t i = 0; i < LARGE; i++)
		large_data[i] = (char)(i % 251);
	uds_child_start(&child, send_large_with_file, &s);
	while (got < LARGE) {
		ssize_t n = recv_msg(p->b, piece, sizeof(piece), 4, 0, &m);

		UDS_REQUIRE(n > 0, "recvmsg() returned %zd after %zu of %d bytes", n, got, LARGE);
		UDS_REQUIRE(memcmp(piece, large_data + got, (size_t)n) == 0, "bytes %zu..%zu differ "
		    "from those sent", got, got + (size_t)n);
		UDS_EQ(m.nfds, pieces == 0 ? 1 : 0, pieces == 0 ? "descriptors with the first piece" :
		    "descriptors with a later piece");
		if (pieces == 0)
			UDS_REQUIRE(uds_same_file(m.fds[0], s.file), "the descriptor is not the file sent");
		close_received(&m);
		got += (size_t)n;
		pieces++;
	}
	uds_child_finish(&child);
	UDS_REQUIRE(pieces > 1, "the 1 MiB message came in %d piece", pieces);
	uds_note("1 MiB read in %d pieces", pieces);
	uds_require_nothing_queued(p->b);
}
