/*
 * oob_test - out-of-band data on AF_UNIX streams (catalogue area M): Linux
 * MSG_OOB (CONFIG_AF_UNIX_OOB, Linux >= 5.15), the urgent mark, ex-OOB
 * bytes, SO_OOBINLINE, SIOCATMARK, POLLPRI and SIGURG.  Every case first
 * probes at run time that the kernel accepts MSG_OOB on an AF_UNIX stream
 * and skips with the probe's answer where it does not.
 */
#include "uds.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifdef MSG_NOSIGNAL
#define NOSIGPIPE MSG_NOSIGNAL
#else
#define NOSIGPIPE 0             /* these cases skip where AF_UNIX has no MSG_OOB */
#endif

#define OOB_SPEC_OBS "observed: Linux net/unix/af_unix.c (CONFIG_AF_UNIX_OOB); " \
	"kselftest net/af_unix/msg_oob.c"

static void
send_flags(int fd, const char *s, int flags)
{
	UDS_EQ(UDS_OK(send(fd, s, strlen(s), flags)), strlen(s), "bytes sent");
}

/* Normal data, then urgent data whose last byte sets the mark. */
static void
send_with_mark(int fd, const char *normal, const char *urgent)
{
	send_flags(fd, normal, 0);
	send_flags(fd, urgent, MSG_OOB);
}

/* Urgent data twice before any read: the first urgent byte becomes ex-OOB (ordinary data). */
static void
send_ex_oob(int fd, const char *first, const char *second)
{
	send_flags(fd, first, MSG_OOB);
	send_flags(fd, second, MSG_OOB);
}

/* One recv() with flags (MSG_DONTWAIT added) that must return exactly want. */
static void
recv_expect(int fd, int flags, const char *want)
{
	char buf[64];
	ssize_t n;

	uds_wait_readable(fd);
	n = UDS_OK(recv(fd, buf, sizeof(buf), flags | MSG_DONTWAIT));
	UDS_REQUIRE((size_t)n == strlen(want) && memcmp(buf, want, (size_t)n) == 0,
	    "recv(flags %#x) returned \"%.*s\" (%zd bytes), expected \"%s\"", flags,
	    (int)n, buf, n, want);
}

static void
recv_oob_einval(int fd)
{
	char c;

	UDS_FAILS_WITH(EINVAL, recv(fd, &c, 1, MSG_OOB | MSG_DONTWAIT));
}

static void
recv_nothing(int fd)
{
	char c;

	UDS_WOULD_BLOCK(recv(fd, &c, 1, MSG_DONTWAIT));
}

static int
atmark(int fd)
{
	return (int)UDS_OK(sockatmark(fd));
}

UDS_CASE(oob_send_probe, "M-01", UDS_STREAM | UDS_CONNECTED, .note = "stream")
{
	uds_require_oob();
	send_flags(p->a, "u", MSG_OOB);
	UDS_EQ(poll(&(struct pollfd){ .fd = p->b, .events = POLLPRI }, 1, UDS_DEADLINE_MS), 1,
	    "descriptors with POLLPRI after the urgent send");
	recv_expect(p->b, MSG_OOB, "u");
}

UDS_CASE(oob_recv_none_pending_einval, "M-02", UDS_STREAM | UDS_CONNECTED)
{
	uds_require_oob();
	recv_oob_einval(p->b);
	send_flags(p->a, "ab", 0);
	uds_wait_readable(p->b);
	recv_oob_einval(p->b);
	recv_expect(p->b, 0, "ab");
}

UDS_CASE(oob_byte_read_with_msg_oob, "M-03", UDS_STREAM | UDS_CONNECTED)
{
	uds_require_oob();
	send_flags(p->a, "x", MSG_OOB);
	recv_expect(p->b, MSG_OOB, "x");
	recv_oob_einval(p->b);
	recv_nothing(p->b);
}

UDS_CASE(oob_only_last_byte_urgent, "M-04", UDS_STREAM | UDS_CONNECTED)
{
	uds_require_oob();
	send_flags(p->a, "hello", MSG_OOB);
	recv_expect(p->b, 0, "hell");
	recv_expect(p->b, MSG_OOB, "o");
	recv_nothing(p->b);
}

UDS_CASE(oob_read_before_preceding_data, "M-05", UDS_STREAM | UDS_CONNECTED)
{
	uds_require_oob();
	send_with_mark(p->a, "ab", "c");
	recv_expect(p->b, MSG_OOB, "c");
	recv_expect(p->b, 0, "ab");
	recv_nothing(p->b);
}

UDS_CASE(oob_normal_read_stops_at_mark, "M-06", UDS_STREAM | UDS_CONNECTED)
{
	uds_require_oob();
	uds_known_bug("oob.consumed_skb_at_head");
	send_with_mark(p->a, "ab", "c");
	send_flags(p->a, "de", 0);
	recv_expect(p->b, 0, "ab");
	recv_expect(p->b, MSG_OOB, "c");
	recv_expect(p->b, 0, "de");
}

UDS_CASE(oob_unread_urgent_byte_skipped, "M-07", UDS_STREAM | UDS_CONNECTED)
{
	uds_require_oob();
	send_with_mark(p->a, "ab", "c");
	send_flags(p->a, "de", 0);
	recv_expect(p->b, 0, "ab");
	recv_expect(p->b, 0, "de");
	recv_oob_einval(p->b);
	recv_nothing(p->b);
}

UDS_CASE(oob_second_urgent_makes_first_ex_oob, "M-08", UDS_STREAM | UDS_CONNECTED)
{
	uds_require_oob();
	send_ex_oob(p->a, "a", "b");
	recv_expect(p->b, 0, "a");
	recv_expect(p->b, MSG_OOB, "b");
	recv_oob_einval(p->b);
	recv_nothing(p->b);
}

UDS_CASE(oob_ex_oob_breaks_read_only_at_newest_mark, "M-09", UDS_STREAM | UDS_CONNECTED)
{
	uds_require_oob();
	uds_known_bug("oob.consumed_skb_at_head");
	send_ex_oob(p->a, "hello", "wor");
	send_flags(p->a, "ld", 0);
	recv_expect(p->b, 0, "hellowo");
	recv_expect(p->b, MSG_OOB, "r");
	recv_expect(p->b, 0, "ld");
}

UDS_CASE(oob_read_ahead_then_ex_oob_break, "M-20", UDS_STREAM | UDS_CONNECTED)
{
	uds_require_oob();
	uds_known_bug("oob.consumed_skb_at_head");
	send_ex_oob(p->a, "hello", "wor");
	recv_expect(p->b, MSG_OOB, "r");
	send_flags(p->a, "ld", MSG_OOB);
	recv_expect(p->b, 0, "hellowol");
	recv_expect(p->b, MSG_OOB, "d");
	recv_oob_einval(p->b);
	recv_nothing(p->b);
}

UDS_CASE(oob_peek_does_not_consume, "M-10", UDS_STREAM | UDS_CONNECTED)
{
	uds_require_oob();
	send_with_mark(p->a, "ab", "c");
	recv_expect(p->b, MSG_OOB | MSG_PEEK, "c");
	recv_expect(p->b, MSG_OOB | MSG_PEEK, "c");
	recv_expect(p->b, MSG_PEEK, "ab");
	recv_expect(p->b, 0, "ab");
	recv_expect(p->b, MSG_OOB, "c");
	recv_nothing(p->b);
}

UDS_CASE(oob_sockatmark_at_the_mark, "M-11", UDS_STREAM | UDS_CONNECTED)
{
	uds_require_oob();
	uds_known_bug("oob.consumed_skb_at_head");
	UDS_EQ(atmark(p->b), 0, "sockatmark() with nothing queued");
	send_with_mark(p->a, "ab", "c");
	uds_wait_readable(p->b);
	UDS_EQ(atmark(p->b), 0, "sockatmark() before \"ab\" is read");
	recv_expect(p->b, 0, "ab");
	UDS_EQ(atmark(p->b), 1, "sockatmark() at the urgent byte");
	recv_expect(p->b, MSG_OOB, "c");
	send_ex_oob(p->a, "x", "y");
	uds_wait_readable(p->b);
	UDS_EQ(atmark(p->b), 0, "sockatmark() before the ex-OOB byte");
	recv_expect(p->b, 0, "x");
	UDS_EQ(atmark(p->b), 1, "sockatmark() at the newest urgent byte");
}

UDS_CASE(oob_pending_reports_pollpri, "M-12", UDS_STREAM | UDS_CONNECTED)
{
	uds_require_oob();
	UDS_EQ(uds_poll(p->b, POLLPRI, 0) & POLLPRI, 0, "POLLPRI before any urgent send");
	send_flags(p->a, "x", MSG_OOB);
	UDS_EQ(uds_poll(p->b, POLLPRI, UDS_DEADLINE_MS) & POLLPRI, POLLPRI, "POLLPRI pending");
	recv_expect(p->b, MSG_OOB, "x");
	UDS_EQ(uds_poll(p->b, POLLPRI, 0) & POLLPRI, 0, "POLLPRI after the byte was read");
}

static volatile sig_atomic_t sigurg_count;

static void
on_sigurg(int sig)
{
	(void)sig;
	sigurg_count++;
}

UDS_CASE(oob_raises_sigurg_for_owner, "M-13", UDS_STREAM | UDS_CONNECTED)
{
	struct sigaction sa = { .sa_handler = on_sigurg }, old;

	uds_require_oob();
	sigemptyset(&sa.sa_mask);
	UDS_OK(sigaction(SIGURG, &sa, &old));
	sigurg_count = 0;
	send_flags(p->a, "n", MSG_OOB);
	UDS_EQ(sigurg_count, 0, "SIGURG count without an owner");
	recv_expect(p->b, MSG_OOB, "n");
	UDS_OK(fcntl(p->b, F_SETOWN, getpid()));
	send_flags(p->a, "ab", 0);
	UDS_EQ(sigurg_count, 0, "SIGURG count after normal data");
	send_flags(p->a, "u", MSG_OOB);
	UDS_EQ(sigurg_count, 1, "SIGURG count after the urgent byte");
	UDS_OK(sigaction(SIGURG, &old, NULL));
}

static void
set_oobinline(int fd)
{
	int on = 1;

	UDS_OK(setsockopt(fd, SOL_SOCKET, SO_OOBINLINE, &on, sizeof(on)));
}

UDS_CASE(oob_inline_delivers_in_stream, "M-14", UDS_STREAM | UDS_CONNECTED)
{
	uds_require_oob();
	set_oobinline(p->b);
	send_with_mark(p->a, "ab", "c");
	send_flags(p->a, "d", 0);
	uds_wait_readable(p->b);
	recv_oob_einval(p->b);
	recv_expect(p->b, 0, "ab");
	UDS_EQ(atmark(p->b), 1, "sockatmark() at the inline urgent byte");
	recv_expect(p->b, 0, "cd");
	recv_nothing(p->b);
}

UDS_CASE(oob_inline_ex_oob_nothing_dropped, "M-15", UDS_STREAM | UDS_CONNECTED)
{
	uds_require_oob();
	set_oobinline(p->b);
	send_ex_oob(p->a, "a", "b");
	send_flags(p->a, "c", 0);
	uds_wait_readable(p->b);
	UDS_EQ(atmark(p->b), 0, "sockatmark() at the ex-OOB byte");
	recv_expect(p->b, 0, "a");
	UDS_EQ(atmark(p->b), 1, "sockatmark() at the newest mark");
	recv_expect(p->b, 0, "bc");
	recv_nothing(p->b);
}

UDS_CASE(oob_receiver_close_unread_resets, "M-16", UDS_STREAM | UDS_CONNECTED)
{
	struct uds_pair q;
	char c;

	uds_require_oob();
	send_flags(p->a, "x", MSG_OOB);
	uds_wait_readable(p->b);
	UDS_OK(close(p->b));
	p->b = -1;
	UDS_FAILS_WITH(ECONNRESET, recv(p->a, &c, 1, MSG_DONTWAIT));

	uds_pair_again(p, &q);
	send_flags(q.a, "x", MSG_OOB);
	recv_expect(q.b, MSG_OOB, "x");
	UDS_OK(close(q.b));
	q.b = -1;
	UDS_EQ(UDS_OK(recv(q.a, &c, 1, MSG_DONTWAIT)), 0, "recv() after an orderly close");
	uds_pair_close(&q);
}

UDS_CASE(oob_then_nonblocking_read_eagain, "M-19", UDS_STREAM | UDS_CONNECTED)
{
	uds_require_oob();
	send_flags(p->a, "z", MSG_OOB);
	recv_expect(p->b, MSG_OOB, "z");
	recv_nothing(p->b);
	UDS_EQ(atmark(p->b), 0, "sockatmark() with nothing queued");
}

UDS_CASE(oob_rejected_on_record_types, "M-01", UDS_RECORD_TYPES | UDS_PAIR,
    .note = "datagram and seqpacket")
{
	UDS_EXPECT_RESULT("oob.record_types_send", send(p->a, "x", 1, MSG_OOB));
	uds_require_nothing_queued(p->b);
}

/* One urgent-data scenario before the receiver closes, and what the sender then sees. */
struct close_scenario {
	const char *what;
	void (*before)(int a, int b);
	int first_err;          /* errno of the sender's first recv(), 0: end of file */
};

static void
sc_unread_urgent(int a, int b)
{
	send_flags(a, "x", MSG_OOB);
	uds_wait_readable(b);
}

static void
sc_read_urgent(int a, int b)
{
	send_flags(a, "x", MSG_OOB);
	recv_expect(b, MSG_OOB, "x");
}

static void
sc_ex_oob_unread(int a, int b)
{
	send_ex_oob(a, "x", "y");
	recv_expect(b, MSG_OOB, "y");
}

static void
sc_urgent_skipped(int a, int b)
{
	send_with_mark(a, "ab", "c");
	recv_expect(b, 0, "ab");
	recv_nothing(b);        /* the normal read drops the unread urgent byte */
}

UDS_CASE(oob_sender_after_receiver_close, "M-17", UDS_STREAM | UDS_CONNECTED)
{
	static const struct close_scenario sc[] = {
		{ "urgent byte unread", sc_unread_urgent, ECONNRESET },
		{ "urgent byte read", sc_read_urgent, 0 },
		{ "ex-OOB byte unread", sc_ex_oob_unread, ECONNRESET },
		{ "urgent byte skipped by a normal read", sc_urgent_skipped, 0 },
	};
	struct uds_pair q;
	char c;

	uds_require_oob();
	for (size_t i = 0; i < sizeof(sc) / sizeof(sc[0]); i++) {
		uds_note("scenario: %s", sc[i].what);
		uds_pair_again(p, &q);
		sc[i].before(q.a, q.b);
		UDS_OK(close(q.b));
		q.b = -1;
		if (sc[i].first_err != 0)
			UDS_FAILS_WITH(sc[i].first_err, recv(q.a, &c, 1, MSG_DONTWAIT));
		UDS_EQ(UDS_OK(recv(q.a, &c, 1, MSG_DONTWAIT)), 0, "recv() after the close");
		UDS_FAILS_WITH(EPIPE, send(q.a, "z", 1, MSG_DONTWAIT | NOSIGPIPE));
		uds_pair_close(&q);
	}
}
