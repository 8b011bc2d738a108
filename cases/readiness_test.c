/*
 * readiness_test - what poll(), select(), epoll and kqueue report on
 * UNIX-domain sockets, and which events wake a waiter (catalogue area I).
 *
 * "Woken by a concurrent X": a child does X while the parent waits with a
 * deadline.  The child cannot know that the parent is already asleep, so
 * each check is "the waiter returns with the right events within the
 * deadline", which holds whether the event came before or during the wait.
 */
#include "uds.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>
#include <unistd.h>

#ifdef HAVE_EPOLL
#include <sys/epoll.h>
#endif
#ifdef HAVE_KQUEUE
#include <sys/event.h>
#endif

#ifdef POLLRDHUP
#define RDHUP POLLRDHUP
#else
#define RDHUP 0
#endif

#ifdef HAVE_KQUEUE
/* The one EVFILT_WRITE event a fresh kqueue reports for fd at once (its flags). */
static unsigned
kevent_write_now(int fd)
{
	int kq = (int)UDS_OK(kqueue());
	struct kevent ev, out;
	struct timespec zero = { 0, 0 };

	EV_SET(&ev, fd, EVFILT_WRITE, EV_ADD, 0, 0, NULL);
	UDS_EQ(UDS_OK(kevent(kq, &ev, 1, &out, 1, &zero)), 1, "kevent(EVFILT_WRITE) events");
	close(kq);
	uds_note("EVFILT_WRITE flags %#x", (unsigned)out.flags);
	return out.flags;
}
#endif

/* select() for one fd with a timeout in ms; returns 1 if ready, 0 on timeout. */
static int
select_one(int fd, bool write, int ms)
{
	fd_set set;
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	int rc;

	FD_ZERO(&set);
	FD_SET(fd, &set);
	rc = (int)UDS_OK(select(fd + 1, write ? NULL : &set, write ? &set : NULL, NULL, &tv));
	UDS_REQUIRE(rc == 0 || FD_ISSET(fd, &set), "select() returned %d without the fd set", rc);
	return rc;
}

/* Receives with MSG_DONTWAIT until nothing is left. */
static void
drain(int fd)
{
	char buf[4096];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

static void
child_drain(void *arg)
{
	drain(*(int *)arg);
}

static void
child_shut_wr(void *arg)
{
	UDS_OK(shutdown(*(int *)arg, SHUT_WR));
}

#ifdef POLLRDHUP
static void
child_shut_rd(void *arg)
{
	UDS_OK(shutdown(*(int *)arg, SHUT_RD));
}
#endif

static void
child_shut_rdwr(void *arg)
{
	UDS_OK(shutdown(*(int *)arg, SHUT_RDWR));
}

/* Runs fn(&fd) in a child while the parent polls wait_fd for events; returns revents. */
static short
poll_while_child(int wait_fd, short events, void (*fn)(void *), int *fd)
{
	struct uds_child child;
	short rev;

	uds_child_start(&child, fn, fd);
	rev = uds_poll(wait_fd, events, UDS_DEADLINE_MS);
	uds_child_finish(&child);
	return rev;
}

UDS_CASE(connected_stream_is_writable, "I-01", UDS_STREAM | UDS_CONNECTED | UDS_BOTH_ENDS)
{
	short rev = uds_poll(p->a, POLLOUT | POLLWRNORM, 0);

	UDS_EQ(rev & (POLLOUT | POLLWRNORM), POLLOUT | POLLWRNORM, "POLLOUT|POLLWRNORM in revents");
	UDS_EQ(select_one(p->a, true, 0), 1, "select() writable count");
#ifdef HAVE_KQUEUE
	(void)kevent_write_now(p->a);
#endif
}

UDS_CASE(unconnected_stream_writability, "I-02", UDS_STREAM | UDS_UNBOUND)
{
	short rev = uds_poll(p->a, POLLOUT, 0);
	int sel = select_one(p->a, true, 0);

	uds_note("poll() revents %#x, select() writable %d", (unsigned)rev, sel);
	UDS_EQ(sel, (rev & POLLOUT) != 0, "select() and poll() agree on writability");
	UDS_EXPECT_VALUE("poll.unconnected_stream_writable", sel);
}

UDS_CASE(full_stream_wakes_writer_when_drained, "I-03", UDS_STREAM | UDS_CONNECTED | UDS_BOTH_MODES)
{
	UDS_REQUIRE(uds_fill(p->a, 4096) > 0, "nothing could be queued");
	UDS_EQ(uds_poll(p->a, POLLOUT, 0) & POLLOUT, 0, "POLLOUT on a full socket");
	UDS_EQ(select_one(p->a, true, 0), 0, "select() writable count on a full socket");
	UDS_EXPECT_VALUE("poll.full_stream_woken_by_drain",
	    (poll_while_child(p->a, POLLOUT, child_drain, &p->b) & POLLOUT) != 0);
}

UDS_CASE(writable_after_peer_close, "I-04", UDS_STREAM | UDS_CONNECTED | UDS_BOTH_ENDS)
{
	short rev;

	close(p->b);
	p->b = -1;
	rev = uds_poll(p->a, POLLOUT, 0);
	uds_note("revents after the peer closed: %#x", (unsigned)rev);
	UDS_EXPECT_VALUE("poll.writable_after_peer_close", (rev & POLLOUT) != 0);
	UDS_EQ(select_one(p->a, true, 0), 1, "select() writable count");
	UDS_FAILS_WITH(EPIPE, send(p->a, "x", 1, MSG_NOSIGNAL));
#ifdef HAVE_KQUEUE
	UDS_EXPECT_VALUE("kqueue.eof_after_peer_close", (kevent_write_now(p->a) & EV_EOF) != 0);
#endif
}

UDS_CASE(writable_after_peer_shut_rd, "I-05", UDS_STREAM | UDS_CONNECTED | UDS_BOTH_ENDS)
{
	short rev;

	UDS_OK(shutdown(p->b, SHUT_RD));
	rev = uds_poll(p->a, POLLOUT, 0);
	uds_note("revents after the peer's SHUT_RD: %#x", (unsigned)rev);
	UDS_EXPECT_VALUE("poll.writable_after_peer_shut_rd", (rev & POLLOUT) != 0);
	UDS_EQ(select_one(p->a, true, 0), 1, "select() writable count");
}

UDS_CASE(own_shut_wr_kevent_write_eof, "I-08", UDS_STREAM | UDS_CONNECTED)
{
#ifdef HAVE_KQUEUE
	UDS_OK(shutdown(p->a, SHUT_WR));
	UDS_EXPECT_VALUE("kqueue.write_eof_after_own_shut_wr",
	    (kevent_write_now(p->a) & ~EV_ADD) == EV_EOF);
#else
	uds_skip("kqueue does not exist on this platform");
#endif
}

UDS_CASE(peer_shut_wr_makes_readable_eof, "I-06",
    UDS_CONNECTION_TYPES | UDS_CONNECTED | UDS_BOTH_ENDS)
{
	char buf[8];

	UDS_EQ(uds_poll(p->b, POLLIN, 0) & POLLIN, 0, "POLLIN before the shutdown");
	UDS_OK(shutdown(p->a, SHUT_WR));
	UDS_REQUIRE(uds_poll(p->b, POLLIN, 0) & POLLIN, "no POLLIN after the peer's SHUT_WR");
	UDS_EQ(select_one(p->b, false, 0), 1, "select() readable count");
	UDS_EQ(UDS_AT_ONCE(read(p->b, buf, sizeof(buf))), 0, "read() after the peer's SHUT_WR");
}

UDS_CASE(waiting_reader_woken_by_peer_shut_wr, "I-07",
    UDS_CONNECTION_TYPES | UDS_CONNECTED | UDS_BOTH_ENDS)
{
	uds_known_bug("poll.rdhup_with_peer_shut_wr");
	short rev = poll_while_child(p->b, POLLIN | RDHUP, child_shut_wr, &p->a);

	uds_note("revents %#x", (unsigned)rev);
	UDS_EXPECT_VALUE("poll.woken_by_peer_shut_wr", (rev & POLLIN) != 0);
	UDS_EQ(rev & RDHUP, RDHUP, "POLLRDHUP in revents (where it exists)");
}

UDS_CASE(shut_rdwr_reports_hangup, "I-09", UDS_ALL_TYPES | UDS_CONNECTED | UDS_BOTH_ENDS)
{
	uds_known_bug("poll.hangup_after_own_shut_rdwr");
	short want = POLLHUP | POLLIN | RDHUP, rev;

	if (p->kind->type != SOCK_STREAM)
		want |= POLLOUT;
	UDS_OK(shutdown(p->b, SHUT_RDWR));
	rev = uds_poll(p->b, POLLIN | POLLOUT | RDHUP, 0);
	uds_note("revents %#x, expected at least %#x", (unsigned)rev, (unsigned)want);
	UDS_EXPECT_VALUE("poll.shut_rdwr_events", (rev & want) == want);
	UDS_EQ(rev & POLLERR, 0, "POLLERR in revents");
}

UDS_CASE(dgram_pollout_tracks_capacity, "I-10", UDS_DGRAM | UDS_CONNECTED | UDS_BOTH_ENDS)
{
	short full, shut, drained;

	UDS_REQUIRE(uds_fill(p->a, 256) > 0, "nothing could be queued");
	full = uds_poll(p->a, POLLOUT, 0);
	UDS_OK(shutdown(p->a, SHUT_WR));
	shut = uds_poll(p->a, POLLOUT, 0);
	drain(p->b);
	drained = uds_poll(p->a, POLLOUT, 0);
	uds_note("revents: full %#x, after SHUT_WR %#x, drained %#x", (unsigned)full,
	    (unsigned)shut, (unsigned)drained);
	UDS_EXPECT_VALUE("poll.dgram_pollout_capacity",
	    !(full & POLLOUT) && !(shut & POLLOUT) && (drained & POLLOUT));
}

UDS_CASE(no_events_poller_woken_by_shutdown, "I-11", UDS_ALL_TYPES | UDS_CONNECTED)
{
	uds_known_bug("poll.woken_by_shutdown");
	short rev = poll_while_child(p->b, 0, child_shut_rdwr, &p->b);

	uds_note("revents %#x", (unsigned)rev);
	UDS_EXPECT_VALUE("poll.hup_woken_by_own_shutdown", (rev & POLLHUP) != 0);
}

UDS_CASE(rdhup_poller_woken_by_own_shut_rd, "I-12", UDS_ALL_TYPES | UDS_CONNECTED)
{
	uds_known_bug("poll.woken_by_shutdown");
#ifdef POLLRDHUP
	short rev = poll_while_child(p->b, POLLRDHUP, child_shut_rd, &p->b);

	uds_note("revents %#x", (unsigned)rev);
	UDS_EXPECT_VALUE("poll.rdhup_woken_by_own_shut_rd", (rev & POLLRDHUP) != 0);
#else
	uds_skip("POLLRDHUP is not defined on this platform");
#endif
}

UDS_CASE(peer_shut_rdwr_hangs_up_stream, "I-13", UDS_STREAM | UDS_CONNECTED | UDS_BOTH_ENDS)
{
	uds_known_bug("poll.woken_by_shutdown");
	short rev = poll_while_child(p->b, 0, child_shut_rdwr, &p->a);

	uds_note("revents %#x", (unsigned)rev);
	UDS_EXPECT_VALUE("poll.hup_from_peer_shut_rdwr", (rev & POLLHUP) != 0);
}

UDS_CASE(rdhup_poller_and_peer_shut_wr, "I-14", UDS_ALL_TYPES | UDS_CONNECTED)
{
	uds_known_bug("poll.woken_by_shutdown");
#ifdef POLLRDHUP
	short rev;

	if (p->kind->type == SOCK_DGRAM) {
		UDS_OK(shutdown(p->a, SHUT_WR));
		rev = uds_poll(p->b, POLLRDHUP, UDS_BLOCK_MS);
		uds_note("revents %#x", (unsigned)rev);
		UDS_EXPECT_VALUE("poll.rdhup_peer_shut_wr_dgram", (rev & POLLRDHUP) != 0);
		UDS_EQ(rev, 0, "revents of the datagram poll");
	} else {
		rev = poll_while_child(p->b, POLLRDHUP, child_shut_wr, &p->a);
		uds_note("revents %#x", (unsigned)rev);
		UDS_EXPECT_VALUE("poll.rdhup_peer_shut_wr", (rev & POLLRDHUP) != 0);
	}
#else
	uds_skip("POLLRDHUP is not defined on this platform");
#endif
}

UDS_CASE(epollet_event_per_write, "I-15", UDS_ALL_TYPES | UDS_CONNECTED)
{
	uds_known_bug("epoll.edge_per_write");
#ifdef HAVE_EPOLL
	int ep = (int)UDS_OK(epoll_create1(0));
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.fd = p->b }, out;

	UDS_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p->b, &ev));
	UDS_EQ(UDS_OK(epoll_wait(ep, &out, 1, 0)), 0, "events before any write");
	for (int i = 0; i < 3; i++) {
		uds_send_one(p->a, "e", 1);
		UDS_EQ(UDS_OK(epoll_wait(ep, &out, 1, UDS_DEADLINE_MS)), 1, "events after a write");
		UDS_REQUIRE(out.events & EPOLLIN, "event %#x lacks EPOLLIN", (unsigned)out.events);
		UDS_EQ(UDS_OK(epoll_wait(ep, &out, 1, 0)), 0, "events again without a new write");
	}
	close(ep);
#else
	uds_skip("epoll is Linux only");
#endif
}

UDS_CASE(data_makes_readable_until_read, "I-16", UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	char buf[16];

	UDS_EQ(uds_poll(p->b, POLLIN, 0), 0, "revents before the write");
	UDS_EQ(select_one(p->b, false, 0), 0, "select() readable count before the write");
	uds_send_one(p->a, "ready", 5);
	UDS_REQUIRE(uds_poll(p->b, POLLIN, UDS_DEADLINE_MS) & POLLIN, "no POLLIN after the write");
	UDS_EQ(select_one(p->b, false, 0), 1, "select() readable count after the write");
#ifdef HAVE_EPOLL
	{
		int ep = (int)UDS_OK(epoll_create1(0));
		struct epoll_event ev = { .events = EPOLLIN, .data.fd = p->b }, out;

		UDS_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p->b, &ev));
		UDS_EQ(UDS_OK(epoll_wait(ep, &out, 1, 0)), 1, "epoll events after the write");
		UDS_EQ(uds_recv_one(p->b, buf, sizeof(buf), 0), 5, "bytes read");
		UDS_EQ(UDS_OK(epoll_wait(ep, &out, 1, 0)), 0, "epoll events after reading");
		close(ep);
	}
#else
	UDS_EQ(uds_recv_one(p->b, buf, sizeof(buf), 0), 5, "bytes read");
#endif
	UDS_EQ(uds_poll(p->b, POLLIN, 0), 0, "revents after reading everything");
	UDS_EQ(select_one(p->b, false, 0), 0, "select() readable count after reading");
}

UDS_CASE(listener_readable_with_pending_connection, "I-17", UDS_CONNECTION_TYPES | UDS_NAMED)
{
	struct uds_addr name;
	int lis = uds_listener(p->kind, &name);
	int c = uds_socket(p->kind->type, false), s;

	UDS_EQ(uds_poll(lis, POLLIN, 0), 0, "listener revents before any connect");
	UDS_EQ(select_one(lis, false, 0), 0, "select() readable count before any connect");
	uds_connect(c, &name);
	UDS_REQUIRE(uds_poll(lis, POLLIN, UDS_DEADLINE_MS) & POLLIN, "listener not readable");
	UDS_EQ(select_one(lis, false, 0), 1, "select() readable count with a connection waiting");
	s = (int)UDS_OK(UDS_AT_ONCE(accept(lis, NULL, NULL)));
	UDS_EQ(uds_poll(lis, POLLIN, 0), 0, "listener revents after the accept");
	close(s);
	close(c);
	close(lis);
}

UDS_CASE(listener_waiter_woken_by_shutdown, "I-18", UDS_CONNECTION_TYPES | UDS_NAMED)
{
	uds_known_bug("accept.woken_by_listener_shutdown");
	struct uds_addr name;
	int lis = uds_listener(p->kind, &name);
	fd_set set;
	struct timeval tv = { 0, 0 };
	short rev = poll_while_child(lis, POLLIN, child_shut_rdwr, &lis);

	uds_note("revents %#x", (unsigned)rev);
	UDS_EXPECT_VALUE("poll.listener_woken_by_shutdown", rev != 0);
	close(lis);
	FD_ZERO(&set);
	FD_SET(lis, &set);
	UDS_FAILS_WITH(EBADF, select(lis + 1, &set, NULL, NULL, &tv));
}

UDS_CASE(dgram_writability_when_receiver_full, "I-19", UDS_DGRAM | UDS_CONNECTED)
{
	short rev;

	UDS_REQUIRE(uds_fill(p->a, 256) > 0, "nothing could be queued");
	rev = uds_poll(p->a, POLLOUT, 0);
	uds_note("revents with the receiver full: %#x", (unsigned)rev);
	UDS_EQ(select_one(p->a, true, 0), (rev & POLLOUT) != 0, "select() agrees with poll()");
	UDS_EXPECT_VALUE("poll.dgram_full_still_writable", (rev & POLLOUT) != 0);
}

UDS_CASE(dgram_pollout_woken_when_receiver_frees, "I-20", UDS_DGRAM | UDS_NAMED)
{
	uds_known_bug("poll.dgram_writer_woken");
	for (int how = 0; how < 3; how++) {
		struct uds_addr name, other;
		int rx = uds_socket(SOCK_DGRAM, false), tx = uds_socket(SOCK_DGRAM, false);
		int rx2 = uds_socket(SOCK_DGRAM, false);
		short before, rev;

		uds_addr_fresh_for(p->kind, &name);
		uds_addr_fresh_for(p->kind, &other);
		uds_bind(rx, &name);
		uds_bind(rx2, &other);
		uds_connect(tx, &name);
		UDS_REQUIRE(uds_fill(tx, 64) > 0, "nothing could be queued");
		before = uds_poll(tx, POLLOUT, 0);
		if (how == 0) {
			rev = poll_while_child(tx, POLLOUT, child_drain, &rx);
		} else {
			if (how == 1)
				close(rx);
			else
				uds_connect(tx, &other);
			rev = uds_poll(tx, POLLOUT, UDS_DEADLINE_MS);
		}
		uds_note("%s: revents %#x before, %#x after",
		    how == 0 ? "drain" : how == 1 ? "close" : "reconnect", (unsigned)before,
		    (unsigned)rev);
		UDS_EXPECT_VALUE("poll.dgram_pollout_woken", !(before & POLLOUT) && (rev & POLLOUT));
		if (how != 1)
			close(rx);
		close(rx2);
		close(tx);
	}
}

UDS_CASE(peer_close_reports_hup_and_eof, "I-21", UDS_STREAM | UDS_CONNECTED | UDS_BOTH_ENDS)
{
	uds_known_bug("poll.hup_after_peer_close");
	char buf[8];
	short rev;

	close(p->a);
	p->a = -1;
	rev = uds_poll(p->b, POLLIN, 0);
	uds_note("revents %#x", (unsigned)rev);
	UDS_EXPECT_VALUE("poll.hup_with_in_after_peer_close",
	    (rev & (POLLHUP | POLLIN)) == (POLLHUP | POLLIN));
	UDS_EQ(UDS_AT_ONCE(read(p->b, buf, sizeof(buf))), 0, "read() after the peer closed");
}

#ifdef O_ASYNC
static volatile sig_atomic_t got_sigio;

static void
on_sigio(int sig)
{
	(void)sig;
	got_sigio = 1;
}

static void
on_alarm(int sig)
{
	(void)sig;
}

/* Waits up to the deadline for SIGIO (blocked in the caller); returns 1 if it came. */
static int
await_sigio(const sigset_t *unblocked)
{
	struct sigaction sa;
	struct itimerval it = { { 0, 0 }, { UDS_DEADLINE_MS / 1000, 0 } }, off;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	UDS_OK(sigaction(SIGALRM, &sa, NULL));
	UDS_OK(setitimer(ITIMER_REAL, &it, NULL));
	/* SIGIO and SIGALRM are blocked until here: neither can be missed. */
	sigsuspend(unblocked);
	memset(&off, 0, sizeof(off));
	setitimer(ITIMER_REAL, &off, NULL);
	return got_sigio;
}
#endif

UDS_CASE(o_async_raises_sigio, "I-22", UDS_ALL_TYPES | UDS_CONNECTED)
{
#ifdef O_ASYNC
	struct sigaction sa;
	sigset_t block, old, pending;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigio;
	sigemptyset(&sa.sa_mask);
	UDS_OK(sigaction(SIGIO, &sa, NULL));
	sigemptyset(&block);
	sigaddset(&block, SIGIO);
	sigaddset(&block, SIGALRM);
	UDS_OK(sigprocmask(SIG_BLOCK, &block, &old));
	got_sigio = 0;
	UDS_OK(fcntl(p->b, F_SETOWN, getpid()));
	UDS_OK(fcntl(p->b, F_SETFL, fcntl(p->b, F_GETFL) | O_ASYNC));
	UDS_OK(sigpending(&pending));
	UDS_REQUIRE(!sigismember(&pending, SIGIO), "SIGIO pending before any data arrived");
	uds_send_one(p->a, "io", 2);
	sigdelset(&old, SIGIO);
	sigdelset(&old, SIGALRM);
	UDS_EXPECT_VALUE("sigio.on_data", await_sigio(&old));
	UDS_OK(sigprocmask(SIG_SETMASK, &old, NULL));
#else
	uds_skip("O_ASYNC is not defined on this platform");
#endif
}
