/*
 * connect_test - setting up connections (catalogue area D): listen(),
 * connect() and accept() and their errors, backlogs, the names each end
 * reports (getsockname, getpeername, the address accept() and recvfrom()
 * give), accept4() flags and a listener shut down or closed under a waiting
 * accept().
 */
#include "uds.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#ifdef HAVE_SYSCTLBYNAME
#include <sys/types.h>
#include <sys/sysctl.h>
#endif
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

UDS_CASE(connect_to_closed_listener_refused, "D-21",
    UDS_CONNECTION_TYPES | UDS_UNBOUND | UDS_BOTH_MODES)
{
	struct uds_addr name;
	int l = uds_socket(p->kind->type, false);

	uds_serve_fresh(l, p->kind->type, &name);
	close(l);
	uds_require_node(name.sun.sun_path, S_IFSOCK);
	UDS_EXPECT_RESULT("connect.closed_listener", uds_try_connect(p->a, &name));
	uds_require_unconnected(p->a);
}

UDS_CASE(connect_to_non_socket_path, "D-22", UDS_ALL_TYPES | UDS_UNBOUND | UDS_BOTH_MODES)
{
	struct uds_addr file, dir;

	close(uds_create_file("plain-file", "data"));
	UDS_OK(mkdir("a-directory", 0755));
	uds_addr_path(&file, "plain-file");
	uds_addr_path(&dir, "a-directory");
	UDS_EXPECT_RESULT("connect.non_socket_path", uds_try_connect(p->a, &file));
	UDS_EXPECT_RESULT("connect.non_socket_path", uds_try_connect(p->b, &dir));
	uds_require_node("plain-file", S_IFREG);
	uds_require_node("a-directory", S_IFDIR);
	uds_require_unconnected(p->a);
}

UDS_CASE(connect_to_other_connection_type_eprototype, "D-23",
    UDS_CONNECTION_TYPES | UDS_UNBOUND | UDS_BOTH_MODES)
{
	int other = p->kind->type == SOCK_STREAM ? SOCK_SEQPACKET : SOCK_STREAM;
	int l = uds_socket(other, false);
	struct uds_addr name;

	uds_serve_fresh(l, other, &name);
	UDS_EXPECT_RESULT("connect.type_mismatch", uds_try_connect(p->a, &name));
	uds_require_nothing_queued(l);
	uds_require_unconnected(p->a);
}

UDS_CASE(connect_addrlen_too_long, "D-25", UDS_ALL_TYPES | UDS_UNBOUND | UDS_BOTH_MODES)
{
	struct uds_long_sun big;
	struct uds_addr name;

	uds_serve_fresh(p->b, p->kind->type, &name);
	memset(&big, 0, sizeof(big));
	big.sun = name.sun;
	UDS_EXPECT_RESULT("connect.addrlen_too_long",
	    connect(p->a, (struct sockaddr *)&big, sizeof(big.sun) + 1));
	uds_require_unconnected(p->a);
	if (uds_is_connection_type(p->kind->type))
		uds_require_nothing_queued(p->b);
}

UDS_CASE(listen_unbound, "D-02", UDS_CONNECTION_TYPES | UDS_UNBOUND)
{
	UDS_EXPECT_RESULT("listen.unbound", listen(p->a, 4));
	UDS_FAILS_WITH(EINVAL, accept(p->a, NULL, NULL));
}

UDS_CASE(listen_connected_einval, "D-05", UDS_CONNECTION_TYPES | UDS_CONNECTED)
{
	uds_known_bug("listen.connected");
	UDS_FAILS_WITH(EINVAL, listen(p->a, 4));
	UDS_FAILS_WITH(EINVAL, listen(p->b, 4));
	uds_exchange(p->a, p->b);
}

UDS_CASE(connect_listener_to_itself, "D-24", UDS_CONNECTION_TYPES | UDS_NAMED)
{
	UDS_EXPECT_RESULT("connect.listener_to_itself", uds_try_connect(p->listener, &p->b_name));
	uds_require_reaches(p->kind->type, &p->b_name, p->listener);
}

/* ------------------------------------------------------------------ */
/* listen() and accept()                                               */
/* ------------------------------------------------------------------ */

UDS_CASE(bind_then_listen, "D-01", UDS_CONNECTION_TYPES | UDS_NAMED)
{
	struct uds_addr name;
	int l = uds_socket(p->kind->type, false);

	uds_addr_fresh_for(p->kind, &name);
	uds_bind(l, &name);
	UDS_EQ(UDS_OK(listen(l, -1)), 0, "listen(fd, -1)");
	uds_require_reaches(p->kind->type, &name, l);
}

UDS_CASE(listen_twice, "D-03", UDS_CONNECTION_TYPES | UDS_NAMED)
{
	UDS_EXPECT_RESULT("listen.twice", listen(p->listener, 4));
	uds_require_reaches(p->kind->type, &p->b_name, p->listener);
}

UDS_CASE(listen_dgram_unsupported, "D-11", UDS_DGRAM | UDS_UNBOUND, .note = "listen()")
{
	struct uds_addr name;

	UDS_EXPECT_RESULT("listen.dgram", listen(p->a, 4));
	uds_addr_fresh_path(&name);
	uds_bind(p->a, &name);
	UDS_EXPECT_RESULT("listen.dgram", listen(p->a, 4));
	uds_require_reaches(SOCK_DGRAM, &name, p->a);
}

UDS_CASE(accept_dgram_unsupported, "D-11", UDS_DGRAM | UDS_UNBOUND | UDS_BOTH_MODES,
    .note = "accept()")
{
	struct uds_addr name;
	struct uds_fd_snapshot snap;

	uds_addr_fresh_path(&name);
	uds_bind(p->a, &name);
	uds_fds_snapshot(&snap);
	UDS_EXPECT_RESULT("accept.dgram", accept(p->a, NULL, NULL));
	UDS_FDS_UNCHANGED(&snap, "accept() on a datagram socket");
}

UDS_CASE(accept_unbound_einval, "D-12", UDS_CONNECTION_TYPES | UDS_UNBOUND | UDS_BOTH_MODES)
{
	UDS_FAILS_WITH(EINVAL, accept(p->a, NULL, NULL));
}

UDS_CASE(accept_not_listening_einval, "D-13", UDS_CONNECTION_TYPES | UDS_UNBOUND | UDS_BOTH_MODES)
{
	struct uds_addr name;

	uds_addr_fresh_path(&name);
	uds_bind(p->a, &name);
	UDS_FAILS_WITH(EINVAL, accept(p->a, NULL, NULL));
}

UDS_CASE(accept_nonblocking_nothing_pending, "D-17",
    UDS_CONNECTION_TYPES | UDS_UNBOUND | UDS_NONBLOCK)
{
	struct uds_addr name;
	int c = uds_socket(p->kind->type, false);
	int rc, err;

	uds_serve_fresh(p->a, p->kind->type, &name);
	rc = accept(p->a, NULL, NULL);
	err = errno;
	UDS_REQUIRE(rc == -1 && (err == EAGAIN || err == EWOULDBLOCK),
	    "accept() with nothing pending returned %d (%s), expected EAGAIN", rc,
	    rc == -1 ? uds_errno_name(err) : "a descriptor");
	uds_connect(c, &name);
	uds_wait_readable(p->a);
	uds_exchange(c, (int)UDS_OK(accept(p->a, NULL, NULL)));
}

UDS_CASE(nonblocking_connect_completes_at_once, "D-10",
    UDS_CONNECTION_TYPES | UDS_UNBOUND | UDS_NONBLOCK)
{
	struct uds_addr name, peer;

	uds_serve_fresh(p->b, p->kind->type, &name);
	UDS_EXPECT_RESULT("connect.nonblocking_completes", uds_try_connect(p->a, &name));
	uds_peer_of(p->a, &peer);
	UDS_REQUIRE_SAME_NAME(&peer, &name, "getpeername() after the connect()");
	uds_wait_readable(p->b);
	uds_exchange(p->a, (int)UDS_OK(accept(p->b, NULL, NULL)));
}

UDS_CASE(connect_accept_exchange, "D-19", UDS_CONNECTION_TYPES | UDS_NAMED | UDS_BOTH_MODES)
{
	struct uds_addr name;
	int l = uds_listener(p->kind, &name);
	int c = uds_socket(p->kind->type, p->kind->nonblock);
	int s;

	UDS_EQ(UDS_OK(uds_try_connect(c, &name)), 0, "connect()");
	s = uds_accept(l);
	UDS_REQUIRE(s != l && s != c, "accept() returned descriptor %d, not a new one", s);
	uds_exchange(c, s);
	uds_require_reaches(p->kind->type, &name, l);
}

UDS_CASE(data_sent_before_accept_is_readable, "D-20", UDS_CONNECTION_TYPES | UDS_NAMED)
{
	struct uds_addr name;
	int l = uds_listener(p->kind, &name);
	int c = uds_socket(p->kind->type, false);
	char buf[16];
	ssize_t n = -1;
	int s;

	uds_connect(c, &name);
	UDS_EQ(UDS_OK(send(c, "early", 5, 0)), 5, "bytes sent before accept()");
	s = uds_accept(l);
	if (uds_poll(s, POLLIN, UDS_DEADLINE_MS) & POLLIN)
		n = recv(s, buf, sizeof(buf), MSG_DONTWAIT);
	UDS_EXPECT_VALUE("accept.data_before_accept", n == 5 && memcmp(buf, "early", 5) == 0);
}

UDS_CASE(accept_address_of_unbound_client, "D-16", UDS_CONNECTION_TYPES | UDS_UNBOUND)
{
	struct uds_addr name, from;

	uds_serve_fresh(p->b, p->kind->type, &name);
	uds_connect(p->a, &name);
	uds_wait_readable(p->b);
	memset(&from, 0xa5, sizeof(from));
	from.len = sizeof(from.sun);
	UDS_OK(accept(p->b, UDS_SA(&from), &from.len));
	UDS_EQ(from.sun.sun_family, AF_UNIX, "sun_family of the accepted address");
	UDS_EXPECT_VALUE("accept.unbound_client_addrlen", from.len);
}

UDS_CASE(bound_client_name_seen_by_server, "D-31", UDS_CONNECTION_TYPES | UDS_NAMED)
{
	struct uds_addr cname, from, peer;
	int c = uds_socket(p->kind->type, false);
	int s;

	uds_addr_fresh_for(p->kind, &cname);
	uds_bind(c, &cname);
	uds_connect(c, &p->b_name);
	uds_wait_readable(p->listener);
	memset(&from, 0, sizeof(from));
	from.len = sizeof(from.sun);
	s = (int)UDS_OK(accept(p->listener, UDS_SA(&from), &from.len));
	UDS_REQUIRE_SAME_NAME(&from, &cname, "accept()'s address");
	uds_peer_of(s, &peer);
	UDS_REQUIRE_SAME_NAME(&peer, &cname, "getpeername() on the accepted socket");
}

/* ------------------------------------------------------------------ */
/* Names of connected sockets                                          */
/* ------------------------------------------------------------------ */

UDS_CASE(getpeername_names_listener, "D-26", UDS_CONNECTION_TYPES | UDS_NAMED)
{
	struct uds_addr peer, lname;

	uds_peer_of(p->a, &peer);
	uds_name_of(p->listener, &lname);
	UDS_REQUIRE_SAME_NAME(&peer, &p->b_name, "the client's peer name");
	UDS_EQ(peer.len, lname.len, "length of the peer name against the listener's own");
}

UDS_CASE(accepted_socket_has_listener_name, "D-27", UDS_CONNECTION_TYPES | UDS_PATH)
{
	struct uds_addr mine, lname;

	uds_name_of(p->b, &mine);
	uds_name_of(p->listener, &lname);
	UDS_EXPECT_VALUE("accept.getsockname_is_listener_name",
	    mine.len == lname.len && memcmp(&mine.sun, &lname.sun, mine.len) == 0);
}

UDS_CASE(getpeername_unconnected_enotconn, "D-28", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr name;

	uds_require_unconnected(p->a);
	uds_addr_fresh_path(&name);
	uds_bind(p->a, &name);
	uds_require_unconnected(p->a);
}

UDS_CASE(getpeername_listener_enotconn, "D-29", UDS_CONNECTION_TYPES | UDS_NAMED)
{
	struct uds_addr mine;

	uds_require_unconnected(p->listener);
	uds_name_of(p->listener, &mine);
	UDS_REQUIRE_SAME_NAME(&mine, &p->b_name, "the listener's name");
}

UDS_CASE(getpeername_bad_length_or_buffer, "D-30", UDS_ALL_TYPES | UDS_CONNECTED,
    .note = "EINVAL and EFAULT")
{
	struct uds_addr peer;
	socklen_t len = (socklen_t)-1;

	UDS_EXPECT_RESULT("getpeername.negative_len", getpeername(p->a, UDS_SA(&peer), &len));
	len = sizeof(peer.sun);
	UDS_EXPECT_RESULT("getpeername.bad_pointer",
	    getpeername(p->a, (struct sockaddr *)uds_unmapped_page(), &len));
}

UDS_CASE(getpeername_bad_descriptor, "D-30", UDS_NO_KIND, .note = "EBADF and ENOTSOCK")
{
	struct uds_addr peer = { .len = sizeof(peer.sun) };
	int fd = uds_create_file("not-a-socket", "");
	int closed = (int)UDS_OK(dup(fd));

	close(closed);
	UDS_FAILS_WITH(EBADF, getpeername(closed, UDS_SA(&peer), &peer.len));
	UDS_FAILS_WITH(ENOTSOCK, getpeername(fd, UDS_SA(&peer), &peer.len));
}

/* ------------------------------------------------------------------ */
/* More on accept() and the backlog                                    */
/* ------------------------------------------------------------------ */

UDS_CASE(accept_negative_addrlen, "D-14", UDS_CONNECTION_TYPES | UDS_NAMED)
{
	struct uds_addr from;
	socklen_t len = (socklen_t)-1;
	int c = uds_socket(p->kind->type, false);

	uds_connect(c, &p->b_name);
	uds_wait_readable(p->listener);
	UDS_EXPECT_RESULT("accept.negative_addrlen", accept(p->listener, UDS_SA(&from), &len));
}

UDS_CASE(accept_large_addrlen_lowered, "D-15", UDS_CONNECTION_TYPES | UDS_NAMED)
{
	union {
		struct sockaddr_un sun;
		char room[1024];
	} from;
	struct uds_addr cname, real;
	socklen_t len = sizeof(from);
	int c = uds_socket(p->kind->type, false);

	uds_addr_fresh_for(p->kind, &cname);
	uds_bind(c, &cname);
	uds_name_of(c, &real);
	uds_connect(c, &p->b_name);
	uds_wait_readable(p->listener);
	UDS_OK(accept(p->listener, (struct sockaddr *)&from, &len));
	UDS_EQ(len, real.len, "*addrlen after accept()");
	UDS_REQUIRE(memcmp(&from.sun, &real.sun, len) == 0, "accept() returned %s, the client is %s",
	    uds_addr_str(&from.sun, len), uds_addr_str(&real.sun, real.len));
}

UDS_CASE(accept4_sets_flags, "D-18", UDS_CONNECTION_TYPES | UDS_NAMED | UDS_NBLISTENER,
    .note = "accept4() flags")
{
#if defined(SOCK_NONBLOCK) && defined(SOCK_CLOEXEC) && defined(HAVE_ACCEPT4)
	int c1 = uds_socket(p->kind->type, false), c2 = uds_socket(p->kind->type, false);
	int with, without;

	uds_connect(c1, &p->b_name);
	uds_connect(c2, &p->b_name);
	uds_wait_readable(p->listener);
	with = (int)UDS_OK(accept4(p->listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC));
	without = (int)UDS_OK(accept4(p->listener, NULL, NULL, 0));
	UDS_REQUIRE(fcntl(with, F_GETFL) & O_NONBLOCK, "SOCK_NONBLOCK: O_NONBLOCK not set");
	UDS_REQUIRE(fcntl(with, F_GETFD) & FD_CLOEXEC, "SOCK_CLOEXEC: FD_CLOEXEC not set");
	UDS_REQUIRE(!(fcntl(without, F_GETFL) & O_NONBLOCK), "flags 0: O_NONBLOCK set");
	UDS_REQUIRE(!(fcntl(without, F_GETFD) & FD_CLOEXEC), "flags 0: FD_CLOEXEC set");
#else
	uds_skip("accept4() with SOCK_NONBLOCK/SOCK_CLOEXEC is not available here");
#endif
}

UDS_CASE(listen_backlog_zero, "D-06", UDS_CONNECTION_TYPES | UDS_UNBOUND | UDS_NONBLOCK)
{
	struct uds_addr name;
	int waiting = 0, err = 0;

	uds_addr_fresh_path(&name);
	uds_bind(p->b, &name);
	uds_listen(p->b, 0);
	for (; waiting < 8; waiting++)
		if (uds_try_connect(uds_socket(p->kind->type, true), &name) == -1) {
			err = errno;
			break;
		}
	UDS_EXPECT_VALUE("listen.backlog0_waiting", waiting);
	UDS_EQ(err, EAGAIN, "errno of the connect() that found the backlog full");
}

/*
 * The most connections a listen() backlog can hold here, where the system
 * documents a cap: Linux listen(2) truncates the backlog to
 * /proc/sys/net/core/somaxconn (4096 by default since 5.4); FreeBSD's and
 * macOS's listen(2) to kern.ipc.soacceptqueue / kern.ipc.somaxconn.
 * LONG_MAX where no cap can be read.
 */
static long
backlog_cap(void)
{
	long cap = uds_sysctl_long("/proc/sys/net/core/somaxconn");

#ifdef HAVE_SYSCTLBYNAME
	int v;
	size_t len = sizeof(v);

	if (cap == -1 && (sysctlbyname("kern.ipc.soacceptqueue", &v, &len, NULL, 0) == 0 ||
	    (len = sizeof(v), sysctlbyname("kern.ipc.somaxconn", &v, &len, NULL, 0) == 0)))
		cap = v;
#endif
	return cap > 0 ? cap : LONG_MAX;
}

UDS_CASE(listen_negative_backlog_is_large, "D-08", UDS_CONNECTION_TYPES | UDS_UNBOUND | UDS_NONBLOCK)
{
	struct uds_addr name;
	long want = backlog_cap() < 1024 ? backlog_cap() : 1024, waiting = 0;
	int err = 0;

	uds_require_nofile(want + 64);
	uds_addr_fresh_path(&name);
	uds_bind(p->b, &name);
	uds_listen(p->b, -1);
	for (; waiting < want; waiting++)
		if (uds_try_connect(uds_socket(p->kind->type, true), &name) == -1) {
			err = errno;
			break;
		}
	UDS_REQUIRE(waiting == want, "listen(fd, -1): only %ld of %ld non-blocking connect()s got in "
	    "without accept() (then %s)", waiting, want, uds_errno_name(err));
}

/* ------------------------------------------------------------------ */
/* The backlog, refilled and full                                      */
/* ------------------------------------------------------------------ */

/* A socket of the kind's type bound to a fresh name of its flavour, listening with backlog. */
static int
listener_with_backlog(const struct uds_kind *k, int backlog, struct uds_addr *name)
{
	int l = uds_socket(k->type, false);

	uds_addr_fresh_for(k, name);
	uds_bind(l, name);
	uds_listen(l, backlog);
	return l;
}

/* Non-blocking clients connect to name until one fails (at most 32); returns how many got in. */
static int
fill_backlog(int type, const struct uds_addr *name)
{
	int n = 0;

	while (n < 32 && uds_try_connect(uds_socket(type, true), name) == 0)
		n++;
	return n;
}

/* Accepts and closes every connection waiting at l. */
static void
drain_backlog(int l)
{
	while (uds_poll(l, POLLIN, 0) & POLLIN)
		UDS_OK(close((int)UDS_OK(accept(l, NULL, NULL))));
}

UDS_CASE(listen_again_changes_backlog, "D-04", UDS_CONNECTION_TYPES | UDS_NAMED)
{
	int type = p->kind->type;
	struct uds_addr n1, n5, name;
	int small, large, l, grown, shrunk;

	(void)listener_with_backlog(p->kind, 1, &n1);
	(void)listener_with_backlog(p->kind, 5, &n5);
	small = fill_backlog(type, &n1);
	large = fill_backlog(type, &n5);
	UDS_REQUIRE(small < large, "backlog 1 queues %d, backlog 5 queues %d: no difference to "
	    "see", small, large);
	l = listener_with_backlog(p->kind, 1, &name);
	UDS_EXPECT_RESULT("listen.twice", listen(l, 5));
	grown = fill_backlog(type, &name);
	drain_backlog(l);
	UDS_EXPECT_RESULT("listen.twice", listen(l, 1));
	shrunk = fill_backlog(type, &name);
	uds_note("fresh: backlog 1 queues %d, 5 queues %d; re-listened: %d then %d", small, large,
	    grown, shrunk);
	UDS_EXPECT_VALUE("listen.again_sets_backlog", grown == large && shrunk == small);
}

/* Child of D-09: accepts one waiting connection at the listener and closes it. */
static void
accept_one(void *arg)
{
	UDS_OK(close(uds_accept(*(const int *)arg)));
}

UDS_CASE(blocking_connect_waits_for_room, "D-09", UDS_CONNECTION_TYPES | UDS_NAMED)
{
	struct uds_addr name, peer;
	struct uds_child child;
	int l = listener_with_backlog(p->kind, 0, &name);
	int c = uds_socket(p->kind->type, false);
	int waiting;

	uds_require_holds("connect.full_backlog_sleeps");
	waiting = fill_backlog(p->kind->type, &name);
	UDS_REQUIRE(waiting > 0 && waiting < 32, "%d connections queued at a listen(fd, 0) "
	    "listener, expected a full backlog after at least one", waiting);
	UDS_BLOCKS(uds_try_connect(c, &name));
	uds_require_unconnected(c);
	uds_child_start(&child, accept_one, &l);
	UDS_EQ(UDS_OK(UDS_WITHIN_DEADLINE(uds_try_connect(c, &name))), 0,
	    "connect() once a waiting connection was accepted");
	uds_child_finish(&child);
	uds_peer_of(c, &peer);
	UDS_REQUIRE_SAME_NAME(&peer, &name, "getpeername() after the connect()");
}

UDS_CASE(accepted_socket_nonblock_inheritance, "D-18",
    UDS_CONNECTION_TYPES | UDS_NAMED | UDS_NBLISTENER, .note = "accept() from an O_NONBLOCK listener")
{
	bool nb = p->accepted_fl & O_NONBLOCK;

	UDS_REQUIRE(p->accepted_fl != -1, "suite bug: the pair has no accepted end");
	if (!p->kind->nblistener)
		UDS_REQUIRE(!nb, "accept() from a blocking listener returned a non-blocking socket");
	else
		UDS_EXPECT_VALUE("accept.inherits_nonblock", nb);
}

/* ------------------------------------------------------------------ */
/* The sender's name in recvfrom() on a connection                     */
/* ------------------------------------------------------------------ */

/* recvfrom() after waiting, into buf, the sender's address into from; returns the bytes. */
static ssize_t
recv_from(int fd, char *buf, size_t len, struct uds_addr *from)
{
	memset(from, 0, sizeof(*from));
	from->len = sizeof(from->sun);
	uds_wait_readable(fd);
	return UDS_OK(recvfrom(fd, buf, len, 0, UDS_SA(from), &from->len));
}

/* One byte c from x arrives at y with x's name as recvfrom() reports it, as expected. */
static void
byte_comes_from(int x, int y, char c, const struct uds_addr *want)
{
	struct uds_addr from;
	char got = 0;

	uds_send_one(x, &c, 1);
	UDS_EQ(recv_from(y, &got, 1, &from), 1, "bytes received");
	UDS_EQ(got, c, "byte received");
	if (want->len == 0)
		UDS_EQ(from.len, 0, "recvfrom() address length from an unnamed sender");
	else
		UDS_REQUIRE_SAME_NAME(&from, want, "recvfrom()'s sender address");
}

UDS_CASE(conn_sender_name_follows_bind, "D-32", UDS_CONNECTION_TYPES | UDS_NAMED)
{
	struct uds_addr unnamed = { .len = 0 }, mine, other;

	uds_require_holds("recvfrom.conn_sender_name_follows_bind");
	byte_comes_from(p->a, p->b, '1', &unnamed);
	uds_addr_fresh_for(p->kind, &mine);
	uds_bind(p->a, &mine);
	byte_comes_from(p->a, p->b, '2', &mine);
	uds_addr_fresh_for(p->kind, &other);
	UDS_FAILS_WITH(EINVAL, bind(p->b, UDS_CSA(&other), other.len));
	byte_comes_from(p->b, p->a, '3', &p->b_name);
}

UDS_CASE(stream_recvfrom_sender_address, "D-33", UDS_STREAM | UDS_CONNECTED | UDS_BOTH_ENDS)
{
	struct uds_addr sender, from, cname, lname;
	char buf[16];

	uds_require_holds("recvfrom.stream_sender_name");
	uds_name_of(p->a, &sender);
	if (sender.len <= UDS_OFF_PATH)
		sender.len = 0;
	uds_send_one(p->a, "ab", 2);
	uds_send_one(p->a, "cd", 2);
	UDS_EQ(recv_from(p->b, buf, sizeof(buf), &from), 4, "bytes of two writes in one call");
	UDS_REQUIRE(memcmp(buf, "abcd", 4) == 0, "received \"%.4s\"", buf);
	if (sender.len == 0)
		UDS_EQ(from.len, 0, "recvfrom() address length from an unnamed sender");
	else
		UDS_REQUIRE_SAME_NAME(&from, &sender, "recvfrom()'s sender address");
	if (p->listener != -1) {
		int c = uds_socket(SOCK_STREAM, false);

		uds_addr_fresh_for(p->kind, &cname);
		uds_bind(c, &cname);
		uds_name_of(p->listener, &lname);
		uds_connect(c, &lname);
		byte_comes_from(c, uds_accept(p->listener), 'c', &cname);
	}
}

/* ------------------------------------------------------------------ */
/* shutdown() of a listener                                            */
/* ------------------------------------------------------------------ */

struct sleeper {
	int listener;
	int ready;              /* write end of a pipe: one byte just before accept() */
};

/* Child of D-34: tells the parent it is about to accept, then accept()s. */
static void
accept_until_shut_down(void *argp)
{
	const struct sleeper *s = argp;

	UDS_EQ(write(s->ready, "r", 1), 1, "bytes written to the parent");
	UDS_EXPECT_RESULT("accept.listener_shut_down",
	    UDS_WITHIN_DEADLINE(accept(s->listener, NULL, NULL)));
}

UDS_CASE(listener_shutdown_ends_accept, "D-34", UDS_STREAM | UDS_PATH)
{
	uds_known_bug("accept.woken_by_listener_shutdown");
	struct sleeper s = { .listener = p->listener };
	struct uds_child child;
	int pfd[2];
	char c;

	UDS_OK(pipe(pfd));
	s.ready = pfd[1];
	uds_child_start(&child, accept_until_shut_down, &s);
	uds_wait_readable(pfd[0]);
	UDS_EQ(read(pfd[0], &c, 1), 1, "bytes from the child");
	(void)shutdown(p->listener, SHUT_RDWR);        /* its result is D-36's */
	uds_child_finish(&child);
	UDS_EXPECT_RESULT("accept.listener_shut_down",
	    UDS_AT_ONCE(accept(p->listener, NULL, NULL)));
	close(pfd[0]);
	close(pfd[1]);
}

/* Thread of D-35: sleeps in accept() on the listener; returns its result. */
static long
accept_in_thread(void *listener)
{
	uds_thread_about_to_block();
	return accept(*(int *)listener, NULL, NULL);
}

/*
 * The close() must not end the sleeping accept(): a connection to the
 * listener's path, made after it, is what completes the call.
 */
UDS_CASE(listener_close_leaves_accept_asleep, "D-35", UDS_CONNECTION_TYPES | UDS_PATH)
{
	struct uds_thread t;
	struct uds_addr name;
	int client = uds_socket(p->kind->type, false), accepted;
	int listener = p->listener;     /* the thread's copy: p->listener changes below */

	uds_name_of(p->listener, &name);
	uds_thread_start(&t, accept_in_thread, &listener);
	uds_thread_wait_blocked(&t, "accept() on the listener");
	UDS_OK(close(p->listener));
	p->listener = -1;
	(void)uds_try_connect(client, &name);   /* refused where close() ended the listener */
	UDS_EXPECT_RESULT("accept.listener_closed_while_asleep", accepted = (int)uds_thread_finish(&t));
	uds_exchange(client, accepted);
	close(accepted);
	close(client);
}

UDS_CASE(shutdown_listener_enotconn, "D-36", UDS_CONNECTION_TYPES | UDS_NAMED)
{
	static const int hows[] = { SHUT_RD, SHUT_WR, SHUT_RDWR };

	for (int i = 0; i < 3; i++) {
		struct uds_addr name;
		int l = uds_listener(p->kind, &name);

		UDS_EXPECT_RESULT("shutdown.listener", shutdown(l, hows[i]));
		close(l);
	}
}
