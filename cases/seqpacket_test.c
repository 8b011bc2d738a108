/*
 * seqpacket_test - SOCK_SEQPACKET semantics (catalogue area G): one record
 * per receive, truncation, records larger than the send buffer, sendto()
 * and recvfrom() addressing on a connection, buffer sizes, concurrent
 * writers and readers, and restart of an interrupted receive.  Record
 * semantics shared with datagrams are in dgram_test (area F, rows DQ).
 */
#include "uds.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>

/* Numbered records (struct uds_record, up to 1015 bytes) of a writer. */
static size_t
record_make(struct uds_record *r, uint32_t writer, uint32_t seq)
{
	return uds_record_make(r, writer, seq, sizeof(r->fill));
}

/* Checks that n received bytes are one whole, intact record. */
static void
record_check(const struct uds_record *r, ssize_t n)
{
	uds_record_check(r, n, "record");
}

static void
set_bufs(int fd, int sndbuf, int rcvbuf)
{
	UDS_OK(setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)));
	UDS_OK(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)));
}

/* Sends numbered records with MSG_DONTWAIT until EAGAIN; returns how many went. */
static uint32_t
send_until_full(int fd, uint32_t first)
{
	struct uds_record r;
	uint32_t seq = first;

	for (;;) {
		size_t len = record_make(&r, 0, seq);
		ssize_t n = send(fd, &r, len, MSG_DONTWAIT);

		if (n == -1) {
			UDS_REQUIRE(errno == EAGAIN || errno == EWOULDBLOCK,
			    "send of record %u failed with %s, not EAGAIN", seq, uds_errno_name(errno));
			return seq - first;
		}
		UDS_EQ(n, len, "bytes of one record sent");
		UDS_REQUIRE(++seq - first < 200000, "200000 records were queued without EAGAIN");
	}
}

/* Receives with MSG_DONTWAIT until EAGAIN, checking sequence numbers from first. */
static uint32_t
recv_until_empty(int fd, uint32_t first)
{
	struct uds_record r;
	uint32_t seq = first;
	ssize_t n;

	while ((n = recv(fd, &r, sizeof(r), MSG_DONTWAIT)) != -1) {
		record_check(&r, n);
		UDS_EQ(r.seq, seq, "sequence number of the next record");
		seq++;
	}
	UDS_REQUIRE(errno == EAGAIN || errno == EWOULDBLOCK,
	    "receive failed with %s, not EAGAIN", uds_errno_name(errno));
	return seq - first;
}

UDS_CASE(each_recv_returns_one_record, "G-01", UDS_SEQPACKET | UDS_CONNECTED | UDS_BOTH_MODES)
{
	struct iovec iov[2] = { { "two-", 4 }, { "pieces", 6 } };
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
	char buf[256];

	UDS_EQ(UDS_OK(send(p->a, "one", 3, 0)), 3, "bytes sent by send()");
	UDS_EQ(UDS_OK(write(p->a, "written", 7)), 7, "bytes sent by write()");
	UDS_EQ(UDS_OK(sendmsg(p->a, &msg, 0)), 10, "bytes sent by sendmsg()");
	UDS_EQ(uds_recv_one(p->b, buf, sizeof(buf), 0), 3, "bytes of the send() record");
	UDS_EQ(uds_recv_one(p->b, buf, sizeof(buf), 0), 7, "bytes of the write() record");
	uds_recv_expect(p->b, sizeof(buf), 0, "two-pieces", "bytes of the sendmsg() record");
	uds_require_nothing_queued(p->b);
}

UDS_CASE(waitall_does_not_merge_records, "G-02", UDS_SEQPACKET | UDS_CONNECTED | UDS_BOTH_MODES)
{
	char buf[256];

	UDS_EQ(UDS_OK(send(p->a, "record", 6, MSG_EOR)), 6, "bytes of the first record");
	UDS_EQ(UDS_OK(send(p->a, "next", 4, MSG_EOR)), 4, "bytes of the second record");
	uds_wait_readable(p->b);
	UDS_EQ(UDS_WITHIN_DEADLINE(recv(p->b, buf, sizeof(buf), MSG_WAITALL)), 6,
	    "bytes returned by recv(MSG_WAITALL)");
	UDS_REQUIRE(memcmp(buf, "record", 6) == 0, "first record is \"%.6s\"", buf);
	UDS_EQ(UDS_WITHIN_DEADLINE(recv(p->b, buf, sizeof(buf), MSG_WAITALL)), 4,
	    "bytes of the second recv(MSG_WAITALL)");
	uds_require_nothing_queued(p->b);
}

enum { BULK_TOTAL = 16 << 20, BULK_MAXREC = 16384 };

/* A small deterministic generator, so writer and reader agree on record sizes. */
static uint32_t
next_rand(uint32_t *state)
{
	*state = *state * 1103515245u + 12345u;
	return *state >> 8;
}

static unsigned char
bulk_byte(size_t off)
{
	return (unsigned char)(off * 2654435761u >> 13);
}

/* Writes BULK_TOTAL bytes as records of pseudo-random size, each sent with MSG_EOR. */
static void
bulk_writer(void *argp)
{
	int fd = *(const int *)argp;
	static unsigned char buf[BULK_MAXREC];
	uint32_t state = 1;

	for (size_t off = 0; off < BULK_TOTAL;) {
		size_t len = 1 + next_rand(&state) % BULK_MAXREC;
		ssize_t n;

		if (len > BULK_TOTAL - off)
			len = BULK_TOTAL - off;
		for (size_t i = 0; i < len; i++)
			buf[i] = bulk_byte(off + i);
		while ((n = send(fd, buf, len, MSG_EOR)) == -1 &&
		    (errno == EAGAIN || errno == EWOULDBLOCK))
			uds_wait_writable(fd);
		UDS_REQUIRE(n == (ssize_t)len, "record at offset %zu: %s", off,
		    n == -1 ? uds_errno_name(errno) : "short send");
		off += len;
	}
}

UDS_CASE(bulk_records_intact_with_eor, "G-03", UDS_SEQPACKET | UDS_PAIR | UDS_BOTH_MODES)
{
	static unsigned char buf[BULK_MAXREC + 1];
	struct uds_child writer;
	uint32_t state = 1, pick = 7;
	size_t off = 0, records = 0, eor = 0;

	uds_child_start(&writer, bulk_writer, &p->a);
	while (off < BULK_TOTAL) {
		size_t want = 1 + next_rand(&state) % BULK_MAXREC;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n;

		if (want > BULK_TOTAL - off)
			want = BULK_TOTAL - off;
		uds_wait_readable(p->b);
		n = recvmsg(p->b, &msg, next_rand(&pick) % 2 ? MSG_WAITALL : 0);
		UDS_EQ(n, want, "length of the next record");
		for (size_t i = 0; i < want; i++)
			UDS_REQUIRE(buf[i] == bulk_byte(off + i), "byte %zu of the stream is wrong",
			    off + i);
		UDS_REQUIRE(!(msg.msg_flags & MSG_TRUNC), "MSG_TRUNC on a record that fitted");
		eor += (msg.msg_flags & MSG_EOR) != 0;
		records++;
		off += want;
	}
	uds_child_finish(&writer);
	uds_note("%zu records, %zu with MSG_EOR", records, eor);
	UDS_EXPECT_VALUE("seqpacket.msg_eor_reported", eor == records);
}

UDS_CASE(long_record_truncated_with_msg_trunc, "G-04",
    UDS_SEQPACKET | UDS_CONNECTED | UDS_BOTH_MODES)
{
	unsigned char big[4000], buf[1000];
	int flags;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)(i * 7u);
	uds_send_one(p->a, big, sizeof(big));
	uds_send_one(p->a, "tail", 4);
	UDS_EQ(uds_recvmsg_flags(p->b, buf, sizeof(buf), 0, &flags), sizeof(buf),
	    "bytes into the short buffer");
	UDS_REQUIRE(flags & MSG_TRUNC, "msg_flags %#x lacks MSG_TRUNC", (unsigned)flags);
	UDS_REQUIRE(memcmp(buf, big, sizeof(buf)) == 0, "the prefix of the record is wrong");
	UDS_EQ(uds_recvmsg_flags(p->b, buf, sizeof(buf), 0, &flags), 4, "bytes of the next record");
	UDS_REQUIRE(memcmp(buf, "tail", 4) == 0, "the truncated rest was not discarded");
	UDS_REQUIRE(!(flags & MSG_TRUNC), "MSG_TRUNC set on a record that fitted");
}

UDS_CASE(record_over_sndbuf_emsgsize, "G-05", UDS_SEQPACKET | UDS_CONNECTED | UDS_BOTH_MODES)
{
	static unsigned char big[64 * 1024];
	int sndbuf;

	set_bufs(p->a, 8192, 8192);
	sndbuf = UDS_SOCKOPT_INT(p->a, SOL_SOCKET, SO_SNDBUF);
	UDS_REQUIRE(sndbuf > 0 && (size_t)sndbuf < sizeof(big), "SO_SNDBUF reads %d", sndbuf);
	uds_note("SO_SNDBUF reads %d; sending a record of %zu bytes", sndbuf, sizeof(big));
	UDS_EXPECT_RESULT("seqpacket.record_over_sndbuf", send(p->a, big, sizeof(big), MSG_DONTWAIT));
	uds_require_nothing_queued(p->b);
}

UDS_CASE(nonblocking_recv_empty_eagain, "G-06",
    UDS_SEQPACKET | UDS_CONNECTED | UDS_NONBLOCK | UDS_BOTH_ENDS)
{
	char buf[16];

	UDS_WOULD_BLOCK(UDS_AT_ONCE(recv(p->b, buf, sizeof(buf), 0)));
	uds_send_one(p->a, "late", 4);
	uds_recv_expect(p->b, sizeof(buf), 0, "late", "bytes of the record sent afterwards");
	UDS_WOULD_BLOCK(recv(p->b, buf, sizeof(buf), 0));
}

UDS_CASE(sendto_null_address_is_send, "G-07", UDS_SEQPACKET | UDS_CONNECTED | UDS_BOTH_MODES)
{
	UDS_EQ(UDS_OK(sendto(p->a, "null", 4, 0, NULL, 0)), 4, "bytes sent");
	uds_recv_expect(p->b, 16, 0, "null", "bytes received");
	uds_require_nothing_queued(p->b);
}

UDS_CASE(recvfrom_reports_peer_address, "G-08", UDS_SEQPACKET | UDS_NAMED | UDS_BOTH_MODES)
{
	struct uds_addr from, peer;
	char buf[16];

	peer.len = sizeof(peer.sun);
	UDS_OK(getpeername(p->a, (struct sockaddr *)&peer.sun, &peer.len));
	UDS_REQUIRE(peer.len > offsetof(struct sockaddr_un, sun_path), "the peer has no name (%s)",
	    uds_addr_str(&peer.sun, peer.len));
	uds_send_one(p->b, "from", 4);
	uds_wait_readable(p->a);
	memset(&from, 0, sizeof(from));
	from.len = sizeof(from.sun);
	UDS_EQ(UDS_OK(recvfrom(p->a, buf, sizeof(buf), 0, (struct sockaddr *)&from.sun, &from.len)),
	    4, "bytes received");
	uds_note("recvfrom() gave %s (length %u); getpeername() gives %s",
	    from.len ? uds_addr_str(&from.sun, from.len) : "no address", (unsigned)from.len,
	    uds_addr_str(&peer.sun, peer.len));
	UDS_EXPECT_VALUE("seqpacket.recvfrom_peer_address",
	    from.len == peer.len && memcmp(&from.sun, &peer.sun, peer.len) == 0);
}

UDS_CASE(sendto_address_ignored_when_connected, "G-09",
    UDS_SEQPACKET | UDS_CONNECTED | UDS_BOTH_MODES)
{
	struct uds_addr other, nowhere;
	int bystander = uds_socket(SOCK_SEQPACKET, false);
	char buf[16];

	uds_addr_fresh_path(&other);
	uds_serve(bystander, SOCK_SEQPACKET, &other);
	uds_addr_path(&nowhere, "no-such-socket");
	UDS_EXPECT_RESULT("seqpacket.sendto_ignores_address",
	    sendto(p->a, "one", 3, 0, (struct sockaddr *)&other.sun, other.len));
	UDS_EXPECT_RESULT("seqpacket.sendto_ignores_address",
	    sendto(p->a, "two", 3, 0, (struct sockaddr *)&nowhere.sun, nowhere.len));
	uds_recv_expect(p->b, sizeof(buf), 0, "one", "bytes of the first record at the peer");
	UDS_EQ(uds_recv_one(p->b, buf, sizeof(buf), 0), 3, "bytes of the second record at the peer");
	UDS_REQUIRE(uds_poll(bystander, POLLIN, 0) == 0, "the unrelated listener got a connection");
	close(bystander);
}

UDS_CASE(sendto_unconnected_enotconn, "G-10", UDS_SEQPACKET | UDS_UNBOUND | UDS_BOTH_MODES)
{
	struct uds_addr server, nowhere;

	uds_addr_fresh_path(&server);
	uds_serve(p->b, SOCK_SEQPACKET, &server);
	uds_addr_path(&nowhere, "no-such-socket");
	UDS_EXPECT_RESULT("seqpacket.sendto_unconnected",
	    sendto(p->a, "x", 1, 0, (struct sockaddr *)&server.sun, server.len));
	UDS_EXPECT_RESULT("seqpacket.sendto_unconnected",
	    sendto(p->a, "x", 1, 0, (struct sockaddr *)&nowhere.sun, nowhere.len));
	UDS_REQUIRE(uds_poll(p->b, POLLIN, 0) == 0, "sendto() queued a connection at the listener");
}

UDS_CASE(full_buffers_give_eagain_without_loss, "G-11",
    UDS_SEQPACKET | UDS_CONNECTED | UDS_NONBLOCK)
{
	static const int sizes[] = { 8192, 131072 };

	uds_require_holds("seqpacket.eagain_without_loss");
	for (int s = 0; s < 2; s++)
		for (int r = 0; r < 2; r++) {
			struct uds_pair q;
			uint32_t sent;

			uds_pair_again(p, &q);
			set_bufs(q.a, sizes[s], sizes[r]);
			set_bufs(q.b, sizes[s], sizes[r]);
			sent = send_until_full(q.a, 0);
			UDS_REQUIRE(sent > 0, "no record fitted with buffers %d/%d", sizes[s], sizes[r]);
			UDS_EQ(recv_until_empty(q.b, 0), sent, "records received after EAGAIN");
			uds_pair_close(&q);
		}
}

UDS_CASE(half_buffer_record_round_trips, "G-12", UDS_SEQPACKET | UDS_CONNECTED | UDS_BOTH_MODES)
{
	static unsigned char out[65536], in[65536 + 1];

	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (unsigned char)(i * 13u + 1);
	for (int size = 8192; size <= 131072; size *= 2) {
		size_t half = (size_t)size / 2;
		ssize_t n;

		set_bufs(p->a, size, size);
		set_bufs(p->b, size, size);
		n = send(p->a, out, half, 0);
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			uds_wait_writable(p->a);
			n = send(p->a, out, half, 0);
		}
		UDS_EXPECT_VALUE("seqpacket.half_buffer_record", n == (ssize_t)half);
		UDS_EQ(uds_recv_one(p->b, in, sizeof(in), 0), half, "bytes of the record received");
		UDS_REQUIRE(memcmp(in, out, half) == 0, "the %zu-byte record arrived corrupted", half);
	}
}

UDS_CASE(no_send_buffer_accepts_up_to_rcvbuf, "G-13", UDS_SEQPACKET | UDS_CONNECTED | UDS_NONBLOCK)
{
	struct uds_record r;

	if (uds_expected_value("seqpacket.no_send_buffer") != 1)
		uds_skip("this platform charges seqpacket records to the sender's SO_SNDBUF "
		    "(expectation seqpacket.no_send_buffer is 0)");
	set_bufs(p->a, 8192, 8192);
	set_bufs(p->b, 8192, 65536);
	for (uint32_t seq = 0; seq < 16; seq++) {
		memset(&r, 0, sizeof(r));
		r.seq = seq;
		UDS_EQ(UDS_OK(send(p->a, &r, 1024, MSG_DONTWAIT)), 1024, "bytes of a 1 KiB record");
	}
	UDS_REQUIRE(send_until_full(p->a, 16) < 200, "the receiver's SO_RCVBUF did not bound sends");
}

UDS_CASE(alternating_send_recv_loses_nothing, "G-14", UDS_SEQPACKET | UDS_CONNECTED | UDS_NONBLOCK)
{
	uint32_t sent = 0, got = 0;

	uds_require_holds("seqpacket.eagain_without_loss");
	set_bufs(p->a, 16384, 16384);
	for (int round = 0; round < 20; round++) {
		uint32_t n = send_until_full(p->a, sent);

		UDS_REQUIRE(n > 0, "round %d: no record could be sent after draining", round);
		sent += n;
		got += recv_until_empty(p->b, got);
		UDS_EQ(got, sent, "records received after the round");
	}
}

struct writer_arg {
	int fd;
	uint32_t writer;
	uint32_t count;
};

/* Sends count numbered records, waiting for room when the socket is non-blocking. */
static void
record_writer(void *argp)
{
	const struct writer_arg *arg = argp;
	struct uds_record r;

	for (uint32_t seq = 0; seq < arg->count; seq++) {
		size_t len = record_make(&r, arg->writer, seq);
		ssize_t n;

		while ((n = send(arg->fd, &r, len, 0)) == -1 &&
		    (errno == EAGAIN || errno == EWOULDBLOCK))
			uds_wait_writable(arg->fd);
		UDS_REQUIRE(n == (ssize_t)len, "writer %u, record %u: %s", arg->writer, seq,
		    n == -1 ? uds_errno_name(errno) : "short send");
	}
}

UDS_CASE(writer_and_reader_keep_order, "G-15", UDS_SEQPACKET | UDS_CONNECTED | UDS_BOTH_MODES)
{
	struct writer_arg arg = { .fd = p->a, .writer = 0 };
	struct uds_child writer;
	struct uds_record r;
	int sndbuf;

	uds_require_holds("seqpacket.writer_reader_in_order");
	set_bufs(p->a, 8192, 8192);
	sndbuf = UDS_SOCKOPT_INT(p->a, SOL_SOCKET, SO_SNDBUF);
	arg.count = (uint32_t)(8 * sndbuf / (int)(UDS_RECORD_HEAD + sizeof(r.fill) / 2)) + 1;
	uds_note("SO_SNDBUF %d: %u records", sndbuf, arg.count);
	uds_child_start(&writer, record_writer, &arg);
	for (uint32_t seq = 0; seq < arg.count; seq++) {
		record_check(&r, uds_recv_one(p->b, &r, sizeof(r), 0));
		UDS_EQ(r.seq, seq, "sequence number of the next record");
	}
	uds_child_finish(&writer);
	uds_require_nothing_queued(p->b);
}

/* Receives one record from fd into the per-writer sequence table. */
static void
take_record(int fd, uint32_t *next, uint32_t writers)
{
	struct uds_record r;

	record_check(&r, uds_recv_one(fd, &r, sizeof(r), 0));
	UDS_REQUIRE(r.sender < writers, "record from unknown writer %u", r.sender);
	UDS_EQ(r.seq, next[r.sender], "next sequence number of this writer");
	next[r.sender]++;
}

UDS_CASE(writers_on_both_ends_keep_order, "G-16", UDS_SEQPACKET | UDS_PAIR | UDS_BOTH_MODES)
{
	enum { MAXW = 4, COUNT = 200 };
	struct writer_arg args[2 * MAXW];
	struct uds_child kids[2 * MAXW];
	uint32_t next[2 * MAXW] = { 0 };
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	uint32_t w = ncpu < 1 ? 1 : ncpu > MAXW ? MAXW : (uint32_t)ncpu;
	uint32_t left_a = w * COUNT, left_b = w * COUNT;

	uds_require_holds("seqpacket.writers_keep_order");
	for (uint32_t i = 0; i < 2 * w; i++) {
		/* Writers 0..w-1 write on a (read at b), w..2w-1 on b. */
		args[i] = (struct writer_arg){ .fd = i < w ? p->a : p->b, .writer = i, .count = COUNT };
		uds_child_start(&kids[i], record_writer, &args[i]);
	}
	while (left_a + left_b > 0) {
		struct pollfd pfd[2] = { { .fd = p->b, .events = POLLIN }, { .fd = p->a, .events = POLLIN } };

		UDS_REQUIRE(poll(pfd, 2, UDS_DEADLINE_MS) > 0 || errno == EINTR,
		    "no record within %d ms (%u and %u left)", UDS_DEADLINE_MS, left_a, left_b);
		if (left_a > 0 && (pfd[0].revents & POLLIN)) {
			take_record(p->b, next, 2 * w);
			left_a--;
		}
		if (left_b > 0 && (pfd[1].revents & POLLIN)) {
			take_record(p->a, next, 2 * w);
			left_b--;
		}
	}
	for (uint32_t i = 0; i < 2 * w; i++) {
		uds_child_finish(&kids[i]);
		UDS_EQ(next[i], COUNT, "records received from this writer");
	}
}

static int tick_pipe = -1;
static volatile sig_atomic_t ticks;

static void
on_tick(int sig)
{
	int saved = errno;

	(void)sig;
	ticks++;
	if (write(tick_pipe, "t", 1) == -1)
		(void)0;
	errno = saved;
}

/*
 * In a child (the harness kills it at the deadline, so nothing can hang):
 * SIGALRM with SA_RESTART every 20 ms while blocked in recvfrom().
 */
static void
restarting_receiver(void *argp)
{
	int fd = *(const int *)argp;
	struct sigaction sa;
	struct itimerval it = { { 0, 20000 }, { 0, 20000 } }, off;
	ssize_t n;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_tick;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	UDS_OK(sigaction(SIGALRM, &sa, NULL));
	UDS_OK(setitimer(ITIMER_REAL, &it, NULL));
	n = recvfrom(fd, NULL, 0, MSG_TRUNC | MSG_PEEK, NULL, NULL);
	memset(&off, 0, sizeof(off));
	setitimer(ITIMER_REAL, &off, NULL);
	UDS_REQUIRE(n != -1, "recvfrom() failed with %s after %d signals (not restarted)",
	    uds_errno_name(errno), (int)ticks);
	UDS_REQUIRE(ticks >= 3, "only %d signals arrived during recvfrom()", (int)ticks);
	UDS_EQ(n, 7, "length recvfrom(MSG_TRUNC) returned for the record");
}

UDS_CASE(interrupted_peek_restarts, "G-17", UDS_SEQPACKET | UDS_CONNECTED)
{
	uds_known_bug("recv.restarts_after_signal");
	struct uds_child child;
	int fds[2];
	char t;

	uds_require_holds("seqpacket.peek_trunc_restarts");
	UDS_OK(pipe(fds));
	tick_pipe = fds[1];
	uds_child_start(&child, restarting_receiver, &p->b);
	/*
	 * Three ticks: the child was in recvfrom() for at least two of them.
	 * A child that ends early (EINTR) closes its report pipe: stop waiting.
	 */
	for (int i = 0; i < 3; i++) {
		struct pollfd pfd[2] = { { .fd = fds[0], .events = POLLIN },
		    { .fd = child.report_fd, .events = POLLIN } };

		UDS_REQUIRE(poll(pfd, 2, UDS_DEADLINE_MS) > 0, "no signal tick within %d ms",
		    UDS_DEADLINE_MS);
		if (pfd[1].revents)
			break;
		UDS_EQ(UDS_OK(read(fds[0], &t, 1)), 1, "tick bytes read");
	}
	uds_send_one(p->a, "restart", 7);
	uds_child_finish(&child);
	close(fds[0]);
	close(fds[1]);
}
