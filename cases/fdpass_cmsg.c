/*
 * fdpass_cmsg - the control buffer half of fdpass_test (catalogue area K):
 * buffers too small, absent or faulting, truncation that must leak
 * nothing, descriptors without data and in records, peeking, close-on-exec,
 * malformed control headers, alignment and a large stream message.
 */
#include "fdpass.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <unistd.h>

static bool
has_cloexec(int fd)
{
	return (UDS_OK(fcntl(fd, F_GETFD)) & FD_CLOEXEC) != 0;
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

static const char *
state_name(int state)
{
	return state == IN_FLIGHT ? "in flight" : state == ARRIVED ? "arrived"
	    : state == RELEASED ? "released" : "?";
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
	uds_require_only_named(&snap, m);
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
		uds_recv_fds_only(p->b, buf, sizeof(buf), 64, 0, &m);
		UDS_EQ(m.nfds, n, "descriptors received");
		UDS_REQUIRE(m.controllen >= used_min && m.controllen <= used_max,
		    "msg_controllen %zu after %d descriptors; want %zu..%zu (buffer %zu)",
		    m.controllen, n, used_min, used_max, (size_t)CMSG_SPACE(64 * sizeof(int)));
		uds_close_received(&m);
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
	rc = recv_tracked(p->b, &t, UDS_ROOM_FOR_FDS(0), state, &m);
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
		rc = recv_tracked(sock, t, UDS_ROOM_FOR_FDS(room), state, &m);
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
	uds_known_bug("recvmsg.null_control_with_length");
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
	tracked_send_one(p->a, &t, "abc");
	uds_wait_readable(p->b);
	uds_fds_snapshot(&snap);
	UDS_EQ(UDS_OK(read(p->b, buf, sizeof(buf))), 3, "bytes read()");
	UDS_REQUIRE(memcmp(buf, "abc", 3) == 0, "read() returned \"%.3s\"", buf);
	UDS_FDS_UNCHANGED(&snap, "by read() of a message carrying a descriptor");
	require_released(&t, 0, true, "after read() of its message");
	uds_require_nothing_queued(p->b);
}

/* ------------------------------------------------------------------ */
/* Records, peeking, zero-length receives, close-on-exec               */
/* ------------------------------------------------------------------ */

UDS_CASE(dgram_rights_without_data_delivered, "K-35", UDS_DGRAM | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	uds_known_bug("zero_length.io");
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
	UDS_EQ(uds_recv_fds_only(p->b, buf, 3, 4, 0, &m), 3, "bytes into a 3-byte buffer");
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
	UDS_EQ(uds_recv_fds_only(p->b, buf, sizeof(buf), 1, MSG_PEEK, &peeked), 1, "bytes peeked");
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
	uds_known_bug("zero_length.io");
	int f = uds_temp_file("zero");
	struct uds_msg m;
	char buf[8];

	uds_require_holds("scm_rights.zero_length_recv");
	send_with_file(p->a, f, "abc");
	UDS_EQ(uds_recv_fds_only(p->b, buf, 0, 1, 0, &m), 0, "bytes into a 0-byte buffer");
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
	uds_recv_fds_only(p->b, buf, sizeof(buf), 3, MSG_CMSG_CLOEXEC, &m);
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
		uds_recv_fds_only(p->b, buf, sizeof(buf), 4, 0, &m);
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
/* An unaligned control buffer; descriptors with a large stream write  */
/* ------------------------------------------------------------------ */

/*
 * recvmsg() after waiting, with a control buffer that starts 4 bytes past
 * an 8-byte boundary and holds exactly UDS_ROOM_FOR_FDS(1) bytes; the control data
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
	    .msg_controllen = UDS_ROOM_FOR_FDS(1) };
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
	UDS_REQUIRE(msg.msg_controllen <= UDS_ROOM_FOR_FDS(1), "msg_controllen %zu exceeds the %zu "
	    "bytes offered", (size_t)msg.msg_controllen, (size_t)UDS_ROOM_FOR_FDS(1));
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
	uds_close_received(&m);
	UDS_EQ(UDS_OK(uds_sendmsg_fds(p->a, two, 2, "2", 1, 0)), 1, "bytes sent with two");
	UDS_EQ(UDS_OK(recv_unaligned_one(p->b, buf, sizeof(buf), &m)), 1, "data bytes");
	UDS_EQ(m.nfds, 1, "descriptors received of two into room for one");
	UDS_REQUIRE(m.flags & MSG_CTRUNC, "MSG_CTRUNC not set with a descriptor dropped");
	UDS_REQUIRE(uds_same_file(m.fds[0], f), "the descriptor is not the file sent");
	uds_close_received(&m);
}

/*
 * K-60: a 32-bit program on a 64-bit kernel lays its control data out with
 * 4-byte CMSG alignment, which the kernel converts on the way in and out
 * (Linux net/compat.c: cmsghdr_from_user_compat_to_kern(), put_cmsg_compat(),
 * scm_detach_fds_compat()).  What is queued is the kernel's own form, so a
 * 32-bit sender and receiver check both conversions that a 32-bit/64-bit
 * exchange uses.  An odd number of descriptors makes the two layouts differ
 * (CMSG_SPACE of 4 bytes: 16 here, 24 in the 64-bit layout).
 */
#if defined(SCM_CREDENTIALS) && defined(SO_PASSCRED) && defined(HAVE_SO_PEERCRED_UCRED)
static bool
compat_abi(void)
{
	struct utsname u;

	return sizeof(void *) == 4 && uname(&u) == 0 &&
	    (strstr(u.machine, "64") != NULL || strcmp(u.machine, "s390x") == 0);
}
#endif

UDS_CASE(compat_rights_and_creds_intact, "K-60", UDS_ALL_TYPES | UDS_CONNECTED)
{
#if defined(SCM_CREDENTIALS) && defined(SO_PASSCRED) && defined(HAVE_SO_PEERCRED_UCRED)
	static const int counts[] = { 1, 3 };
	struct ucred me = { .pid = getpid(), .uid = geteuid(), .gid = getegid() };
	int on = 1;

	if (!compat_abi())
		uds_skip("not a 32-bit program on a 64-bit kernel (the i386 build of "
		    "ci/build-matrix is one): no compat layout to check");
	UDS_OK(setsockopt(p->b, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)));
	for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
		int n = counts[k], files[3];
		union ctl_buf c, in;
		struct msghdr msg;
		struct cmsghdr *cm;
		struct ucred got;
		size_t off;
		char buf[8];
		int nrights = 0, ncreds = 0;

		for (int i = 0; i < n; i++)
			files[i] = uds_temp_file("compat");
		memset(&c, 0, sizeof(c));
		off = rights_put(&c, 0, files, n);
		cm = (struct cmsghdr *)(void *)(c.buf + off);
		cm->cmsg_len = CMSG_LEN(sizeof(me));
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_CREDENTIALS;
		memcpy(CMSG_DATA(cm), &me, sizeof(me));
		off += CMSG_SPACE(sizeof(me));
		UDS_EQ(UDS_OK(sendmsg_raw(p->a, NULL, "c", 1, c.buf, off)), 1,
		    "bytes sent with rights and credentials");
		/* Exactly the room the two headers take in this program's layout. */
		UDS_EQ(UDS_OK(recvmsg_raw(p->b, buf, sizeof(buf), in.buf, off, &msg)), 1,
		    "bytes received");
		UDS_EQ(msg.msg_flags & MSG_CTRUNC, 0, "MSG_CTRUNC with room for both headers");
		UDS_EQ(msg.msg_controllen, off, "control bytes used (both headers, 32-bit layout)");
		for (cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm)) {
			UDS_EQ(cm->cmsg_level, SOL_SOCKET, "cmsg_level");
			if (cm->cmsg_type == SCM_RIGHTS) {
				UDS_EQ(cm->cmsg_len, CMSG_LEN(n * sizeof(int)), "SCM_RIGHTS cmsg_len");
				for (int i = 0; i < n; i++) {
					int fd;

					memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(fd));
					UDS_REQUIRE(uds_same_file(fd, files[i]), "descriptor %d of %d "
					    "is not the file sent", i + 1, n);
					UDS_OK(close(fd));
				}
				nrights++;
			} else if (cm->cmsg_type == SCM_CREDENTIALS) {
				UDS_EQ(cm->cmsg_len, CMSG_LEN(sizeof(got)), "SCM_CREDENTIALS cmsg_len");
				memcpy(&got, CMSG_DATA(cm), sizeof(got));
				UDS_EQ(got.pid, me.pid, "credentials' pid");
				UDS_EQ(got.uid, me.uid, "credentials' uid");
				UDS_EQ(got.gid, me.gid, "credentials' gid");
				ncreds++;
			} else {
				UDS_REQUIRE(false, "unexpected control message type %d", cm->cmsg_type);
			}
		}
		UDS_EQ(nrights, 1, "SCM_RIGHTS headers received");
		UDS_EQ(ncreds, 1, "SCM_CREDENTIALS headers received");
		for (int i = 0; i < n; i++)
			UDS_OK(close(files[i]));
	}
#else
	uds_skip("SCM_CREDENTIALS and SO_PASSCRED are Linux interfaces, absent here");
#endif
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
		ssize_t n = uds_recv_fds_only(p->b, piece, sizeof(piece), 4, 0, &m);

		UDS_REQUIRE(n > 0, "recvmsg() returned %zd after %zu of %d bytes", n, got, LARGE);
		UDS_REQUIRE(memcmp(piece, large_data + got, (size_t)n) == 0, "bytes %zu..%zu differ "
		    "from those sent", got, got + (size_t)n);
		UDS_EQ(m.nfds, pieces == 0 ? 1 : 0, pieces == 0 ? "descriptors with the first piece" :
		    "descriptors with a later piece");
		if (pieces == 0)
			UDS_REQUIRE(uds_same_file(m.fds[0], s.file), "the descriptor is not the file sent");
		uds_close_received(&m);
		got += (size_t)n;
		pieces++;
	}
	uds_child_finish(&child);
	UDS_REQUIRE(pieces > 1, "the 1 MiB message came in %d piece", pieces);
	uds_note("1 MiB read in %d pieces", pieces);
	uds_require_nothing_queued(p->b);
}

/*
 * io_uring_enter(2): IORING_OP_SENDMSG and IORING_OP_RECVMSG are
 * "equivalent to" sendmsg(2) and recvmsg(2), so SCM_RIGHTS (unix(7))
 * travels through them as through the system calls.
 */
UDS_CASE(io_uring_sendmsg_recvmsg_pass_descriptor, "K-61",
    UDS_ALL_TYPES | UDS_CONNECTED | UDS_BOTH_MODES,
    .note = "a descriptor sent and received through io_uring arrives, the same open file")
{
	int f = uds_temp_file("io_uring"), r;
	char data[8];
	struct uds_msg m;

	UDS_EQ(UDS_OK(uds_ioring_sendmsg_fds(p->a, &f, 1, "u", 1, 0)), 1, "bytes sent");
	UDS_EQ(UDS_OK(uds_ioring_recvmsg_ctl(p->b, data, sizeof(data), CMSG_SPACE(sizeof(int)), 0,
	    &m)), 1, "bytes received");
	UDS_EQ(data[0], 'u', "byte received");
	UDS_EQ(m.nfds, 1, "descriptors received");
	UDS_REQUIRE((m.flags & (MSG_CTRUNC | MSG_TRUNC)) == 0, "msg_flags %#x", (unsigned)m.flags);
	r = m.fds[0];
	UDS_REQUIRE(r != f && uds_same_file(r, f), "received fd %d is not the file sent as fd %d",
	    r, f);
	UDS_EQ(read(r, data, 2), 2, "bytes read through the received descriptor");
	UDS_EQ(UDS_OK(lseek(f, 0, SEEK_CUR)), 2, "sender's offset after reading through it");
	uds_close_received(&m);
	close(f);
}

UDS_CASE(io_uring_recvmsg_short_control_truncates, "K-61",
    UDS_ALL_TYPES | UDS_CONNECTED | UDS_BOTH_MODES,
    .note = "io_uring recvmsg with room for one of two descriptors sets MSG_CTRUNC")
{
	int f[2] = { uds_temp_file("one"), uds_temp_file("two") };
	char data[8];
	struct uds_msg m;

	UDS_EQ(UDS_OK(uds_ioring_sendmsg_fds(p->a, f, 2, "u", 1, 0)), 1, "bytes sent");
	UDS_EQ(UDS_OK(uds_ioring_recvmsg_ctl(p->b, data, sizeof(data), UDS_ROOM_FOR_FDS(1), 0,
	    &m)), 1, "bytes received");
	UDS_REQUIRE(m.flags & MSG_CTRUNC, "msg_flags %#x lacks MSG_CTRUNC", (unsigned)m.flags);
	UDS_EQ(m.nfds, 1, "descriptors received");
	UDS_REQUIRE(uds_same_file(m.fds[0], f[0]), "the descriptor received is not the first sent");
	uds_close_received(&m);
	close(f[0]);
	close(f[1]);
}
