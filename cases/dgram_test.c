/*
 * dgram_test - datagram semantics (catalogue area F): reliability and
 * ordering, one datagram per receive, boundaries, peeking, truncation,
 * addressing of unconnected sends, and the full receiver.  Rows marked DQ
 * in the catalogue also run on SOCK_SEQPACKET records.
 */
#include "uds.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CONNECTED_DGRAM   (UDS_DGRAM | UDS_CONNECTED | UDS_ANY_MODE)
#define CONNECTED_RECORDS (UDS_REC_TYPES | UDS_CONNECTED | UDS_ANY_MODE)

/* A numbered datagram whose payload can be checked. */
struct numbered {
	uint32_t sender;
	uint32_t seq;
	uint32_t len;           /* bytes of fill */
	uint32_t sum;           /* checksum of the fill */
	unsigned char fill[500];
};

static uint32_t
checksum(const unsigned char *p, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static size_t
numbered_make(struct numbered *d, uint32_t sender, uint32_t seq)
{
	d->sender = sender;
	d->seq = seq;
	d->len = (seq * 37u + sender * 11u) % sizeof(d->fill);
	for (uint32_t i = 0; i < d->len; i++)
		d->fill[i] = (unsigned char)(seq + i * 7u + sender);
	d->sum = checksum(d->fill, d->len);
	return offsetof(struct numbered, fill) + d->len;
}

/* Receives one numbered datagram and checks it is whole and intact. */
static void
numbered_recv(int fd, struct numbered *d)
{
	ssize_t n = uds_recv_one(fd, d, sizeof(*d), 0);

	UDS_REQUIRE(n >= (ssize_t)offsetof(struct numbered, fill),
	    "datagram of %zd bytes is shorter than its header", n);
	UDS_EQ(n, offsetof(struct numbered, fill) + d->len, "datagram length");
	UDS_REQUIRE(checksum(d->fill, d->len) == d->sum,
	    "datagram %u from sender %u arrived corrupted", d->seq, d->sender);
}

UDS_CASE(datagrams_arrive_intact_and_in_order, "F-01",
    "4096 datagrams of varying length sent while the receiver keeps up all arrive, intact, "
    "in sending order",
    "unix(7): UNIX datagram sockets are reliable and do not reorder; APUE 17.2",
    CONNECTED_DGRAM)
{
	enum { TOTAL = 4096, WINDOW = 8 };
	struct numbered out, in;

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

UDS_CASE(one_recv_returns_one_datagram, "F-02",
    "Each receive returns exactly one datagram, with its own length, even when several are "
    "queued and the buffer could hold them all",
    "POSIX recv(): message boundaries preserved for message-based sockets; unix(7)",
    CONNECTED_RECORDS)
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

UDS_CASE(peek_leaves_datagram_queued, "F-03",
    "recv(MSG_PEEK) returns only the first queued datagram and leaves it queued for the next "
    "recv()",
    "POSIX recv(): MSG_PEEK",
    CONNECTED_RECORDS)
{
	char buf[64];

	uds_send_one(p->a, "first", 5);
	uds_send_one(p->a, "second", 6);
	UDS_EQ(uds_recv_one(p->b, buf, sizeof(buf), MSG_PEEK), 5, "bytes peeked");
	UDS_REQUIRE(memcmp(buf, "first", 5) == 0, "peek returned \"%.5s\", not \"first\"", buf);
	UDS_EQ(uds_recv_one(p->b, buf, sizeof(buf), MSG_PEEK), 5, "bytes peeked again");
	UDS_EQ(uds_recv_one(p->b, buf, sizeof(buf), 0), 5, "bytes received after peeking");
	UDS_REQUIRE(memcmp(buf, "first", 5) == 0, "receive after peek got \"%.5s\"", buf);
	UDS_EQ(uds_recv_one(p->b, buf, sizeof(buf), 0), 6, "bytes of the second datagram");
}

UDS_CASE(short_buffer_truncates_and_discards_rest, "F-04",
    "A receive buffer shorter than the datagram gets the prefix with MSG_TRUNC set; the rest "
    "is discarded and the next receive gets the next datagram",
    "POSIX recvmsg(): MSG_TRUNC; POSIX recv(): excess bytes discarded",
    CONNECTED_RECORDS)
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

UDS_CASE(exact_buffer_is_not_truncated, "F-05",
    "A buffer exactly as long as the datagram, or longer, receives it without MSG_TRUNC",
    "POSIX recvmsg(): MSG_TRUNC only when the datagram was larger than the buffer",
    CONNECTED_RECORDS)
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
    "recv(MSG_TRUNC) returns the datagram's real length even when the buffer is shorter "
    "(lengths 80 to 2000)",
    "Linux recv(2) MSG_TRUNC (UNIX datagrams since 3.4); FreeBSD tests; see the expectation table",
    CONNECTED_RECORDS)
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

UDS_CASE(zero_length_datagram_is_delivered, "F-12",
    "send() of 0 bytes on a datagram socket queues an empty datagram, which the receiver "
    "gets as a 0-byte receive",
    "observed: Linux and illumos tests (gVisor, illumos os-tests); see the expectation table",
    CONNECTED_DGRAM)
{
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

UDS_CASE(full_receiver_blocks_or_refuses, "F-27",
    "A blocking send to a datagram receiver whose queue is full blocks (Linux) or fails at "
    "once with ENOBUFS (BSD): never loses the datagram silently",
    "FreeBSD unix(4) BUFFERING; Linux unix_dgram_sendmsg(); see the expectation table",
    UDS_DGRAM | UDS_CONNECTED | UDS_BLOCKING | UDS_FORWARD | UDS_REVERSED)
{
	long want = uds_expected_value("dgram.full_receiver.blocking");
	int err = fill_receiver(p->a, MSG_DONTWAIT);

	uds_note("the receiver filled up; the MSG_DONTWAIT send failed with %s", uds_errno_name(err));
	if (want == UDS_BLOCKS_V)
		UDS_BLOCKS(send(p->a, "x", 1, 0));
	else
		UDS_FAILS_WITH((int)want, send(p->a, "x", 1, 0));
}

UDS_CASE(full_receiver_nonblocking_send_fails, "F-28",
    "A non-blocking send to a datagram receiver whose queue is full fails at once: EAGAIN on "
    "Linux, ENOBUFS on the BSDs",
    "POSIX send() EAGAIN; FreeBSD commit 71e70c25c00; see the expectation table",
    UDS_DGRAM | UDS_CONNECTED | UDS_NONBLOCK | UDS_FORWARD | UDS_REVERSED)
{
	char buf[256];
	long rc = 0;

	memset(buf, 'f', sizeof(buf));
	for (int i = 0; i < 1000000 && rc != -1; i++)
		rc = send(p->a, buf, sizeof(buf), 0);
	UDS_EXPECT_RESULT("dgram.full_receiver.nonblocking", rc);
}

UDS_CASE(draining_full_receiver_lets_sender_continue, "F-29",
    "After a datagram receiver that was full is drained, the sender's next send succeeds and "
    "every queued datagram is still there",
    "unix(7): reliable datagrams; POSIX send()",
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
	struct numbered d;

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
    "Several senders to one bound receiver: every datagram arrives intact and each sender's "
    "datagrams arrive in that sender's order",
    "unix(7): reliable, unreordered datagrams; POSIX sendto()",
    UDS_DGRAM | UDS_NAMED | UDS_BOTH_MODES)
{
	struct sender_arg args[SENDERS];
	struct uds_child senders[SENDERS];
	uint32_t next[SENDERS] = { 0 };
	struct numbered in;
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

UDS_CASE(sendto_unconnected_reaches_bound_receiver, "F-17",
    "sendto() with the receiver's path or abstract name from an unconnected datagram socket "
    "delivers the datagram to the bound receiver",
    "POSIX sendto(); unix(7)",
    UDS_DGRAM | UDS_NAMED | UDS_BOTH_MODES)
{
	struct uds_addr name;
	int rx = uds_socket(SOCK_DGRAM, p->kind->nonblock);
	int tx = uds_socket(SOCK_DGRAM, p->kind->nonblock);
	char buf[16];

	uds_addr_fresh_for(p->kind, &name);
	uds_bind(rx, &name);
	UDS_EQ(UDS_OK(sendto(tx, "hello", 5, 0, (struct sockaddr *)&name.sun, name.len)), 5,
	    "bytes sent");
	UDS_EQ(uds_recv_one(rx, buf, sizeof(buf), 0), 5, "bytes received");
	UDS_REQUIRE(memcmp(buf, "hello", 5) == 0, "wrong payload");
}

UDS_CASE(recvfrom_names_bound_sender, "F-18",
    "recvfrom() of a datagram from a bound sender returns the sender's address",
    "POSIX recvfrom(): address of the sending socket; unix(7)",
    UDS_DGRAM | UDS_NAMED | UDS_BOTH_MODES)
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

UDS_CASE(connect_sets_default_destination, "F-19",
    "After connect() of a datagram socket, send() without an address goes to the connected "
    "socket, and connecting again to another socket moves the destination",
    "POSIX connect(): datagram sockets set the peer address; a later connect() changes it",
    UDS_DGRAM | UDS_NAMED | UDS_BOTH_MODES)
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

UDS_CASE(sendto_missing_path_enoent, "F-25",
    "sendto() to a path that does not exist fails with ENOENT",
    "POSIX sendto(): ENOENT for AF_UNIX when the pathname does not name an existing file",
    UDS_DGRAM | UDS_UNBOUND | UDS_BOTH_MODES)
{
	struct uds_addr nobody;

	uds_addr_path(&nobody, "no-such-socket");
	UDS_FAILS_WITH(ENOENT, sendto(p->a, "x", 1, 0, (struct sockaddr *)&nobody.sun, nobody.len));
}

UDS_CASE(send_unconnected_needs_destination, "O-09",
    "send() without a destination on an unconnected datagram socket fails (Linux ENOTCONN, "
    "FreeBSD EDESTADDRREQ)",
    "unix(7) ERRORS: ENOTCONN; POSIX send(): EDESTADDRREQ; see the expectation table",
    UDS_DGRAM | UDS_UNBOUND | UDS_BOTH_MODES)
{
	UDS_EXPECT_RESULT("send.dgram_unconnected", send(p->a, "x", 1, 0));
}

UDS_CASE(send_after_peer_closed_fails, "H-22",
    "send() on a connected datagram socket whose peer has closed fails (Linux ECONNREFUSED, "
    "FreeBSD ECONNRESET)",
    "Linux unix_dgram_sendmsg(); FreeBSD tests; see the expectation table",
    UDS_DGRAM | UDS_CONNECTED | UDS_ANY_MODE)
{
	close(p->b);
	p->b = -1;
	UDS_EXPECT_RESULT("dgram.send_after_peer_closed", send(p->a, "x", 1, 0));
}
