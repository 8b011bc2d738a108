/*
 * deadline.c - every wait is bounded.  Waits go through poll() with a
 * deadline; "this call must block" arms a one-shot interval timer whose
 * SIGALRM (installed without SA_RESTART) interrupts the call with EINTR.
 */
#include "uds_internal.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static int deadline_cap;

int
uds_deadline_ms(void)
{
	static int ms;

	if (ms == 0) {
		const char *env = getenv("UDS_DEADLINE_MS");
		long v = env != NULL ? strtol(env, NULL, 10) : 0;

		ms = v >= 200 && v <= 60000 ? (int)v : 5000;
	}
	return deadline_cap > 0 && deadline_cap < ms ? deadline_cap : ms;
}

void
uds_deadline_cap(int ms)
{
	deadline_cap = ms;
}

void
uds_deadline(struct timespec *deadline, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, deadline);
	deadline->tv_sec += ms / 1000;
	deadline->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (deadline->tv_nsec >= 1000000000L) {
		deadline->tv_sec++;
		deadline->tv_nsec -= 1000000000L;
	}
}

long
uds_ms_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000L;
}

int
uds_ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000L;
	return ms < 0 ? 0 : (int)ms;
}

short
uds_poll(int fd, short events, int ms)
{
	struct timespec deadline;
	struct pollfd pfd = { .fd = fd, .events = events };

	uds_deadline(&deadline, ms);
	for (;;) {
		int rc = poll(&pfd, 1, uds_ms_left(&deadline));

		if (rc > 0)
			return pfd.revents;
		if (rc == 0)
			return 0;
		UDS_REQUIRE(errno == EINTR, "poll(fd %d) failed: %s", fd, uds_errno_name(errno));
	}
}

void
uds_wait_readable(int fd)
{
	short rev = uds_poll(fd, POLLIN, UDS_DEADLINE_MS);

	UDS_REQUIRE(rev != 0, "fd %d did not become readable within %d ms", fd, UDS_DEADLINE_MS);
	UDS_REQUIRE(!(rev & POLLNVAL), "fd %d is not open (POLLNVAL)", fd);
}

void
uds_wait_writable(int fd)
{
	short rev = uds_poll(fd, POLLOUT, UDS_DEADLINE_MS);

	UDS_REQUIRE(rev != 0, "fd %d did not become writable within %d ms", fd, UDS_DEADLINE_MS);
	UDS_REQUIRE(!(rev & POLLNVAL), "fd %d is not open (POLLNVAL)", fd);
}

void
uds_require_nothing_queued(int fd)
{
	short rev = uds_poll(fd, POLLIN, 0);

	UDS_REQUIRE(!(rev & POLLIN), "fd %d is readable, but nothing should be queued", fd);
}

static void
on_alarm(int sig)
{
	(void)sig;
}

void
uds_timer_arm(int ms)
{
	struct sigaction sa;
	struct itimerval it;

	UDS_REQUIRE(!uds_in_thread(), "suite bug: a timer armed inside a harness thread, whose "
	    "signals are blocked (the main thread's wait is its deadline)");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;        /* no SA_RESTART: the blocked call must see EINTR */
	UDS_OK(sigaction(SIGALRM, &sa, NULL));
	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = (ms % 1000) * 1000;
	it.it_interval = it.it_value;   /* again, should the first tick beat the call */
	UDS_OK(setitimer(ITIMER_REAL, &it, NULL));
}

void
uds_timer_disarm(void)
{
	struct itimerval off;

	memset(&off, 0, sizeof(off));
	setitimer(ITIMER_REAL, &off, NULL);
}

void
uds_block_arm(void)
{
	uds_timer_arm(UDS_BLOCK_MS);
}

long
uds_timer_check_at(const char *file, int line, const char *what, long rc, int ms)
{
	int err = errno;

	uds_timer_disarm();
	if (rc == -1 && err == EINTR)
		uds_fail_at(file, line, "%s was still blocked after %d ms", what, ms);
	errno = err;
	return rc;
}

void
uds_would_block_at(const char *file, int line, const char *what, long rc)
{
	int err = errno;

	if (rc != -1)
		uds_fail_at(file, line, "%s returned %ld; expected EAGAIN or EWOULDBLOCK", what, rc);
	if (err != EAGAIN && err != EWOULDBLOCK)
		uds_fail_at(file, line, "%s: expected EAGAIN or EWOULDBLOCK, got %s", what,
		    uds_errno_name(err));
}

void
uds_block_check_at(const char *file, int line, const char *what, long rc)
{
	int err = errno;

	uds_timer_disarm();
	if (rc != -1)
		uds_fail_at(file, line, "%s returned %ld at once; it should have blocked (>= %d ms)",
		    what, rc, UDS_BLOCK_MS);
	if (err != EINTR)
		uds_fail_at(file, line, "%s failed with %s at once; it should have blocked", what,
		    uds_errno_name(err));
}

void
uds_send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = send(fd, p + done, len - done, 0);

		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
			uds_wait_writable(fd);
			continue;
		}
		UDS_REQUIRE(n > 0, "send() after %zu of %zu bytes: %s", done, len,
		    n == -1 ? uds_errno_name(errno) : "returned 0");
		done += (size_t)n;
	}
}

void
uds_recv_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n;

		uds_wait_readable(fd);
		n = recv(fd, p + done, len - done, 0);
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			continue;
		UDS_REQUIRE(n != -1, "recv() after %zu of %zu bytes: %s", done, len,
		    uds_errno_name(errno));
		UDS_REQUIRE(n != 0, "end of file after %zu of %zu bytes", done, len);
		done += (size_t)n;
	}
}

void
uds_send_one(int fd, const void *buf, size_t len)
{
	for (;;) {
		ssize_t n = send(fd, buf, len, 0);

		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
			uds_wait_writable(fd);
			continue;
		}
		UDS_REQUIRE(n != -1, "send() of %zu bytes failed: %s", len, uds_errno_name(errno));
		UDS_EQ(n, len, "bytes taken by one send()");
		return;
	}
}

ssize_t
uds_recvmsg_flags(int fd, void *buf, size_t len, int flags, int *msg_flags)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg;
	ssize_t n;

	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (!(flags & MSG_DONTWAIT))
		uds_wait_readable(fd);
	n = recvmsg(fd, &msg, flags);
	UDS_REQUIRE(n != -1, "recvmsg(%zu bytes, flags %#x) failed: %s", len, (unsigned)flags,
	    uds_errno_name(errno));
	if (msg_flags != NULL)
		*msg_flags = msg.msg_flags;
	return n;
}

ssize_t
uds_recv_one(int fd, void *buf, size_t len, int flags)
{
	return uds_recvmsg_flags(fd, buf, len, flags, NULL);
}

void
uds_recv_expect(int fd, size_t len, int flags, const char *want, const char *what)
{
	char buf[4096];
	size_t wlen = strlen(want);
	ssize_t n;

	UDS_REQUIRE(len <= sizeof(buf), "suite bug: %s: a receive of %zu bytes (at most %zu)",
	    what, len, sizeof(buf));
	n = uds_recv_one(fd, buf, len, flags);
	UDS_REQUIRE(n == (ssize_t)wlen && memcmp(buf, want, wlen) == 0,
	    "%s: %zd bytes \"%.*s\", expected %zu bytes \"%s\"", what, n, (int)n, buf, wlen, want);
}

long
uds_fill(int fd, size_t chunk)
{
	char buf[4096];
	long total = 0;

	UDS_REQUIRE(chunk <= sizeof(buf), "suite bug: fill chunk %zu > %zu", chunk, sizeof(buf));
	memset(buf, 'f', sizeof(buf));
	for (int i = 0; i < 1000000; i++) {
		ssize_t n = send(fd, buf, chunk, MSG_DONTWAIT);

		if (n == -1) {
			UDS_REQUIRE(errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS,
			    "filling send failed with %s", uds_errno_name(errno));
			return total;
		}
		total += n;
	}
	uds_fail_at(__FILE__, __LINE__, "a million sends never filled the socket");
}

void
uds_drain(int fd, long bytes)
{
	char buf[4096];

	while (bytes > 0) {
		size_t n = bytes < (long)sizeof(buf) ? (size_t)bytes : sizeof(buf);

		uds_recv_all(fd, buf, n);
		bytes -= (long)n;
	}
}
