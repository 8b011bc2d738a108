/*
 * dgram_test - datagram semantics (catalogue area F): reliability and
 * ordering, one datagram per receive, boundaries, peeking, truncation,
 * addressing of unconnected sends, and the full receiver.  Rows marked DQ
 * in the catalogue also run on SOCK_SEQPACKET records.
 */
#include "uds.h"

#include <sys/stat.h>
#include <sys/uio.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Numbered datagrams (struct uds_record) stay under this much fill: at most 516 bytes. */
#define DGRAM_FILL 500

static size_t
numbered_make(struct uds_record *d, uint32_t sender, uint32_t seq)
{
	return uds_record_make(d, sender, seq, DGRAM_FILL);
}

/* Receives one numbered datagram and checks it is whole and intact. */
static void
numbered_recv(int fd, struct uds_record *d)
{
	uds_record_check(d, uds_recv_one(fd, d, sizeof(*d), 0), "datagram");
}

UDS_CASE(datagrams_arrive_intact_and_in_order, "F-01", UDS_DGRAM | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	enum { TOTAL = 4096, WINDOW = 8 };
	struct uds_record out, in;

	/* The receiver keeps up: a window of datagrams, then drain it. */
	for (uint32_t seq = 0; seq < TOTAL; seq += WINDOW) {
		for (uint32_t i = 0; i < WINDOW; i++)
			uds_send_one(p->a, &out, numbered_make(&out, 0, seq + i));
		for (uint32_t i = 0; i < WINDOW; i++) {
			numbered_recv(p->b, &in);
			UDS_EQ(in.seq, seq + i, "sequence number of the next datagram");
		}
	}
	uds_require_nothing_queued(p->b);
}

UDS_CASE(one_recv_returns_one_datagram, "F-02", UDS_RECORD_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	static const size_t sizes[] = { 1, 7, 300, 2 };
	char out[300], in[4096];

	memset(out, 'd', sizeof(out));
	for (size_t i = 0; i < 4; i++)
		uds_send_one(p->a, out, sizes[i]);
	for (size_t i = 0; i < 4; i++)
		UDS_EQ(uds_recv_one(p->b, in, sizeof(in), 0), sizes[i], "bytes in one receive");
	uds_require_nothing_queued(p->b);
}

UDS_CASE(peek_leaves_datagram_queued, "F-03", UDS_RECORD_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	char buf[64];

	uds_send_one(p->a, "first", 5);
	uds_send_one(p->a, "second", 6);
	uds_recv_expect(p->b, sizeof(buf), MSG_PEEK, "first", "bytes peeked");
	UDS_EQ(uds_recv_one(p->b, buf, sizeof(buf), MSG_PEEK), 5, "bytes peeked again");
	uds_recv_expect(p->b, sizeof(buf), 0, "first", "bytes received after peeking");
	UDS_EQ(uds_recv_one(p->b, buf, sizeof(buf), 0), 6, "bytes of the second datagram");
}

UDS_CASE(short_buffer_truncates_and_discards_rest, "F-04",
    UDS_RECORD_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	char big[100], buf[64];
	int flags;

	memset(big, 'x', sizeof(big));
	uds_send_one(p->a, big, sizeof(big));
	uds_send_one(p->a, "next", 4);
	UDS_EQ(uds_recvmsg_flags(p->b, buf, 10, 0, &flags), 10, "bytes into a 10-byte buffer");
	UDS_REQUIRE(flags & MSG_TRUNC, "msg_flags %#x lacks MSG_TRUNC", (unsigned)flags);
	UDS_EQ(uds_recvmsg_flags(p->b, buf, sizeof(buf), 0, &flags), 4, "bytes of the next datagram");
	UDS_REQUIRE(memcmp(buf, "next", 4) == 0, "the truncated rest was not discarded");
	UDS_REQUIRE(!(flags & MSG_TRUNC), "MSG_TRUNC set on a datagram that fitted");
}

UDS_CASE(exact_buffer_is_not_truncated, "F-05", UDS_RECORD_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	char buf[64];
	int flags;

	uds_send_one(p->a, "0123456789", 10);
	uds_send_one(p->a, "0123456789", 10);
	UDS_EQ(uds_recvmsg_flags(p->b, buf, 10, 0, &flags), 10, "bytes into an exact buffer");
	UDS_REQUIRE(!(flags & MSG_TRUNC), "MSG_TRUNC set with an exact buffer (%#x)",
	    (unsigned)flags);
	UDS_EQ(uds_recvmsg_flags(p->b, buf, sizeof(buf), 0, &flags), 10, "bytes into a larger buffer");
	UDS_REQUIRE(!(flags & MSG_TRUNC), "MSG_TRUNC set with a larger buffer (%#x)",
	    (unsigned)flags);
}

UDS_CASE(recv_trunc_returns_real_length, "F-06",
    UDS_RECORD_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	static const size_t sizes[] = { 80, 512, 2000 };
	char big[2000], buf[16];

	memset(big, 't', sizeof(big));
	for (size_t i = 0; i < 3; i++) {
		ssize_t n;

		uds_send_one(p->a, big, sizes[i]);
		n = uds_recv_one(p->b, buf, sizeof(buf), MSG_TRUNC);
		UDS_EXPECT_VALUE("recv.trunc_returns_real_length", n == (ssize_t)sizes[i]);
	}
}

UDS_CASE(zero_length_datagram_is_delivered, "F-12", UDS_DGRAM | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	uds_known_bug("zero_length.io");
	char buf[16];
	ssize_t n;

	UDS_EQ(UDS_OK(send(p->a, "", 0, 0)), 0, "bytes sent");
	uds_send_one(p->a, "after", 5);
	n = uds_recv_one(p->b, buf, sizeof(buf), 0);
	UDS_EXPECT_VALUE("dgram.zero_length_delivered", n == 0);
	UDS_EQ(uds_recv_one(p->b, buf, sizeof(buf), 0), 5, "bytes of the datagram after it");
}

/* Sends datagrams until the receiver is full; returns the failing send's errno. */
static int
fill_receiver(int fd, int flags)
{
	char buf[256];

	memset(buf, 'f', sizeof(buf));
	for (int i = 0; i < 1000000; i++)
		if (send(fd, buf, sizeof(buf), flags) == -1)
			return errno;
	uds_fail_at(__FILE__, __LINE__, "a million datagrams were queued without the receiver filling up");
}

UDS_CASE(full_receiver_blocks_or_refuses, "F-27", UDS_DGRAM | UDS_CONNECTED | UDS_BOTH_ENDS)
{
	int err = fill_receiver(p->a, MSG_DONTWAIT);

	uds_note("the receiver filled up; the MSG_DONTWAIT send failed with %s", uds_errno_name(err));
	UDS_EXPECT_RESULT("dgram.full_receiver.blocking", send(p->a, "x", 1, 0));
}

UDS_CASE(full_receiver_nonblocking_send_fails, "F-28",
    UDS_DGRAM | UDS_CONNECTED | UDS_NONBLOCK | UDS_BOTH_ENDS)
{
	char buf[256];
	long rc = 0;

	memset(buf, 'f', sizeof(buf));
	for (int i = 0; i < 1000000 && rc != -1; i++)
		rc = send(p->a, buf, sizeof(buf), 0);
	UDS_EXPECT_RESULT("dgram.full_receiver.nonblocking", rc);
}

UDS_CASE(draining_full_receiver_lets_sender_continue, "F-29",
    UDS_DGRAM | UDS_CONNECTED | UDS_BOTH_MODES)
{
	char buf[256];
	int queued = 0;

	memset(buf, 'q', sizeof(buf));
	while (send(p->a, buf, sizeof(buf), MSG_DONTWAIT) != -1)
		UDS_REQUIRE(++queued < 1000000, "the receiver never filled up");
	for (int i = 0; i < queued; i++)
		UDS_EQ(uds_recv_one(p->b, buf, sizeof(buf), 0), sizeof(buf), "bytes of a queued datagram");
	uds_require_nothing_queued(p->b);
	uds_send_one(p->a, buf, sizeof(buf));
	UDS_EQ(uds_recv_one(p->b, buf, sizeof(buf), 0), sizeof(buf), "bytes after draining");
}

struct sender_arg {
	const struct uds_addr *to;
	uint32_t id;
	bool nonblock;
};

enum { SENDERS = 3, PER_SENDER = 400 };

/* One of several senders: numbered datagrams to the receiver's name. */
static void
numbered_sender(void *argp)
{
	const struct sender_arg *arg = argp;
	int fd = uds_socket(SOCK_DGRAM, arg->nonblock);
	struct uds_record d;

	for (uint32_t seq = 0; seq < PER_SENDER; seq++) {
		size_t len = numbered_make(&d, arg->id, seq);
		ssize_t n;

		/* A full receiver makes the send wait (Linux) or fail with
		 * ENOBUFS (BSD); either way the datagram is sent again, so
		 * nothing is lost by the sender. */
		while ((n = sendto(fd, &d, len, 0, (const struct sockaddr *)&arg->to->sun,
		    arg->to->len)) == -1 && (errno == EAGAIN || errno == ENOBUFS))
			uds_wait_writable(fd);
		UDS_REQUIRE(n == (ssize_t)len, "sender %u, datagram %u: %s", arg->id, seq,
		    n == -1 ? uds_errno_name(errno) : "short send");
	}
}

UDS_CASE(several_senders_keep_order_and_lose_nothing, "F-34",
    UDS_DGRAM | UDS_NAMED | UDS_BOTH_MODES)
{
	uds_known_bug("dgram.unconnected_senders_woken");
	struct sender_arg args[SENDERS];
	struct uds_child senders[SENDERS];
	uint32_t next[SENDERS] = { 0 };
	struct uds_record in;
	struct uds_addr name;
	/* Unconnected: a connected datagram socket takes datagrams from its peer only. */
	int rx = uds_socket(SOCK_DGRAM, p->kind->nonblock);

	uds_addr_fresh_for(p->kind, &name);
	uds_bind(rx, &name);
	for (uint32_t i = 0; i < SENDERS; i++) {
		args[i] = (struct sender_arg){ .to = &name, .id = i, .nonblock = p->kind->nonblock };
		uds_child_start(&senders[i], numbered_sender, &args[i]);
	}
	for (int got = 0; got < SENDERS * PER_SENDER; got++) {
		numbered_recv(rx, &in);
		UDS_REQUIRE(in.sender < SENDERS, "datagram from unknown sender %u", in.sender);
		UDS_EQ(in.seq, next[in.sender], "next sequence number of this sender");
		next[in.sender]++;
	}
	for (int i = 0; i < SENDERS; i++)
		uds_child_finish(&senders[i]);
	uds_require_nothing_queued(rx);
}

UDS_CASE(sendto_unconnected_reaches_bound_receiver, "F-17", UDS_DGRAM | UDS_NAMED | UDS_BOTH_MODES)
{
	struct uds_addr name;
	int rx = uds_socket(SOCK_DGRAM, p->kind->nonblock);
	int tx = uds_socket(SOCK_DGRAM, p->kind->nonblock);

	uds_addr_fresh_for(p->kind, &name);
	uds_bind(rx, &name);
	UDS_EQ(UDS_OK(sendto(tx, "hello", 5, 0, (struct sockaddr *)&name.sun, name.len)), 5,
	    "bytes sent");
	uds_recv_expect(rx, 16, 0, "hello", "bytes received");
}

UDS_CASE(recvfrom_names_bound_sender, "F-18", UDS_DGRAM | UDS_NAMED | UDS_BOTH_MODES)
{
	struct uds_addr from, sender;
	char buf[16];

	sender.len = sizeof(sender.sun);
	UDS_OK(getsockname(p->a, (struct sockaddr *)&sender.sun, &sender.len));
	uds_send_one(p->a, "who", 3);
	uds_wait_readable(p->b);
	from.len = sizeof(from.sun);
	UDS_EQ(UDS_OK(recvfrom(p->b, buf, sizeof(buf), 0, (struct sockaddr *)&from.sun, &from.len)),
	    3, "bytes received");
	UDS_REQUIRE(from.len == sender.len && memcmp(&from.sun, &sender.sun, from.len) == 0,
	    "recvfrom() named %s, the sender is bound to %s", uds_addr_str(&from.sun, from.len),
	    uds_addr_str(&sender.sun, sender.len));
}

UDS_CASE(connect_sets_default_destination, "F-19", UDS_DGRAM | UDS_NAMED | UDS_BOTH_MODES)
{
	struct uds_addr name1, name2;
	int rx1 = uds_socket(SOCK_DGRAM, p->kind->nonblock);
	int rx2 = uds_socket(SOCK_DGRAM, p->kind->nonblock);
	int tx = uds_socket(SOCK_DGRAM, p->kind->nonblock);
	char buf[8];

	uds_addr_fresh_for(p->kind, &name1);
	uds_addr_fresh_for(p->kind, &name2);
	uds_bind(rx1, &name1);
	uds_bind(rx2, &name2);
	uds_connect(tx, &name1);
	uds_send_one(tx, "1", 1);
	uds_connect(tx, &name2);
	uds_send_one(tx, "2", 1);
	UDS_EQ(uds_recv_one(rx1, buf, sizeof(buf), 0), 1, "bytes at the first destination");
	UDS_EQ(buf[0], '1', "payload at the first destination");
	UDS_EQ(uds_recv_one(rx2, buf, sizeof(buf), 0), 1, "bytes at the second destination");
	UDS_EQ(buf[0], '2', "payload at the second destination");
	uds_require_nothing_queued(rx1);
}

UDS_CASE(sendto_missing_path_enoent, "F-25", UDS_DGRAM | UDS_UNBOUND | UDS_BOTH_MODES)
{
	struct uds_addr nobody;

	uds_addr_path(&nobody, "no-such-socket");
	UDS_FAILS_WITH(ENOENT, sendto(p->a, "x", 1, 0, (struct sockaddr *)&nobody.sun, nobody.len));
}

/* ------------------------------------------------------------------ */
/* Zero-length receives, limits, addressing of connected sockets       */
/* ------------------------------------------------------------------ */

/* The next datagram on fd must be exactly text (waits for it). */
static void
expect_datagram(int fd, const char *text)
{
	char buf[64];
	size_t len = strlen(text);

	UDS_EQ(uds_recv_one(fd, buf, sizeof(buf), 0), len, "bytes of the next datagram");
	UDS_REQUIRE(memcmp(buf, text, len) == 0, "next datagram is \"%.*s\", expected \"%s\"",
	    (int)len, buf, text);
}

/* A datagram socket bound to a fresh name of the kind's flavour. */
static int
bound_dgram(const struct uds_kind *kind, struct uds_addr *name)
{
	int fd = uds_socket(SOCK_DGRAM, kind->nonblock);

	uds_addr_fresh_for(kind, name);
	uds_bind(fd, name);
	return fd;
}

/* recvmsg() into a zero-length (NULL) buffer with ctl bytes of control space; no waiting. */
static long
recv_zero(int fd, int flags, size_t ctl, int *msg_flags)
{
	union { struct cmsghdr align; char buf[CMSG_SPACE(sizeof(int))]; } control;
	struct iovec iov = { .iov_base = NULL, .iov_len = 0 };
	struct msghdr msg;
	long rc;

	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (ctl > 0) {
		msg.msg_control = control.buf;
		msg.msg_controllen = ctl < sizeof(control.buf) ? ctl : sizeof(control.buf);
	}
	rc = recvmsg(fd, &msg, flags);
	if (msg_flags != NULL)
		*msg_flags = msg.msg_flags;
	return rc;
}

/*
 * A send's result must match its effect at the receiver fd: success means
 * the datagram text is there, failure that nothing is.  Leaves errno as the
 * send set it, for the expectation check that follows.
 */
static void
require_result_matches_delivery(long rc, int fd, const char *text)
{
	int err = errno;

	if (rc == -1) {
		uds_note("the send failed with %s", uds_errno_name(err));
		uds_require_nothing_queued(fd);
	} else {
		UDS_EQ(rc, strlen(text), "bytes sent");
		expect_datagram(fd, text);
	}
	errno = err;
}

UDS_CASE(zero_buffer_trunc_reports_length, "F-07",
    UDS_RECORD_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	char buf[16];
	long peeked, taken;

	uds_send_one(p->a, "abcdefg", 7);
	uds_send_one(p->a, "next", 4);
	uds_wait_readable(p->b);
	peeked = UDS_OK(recv(p->b, NULL, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT));
	uds_recv_expect(p->b, sizeof(buf), MSG_PEEK, "abcdefg",
	    "bytes peeked after the zero-length peek (it must leave the datagram queued)");
	taken = UDS_OK(recv(p->b, NULL, 0, MSG_TRUNC | MSG_DONTWAIT));
	expect_datagram(p->b, "next");
	uds_require_nothing_queued(p->b);
	uds_note("zero-length MSG_TRUNC receive returned %ld peeking, %ld consuming", peeked, taken);
	UDS_EXPECT_VALUE("recv.trunc_returns_real_length", peeked == 7 && taken == 7);
}

UDS_CASE(zero_buffer_receive_truncates, "F-10", UDS_RECORD_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	uds_known_bug("zero_length.io");
	int peek_flags, flags;
	long peeked, taken;

	uds_send_one(p->a, "abcdefg", 7);
	uds_send_one(p->a, "next", 4);
	uds_wait_readable(p->b);
	peeked = UDS_OK(recv_zero(p->b, MSG_PEEK | MSG_DONTWAIT, 0, &peek_flags));
	expect_datagram(p->b, "abcdefg");
	uds_send_one(p->a, "third", 5);
	taken = UDS_OK(recv_zero(p->b, MSG_DONTWAIT, 0, &flags));
	expect_datagram(p->b, "third");
	uds_require_nothing_queued(p->b);
	uds_note("zero-length receive: %ld (msg_flags %#x) peeking, %ld (msg_flags %#x) consuming",
	    peeked, (unsigned)peek_flags, taken, (unsigned)flags);
	UDS_EXPECT_VALUE("recv.zero_buffer_truncates", peeked == 0 && taken == 0 &&
	    (peek_flags & MSG_TRUNC) && (flags & MSG_TRUNC));
}

UDS_CASE(zero_buffer_peek_waits_for_datagram, "F-09", UDS_RECORD_TYPES | UDS_CONNECTED)
{
	long rc;

	UDS_EXPECT_RESULT("recv.zero_buffer_empty.nonblocking",
	    recv(p->b, NULL, 0, MSG_TRUNC | MSG_PEEK | MSG_DONTWAIT));
	UDS_EXPECT_RESULT("recv.zero_buffer_empty.blocking", recv(p->b, NULL, 0, MSG_TRUNC | MSG_PEEK));
	uds_send_one(p->a, "wake", 4);
	rc = UDS_WITHIN_DEADLINE(recv(p->b, NULL, 0, MSG_TRUNC | MSG_PEEK));
	UDS_REQUIRE(rc != -1, "the blocking peek failed with %s once a datagram was queued",
	    uds_errno_name(errno));
	expect_datagram(p->b, "wake");
	UDS_EXPECT_VALUE("recv.trunc_returns_real_length", rc == 4);
}

UDS_CASE(zero_buffer_empty_socket_would_block, "F-11",
    UDS_RECORD_TYPES | UDS_CONNECTED | UDS_BOTH_MODES)
{
	uds_known_bug("zero_length.io");
	static const int flag_sets[] = { 0, MSG_PEEK, MSG_TRUNC, MSG_PEEK | MSG_TRUNC };
	/* O_NONBLOCK on the non-blocking kinds, MSG_DONTWAIT on the blocking ones. */
	int dontwait = p->kind->nonblock ? 0 : MSG_DONTWAIT;

	for (size_t ctl = 0; ctl <= CMSG_SPACE(sizeof(int)); ctl += CMSG_SPACE(sizeof(int)))
		for (size_t i = 0; i < sizeof(flag_sets) / sizeof(flag_sets[0]); i++) {
			uds_note("flags %#x, %zu bytes of control space", (unsigned)flag_sets[i], ctl);
			UDS_EXPECT_RESULT("recv.zero_buffer_empty.nonblocking",
			    recv_zero(p->b, flag_sets[i] | dontwait, ctl, NULL));
		}
	uds_require_nothing_queued(p->b);
}

/* Sends one datagram of len bytes without waiting; 0 if accepted (and then drained), else errno. */
static int
try_datagram(struct uds_pair *p, char *buf, size_t len)
{
	if (send(p->a, buf, len, MSG_DONTWAIT) == -1)
		return errno;
	UDS_EQ(uds_recv_one(p->b, buf, len, 0), len, "bytes of the accepted datagram");
	return 0;
}

/* The largest datagram a accepts, found by doubling then bisecting; above it EMSGSIZE. */
static size_t
largest_datagram(struct uds_pair *p, char *buf, size_t size)
{
	size_t ok = 1, bad = 1024;
	int err;

	UDS_EQ(try_datagram(p, buf, ok), 0, "errno of a 1-byte send");
	while ((err = try_datagram(p, buf, bad)) == 0) {
		ok = bad;
		bad *= 2;
		UDS_REQUIRE(bad <= size, "no datagram size limit up to %zu bytes", size);
	}
	UDS_REQUIRE(err == EMSGSIZE, "a %zu-byte send failed with %s, not EMSGSIZE", bad,
	    uds_errno_name(err));
	while (bad - ok > 1) {
		size_t mid = ok + (bad - ok) / 2;

		err = try_datagram(p, buf, mid);
		UDS_REQUIRE(err == 0 || err == EMSGSIZE, "a %zu-byte send failed with %s, not "
		    "EMSGSIZE", mid, uds_errno_name(err));
		if (err == 0)
			ok = mid;
		else
			bad = mid;
	}
	return ok;
}

UDS_CASE(oversized_datagram_emsgsize, "F-13", UDS_RECORD_TYPES | UDS_CONNECTED | UDS_BOTH_MODES)
{
	static char buf[1 << 20];
	int sndbuf = 8192;
	socklen_t len = sizeof(sndbuf);
	size_t max;

	UDS_OK(setsockopt(p->a, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)));
	UDS_OK(getsockopt(p->a, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len));
	memset(buf, 'm', sizeof(buf));
	max = largest_datagram(p, buf, sizeof(buf));
	UDS_FAILS_WITH(EMSGSIZE, send(p->a, buf, max + 1, MSG_DONTWAIT));
	uds_require_nothing_queued(p->b);
	UDS_EQ(try_datagram(p, buf, max), 0, "errno of a send of exactly the maximum");
	uds_note("SO_SNDBUF reads %d; largest datagram %zu bytes", sndbuf, max);
	UDS_EXPECT_VALUE(p->kind->type == SOCK_DGRAM ? "dgram.max_size.below_sndbuf" :
	    "seqpacket.max_size.below_sndbuf", (long)sndbuf - (long)max);
}

UDS_CASE(receive_buffer_larger_than_rcvbuf, "F-15", UDS_RECORD_TYPES | UDS_CONNECTED)
{
	static char in[1 << 16];
	char out[1000];
	int rcvbuf = 4096, flags;
	socklen_t len = sizeof(rcvbuf);

	UDS_OK(setsockopt(p->b, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)));
	UDS_OK(getsockopt(p->b, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &len));
	UDS_REQUIRE(rcvbuf > 0 && (size_t)rcvbuf * 4 <= sizeof(in), "SO_RCVBUF reads %d", rcvbuf);
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (char)(i * 13);
	uds_send_one(p->a, out, sizeof(out));
	UDS_EQ(uds_recvmsg_flags(p->b, in, (size_t)rcvbuf * 4, 0, &flags), sizeof(out),
	    "bytes received into the large buffer");
	UDS_REQUIRE(!(flags & MSG_TRUNC), "MSG_TRUNC set (%#x)", (unsigned)flags);
	UDS_REQUIRE(memcmp(in, out, sizeof(out)) == 0, "the datagram arrived corrupted");
}

enum { FRAGMENTS = 1024 };

/* Splits buf into n pieces of 1 to step bytes (cycling); returns the bytes covered. */
static size_t
fragment(struct iovec *iov, size_t n, char *buf, size_t step)
{
	size_t off = 0;

	for (size_t i = 0; i < n; i++) {
		iov[i].iov_base = buf + off;
		iov[i].iov_len = 1 + i % step;
		off += iov[i].iov_len;
	}
	return off;
}

UDS_CASE(fragmented_iovec_transfers_whole_message, "F-16", UDS_RECORD_TYPES | UDS_CONNECTED)
{
	static struct iovec out_iov[FRAGMENTS], in_iov[FRAGMENTS];
	static char out[3 * FRAGMENTS], in[5 * FRAGMENTS];
	struct msghdr msg;
	size_t n = IOV_MAX < FRAGMENTS ? IOV_MAX : FRAGMENTS;
	size_t total = fragment(out_iov, n, out, 3);

	for (size_t i = 0; i < total; i++)
		out[i] = (char)(i * 7 + 1);
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = out_iov;
	msg.msg_iovlen = (int)n;
	UDS_EQ(UDS_OK(sendmsg(p->a, &msg, 0)), total, "bytes sent from the fragmented iovec");
	UDS_REQUIRE(fragment(in_iov, n, in, 5) > total, "receive iovec too small");
	msg.msg_iov = in_iov;
	uds_wait_readable(p->b);
	UDS_EQ(UDS_OK(recvmsg(p->b, &msg, 0)), total, "bytes received into the fragmented iovec");
	UDS_REQUIRE(!(msg.msg_flags & MSG_TRUNC), "MSG_TRUNC set (%#x)", (unsigned)msg.msg_flags);
	UDS_REQUIRE(memcmp(in, out, total) == 0, "the message was reassembled wrongly");
}

UDS_CASE(getpeername_names_connected_target, "F-20", UDS_DGRAM | UDS_NAMED | UDS_BOTH_MODES)
{
	struct uds_addr peer, c_name;
	int c = bound_dgram(p->kind, &c_name);
	int tx = uds_socket(SOCK_DGRAM, p->kind->nonblock);

	uds_peer_of(p->a, &peer);
	UDS_REQUIRE_SAME_NAME(&peer, &p->b_name, "getpeername() of a");
	uds_peer_of(p->b, &peer);
	UDS_REQUIRE_SAME_NAME(&peer, &p->a_name, "getpeername() of b");
	uds_connect(tx, &c_name);
	uds_peer_of(tx, &peer);
	UDS_REQUIRE_SAME_NAME(&peer, &c_name, "getpeername() of a sender connected to c");
	peer.len = sizeof(peer.sun);
	UDS_FAILS_WITH(ENOTCONN, getpeername(c, (struct sockaddr *)&peer.sun, &peer.len));
}

UDS_CASE(datagram_socket_talks_to_itself, "F-21", UDS_DGRAM | UDS_UNBOUND | UDS_BOTH_MODES)
{
	struct uds_addr name, peer;

	uds_addr_fresh_path(&name);
	uds_bind(p->a, &name);
	UDS_EXPECT_RESULT("dgram.self_addressed",
	    sendto(p->a, "to-me", 5, 0, (struct sockaddr *)&name.sun, name.len));
	expect_datagram(p->a, "to-me");
	UDS_EXPECT_RESULT("dgram.self_addressed",
	    connect(p->a, (struct sockaddr *)&name.sun, name.len));
	uds_peer_of(p->a, &peer);
	UDS_REQUIRE_SAME_NAME(&peer, &name, "getpeername() after connecting to itself");
	uds_send_one(p->a, "loop", 4);
	expect_datagram(p->a, "loop");
	uds_require_nothing_queued(p->a);
}

UDS_CASE(reconnect_replaces_association, "F-22", UDS_DGRAM | UDS_NAMED | UDS_BOTH_MODES)
{
	struct uds_addr c_name, s_name, peer;
	int c = bound_dgram(p->kind, &c_name);
	int s = bound_dgram(p->kind, &s_name);

	uds_connect(p->a, &c_name);
	uds_peer_of(p->a, &peer);
	UDS_REQUIRE_SAME_NAME(&peer, &c_name, "getpeername() after reconnecting");
	uds_send_one(p->a, "to-c", 4);
	expect_datagram(c, "to-c");
	uds_require_nothing_queued(p->b);
	for (int i = 0; i < 2; i++)
		UDS_EXPECT_RESULT("dgram.self_addressed",
		    connect(s, (struct sockaddr *)&s_name.sun, s_name.len));
	uds_connect(s, &c_name);
	uds_peer_of(s, &peer);
	UDS_REQUIRE_SAME_NAME(&peer, &c_name, "getpeername() after leaving itself for c");
	uds_send_one(s, "from-s", 6);
	expect_datagram(c, "from-s");
	uds_require_nothing_queued(s);
}

UDS_CASE(sendto_other_address_while_connected, "F-23", UDS_DGRAM | UDS_NAMED | UDS_BOTH_MODES)
{
	struct uds_addr c_name;
	int c = bound_dgram(p->kind, &c_name);
	long rc = sendto(p->a, "to-c", 4, 0, (struct sockaddr *)&c_name.sun, c_name.len);

	require_result_matches_delivery(rc, c, "to-c");
	uds_require_nothing_queued(p->b);
	UDS_EXPECT_RESULT("dgram.sendto_while_connected", rc);
}

UDS_CASE(sendto_socket_connected_elsewhere, "F-24", UDS_DGRAM | UDS_NAMED | UDS_BOTH_MODES)
{
	int tx = uds_socket(SOCK_DGRAM, p->kind->nonblock);
	long rc = sendto(tx, "x", 1, 0, (struct sockaddr *)&p->b_name.sun, p->b_name.len);

	require_result_matches_delivery(rc, p->b, "x");
	UDS_EXPECT_RESULT("dgram.sendto_connected_elsewhere", rc);
}

UDS_CASE(sendto_closed_socket_node, "F-26", UDS_DGRAM | UDS_UNBOUND | UDS_BOTH_MODES)
{
	struct uds_addr name;
	struct stat st;

	uds_addr_fresh_path(&name);
	uds_bind(p->b, &name);
	close(p->b);
	p->b = -1;
	UDS_OK(stat(name.sun.sun_path, &st));
	UDS_REQUIRE(S_ISSOCK(st.st_mode), "%s is not a socket node (mode %#o)", name.sun.sun_path,
	    (unsigned)st.st_mode);
	UDS_EXPECT_RESULT("dgram.sendto_closed_node",
	    sendto(p->a, "x", 1, 0, (struct sockaddr *)&name.sun, name.len));
}

UDS_CASE(sndbuf_charged_per_sender, "F-33", UDS_DGRAM | UDS_UNBOUND)
{
	enum { LEN = 1000, LIMIT = 10000 };
	char buf[LEN];
	struct uds_addr name;
	int rx = bound_dgram(p->kind, &name), small = 4096, sent = 0, err;
	socklen_t len = sizeof(small);
	long rc;

	UDS_OK(setsockopt(p->a, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)));
	UDS_OK(getsockopt(p->a, SOL_SOCKET, SO_SNDBUF, &small, &len));
	memset(buf, 's', sizeof(buf));
	while (sendto(p->a, buf, LEN, MSG_DONTWAIT, (struct sockaddr *)&name.sun, name.len) == LEN)
		UDS_REQUIRE(++sent < LIMIT, "%d datagrams queued without the sender running out", sent);
	err = errno;
	UDS_REQUIRE(err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS,
	    "the first sender stopped with %s", uds_errno_name(err));
	rc = sendto(p->b, "other", 5, MSG_DONTWAIT, (struct sockaddr *)&name.sun, name.len);
	uds_note("first sender (SO_SNDBUF reads %d) queued %d datagrams of %d bytes, then %s; the second "
	    "sender's send then %s", small, sent, LEN, uds_errno_name(err),
	    rc == -1 ? uds_errno_name(errno) : "succeeded");
	for (int i = 0; i < sent; i++)
		UDS_EQ(uds_recv_one(rx, buf, sizeof(buf), 0), LEN, "bytes of a queued datagram");
	require_result_matches_delivery(rc, rx, "other");
	uds_require_nothing_queued(rx);
	UDS_EXPECT_VALUE("dgram.sndbuf_charged_per_sender", rc == 5);
}

UDS_CASE(peek_short_buffer_flags, "F-08", UDS_DGRAM | UDS_CONNECTED)
{
	char buf[4];
	int flags;

	uds_send_one(p->a, "abcdefgh", 8);
	UDS_EQ(uds_recvmsg_flags(p->b, buf, sizeof(buf), MSG_PEEK, &flags), 4,
	    "bytes peeked into a 4-byte buffer");
	UDS_REQUIRE(memcmp(buf, "abcd", 4) == 0, "peeked \"%.4s\", not \"abcd\"", buf);
	UDS_REQUIRE(flags & MSG_TRUNC, "msg_flags %#x lacks MSG_TRUNC", (unsigned)flags);
	expect_datagram(p->b, "abcdefgh");
	UDS_EXPECT_VALUE("recv.peek_echoed_in_msg_flags", (flags & MSG_PEEK) != 0);
}
