/*
 * regress_test - bounded reproductions of known AF_UNIX kernel bugs
 * (catalogue area P).  Each case cites its CVE or fixing commit, runs for
 * at most a fixed number of iterations AND a time budget (well under 2 s),
 * and is harmless on a fixed kernel: it checks the results the fixed kernel
 * gives.  Races use forked children (the harness reaps them), or a second
 * thread where the race needs one descriptor table: the thread only records
 * what it saw, and the case checks that after pthread_join().
 */
#include "uds.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_EPOLL
#include <sys/epoll.h>
#endif
#include <fcntl.h>
#include <pthread.h>            /* in the C library itself on glibc >= 2.34 and musl */
#ifdef HAVE_NR_IO_URING_SETUP
#include <sys/syscall.h>
#endif
#include <grp.h>

/* A loop bound: true while fewer than max rounds ran and budget_ms has not passed. */
struct budget {
	struct timespec start;
	long rounds, max, ms;
};

static void
budget_start(struct budget *b, long max, long ms)
{
	clock_gettime(CLOCK_MONOTONIC, &b->start);
	b->rounds = 0;
	b->max = max;
	b->ms = ms;
}

static bool
budget_left(struct budget *b)
{
	if (b->rounds++ >= b->max)
		return false;
	return uds_ms_since(&b->start) < b->ms;
}

static void
send_oob(int fd, char c)
{
	UDS_EQ(UDS_OK(send(fd, &c, 1, MSG_OOB)), 1, "urgent bytes sent");
}

static void
recv_oob_expect(int fd, char want)
{
	char c = 0;

	uds_wait_readable(fd);
	UDS_EQ(UDS_OK(recv(fd, &c, 1, MSG_OOB | MSG_DONTWAIT)), 1, "urgent bytes received");
	UDS_EQ(c, want, "the urgent byte");
}

UDS_CASE(gc_vs_msg_peek_keeps_live_socket, "P-01", UDS_STREAM | UDS_DGRAM | UDS_PAIR)
{
	int type = p->kind->type, pfd[2], s[2];
	struct uds_msg msg;
	struct budget b;
	struct stat st;

	UDS_OK(pipe(pfd));
	UDS_OK(socketpair(AF_UNIX, type, 0, s));
	uds_send_fds(s[0], &s[1], 1);           /* s[1] in its own queue */
	uds_send_fds(s[0], &pfd[1], 1);
	close(pfd[1]);
	close(s[0]);
	uds_send_fds(p->a, &s[1], 1);           /* and queued on the live pair */
	close(s[1]);
	budget_start(&b, 200, 1000);
	while (budget_left(&b)) {
		uds_recv_fds(p->b, 1, MSG_PEEK, &msg);
		UDS_EQ(msg.nfds, 1, "descriptors peeked");
		UDS_OK(fstat(msg.fds[0], &st));
		close(msg.fds[0]);
		uds_gc_nudge();
	}
	UDS_EQ(uds_poll(pfd[0], POLLIN, 0), 0, "pipe events while its holder is reachable");
	uds_recv_fds(p->b, 1, 0, &msg);
	UDS_EQ(msg.nfds, 1, "descriptors received");
	s[1] = msg.fds[0];
	uds_recv_fds(s[1], 1, 0, &msg);         /* its own reference, still queued */
	UDS_EQ(msg.nfds, 1, "self reference in the peeked socket's queue");
	UDS_REQUIRE(uds_same_file(msg.fds[0], s[1]), "the queue holds the socket itself");
	close(msg.fds[0]);
	close(s[1]);                            /* the pipe end is released with its queue */
	uds_require_pipe_released(pfd[0]);
	close(pfd[0]);
}

UDS_CASE(oob_consumed_twice_then_new_urgent, "P-14", UDS_STREAM | UDS_PAIR)
{
	char c;

	uds_require_oob();
	uds_known_bug("oob.consumed_skb_at_head");      /* cited first: before 6.10 it fails this way */
	uds_known_bug("oob.consecutive_consumed");
	send_oob(p->a, 'A');
	recv_oob_expect(p->b, 'A');
	send_oob(p->a, 'B');
	recv_oob_expect(p->b, 'B');
	send_oob(p->a, 'C');
	uds_wait_readable(p->b);
	UDS_WOULD_BLOCK(recv(p->b, &c, 1, MSG_DONTWAIT));
	UDS_FAILS_WITH(EINVAL, recv(p->b, &c, 1, MSG_OOB | MSG_DONTWAIT));
}

UDS_CASE(consumed_oob_not_returned_again, "P-15", UDS_STREAM | UDS_PAIR)
{
	char buf[4];

	uds_require_oob();
	uds_known_bug("oob.consumed_skb_at_head");
	send_oob(p->a, 'x');
	recv_oob_expect(p->b, 'x');
	UDS_EQ(UDS_OK(sockatmark(p->b)), 1, "sockatmark() after the urgent byte was read (TCP: 1)");
	send_oob(p->a, 'y');
	uds_wait_readable(p->b);
	UDS_EQ(UDS_OK(sockatmark(p->b)), 1, "sockatmark() with \"y\" next");
	UDS_WOULD_BLOCK(recv(p->b, buf, sizeof(buf), MSG_DONTWAIT));
	UDS_FAILS_WITH(EINVAL, recv(p->b, buf, 1, MSG_OOB | MSG_DONTWAIT));
	UDS_EQ(UDS_OK(sockatmark(p->b)), 0, "sockatmark() with nothing left");
}

UDS_CASE(listener_embryo_oob_cycle_reclaimed, "P-04", UDS_STREAM | UDS_NAMED)
{
	struct uds_addr name;
	int pfd[2], l, c;

	uds_require_oob();
	l = uds_listener(p->kind, &name);
	c = uds_socket(SOCK_STREAM, false);
	UDS_OK(pipe(pfd));
	uds_connect(c, &name);
	UDS_EQ(UDS_OK(uds_sendmsg_fds(c, &pfd[1], 1, "p", 1, MSG_OOB)), 1, "bytes sent");
	UDS_EQ(UDS_OK(uds_sendmsg_fds(c, &l, 1, "l", 1, MSG_OOB)), 1, "bytes sent");
	close(pfd[1]);
	close(c);
	UDS_EQ(uds_poll(pfd[0], POLLIN, 0), 0, "pipe events while the listener is open");
	close(l);
	uds_require_pipe_released(pfd[0]);
	close(pfd[0]);
}

UDS_CASE(io_uring_fd_refused_in_scm_rights, "P-08", UDS_STREAM | UDS_DGRAM | UDS_PAIR)
{
#ifdef HAVE_NR_IO_URING_SETUP
	unsigned char params[120];      /* struct io_uring_params, zeroed */
	int ring, err;

	memset(params, 0, sizeof(params));
	ring = (int)syscall(__NR_io_uring_setup, 4, params);
	if (ring == -1) {
		err = errno;
		uds_skip("io_uring_setup() failed with %s (io_uring absent or disabled)",
		    uds_errno_name(err));
	}
	UDS_EXPECT_RESULT("scm_rights.io_uring", uds_sendmsg_fds(p->a, &ring, 1, "u", 1, 0));
	if (uds_expected_value("scm_rights.io_uring") == UDS_SUCCEEDS) {
		struct uds_msg m;

		uds_recv_fds(p->b, 1, 0, &m);           /* accepted where the table says so: it arrives */
		UDS_EQ(m.nfds, 1, "io_uring descriptors received");
		uds_close_received(&m);
	} else {
		uds_require_nothing_queued(p->b);
	}
	close(ring);
#else
	uds_skip("io_uring is a Linux interface, absent here");
#endif
}

/* A child with its own uid (so the per-user in-flight count is its alone). */
struct inflight_arg {
	int sock;
	uid_t uid;
	int per;                /* descriptors per message */
};

#define INFLIGHT_LIMIT 16

/* A uid no one else uses: derived from this (case) process's pid, slot 0..7. */
static uid_t
private_uid(int slot)
{
	return 1000000 + (uid_t)getpid() * 8 + (uid_t)slot;
}

static void
inflight_child(void *v)
{
	struct inflight_arg *a = v;
	struct rlimit rl = { INFLIGHT_LIMIT, INFLIGHT_LIMIT };
	int fds[8], sent = 0;
	ssize_t rc = 0;

	for (int i = 0; i < a->per; i++)
		fds[i] = a->sock;
	UDS_OK(setgroups(0, NULL));
	UDS_OK(setgid(a->uid));
	UDS_OK(setuid(a->uid));
	UDS_OK(setrlimit(RLIMIT_NOFILE, &rl));
	while (sent < 4 * INFLIGHT_LIMIT &&
	    (rc = uds_sendmsg_fds(a->sock, fds, a->per, "f", 1, MSG_DONTWAIT)) == 1)
		sent += a->per;
	UDS_REQUIRE(rc == -1, "no error with %d descriptors in flight (limit %d)", sent,
	    INFLIGHT_LIMIT);
	UDS_REQUIRE(errno == ETOOMANYREFS, "sendmsg() failed with %s, expected ETOOMANYREFS",
	    uds_errno_name(errno));
	UDS_REQUIRE(sent >= INFLIGHT_LIMIT && sent <= INFLIGHT_LIMIT + a->per,
	    "ETOOMANYREFS with %d descriptors in flight, limit %d", sent, INFLIGHT_LIMIT);
}

static void
inflight_bounded(struct uds_pair *p, uid_t uid, int per)
{
	struct inflight_arg a = { .sock = p->a, .uid = uid, .per = per };
	struct uds_child ch;

	uds_note("running as uid %d; the child sends as uid %d", (int)getuid(), (int)uid);
	uds_child_start(&ch, inflight_child, &a);
	uds_child_finish(&ch);
}

UDS_CASE_ROOT(inflight_total_bounded, "P-11", UDS_STREAM | UDS_DGRAM | UDS_PAIR)
{
	uds_known_bug("inflight.rlimit");
	inflight_bounded(p, private_uid(0), 8);
}

UDS_CASE_ROOT(inflight_charged_to_rlimit, "P-12", UDS_ALL_TYPES | UDS_PAIR)
{
	uds_known_bug("inflight.rlimit");
	inflight_bounded(p, private_uid(0), 1);
}

/* Senders hammering a path whose receiver is closed and re-bound. */
static void
path_sender(void *v)
{
	const struct uds_addr *name = v;
	int fd = uds_socket(SOCK_DGRAM, false);
	struct budget b;

	budget_start(&b, 20000, 300);
	while (budget_left(&b)) {
		ssize_t rc = sendto(fd, "s", 1, MSG_DONTWAIT, (const struct sockaddr *)&name->sun,
		    name->len);

		UDS_REQUIRE(rc == 1 || errno == ECONNREFUSED || errno == ENOENT ||
		    errno == EAGAIN || errno == EWOULDBLOCK,
		    "sendto() to a re-bound path: %zd (%s)", rc, uds_errno_name(errno));
	}
	close(fd);
}

UDS_CASE(sendto_vs_receiver_rebind, "P-19", UDS_DGRAM | UDS_PATH)
{
	uds_known_bug("dgram.sendto_dead_receiver");
	struct uds_child ch[2];
	struct uds_addr name;
	struct budget b;
	char buf[8];
	ssize_t n;

	uds_addr_fresh_path(&name);
	for (int i = 0; i < 2; i++)
		uds_child_start(&ch[i], path_sender, &name);
	budget_start(&b, 2000, 300);
	while (budget_left(&b)) {
		int r = uds_socket(SOCK_DGRAM, false);

		uds_bind(r, &name);
		while ((n = recv(r, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
			UDS_EQ(n, 1, "datagram length");
		UDS_REQUIRE(errno == EAGAIN || errno == EWOULDBLOCK, "recv(): %s",
		    uds_errno_name(errno));
		close(r);
		UDS_OK(unlink(name.sun.sun_path));
	}
	for (int i = 0; i < 2; i++)
		uds_child_finish(&ch[i]);
}

UDS_CASE(failed_bind_leaves_no_node, "P-20", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr p1, p2;
	struct stat st;

	uds_addr_fresh_path(&p1);
	uds_addr_fresh_path(&p2);
	uds_bind(p->a, &p1);
	UDS_FAILS_WITH(EADDRINUSE, bind(p->b, (struct sockaddr *)&p1.sun, p1.len));
	UDS_FAILS_WITH(EINVAL, bind(p->a, (struct sockaddr *)&p2.sun, p2.len));
	uds_known_bug("bind.failed_leaves_node");
	UDS_FAILS_WITH(ENOENT, stat(p2.sun.sun_path, &st));
	UDS_OK(stat(p1.sun.sun_path, &st));
	UDS_REQUIRE(S_ISSOCK(st.st_mode), "p1 is a socket node");
}

/* Loops SO_PEERCRED on a socket the parent is connecting; values must be empty or the server's. */
#if defined(SO_PEERCRED) && defined(SCM_CREDENTIALS)
static void
peercred_watcher(void *v)
{
#if defined(SO_PEERCRED) && defined(SCM_CREDENTIALS)
	int fd = *(int *)v;
	struct budget b;
	struct ucred uc;
	socklen_t len;

	budget_start(&b, 200000, 200);
	while (budget_left(&b)) {
		len = sizeof(uc);
		UDS_OK(getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len));
		if (uc.pid == 0) {
			UDS_REQUIRE(uc.uid == (uid_t)-1 && uc.gid == (gid_t)-1,
			    "pid 0 with uid %d gid %d", (int)uc.uid, (int)uc.gid);
			continue;
		}
		UDS_REQUIRE(uc.pid == getppid() && uc.uid == geteuid() && uc.gid == getegid(),
		    "SO_PEERCRED mid-connect: pid %d uid %d gid %d", (int)uc.pid, (int)uc.uid,
		    (int)uc.gid);
		break;
	}
#else
	(void)v;
#endif
}
#endif

UDS_CASE(peercred_during_connect, "P-23", UDS_STREAM | UDS_NAMED)
{
	uds_known_bug("peercred.names_peer");
#if defined(SO_PEERCRED) && defined(SCM_CREDENTIALS)
	struct uds_addr name;
	struct uds_child ch;
	int l = uds_listener(p->kind, &name), c, s;

	for (int i = 0; i < 20; i++) {
		c = uds_socket(SOCK_STREAM, false);
		uds_child_start(&ch, peercred_watcher, &c);
		uds_connect(c, &name);
		s = uds_accept(l);
		uds_child_finish(&ch);
		close(s);
		close(c);
	}
	close(l);
#else
	uds_skip("SO_PEERCRED with struct ucred is a Linux interface, absent here");
#endif
}

#ifdef HAVE_RECVMMSG
/* recvmmsg() in a thread on whatever the descriptor number currently names. */
/* The main thread changes fd and stop under the reader: atomics; the rest is read after the join. */
struct mmsg_race {
	atomic_int fd;
	atomic_int stop;
	int bad_errno;          /* an error recvmmsg() must not give */
	int bad_count;          /* a count outside 0..2 */
	long calls;
	int started;            /* write end: one byte after the first call */
};

static void *
mmsg_reader(void *v)
{
	struct mmsg_race *r = v;
	char buf[2][8];
	struct iovec iov[2];
	struct mmsghdr mm[2];
	struct timespec to = { 0, 1000000 };

	for (long i = 0; !r->stop && i < 1000000; i++) {
		memset(mm, 0, sizeof(mm));
		for (int k = 0; k < 2; k++) {
			iov[k] = (struct iovec){ buf[k], sizeof(buf[k]) };
			mm[k].msg_hdr.msg_iov = &iov[k];
			mm[k].msg_hdr.msg_iovlen = 1;
		}
		int n = recvmmsg(r->fd, mm, 2, MSG_DONTWAIT, &to);

		if (r->calls++ == 0 && write(r->started, "s", 1) != 1)
			r->bad_errno = errno;
		if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EBADF &&
		    errno != ENOTSOCK && errno != EINTR && errno != ECONNREFUSED)
			r->bad_errno = errno;
		if (n > 2)
			r->bad_count = n;
	}
	return NULL;
}
#endif

UDS_CASE(recvmmsg_vs_close, "P-18", UDS_DGRAM | UDS_PAIR)
{
#ifdef HAVE_RECVMMSG
	struct mmsg_race r = { .fd = -1 };
	struct budget b;
	pthread_t t;
	int s[2], started[2];
	char c;

	UDS_OK(pipe(started));
	UDS_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, s));
	r.fd = s[1];
	r.started = started[1];
	UDS_EQ(pthread_create(&t, NULL, mmsg_reader, &r), 0, "pthread_create()");
	uds_wait_readable(started[0]);          /* the reader is running */
	UDS_EQ(UDS_OK(read(started[0], &c, 1)), 1, "start byte");
	budget_start(&b, 300, 300);
	while (budget_left(&b)) {
		(void)send(s[0], "d", 1, MSG_DONTWAIT);
		close(s[1]);
		close(s[0]);
		UDS_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, s));
		r.fd = s[1];
	}
	r.stop = 1;
	UDS_EQ(pthread_join(t, NULL), 0, "pthread_join()");
	close(s[0]);
	close(s[1]);
	close(started[0]);
	close(started[1]);
	uds_note("%ld recvmmsg() calls", r.calls);
	UDS_REQUIRE(r.calls > 0, "the reader thread never ran");
	UDS_REQUIRE(r.bad_errno == 0, "recvmmsg() failed with %s", uds_errno_name(r.bad_errno));
	UDS_EQ(r.bad_count, 0, "recvmmsg() count above the vector length");
#else
	uds_skip("needs threads in the C library and recvmmsg() (Linux); not built here");
#endif
}

UDS_CASE(live_inflight_survives_cycle_churn, "P-06", UDS_STREAM | UDS_DGRAM | UDS_PAIR)
{
	struct uds_msg msg;
	struct budget b;
	int pfd[2];

	UDS_OK(pipe(pfd));
	uds_send_fds(p->a, &pfd[1], 1);
	close(pfd[1]);
	budget_start(&b, 100, 1000);
	while (budget_left(&b))
		uds_gc_nudge();
	UDS_EQ(uds_poll(pfd[0], POLLIN, 0), 0, "pipe events while its writer is in flight");
	uds_recv_fds(p->b, 1, 0, &msg);
	UDS_EQ(msg.nfds, 1, "descriptors received");
	UDS_EQ(UDS_OK(write(msg.fds[0], "w", 1)), 1, "bytes written through the received end");
	close(msg.fds[0]);
	{
		char c;

		UDS_EQ(UDS_OK(read(pfd[0], &c, 1)), 1, "byte read from the pipe");
		UDS_EQ(c, 'w', "the byte");
		UDS_EQ(UDS_OK(read(pfd[0], &c, 1)), 0, "end of file once the writer is closed");
	}
	close(pfd[0]);
}

UDS_CASE(oob_cycle_collected_repeatedly, "P-09", UDS_STREAM | UDS_PAIR)
{
	struct budget b;
	int pfd[2], s[2];

	uds_require_oob();
	budget_start(&b, 20, 1500);
	while (budget_left(&b)) {
		UDS_OK(pipe(pfd));
		UDS_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, s));
		UDS_EQ(UDS_OK(uds_sendmsg_fds(s[0], &pfd[1], 1, "p", 1, 0)), 1, "bytes sent");
		UDS_EQ(UDS_OK(uds_sendmsg_fds(s[0], &s[1], 1, "s", 1, MSG_OOB)), 1, "bytes sent");
		close(pfd[1]);
		close(s[0]);
		close(s[1]);
		uds_require_pipe_released(pfd[0]);
		close(pfd[0]);
	}
}

/* A child with its own uid that must be able to put `per` descriptors in flight. */
static void
inflight_ok_child(void *v)
{
	struct inflight_arg *a = v;
	struct rlimit rl = { INFLIGHT_LIMIT, INFLIGHT_LIMIT };

	UDS_OK(setgroups(0, NULL));
	UDS_OK(setgid(a->uid));
	UDS_OK(setuid(a->uid));
	UDS_OK(setrlimit(RLIMIT_NOFILE, &rl));
	for (int i = 0; i < a->per; i++)
		UDS_EQ(UDS_OK(uds_sendmsg_fds(a->sock, &a->sock, 1, "g", 1, MSG_DONTWAIT)), 1,
		    "bytes sent by the second uid");
}

UDS_CASE_ROOT(inflight_charged_per_user, "P-13", UDS_STREAM | UDS_DGRAM | UDS_PAIR)
{
	uds_known_bug("inflight.rlimit");
	uid_t base = private_uid(0);
	struct inflight_arg a = { .sock = p->a, .uid = base, .per = 1 };
	struct inflight_arg bb = { .sock = p->a, .uid = base + 1, .per = INFLIGHT_LIMIT };
	struct uds_child ch;

	inflight_bounded(p, a.uid, 1);
	uds_note("second uid %d", (int)bb.uid);
	uds_child_start(&ch, inflight_ok_child, &bb);
	uds_child_finish(&ch);
}

#if defined(HAVE_SOCK_NONBLOCK) && defined(HAVE_MSG_NOSIGNAL)
/* Connects to the listener's path and sends the listener's descriptor (and a pipe end). */
struct embryo_race {
	struct sockaddr_un sun;
	socklen_t len;
	atomic_int listener;    /* changed by the main thread under the connector */
	int pipe_w;
	atomic_int stop;
	int bad_errno;          /* this and sent are read after the join */
	long sent;
	int started;            /* write end: one byte once running */
};

static ssize_t
send_two_fds(int sock, int fd1, int fd2)
{
	union { struct cmsghdr align; char buf[CMSG_SPACE(2 * sizeof(int))]; } ctl;
	int fds[2] = { fd1, fd2 };
	struct iovec iov = { .iov_base = "e", .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
	    .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	memset(&ctl, 0, sizeof(ctl));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(cm), fds, sizeof(fds));
	return sendmsg(sock, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
}

static void *
embryo_connector(void *v)
{
	struct embryo_race *r = v;

	if (write(r->started, "s", 1) != 1)
		r->bad_errno = errno;
	for (long i = 0; !r->stop && i < 100000; i++) {
		int c = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

		if (c == -1) {
			r->bad_errno = errno;
			break;
		}
		if (connect(c, (struct sockaddr *)&r->sun, r->len) == 0) {
			if (send_two_fds(c, r->listener, r->pipe_w) == 1)
				r->sent++;
			else if (errno != EBADF && errno != EAGAIN && errno != ECONNREFUSED &&
			    errno != ENOTCONN && errno != EPIPE && errno != ECONNRESET)
				r->bad_errno = errno;
		} else if (errno != ENOENT && errno != ECONNREFUSED && errno != EAGAIN)
			r->bad_errno = errno;
		close(c);
	}
	return NULL;
}
#endif

UDS_CASE(gc_vs_embryo_connect, "P-03", UDS_STREAM | UDS_PATH)
{
	uds_known_bug("gc.unreachable_cycles");
#if defined(HAVE_SOCK_NONBLOCK) && defined(HAVE_MSG_NOSIGNAL)
	struct embryo_race r = { .listener = -1 };
	struct uds_addr name;
	struct budget b;
	pthread_t t;
	int pfd[2], started[2];
	char c;

	UDS_OK(pipe(pfd));
	UDS_OK(pipe(started));
	r.started = started[1];
	uds_addr_fresh_path(&name);
	r.sun = name.sun;
	r.len = name.len;
	r.pipe_w = pfd[1];
	UDS_EQ(pthread_create(&t, NULL, embryo_connector, &r), 0, "pthread_create()");
	uds_wait_readable(started[0]);          /* the connector is running */
	UDS_EQ(UDS_OK(read(started[0], &c, 1)), 1, "start byte");
	budget_start(&b, 200, 300);
	while (budget_left(&b)) {
		int l = uds_socket(SOCK_STREAM, false);

		uds_bind(l, &name);
		uds_listen(l, 8);
		r.listener = l;
		for (int i = 0; i < 4 && uds_poll(pfd[0], POLLIN, 0) == 0; i++)
			uds_gc_nudge();
		r.listener = -1;
		close(l);
		UDS_OK(unlink(name.sun.sun_path));
	}
	r.stop = 1;
	UDS_EQ(pthread_join(t, NULL), 0, "pthread_join()");
	close(started[0]);
	close(started[1]);
	uds_note("%ld listener descriptors sent", r.sent);
	UDS_REQUIRE(r.bad_errno == 0, "unexpected error %s", uds_errno_name(r.bad_errno));
	close(pfd[1]);
	uds_require_pipe_released(pfd[0]);
	close(pfd[0]);
#else
	uds_skip("needs threads in the C library (Linux build); not built here");
#endif
}

/* What P-24's child needs: the unbound sender and the receiver's absolute path. */
struct chroot_send {
	int sender;
	struct uds_addr outside;
};

/* One io_uring sendmsg of byte c to the name, forced onto the worker threads (IOSQE_ASYNC). */
static ssize_t
ioring_send_async_to(int sender, struct uds_addr *name, const char *c)
{
	struct iovec iov = { .iov_base = (void *)c, .iov_len = 1 };
	struct msghdr msg = { .msg_name = &name->sun, .msg_namelen = name->len, .msg_iov = &iov,
		.msg_iovlen = 1 };

	return uds_ioring_sendmsg_async(sender, &msg, 0);
}

/* Child of P-24: chrooted to "jail", the outside absolute path names nothing. */
static void
ioring_send_from_chroot(void *arg)
{
	struct chroot_send *cs = arg;

	UDS_OK(chroot("jail"));
	UDS_OK(chdir("/"));
	UDS_FAILS_WITH(ENOENT, ioring_send_async_to(cs->sender, &cs->outside, "c"));
}

/*
 * CVE-2020-29373: io_uring's worker threads resolved a sendmsg()'s socket
 * path against their own root, not the submitter's chroot.  An absolute
 * path (a relative one would miss outside the chroot too) to a receiver
 * bound outside; the same send from outside the chroot is the control.
 */
UDS_CASE_ROOT(io_uring_sendmsg_resolves_in_chroot, "P-24", UDS_DGRAM | UDS_UNBOUND)
{
	struct chroot_send cs = { .sender = p->a };
	struct uds_child child;
	char cwd[128], path[sizeof(cwd) + 16];
	ssize_t rc;

	uds_require_ioring();
	UDS_REQUIRE(getcwd(cwd, sizeof(cwd)) != NULL, "getcwd(): %s", uds_errno_name(errno));
	snprintf(path, sizeof(path), "%s/out-sock", cwd);
	uds_addr_path(&cs.outside, path);
	UDS_OK(mkdir("jail", 0755));
	uds_bind(p->b, &cs.outside);
	rc = ioring_send_async_to(p->a, &cs.outside, "o");
	if (rc == -1 && errno == EINVAL)
		uds_skip("io_uring refuses IOSQE_ASYNC (EINVAL: before Linux 5.6), which forces "
		    "the worker-thread path the CVE is about");
	UDS_EQ(UDS_OK(rc), 1, "bytes sent from outside the chroot");
	uds_recv_expect(p->b, 1, 0, "o", "datagram sent from outside the chroot");
	uds_child_start(&child, ioring_send_from_chroot, &cs);
	uds_child_finish(&child);
	uds_require_nothing_queued(p->b);
	UDS_OK(unlink(path));
	UDS_OK(rmdir("jail"));
}

/* ------------------------------------------------------------------ */
/* P-21: epoll on a datagram sender whose full peer goes away          */
/* ------------------------------------------------------------------ */

#ifdef HAVE_EPOLL
/* The waiter's side of P-21: stop is set by the main thread; the rest is read after the join. */
struct peer_wake_race {
	int ep;
	atomic_int stop;
	int bad_errno;
	long calls;
	int started;            /* write end: one byte once running */
};

static void *
epollout_waiter(void *v)
{
	struct peer_wake_race *r = v;
	struct epoll_event ev;

	if (write(r->started, "s", 1) != 1)
		r->bad_errno = errno;
	while (!r->stop) {
		if (epoll_wait(r->ep, &ev, 1, 1) == -1 && errno != EINTR)
			r->bad_errno = errno;
		r->calls++;
	}
	return NULL;
}
#endif

/*
 * CVE-2013-7446: each round connects the sender to a new receiver, fills
 * that receiver's queue (so EPOLLOUT waits on the receiver) and closes the
 * receiver before, all while a thread waits in epoll_wait() on the sender.
 */
UDS_CASE(epollout_vs_peer_close, "P-21", UDS_NO_KIND)
{
#ifdef HAVE_EPOLL
	struct peer_wake_race r = { .ep = -1 };
	struct epoll_event ev = { .events = EPOLLOUT };
	struct budget b;
	pthread_t t;
	int sender = uds_socket(SOCK_DGRAM, true), rx = -1, started[2];
	static const char block[8192];
	char c;

	UDS_OK(pipe(started));
	r.started = started[1];
	r.ep = (int)UDS_OK(epoll_create1(0));
	UDS_OK(epoll_ctl(r.ep, EPOLL_CTL_ADD, sender, &ev));
	UDS_EQ(pthread_create(&t, NULL, epollout_waiter, &r), 0, "pthread_create()");
	uds_wait_readable(started[0]);          /* the waiter is running */
	UDS_EQ(UDS_OK(read(started[0], &c, 1)), 1, "start byte");
	budget_start(&b, 300, 300);
	while (budget_left(&b)) {
		struct uds_addr name;
		int next = uds_socket(SOCK_DGRAM, false), sent = 0;

		uds_addr_fresh_path(&name);
		uds_bind(next, &name);
		uds_connect(sender, &name);
		/* Full by count (Linux's max_dgram_qlen) or by bytes (gVisor's queue limit). */
		while (sent < 100000 && send(sender, block, sizeof(block), MSG_DONTWAIT) == (ssize_t)sizeof(block))
			sent++;
		UDS_REQUIRE(errno == EAGAIN || errno == EWOULDBLOCK,
		    "send() to the full receiver failed with %s", uds_errno_name(errno));
		if (rx != -1)
			close(rx);
		rx = next;
		UDS_OK(unlink(name.sun.sun_path));
	}
	r.stop = 1;
	UDS_EQ(pthread_join(t, NULL), 0, "pthread_join()");
	close(r.ep);
	close(rx);
	close(sender);
	close(started[0]);
	close(started[1]);
	uds_note("%ld epoll_wait() calls", r.calls);
	UDS_REQUIRE(r.calls > 0, "the waiter thread never ran");
	UDS_REQUIRE(r.bad_errno == 0, "epoll_wait() failed with %s", uds_errno_name(r.bad_errno));
#else
	uds_skip("needs epoll (Linux); not built here");
#endif
}

/* ------------------------------------------------------------------ */
/* P-22: splice() into a stream whose peer the collector purges        */
/* ------------------------------------------------------------------ */

#ifdef HAVE_SPLICE
/*
 * The splicer's side of P-22, one burst per round: the main thread writes
 * the round's socket number to go, the thread splices bytes into it and
 * answers on done; the socket stays open until the answer, so its number
 * is never reused under the thread.  bad_errno is read after the join.
 */
struct splice_race {
	int go, done;           /* pipe ends: the main thread's word, the thread's answer */
	int bad_errno;
	long spliced, calls, purged;    /* purged: rounds ended by ECONNRESET or EPIPE */
};

static void *
splicer(void *v)
{
	struct splice_race *r = v;
	int pfd[2], sock;

	if (pipe(pfd) == -1) {
		r->bad_errno = errno;
		return NULL;
	}
	while (read(r->go, &sock, sizeof(sock)) == (ssize_t)sizeof(sock) && sock != -1) {
		/* Until the collector has purged the peer (ECONNRESET, EPIPE), or 1000 tries. */
		for (int i = 0; i < 1000; i++) {
			ssize_t n;

			if (write(pfd[1], "s", 1) != 1) {
				r->bad_errno = errno;
				break;
			}
			n = splice(pfd[0], NULL, sock, NULL, 1, SPLICE_F_NONBLOCK);
			r->calls++;
			if (n == 1)
				r->spliced++;
			else if (n == -1 && errno != EPIPE && errno != ECONNRESET && errno != EAGAIN)
				r->bad_errno = errno;
			if (n != 1) {
				char c;

				(void)!read(pfd[0], &c, 1);     /* the byte splice() left behind */
				if (n == -1 && errno == EAGAIN)
					continue;               /* the peer's queue is full: again */
				r->purged += n == -1 && (errno == EPIPE || errno == ECONNRESET);
				break;
			}
		}
		if (write(r->done, "d", 1) != 1)
			r->bad_errno = errno;
	}
	close(pfd[0]);
	close(pfd[1]);
	return NULL;
}
#endif

/*
 * CVE-2023-4622: unix_stream_sendpage() (splice() into a stream socket,
 * before Linux 6.5 removed sendpage) added to the last skb of the peer's
 * receive queue without its lock while the collector purged that queue.
 * Each round makes the peer garbage -- a socket whose only reference is
 * itself, in flight in its own queue -- and nudges the collector while
 * the thread splices into the live end.
 */
UDS_CASE(splice_vs_gc_purge, "P-22", UDS_NO_KIND)
{
#ifdef HAVE_SPLICE
	struct splice_race r = { .bad_errno = 0 };
	struct budget b;
	pthread_t t;
	int go[2], done[2], stop = -1;
	char c;

	UDS_REQUIRE(signal(SIGPIPE, SIG_IGN) != SIG_ERR, "signal(SIGPIPE) failed");
	UDS_OK(pipe(go));
	UDS_OK(pipe(done));
	r.go = go[0];
	r.done = done[1];
	UDS_EQ(pthread_create(&t, NULL, splicer, &r), 0, "pthread_create()");
	budget_start(&b, 200, 300);
	while (budget_left(&b)) {
		int sv[2];

		UDS_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
		uds_send_fds(sv[0], &sv[1], 1);         /* sv[1] in flight in its own queue */
		UDS_OK(close(sv[1]));                   /* now garbage: only the collector frees it */
		UDS_EQ(UDS_OK(write(go[1], &sv[0], sizeof(sv[0]))), (ssize_t)sizeof(sv[0]),
		    "the round's word to the thread");
		uds_gc_nudge();
		uds_gc_nudge();
		uds_wait_readable(done[0]);
		UDS_EQ(UDS_OK(read(done[0], &c, 1)), 1, "the thread's answer");
		close(sv[0]);
	}
	UDS_EQ(UDS_OK(write(go[1], &stop, sizeof(stop))), (ssize_t)sizeof(stop), "the stop word");
	UDS_EQ(pthread_join(t, NULL), 0, "pthread_join()");
	close(go[0]);
	close(go[1]);
	close(done[0]);
	close(done[1]);
	uds_note("%ld splice() calls, %ld bytes spliced, %ld rounds ended by the collector's purge",
	    r.calls, r.spliced, r.purged);
	UDS_REQUIRE(r.calls > 0, "the splicing thread never ran");
	UDS_REQUIRE(r.bad_errno == 0, "splice() or its pipe failed with %s", uds_errno_name(r.bad_errno));
#else
	uds_skip("needs splice() (Linux); not built here");
#endif
}
