/*
 * shutdown_test - shutdown, close, end of file, EPIPE, SIGPIPE and
 * ECONNRESET (catalogue area H): what each end sees after shutdown() or
 * close() of itself or of its peer.  The harness ignores SIGPIPE before
 * every body; the cases about SIGPIPE count it through the harness, which
 * installs its own disposition and puts the previous one back.
 */
#include "uds.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* read(), recv() and recvmsg() must each return 0 at once: end of file. */
static void
require_eof_now(int fd)
{
	char buf[16];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr m;

	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	UDS_EQ(UDS_OK(UDS_AT_ONCE(read(fd, buf, sizeof(buf)))), 0, "read() at end of file");
	UDS_EQ(UDS_OK(UDS_AT_ONCE(recv(fd, buf, sizeof(buf), 0))), 0, "recv() at end of file");
	UDS_EQ(UDS_OK(UDS_AT_ONCE(recvmsg(fd, &m, 0))), 0, "recvmsg() at end of file");
}

/* ------------------------------------------------------------------ */
/* The peer closes                                                     */
/* ------------------------------------------------------------------ */

UDS_CASE(peer_close_leaves_data_then_eof, "H-01",
    UDS_CONNECTION_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	char buf[10];

	uds_send_one(p->b, "hello", 5);
	uds_send_one(p->b, "world", 5);
	uds_close_b(p);
	uds_recv_all(p->a, buf, 10);
	UDS_REQUIRE(memcmp(buf, "helloworld", 10) == 0, "read \"%.10s\" before end of file", buf);
	require_eof_now(p->a);
}

/*
 * Child of H-02: for each writer end the parent passes over ctl it sends
 * "abc" and closes it (the last reference: the reader sees the peer gone),
 * then tells the parent; a message without a descriptor ends it.  One child
 * for every round: a fork per round cost more than the rounds themselves.
 */
static void
send_abc_on_each(void *argp)
{
	int ctl = *(int *)argp;
	struct uds_msg m;

	for (;;) {
		uds_recv_fds(ctl, 1, 0, &m);
		if (m.nfds == 0)
			return;
		uds_send_one(m.fds[0], "abc", 3);
		UDS_OK(close(m.fds[0]));
		uds_send_one(ctl, "c", 1);
	}
}

UDS_CASE(waitall_returns_partial_when_peer_closes, "H-02",
    UDS_CONNECTION_TYPES | UDS_CONNECTED | UDS_BOTH_ENDS)
{
	uds_known_bug("recv.waitall_woken_by_peer_close");
	struct uds_child child;
	char buf[100];
	int ctl[2];

	UDS_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, ctl));
	uds_child_start(&child, send_abc_on_each, &ctl[1]);
	for (int i = 0; i < 100; i++) {
		struct uds_pair q;

		uds_pair_again(p, &q);
		uds_send_fds(ctl[0], &q.a, 1);
		UDS_OK(close(q.a));     /* the writer's only reference is now the child's */
		q.a = -1;
		UDS_EQ(UDS_WITHIN_DEADLINE(recv(q.b, buf, sizeof(buf), MSG_WAITALL)), 3,
		    "bytes returned by recv(MSG_WAITALL) when the peer closed");
		UDS_REQUIRE(memcmp(buf, "abc", 3) == 0, "received \"%.3s\"", buf);
		/* A seqpacket record ends the first recv() before the child has closed:
		 * wait for its word (the writer's last close) before the 0. */
		UDS_EQ(uds_recv_one(ctl[0], buf, sizeof(buf), 0), 1, "bytes of the child's word");
		UDS_EQ(UDS_OK(UDS_AT_ONCE(recv(q.b, buf, sizeof(buf), MSG_WAITALL))), 0,
		    "recv(MSG_WAITALL) after the partial one, the peer gone");
		uds_pair_close(&q);
	}
	uds_send_one(ctl[0], "e", 1);
	uds_child_finish(&child);
	close(ctl[0]);
	close(ctl[1]);
}

/* Sends with MSG_NOSIGNAL under a counting handler: EPIPE and no SIGPIPE. */
static void
nosignal_send_epipe(int fd)
{
#ifdef MSG_NOSIGNAL
	UDS_EQ(uds_send_epipe_sigpipes(fd, MSG_NOSIGNAL), 0,
	    "SIGPIPEs raised by send(MSG_NOSIGNAL)");
#else
	(void)fd;
	uds_skip("MSG_NOSIGNAL is not defined on this platform");
#endif
}

UDS_CASE(nosignal_send_epipe_without_sigpipe, "H-04",
    UDS_CONNECTION_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	struct uds_pair q;

	uds_close_b(p);
	nosignal_send_epipe(p->a);
	uds_pair_again(p, &q);
	UDS_OK(shutdown(q.a, SHUT_WR));
	nosignal_send_epipe(q.a);
	uds_pair_close(&q);
}

UDS_CASE(ignored_sigpipe_write_epipe_and_continue, "H-05",
    UDS_CONNECTION_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	struct sigaction ign, old;
	sigset_t pending;

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	UDS_OK(sigaction(SIGPIPE, &ign, &old));
	uds_close_b(p);
	UDS_FAILS_WITH(EPIPE, write(p->a, "x", 1));
	UDS_FAILS_WITH(EPIPE, write(p->a, "y", 1));
	UDS_OK(sigpending(&pending));
	UDS_REQUIRE(!sigismember(&pending, SIGPIPE), "SIGPIPE is pending although ignored");
	UDS_OK(sigaction(SIGPIPE, &old, NULL));
}

/* A child that restores SIGPIPE's default action and sends to the closed peer. */
static void
send_with_default_sigpipe(void *argp)
{
	int fd = *(const int *)argp;
	struct sigaction dfl;
	sigset_t set;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	UDS_OK(sigaction(SIGPIPE, &dfl, NULL));
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	UDS_OK(sigprocmask(SIG_UNBLOCK, &set, NULL));
	/* Reached only by a writer that survived. */
	UDS_FAILS_WITH(EPIPE, send(fd, "x", 1, 0));
}

UDS_CASE(default_sigpipe_kills_writer, "H-06",
    UDS_CONNECTION_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	struct uds_child writer;
	int status;

	uds_close_b(p);
	uds_child_start(&writer, send_with_default_sigpipe, &p->a);
	status = uds_child_wait(&writer);
	uds_note("the writer %s %d", WIFSIGNALED(status) ? "was killed by signal" :
	    "exited with status", WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	UDS_REQUIRE(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 0),
	    "the writer exited with status %d", WEXITSTATUS(status));
	uds_require_sigpipe_raised(p, WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE,
	    "the writer was killed by SIGPIPE (1)");
}

/* ------------------------------------------------------------------ */
/* shutdown()                                                          */
/* ------------------------------------------------------------------ */

UDS_CASE(send_after_own_shut_wr_epipe, "H-07", UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS,
    .note = "EPIPE, SIGPIPE ignored")
{
	UDS_OK(shutdown(p->a, SHUT_WR));
	UDS_FAILS_WITH(EPIPE, send(p->a, "x", 1, 0));
	UDS_FAILS_WITH(EPIPE, write(p->a, "x", 1));
}

UDS_CASE(send_after_own_shut_wr_raises_sigpipe, "H-07",
    UDS_CONNECTION_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS, .note = "one SIGPIPE")
{
	int raised;

	UDS_OK(shutdown(p->a, SHUT_WR));
	raised = uds_send_epipe_sigpipes(p->a, 0);
	UDS_EXPECT_VALUE(p->kind->type == SOCK_STREAM ? "send.stream_own_shut_wr_sigpipe" :
	    "send.seqpacket_own_shut_wr_sigpipe", raised);
}

UDS_CASE(peer_shut_wr_reads_rest_then_eof, "H-08",
    UDS_CONNECTION_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	char buf[8];

	uds_send_one(p->a, "left", 4);
	uds_send_one(p->a, "over", 4);
	UDS_OK(shutdown(p->a, SHUT_WR));
	uds_recv_all(p->b, buf, 8);
	UDS_REQUIRE(memcmp(buf, "leftover", 8) == 0, "read \"%.8s\" before end of file", buf);
	require_eof_now(p->b);
}

UDS_CASE(shut_wr_still_receives, "H-09", UDS_STREAM | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	UDS_OK(shutdown(p->a, SHUT_WR));
	UDS_EQ(UDS_OK(send(p->b, "back", 4, 0)), 4, "bytes the peer sent after the shutdown");
	uds_recv_expect(p->a, 8, 0, "back", "bytes received after own SHUT_WR");
}

UDS_CASE(own_shut_rd_recv_eof_and_still_sends, "H-11",
    UDS_STREAM | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	char buf[8];

	UDS_OK(shutdown(p->a, SHUT_RD));
	UDS_EQ(UDS_OK(send(p->a, "still", 5, 0)), 5, "bytes sent after own SHUT_RD");
	uds_recv_expect(p->b, sizeof(buf), 0, "still", "bytes the peer received");
	uds_expect_eof("shutdown.own_rd_recv", UDS_AT_ONCE(recv(p->a, buf, sizeof(buf), 0)));
}

UDS_CASE(send_to_peer_shut_rd, "H-12", UDS_STREAM | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	UDS_OK(shutdown(p->b, SHUT_RD));
	UDS_EXPECT_RESULT("shutdown.peer_rd_send", send(p->a, "x", 1, 0));
}

/* Which row says what a receive gives once shut down and drained. */
static const char *
rdwr_recv_key(const struct uds_kind *k)
{
	if (k->type != SOCK_DGRAM)
		return "shutdown.rdwr_recv";
	return k->nonblock ? "shutdown.rdwr_recv.dgram_nonblocking" :
	    "shutdown.rdwr_recv.dgram_blocking";
}

UDS_CASE(shut_rdwr_reads_queued_then_eof, "H-14", UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	char buf[16];
	long n;

	uds_send_one(p->b, "left", 4);
	UDS_OK(shutdown(p->a, SHUT_RDWR));
	UDS_FAILS_WITH(EPIPE, send(p->a, "x", 1, 0));
	n = UDS_AT_ONCE(recv(p->a, buf, sizeof(buf), 0));
	uds_note("the first recv() after SHUT_RDWR returned %ld%s%s", n, n == -1 ? " with " : "",
	    n == -1 ? uds_errno_name(errno) : "");
	UDS_EXPECT_VALUE("shutdown.rdwr_keeps_queued", n == 4 && memcmp(buf, "left", 4) == 0);
	uds_expect_eof(rdwr_recv_key(p->kind), UDS_AT_ONCE(recv(p->a, buf, sizeof(buf), 0)));
}

UDS_CASE(shutdown_bad_how_einval, "H-15", UDS_ALL_TYPES | UDS_CONNECTED)
{
	static const int bad[] = { -1, 3, 42 };
	char c;

	for (int i = 0; i < 3; i++) {
		UDS_FAILS_WITH(EINVAL, shutdown(p->a, bad[i]));
		UDS_FAILS_WITH(EINVAL, shutdown(p->b, bad[i]));
	}
	uds_send_one(p->a, "x", 1);
	UDS_EQ(uds_recv_one(p->b, &c, 1, 0), 1, "bytes after the failed shutdowns, a to b");
	uds_send_one(p->b, "y", 1);
	UDS_EQ(uds_recv_one(p->a, &c, 1, 0), 1, "bytes after the failed shutdowns, b to a");
	UDS_EQ(c, 'y', "the byte b sent");
}

UDS_CASE(shutdown_unconnected_enotconn, "H-16", UDS_ALL_TYPES | UDS_UNBOUND)
{
	static const int hows[] = { SHUT_RD, SHUT_WR, SHUT_RDWR };
	struct uds_addr name;

	uds_addr_fresh_path(&name);
	uds_bind(p->b, &name);
	for (int i = 0; i < 3; i++) {
		UDS_EXPECT_RESULT("shutdown.unconnected", shutdown(p->a, hows[i]));
		UDS_EXPECT_RESULT("shutdown.unconnected", shutdown(p->b, hows[i]));
	}
}

/* ------------------------------------------------------------------ */
/* Datagram and seqpacket specifics                                    */
/* ------------------------------------------------------------------ */

/* Thread of H-17: sleeps in recv() on the socket; returns its result. */
static long
recv_in_thread(void *sock)
{
	char c;

	uds_thread_about_to_block();
	return recv(*(int *)sock, &c, 1, 0);
}

UDS_CASE(dgram_shut_rd_wakes_recv, "H-17", UDS_DGRAM | UDS_UNBOUND)
{
	struct uds_thread t;
	struct uds_addr name;

	/* Asked first: where no source gives the result the recv() may never return. */
	(void)uds_expected_value("recv.woken_by_dgram_shut_rd");
	uds_addr_fresh_path(&name);
	uds_bind(p->a, &name);
	uds_thread_start(&t, recv_in_thread, &p->a);
	uds_thread_wait_blocked(&t, "recv() on the bound socket");
	(void)shutdown(p->a, SHUT_RD);          /* its result is H-16's */
	uds_expect_eof("recv.woken_by_dgram_shut_rd", uds_thread_finish(&t));
}

UDS_CASE(dgram_own_shut_wr_peer_unaffected, "H-18", UDS_DGRAM | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	char buf[16];

	uds_send_one(p->a, "early", 5);
	UDS_OK(shutdown(p->a, SHUT_WR));
	UDS_FAILS_WITH(EPIPE, send(p->a, "late", 4, 0));
	uds_recv_expect(p->b, sizeof(buf), 0, "early", "bytes of the datagram sent before");
	UDS_EXPECT_RESULT("dgram.peer_shut_wr_drained",
	    UDS_AT_ONCE(recv(p->b, buf, sizeof(buf), MSG_DONTWAIT)));
}

UDS_CASE(seqpacket_peer_shut_wr_eof, "H-20", UDS_SEQPACKET | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	char buf[16];

	uds_send_one(p->a, "rec", 3);
	UDS_OK(shutdown(p->a, SHUT_WR));
	UDS_EQ(uds_recv_one(p->b, buf, sizeof(buf), 0), 3, "bytes of the record sent before");
	uds_expect_eof("seqpacket.peer_shut_wr_eof", UDS_AT_ONCE(recv(p->b, buf, sizeof(buf), 0)));
	uds_expect_eof("seqpacket.peer_shut_wr_eof", UDS_AT_ONCE(recv(p->b, buf, 0, 0)));
}

UDS_CASE(dgram_recv_after_peer_closed_would_block, "H-21",
    UDS_DGRAM | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	char buf[16];

	uds_close_b(p);
	UDS_EXPECT_RESULT("dgram.recv_after_peer_closed",
	    UDS_AT_ONCE(recv(p->a, buf, sizeof(buf), MSG_DONTWAIT)));
}

UDS_CASE(dgram_peer_closed_with_unread_no_reset, "H-23",
    UDS_DGRAM | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	char buf[16];

	uds_send_one(p->a, "unread", 6);
	uds_close_b(p);
	UDS_EXPECT_RESULT("dgram.recv_after_peer_closed_unread",
	    UDS_AT_ONCE(recv(p->a, buf, sizeof(buf), MSG_DONTWAIT)));
}

UDS_CASE(listener_closed_resets_pending_clients, "H-24",
    UDS_CONNECTION_TYPES | UDS_NAMED | UDS_BOTH_MODES)
{
	int c1 = uds_socket(p->kind->type, p->kind->nonblock);
	int c2 = uds_socket(p->kind->type, p->kind->nonblock);
	int soerr = 0;
	socklen_t len = sizeof(soerr);
	char buf[16];

	uds_connect(c1, &p->b_name);
	uds_connect(c2, &p->b_name);
	UDS_OK(close(p->listener));
	p->listener = -1;
	UDS_EXPECT_RESULT("listener_closed.pending_client", UDS_AT_ONCE(read(c1, buf, sizeof(buf))));
	UDS_OK(getsockopt(c2, SOL_SOCKET, SO_ERROR, &soerr, &len));
	uds_note("SO_ERROR of the second client: %s", soerr ? uds_errno_name(soerr) : "0");
	errno = soerr;
	UDS_EXPECT_RESULT("listener_closed.pending_client", soerr ? -1 : 0);
	uds_send_one(p->a, "ok", 2);
	UDS_EQ(uds_recv_one(p->b, buf, sizeof(buf), 0), 2, "bytes on the accepted connection");
	close(c1);
	close(c2);
}

/* ------------------------------------------------------------------ */
/* Seqpacket connections never accepted; shutdown(SHUT_RD) with data   */
/* ------------------------------------------------------------------ */

/* A new client connected to the pair's listener, which is then closed before accepting it. */
static int
client_of_closed_listener(struct uds_pair *p)
{
	struct uds_addr lname;
	int c = uds_socket(p->kind->type, p->kind->nonblock);

	uds_name_of(p->listener, &lname);
	uds_connect(c, &lname);
	UDS_OK(close(p->listener));
	p->listener = -1;
	return c;
}

UDS_CASE(seqpacket_send_after_server_closed, "H-03", UDS_SEQPACKET | UDS_NAMED | UDS_BOTH_MODES,
    .note = "the errors")
{
	int c = client_of_closed_listener(p);

	uds_close_b(p);
	UDS_FAILS_WITH(EPIPE, send(p->a, "x", 1, 0));
	UDS_EXPECT_RESULT("send.seqpacket_unaccepted_closed", send(c, "x", 1, 0));
	UDS_FAILS_WITH(EPIPE, send(c, "y", 1, 0));
	UDS_FAILS_WITH(EPIPE, send(c, "z", 1, 0));
}

UDS_CASE(seqpacket_unaccepted_close_raises_sigpipe, "H-03", UDS_SEQPACKET | UDS_NAMED,
    .note = "the SIGPIPE")
{
	int c = client_of_closed_listener(p);
	long rc = 0;
	int err = 0, raised;

	uds_sigpipe_count_start();
	for (int i = 0; i < 2 && err != EPIPE; i++) {
		rc = send(c, "x", 1, 0);
		err = rc == -1 ? errno : 0;
	}
	raised = uds_sigpipe_count_stop();
	errno = err;
	UDS_FAILS_WITH(EPIPE, rc);
	UDS_EXPECT_VALUE("send.seqpacket_peer_closed_sigpipe", raised);
}

UDS_CASE(own_shut_wr_empty_recv_would_block, "H-10",
    UDS_STREAM | UDS_PATH | UDS_ALL_VARIANTS | UDS_NBLISTENER)
{
	char buf[8];

	UDS_OK(shutdown(p->a, SHUT_WR));
	UDS_EXPECT_RESULT("shutdown.own_wr_recv_empty",
	    UDS_AT_ONCE(recv(p->a, buf, sizeof(buf), MSG_DONTWAIT)));
	uds_send_one(p->b, "late", 4);
	uds_recv_expect(p->a, sizeof(buf), 0, "late", "bytes the peer sent afterwards");
}

/* Whether fd, shut down for reading, still gives "keep" and the file sent with it. */
static bool
kept_after_shut_rd(int fd, int file)
{
	struct uds_msg m;
	char buf[16];
	ssize_t n = uds_recvmsg_ctl(fd, buf, sizeof(buf), CMSG_SPACE(sizeof(int)), MSG_DONTWAIT,
	    &m);
	bool kept = n == 4 && memcmp(buf, "keep", 4) == 0 && m.nfds == 1 &&
	    uds_same_file(m.fds[0], file);

	uds_note("after SHUT_RD: recvmsg() returned %zd%s%s with %d descriptors", n,
	    n == -1 ? " " : "", n == -1 ? uds_errno_name(errno) : "", m.nfds);
	for (int i = 0; i < m.nfds; i++)
		close(m.fds[i]);
	return kept;
}

UDS_CASE(shut_rd_keeps_or_discards_queued, "H-13",
    UDS_CONNECTION_TYPES | UDS_CONNECTED | UDS_BOTH_ENDS)
{
	int file = uds_temp_file("f");
	bool rd, rdwr;

	UDS_EQ(UDS_OK(uds_sendmsg_fds(p->b, &file, 1, "keep", 4, 0)), 4, "bytes sent");
	UDS_OK(shutdown(p->a, SHUT_RD));
	rd = kept_after_shut_rd(p->a, file);
	UDS_EQ(UDS_OK(uds_sendmsg_fds(p->a, &file, 1, "keep", 4, 0)), 4, "bytes sent back");
	UDS_OK(shutdown(p->a, SHUT_RDWR));
	UDS_OK(shutdown(p->b, SHUT_RDWR));
	rdwr = kept_after_shut_rd(p->b, file);
	UDS_EXPECT_VALUE("shutdown.rd_keeps_queued", rd && rdwr);
}

UDS_CASE(dgram_sender_shut_wr_others_unaffected, "H-19", UDS_DGRAM | UDS_UNBOUND | UDS_BOTH_MODES)
{
	uds_known_bug("dgram.shut_wr_own_only");
	static const char *const want[] = { "one", "two", "three" };
	int other = uds_socket(SOCK_DGRAM, p->kind->nonblock);
	struct uds_addr name;
	char buf[16];

	uds_addr_fresh_path(&name);
	uds_bind(p->b, &name);
	uds_connect(p->a, &name);
	uds_connect(other, &name);
	uds_send_one(other, "one", 3);
	uds_send_one(p->a, "two", 3);
	UDS_OK(shutdown(other, SHUT_WR));
	UDS_FAILS_WITH(EPIPE, send(other, "late", 4, 0));
	uds_send_one(p->a, "three", 5);
	for (int i = 0; i < 3; i++) {
		ssize_t n = uds_recv_one(p->b, buf, sizeof(buf), 0);

		UDS_REQUIRE(n == (ssize_t)strlen(want[i]) && memcmp(buf, want[i], (size_t)n) == 0,
		    "datagram %d is \"%.*s\", expected \"%s\"", i, (int)n, buf, want[i]);
	}
	UDS_EXPECT_RESULT("dgram.sender_shut_wr_receiver_drained",
	    UDS_AT_ONCE(recv(p->b, buf, sizeof(buf), MSG_DONTWAIT)));
}

enum { BIG_WRITE = 4 << 20, READ_BEFORE_CLOSE = 64 << 10 };

struct reader_arg {
	int fd;                 /* read READ_BEFORE_CLOSE bytes from it, then exit (closing it) */
	int other;              /* the writer's end: the child drops its copy */
};

static void
read_some_then_close(void *argp)
{
	static char buf[READ_BEFORE_CLOSE];
	const struct reader_arg *arg = argp;

	UDS_OK(close(arg->other));
	uds_recv_all(arg->fd, buf, sizeof(buf));
}

UDS_CASE(large_write_returns_partial_when_peer_closes, "H-25",
    UDS_STREAM | UDS_CONNECTED | UDS_BOTH_ENDS)
{
	static char big[BIG_WRITE];
	struct reader_arg arg = { .fd = p->b, .other = p->a };
	struct uds_child child;
	long n, rc;

	uds_require_holds("write.peer_closes_mid_write_partial");
	uds_child_start(&child, read_some_then_close, &arg);
	uds_close_b(p);
	n = UDS_OK(UDS_WITHIN_DEADLINE(write(p->a, big, sizeof(big))));
	uds_child_finish(&child);
	uds_note("the write returned %ld of %d bytes", n, BIG_WRITE);
	UDS_REQUIRE(n >= READ_BEFORE_CLOSE && n < BIG_WRITE, "write() returned %ld, expected "
	    "between %d (read by the peer) and %d (all)", n, READ_BEFORE_CLOSE, BIG_WRITE);
	rc = write(p->a, big, 1);
	UDS_REQUIRE(rc == -1 && (errno == EPIPE || errno == ECONNRESET), "the next write() "
	    "returned %ld (%s), expected EPIPE or ECONNRESET", rc, uds_errno_name(errno));
}

UDS_CASE(send_after_peer_closed_fails, "H-22", UDS_DGRAM | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	close(p->b);
	p->b = -1;
	UDS_EXPECT_RESULT("dgram.send_after_peer_closed", send(p->a, "x", 1, 0));
}
