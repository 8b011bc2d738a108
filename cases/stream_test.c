/*
 * stream_test - stream data semantics (catalogue area E): bytes complete
 * and in order, no boundaries, zero-length operations, receive flags
 * (MSG_PEEK, MSG_TRUNC, MSG_WAITALL, MSG_DONTWAIT), partial and blocking
 * sends, and sendto()/send() on connected and unconnected streams.  The
 * calls every type shares (read/write, several iovecs, sendmmsg/recvmmsg,
 * SO_PEEK_OFF, MSG_MORE, sendfile, splice) are in stream_calls.c.
 */
#include "stream.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#ifdef HAVE_SENDFILE
#include <sys/sendfile.h>
#endif
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* The largest of both ends' SO_SNDBUF and SO_RCVBUF: more than the connection can hold. */
static size_t
stream_capacity(const struct uds_pair *p)
{
	const int fds[2] = { p->a, p->b }, opts[2] = { SO_SNDBUF, SO_RCVBUF };
	size_t most = 0;

	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++) {
			int v = UDS_SOCKOPT_INT(fds[i], SOL_SOCKET, opts[j]);

			if ((size_t)v > most)
				most = (size_t)v;
		}
	return most;
}

/* Byte i of a stream: never periodic at buffer-sized distances. */
unsigned char
pattern_at(size_t i)
{
	return (unsigned char)(((uint32_t)i * 2654435761u) >> 24);
}

unsigned char *
pattern_new(size_t len)
{
	unsigned char *buf = malloc(len);

	UDS_REQUIRE(buf != NULL, "out of memory for %zu bytes", len);
	for (size_t i = 0; i < len; i++)
		buf[i] = pattern_at(i);
	return buf;
}

/* Fails at the first byte of buf that is not byte off + i of the pattern. */
void
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

UDS_CASE(bytes_arrive_complete_and_in_order, "E-01", UDS_STREAM | UDS_CONNECTED | UDS_ALL_VARIANTS)
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

UDS_CASE(stream_keeps_no_boundaries, "E-02", UDS_STREAM | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	char buf[100];

	uds_send_one(p->a, "0123456789", 10);
	uds_recv_expect(p->b, 3, 0, "012", "bytes of the first read");
	uds_recv_expect(p->b, 3, 0, "345", "bytes of the second read");
	uds_recv_expect(p->b, 4, 0, "6789", "bytes of the third read");
	uds_send_one(p->a, "ab", 2);
	uds_send_one(p->a, "cd", 2);
	uds_send_one(p->a, "ef", 2);
	uds_recv_expect(p->b, sizeof(buf), 0, "abcdef", "bytes of three writes in one read");
	uds_require_nothing_queued(p->b);
}

UDS_CASE(zero_length_send_queues_nothing, "E-03", UDS_STREAM | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	char buf[8];
	ssize_t n = send(p->a, "", 0, 0);
	int err = errno;
	bool queued = (uds_poll(p->b, POLLIN, 0) & POLLIN) != 0;

	uds_note("send() of 0 bytes returned %s; the peer %s readable", uds_result_str(n, err),
	    queued ? "is" : "is not");
	uds_send_one(p->a, "x", 1);
	UDS_EQ(uds_recv_one(p->b, buf, sizeof(buf), 0), 1, "bytes received after the empty send");
	UDS_EQ(buf[0], 'x', "the byte sent after the empty send");
	UDS_EXPECT_VALUE("stream.zero_length_send", n == 0 && !queued);
}

UDS_CASE(peek_returns_data_and_leaves_it, "E-04", UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	uds_send_one(p->a, "peekaboo", 8);
	uds_recv_expect(p->b, 64, MSG_PEEK, "peekaboo", "bytes peeked");
	uds_recv_expect(p->b, 64, MSG_PEEK, "peekaboo", "bytes peeked again");
	uds_recv_expect(p->b, 64, 0, "peekaboo", "bytes received after peeking");
	uds_require_nothing_queued(p->b);
}

UDS_CASE(peek_spans_separate_writes, "E-05", UDS_STREAM | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	char buf[16], again[16];
	ssize_t n;

	uds_send_one(p->a, "abc", 3);
	uds_send_one(p->a, "def", 3);
	uds_send_one(p->a, "ghi", 3);
	memset(buf, 0, sizeof(buf));
	n = uds_recv_one(p->b, buf, sizeof(buf), MSG_PEEK);
	uds_note("one 16-byte peek after three 3-byte writes returned %zd bytes", n);
	UDS_REQUIRE(n <= 9 && memcmp(buf, "abcdefghi", (size_t)n) == 0,
	    "the peek returned \"%.*s\", not a prefix of \"abcdefghi\"", (int)n, buf);
	uds_recv_all(p->b, again, 9);
	UDS_REQUIRE(memcmp(again, "abcdefghi", 9) == 0, "received \"%.9s\" after the peek", again);
	uds_require_nothing_queued(p->b);
	UDS_EXPECT_VALUE("stream.peek_spans_writes", n);
}

UDS_CASE(stream_recv_ignores_msg_trunc, "E-06", UDS_STREAM | UDS_CONNECTED | UDS_ALL_VARIANTS)
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

UDS_CASE(zero_length_recv_consumes_nothing, "E-07", UDS_STREAM | UDS_CONNECTED | UDS_ALL_VARIANTS)
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

/* recvmsg() of 0 data bytes with ctl bytes of control space; errno kept. */
static ssize_t
recvmsg_zero(int fd, int flags, size_t ctl)
{
	char cbuf[256];
	struct iovec iov = { cbuf, 0 };
	struct msghdr m;

	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = ctl ? cbuf : NULL;
	m.msg_controllen = ctl;
	return recvmsg(fd, &m, flags);
}

UDS_CASE(zero_length_recv_empty_nonblocking_would_block, "E-08",
    UDS_STREAM | UDS_CONNECTED | UDS_NONBLOCK | UDS_BOTH_ENDS)
{
	static const int combos[] = { 0, MSG_PEEK, MSG_TRUNC, MSG_PEEK | MSG_TRUNC };
	static const size_t ctls[] = { 0, 64 };
	char buf[4];

	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 2; j++) {
			uds_note("recvmsg() of 0 bytes, flags %#x, %zu bytes of control space",
			    (unsigned)combos[i], ctls[j]);
			UDS_EXPECT_RESULT("stream.zero_length_recv_empty_nonblock",
			    UDS_AT_ONCE(recvmsg_zero(p->b, combos[i], ctls[j])));
		}
	uds_expect_eof("stream.zero_length_read_empty", UDS_AT_ONCE(read(p->b, buf, 0)));
	uds_send_one(p->a, "z", 1);
	UDS_EQ(uds_recv_one(p->b, buf, sizeof(buf), 0), 1, "bytes received after the empty calls");
	UDS_EQ(buf[0], 'z', "the byte received after the empty calls");
}

UDS_CASE(zero_length_recv_after_peer_shut_wr, "E-09", UDS_STREAM | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	char buf[4];

	UDS_OK(shutdown(p->a, SHUT_WR));
	uds_expect_eof("stream.zero_length_recv_after_shut_wr", UDS_AT_ONCE(recv(p->b, buf, 0, 0)));
}

/* ------------------------------------------------------------------ */
/* MSG_WAITALL, short reads, big and partial writes                    */
/* ------------------------------------------------------------------ */

UDS_CASE(waitall_waits_for_full_length, "E-10", UDS_STREAM | UDS_CONNECTED | UDS_BOTH_ENDS,
    .note = "4 times the socket buffers")
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

/*
 * Sends "first", waits until the reader has taken it (its queue is empty:
 * it is inside recv(MSG_WAITALL) waiting for the rest), then sends "second".
 * A platform that keeps partial data queued while waiting just gets the
 * rest after half the deadline.
 */
void
send_in_two_parts(void *argp)
{
	const struct pause_arg *a = argp;
	struct timespec start;
	int queued = 1;

	uds_send_all(a->tx, "first", 5);
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		sched_yield();
		UDS_OK(ioctl(a->rx, FIONREAD, &queued));
	} while (queued > 0 && uds_ms_since(&start) < UDS_DEADLINE_MS / 2);
	uds_send_all(a->tx, "second", 6);
}

UDS_CASE(waitall_waits_after_partial_data, "E-10", UDS_STREAM | UDS_CONNECTED | UDS_BOTH_ENDS,
    .note = "11 bytes, 5 queued first")
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

UDS_CASE(waitall_dontwait_empty_would_block, "E-11", UDS_STREAM | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	char buf[16];

	UDS_EXPECT_RESULT("stream.waitall_dontwait_empty",
	    UDS_AT_ONCE(recv(p->b, buf, sizeof(buf), MSG_WAITALL | MSG_DONTWAIT)));
}

UDS_CASE(waitall_with_rcvtimeo_returns_partial, "E-12", UDS_STREAM | UDS_CONNECTED | UDS_BOTH_ENDS)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = 20000 };
	struct timespec start;
	char buf[16];
	long n, waited;

	UDS_OK(setsockopt(p->b, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	uds_send_one(p->a, "part", 4);
	uds_wait_readable(p->b);
	clock_gettime(CLOCK_MONOTONIC, &start);
	n = UDS_WITHIN_DEADLINE(recv(p->b, buf, sizeof(buf), MSG_WAITALL));
	waited = uds_ms_since(&start);
	uds_note("recv(MSG_WAITALL, 16 bytes) with 4 queued returned %s after %ld ms",
	    uds_result_str(n, errno), waited);
	UDS_EXPECT_VALUE("stream.waitall_rcvtimeo_partial",
	    n == 4 && memcmp(buf, "part", 4) == 0 && waited >= 10);
	uds_require_nothing_queued(p->b);
}

UDS_CASE(recv_returns_what_is_queued, "E-13", UDS_STREAM | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	uds_send_one(p->a, "short", 5);
	uds_recv_expect(p->b, 100, 0, "short", "bytes returned");
	uds_require_nothing_queued(p->b);
}

UDS_CASE(blocking_send_larger_than_buffers_completes, "E-14",
    UDS_STREAM | UDS_CONNECTED | UDS_BOTH_ENDS)
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
    UDS_STREAM | UDS_CONNECTED | UDS_NONBLOCK | UDS_BOTH_ENDS)
{
	size_t total = 4 * stream_capacity(p);
	unsigned char *data = pattern_new(total);
	ssize_t n = send(p->a, data, total, 0);
	int err = errno;

	uds_note("send() of %zu bytes returned %s", total, uds_result_str(n, err));
	UDS_EXPECT_VALUE("stream.nonblocking_short_write", n > 0 && (size_t)n < total);
	UDS_EQ(drain_pattern(p->b), n, "bytes the peer holds after the short send");
	free(data);
}

UDS_CASE(full_nonblocking_stream_eagain_then_resumes, "E-16",
    UDS_STREAM | UDS_CONNECTED | UDS_NONBLOCK | UDS_BOTH_ENDS)
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
    UDS_STREAM | UDS_CONNECTED | UDS_ALL_VARIANTS)
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

UDS_CASE(sendto_on_unconnected_stream, "E-18", UDS_STREAM | UDS_UNBOUND | UDS_BOTH_MODES)
{
	struct uds_addr live, missing, bname;
	int listener = uds_listener(p->kind, &live);
	const int senders[2] = { p->a, p->b };

	uds_addr_fresh_path(&bname);
	uds_bind(p->b, &bname);
	for (int i = 0; i < 2; i++) {
		UDS_EXPECT_RESULT("stream.sendto_unconnected", sendto(senders[i], "x", 1, 0,
		    (struct sockaddr *)&live.sun, live.len));
		uds_addr_fresh_path(&missing);
		UDS_EXPECT_RESULT("stream.sendto_unconnected", sendto(senders[i], "x", 1, 0,
		    (struct sockaddr *)&missing.sun, missing.len));
		if (uds_have_abstract()) {
			uds_addr_fresh_abstract(&missing);
			UDS_EXPECT_RESULT("stream.sendto_unconnected", sendto(senders[i], "x", 1,
			    0, (struct sockaddr *)&missing.sun, missing.len));
		}
	}
	UDS_REQUIRE(!(uds_poll(listener, POLLIN, 0) & POLLIN),
	    "the listener named by sendto() got a connection");
	close(listener);
}

UDS_CASE(send_on_unconnected_stream_enotconn, "E-19", UDS_STREAM | UDS_UNBOUND | UDS_BOTH_MODES)
{
	struct uds_addr name;

	UDS_FAILS_WITH(ENOTCONN, send(p->a, "x", 1, 0));
	UDS_FAILS_WITH(ENOTCONN, write(p->a, "x", 1));
	uds_addr_fresh_path(&name);
	uds_bind(p->b, &name);
	UDS_FAILS_WITH(ENOTCONN, send(p->b, "x", 1, 0));
	UDS_FAILS_WITH(ENOTCONN, write(p->b, "x", 1));
}
