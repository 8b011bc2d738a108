/*
 * thread.c - a second thread of the case process, for rules that need one
 * descriptor table (a close() in another thread, a call another thread is
 * sleeping in).  atf-c is not thread-safe, so a check that fails inside
 * the thread only records its message and ends the thread; the main
 * thread, waiting with the deadline, turns it into the case's failure.  A
 * thread still running at the deadline fails the case, and the case
 * process exits: no thread outlives it.
 *
 * "Blocked in the call" is observed, not assumed, where the kernel shows
 * it: on Linux (and gVisor) /proc/self/task/<tid>/stat says 'S' (sleeping)
 * and /proc/self/task/<tid>/syscall names the system call it sleeps in.
 * Elsewhere, or without /proc, the fallback is documented in uds.h.
 */
#include "uds_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__) && !defined(UDS_LINUX_FEATURES_OFF)
#include <sys/syscall.h>
#define UDS_PROC_TASKS 1
#endif

#define MAX_THREADS 8

static struct uds_thread *running[MAX_THREADS];
static int nrunning;
static _Thread_local struct uds_thread *self;

bool
uds_in_thread(void)
{
	return self != NULL;
}

static void __attribute__((noreturn))
thread_end(struct uds_thread *t)
{
	char byte = 'x';

	/* The pipe write orders everything above before the main thread's read. */
	while (write(t->done[1], &byte, 1) == -1 && errno == EINTR)
		continue;
	pthread_exit(NULL);
}

void
uds_thread_report(char tag, const char *msg)
{
	snprintf(self->msg, sizeof(self->msg), "%s", msg);
	self->tag = tag;
	thread_end(self);
}

static void *
thread_main(void *arg)
{
	struct uds_thread *t = arg;

	self = t;
#ifdef UDS_PROC_TASKS
	atomic_store(&t->tid, (long)syscall(SYS_gettid));
#endif
	t->rc = t->fn(t->arg);
	t->err = errno;
	thread_end(t);
}

void
uds_thread_start(struct uds_thread *t, long (*fn)(void *), void *arg)
{
	sigset_t all, old;
	int rc;

	UDS_REQUIRE(nrunning < MAX_THREADS, "more than %d threads at once", MAX_THREADS);
	memset(t, 0, sizeof(*t));
	t->fn = fn;
	t->arg = arg;
	UDS_OK(pipe(t->done));
	/* Signals (the deadline timers, the watchdog) stay with the main thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&t->handle, NULL, thread_main, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	UDS_REQUIRE(rc == 0, "pthread_create: %s", uds_errno_name(rc));
	running[nrunning++] = t;
}

void
uds_thread_about_to_block(void)
{
	UDS_REQUIRE(self != NULL, "suite bug: uds_thread_about_to_block() outside a harness thread");
	atomic_store(&self->entering, 1);
}

static bool
thread_ended(struct uds_thread *t)
{
	struct pollfd pfd = { .fd = t->done[0], .events = POLLIN };

	return poll(&pfd, 1, 0) == 1;
}

long
uds_thread_finish(struct uds_thread *t)
{
	int err;

	if (!(uds_poll(t->done[0], POLLIN, UDS_DEADLINE_MS) & (POLLIN | POLLHUP)))
		uds_fail_at(__FILE__, __LINE__, "thread still running after %d ms: its call never "
		    "returned (the case process exits, ending it)", UDS_DEADLINE_MS);
	UDS_REQUIRE(pthread_join(t->handle, NULL) == 0, "pthread_join failed");
	for (int i = 0; i < nrunning; i++)
		if (running[i] == t)
			running[i] = running[--nrunning];
	close(t->done[0]);
	close(t->done[1]);
	if (t->tag == 'F')
		uds_fail_at(__FILE__, __LINE__, "in thread: %s", t->msg);
	if (t->tag == 'S')
		uds_skip("%s", t->msg);
	err = t->err;
	errno = err;
	return t->rc;
}

void
uds_threads_finish_all(void)
{
	while (nrunning > 0)
		(void)uds_thread_finish(running[0]);
}

enum task_state { TASK_RUNNING, TASK_IN_CALL, TASK_UNKNOWN };

/*
 * Linux: the task sleeps ('S' after the command name in stat) inside a
 * system call (syscall's first field a number; "running", or -1 for a
 * sleep outside any call, is not).  Sets nr to the call's number.
 */
static enum task_state
task_state(struct uds_thread *t, long *nr)
{
#ifdef UDS_PROC_TASKS
	char path[64], buf[512];
	const char *paren;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/stat", atomic_load(&t->tid));
	if ((fd = open(path, O_RDONLY)) == -1)
		return TASK_UNKNOWN;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	paren = strrchr(buf, ')');
	if (paren == NULL || paren[1] != ' ' || paren[2] != 'S')
		return TASK_RUNNING;
	snprintf(path, sizeof(path), "/proc/self/task/%ld/syscall", atomic_load(&t->tid));
	if ((fd = open(path, O_RDONLY)) == -1) {
		*nr = -1;       /* gVisor has no syscall file: the sleep is all it shows */
		return TASK_IN_CALL;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	if (sscanf(buf, "%ld", nr) != 1 || *nr < 0)
		return TASK_RUNNING;
	return TASK_IN_CALL;
#else
	(void)t;
	(void)nr;
	return TASK_UNKNOWN;
#endif
}

/* The thread's call came back before the main thread acted: that is the case's failure. */
static void __attribute__((noreturn))
returned_at_once(struct uds_thread *t, const char *file, int line, const char *what)
{
	long rc = uds_thread_finish(t);

	uds_fail_at(file, line, "%s returned %s without blocking", what, uds_result_str(rc, errno));
}

void
uds_thread_wait_blocked_at(const char *file, int line, struct uds_thread *t, const char *what)
{
	struct timespec deadline;
	enum task_state st = TASK_RUNNING;
	long nr = -1;

	uds_deadline(&deadline, UDS_DEADLINE_MS);
	while (!atomic_load(&t->entering) || (st = task_state(t, &nr)) == TASK_RUNNING) {
		if (thread_ended(t))
			returned_at_once(t, file, line, what);
		if (uds_ms_left(&deadline) == 0)
			uds_fail_at(file, line, "%s: the thread was not asleep in it within %d ms",
			    what, UDS_DEADLINE_MS);
		(void)poll(NULL, 0, 1);         /* a short, bounded pause between looks */
	}
	if (st == TASK_UNKNOWN) {
		/* No way to see the thread's state: give its call UDS_BLOCK_MS to start sleeping. */
		if (uds_poll(t->done[0], POLLIN, UDS_BLOCK_MS) != 0)
			returned_at_once(t, file, line, what);
		uds_note("%s: thread state not observable here; assumed asleep after %d ms", what,
		    UDS_BLOCK_MS);
	} else if (thread_ended(t)) {
		returned_at_once(t, file, line, what);
	} else {
		uds_note("%s: thread asleep in system call %ld", what, nr);
	}
}
