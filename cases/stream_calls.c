/*
 * stream_calls - the call half of stream_test (catalogue area E): read()
 * and write() against recv() and send(), several iovecs, sendmmsg() and
 * recvmmsg(), msg_flags and iov_len after recvmsg(), empty receives,
 * SO_PEEK_OFF, MSG_MORE, sendfile() and splice().
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
/* Calls every type shares                                             */
/* ------------------------------------------------------------------ */

UDS_CASE(read_write_readv_writev_act_like_recv_send, "E-20",
    UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
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

UDS_CASE(sendmsg_recvmsg_several_iovecs, "E-21", UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	several_iovecs_roundtrip(p, 10240);
	several_iovecs_roundtrip(p, 16384);
	uds_require_nothing_queued(p->b);
}

UDS_CASE(send_from_mapping_past_eof_efault, "E-22", UDS_ALL_TYPES | UDS_CONNECTED)
{
	uds_known_bug("dgram.send_atomic_on_fault");
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	int fd = uds_temp_file("m");
	char *map = mmap(NULL, 2 * page, PROT_READ, MAP_SHARED, fd, 0);
	char c;

	UDS_REQUIRE(map != MAP_FAILED, "mmap() of the file failed: %s", uds_errno_name(errno));
	UDS_EXPECT_RESULT("send.mapping_past_eof", send(p->a, map + page, 16, 0));
	uds_require_nothing_queued(p->b);
	UDS_EQ(UDS_OK(send(p->a, map, 1, 0)), 1, "bytes sent from inside the file");
	UDS_EQ(uds_recv_one(p->b, &c, 1, 0), 1, "bytes received");
	UDS_EQ(c, 'm', "the byte sent from inside the file");
	UDS_OK(munmap(map, 2 * page));
	close(fd);
}

UDS_CASE(sendmmsg_recvmmsg_move_several_messages, "E-23",
    UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
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

#if defined(HAVE_SENDMMSG) && defined(HAVE_RECVMMSG)
#define MMSG_MANY 1100          /* more than UIO_MAXIOV (1024) */
#define MMSG_END  UINT32_MAX    /* the index that ends the reader's count */
#define MSG_LEN_UNSET 0xdead    /* msg_len preset: the call did not write it */

/*
 * A child that receives 4-byte indexes 0, 1, 2 ... until MMSG_END, then the
 * count the sender says it sent, and requires the two counts agree.
 */
static void
count_indexes(void *argp)
{
	int fd = *(const int *)argp;
	uint32_t v, n = 0, claimed;

	for (;;) {
		uds_recv_all(fd, &v, sizeof(v));
		if (v == MMSG_END)
			break;
		UDS_EQ(v, n, "index of the next message received");
		n++;
	}
	uds_recv_all(fd, &claimed, sizeof(claimed));
	UDS_EQ(n, claimed, "messages received (expected: the count sendmmsg() returned)");
}

/* count receive slots of 8 bytes each in m, with msg_len preset to MSG_LEN_UNSET. */
static void
mmsg_slots(struct mmsghdr *m, struct iovec *iov, char (*bufs)[8], int count)
{
	memset(m, 0, sizeof(*m) * (size_t)count);
	memset(bufs, 0, 8 * (size_t)count);
	for (int i = 0; i < count; i++) {
		iov[i] = (struct iovec){ bufs[i], 8 };
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
		m[i].msg_len = MSG_LEN_UNSET;
	}
}
#endif

UDS_CASE(sendmmsg_caps_at_uio_maxiov, "E-24", UDS_ALL_TYPES | UDS_CONNECTED)
{
#if defined(HAVE_SENDMMSG) && defined(HAVE_RECVMMSG)
	static struct mmsghdr out[MMSG_MANY];
	static struct iovec iov[MMSG_MANY];
	static uint32_t idx[MMSG_MANY];
	const uint32_t end = MMSG_END;
	struct uds_child reader;
	uint32_t sent;
	long rc;

	memset(out, 0, sizeof(out));
	for (int i = 0; i < MMSG_MANY; i++) {
		idx[i] = (uint32_t)i;
		iov[i] = (struct iovec){ &idx[i], sizeof(idx[i]) };
		out[i].msg_hdr.msg_iov = &iov[i];
		out[i].msg_hdr.msg_iovlen = 1;
		out[i].msg_len = MSG_LEN_UNSET;
	}
	uds_child_start(&reader, count_indexes, &p->b);
	rc = UDS_OK(UDS_WITHIN_DEADLINE(sendmmsg(p->a, out, MMSG_MANY, 0)));
	sent = (uint32_t)rc;
	uds_send_one(p->a, &end, sizeof(end));
	uds_send_one(p->a, &sent, sizeof(sent));
	uds_child_finish(&reader);
	uds_note("sendmmsg() of %d messages returned %ld", MMSG_MANY, rc);
	UDS_REQUIRE(rc > 0, "sendmmsg() sent no message");
	UDS_EQ(out[rc - 1].msg_len, 4, "msg_len of the last message sent");
	if (rc < MMSG_MANY)
		UDS_EQ(out[rc].msg_len, MSG_LEN_UNSET, "msg_len of the first message not sent");
	UDS_EXPECT_VALUE("mmsg.sendmmsg_cap", rc);
#else
	uds_skip("sendmmsg()/recvmmsg() are not available on this platform");
#endif
}

UDS_CASE(recvmmsg_invalid_timeout_einval, "E-25", UDS_ALL_TYPES | UDS_CONNECTED)
{
#if defined(HAVE_SENDMMSG) && defined(HAVE_RECVMMSG)
	struct timespec too_big = { 0, 1000000000L }, negative = { 0, -1 };
	struct mmsghdr m[2];
	struct iovec iov[2];
	char bufs[2][8], c;

	mmsg_slots(m, iov, bufs, 2);
	uds_send_one(p->a, "q", 1);
	uds_wait_readable(p->b);
	UDS_EXPECT_RESULT("mmsg.recvmmsg_bad_timeout", UDS_AT_ONCE(recvmmsg(p->b, m, 2, 0, &too_big)));
	UDS_EXPECT_RESULT("mmsg.recvmmsg_bad_timeout", UDS_AT_ONCE(recvmmsg(p->b, m, 2, 0, &negative)));
	UDS_EQ(m[0].msg_len, MSG_LEN_UNSET, "msg_len of the first slot after the failures");
	UDS_EQ(uds_recv_one(p->b, &c, 1, 0), 1, "bytes still queued after the failed calls");
	UDS_EQ(c, 'q', "the byte still queued");
#else
	uds_skip("sendmmsg()/recvmmsg() are not available on this platform");
#endif
}

UDS_CASE(recvmmsg_timeout_after_one_message, "E-26", UDS_ALL_TYPES | UDS_CONNECTED)
{
#if defined(HAVE_SENDMMSG) && defined(HAVE_RECVMMSG)
	struct timespec ts = { 0, 1 };
	struct mmsghdr m[2];
	struct iovec iov[2];
	char bufs[2][8];
	long n;

	mmsg_slots(m, iov, bufs, 2);
	uds_send_one(p->a, "solo", 4);
	uds_wait_readable(p->b);
	n = UDS_AT_ONCE(recvmmsg(p->b, m, 2, 0, &ts));
	uds_note("recvmmsg() returned %s", uds_result_str(n, errno));
	UDS_EXPECT_VALUE("mmsg.recvmmsg_timeout_after_one", n);
	UDS_EQ(m[0].msg_len, 4, "msg_len of the message received");
	UDS_REQUIRE(memcmp(bufs[0], "solo", 4) == 0, "received \"%.4s\"", bufs[0]);
	UDS_EQ(m[1].msg_len, MSG_LEN_UNSET, "msg_len of the second slot (nothing received)");
#else
	uds_skip("sendmmsg()/recvmmsg() are not available on this platform");
#endif
}

UDS_CASE(recvmmsg_timeout_without_message_blocks, "E-27", UDS_ALL_TYPES | UDS_CONNECTED)
{
#if defined(HAVE_SENDMMSG) && defined(HAVE_RECVMMSG)
	struct timespec ts = { 0, 1000000L };   /* 1 ms: far below UDS_BLOCK_MS */
	struct mmsghdr m[2];
	struct iovec iov[2];
	char bufs[2][8], c;

	mmsg_slots(m, iov, bufs, 2);
	UDS_EXPECT_RESULT("mmsg.recvmmsg_timeout_no_message", recvmmsg(p->b, m, 2, 0, &ts));
	UDS_EQ(m[0].msg_len, MSG_LEN_UNSET, "msg_len of the first slot (nothing received)");
	uds_send_one(p->a, "n", 1);
	UDS_EQ(uds_recv_one(p->b, &c, 1, 0), 1, "bytes received after the timed-out call");
	UDS_EQ(c, 'n', "the byte received after the timed-out call");
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
    UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
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

UDS_CASE(recvmsg_keeps_callers_iov_len, "E-29", UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
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

UDS_CASE(msg_ctrunc_as_input_flag_ignored, "E-30", UDS_ALL_TYPES | UDS_CONNECTED)
{
	char buf[16], cbuf[64];
	struct iovec siov = { (void *)"ctrunc", 6 }, riov = { buf, sizeof(buf) };
	struct msghdr m;
	long sent, got;

	memset(&m, 0, sizeof(m));
	m.msg_iov = &siov;
	m.msg_iovlen = 1;
	UDS_EXPECT_RESULT("msg.ctrunc_send", sent = sendmsg(p->a, &m, MSG_CTRUNC));
	if (sent == -1)         /* refused where the table says so: the receive half still runs */
		uds_send_one(p->a, "ctrunc", 6);
	else
		UDS_EQ(sent, 6, "bytes sendmsg(MSG_CTRUNC) sent");
	m.msg_iov = &riov;
	m.msg_control = cbuf;
	m.msg_controllen = sizeof(cbuf);
	uds_wait_readable(p->b);
	got = UDS_OK(recvmsg(p->b, &m, MSG_CTRUNC));
	uds_note("recvmsg(MSG_CTRUNC) returned %ld, msg_flags %#x, msg_controllen %zu", got,
	    (unsigned)m.msg_flags, (size_t)m.msg_controllen);
	UDS_EQ(got, 6, "bytes received");
	UDS_REQUIRE(memcmp(buf, "ctrunc", 6) == 0, "received \"%.6s\"", buf);
	UDS_EQ(m.msg_controllen, 0, "msg_controllen (no control data was queued)");
	UDS_EXPECT_VALUE("msg.ctrunc_input_ignored", m.msg_flags == 0);
}

/* ------------------------------------------------------------------ */
/* Empty sockets: non-blocking fails, blocking sleeps                  */
/* ------------------------------------------------------------------ */

UDS_CASE(nonblocking_empty_receive_would_block, "E-31",
    UDS_ALL_TYPES | UDS_CONNECTED | UDS_NONBLOCK | UDS_BOTH_ENDS)
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

UDS_CASE(blocking_empty_receive_sleeps, "E-32", UDS_ALL_TYPES | UDS_CONNECTED | UDS_BOTH_ENDS)
{
	char buf[16];

	UDS_BLOCKS(recv(p->b, buf, sizeof(buf), 0));
	uds_send_one(p->a, "wake", 4);
	uds_recv_expect(p->b, sizeof(buf), 0, "wake", "bytes received after the wait");
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

UDS_CASE(peek_offset_starts_at_minus_one, "E-33", UDS_ALL_TYPES | UDS_CONNECTED | UDS_UNBOUND)
{
#ifdef SO_PEEK_OFF
	uds_require_sockopt(p->b, SOL_SOCKET, SO_PEEK_OFF, "SO_PEEK_OFF");
	UDS_EQ(UDS_SOCKOPT_INT(p->a, SOL_SOCKET, SO_PEEK_OFF), -1, "SO_PEEK_OFF of one end");
	UDS_EQ(UDS_SOCKOPT_INT(p->b, SOL_SOCKET, SO_PEEK_OFF), -1, "SO_PEEK_OFF of the other end");
#else
	uds_skip("SO_PEEK_OFF is a Linux interface, absent here");
#endif
}

UDS_CASE(peek_offset_advances_and_follows_reads, "E-34",
    UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
#ifdef SO_PEEK_OFF
	/* A record receive removes the whole 8-byte record, a stream receive 2 bytes. */
	int removed = p->kind->type == SOCK_STREAM ? 2 : 8;

	uds_require_sockopt(p->b, SOL_SOCKET, SO_PEEK_OFF, "SO_PEEK_OFF");
	uds_send_one(p->a, "abcdefgh", 8);
	uds_send_one(p->a, "ijkl", 4);
	peek_off_set(p->b, 0);
	peek_expect(p->b, "abcd", 4);
	peek_expect(p->b, "efgh", 4);
	UDS_EQ(UDS_SOCKOPT_INT(p->b, SOL_SOCKET, SO_PEEK_OFF), 8, "peek offset after two peeks");
	uds_recv_expect(p->b, 2, 0, "ab", "bytes of a normal receive");
	UDS_EQ(UDS_SOCKOPT_INT(p->b, SOL_SOCKET, SO_PEEK_OFF), 8 - removed,
	    "peek offset after the normal receive");
	peek_expect(p->b, "ijkl", 4);
	UDS_EQ(UDS_SOCKOPT_INT(p->b, SOL_SOCKET, SO_PEEK_OFF), 12 - removed,
	    "peek offset after the last peek");
#else
	uds_skip("SO_PEEK_OFF is a Linux interface, absent here");
#endif
}

UDS_CASE(peek_offset_spans_stream_writes, "E-35", UDS_STREAM | UDS_CONNECTED | UDS_ALL_VARIANTS,
    .note = "stream")
{
#ifdef SO_PEEK_OFF
	uds_require_sockopt(p->b, SOL_SOCKET, SO_PEEK_OFF, "SO_PEEK_OFF");
	uds_send_one(p->a, "abc", 3);
	uds_send_one(p->a, "def", 3);
	uds_wait_readable(p->b);
	peek_off_set(p->b, 1);
	peek_expect(p->b, "bcde", 4);
	UDS_EQ(UDS_SOCKOPT_INT(p->b, SOL_SOCKET, SO_PEEK_OFF), 5, "peek offset after the peek");
#else
	uds_skip("SO_PEEK_OFF is a Linux interface, absent here");
#endif
}

UDS_CASE(peek_offset_stops_at_record_end, "E-35",
    UDS_RECORD_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS, .note = "datagram and seqpacket")
{
#ifdef SO_PEEK_OFF
	char buf[10];
	int flags;

	uds_require_sockopt(p->b, SOL_SOCKET, SO_PEEK_OFF, "SO_PEEK_OFF");
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

#ifdef SO_PEEK_OFF
struct peek_feed {
	int fd;
	const char *data;
	size_t len;
};

/*
 * A child that waits until its parent sleeps in a call (state S in
 * /proc/<ppid>/stat, within half the deadline), requires that it did, then
 * sends the feed.
 */
static void
send_when_parent_sleeps(void *argp)
{
	const struct peek_feed *f = argp;
	char path[64], line[512], *paren;
	struct timespec start;
	bool asleep = false;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)getppid());
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!asleep && uds_ms_since(&start) < UDS_DEADLINE_MS / 2) {
		FILE *st = fopen(path, "r");

		if (st == NULL)
			uds_skip("cannot tell whether the parent blocks: %s: %s", path,
			    uds_errno_name(errno));
		if (fgets(line, sizeof(line), st) != NULL && (paren = strrchr(line, ')')) != NULL)
			asleep = paren[1] == ' ' && paren[2] == 'S';
		fclose(st);
		sched_yield();
	}
	UDS_REQUIRE(asleep, "the parent's peek did not block within %d ms", UDS_DEADLINE_MS / 2);
	uds_send_all(f->fd, f->data, f->len);
}
#endif

UDS_CASE(blocking_peek_past_queued_data_waits, "E-36", UDS_ALL_TYPES | UDS_CONNECTED)
{
#ifdef SO_PEEK_OFF
	bool stream = p->kind->type == SOCK_STREAM;
	struct peek_feed feed = { p->a, stream ? "d" : "defg", stream ? 1 : 4 };
	struct uds_child sender;
	char buf[8];

	uds_require_sockopt(p->b, SOL_SOCKET, SO_PEEK_OFF, "SO_PEEK_OFF");
	if (stream)
		uds_known_bug("peek_off.reread_after_sleep");
	uds_send_one(p->a, "abc", 3);
	uds_wait_readable(p->b);
	peek_off_set(p->b, 3);
	memset(buf, 0, sizeof(buf));
	uds_child_start(&sender, send_when_parent_sleeps, &feed);
	UDS_EQ(UDS_OK(UDS_WITHIN_DEADLINE(recv(p->b, buf, sizeof(buf), MSG_PEEK))), feed.len,
	    "bytes of the blocking peek at offset 3");
	UDS_REQUIRE(memcmp(buf, feed.data, feed.len) == 0,
	    "the peek at offset 3 returned \"%.8s\", expected \"%s\"", buf, feed.data);
	uds_child_finish(&sender);
	UDS_EQ(UDS_SOCKOPT_INT(p->b, SOL_SOCKET, SO_PEEK_OFF), 3 + feed.len,
	    "peek offset after the peek");
	uds_recv_expect(p->b, 3, 0, "abc", "bytes of the first normal receive");
#else
	uds_skip("SO_PEEK_OFF is a Linux interface, absent here");
#endif
}

/* ------------------------------------------------------------------ */
/* MSG_MORE, sendfile(), splice()                                      */
/* ------------------------------------------------------------------ */

UDS_CASE(send_msg_more_is_recorded, "E-37", UDS_ALL_TYPES | UDS_CONNECTED)
{
#ifdef MSG_MORE
	long rc = send(p->a, "more", 4, MSG_MORE);
	int err = errno;
	bool at_once = (uds_poll(p->b, POLLIN, 0) & POLLIN) != 0;
	char buf[8];

	uds_note("send(MSG_MORE) of 4 bytes returned %s; the peer %s readable at once",
	    uds_result_str(rc, err), at_once ? "was" : "was not");
	UDS_REQUIRE(rc == -1 || rc == 4, "send(MSG_MORE) of 4 bytes returned %ld", rc);
	uds_send_one(p->a, "!", 1);
	if (rc == 4) {
		uds_recv_all(p->b, buf, 4);
		UDS_REQUIRE(memcmp(buf, "more", 4) == 0, "received \"%.4s\", expected \"more\"", buf);
	}
	UDS_EQ(uds_recv_one(p->b, buf, sizeof(buf), 0), 1, "bytes of the plain send");
	UDS_EQ(buf[0], '!', "the byte of the plain send");
	uds_require_nothing_queued(p->b);
	errno = err;
	UDS_EXPECT_RESULT("msg_more.send", rc);
#else
	uds_skip("MSG_MORE is not defined on this platform");
#endif
}

UDS_CASE(sendfile_file_into_stream, "E-38", UDS_STREAM | UDS_CONNECTED | UDS_BOTH_MODES,
    .note = "into a stream")
{
#ifdef HAVE_SENDFILE
	unsigned char *data = pattern_new(5000), buf[5000];
	int fd = uds_temp_file(NULL);
	off_t off = 0;

	UDS_EQ(write(fd, data, 5000), 5000, "bytes written to the file");
	UDS_EQ(UDS_OK(sendfile(p->a, fd, &off, 5000)), 5000, "bytes moved by sendfile()");
	UDS_EQ(off, 5000, "file offset sendfile() reports");
	uds_recv_all(p->b, buf, 5000);
	pattern_check(buf, 0, 5000);
	uds_require_nothing_queued(p->b);
	close(fd);
	free(data);
#else
	uds_skip("sendfile() with this signature is a Linux interface");
#endif
}

UDS_CASE(sendfile_into_full_dgram_would_block, "E-38", UDS_DGRAM | UDS_CONNECTED | UDS_NONBLOCK,
    .note = "into a full datagram receiver")
{
#ifdef HAVE_SENDFILE
	char text[101], buf[128];
	int fd, queued = 0;
	off_t off = 0;
	ssize_t n;

	memset(text, 's', 100);
	text[100] = '\0';
	fd = uds_temp_file(text);
	while (queued < 100000 && send(p->a, "fill", 4, 0) == 4)
		queued++;
	UDS_REQUIRE(errno == EAGAIN, "the receiver never filled up (%d datagrams): %s", queued,
	    uds_errno_name(errno));
	UDS_FAILS_WITH(EAGAIN, sendfile(p->a, fd, &off, 100));
	UDS_EQ(off, 0, "file offset after the failed sendfile()");
	for (int i = 0; i < queued; i++) {
		n = recv(p->b, buf, sizeof(buf), MSG_DONTWAIT);
		UDS_REQUIRE(n == 4 && memcmp(buf, "fill", 4) == 0,
		    "datagram %d of %d is not a fill datagram (%zd bytes)", i, queued, n);
	}
	uds_require_nothing_queued(p->b);
	close(fd);
#else
	uds_skip("sendfile() with this signature is a Linux interface");
#endif
}

UDS_CASE(splice_pipe_to_stream_and_back, "E-39", UDS_STREAM | UDS_CONNECTED | UDS_BOTH_MODES)
{
#ifdef HAVE_SPLICE
	unsigned char *data = pattern_new(3000), buf[3000];
	int in[2], out[2];
	size_t moved = 0;

	UDS_OK(pipe(in));
	UDS_OK(pipe(out));
	UDS_EQ(write(in[1], data, 3000), 3000, "bytes written to the first pipe");
	UDS_EQ(UDS_OK(splice(in[0], NULL, p->a, NULL, 3000, 0)), 3000,
	    "bytes spliced from the pipe into the socket");
	while (moved < 3000) {
		long n;

		uds_wait_readable(p->b);
		n = UDS_OK(UDS_WITHIN_DEADLINE(splice(p->b, NULL, out[1], NULL, 3000 - moved, 0)));
		UDS_REQUIRE(n > 0, "splice() from the socket: end of file after %zu bytes", moved);
		moved += (size_t)n;
	}
	uds_require_nothing_queued(p->b);
	UDS_EQ(read(out[0], buf, sizeof(buf)), 3000, "bytes in the second pipe");
	pattern_check(buf, 0, 3000);
	for (int i = 0; i < 2; i++) {
		close(in[i]);
		close(out[i]);
	}
	free(data);
#else
	uds_skip("splice() is a Linux interface");
#endif
}
