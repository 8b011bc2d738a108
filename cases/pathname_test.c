/*
 * pathname_test - pathname addresses and the socket node in the filesystem
 * (catalogue area B): bind() creating the node, its type, mode and owner
 * under the umask, stale nodes, unlink and rename, relative and long paths,
 * sun_path's size and NUL, and the errors of a path that cannot be bound.
 */
#include "uds.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
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

/* Binds p->a to a fresh path and closes it: the node stays behind with nothing bound to it. */
static void
leave_stale_node(struct uds_pair *p, struct uds_addr *name)
{
	uds_addr_fresh_path(name);
	uds_bind(p->a, name);
	close(p->a);
	p->a = -1;
}

/* A path of n bytes of c, with its NUL when it fits in sun_path. */
static void
path_of_length(struct uds_addr *a, char c, size_t n)
{
	memset(a, 0, sizeof(*a));
	a->sun.sun_family = AF_UNIX;
	memset(a->sun.sun_path, c, n);
	a->len = (socklen_t)(UDS_OFF_PATH + (n < UDS_SUN_PATH_SIZE ? n + 1 : n));
}

UDS_CASE(connect_to_mknod_socket_node_refused, "B-31",
    UDS_CONNECTION_TYPES | UDS_UNBOUND | UDS_BOTH_MODES)
{
	struct uds_addr name;

	uds_addr_path(&name, "mknod-node");
	if (mknod("mknod-node", S_IFSOCK | 0777, 0) == -1)
		uds_skip("mknod(S_IFSOCK) failed with %s: no node to connect to", uds_errno_name(errno));
	uds_require_node("mknod-node", S_IFSOCK);
	UDS_EXPECT_RESULT("connect.unbound_socket_node", uds_try_connect(p->a, &name));
	uds_require_unconnected(p->a);
}

UDS_CASE(bind_stale_node_in_use_until_unlink, "B-03", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr name;

	leave_stale_node(p, &name);
	UDS_FAILS_WITH(EADDRINUSE, bind(p->b, UDS_CSA(&name), name.len));
	UDS_OK(unlink(name.sun.sun_path));
	uds_serve(p->b, p->kind->type, &name);
	uds_require_node(name.sun.sun_path, S_IFSOCK);
	uds_require_reaches(p->kind->type, &name, p->b);
}

UDS_CASE(bind_over_regular_file, "B-04", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr name;
	char buf[16];
	int fd;

	close(uds_create_file("regular", "keep"));
	uds_addr_path(&name, "regular");
	UDS_EXPECT_RESULT("bind.existing_non_socket", bind(p->a, UDS_CSA(&name), name.len));
	uds_require_node("regular", S_IFREG);
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
	x.len = (socklen_t)(UDS_OFF_PATH + 10);
	y = x;
	y.sun.sun_path[8] = 'y';
	uds_bind(p->a, &x);
	uds_require_node("nul-end", S_IFSOCK);
	UDS_EXPECT_RESULT("bind.path_ends_at_nul", bind(p->b, UDS_CSA(&y), y.len));
}

UDS_CASE(bind_addrlen_too_long, "B-20", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_long_sun big;
	struct uds_addr name;

	uds_addr_path(&name, "too-long");
	memset(&big, 0, sizeof(big));
	big.sun = name.sun;
	UDS_EXPECT_RESULT("bind.addrlen_too_long",
	    bind(p->a, (struct sockaddr *)&big, sizeof(big.sun) + 1));
	if (uds_expected_value("bind.addrlen_too_long") != UDS_SUCCEEDS)
		uds_require_no_node("too-long");
}

UDS_CASE(bind_bound_socket_einval, "B-13", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr first, second, got;

	uds_addr_fresh_path(&first);
	uds_addr_fresh_path(&second);
	uds_bind(p->a, &first);
	UDS_FAILS_WITH(EINVAL, bind(p->a, UDS_CSA(&second), second.len));
	uds_known_bug("bind.failed_leaves_node");
	uds_require_no_node(second.sun.sun_path);
	uds_name_of(p->a, &got);
	UDS_REQUIRE_SAME_NAME(&got, &first, "the name after the failed bind()");
	if (uds_is_connection_type(p->kind->type)) {
		uds_serve_fresh(p->b, p->kind->type, &first);
		UDS_FAILS_WITH(EINVAL, bind(p->b, UDS_CSA(&second), second.len));
		uds_require_no_node(second.sun.sun_path);
	}
}

UDS_CASE(bind_bound_socket_to_own_path, "B-14", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr name, got;

	uds_addr_fresh_path(&name);
	uds_bind(p->a, &name);
	UDS_EXPECT_RESULT("bind.rebind_own_path", bind(p->a, UDS_CSA(&name), name.len));
	uds_name_of(p->a, &got);
	UDS_REQUIRE_SAME_NAME(&got, &name, "the name after the second bind()");
	uds_require_node(name.sun.sun_path, S_IFSOCK);
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
	UDS_FAILS_WITH(EACCES, bind(p->a, UDS_CSA(&ro), ro.len));
	UDS_FAILS_WITH(EACCES, bind(p->a, UDS_CSA(&nosearch), nosearch.len));
	UDS_OK(chmod("ro-dir", 0755));
	UDS_OK(chmod("ns-dir", 0755));
	uds_require_no_node("ro-dir/s");
	uds_require_no_node("ns-dir/s");
	uds_addr_path(&ok, "ro-dir/t");
	uds_bind(p->b, &ok);
}

UDS_CASE_ROOT(bind_as_root_in_unwritable_directory, "B-17", UDS_ALL_TYPES | UDS_UNBOUND,
    .note = "as root: the node is created")
{
	struct uds_addr name;

	uds_require_root();
	UDS_OK(mkdir("ro-dir", 0555));
	uds_addr_path(&name, "ro-dir/s");
	UDS_EXPECT_RESULT("perm.root_ignores_socket_mode", bind(p->a, UDS_CSA(&name), name.len));
	uds_require_node("ro-dir/s", S_IFSOCK);
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
	UDS_FAILS_WITH(err, bind(fd, UDS_CSA(&name), name.len));
	uds_addr_fresh_path(&good);
	uds_bind(fd, &good);
}

UDS_CASE(bind_missing_directory_enoent, "B-15", UDS_ALL_TYPES | UDS_UNBOUND)
{
	bind_fails_at(p->a, "no-such-dir/s", ENOENT);
	uds_require_no_node("no-such-dir");
}

UDS_CASE(bind_through_file_enotdir, "B-16", UDS_ALL_TYPES | UDS_UNBOUND)
{
	close(uds_create_file("file-not-dir", "x"));
	bind_fails_at(p->a, "file-not-dir/s", ENOTDIR);
	uds_require_node("file-not-dir", S_IFREG);
}

UDS_CASE(bind_through_symlink_loop_eloop, "B-19", UDS_ALL_TYPES | UDS_UNBOUND)
{
	UDS_OK(symlink("loop-b", "loop-a"));
	UDS_OK(symlink("loop-a", "loop-b"));
	bind_fails_at(p->a, "loop-a/s", ELOOP);
	uds_require_node("loop-a", S_IFLNK);
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
	uds_require_no_node("ro-mount/s");
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
	uds_require_no_node(name.sun.sun_path);
	uds_bind(p->a, &name);
	uds_require_node(name.sun.sun_path, S_IFSOCK);
	UDS_OK(stat(name.sun.sun_path, &st));
	UDS_REQUIRE(S_ISSOCK(st.st_mode), "stat() mode %#o is not a socket", (unsigned)st.st_mode);
}

UDS_CASE(node_stays_after_close, "B-02", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr name;

	leave_stale_node(p, &name);
	uds_require_node(name.sun.sun_path, S_IFSOCK);
	UDS_OK(unlink(name.sun.sun_path));
	uds_require_no_node(name.sun.sun_path);
}

UDS_CASE(unlink_live_path_then_rebind, "B-05", UDS_ALL_TYPES | UDS_PATH)
{
	int type = p->kind->type;
	int second = uds_socket(type, false);
	int old = uds_is_connection_type(type) ? p->listener : p->b;

	UDS_OK(unlink(p->b_name.sun.sun_path));
	UDS_EXPECT_RESULT("bind.after_unlink_live_path",
	    bind(second, UDS_CSA(&p->b_name), p->b_name.len));
	if (uds_is_connection_type(type))
		uds_listen(second, 4);
	uds_require_reaches(type, &p->b_name, second);
	uds_require_nothing_queued(old);
	uds_exchange(p->a, p->b);
}

UDS_CASE(unlink_listener_path, "B-06", UDS_CONNECTION_TYPES | UDS_PATH | UDS_BOTH_MODES)
{
	int c = uds_socket(p->kind->type, p->kind->nonblock);

	UDS_OK(unlink(p->b_name.sun.sun_path));
	UDS_FAILS_WITH(ENOENT, uds_try_connect(c, &p->b_name));
	uds_require_nothing_queued(p->listener);
	uds_exchange(p->a, p->b);
}

UDS_CASE(getsockname_returns_bound_path, "B-07", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr name, got;
	size_t n;

	uds_addr_fresh_path(&name);
	uds_bind(p->a, &name);
	uds_name_of(p->a, &got);
	UDS_REQUIRE_SAME_NAME(&got, &name, "getsockname()");
	n = UDS_OFF_PATH + strlen(name.sun.sun_path);
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
	if (uds_is_connection_type(type)) {
		uds_connect(fd, name);
		uds_send_one(fd, &c, 1);
	} else
		UDS_EQ(UDS_OK(sendto(fd, &c, 1, 0, UDS_CSA(name), name->len)), 1, "bytes sent");
}

/*
 * Receives at server the byte c a child sent with send_via() from where: on a
 * newly accepted connection for connection types.
 */
static void
recv_via(int server, int type, char c, const char *where)
{
	char buf[8], label[80];
	int s = uds_is_connection_type(type) ? uds_accept(server) : server;

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
	UDS_FAILS_WITH(ENOENT, uds_try_connect(uds_socket(k->type, false), &here));
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
	UDS_EXPECT_VALUE("sun_path.size", UDS_SUN_PATH_SIZE);
}

UDS_CASE(longest_paths, "B-23", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr longest, full, got;

	path_of_length(&longest, 'l', UDS_SUN_PATH_SIZE - 1);
	UDS_EQ(longest.len, sizeof(struct sockaddr_un), "addrlen of the longest path with NUL");
	uds_serve(p->b, p->kind->type, &longest);
	uds_require_node(longest.sun.sun_path, S_IFSOCK);
	uds_require_reaches(p->kind->type, &longest, p->b);

	path_of_length(&full, 'f', UDS_SUN_PATH_SIZE);
	UDS_EXPECT_RESULT("bind.path_fills_sun_path", bind(p->a, UDS_CSA(&full), full.len));
	uds_name_of(p->a, &got);
	UDS_REQUIRE(got.len >= sizeof(struct sockaddr_un), "getsockname() length %u is shorter "
	    "than the bound address", (unsigned)got.len);
	UDS_REQUIRE(memcmp(got.sun.sun_path, full.sun.sun_path, UDS_SUN_PATH_SIZE) == 0,
	    "getsockname() did not return the %zu-byte path", UDS_SUN_PATH_SIZE);
}

UDS_CASE(open_socket_node_fails, "B-30", UDS_NO_KIND)
{
	static const int modes[] = { O_RDONLY, O_WRONLY, O_RDWR };
	int l = uds_socket(SOCK_STREAM, false);
	struct uds_addr name;

	uds_serve_fresh(l, SOCK_STREAM, &name);
	for (size_t i = 0; i < 3; i++)
		UDS_EXPECT_RESULT("open.socket_node", open(name.sun.sun_path, modes[i]));
	uds_require_node(name.sun.sun_path, S_IFSOCK);
	uds_require_reaches(SOCK_STREAM, &name, l);
}

UDS_CASE(connect_through_link_or_rename, "B-32", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr name, link_name, moved;
	int type = p->kind->type;
	int c = uds_socket(type, false);

	uds_serve_fresh(p->b, type, &name);
	uds_addr_path(&link_name, "hard-link");
	uds_addr_path(&moved, "renamed");
	UDS_OK(rename(name.sun.sun_path, "renamed"));
	uds_require_no_node(name.sun.sun_path);
	uds_require_reaches(type, &moved, p->b);
	/* Not every filesystem can hard-link a socket node (gVisor's host-backed one cannot). */
	if (link("renamed", "hard-link") == -1)
		uds_skip("the rename half passed; this filesystem cannot hard-link a socket node: "
		    "link() failed with %s", uds_errno_name(errno));
	UDS_EXPECT_RESULT("connect.via_link_or_rename", uds_try_connect(c, &link_name));
	close(c);
	if (uds_is_connection_type(type))
		close(uds_accept(p->b));
}

/* ------------------------------------------------------------------ */
/* More on addresses and nodes                                         */
/* ------------------------------------------------------------------ */

UDS_CASE(bind_addrlen_without_nul, "B-24", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr name, got;

	uds_addr_path(&name, "no-nul");
	name.len--;
	UDS_EXPECT_RESULT("bind.addrlen_without_nul", bind(p->a, UDS_CSA(&name), name.len));
	uds_require_node("no-nul", S_IFSOCK);
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
	UDS_FAILS_WITH(EAFNOSUPPORT, bind(fd, UDS_CSA(&name), sizeof(name.sun)));
	uds_require_no_node("inet-bind");
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
	UDS_FAILS_WITH(ENOENT, uds_try_connect(uds_socket(k->type, false), &outside));
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
	uds_require_nothing_queued(p->a);
}

/* ------------------------------------------------------------------ */
/* The node's owner after bind()                                      */
/* ------------------------------------------------------------------ */

/* What a child that gives up root tries: reach name, and whether it may. */
struct reach_as_nobody {
	int type;
	const struct uds_addr *name;
	bool may;
};

static void
reach_as_nobody_child(void *v)
{
	const struct reach_as_nobody *r = v;
	int fd = uds_socket(r->type, false);

	uds_become_nobody();
	if (r->may)
		UDS_OK(uds_try_reach(fd, r->type, r->name));
	else
		UDS_FAILS_WITH(EACCES, uds_try_reach(fd, r->type, r->name));
	close(fd);
}

static void
reach_as_nobody(int type, const struct uds_addr *name, bool may)
{
	struct reach_as_nobody r = { type, name, may };
	struct uds_child ch;

	uds_child_start(&ch, reach_as_nobody_child, &r);
	uds_child_finish(&ch);
}

UDS_CASE_ROOT(chown_of_node_changes_who_may_reach, "B-12", UDS_ALL_TYPES | UDS_UNBOUND,
    .note = "chown(): the new owner may connect or send")
{
	struct uds_addr name;
	int type = p->kind->type;
	char c = 0;

	uds_require_root();
	UDS_OK(chmod(".", 0755));
	uds_serve_fresh(p->b, type, &name);
	UDS_OK(chmod(name.sun.sun_path, 0600));
	reach_as_nobody(type, &name, false);
	uds_require_nothing_queued(p->b);
	UDS_OK(chown(name.sun.sun_path, UDS_NOBODY, UDS_NOBODY));
	reach_as_nobody(type, &name, true);
	if (type == SOCK_DGRAM)
		UDS_EQ(uds_recv_one(p->b, &c, 1, 0), 1, "datagram from the node's new owner");
	else
		close(uds_accept(p->b));
}
