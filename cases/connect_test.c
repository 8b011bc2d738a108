/*
 * connect_test - setting up connections and naming sockets (catalogue
 * areas D, B and O): listen(), connect() and accept() and their errors,
 * pathname addresses and the socket node in the filesystem, and the
 * errors unix(7) lists, each triggered by one scenario.
 */
#include "uds.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

/* struct stat timestamps: POSIX.1-2008 st_atim; macOS spells them st_atimespec. */
#if !defined(HAVE_STAT_ST_ATIM) && defined(HAVE_STAT_ST_ATIMESPEC)
#define st_atim st_atimespec
#define st_mtim st_mtimespec
#define st_ctim st_ctimespec
#endif

#define OFF_PATH   offsetof(struct sockaddr_un, sun_path)
#define SUN_PATH_SIZE sizeof(((struct sockaddr_un *)0)->sun_path)
#define SA(a)      ((struct sockaddr *)&(a)->sun)
#define CSA(a)     ((const struct sockaddr *)&(a)->sun)

static bool
is_conn(int type)
{
	return type == SOCK_STREAM || type == SOCK_SEQPACKET;
}

static int
connect_to(int fd, const struct uds_addr *name)
{
	return connect(fd, CSA(name), name->len);
}

/* uds_serve() on a fresh path. */
static void
serve_fresh(int fd, int type, struct uds_addr *name)
{
	uds_addr_fresh_path(name);
	uds_serve(fd, type, name);
}

/* serve_fresh(), then the node's mode set to mode. */
static void
serve_with_mode(int fd, int type, struct uds_addr *name, mode_t mode)
{
	serve_fresh(fd, type, name);
	UDS_OK(chmod(name->sun.sun_path, mode));
}

/* The node at path exists and has the file type (S_IFSOCK, S_IFREG, ...). */
static void
require_node(const char *path, mode_t type)
{
	struct stat st;

	UDS_REQUIRE(lstat(path, &st) == 0, "lstat(\"%s\"): %s, expected a node", path,
	    uds_errno_name(errno));
	UDS_REQUIRE((st.st_mode & S_IFMT) == type, "\"%s\" has file type %#o, expected %#o",
	    path, (unsigned)(st.st_mode & S_IFMT), (unsigned)type);
}

static void
require_no_node(const char *path)
{
	struct stat st;

	UDS_FAILS_WITH(ENOENT, lstat(path, &st));
}

static void
require_unconnected(int fd)
{
	struct uds_addr peer = { .len = sizeof(peer.sun) };

	UDS_FAILS_WITH(ENOTCONN, getpeername(fd, SA(&peer), &peer.len));
}

/* Nothing is waiting to be accepted or received on fd. */
static void
require_nothing_pending(int fd)
{
	UDS_EQ(uds_poll(fd, POLLIN, 0) & POLLIN, 0, "POLLIN on a socket nothing should reach");
}

/* A new socket of the type reaches the server at name: connected and accepted, or a datagram received. */
static void
require_reaches(int type, const struct uds_addr *name, int server)
{
	int fd = uds_socket(type, false);
	char c;

	if (is_conn(type)) {
		uds_connect(fd, name);
		close(uds_accept(server));
	} else {
		UDS_EQ(UDS_OK(sendto(fd, "r", 1, 0, CSA(name), name->len)), 1, "bytes sent");
		UDS_EQ(uds_recv_one(server, &c, 1, 0), 1, "bytes at the server");
		UDS_EQ(c, 'r', "byte at the server");
	}
	close(fd);
}

/* Binds p->a to a fresh path and closes it: the node stays behind with nothing bound to it. */
static void
leave_stale_node(struct uds_pair *p, struct uds_addr *name)
{
	uds_addr_fresh_path(name);
	uds_bind(p->a, name);
	close(p->a);
	p->a = -1;
}

/* A byte each way between two connected ends. */
static void
exchange(int x, int y)
{
	char c;

	uds_send_one(x, "x", 1);
	UDS_EQ(uds_recv_one(y, &c, 1, 0), 1, "bytes from x");
	UDS_EQ(c, 'x', "byte from x");
	uds_send_one(y, "y", 1);
	UDS_EQ(uds_recv_one(x, &c, 1, 0), 1, "bytes from y");
	UDS_EQ(c, 'y', "byte from y");
}

/* A path of n bytes of c, with its NUL when it fits in sun_path. */
static void
path_of_length(struct uds_addr *a, char c, size_t n)
{
	memset(a, 0, sizeof(*a));
	a->sun.sun_family = AF_UNIX;
	memset(a->sun.sun_path, c, n);
	a->len = (socklen_t)(OFF_PATH + (n < SUN_PATH_SIZE ? n + 1 : n));
}

static int
create_file(const char *path, const char *contents)
{
	int fd = (int)UDS_OK(open(path, O_RDWR | O_CREAT | O_EXCL, 0644));

	UDS_EQ(write(fd, contents, strlen(contents)), strlen(contents), "bytes written");
	return fd;
}

/* ------------------------------------------------------------------ */
/* Connection refused, missing and mismatched targets                  */
/* ------------------------------------------------------------------ */

UDS_CASE(connect_to_bound_not_listening_refused, "O-03",
    UDS_CONNECTION_TYPES | UDS_UNBOUND | UDS_BOTH_MODES)
{
	struct uds_addr name;

	uds_addr_fresh_path(&name);
	uds_bind(p->b, &name);
	UDS_FAILS_WITH(ECONNREFUSED, connect_to(p->a, &name));
	require_unconnected(p->a);
	uds_listen(p->b, 1);
	require_reaches(p->kind->type, &name, p->b);
}

UDS_CASE(connect_to_closed_listener_refused, "D-21",
    UDS_CONNECTION_TYPES | UDS_UNBOUND | UDS_BOTH_MODES)
{
	struct uds_addr name;
	int l = uds_socket(p->kind->type, false);

	serve_fresh(l, p->kind->type, &name);
	close(l);
	require_node(name.sun.sun_path, S_IFSOCK);
	UDS_EXPECT_RESULT("connect.closed_listener", connect_to(p->a, &name));
	require_unconnected(p->a);
}

UDS_CASE(connect_to_mknod_socket_node_refused, "B-31",
    UDS_CONNECTION_TYPES | UDS_UNBOUND | UDS_BOTH_MODES)
{
	struct uds_addr name;

	uds_addr_path(&name, "mknod-node");
	if (mknod("mknod-node", S_IFSOCK | 0777, 0) == -1)
		uds_skip("mknod(S_IFSOCK) failed with %s: no node to connect to", uds_errno_name(errno));
	require_node("mknod-node", S_IFSOCK);
	UDS_EXPECT_RESULT("connect.unbound_socket_node", connect_to(p->a, &name));
	require_unconnected(p->a);
}

UDS_CASE(connect_to_non_socket_path, "D-22", UDS_ALL_TYPES | UDS_UNBOUND | UDS_BOTH_MODES)
{
	struct uds_addr file, dir;

	close(create_file("plain-file", "data"));
	UDS_OK(mkdir("a-directory", 0755));
	uds_addr_path(&file, "plain-file");
	uds_addr_path(&dir, "a-directory");
	UDS_EXPECT_RESULT("connect.non_socket_path", connect_to(p->a, &file));
	UDS_EXPECT_RESULT("connect.non_socket_path", connect_to(p->b, &dir));
	require_node("plain-file", S_IFREG);
	require_node("a-directory", S_IFDIR);
	require_unconnected(p->a);
}

UDS_CASE(connect_to_missing_path_enoent, "O-08",
    UDS_CONNECTION_TYPES | UDS_UNBOUND | UDS_BOTH_MODES)
{
	struct uds_addr nobody;

	uds_addr_path(&nobody, "no-such-socket");
	UDS_FAILS_WITH(ENOENT, connect_to(p->a, &nobody));
	require_no_node("no-such-socket");
	require_unconnected(p->a);
}

UDS_CASE(connect_to_other_connection_type_eprototype, "D-23",
    UDS_CONNECTION_TYPES | UDS_UNBOUND | UDS_BOTH_MODES)
{
	int other = p->kind->type == SOCK_STREAM ? SOCK_SEQPACKET : SOCK_STREAM;
	int l = uds_socket(other, false);
	struct uds_addr name;

	serve_fresh(l, other, &name);
	UDS_EXPECT_RESULT("connect.type_mismatch", connect_to(p->a, &name));
	require_nothing_pending(l);
	require_unconnected(p->a);
}

UDS_CASE(dgram_to_listener_eprototype, "O-14", UDS_DGRAM | UDS_UNBOUND | UDS_BOTH_MODES)
{
	static const int types[] = { SOCK_STREAM, SOCK_SEQPACKET };

	for (size_t i = 0; i < 2; i++) {
		struct uds_addr name;
		int l;

		if (types[i] == SOCK_SEQPACKET && !uds_have_seqpacket())
			continue;
		l = uds_socket(types[i], false);
		serve_fresh(l, types[i], &name);
		UDS_EXPECT_RESULT("connect.type_mismatch", connect_to(p->a, &name));
		UDS_EXPECT_RESULT("connect.type_mismatch",
		    sendto(p->a, "x", 1, 0, CSA(&name), name.len));
		require_nothing_pending(l);
		close(l);
	}
	require_unconnected(p->a);
}

/* ------------------------------------------------------------------ */
/* Addresses in use                                                    */
/* ------------------------------------------------------------------ */

UDS_CASE(bind_name_of_live_socket_in_use, "O-01", UDS_ALL_TYPES | UDS_NAMED)
{
	int type = p->kind->type;
	int holder = uds_socket(type, false);
	int second = uds_socket(type, false);
	struct uds_addr name, got;

	uds_addr_fresh_for(p->kind, &name);
	uds_serve(holder, type, &name);
	UDS_FAILS_WITH(EADDRINUSE, bind(second, CSA(&name), name.len));
	uds_name_of(second, &got);
	UDS_REQUIRE(!uds_same_name(&got, &name), "the failed bind() still named the socket %s",
	    uds_addr_str(&got.sun, got.len));
	require_reaches(type, &name, holder);
}

UDS_CASE(bind_stale_node_in_use_until_unlink, "B-03", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr name;

	leave_stale_node(p, &name);
	UDS_FAILS_WITH(EADDRINUSE, bind(p->b, CSA(&name), name.len));
	UDS_OK(unlink(name.sun.sun_path));
	uds_serve(p->b, p->kind->type, &name);
	require_node(name.sun.sun_path, S_IFSOCK);
	require_reaches(p->kind->type, &name, p->b);
}

UDS_CASE(bind_over_regular_file, "B-04", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr name;
	char buf[16];
	int fd;

	close(create_file("regular", "keep"));
	uds_addr_path(&name, "regular");
	UDS_EXPECT_RESULT("bind.existing_non_socket", bind(p->a, CSA(&name), name.len));
	require_node("regular", S_IFREG);
	fd = (int)UDS_OK(open("regular", O_RDONLY));
	UDS_EQ(read(fd, buf, sizeof(buf)), 4, "bytes in the file after the bind()");
	UDS_REQUIRE(memcmp(buf, "keep", 4) == 0, "the file's contents changed");
	close(fd);
}

UDS_CASE(bind_path_ends_at_first_nul, "B-28", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr x, y;

	uds_addr_path(&x, "nul-end");
	x.sun.sun_path[8] = 'x';
	x.len = (socklen_t)(OFF_PATH + 10);
	y = x;
	y.sun.sun_path[8] = 'y';
	uds_bind(p->a, &x);
	require_node("nul-end", S_IFSOCK);
	UDS_EXPECT_RESULT("bind.path_ends_at_nul", bind(p->b, CSA(&y), y.len));
}

/* ------------------------------------------------------------------ */
/* Invalid arguments and states                                        */
/* ------------------------------------------------------------------ */

UDS_CASE(bind_wrong_family, "O-06", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr name;

	uds_addr_path(&name, "wrong-family");
	name.sun.sun_family = AF_INET;
	UDS_EXPECT_RESULT("bind.wrong_family", bind(p->a, CSA(&name), name.len));
	require_no_node("wrong-family");
}

/* A sockaddr_un with room past its end, for addrlen > sizeof(struct sockaddr_un). */
struct long_sun {
	struct sockaddr_un sun;
	char past[16];
};

UDS_CASE(bind_addrlen_too_long, "B-20", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct long_sun big;
	struct uds_addr name;

	uds_addr_path(&name, "too-long");
	memset(&big, 0, sizeof(big));
	big.sun = name.sun;
	UDS_EXPECT_RESULT("bind.addrlen_too_long",
	    bind(p->a, (struct sockaddr *)&big, sizeof(big.sun) + 1));
	if (uds_expected_value("bind.addrlen_too_long") != UDS_SUCCEEDS)
		require_no_node("too-long");
}

UDS_CASE(connect_addrlen_too_long, "D-25", UDS_ALL_TYPES | UDS_UNBOUND | UDS_BOTH_MODES)
{
	struct long_sun big;
	struct uds_addr name;

	serve_fresh(p->b, p->kind->type, &name);
	memset(&big, 0, sizeof(big));
	big.sun = name.sun;
	UDS_EXPECT_RESULT("connect.addrlen_too_long",
	    connect(p->a, (struct sockaddr *)&big, sizeof(big.sun) + 1));
	require_unconnected(p->a);
	if (is_conn(p->kind->type))
		require_nothing_pending(p->b);
}

UDS_CASE(bind_bound_socket_einval, "B-13", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr first, second, got;

	uds_addr_fresh_path(&first);
	uds_addr_fresh_path(&second);
	uds_bind(p->a, &first);
	UDS_FAILS_WITH(EINVAL, bind(p->a, CSA(&second), second.len));
	require_no_node(second.sun.sun_path);
	uds_name_of(p->a, &got);
	UDS_REQUIRE_SAME_NAME(&got, &first, "the name after the failed bind()");
	if (is_conn(p->kind->type)) {
		serve_fresh(p->b, p->kind->type, &first);
		UDS_FAILS_WITH(EINVAL, bind(p->b, CSA(&second), second.len));
		require_no_node(second.sun.sun_path);
	}
}

UDS_CASE(bind_bound_socket_to_own_path, "B-14", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr name, got;

	uds_addr_fresh_path(&name);
	uds_bind(p->a, &name);
	UDS_EXPECT_RESULT("bind.rebind_own_path", bind(p->a, CSA(&name), name.len));
	uds_name_of(p->a, &got);
	UDS_REQUIRE_SAME_NAME(&got, &name, "the name after the second bind()");
	require_node(name.sun.sun_path, S_IFSOCK);
}

UDS_CASE(listen_unbound, "D-02", UDS_CONNECTION_TYPES | UDS_UNBOUND)
{
	UDS_EXPECT_RESULT("listen.unbound", listen(p->a, 4));
	UDS_FAILS_WITH(EINVAL, accept(p->a, NULL, NULL));
}

UDS_CASE(listen_connected_einval, "D-05", UDS_CONNECTION_TYPES | UDS_CONNECTED)
{
	UDS_FAILS_WITH(EINVAL, listen(p->a, 4));
	UDS_FAILS_WITH(EINVAL, listen(p->b, 4));
	exchange(p->a, p->b);
}

UDS_CASE(connect_connected_eisconn, "O-07", UDS_CONNECTION_TYPES | UDS_CONNECTED | UDS_BOTH_MODES)
{
	struct uds_addr name;
	int l = uds_listener(p->kind, &name);

	UDS_FAILS_WITH(EISCONN, connect_to(p->a, &name));
	UDS_FAILS_WITH(EISCONN, connect_to(p->b, &name));
	require_nothing_pending(l);
	exchange(p->a, p->b);
}

UDS_CASE(connect_listener_to_itself, "D-24", UDS_CONNECTION_TYPES | UDS_NAMED)
{
	UDS_EXPECT_RESULT("connect.listener_to_itself", connect_to(p->listener, &p->b_name));
	require_reaches(p->kind->type, &p->b_name, p->listener);
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
	require_reaches(p->kind->type, &name, l);
}

UDS_CASE(listen_twice, "D-03", UDS_CONNECTION_TYPES | UDS_NAMED)
{
	UDS_EXPECT_RESULT("listen.twice", listen(p->listener, 4));
	require_reaches(p->kind->type, &p->b_name, p->listener);
}

UDS_CASE(listen_dgram_unsupported, "D-11", UDS_DGRAM | UDS_UNBOUND, .note = "listen()")
{
	struct uds_addr name;

	UDS_EXPECT_RESULT("listen.dgram", listen(p->a, 4));
	uds_addr_fresh_path(&name);
	uds_bind(p->a, &name);
	UDS_EXPECT_RESULT("listen.dgram", listen(p->a, 4));
	require_reaches(SOCK_DGRAM, &name, p->a);
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

	serve_fresh(p->a, p->kind->type, &name);
	rc = accept(p->a, NULL, NULL);
	err = errno;
	UDS_REQUIRE(rc == -1 && (err == EAGAIN || err == EWOULDBLOCK),
	    "accept() with nothing pending returned %d (%s), expected EAGAIN", rc,
	    rc == -1 ? uds_errno_name(err) : "a descriptor");
	uds_connect(c, &name);
	uds_wait_readable(p->a);
	exchange(c, (int)UDS_OK(accept(p->a, NULL, NULL)));
}

UDS_CASE(nonblocking_connect_completes_at_once, "D-10",
    UDS_CONNECTION_TYPES | UDS_UNBOUND | UDS_NONBLOCK)
{
	struct uds_addr name, peer;

	serve_fresh(p->b, p->kind->type, &name);
	UDS_EXPECT_RESULT("connect.nonblocking_completes", connect_to(p->a, &name));
	uds_peer_of(p->a, &peer);
	UDS_REQUIRE_SAME_NAME(&peer, &name, "getpeername() after the connect()");
	uds_wait_readable(p->b);
	exchange(p->a, (int)UDS_OK(accept(p->b, NULL, NULL)));
}

UDS_CASE(connect_accept_exchange, "D-19", UDS_CONNECTION_TYPES | UDS_NAMED | UDS_BOTH_MODES)
{
	struct uds_addr name;
	int l = uds_listener(p->kind, &name);
	int c = uds_socket(p->kind->type, p->kind->nonblock);
	int s;

	UDS_EQ(UDS_OK(connect_to(c, &name)), 0, "connect()");
	s = uds_accept(l);
	UDS_REQUIRE(s != l && s != c, "accept() returned descriptor %d, not a new one", s);
	exchange(c, s);
	require_reaches(p->kind->type, &name, l);
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

	serve_fresh(p->b, p->kind->type, &name);
	uds_connect(p->a, &name);
	uds_wait_readable(p->b);
	memset(&from, 0xa5, sizeof(from));
	from.len = sizeof(from.sun);
	UDS_OK(accept(p->b, SA(&from), &from.len));
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
	s = (int)UDS_OK(accept(p->listener, SA(&from), &from.len));
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

	require_unconnected(p->a);
	uds_addr_fresh_path(&name);
	uds_bind(p->a, &name);
	require_unconnected(p->a);
}

UDS_CASE(getpeername_listener_enotconn, "D-29", UDS_CONNECTION_TYPES | UDS_NAMED)
{
	struct uds_addr mine;

	require_unconnected(p->listener);
	uds_name_of(p->listener, &mine);
	UDS_REQUIRE_SAME_NAME(&mine, &p->b_name, "the listener's name");
}

UDS_CASE(getpeername_bad_length_or_buffer, "D-30", UDS_ALL_TYPES | UDS_CONNECTED,
    .note = "EINVAL and EFAULT")
{
	struct uds_addr peer;
	socklen_t len = (socklen_t)-1;

	UDS_EXPECT_RESULT("getpeername.negative_len", getpeername(p->a, SA(&peer), &len));
	len = sizeof(peer.sun);
	UDS_EXPECT_RESULT("getpeername.bad_pointer",
	    getpeername(p->a, (struct sockaddr *)uds_unmapped_page(), &len));
}

UDS_CASE(getpeername_bad_descriptor, "D-30", UDS_NO_KIND, .note = "EBADF and ENOTSOCK")
{
	struct uds_addr peer = { .len = sizeof(peer.sun) };
	int fd = create_file("not-a-socket", "");
	int closed = (int)UDS_OK(dup(fd));

	close(closed);
	UDS_FAILS_WITH(EBADF, getpeername(closed, SA(&peer), &peer.len));
	UDS_FAILS_WITH(ENOTSOCK, getpeername(fd, SA(&peer), &peer.len));
}

/* ------------------------------------------------------------------ */
/* Permissions                                                         */
/* ------------------------------------------------------------------ */

UDS_CASE_UNPRIV(connect_without_write_permission, "L-49",
    UDS_CONNECTION_TYPES | UDS_UNBOUND | UDS_BOTH_MODES, .note = "unprivileged: EACCES")
{
	struct uds_addr name;

	uds_require_unprivileged();
	serve_with_mode(p->b, p->kind->type, &name, 0555);
	UDS_EXPECT_RESULT("perm.connect_needs_write", connect_to(p->a, &name));
	require_nothing_pending(p->b);
	UDS_OK(chmod(name.sun.sun_path, 0200));
	require_reaches(p->kind->type, &name, p->b);
}

UDS_CASE_UNPRIV(sendto_without_write_permission, "L-50", UDS_DGRAM | UDS_UNBOUND | UDS_BOTH_MODES,
    .note = "unprivileged: EACCES")
{
	struct uds_addr name;

	uds_require_unprivileged();
	serve_with_mode(p->b, SOCK_DGRAM, &name, 0555);
	UDS_EXPECT_RESULT("perm.connect_needs_write",
	    sendto(p->a, "x", 1, 0, CSA(&name), name.len));
	UDS_EXPECT_RESULT("perm.connect_needs_write", connect_to(p->a, &name));
	uds_require_nothing_queued(p->b);
	UDS_OK(chmod(name.sun.sun_path, 0200));
	require_reaches(SOCK_DGRAM, &name, p->b);
}

UDS_CASE_UNPRIV(bind_in_unwritable_directory, "B-17", UDS_ALL_TYPES | UDS_UNBOUND,
    .note = "unprivileged: EACCES")
{
	struct uds_addr ro, nosearch, ok;

	uds_require_unprivileged();
	UDS_OK(mkdir("ro-dir", 0700));
	UDS_OK(mkdir("ns-dir", 0700));
	UDS_OK(chmod("ro-dir", 0555));
	UDS_OK(chmod("ns-dir", 0600));
	uds_addr_path(&ro, "ro-dir/s");
	uds_addr_path(&nosearch, "ns-dir/s");
	UDS_FAILS_WITH(EACCES, bind(p->a, CSA(&ro), ro.len));
	UDS_FAILS_WITH(EACCES, bind(p->a, CSA(&nosearch), nosearch.len));
	UDS_OK(chmod("ro-dir", 0755));
	UDS_OK(chmod("ns-dir", 0755));
	require_no_node("ro-dir/s");
	require_no_node("ns-dir/s");
	uds_addr_path(&ok, "ro-dir/t");
	uds_bind(p->b, &ok);
}

/* The privileged counterparts: notes the uid and requires root. */
static void
require_root(void)
{
	uds_note("running as uid %d (euid %d)", (int)getuid(), (int)geteuid());
	UDS_REQUIRE(geteuid() == 0, "runs unprivileged, which no permission check lets through");
}

UDS_CASE_ROOT(connect_as_root_ignores_node_mode, "L-49",
    UDS_CONNECTION_TYPES | UDS_UNBOUND | UDS_BOTH_MODES, .note = "as root: connects")
{
	struct uds_addr name;

	require_root();
	serve_with_mode(p->b, p->kind->type, &name, 0);
	UDS_EXPECT_RESULT("perm.root_ignores_socket_mode", connect_to(p->a, &name));
	exchange(p->a, uds_accept(p->b));
}

UDS_CASE_ROOT(sendto_as_root_ignores_node_mode, "L-50", UDS_DGRAM | UDS_UNBOUND | UDS_BOTH_MODES,
    .note = "as root: delivered")
{
	struct uds_addr name;
	char c = 0;

	require_root();
	serve_with_mode(p->b, SOCK_DGRAM, &name, 0);
	UDS_EXPECT_RESULT("perm.root_ignores_socket_mode",
	    sendto(p->a, "r", 1, 0, CSA(&name), name.len));
	UDS_EQ(uds_recv_one(p->b, &c, 1, 0), 1, "bytes at the receiver");
	UDS_EQ(c, 'r', "byte at the receiver");
}

UDS_CASE_ROOT(bind_as_root_in_unwritable_directory, "B-17", UDS_ALL_TYPES | UDS_UNBOUND,
    .note = "as root: the node is created")
{
	struct uds_addr name;

	require_root();
	UDS_OK(mkdir("ro-dir", 0555));
	uds_addr_path(&name, "ro-dir/s");
	UDS_EXPECT_RESULT("perm.root_ignores_socket_mode", bind(p->a, CSA(&name), name.len));
	require_node("ro-dir/s", S_IFSOCK);
}

/* ------------------------------------------------------------------ */
/* Path resolution errors                                              */
/* ------------------------------------------------------------------ */

/* bind() to path fails with err; the socket stays unbound and can then bind elsewhere. */
static void
bind_fails_at(int fd, const char *path, int err)
{
	struct uds_addr name, good;

	uds_addr_path(&name, path);
	UDS_FAILS_WITH(err, bind(fd, CSA(&name), name.len));
	uds_addr_fresh_path(&good);
	uds_bind(fd, &good);
}

UDS_CASE(bind_missing_directory_enoent, "B-15", UDS_ALL_TYPES | UDS_UNBOUND)
{
	bind_fails_at(p->a, "no-such-dir/s", ENOENT);
	require_no_node("no-such-dir");
}

UDS_CASE(bind_through_file_enotdir, "B-16", UDS_ALL_TYPES | UDS_UNBOUND)
{
	close(create_file("file-not-dir", "x"));
	bind_fails_at(p->a, "file-not-dir/s", ENOTDIR);
	require_node("file-not-dir", S_IFREG);
}

UDS_CASE(bind_through_symlink_loop_eloop, "B-19", UDS_ALL_TYPES | UDS_UNBOUND)
{
	UDS_OK(symlink("loop-b", "loop-a"));
	UDS_OK(symlink("loop-a", "loop-b"));
	bind_fails_at(p->a, "loop-a/s", ELOOP);
	require_node("loop-a", S_IFLNK);
}

#if defined(CLONE_NEWNS) && defined(MS_RDONLY) && defined(MS_PRIVATE)
static void
bind_on_read_only_mount(void *arg)
{
	int type = *(int *)arg;
	int fd = uds_socket(type, false);

	if (unshare(CLONE_NEWNS) == -1)
		uds_skip("unshare(CLONE_NEWNS) failed with %s: no private read-only mount",
		    uds_errno_name(errno));
	/* Never mount without private propagation: the mount could reach the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		uds_skip("making mounts private failed with %s (is / a mount point? not in a "
		    "chroot): no safe read-only mount", uds_errno_name(errno));
	if (mount("uds-ro", "ro-mount", "tmpfs", MS_RDONLY, NULL) == -1)
		uds_skip("mounting a read-only tmpfs failed with %s", uds_errno_name(errno));
	bind_fails_at(fd, "ro-mount/s", EROFS);
}
#endif

UDS_CASE_ROOT(bind_on_read_only_filesystem_erofs, "B-18", UDS_ALL_TYPES | UDS_UNBOUND)
{
#if defined(CLONE_NEWNS) && defined(MS_RDONLY) && defined(MS_PRIVATE)
	struct uds_child child;
	int type = p->kind->type;

	UDS_OK(mkdir("ro-mount", 0755));
	uds_child_start(&child, bind_on_read_only_mount, &type);
	uds_child_finish(&child);
	require_no_node("ro-mount/s");
#else
	uds_skip("no private mount namespaces here (CLONE_NEWNS), so no safe read-only mount");
#endif
}

/* ------------------------------------------------------------------ */
/* The socket node                                                     */
/* ------------------------------------------------------------------ */

UDS_CASE(bind_creates_socket_node, "B-01", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr name;
	struct stat st;

	uds_addr_fresh_path(&name);
	require_no_node(name.sun.sun_path);
	uds_bind(p->a, &name);
	require_node(name.sun.sun_path, S_IFSOCK);
	UDS_OK(stat(name.sun.sun_path, &st));
	UDS_REQUIRE(S_ISSOCK(st.st_mode), "stat() mode %#o is not a socket", (unsigned)st.st_mode);
}

UDS_CASE(node_stays_after_close, "B-02", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr name;

	leave_stale_node(p, &name);
	require_node(name.sun.sun_path, S_IFSOCK);
	UDS_OK(unlink(name.sun.sun_path));
	require_no_node(name.sun.sun_path);
}

UDS_CASE(unlink_live_path_then_rebind, "B-05", UDS_ALL_TYPES | UDS_PATH)
{
	int type = p->kind->type;
	int second = uds_socket(type, false);
	int old = is_conn(type) ? p->listener : p->b;

	UDS_OK(unlink(p->b_name.sun.sun_path));
	UDS_EXPECT_RESULT("bind.after_unlink_live_path",
	    bind(second, CSA(&p->b_name), p->b_name.len));
	if (is_conn(type))
		uds_listen(second, 4);
	require_reaches(type, &p->b_name, second);
	require_nothing_pending(old);
	exchange(p->a, p->b);
}

UDS_CASE(unlink_listener_path, "B-06", UDS_CONNECTION_TYPES | UDS_PATH | UDS_BOTH_MODES)
{
	int c = uds_socket(p->kind->type, p->kind->nonblock);

	UDS_OK(unlink(p->b_name.sun.sun_path));
	UDS_FAILS_WITH(ENOENT, connect_to(c, &p->b_name));
	require_nothing_pending(p->listener);
	exchange(p->a, p->b);
}

UDS_CASE(getsockname_returns_bound_path, "B-07", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr name, got;
	size_t n;

	uds_addr_fresh_path(&name);
	uds_bind(p->a, &name);
	uds_name_of(p->a, &got);
	UDS_REQUIRE_SAME_NAME(&got, &name, "getsockname()");
	n = OFF_PATH + strlen(name.sun.sun_path);
	UDS_REQUIRE(got.len == n || got.len == n + 1, "getsockname() length %u, expected %zu or "
	    "%zu", (unsigned)got.len, n, n + 1);
	UDS_EXPECT_VALUE("getsockname.path_counts_nul", got.len == n + 1);
}

/*
 * Binds fd to a fresh path under umask 022, after fchmod(fd, mode) unless mode
 * is 0; returns the permission bits of the node bind() created.
 */
static long
node_mode_under_umask_022(int fd, mode_t mode)
{
	struct uds_addr name;
	struct stat st;
	mode_t old = umask(022);

	uds_addr_fresh_path(&name);
	if (mode != 0)
		UDS_OK(fchmod(fd, mode));
	uds_bind(fd, &name);
	umask(old);
	UDS_OK(lstat(name.sun.sun_path, &st));
	return (long)(st.st_mode & 07777);
}

UDS_CASE(node_mode_follows_umask, "B-08", UDS_ALL_TYPES | UDS_UNBOUND)
{
	UDS_EXPECT_VALUE("bind.node_mode_umask", node_mode_under_umask_022(p->a, 0));
}

/* Sends one byte c to name from fd: connect() and send() for connection types, sendto() otherwise. */
static void
send_via(int fd, int type, const struct uds_addr *name, char c)
{
	if (is_conn(type)) {
		uds_connect(fd, name);
		uds_send_one(fd, &c, 1);
	} else
		UDS_EQ(UDS_OK(sendto(fd, &c, 1, 0, CSA(name), name->len)), 1, "bytes sent");
}

/*
 * Receives at server the byte c a child sent with send_via() from where: on a
 * newly accepted connection for connection types.
 */
static void
recv_via(int server, int type, char c, const char *where)
{
	char buf[8], label[80];
	int s = is_conn(type) ? uds_accept(server) : server;

	snprintf(label, sizeof(label), "bytes from %s", where);
	UDS_EQ(uds_recv_one(s, buf, sizeof(buf), 0), 1, label);
	snprintf(label, sizeof(label), "byte from %s", where);
	UDS_EQ(buf[0], c, label);
	if (s != server)
		close(s);
}

/* Child of B-29: one connection from the work directory, then from a subdirectory. */
static void
relative_client(void *arg)
{
	const struct uds_kind *k = arg;
	struct uds_addr here, up;

	uds_addr_path(&here, "rel-sock");
	uds_addr_path(&up, "../rel-sock");
	send_via(uds_socket(k->type, false), k->type, &here, 'c');
	UDS_OK(chdir("subdir"));
	UDS_FAILS_WITH(ENOENT, connect_to(uds_socket(k->type, false), &here));
	send_via(uds_socket(k->type, false), k->type, &up, 's');
}

UDS_CASE(relative_path_resolves_against_cwd, "B-29", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr name;
	struct uds_child child;
	struct uds_kind kind = *p->kind;
	int server = p->b;

	UDS_OK(mkdir("subdir", 0755));
	uds_addr_path(&name, "rel-sock");
	uds_serve(server, p->kind->type, &name);
	uds_child_start(&child, relative_client, &kind);
	recv_via(server, p->kind->type, 'c', "the relative client in the same directory");
	recv_via(server, p->kind->type, 's', "the relative client in the subdirectory");
	uds_child_finish(&child);
}

UDS_CASE(sun_path_size, "B-22", UDS_NO_KIND)
{
	UDS_EXPECT_VALUE("sun_path.size", SUN_PATH_SIZE);
}

UDS_CASE(longest_paths, "B-23", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr longest, full, got;

	path_of_length(&longest, 'l', SUN_PATH_SIZE - 1);
	UDS_EQ(longest.len, sizeof(struct sockaddr_un), "addrlen of the longest path with NUL");
	uds_serve(p->b, p->kind->type, &longest);
	require_node(longest.sun.sun_path, S_IFSOCK);
	require_reaches(p->kind->type, &longest, p->b);

	path_of_length(&full, 'f', SUN_PATH_SIZE);
	UDS_EXPECT_RESULT("bind.path_fills_sun_path", bind(p->a, CSA(&full), full.len));
	uds_name_of(p->a, &got);
	UDS_REQUIRE(got.len >= sizeof(struct sockaddr_un), "getsockname() length %u is shorter "
	    "than the bound address", (unsigned)got.len);
	UDS_REQUIRE(memcmp(got.sun.sun_path, full.sun.sun_path, SUN_PATH_SIZE) == 0,
	    "getsockname() did not return the %zu-byte path", SUN_PATH_SIZE);
}

UDS_CASE(open_socket_node_fails, "B-30", UDS_NO_KIND)
{
	static const int modes[] = { O_RDONLY, O_WRONLY, O_RDWR };
	int l = uds_socket(SOCK_STREAM, false);
	struct uds_addr name;

	serve_fresh(l, SOCK_STREAM, &name);
	for (size_t i = 0; i < 3; i++)
		UDS_EXPECT_RESULT("open.socket_node", open(name.sun.sun_path, modes[i]));
	require_node(name.sun.sun_path, S_IFSOCK);
	require_reaches(SOCK_STREAM, &name, l);
}

UDS_CASE(connect_through_link_or_rename, "B-32", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr name, link_name, moved;
	int type = p->kind->type;
	int c = uds_socket(type, false);

	serve_fresh(p->b, type, &name);
	uds_addr_path(&link_name, "hard-link");
	uds_addr_path(&moved, "renamed");
	UDS_OK(link(name.sun.sun_path, "hard-link"));
	UDS_EXPECT_RESULT("connect.via_link_or_rename", connect_to(c, &link_name));
	close(c);
	if (is_conn(type))
		close(uds_accept(p->b));
	UDS_OK(rename(name.sun.sun_path, "renamed"));
	require_no_node(name.sun.sun_path);
	require_reaches(type, &moved, p->b);
}

/* ------------------------------------------------------------------ */
/* The rest of the unix(7) ERRORS list                                 */
/* ------------------------------------------------------------------ */

UDS_CASE(send_from_unmapped_buffer_efault, "O-05", UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	void *bad = uds_unmapped_page();
	char buf[8];

	UDS_FAILS_WITH(EFAULT, send(p->a, bad, 16, 0));
	UDS_FAILS_WITH(EFAULT, write(p->a, bad, 16));
	uds_require_nothing_queued(p->b);
	uds_send_one(p->a, "ok", 2);
	UDS_EQ(uds_recv_one(p->b, buf, sizeof(buf), 0), 2, "bytes of the good send");
	uds_require_nothing_queued(p->b);
}

UDS_CASE(dgram_send_oob_unsupported, "O-10", UDS_DGRAM | UDS_CONNECTED | UDS_BOTH_MODES)
{
	UDS_EXPECT_RESULT("send.dgram_oob", send(p->a, "x", 1, MSG_OOB));
	uds_require_nothing_queued(p->b);
}

UDS_CASE(socket_unsupported_protocol, "O-13", UDS_ALL_TYPES | UDS_UNBOUND)
{
	int sv[2];

	UDS_FAILS_WITH(EPROTONOSUPPORT, socket(AF_UNIX, p->kind->type, 2));
	UDS_FAILS_WITH(EPROTONOSUPPORT, socketpair(AF_UNIX, p->kind->type, 2, sv));
}

UDS_CASE(socket_unknown_type, "O-15", UDS_NO_KIND)
{
	UDS_EXPECT_RESULT("socket.unknown_type", socket(AF_UNIX, SOCK_RDM, 0));
}

#ifdef SCM_CREDENTIALS
/* sendmsg() of one byte with SCM_CREDENTIALS claiming pid; returns sendmsg's result. */
static ssize_t
send_creds(int fd, pid_t pid)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct ucred))];
	} ctl;
	struct ucred uc = { .pid = pid, .uid = getuid(), .gid = getgid() };
	struct iovec iov = { .iov_base = "c", .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
	    .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	memset(&ctl, 0, sizeof(ctl));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_CREDENTIALS;
	cm->cmsg_len = CMSG_LEN(sizeof(uc));
	memcpy(CMSG_DATA(cm), &uc, sizeof(uc));
	return sendmsg(fd, &msg, 0);
}
#endif

UDS_CASE_UNPRIV(scm_credentials_other_pid_eperm, "O-11", UDS_ALL_TYPES | UDS_CONNECTED)
{
#ifdef SCM_CREDENTIALS
	char c;

	uds_require_unprivileged();
	UDS_FAILS_WITH(EPERM, send_creds(p->a, 1));
	uds_require_nothing_queued(p->b);
	UDS_EQ(UDS_OK(send_creds(p->a, getpid())), 1, "bytes sent with our own credentials");
	UDS_EQ(uds_recv_one(p->b, &c, 1, 0), 1, "bytes received");
#else
	uds_skip("SCM_CREDENTIALS is a Linux interface, absent here");
#endif
}

UDS_CASE_ROOT(scm_credentials_missing_pid_esrch, "O-16", UDS_ALL_TYPES | UDS_CONNECTED)
{
#ifdef SCM_CREDENTIALS
	UDS_FAILS_WITH(ESRCH, send_creds(p->a, INT_MAX));
	uds_require_nothing_queued(p->b);
#else
	uds_skip("SCM_CREDENTIALS is a Linux interface, absent here");
#endif
}

UDS_CASE_UNPRIV(scm_rights_in_flight_over_rlimit, "O-17", UDS_ALL_TYPES | UDS_PAIR)
{
	enum { PER = 8, LIMIT = 16, TRIES = 8 };
	int file = create_file("in-flight", "f"), fds[PER], sent = 0, err = 0;
	struct rlimit old, low;
	struct uds_msg msg;
	long want;

	uds_require_unprivileged();
	want = uds_expected_value("scm_rights.inflight_over_rlimit");
	for (int i = 0; i < PER; i++)
		fds[i] = file;
	UDS_OK(getrlimit(RLIMIT_NOFILE, &old));
	low = old;
	low.rlim_cur = LIMIT;
	UDS_OK(setrlimit(RLIMIT_NOFILE, &low));
	/* The same open file PER times per message: nothing new is opened under the limit. */
	for (; sent < TRIES; sent++)
		if (uds_sendmsg_fds(p->a, fds, PER, "x", 1, 0) == -1) {
			err = errno;
			break;
		}
	UDS_OK(setrlimit(RLIMIT_NOFILE, &old));
	UDS_REQUIRE(sent * PER <= LIMIT + PER, "%d descriptors went in flight past a limit of %d",
	    sent * PER, LIMIT);
	UDS_REQUIRE(sent < TRIES, "%d descriptors went in flight and no send failed", sent * PER);
	UDS_EQ(err, want, "errno of the send past the limit");
	for (int i = 0; i < sent; i++) {
		uds_recv_fds(p->b, PER, 0, &msg);
		UDS_EQ(msg.nfds, PER, "descriptors in a delivered message");
		for (int j = 0; j < msg.nfds; j++)
			close(msg.fds[j]);
	}
	uds_require_nothing_queued(p->b);
}

/* ------------------------------------------------------------------ */
/* More on addresses and nodes                                         */
/* ------------------------------------------------------------------ */

UDS_CASE(bind_addrlen_without_nul, "B-24", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr name, got;

	uds_addr_path(&name, "no-nul");
	name.len--;
	UDS_EXPECT_RESULT("bind.addrlen_without_nul", bind(p->a, CSA(&name), name.len));
	require_node("no-nul", S_IFSOCK);
	uds_name_of(p->a, &got);
	UDS_REQUIRE_SAME_NAME(&got, &name, "getsockname()");
	UDS_EXPECT_VALUE("getsockname.path_counts_nul", got.len == name.len + 1);
}

UDS_CASE(fchmod_before_bind_sets_node_mode, "B-09", UDS_ALL_TYPES | UDS_UNBOUND)
{
	UDS_EXPECT_VALUE("bind.fchmod_before_bind_mode", node_mode_under_umask_022(p->a, 0710));
}

UDS_CASE(node_times_equal_after_bind, "B-10", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr name;
	struct stat st;

	uds_addr_fresh_path(&name);
	uds_bind(p->a, &name);
	UDS_OK(lstat(name.sun.sun_path, &st));
	UDS_EXPECT_VALUE("bind.node_times_equal", st.st_mtime != 0 &&
	    st.st_atim.tv_sec == st.st_mtim.tv_sec && st.st_atim.tv_nsec == st.st_mtim.tv_nsec &&
	    st.st_ctim.tv_sec == st.st_mtim.tv_sec && st.st_ctim.tv_nsec == st.st_mtim.tv_nsec);
}

UDS_CASE_UNPRIV(node_owned_by_euid, "B-11", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr name;
	struct stat st;

	uds_require_unprivileged();
	uds_addr_fresh_path(&name);
	uds_bind(p->a, &name);
	UDS_OK(lstat(name.sun.sun_path, &st));
	UDS_EQ(st.st_uid, geteuid(), "owner of the node");
}

UDS_CASE(bind_inet_socket_to_unix_address, "B-21", UDS_NO_KIND)
{
	struct uds_addr name;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd == -1)
		uds_skip("no AF_INET socket here: %s", uds_errno_name(errno));
	uds_addr_path(&name, "inet-bind");
	/* The whole structure: a shorter length could fail first with EINVAL. */
	UDS_FAILS_WITH(EAFNOSUPPORT, bind(fd, CSA(&name), sizeof(name.sun)));
	require_no_node("inet-bind");
}

#ifdef CLONE_NEWNET
/* Child of B-33: from a new network namespace, reach the name the parent bound. */
static void
reach_from_new_netns(void *arg)
{
	const struct uds_kind *k = arg;
	struct uds_addr name;

	if (unshare(CLONE_NEWNET) == -1)
		uds_skip("unshare(CLONE_NEWNET) failed with %s", uds_errno_name(errno));
	uds_addr_path(&name, "netns-sock");
	send_via(uds_socket(k->type, false), k->type, &name, 'n');
}
#endif

UDS_CASE_ROOT(path_reachable_from_other_netns, "B-33", UDS_STREAM | UDS_DGRAM | UDS_UNBOUND)
{
#ifdef CLONE_NEWNET
	struct uds_addr name;
	struct uds_child child;
	struct uds_kind kind = *p->kind;

	uds_addr_path(&name, "netns-sock");
	uds_serve(p->b, kind.type, &name);
	uds_child_start(&child, reach_from_new_netns, &kind);
	/* The child's byte waits queued; its end first, so that a kernel without
	 * network namespaces gives the child's skip instead of a 5 s wait here. */
	uds_child_finish(&child);
	recv_via(p->b, kind.type, 'n', "the other namespace");
#else
	uds_skip("network namespaces (CLONE_NEWNET) are a Linux interface, absent here");
#endif
}

/* Child of B-34: inside a chroot to "jail", the outside name is gone, the inside one works. */
static void
reach_from_chroot(void *arg)
{
	const struct uds_kind *k = arg;
	struct uds_addr outside, inside;

	UDS_OK(chroot("jail"));
	UDS_OK(chdir("/"));
	uds_addr_path(&outside, "outside-sock");
	uds_addr_path(&inside, "/inside-sock");
	UDS_FAILS_WITH(ENOENT, connect_to(uds_socket(k->type, false), &outside));
	send_via(uds_socket(k->type, false), k->type, &inside, 'j');
}

UDS_CASE_ROOT(path_resolved_against_caller_root, "B-34", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr outside, inside;
	struct uds_child child;
	struct uds_kind kind = *p->kind;

	UDS_OK(mkdir("jail", 0755));
	uds_addr_path(&outside, "outside-sock");
	uds_addr_path(&inside, "jail/inside-sock");
	uds_serve(p->a, kind.type, &outside);
	uds_serve(p->b, kind.type, &inside);
	uds_child_start(&child, reach_from_chroot, &kind);
	recv_via(p->b, kind.type, 'j', "inside the chroot");
	uds_child_finish(&child);
	require_nothing_pending(p->a);
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
	UDS_EXPECT_RESULT("accept.negative_addrlen", accept(p->listener, SA(&from), &len));
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
		if (connect_to(uds_socket(p->kind->type, true), &name) == -1) {
			err = errno;
			break;
		}
	UDS_EXPECT_VALUE("listen.backlog0_waiting", waiting);
	UDS_EQ(err, EAGAIN, "errno of the connect() that found the backlog full");
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

	while (n < 32 && connect_to(uds_socket(type, true), name) == 0)
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
	UDS_BLOCKS(connect_to(c, &name));
	require_unconnected(c);
	uds_child_start(&child, accept_one, &l);
	UDS_EQ(UDS_OK(UDS_WITHIN_DEADLINE(connect_to(c, &name))), 0,
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
	return UDS_OK(recvfrom(fd, buf, len, 0, SA(from), &from->len));
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
	UDS_FAILS_WITH(EINVAL, bind(p->b, CSA(&other), other.len));
	byte_comes_from(p->b, p->a, '3', &p->b_name);
}

UDS_CASE(stream_recvfrom_sender_address, "D-33", UDS_STREAM | UDS_CONNECTED | UDS_BOTH_ENDS)
{
	struct uds_addr sender, from, cname, lname;
	char buf[16];

	uds_require_holds("recvfrom.stream_sender_name");
	uds_name_of(p->a, &sender);
	if (sender.len <= OFF_PATH)
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
