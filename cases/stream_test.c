/*
 * stream_test - stream data semantics (catalogue area E): bytes complete
 * and in order, no boundaries, zero-length operations, receive flags
 * (MSG_PEEK, MSG_TRUNC, MSG_WAITALL, MSG_DONTWAIT), partial and blocking
 * sends, the calls every type shares (read/write, readv/writev,
 * sendmsg/recvmsg with several iovecs, sendmmsg/recvmmsg), and the Linux
 * peek offset (SO_PEEK_OFF).
 */
#include "uds.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define CONNECTED_STREAM (UDS_STREAM | UDS_CONNECTED | UDS_ANY_MODE)
#define CONNECTED_ANY    (UDS_ANY_TYPE | UDS_CONNECTED | UDS_ANY_MODE)
#define CONNECTED_RECS   (UDS_REC_TYPES | UDS_CONNECTED | UDS_ANY_MODE)
#define BLOCKING_STREAM  (UDS_STREAM | UDS_CONNECTED | UDS_BLOCKING | UDS_FORWARD | UDS_REVERSED)
#define NONBLOCK_STREAM  (UDS_STREAM | UDS_CONNECTED | UDS_NONBLOCK | UDS_FORWARD | UDS_REVERSED)

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static int
sockopt_int(int fd, int level, int name)
{
	int v = 0;
	socklen_t len = sizeof(v);

	UDS_OK(getsockopt(fd, level, name, &v, &len));
	UDS_EQ(len, sizeof(v), "option length");
	return v;
}

/* The largest of both ends' SO_SNDBUF and SO_RCVBUF: more than the connection can hold. */
static size_t
stream_capacity(const struct uds_pair *p)
{
	const int fds[2] = { p->a, p->b }, opts[2] = { SO_SNDBUF, SO_RCVBUF };
	size_t most = 0;

	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++) {
			int v = sockopt_int(fds[i], SOL_SOCKET, opts[j]);

			if ((size_t)v > most)
				most = (size_t)v;
		}
	return most;
}

/* Byte i of a stream: never periodic at buffer-sized distances. */
static unsigned char
pattern_at(size_t i)
{
	return (unsigned char)(((uint32_t)i * 2654435761u) >> 24);
}

static unsigned char *
pattern_new(size_t len)
{
	unsigned char *buf = malloc(len);

	UDS_REQUIRE(buf != NULL, "out of memory for %zu bytes", len);
	for (size_t i = 0; i < len; i++)
		buf[i] = pattern_at(i);
	return buf;
}

/* Fails at the first byte of buf that is not byte off + i of the pattern. */
static void
pattern_check(const unsigned char *buf, size_t off, size_t len)
{
	for (size_t i = 0; i < len; i++)
		UDS_REQUIRE(buf[i] == pattern_at(off + i),
		    "byte %zu of the stream is %#x, expected %#x: data lost, duplicated or reordered",
		    off + i, buf[i], pattern_at(off + i));
}

struct writer_arg {
	int fd;
	const unsigned char *data;
	size_t total;
	size_t piece;           /* 0: pieces of varying size */
};

/* A child that sends the pattern in pieces, waiting while the connection is full. */
static void
pattern_writer(void *argp)
{
	static const size_t sizes[] = { 1, 4093, 65536, 7, 200000, 512, 31 };
	const struct writer_arg *arg = argp;

	for (size_t off = 0, i = 0; off < arg->total; i++) {
		size_t n = arg->piece ? arg->piece : sizes[i % 7];

		if (n > arg->total - off)
			n = arg->total - off;
		uds_send_all(arg->fd, arg->data + off, n);
		off += n;
	}
}

/* A child that receives the whole pattern and checks it. */
static void
pattern_reader(void *argp)
{
	const struct writer_arg *arg = argp;
	unsigned char *buf = malloc(arg->total);

	UDS_REQUIRE(buf != NULL, "out of memory");
	uds_recv_all(arg->fd, buf, arg->total);
	pattern_check(buf, 0, arg->total);
	free(buf);
}

/* ------------------------------------------------------------------ */
/* Bytes, boundaries, zero lengths                                     */
/* ------------------------------------------------------------------ */

UDS_CASE(bytes_arrive_complete_and_in_order, "E-01",
    "A child writes 8 times the socket buffers in pieces of varying size while the parent "
    "reads in other sizes: every byte arrives once, in order",
    "POSIX recv(): stream data returned as it becomes available, none discarded; APUE 17.2",
    CONNECTED_STREAM)
{
	static const size_t reads[] = { 3, 65536, 1000, 131072, 17, 4096 };
	struct writer_arg arg = { .fd = p->a };
	struct uds_child writer;
	unsigned char *buf;

	arg.total = 8 * stream_capacity(p);
	if (arg.total < (1u << 20))
		arg.total = 1u << 20;
	arg.data = pattern_new(arg.total);
	buf = malloc(131072);
	UDS_REQUIRE(buf != NULL, "out of memory");
	uds_child_start(&writer, pattern_writer, &arg);
	for (size_t off = 0, i = 0; off < arg.total; i++) {
		size_t want = reads[i % 6] < arg.total - off ? reads[i % 6] : arg.total - off;
		ssize_t n = uds_recv_one(p->b, buf, want, 0);

		UDS_REQUIRE(n > 0, "end of file after %zu of %zu bytes", off, arg.total);
		pattern_check(buf, off, (size_t)n);
		off += (size_t)n;
	}
	uds_child_finish(&writer);
	uds_require_nothing_queued(p->b);
	free(buf);
	free((void *)arg.data);
}

UDS_CASE(stream_keeps_no_boundaries, "E-02",
    "One 10-byte write is read by reads of 3, 3 and 4 bytes; three writes of 2 bytes are "
    "read by one 100-byte read",
    "POSIX recv(): for stream-based sockets message boundaries are ignored",
    CONNECTED_STREAM)
{
	char buf[100];

	uds_send_one(p->a, "0123456789", 10);
	UDS_EQ(uds_recv_one(p->b, buf, 3, 0), 3, "bytes of the first read");
	UDS_REQUIRE(memcmp(buf, "012", 3) == 0, "first read got \"%.3s\"", buf);
	UDS_EQ(uds_recv_one(p->b, buf, 3, 0), 3, "bytes of the second read");
	UDS_REQUIRE(memcmp(buf, "345", 3) == 0, "second read got \"%.3s\"", buf);
	UDS_EQ(uds_recv_one(p->b, buf, 4, 0), 4, "bytes of the third read");
	UDS_REQUIRE(memcmp(buf, "6789", 4) == 0, "third read got \"%.4s\"", buf);
	uds_send_one(p->a, "ab", 2);
	uds_send_one(p->a, "cd", 2);
	uds_send_one(p->a, "ef", 2);
	UDS_EQ(uds_recv_one(p->b, buf, sizeof(buf), 0), 6, "bytes of three writes in one read");
	UDS_REQUIRE(memcmp(buf, "abcdef", 6) == 0, "one read of three writes got \"%.6s\"", buf);
	uds_require_nothing_queued(p->b);
}

UDS_CASE(zero_length_send_queues_nothing, "E-03",
    "send() of 0 bytes on a connected stream returns 0 and the peer receives nothing",
    "observed: Linux and FreeBSD tests (a FreeBSD regression once broke it); see the "
    "expectation table",
    CONNECTED_STREAM)
{
	char buf[8];
	ssize_t n = send(p->a, "", 0, 0);
	int err = errno;
	bool queued = (uds_poll(p->b, POLLIN, 0) & POLLIN) != 0;

	uds_note("send() of 0 bytes returned %zd%s%s; the peer %s readable", n,
	    n == -1 ? " with " : "", n == -1 ? uds_errno_name(err) : "", queued ? "is" : "is not");
	uds_send_one(p->a, "x", 1);
	UDS_EQ(uds_recv_one(p->b, buf, sizeof(buf), 0), 1, "bytes received after the empty send");
	UDS_EQ(buf[0], 'x', "the byte sent after the empty send");
	UDS_EXPECT_VALUE("stream.zero_length_send", n == 0 && !queued);
}

UDS_CASE(peek_returns_data_and_leaves_it, "E-04",
    "recv(MSG_PEEK) returns the queued bytes without removing them: a second peek and the "
    "next recv() return the same bytes",
    "POSIX recv(): MSG_PEEK peeks at an incoming message, the data is treated as unread",
    CONNECTED_ANY)
{
	char buf[64];

	uds_send_one(p->a, "peekaboo", 8);
	UDS_EQ(uds_recv_one(p->b, buf, sizeof(buf), MSG_PEEK), 8, "bytes peeked");
	UDS_REQUIRE(memcmp(buf, "peekaboo", 8) == 0, "peek returned \"%.8s\"", buf);
	memset(buf, 0, sizeof(buf));
	UDS_EQ(uds_recv_one(p->b, buf, sizeof(buf), MSG_PEEK), 8, "bytes peeked again");
	UDS_REQUIRE(memcmp(buf, "peekaboo", 8) == 0, "second peek returned \"%.8s\"", buf);
	memset(buf, 0, sizeof(buf));
	UDS_EQ(uds_recv_one(p->b, buf, sizeof(buf), 0), 8, "bytes received after peeking");
	UDS_REQUIRE(memcmp(buf, "peekaboo", 8) == 0, "receive after peek got \"%.8s\"", buf);
	uds_require_nothing_queued(p->b);
}

UDS_CASE(stream_recv_ignores_msg_trunc, "E-06",
    "recv(MSG_TRUNC) into a 4-byte buffer with 10 bytes queued on a stream returns 4, "
    "consumes only those 4 and does not set MSG_TRUNC",
    "observed: gVisor tests, Linux unix_stream_read_generic(); see the expectation table",
    CONNECTED_STREAM)
{
	char buf[16], rest[16];
	int flags;
	ssize_t n, left;

	uds_send_one(p->a, "0123456789", 10);
	n = uds_recvmsg_flags(p->b, buf, 4, MSG_TRUNC, &flags);
	left = uds_recv_one(p->b, rest, sizeof(rest), 0);
	uds_note("recv(MSG_TRUNC, 4 bytes) returned %zd with msg_flags %#x; %zd bytes followed",
	    n, (unsigned)flags, left);
	UDS_EXPECT_VALUE("stream.recv_trunc_ignored", n == 4 && memcmp(buf, "0123", 4) == 0 &&
	    !(flags & MSG_TRUNC) && left == 6 && memcmp(rest, "456789", 6) == 0);
}

UDS_CASE(zero_length_recv_consumes_nothing, "E-07",
    "With data queued on a stream, recv() of 0 bytes returns 0 and consumes nothing, with "
    "flags 0, MSG_PEEK, MSG_TRUNC and MSG_PEEK|MSG_TRUNC",
    "observed: gVisor tests; see the expectation table",
    CONNECTED_STREAM)
{
	static const int combos[] = { 0, MSG_PEEK, MSG_TRUNC, MSG_PEEK | MSG_TRUNC };
	char buf[16];
	bool holds = true;

	uds_send_one(p->a, "queued", 6);
	uds_wait_readable(p->b);
	for (int i = 0; i < 4; i++) {
		long n = UDS_AT_ONCE(recv(p->b, buf, 0, combos[i]));

		if (n != 0) {
			uds_note("recv(0 bytes, flags %#x) returned %ld (%s)", (unsigned)combos[i], n,
			    n == -1 ? uds_errno_name(errno) : "bytes");
			holds = false;
		}
	}
	if (uds_recv_one(p->b, buf, sizeof(buf), 0) != 6 || memcmp(buf, "queued", 6) != 0) {
		uds_note("the 6 queued bytes were not all there after the zero-length receives");
		holds = false;
	}
	UDS_EXPECT_VALUE("stream.zero_length_recv_queued", holds);
}

UDS_CASE(zero_length_recv_after_peer_shut_wr, "E-09",
    "recv() of 0 bytes on an empty stream whose peer did shutdown(SHUT_WR) returns 0 at once",
    "observed: gVisor tests; see the expectation table",
    CONNECTED_STREAM)
{
	char buf[4];

	UDS_OK(shutdown(p->a, SHUT_WR));
	uds_expect_eof("stream.zero_length_recv_after_shut_wr", UDS_AT_ONCE(recv(p->b, buf, 0, 0)));
}

/* ------------------------------------------------------------------ */
/* MSG_WAITALL, short reads, big and partial writes                    */
/* ------------------------------------------------------------------ */

UDS_CASE(waitall_waits_for_full_length, "E-10",
    "recv(MSG_WAITALL) of 4 times the socket buffers, while a child sends in 1000-byte "
    "pieces, returns the full length in one call",
    "POSIX recv(): MSG_WAITALL blocks until the full amount of data can be returned",
    BLOCKING_STREAM)
{
	struct writer_arg arg = { .fd = p->a, .piece = 1000 };
	struct uds_child writer;
	unsigned char *buf;

	arg.total = 4 * stream_capacity(p);
	arg.data = pattern_new(arg.total);
	buf = malloc(arg.total);
	UDS_REQUIRE(buf != NULL, "out of memory");
	uds_child_start(&writer, pattern_writer, &arg);
	UDS_EQ(UDS_WITHIN_DEADLINE(recv(p->b, buf, arg.total, MSG_WAITALL)), arg.total,
	    "bytes returned by one recv(MSG_WAITALL)");
	pattern_check(buf, 0, arg.total);
	uds_child_finish(&writer);
	free(buf);
	free((void *)arg.data);
}

struct pause_arg {
	int tx, rx;
};

/*
 * Sends "first", waits until the reader has taken it (its queue is empty:
 * it is inside recv(MSG_WAITALL) waiting for the rest), then sends "second".
 * A platform that keeps partial data queued while waiting just gets the
 * rest after half the deadline.
 */
static void
send_in_two_parts(void *argp)
{
	const struct pause_arg *a = argp;
	struct timespec start, now;
	int queued = 1;

	uds_send_all(a->tx, "first", 5);
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		sched_yield();
		UDS_OK(ioctl(a->rx, FIONREAD, &queued));
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (queued > 0 && (now.tv_sec - start.tv_sec) * 1000 +
	    (now.tv_nsec - start.tv_nsec) / 1000000 < UDS_DEADLINE_MS / 2);
	uds_send_all(a->tx, "second", 6);
}

UDS_CASE(waitall_waits_after_partial_data, "E-10",
    "recv(MSG_WAITALL) of 11 bytes, with 5 queued and 6 more sent only once the reader has "
    "taken the first 5, returns all 11 in one call",
    "POSIX recv(): MSG_WAITALL blocks until the full amount of data can be returned",
    BLOCKING_STREAM)
{
	struct pause_arg arg = { .tx = p->a, .rx = p->b };
	struct uds_child writer;
	char buf[16];

	uds_child_start(&writer, send_in_two_parts, &arg);
	UDS_EQ(UDS_WITHIN_DEADLINE(recv(p->b, buf, 11, MSG_WAITALL)), 11,
	    "bytes returned by one recv(MSG_WAITALL)");
	UDS_REQUIRE(memcmp(buf, "firstsecond", 11) == 0, "received \"%.11s\"", buf);
	uds_child_finish(&writer);
}

UDS_CASE(waitall_dontwait_empty_would_block, "E-11",
    "recv(MSG_WAITALL|MSG_DONTWAIT) on an empty stream fails at once with EAGAIN",
    "observed: gVisor tests; see the expectation table",
    CONNECTED_STREAM)
{
	char buf[16];

	UDS_EXPECT_RESULT("stream.waitall_dontwait_empty",
	    UDS_AT_ONCE(recv(p->b, buf, sizeof(buf), MSG_WAITALL | MSG_DONTWAIT)));
}

UDS_CASE(recv_returns_what_is_queued, "E-13",
    "recv() of 100 bytes without MSG_WAITALL, with 5 bytes queued, returns those 5",
    "POSIX recv(): data returned to the user as soon as it becomes available",
    CONNECTED_STREAM)
{
	char buf[100];

	uds_send_one(p->a, "short", 5);
	UDS_EQ(uds_recv_one(p->b, buf, sizeof(buf), 0), 5, "bytes returned");
	UDS_REQUIRE(memcmp(buf, "short", 5) == 0, "received \"%.5s\"", buf);
	uds_require_nothing_queued(p->b);
}

UDS_CASE(blocking_send_larger_than_buffers_completes, "E-14",
    "One blocking send() of 4 times the socket buffers returns the full count while a child "
    "drains the peer, and the child receives every byte in order",
    "POSIX send(): blocks until space is available; the whole message is sent",
    BLOCKING_STREAM)
{
	struct writer_arg arg = { .fd = p->b };
	struct uds_child reader;

	arg.total = 4 * stream_capacity(p);
	arg.data = pattern_new(arg.total);
	uds_child_start(&reader, pattern_reader, &arg);
	UDS_EQ(UDS_WITHIN_DEADLINE(send(p->a, arg.data, arg.total, 0)), arg.total,
	    "bytes taken by one blocking send()");
	uds_child_finish(&reader);
	free((void *)arg.data);
}

/* Receives everything queued without waiting, checking the pattern; returns the count. */
static size_t
drain_pattern(int fd)
{
	static unsigned char buf[65536];
	size_t total = 0;
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		pattern_check(buf, total, (size_t)n);
		total += (size_t)n;
	}
	UDS_REQUIRE(n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK),
	    "draining after %zu bytes: %s", total, n == 0 ? "end of file" : uds_errno_name(errno));
	return total;
}

UDS_CASE(nonblocking_big_send_is_partial, "E-15",
    "A non-blocking send() of 4 times the socket buffers returns a short count (not "
    "EMSGSIZE), and the peer holds exactly that many bytes",
    "POSIX send(); Linux and FreeBSD tests; see the expectation table",
    NONBLOCK_STREAM)
{
	size_t total = 4 * stream_capacity(p);
	unsigned char *data = pattern_new(total);
	ssize_t n = send(p->a, data, total, 0);
	int err = errno;

	uds_note("send() of %zu bytes returned %zd%s%s", total, n, n == -1 ? " with " : "",
	    n == -1 ? uds_errno_name(err) : "");
	UDS_EXPECT_VALUE("stream.nonblocking_short_write", n > 0 && (size_t)n < total);
	UDS_EQ(drain_pattern(p->b), n, "bytes the peer holds after the short send");
	free(data);
}

UDS_CASE(full_nonblocking_stream_eagain_then_resumes, "E-16",
    "Sending on a non-blocking stream until send() fails gives EAGAIN; once the peer has "
    "read everything, every byte is there and send() succeeds again",
    "POSIX send(): EAGAIN when O_NONBLOCK is set and no space is available",
    NONBLOCK_STREAM)
{
	size_t room = 4 * stream_capacity(p);
	unsigned char *data = pattern_new(room + 4096);
	size_t sent = 0;
	ssize_t n;
	char c;

	while ((n = send(p->a, data + sent, 4096, 0)) > 0) {
		sent += (size_t)n;
		UDS_REQUIRE(sent <= room, "%zu bytes (4 times the socket buffers) were queued "
		    "without the stream filling up", sent);
	}
	UDS_REQUIRE(n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK),
	    "send() on the full stream: expected EAGAIN, got %s",
	    n == 0 ? "0" : uds_errno_name(errno));
	UDS_EQ(drain_pattern(p->b), sent, "bytes the peer read back");
	UDS_EQ(UDS_OK(send(p->a, "z", 1, 0)), 1, "bytes sent after the peer drained");
	UDS_EQ(uds_recv_one(p->b, &c, 1, 0), 1, "bytes received after resuming");
	UDS_EQ(c, 'z', "the byte sent after resuming");
	free(data);
}

/* ------------------------------------------------------------------ */
/* Addresses and unconnected streams                                   */
/* ------------------------------------------------------------------ */

UDS_CASE(sendto_with_address_on_connected_stream, "E-17",
    "sendto() with the address of a live listener on a connected stream: Linux fails with "
    "EISCONN and sends nothing; POSIX lets the address be ignored",
    "POSIX sendto(): connection-mode sockets ignore dest_addr; unix(7) ERRORS: EISCONN; see "
    "the expectation table",
    CONNECTED_STREAM)
{
	struct uds_addr name;
	int listener = uds_listener(p->kind, &name);
	char c;
	long rc = sendto(p->a, "x", 1, 0, (struct sockaddr *)&name.sun, name.len);

	UDS_EXPECT_RESULT("stream.sendto_connected", rc);
	if (rc == -1) {
		uds_require_nothing_queued(p->b);
	} else {
		UDS_EQ(uds_recv_one(p->b, &c, 1, 0), 1, "bytes at the connected peer");
		UDS_EQ(c, 'x', "the byte at the connected peer");
	}
	UDS_REQUIRE(!(uds_poll(listener, POLLIN, 0) & POLLIN),
	    "the listener named by sendto() got a connection");
	close(listener);
}

UDS_CASE(send_on_unconnected_stream_enotconn, "E-19",
    "send() and write() on a stream socket that was never connected, bound or not, fail "
    "with ENOTCONN",
    "POSIX send(): ENOTCONN; POSIX write(): on a socket, equivalent to send() with no flags",
    UDS_STREAM | UDS_UNBOUND | UDS_BOTH_MODES)
{
	struct uds_addr name;

	UDS_FAILS_WITH(ENOTCONN, send(p->a, "x", 1, 0));
	UDS_FAILS_WITH(ENOTCONN, write(p->a, "x", 1));
	uds_addr_fresh_path(&name);
	uds_bind(p->b, &name);
	UDS_FAILS_WITH(ENOTCONN, send(p->b, "x", 1, 0));
	UDS_FAILS_WITH(ENOTCONN, write(p->b, "x", 1));
}

/* ------------------------------------------------------------------ */
/* Calls every type shares                                             */
/* ------------------------------------------------------------------ */

UDS_CASE(read_write_readv_writev_act_like_recv_send, "E-20",
    "write() then read(), and writev() of 2+3 bytes then readv() into 2+16 bytes, move the "
    "data exactly as send() and recv() with no flags",
    "socket(7): read(2)/write(2) work on sockets; POSIX read(), write(), readv(), writev()",
    CONNECTED_ANY)
{
	char buf[16], head[2], tail[16];
	struct iovec out[2] = { { (void *)"de", 2 }, { (void *)"fgh", 3 } };
	struct iovec in[2] = { { head, sizeof(head) }, { tail, sizeof(tail) } };

	UDS_EQ(UDS_OK(write(p->a, "abc", 3)), 3, "bytes taken by write()");
	uds_wait_readable(p->b);
	UDS_EQ(UDS_OK(read(p->b, buf, sizeof(buf))), 3, "bytes returned by read()");
	UDS_REQUIRE(memcmp(buf, "abc", 3) == 0, "read() returned \"%.3s\"", buf);
	UDS_EQ(UDS_OK(writev(p->a, out, 2)), 5, "bytes taken by writev()");
	uds_wait_readable(p->b);
	UDS_EQ(UDS_OK(readv(p->b, in, 2)), 5, "bytes returned by readv()");
	UDS_REQUIRE(memcmp(head, "de", 2) == 0 && memcmp(tail, "fgh", 3) == 0,
	    "readv() scattered \"%.2s\" + \"%.3s\", expected \"de\" + \"fgh\"", head, tail);
	uds_require_nothing_queued(p->b);
}

/* sendmsg() of total bytes from 4 iovecs, recvmsg() into 3 iovecs with other boundaries. */
static void
several_iovecs_roundtrip(struct uds_pair *p, size_t total)
{
	static unsigned char in[16384];
	unsigned char *out = pattern_new(total);
	size_t s1 = total / 3 + 1, s2 = total / 2 + 7, s3 = total - 5, r1 = 1000, r2 = total / 2;
	struct iovec siov[4] = { { out, s1 }, { out + s1, s2 - s1 }, { out + s2, s3 - s2 },
	    { out + s3, total - s3 } };
	struct iovec riov[3] = { { in, r1 }, { in + r1, r2 - r1 }, { in + r2, total - r2 } };
	struct msghdr m;

	memset(in, 0, sizeof(in));
	memset(&m, 0, sizeof(m));
	m.msg_iov = siov;
	m.msg_iovlen = 4;
	UDS_EQ(UDS_OK(sendmsg(p->a, &m, 0)), total, "bytes taken by sendmsg() of 4 iovecs");
	m.msg_iov = riov;
	m.msg_iovlen = 3;
	uds_wait_readable(p->b);
	/* A stream may hand out what is queued in several parts; MSG_WAITALL asks for all. */
	UDS_EQ(UDS_OK(UDS_WITHIN_DEADLINE(recvmsg(p->b, &m,
	    p->kind->type == SOCK_STREAM ? MSG_WAITALL : 0))), total,
	    "bytes returned by recvmsg() into 3 iovecs");
	pattern_check(in, 0, total);
	free(out);
}

UDS_CASE(sendmsg_recvmsg_several_iovecs, "E-21",
    "sendmsg() from 4 iovecs and recvmsg() into 3 iovecs with different boundaries carry "
    "10 KiB and 16 KiB payloads intact",
    "POSIX sendmsg(), recvmsg(): data gathered from and scattered to msg_iov in order",
    CONNECTED_ANY)
{
	several_iovecs_roundtrip(p, 10240);
	several_iovecs_roundtrip(p, 16384);
	uds_require_nothing_queued(p->b);
}

UDS_CASE(sendmmsg_recvmmsg_move_several_messages, "E-23",
    "One sendmmsg() of 3 messages returns 3, and one recvmmsg() with 3 buffers of their "
    "lengths returns 3 with each message in its own buffer",
    "Linux sendmmsg(2), recvmmsg(2); NetBSD tests",
    CONNECTED_ANY)
{
#if defined(HAVE_SENDMMSG) && defined(HAVE_RECVMMSG)
	static const char *const words[3] = { "one", "two!", "three" };
	struct mmsghdr out[3], in[3];
	struct iovec siov[3], riov[3];
	char bufs[3][8];

	memset(out, 0, sizeof(out));
	memset(in, 0, sizeof(in));
	memset(bufs, 0, sizeof(bufs));
	for (int i = 0; i < 3; i++) {
		siov[i] = (struct iovec){ (void *)words[i], strlen(words[i]) };
		riov[i] = (struct iovec){ bufs[i], strlen(words[i]) };
		out[i].msg_hdr.msg_iov = &siov[i];
		out[i].msg_hdr.msg_iovlen = 1;
		in[i].msg_hdr.msg_iov = &riov[i];
		in[i].msg_hdr.msg_iovlen = 1;
	}
	UDS_EQ(UDS_OK(sendmmsg(p->a, out, 3, 0)), 3, "messages sent by one sendmmsg()");
	uds_wait_readable(p->b);
	UDS_EQ(UDS_OK(recvmmsg(p->b, in, 3, 0, NULL)), 3, "messages received by one recvmmsg()");
	for (int i = 0; i < 3; i++) {
		UDS_EQ(out[i].msg_len, strlen(words[i]), "msg_len of a sent message");
		UDS_EQ(in[i].msg_len, strlen(words[i]), "msg_len of a received message");
		UDS_REQUIRE(memcmp(bufs[i], words[i], strlen(words[i])) == 0,
		    "message %d is \"%s\", expected \"%s\"", i, bufs[i], words[i]);
	}
	uds_require_nothing_queued(p->b);
#else
	uds_skip("sendmmsg()/recvmmsg() are not available on this platform");
#endif
}

/* ------------------------------------------------------------------ */
/* recvmsg() details                                                   */
/* ------------------------------------------------------------------ */

#define FLAGS_SENTINEL (MSG_OOB | MSG_EOR | MSG_CTRUNC | MSG_TRUNC)

/* recvmsg() with msg_flags preset to FLAGS_SENTINEL; reports msg_flags afterwards; keeps errno. */
static ssize_t
recvmsg_preset(int fd, void *buf, size_t len, int flags, int *msg_flags)
{
	struct iovec iov = { buf, len };
	struct msghdr m;
	ssize_t n;
	int err;

	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_flags = FLAGS_SENTINEL;
	n = recvmsg(fd, &m, flags);
	err = errno;
	*msg_flags = m.msg_flags;
	errno = err;
	return n;
}

UDS_CASE(recvmsg_clears_msg_flags_only_on_success, "E-28",
    "With msg_flags preset to junk, a successful recvmsg() (peek or not) leaves it 0 for a "
    "message that fits, and a failing one (EAGAIN) leaves it untouched",
    "observed: gVisor tests; see the expectation table",
    CONNECTED_ANY)
{
	char buf[16];
	int peeked, got, failed;

	uds_send_one(p->a, "flags", 5);
	uds_wait_readable(p->b);
	UDS_EQ(UDS_OK(recvmsg_preset(p->b, buf, sizeof(buf), MSG_PEEK, &peeked)), 5, "bytes peeked");
	UDS_EQ(UDS_OK(recvmsg_preset(p->b, buf, sizeof(buf), 0, &got)), 5, "bytes received");
	UDS_WOULD_BLOCK(recvmsg_preset(p->b, buf, sizeof(buf), MSG_DONTWAIT, &failed));
	uds_note("msg_flags preset to %#x: %#x after a peek, %#x after a receive, %#x after "
	    "EAGAIN", (unsigned)FLAGS_SENTINEL, (unsigned)peeked, (unsigned)got, (unsigned)failed);
	UDS_EXPECT_VALUE("recvmsg.flags_cleared", peeked == 0 && got == 0 && failed == FLAGS_SENTINEL);
}

UDS_CASE(recvmsg_keeps_callers_iov_len, "E-29",
    "recvmsg() of 8 bytes into iovecs of 4 and 100 bytes fills \"abcd\" + \"efgh\" and "
    "leaves both iov_base and iov_len as the caller set them",
    "observed: gVisor tests; see the expectation table",
    CONNECTED_ANY)
{
	char head[4], tail[100];
	struct iovec iov[2] = { { head, sizeof(head) }, { tail, sizeof(tail) } };
	struct msghdr m;

	memset(&m, 0, sizeof(m));
	m.msg_iov = iov;
	m.msg_iovlen = 2;
	uds_send_one(p->a, "abcdefgh", 8);
	uds_wait_readable(p->b);
	UDS_EQ(UDS_OK(recvmsg(p->b, &m, 0)), 8, "bytes received");
	UDS_REQUIRE(memcmp(head, "abcd", 4) == 0 && memcmp(tail, "efgh", 4) == 0,
	    "scattered \"%.4s\" + \"%.4s\"", head, tail);
	uds_note("after recvmsg(): iov_len %zu and %zu (set to 4 and 100)", iov[0].iov_len,
	    iov[1].iov_len);
	UDS_EXPECT_VALUE("recvmsg.iov_len_unchanged", iov[0].iov_len == 4 &&
	    iov[1].iov_len == 100 && iov[0].iov_base == head && iov[1].iov_base == tail);
}

/* ------------------------------------------------------------------ */
/* Empty sockets: non-blocking fails, blocking sleeps                  */
/* ------------------------------------------------------------------ */

UDS_CASE(nonblocking_empty_receive_would_block, "E-31",
    "read(), recv() and recvmsg() on an empty non-blocking socket fail with EAGAIN or "
    "EWOULDBLOCK",
    "POSIX recv(), read(), recvmsg(): EAGAIN or EWOULDBLOCK with O_NONBLOCK and no data",
    UDS_ANY_TYPE | UDS_CONNECTED | UDS_NONBLOCK | UDS_FORWARD | UDS_REVERSED)
{
	char buf[16];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr m;

	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	UDS_WOULD_BLOCK(read(p->b, buf, sizeof(buf)));
	UDS_WOULD_BLOCK(recv(p->b, buf, sizeof(buf), 0));
	UDS_WOULD_BLOCK(recvmsg(p->b, &m, 0));
}

UDS_CASE(blocking_empty_receive_sleeps, "E-32",
    "recv() on an empty blocking socket sleeps until a signal without SA_RESTART interrupts "
    "it with EINTR; the next recv() returns data sent afterwards",
    "POSIX recv(): blocks until a message arrives; EINTR when interrupted by a signal",
    UDS_ANY_TYPE | UDS_CONNECTED | UDS_BLOCKING | UDS_FORWARD | UDS_REVERSED)
{
	char buf[16];

	UDS_BLOCKS(recv(p->b, buf, sizeof(buf), 0));
	uds_send_one(p->a, "wake", 4);
	UDS_EQ(uds_recv_one(p->b, buf, sizeof(buf), 0), 4, "bytes received after the wait");
	UDS_REQUIRE(memcmp(buf, "wake", 4) == 0, "received \"%.4s\"", buf);
}

/* ------------------------------------------------------------------ */
/* SO_PEEK_OFF (Linux)                                                 */
/* ------------------------------------------------------------------ */

#ifdef SO_PEEK_OFF
static void
peek_off_set(int fd, int off)
{
	UDS_OK(setsockopt(fd, SOL_SOCKET, SO_PEEK_OFF, &off, sizeof(off)));
}

/* Peeks len bytes and requires they are want. */
static void
peek_expect(int fd, const char *want, size_t len)
{
	char buf[32];

	memset(buf, 0, sizeof(buf));
	UDS_EQ(uds_recv_one(fd, buf, len, MSG_PEEK), len, "bytes peeked");
	UDS_REQUIRE(memcmp(buf, want, len) == 0, "peeked \"%.*s\", expected \"%.*s\"", (int)len,
	    buf, (int)len, want);
}
#endif

UDS_CASE(peek_offset_starts_at_minus_one, "E-33",
    "getsockopt(SO_PEEK_OFF) on a new socket returns -1: peeking starts at the head",
    "socket(7) SO_PEEK_OFF: set to -1 for all new sockets (since Linux 3.4)",
    UDS_ANY_TYPE | UDS_CONNECTED | UDS_UNBOUND | UDS_BLOCK_FWD)
{
#ifdef SO_PEEK_OFF
	UDS_EQ(sockopt_int(p->a, SOL_SOCKET, SO_PEEK_OFF), -1, "SO_PEEK_OFF of one end");
	UDS_EQ(sockopt_int(p->b, SOL_SOCKET, SO_PEEK_OFF), -1, "SO_PEEK_OFF of the other end");
#else
	uds_skip("SO_PEEK_OFF is a Linux interface, absent here");
#endif
}

UDS_CASE(peek_offset_advances_and_follows_reads, "E-34",
    "With SO_PEEK_OFF 0, peeks of 4 bytes return \"abcd\" then \"efgh\"; a normal receive "
    "moves the offset back by the bytes it removed, so the next peek returns \"ijkl\"",
    "socket(7) SO_PEEK_OFF",
    CONNECTED_ANY)
{
#ifdef SO_PEEK_OFF
	/* A record receive removes the whole 8-byte record, a stream receive 2 bytes. */
	int removed = p->kind->type == SOCK_STREAM ? 2 : 8;
	char buf[2];

	uds_send_one(p->a, "abcdefgh", 8);
	uds_send_one(p->a, "ijkl", 4);
	peek_off_set(p->b, 0);
	peek_expect(p->b, "abcd", 4);
	peek_expect(p->b, "efgh", 4);
	UDS_EQ(sockopt_int(p->b, SOL_SOCKET, SO_PEEK_OFF), 8, "peek offset after two peeks");
	UDS_EQ(uds_recv_one(p->b, buf, 2, 0), 2, "bytes of a normal receive");
	UDS_REQUIRE(memcmp(buf, "ab", 2) == 0, "normal receive got \"%.2s\"", buf);
	UDS_EQ(sockopt_int(p->b, SOL_SOCKET, SO_PEEK_OFF), 8 - removed,
	    "peek offset after the normal receive");
	peek_expect(p->b, "ijkl", 4);
	UDS_EQ(sockopt_int(p->b, SOL_SOCKET, SO_PEEK_OFF), 12 - removed,
	    "peek offset after the last peek");
#else
	uds_skip("SO_PEEK_OFF is a Linux interface, absent here");
#endif
}

UDS_CASE(peek_offset_spans_stream_writes, "E-35",
    "On a stream with writes \"abc\" and \"def\" and SO_PEEK_OFF 1, a 4-byte peek fills the "
    "buffer across the write boundary with \"bcde\"",
    "socket(7) SO_PEEK_OFF (the stream example)",
    CONNECTED_STREAM)
{
#ifdef SO_PEEK_OFF
	uds_send_one(p->a, "abc", 3);
	uds_send_one(p->a, "def", 3);
	uds_wait_readable(p->b);
	peek_off_set(p->b, 1);
	peek_expect(p->b, "bcde", 4);
	UDS_EQ(sockopt_int(p->b, SOL_SOCKET, SO_PEEK_OFF), 5, "peek offset after the peek");
#else
	uds_skip("SO_PEEK_OFF is a Linux interface, absent here");
#endif
}

UDS_CASE(peek_offset_stops_at_record_end, "E-35",
    "With records \"abcdef\" and \"ghi\" and SO_PEEK_OFF 2, a 2-byte peek returns \"cd\" "
    "with MSG_TRUNC and a 10-byte peek returns only \"ef\", marked MSG_TRUNC since the "
    "offset lies inside the record",
    "socket(7) SO_PEEK_OFF: an offset in the middle of a datagram marks the data MSG_TRUNC; "
    "see the expectation table",
    CONNECTED_RECS)
{
#ifdef SO_PEEK_OFF
	char buf[10];
	int flags;

	uds_send_one(p->a, "abcdef", 6);
	uds_send_one(p->a, "ghi", 3);
	uds_wait_readable(p->b);
	peek_off_set(p->b, 2);
	UDS_EQ(uds_recvmsg_flags(p->b, buf, 2, MSG_PEEK, &flags), 2, "bytes of a 2-byte peek");
	UDS_REQUIRE(memcmp(buf, "cd", 2) == 0, "2-byte peek returned \"%.2s\"", buf);
	UDS_REQUIRE(flags & MSG_TRUNC, "2-byte peek inside the record: msg_flags %#x lacks "
	    "MSG_TRUNC", (unsigned)flags);
	UDS_EQ(uds_recvmsg_flags(p->b, buf, sizeof(buf), MSG_PEEK, &flags), 2,
	    "bytes of a 10-byte peek at offset 4 (the record's end, not the next record)");
	UDS_REQUIRE(memcmp(buf, "ef", 2) == 0, "10-byte peek returned \"%.2s\"", buf);
	uds_note("msg_flags of the 10-byte peek from inside the record: %#x", (unsigned)flags);
	UDS_EXPECT_VALUE("peek_off.record_mid_message_trunc", (flags & MSG_TRUNC) != 0);
#else
	uds_skip("SO_PEEK_OFF is a Linux interface, absent here");
#endif
}
