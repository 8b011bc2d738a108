/*
 * sigpipe.c - counting the SIGPIPEs a send raises (the case process ignores
 * SIGPIPE otherwise, so that a write to a closed peer shows as EPIPE).
 */
#include "uds_internal.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

static volatile sig_atomic_t sigpipes;
static struct sigaction sigpipe_saved;

static void
count_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

void
uds_sigpipe_count_start(void)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = count_sigpipe;
	sigemptyset(&sa.sa_mask);
	sigpipes = 0;
	UDS_OK(sigaction(SIGPIPE, &sa, &sigpipe_saved));
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	UDS_OK(sigprocmask(SIG_UNBLOCK, &set, NULL));
}

int
uds_sigpipe_count_stop(void)
{
	UDS_OK(sigaction(SIGPIPE, &sigpipe_saved, NULL));
	return sigpipes;
}

int
uds_send_epipe_sigpipes(int fd, int flags)
{
	long rc;
	int err, raised;

	uds_sigpipe_count_start();
	rc = send(fd, "x", 1, flags);
	err = errno;
	raised = uds_sigpipe_count_stop();
	errno = err;
	UDS_FAILS_WITH(EPIPE, rc);
	return raised;
}

void
uds_require_sigpipe_raised(const struct uds_pair *p, int raised, const char *what)
{
	if (p->kind->type == SOCK_STREAM) {
		uds_known_bug("sigpipe.on_send");
		UDS_EQ(raised, 1, what);
	} else
		UDS_EXPECT_VALUE("send.seqpacket_peer_closed_sigpipe", raised);
}
