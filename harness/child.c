/*
 * child.c - helper processes.  Each child reports a failed check through a
 * pipe and exits; the parent waits for it through poll() with a deadline,
 * kills it when the deadline passes, and turns its failure into the
 * case's.  No child outlives its case: the body's end and exit() both
 * kill and reap whatever is left.
 */
#include "uds_internal.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CHILDREN 64

static pid_t running[MAX_CHILDREN];
static int nrunning;

static void
forget(pid_t pid)
{
	for (int i = 0; i < nrunning; i++)
		if (running[i] == pid) {
			running[i] = running[--nrunning];
			return;
		}
}

void
uds_children_kill_all(void)
{
	while (nrunning > 0) {
		pid_t pid = running[--nrunning];

		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
			continue;
	}
}

void
uds_child_start(struct uds_child *c, void (*fn)(void *), void *arg)
{
	int fds[2];

	UDS_REQUIRE(nrunning < MAX_CHILDREN, "more than %d children at once", MAX_CHILDREN);
	UDS_OK(pipe(fds));
	fflush(stdout);
	fflush(stderr);
	c->pid = (pid_t)UDS_OK(fork());
	if (c->pid == 0) {
		close(fds[0]);
		nrunning = 0;           /* the parent's children are not ours */
		uds_child_report_fd = fds[1];
		fn(arg);
		_exit(0);
	}
	close(fds[1]);
	c->report_fd = fds[0];
	running[nrunning++] = c->pid;
}

int
uds_child_wait(struct uds_child *c)
{
	struct timespec deadline;
	char msg[2400];
	size_t len = 0;
	int status;

	uds_deadline(&deadline, UDS_DEADLINE_MS);
	for (;;) {
		struct pollfd pfd = { .fd = c->report_fd, .events = POLLIN };
		int rc = poll(&pfd, 1, uds_ms_left(&deadline));
		ssize_t n;

		if (rc == -1 && errno == EINTR)
			continue;
		if (rc <= 0) {
			kill(c->pid, SIGKILL);
			waitpid(c->pid, NULL, 0);
			forget(c->pid);
			close(c->report_fd);
			uds_fail_at(__FILE__, __LINE__, "child %ld still running after %d ms: killed",
			    (long)c->pid, UDS_DEADLINE_MS);
		}
		n = read(c->report_fd, msg + len, sizeof(msg) - 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0 || len + (size_t)n >= sizeof(msg) - 1)
			break;
		len += (size_t)n;
	}
	msg[len] = '\0';
	close(c->report_fd);
	/* The pipe closed: the child has exited (or exec'ed and exited). */
	while (waitpid(c->pid, &status, 0) == -1)
		UDS_REQUIRE(errno == EINTR, "waitpid(%ld): %s", (long)c->pid, uds_errno_name(errno));
	forget(c->pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == UDS_CHILD_FAILED && len > 1)
		uds_fail_at(__FILE__, __LINE__, "in child: %s", msg + 1);
	if (WIFEXITED(status) && WEXITSTATUS(status) == UDS_CHILD_SKIPPED && len > 1)
		uds_skip("%s", msg + 1);
	return status;
}

void
uds_child_finish(struct uds_child *c)
{
	int status = uds_child_wait(c);

	if (WIFSIGNALED(status))
		uds_fail_at(__FILE__, __LINE__, "child %ld killed by signal %d (%s)", (long)c->pid,
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
	UDS_REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "child %ld exited with status %d", (long)c->pid, WEXITSTATUS(status));
}
