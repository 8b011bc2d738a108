/*
 * creds_permissions - the permission half of catalogue area L in creds_test:
 * connect() and sendto() need write permission on the socket node and
 * search permission on its directories, for an unprivileged caller; root
 * bypasses both.
 */
#include "creds.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

/* uds_serve_fresh(), then the node's mode set to mode. */
static void
serve_with_mode(int fd, int type, struct uds_addr *name, mode_t mode)
{
	uds_serve_fresh(fd, type, name);
	UDS_OK(chmod(name->sun.sun_path, mode));
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
	UDS_EXPECT_RESULT("perm.connect_needs_write", uds_try_connect(p->a, &name));
	uds_require_nothing_queued(p->b);
	UDS_OK(chmod(name.sun.sun_path, 0200));
	uds_require_reaches(p->kind->type, &name, p->b);
}

UDS_CASE_UNPRIV(sendto_without_write_permission, "L-50", UDS_DGRAM | UDS_UNBOUND | UDS_BOTH_MODES,
    .note = "unprivileged: EACCES")
{
	struct uds_addr name;

	uds_require_unprivileged();
	serve_with_mode(p->b, SOCK_DGRAM, &name, 0555);
	UDS_EXPECT_RESULT("perm.connect_needs_write",
	    sendto(p->a, "x", 1, 0, UDS_CSA(&name), name.len));
	UDS_EXPECT_RESULT("perm.connect_needs_write", uds_try_connect(p->a, &name));
	uds_require_nothing_queued(p->b);
	UDS_OK(chmod(name.sun.sun_path, 0200));
	uds_require_reaches(SOCK_DGRAM, &name, p->b);
}

UDS_CASE_ROOT(connect_as_root_ignores_node_mode, "L-49",
    UDS_CONNECTION_TYPES | UDS_UNBOUND | UDS_BOTH_MODES, .note = "as root: connects")
{
	struct uds_addr name;

	uds_require_root();
	serve_with_mode(p->b, p->kind->type, &name, 0);
	UDS_EXPECT_RESULT("perm.root_ignores_socket_mode", uds_try_connect(p->a, &name));
	uds_exchange(p->a, uds_accept(p->b));
}

UDS_CASE_ROOT(sendto_as_root_ignores_node_mode, "L-50", UDS_DGRAM | UDS_UNBOUND | UDS_BOTH_MODES,
    .note = "as root: delivered")
{
	struct uds_addr name;
	char c = 0;

	uds_require_root();
	serve_with_mode(p->b, SOCK_DGRAM, &name, 0);
	UDS_EXPECT_RESULT("perm.root_ignores_socket_mode",
	    sendto(p->a, "r", 1, 0, UDS_CSA(&name), name.len));
	UDS_EQ(uds_recv_one(p->b, &c, 1, 0), 1, "bytes at the receiver");
	UDS_EQ(c, 'r', "byte at the receiver");
}

/* ---- permissions ---- */

UDS_CASE_UNPRIV(no_search_permission_eacces, "L-51", UDS_ALL_TYPES | UDS_UNBOUND,
    .note = "unprivileged: EACCES")
{
	struct uds_addr name;
	int type = p->kind->type;

	uds_require_unprivileged();
	UDS_OK(mkdir("ns", 0700));
	uds_addr_path(&name, "ns/s");
	uds_serve(p->b, type, &name);
	UDS_OK(chmod("ns", 0600));
	UDS_FAILS_WITH(EACCES, uds_try_reach(p->a, type, &name));
	uds_require_nothing_queued(p->b);
	UDS_OK(chmod("ns", 0700));
	UDS_OK(uds_try_reach(p->a, type, &name));
	if (type == SOCK_DGRAM) {
		char c;

		UDS_EQ(uds_recv_one(p->b, &c, 1, 0), 1, "datagram received once searchable");
	}
}

UDS_CASE_ROOT(root_passes_search_permission, "L-51", UDS_ALL_TYPES | UDS_UNBOUND,
    .note = "as root: delivered")
{
	struct uds_addr name;
	int type = p->kind->type;
	char c = 0;

	uds_note("running as uid %d (euid %d)", (int)getuid(), (int)geteuid());
	UDS_REQUIRE(geteuid() == 0, "runs unprivileged, which no search-permission check lets through");
	UDS_OK(mkdir("ns", 0700));
	uds_addr_path(&name, "ns/s");
	uds_serve(p->b, type, &name);
	UDS_OK(chmod("ns", 0600));
	UDS_EXPECT_RESULT("perm.root_ignores_socket_mode", uds_try_reach(p->a, type, &name));
	if (type == SOCK_DGRAM) {
		UDS_EQ(uds_recv_one(p->b, &c, 1, 0), 1, "bytes at the receiver");
		UDS_EQ(c, 'r', "the datagram");
	} else {
		int s = uds_accept(p->b);

		uds_send_one(p->a, "r", 1);
		UDS_EQ(uds_recv_one(s, &c, 1, 0), 1, "bytes on the accepted connection");
		UDS_EQ(c, 'r', "the byte sent");
		close(s);
	}
}

#ifdef HAVE_LINUX_CREDS
static void
drop_then_send_child(void *v)
{
	const struct uds_addr *name = v;
	int fd = uds_socket(SOCK_DGRAM, false), other = uds_socket(SOCK_DGRAM, false);

	uds_connect(fd, name);          /* as root: the 0600 root-owned node is writable */
	uds_become_nobody();
	UDS_FAILS_WITH(EACCES, sendto(other, "x", 1, 0, (const struct sockaddr *)&name->sun,
	    name->len));
	UDS_EXPECT_RESULT("perm.dgram_connected_after_drop", send(fd, "c", 1, 0));
	close(fd);
	close(other);
}
#endif

UDS_CASE_ROOT(dgram_connected_before_drop_still_sends, "L-52", UDS_DGRAM | UDS_UNBOUND)
{
#ifdef HAVE_LINUX_CREDS
	struct uds_addr name;
	struct uds_child ch;
	char c;

	uds_note("running as uid %d", (int)getuid());
	UDS_OK(chmod(".", 0755));
	uds_addr_fresh_path(&name);
	uds_bind(p->b, &name);
	UDS_OK(chmod(name.sun.sun_path, 0600));
	uds_child_start(&ch, drop_then_send_child, &name);
	uds_child_finish(&ch);
	UDS_EQ(uds_recv_one(p->b, &c, 1, 0), 1, "datagram from the dropped child");
	UDS_EQ(c, 'c', "the datagram");
	uds_require_nothing_queued(p->b);
#else
	uds_skip("needs setuid() in a child and the Linux SO_PEERCRED build; " NO_LINUX_CREDS);
#endif
}

UDS_CASE_UNPRIV(permission_removed_after_connect, "L-53", UDS_CONNECTION_TYPES | UDS_UNBOUND)
{
	struct uds_addr name;
	int s, late = uds_socket(p->kind->type, false);
	char c;

	uds_require_unprivileged();
	uds_addr_fresh_path(&name);
	uds_serve(p->b, p->kind->type, &name);
	UDS_OK(chmod(name.sun.sun_path, 0600));
	uds_connect(p->a, &name);
	s = uds_accept(p->b);
	UDS_OK(chmod(name.sun.sun_path, 0400));
	UDS_FAILS_WITH(EACCES, connect(late, (struct sockaddr *)&name.sun, name.len));
	UDS_EXPECT_RESULT("perm.connected_after_chmod", send(p->a, "a", 1, 0));
	UDS_EQ(uds_recv_one(s, &c, 1, 0), 1, "bytes received by the server");
	uds_send_one(s, "b", 1);
	UDS_EQ(uds_recv_one(p->a, &c, 1, 0), 1, "bytes received by the client");
	close(late);
	close(s);
}
