/*
 * inflight_test - in-flight descriptor garbage collection and limits
 * (catalogue area N).  Unreachable cycles of sockets passed over sockets
 * must be reclaimed: each graph carries the write end of a pipe in flight,
 * and the read end seeing end-of-file proves the graph was collected.
 * Linux collects asynchronously (a work item queued on close, waited for by
 * a later sendmsg() of descriptors), so the check waits with a deadline
 * and triggers the collector once more half-way.  The limits: descriptors
 * per message, in flight per user, and on the receiver's table.
 */
#include "uds.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <unistd.h>

#define GC_SPEC "observed: Linux net/unix/garbage.c (unix_gc); kselftest net/af_unix/scm_rights.c"
#define MAX_NODES 8

static void
require_not_collected(int pipe_r)
{
	UDS_EQ(uds_poll(pipe_r, POLLIN, 0), 0, "events on the pipe while the graph is reachable");
}

/*
 * The pipe's write end is in flight in a graph still reachable through socks:
 * not collected yet; once socks are closed, reclaimed (pipe_r is closed too).
 */
static void
close_and_require_reclaimed(int pipe_r, const int *socks, int nsocks)
{
	require_not_collected(pipe_r);
	for (int i = 0; i < nsocks; i++)
		close(socks[i]);
	uds_require_pipe_released(pipe_r);
	close(pipe_r);
}

/*
 * A graph of n socketpairs of the type: edge {i, j} puts node j's receiving
 * end in node i's receive queue.  pipes[k] (if >= 0) puts pipe write end k
 * in node k's queue.  Everything the process holds is closed afterwards,
 * except keep (a node index, or -1).
 */
struct graph {
	int n;
	int a[MAX_NODES], b[MAX_NODES];
};

static void
graph_build(struct graph *g, int type, int n, const int (*edges)[2], int nedges,
    const int *pipe_w, int npipes)
{
	int sv[2];

	g->n = n;
	for (int i = 0; i < n; i++) {
		UDS_OK(socketpair(AF_UNIX, type, 0, sv));
		g->a[i] = sv[0];
		g->b[i] = sv[1];
	}
	for (int e = 0; e < nedges; e++)
		uds_send_fds(g->a[edges[e][0]], &g->b[edges[e][1]], 1);
	for (int k = 0; k < npipes; k++)
		uds_send_fds(g->a[k], &pipe_w[k], 1);
}

static void
graph_close(struct graph *g)
{
	for (int i = 0; i < g->n; i++) {
		close(g->a[i]);
		close(g->b[i]);
	}
}

/* Builds the graph with one pipe per listed node, closes it all, requires reclaim. */
static void
graph_collected(int type, int n, const int (*edges)[2], int nedges, int npipes)
{
	int pr[MAX_NODES], pw[MAX_NODES], fds[2];
	struct graph g;

	for (int k = 0; k < npipes; k++) {
		UDS_OK(pipe(fds));
		pr[k] = fds[0];
		pw[k] = fds[1];
	}
	graph_build(&g, type, n, edges, nedges, pw, npipes);
	for (int k = 0; k < npipes; k++)
		close(pw[k]);
	for (int k = 0; k < npipes; k++)
		require_not_collected(pr[k]);
	graph_close(&g);
	for (int k = 0; k < npipes; k++) {
		uds_require_pipe_released(pr[k]);
		close(pr[k]);
	}
}

UDS_CASE(self_sent_socket_reclaimed, "N-01", UDS_STREAM | UDS_DGRAM | UDS_PAIR)
{
	uds_known_bug("gc.unreachable_cycles");
	static const int edges[][2] = { { 0, 0 } };

	graph_collected(p->kind->type, 1, edges, 1, 1);
}

UDS_CASE(pair_ends_sent_over_themselves_reclaimed, "N-02", UDS_STREAM | UDS_DGRAM | UDS_PAIR)
{
	uds_known_bug("gc.unreachable_cycles");
	int fds[2];
	int sv[2];

	UDS_OK(pipe(fds));
	UDS_OK(socketpair(AF_UNIX, p->kind->type, 0, sv));
	uds_send_fds(sv[0], &sv[0], 1);
	uds_send_fds(sv[1], &sv[1], 1);
	uds_send_fds(sv[0], &fds[1], 1);
	close(fds[1]);
	close_and_require_reclaimed(fds[0], sv, 2);
}

UDS_CASE(two_three_cycles_reclaimed, "N-03", UDS_STREAM | UDS_DGRAM | UDS_PAIR)
{
	uds_known_bug("gc.unreachable_cycles");
	static const int edges[][2] = { { 0, 1 }, { 1, 2 }, { 2, 0 }, { 3, 4 }, { 4, 5 }, { 5, 3 } };

	graph_collected(p->kind->type, 6, edges, 6, 4);
}

UDS_CASE(cycle_with_cross_edge_reclaimed, "N-04", UDS_STREAM | UDS_DGRAM | UDS_PAIR)
{
	uds_known_bug("gc.unreachable_cycles");
	static const int edges[][2] = { { 0, 1 }, { 1, 2 }, { 2, 3 }, { 3, 0 }, { 0, 2 } };

	graph_collected(p->kind->type, 4, edges, 5, 2);
}

UDS_CASE(backtracking_graph_reclaimed, "N-05", UDS_STREAM | UDS_DGRAM | UDS_PAIR)
{
	uds_known_bug("gc.unreachable_cycles");
	static const int edges[][2] = { { 0, 1 }, { 1, 2 }, { 2, 1 }, { 2, 3 }, { 3, 4 },
	    { 4, 3 }, { 4, 0 } };

	graph_collected(p->kind->type, 5, edges, 7, 5);
}

UDS_CASE(mixed_lowlink_graph_reclaimed, "N-06", UDS_STREAM | UDS_DGRAM | UDS_PAIR)
{
	uds_known_bug("gc.unreachable_cycles");
	static const int edges[][2] = { { 0, 1 }, { 1, 2 }, { 2, 0 }, { 2, 3 }, { 3, 4 },
	    { 4, 2 }, { 4, 5 }, { 5, 5 } };

	graph_collected(p->kind->type, 6, edges, 8, 6);
}

UDS_CASE(oob_carried_cycle_reclaimed, "N-07", UDS_STREAM | UDS_PAIR)
{
	int fds[2], sv[2];

	uds_require_oob();
	UDS_OK(pipe(fds));
	UDS_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	UDS_EQ(UDS_OK(uds_sendmsg_fds(sv[0], &fds[1], 1, "p", 1, MSG_OOB)), 1, "bytes sent");
	UDS_EQ(UDS_OK(uds_sendmsg_fds(sv[0], &sv[1], 1, "s", 1, MSG_OOB)), 1, "bytes sent");
	close(fds[1]);
	close_and_require_reclaimed(fds[0], sv, 2);
}

UDS_CASE(listener_embryo_cycle_reclaimed, "N-08", UDS_STREAM | UDS_NAMED)
{
	uds_known_bug("gc.unreachable_cycles");
	struct uds_addr name;
	int fds[2], l = uds_listener(p->kind, &name), c = uds_socket(SOCK_STREAM, false);

	UDS_OK(pipe(fds));
	uds_connect(c, &name);
	uds_send_fds(c, &l, 1);
	uds_send_fds(c, &fds[1], 1);
	close(fds[1]);
	close(c);
	close_and_require_reclaimed(fds[0], &l, 1);
}

UDS_CASE(passrights_off_refuses_cycle, "N-10", UDS_STREAM | UDS_DGRAM | UDS_PAIR)
{
	int sv[2];
	char c;

	UDS_OK(socketpair(AF_UNIX, p->kind->type, 0, sv));
	uds_passrights_off(sv[1]);
	UDS_FAILS_WITH(EPERM, uds_sendmsg_fds(sv[0], &sv[1], 1, "r", 1, 0));
	UDS_FAILS_WITH(EPERM, uds_sendmsg_fds(sv[0], &sv[0], 1, "r", 1, 0));
	uds_require_nothing_queued(sv[1]);
	uds_send_one(sv[0], "d", 1);
	UDS_EQ(uds_recv_one(sv[1], &c, 1, 0), 1, "plain data received");
	close(sv[0]);
	close(sv[1]);
}

UDS_CASE_ROOT(cap_sys_resource_exceeds_rlimit, "N-13", UDS_STREAM | UDS_DGRAM | UDS_PAIR)
{
	enum { PER = 8, MSGS = 5 };
	struct rlimit saved, low;
	int fds[PER];
	struct uds_msg msg;

	uds_note("running as uid %d", (int)getuid());
	for (int i = 0; i < PER; i++)
		fds[i] = p->a;
	UDS_OK(getrlimit(RLIMIT_NOFILE, &saved));
	low = saved;
	low.rlim_cur = 16;
	UDS_OK(setrlimit(RLIMIT_NOFILE, &low));
	for (int m = 0; m < MSGS; m++) {
		ssize_t rc = uds_sendmsg_fds(p->a, fds, PER, "m", 1, 0);
		int err = errno;

		if (rc != 1)
			setrlimit(RLIMIT_NOFILE, &saved);
		UDS_REQUIRE(rc == 1, "message %d (%d in flight): %zd (%s)", m, m * PER, rc,
		    uds_errno_name(err));
	}
	UDS_OK(setrlimit(RLIMIT_NOFILE, &saved));
	for (int m = 0; m < MSGS; m++) {
		uds_recv_fds(p->b, PER, 0, &msg);
		UDS_EQ(msg.nfds, PER, "descriptors received");
		for (int i = 0; i < msg.nfds; i++)
			close(msg.fds[i]);
	}
}

UDS_CASE(receiver_at_rlimit, "N-14", UDS_ALL_TYPES | UDS_PAIR)
{
	uds_known_bug("scm_rights.excess_closed");
	enum { FILL = 64 };
	struct rlimit saved, low;
	int fill[FILL], nfill = 0, pfd[2], four[4];
	struct uds_msg msg;
	ssize_t rc;
	int err;
	char c;

	UDS_OK(pipe(pfd));
	for (int i = 0; i < 4; i++)
		four[i] = pfd[1];
	uds_send_fds(p->a, four, 4);
	UDS_OK(getrlimit(RLIMIT_NOFILE, &saved));
	low = saved;
	low.rlim_cur = (rlim_t)uds_fds_count() + 8;
	UDS_OK(setrlimit(RLIMIT_NOFILE, &low));
	while (nfill < FILL && (fill[nfill] = dup(0)) >= 0)
		nfill++;
	for (int i = 0; i < 2 && nfill > 0; i++)
		close(fill[--nfill]);
	rc = uds_recvmsg_ctl(p->b, &c, 1, CMSG_SPACE(4 * sizeof(int)), 0, &msg);
	err = errno;
	while (nfill > 0)
		close(fill[--nfill]);
	UDS_OK(setrlimit(RLIMIT_NOFILE, &saved));
	errno = err;
	UDS_EXPECT_RESULT("scm_rights.recv_over_rlimit", rc);
	if (rc == -1) {         /* the documented failure (FreeBSD EMFILE): nothing was installed */
		close(pfd[0]);
		close(pfd[1]);
		return;
	}
	UDS_EQ(msg.nfds, 2, "descriptors installed");
	UDS_EXPECT_VALUE("scm_rights.recv_over_rlimit_ctrunc", (msg.flags & MSG_CTRUNC) != 0);
	for (int i = 0; i < msg.nfds; i++) {
		UDS_REQUIRE(uds_same_file(msg.fds[i], pfd[1]), "received descriptor %d", i);
		close(msg.fds[i]);
	}
	close(pfd[1]);
	uds_require_pipe_released(pfd[0]);     /* the excess copies were closed */
	close(pfd[0]);
}

/* ------------------------------------------------------------------ */
/* Per-message limit (N-12)                                            */
/* ------------------------------------------------------------------ */

/* Raises the soft RLIMIT_NOFILE to at least need (within the hard limit); saves the old one. */
static void
nofile_at_least(rlim_t need, struct rlimit *saved)
{
	struct rlimit rl;

	UDS_OK(getrlimit(RLIMIT_NOFILE, saved));
	rl = *saved;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
		UDS_REQUIRE(rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need,
		    "RLIMIT_NOFILE hard limit %llu is below the %llu descriptors needed",
		    (unsigned long long)rl.rlim_max, (unsigned long long)need);
		rl.rlim_cur = need;
		UDS_OK(setrlimit(RLIMIT_NOFILE, &rl));
	}
}

UDS_CASE(per_message_limit_accepted, "N-12", UDS_ALL_TYPES | UDS_CONNECTED | UDS_BOTH_MODES,
    .note = "the limit: accepted")
{
	long limit = uds_expected_value("scm_rights.max_fds");
	int f = uds_temp_file("many"), fds[UDS_MAX_PASS];
	struct rlimit saved;
	struct uds_msg m;
	char buf[8];

	UDS_REQUIRE(limit > 0 && limit < UDS_MAX_PASS, "suite bug: limit %ld", limit);
	nofile_at_least((rlim_t)(2 * limit + 64), &saved);
	for (long i = 0; i < limit; i++)
		fds[i] = f;
	UDS_EQ(UDS_OK(uds_sys_sendmsg_fds(p->a, fds, (int)limit, NULL, 0, 0)), 1,
	    "bytes sent with the limit of descriptors");
	uds_recv_fds_only(p->b, buf, sizeof(buf), (int)limit, 0, &m);
	UDS_EQ(m.nfds, limit, "descriptors received");
	UDS_REQUIRE(!(m.flags & MSG_CTRUNC), "MSG_CTRUNC set with room for all");
	for (int i = 0; i < m.nfds; i++)
		UDS_REQUIRE(uds_same_file(m.fds[i], f), "descriptor #%d is not the file sent", i);
	uds_close_received(&m);
	UDS_OK(setrlimit(RLIMIT_NOFILE, &saved));
}

UDS_CASE(per_message_limit_exceeded, "N-12", UDS_ALL_TYPES | UDS_CONNECTED | UDS_BOTH_MODES,
    .note = "one more: refused")
{
	long limit = uds_expected_value("scm_rights.max_fds");
	int f = uds_temp_file("too many"), fds[UDS_MAX_PASS];
	struct uds_fd_snapshot snap;
	struct rlimit saved;

	UDS_REQUIRE(limit > 0 && limit + 1 <= UDS_MAX_PASS, "suite bug: limit %ld", limit);
	nofile_at_least((rlim_t)(limit + 64), &saved);
	for (long i = 0; i <= limit; i++)
		fds[i] = f;
	uds_fds_snapshot(&snap);
	UDS_EXPECT_RESULT("scm_rights.over_max",
	    uds_sys_sendmsg_fds(p->a, fds, (int)limit + 1, NULL, 0, 0));
	UDS_FDS_UNCHANGED(&snap, "by a refused sendmsg()");
	uds_require_nothing_queued(p->b);
	UDS_OK(setrlimit(RLIMIT_NOFILE, &saved));
}
