/*
 * fdpass_test - descriptor passing with SCM_RIGHTS (catalogue area K):
 * identity and sharing of what is passed, lifetime in flight and where
 * descriptors sit in a stream.  Control buffers, truncation and malformed
 * control data are in fdpass_cmsg.c.
 *
 * Where it matters whether a descriptor was closed by the kernel, what
 * travels is the write end of a pipe: its read end sees end-of-file
 * exactly when the last reference to the write end, in flight or not, is
 * gone, and a byte written through a received write end shows which pipe
 * it belongs to.
 */
#include "fdpass.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <unistd.h>

#ifdef HAVE_EPOLL
#include <sys/epoll.h>
#endif
#ifdef HAVE_KQUEUE
#include <sys/event.h>
#endif

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* Sends data with file f attached, asserting every byte is taken. */
void
send_with_file(int sock, int f, const char *data)
{
	size_t len = strlen(data);

	UDS_EQ(UDS_OK(uds_sendmsg_fds(sock, &f, 1, data, len, 0)), len,
	    "bytes sent with the descriptor");
}

/*
 * Receives one message into a 20-byte buffer with room for maxfds
 * descriptors: it must be exactly data, carrying exactly nfiles
 * descriptors referring to files[0..nfiles-1] in order, with neither
 * MSG_TRUNC nor MSG_CTRUNC.
 */
void
recv_expect(int sock, const char *data, const int *files, int nfiles, int maxfds,
    struct uds_msg *m)
{
	char buf[20];
	size_t len = strlen(data);
	ssize_t n;

	UDS_REQUIRE(len < sizeof(buf), "suite bug: \"%s\" does not fit the receive buffer", data);
	n = uds_recv_fds_only(sock, buf, sizeof(buf), maxfds, 0, m);
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
void
expect_contents(int fd, const char *contents)
{
	char buf[64];
	size_t len = strlen(contents);
	ssize_t n = UDS_OK(pread(fd, buf, sizeof(buf), 0));

	UDS_EQ(n, len, "bytes of the file read through the descriptor");
	UDS_REQUIRE(memcmp(buf, contents, len) == 0, "the file holds \"%.*s\", not \"%s\"",
	    (int)n, buf, contents);
}

/*
 * Writes an SCM_RIGHTS header carrying fds[0..n-1] at offset off of c
 * (cmsg_len CMSG_LEN(n ints)); returns the offset just past it
 * (off + CMSG_SPACE(n ints)), where a next header goes and the
 * msg_controllen that ends with it.
 */
size_t
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
ssize_t
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
ssize_t
sendmsg_raw(int sock, const struct uds_addr *to, const char *data, size_t len, void *ctl,
    size_t ctllen)
{
	return sendmsg_raw_via(sendmsg, sock, to, data, len, ctl, ctllen);
}

/* Opens n tracked pipes. */
void
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

void
tracked_send_one(int sock, struct tracked *t, const char *data)
{
	size_t len = strlen(data);

	tracked_open(t, 1);
	UDS_EQ(UDS_OK(uds_sendmsg_fds(sock, t->wr, 1, data, len, 0)), len,
	    "bytes sent with the tracked write end");
	tracked_close_local(t, 0, 1);
}

/* Closes the case's own copies of write ends first..first+count-1. */
void
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
void
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
int
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
bool
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
void
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
	uds_close_received(&m);
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
	uds_recv_fds_only(p->b, buf, sizeof(buf), 1, 0, &m);
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
	uds_known_bug("sockopt.acceptconn_unix");
	struct uds_addr name;
	int l = uds_listener(p->kind, &name), client, conn, on = 0;
	socklen_t len = sizeof(on);
	struct uds_msg m;
	char buf[8];

	uds_require_holds("scm_rights.listener_passes");
	uds_send_fds(p->a, &l, 1);
	UDS_OK(close(l));
	uds_recv_fds_only(p->b, buf, sizeof(buf), 1, 0, &m);
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
	uds_recv_fds_only(sock, buf, sizeof(buf), 2, 0, &m);
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
	uds_known_bug("scm_rights.close_receiver_releases");
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
/* Receivers that refuse descriptors: SO_PASSRIGHTS (Linux 6.16)       */
/* ------------------------------------------------------------------ */

/*
 * A message with one descriptor from sender to receiver, which has
 * SO_PASSRIGHTS 0, is refused whole: sendmsg() fails with EPERM, nothing
 * reaches receiver, and the kernel keeps no reference to the descriptor
 * (the tracked pipe's write end is released once the sender closes it).
 * Commit 77cbe1a6d873 checks the receiver before queueing and frees the
 * message, data included.  receiver -1: its queue is checked by the caller
 * (an embryo's, through the socket accept() makes of it).  to names the
 * receiver in messages.
 */
static void
require_rights_refused(int sender, int receiver, const char *to)
{
	struct tracked t;

	tracked_open(&t, 1);
	UDS_FAILS_WITH(EPERM, uds_sendmsg_fds(sender, t.wr, 1, "r", 1, 0));
	if (receiver != -1)
		uds_require_nothing_queued(receiver);
	tracked_close_local(&t, 0, 1);
	require_released(&t, 0, true, to);
	close(t.rd[0]);
}

UDS_CASE(passrights_off_refuses_rights, "K-54", UDS_ALL_TYPES | UDS_CONNECTED | UDS_BOTH_MODES)
{
	uds_passrights_off(p->b);
	require_rights_refused(p->a, p->b, "after a send refused by the receiver");
	uds_send_one(p->a, "d", 1);
	uds_recv_expect(p->b, 1, 0, "d", "plain data after the refused send");
}

UDS_CASE(accepted_inherits_passrights_off, "K-55", UDS_CONNECTION_TYPES | UDS_NAMED)
{
#ifdef SO_PASSRIGHTS
	struct uds_addr name;
	int l = uds_listener(p->kind, &name), c = uds_socket(p->kind->type, false), s;

	uds_passrights_off(l);
	uds_connect(c, &name);
	require_rights_refused(c, -1, "after a send to the embryo, before accept()");
	s = uds_accept(l);
	uds_require_nothing_queued(s);
	UDS_EQ(UDS_SOCKOPT_INT(s, SOL_SOCKET, SO_PASSRIGHTS), 0,
	    "SO_PASSRIGHTS of the accepted socket");
	require_rights_refused(c, s, "after a send to the accepted socket");
	close(s);
	close(c);
	close(l);
#else
	uds_skip("SO_PASSRIGHTS is a Linux (6.16) interface, absent here");
#endif
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
		UDS_EQ(uds_recv_fds_only(p->b, buf, 2, 4, 0, &m), 2, "bytes into a 2-byte buffer");
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

UDS_CASE(stream_read_stops_at_rights_barrier, "K-62", UDS_STREAM | UDS_CONNECTED | UDS_BOTH_MODES)
{
	int f1 = uds_temp_file("one"), f2 = uds_temp_file("two");
	char buf[16];
	ssize_t n;

	send_with_file(p->a, f1, "AAAA");
	send_with_file(p->a, f2, "BBBB");
	uds_wait_readable(p->b);
	n = UDS_OK(read(p->b, buf, sizeof(buf)));
	UDS_EXPECT_VALUE("scm_rights.stream_barrier_read", n == 4 && memcmp(buf, "AAAA", 4) == 0);
	uds_wait_readable(p->b);
	UDS_EQ(UDS_OK(read(p->b, buf, sizeof(buf))), 4, "bytes of the second read()");
	UDS_REQUIRE(memcmp(buf, "BBBB", 4) == 0, "the second read() is not the second write");
	uds_require_nothing_queued(p->b);
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
	tracked_send_one(p->a, &t, "XYZ");
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
	tracked_send_one(p->a, &t, "");
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

/*
 * The platform's event queue descriptor in SCM_RIGHTS: a kqueue as the table
 * records it; where there is no kqueue, an epoll instance passes like any
 * other descriptor and the received one is the same instance (an event
 * registered through the sender's copy is reported through it).
 */
UDS_CASE(event_queue_descriptor_in_rights, "K-44", UDS_ALL_TYPES | UDS_CONNECTED)
{
	struct uds_msg m;
#if defined(HAVE_KQUEUE)
	int kq = (int)UDS_OK(kqueue());

	UDS_EXPECT_RESULT("scm_rights.kqueue", uds_sendmsg_fds(p->a, &kq, 1, NULL, 0, 0));
	uds_recv_fds(p->b, 1, 0, &m);
	UDS_EQ(m.nfds, 1, "kqueue descriptors received");
	uds_close_received(&m);
#elif defined(HAVE_EPOLL)
	int ep = (int)UDS_OK(epoll_create1(0)), pipe_fds[2];
	struct epoll_event ev = { .events = EPOLLIN }, got;

	UDS_OK(pipe(pipe_fds));
	ev.data.fd = pipe_fds[0];
	uds_send_fds(p->a, &ep, 1);
	uds_recv_fds(p->b, 1, 0, &m);
	UDS_EQ(m.nfds, 1, "epoll descriptors received");
	UDS_OK(epoll_ctl(ep, EPOLL_CTL_ADD, pipe_fds[0], &ev));
	UDS_EQ(UDS_OK(write(pipe_fds[1], "e", 1)), 1, "bytes written to the watched pipe");
	UDS_EQ(UDS_OK(epoll_wait(m.fds[0], &got, 1, UDS_DEADLINE_MS)), 1,
	    "events the received epoll descriptor reports for the sender's registration");
	UDS_EQ(got.data.fd, pipe_fds[0], "the watched descriptor the event names");
	uds_close_received(&m);
#else
	(void)m;
	uds_skip("neither kqueue nor epoll exists here");
#endif
}

/* ------------------------------------------------------------------ */
/* Senders asleep in sendmsg(): a second thread, one descriptor table  */
/* ------------------------------------------------------------------ */

/* One sendmsg() of a descriptor and a tag byte, made in a thread (K-25, K-51). */
struct fd_sender {
	int sock;
	int fd;
	char tag[2];
};

static long
send_fd_in_thread(void *arg)
{
	const struct fd_sender *s = arg;

	uds_thread_about_to_block();
	return uds_sendmsg_fds(s->sock, &s->fd, 1, s->tag, 1, 0);
}

/* Starts a thread whose sendmsg() sleeps on the sender's full stream (uds_fill() first). */
static void
start_asleep_sender(struct uds_thread *t, struct fd_sender *s)
{
	uds_thread_start(t, send_fd_in_thread, s);
	uds_thread_wait_blocked(t, "sendmsg() of a descriptor on a full stream");
}

UDS_CASE(closed_while_send_asleep_still_passed, "K-51", UDS_STREAM | UDS_PAIR)
{
	uds_known_bug("scm_rights.kept_by_asleep_stream_send");
	struct fd_sender s = { .sock = p->a, .tag = "k" };
	struct uds_thread t;
	struct uds_msg m;
	int pipe_fds[2];
	long queued = uds_fill(p->a, 4096);
	char c;

	UDS_OK(pipe(pipe_fds));
	s.fd = pipe_fds[1];
	start_asleep_sender(&t, &s);
	UDS_OK(close(pipe_fds[1]));
	uds_drain(p->b, queued);
	UDS_EXPECT_RESULT("scm_rights.closed_while_send_asleep", uds_thread_finish(&t));
	uds_recv_fds(p->b, 1, 0, &m);
	UDS_EQ(m.nfds, 1, "descriptors received");
	UDS_EQ(UDS_OK(write(m.fds[0], "w", 1)), 1, "bytes written through the received descriptor");
	UDS_EQ(UDS_OK(read(pipe_fds[0], &c, 1)), 1, "bytes read from the pipe it names");
	uds_close_received(&m);
	uds_require_pipe_released(pipe_fds[0]);
	close(pipe_fds[0]);
}

UDS_CASE(asleep_senders_keep_their_descriptors, "K-25", UDS_STREAM | UDS_PAIR)
{
	uds_known_bug("scm_rights.kept_by_asleep_stream_send");
	struct fd_sender s[2] = { { .sock = p->a, .tag = "0" }, { .sock = p->a, .tag = "1" } };
	struct uds_thread t[2];
	long queued = uds_fill(p->a, 4096);
	unsigned seen = 0;

	for (int i = 0; i < 2; i++) {
		s[i].fd = uds_temp_file(s[i].tag);
		start_asleep_sender(&t[i], &s[i]);
	}
	uds_drain(p->b, queued);
	for (int i = 0; i < 2; i++)
		UDS_EQ(UDS_OK(uds_thread_finish(&t[i])), 1, "bytes the asleep sendmsg() sent");
	for (int i = 0; i < 2; i++) {
		struct uds_msg m;
		char tag = '?';

		UDS_EQ(uds_recv_fds_only(p->b, &tag, 1, 1, 0, &m), 1, "data bytes received");
		UDS_REQUIRE((tag == '0' || tag == '1') && !(seen & (1u << (tag - '0'))),
		    "message %d has tag '%c'; expected each sender's tag once", i, tag);
		seen |= 1u << (tag - '0');
		UDS_EQ(m.nfds, 1, "descriptors with the message");
		UDS_REQUIRE(uds_same_file(m.fds[0], s[tag - '0'].fd),
		    "message '%c' came with another file than its sender passed", tag);
		uds_close_received(&m);
	}
	close(s[0].fd);
	close(s[1].fd);
}
