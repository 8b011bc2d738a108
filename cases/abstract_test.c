/*
 * abstract_test - the Linux abstract namespace and autobind (catalogue
 * area C): names that start with a NUL byte, whose every byte up to the
 * address length counts, that live outside the filesystem and die with
 * their last holder; and the names the kernel makes up by itself.  Every
 * case probes the namespace first (uds_require_abstract) and skips where
 * it does not exist.  Names are always unique per process: cases run in
 * parallel and share one namespace (except inside a private network
 * namespace).
 */
#include "uds.h"

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SUN_OFF    offsetof(struct sockaddr_un, sun_path)

/*
 * Landlock (Linux 5.13) as include/uapi/linux/landlock.h has it, called by
 * number: the C library has no wrappers, and older <linux/landlock.h> (Debian
 * bookworm's) lack the scoped member of ABI 6 (Linux 6.12).
 */
#ifdef HAVE_LANDLOCK_SYSCALLS
#include <sys/prctl.h>
#include <sys/syscall.h>
#ifndef __NR_landlock_create_ruleset    /* meson: x86_64's numbers */
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_restrict_self 446
#endif
struct landlock_attr_v6 {               /* struct landlock_ruleset_attr, ABI 6 */
	uint64_t handled_access_fs;
	uint64_t handled_access_net;    /* ABI 4 */
	uint64_t scoped;                /* ABI 6 */
};
#define LL_CREATE_RULESET_VERSION       (1U << 0)
#define LL_SCOPE_ABSTRACT_UNIX_SOCKET   (1ULL << 0)
#endif

/* A fresh abstract name with n more bytes (NULs allowed) appended to it. */
static void
abstract_plus(struct uds_addr *a, const void *extra, size_t n)
{
	uds_addr_fresh_abstract(a);
	UDS_REQUIRE(a->len + n <= sizeof(a->sun), "abstract name too long");
	memcpy((char *)&a->sun + a->len, extra, n);
	a->len += (socklen_t)n;
}

/* A fresh name filling all of sun_path, with NUL and 0xff bytes inside it. */
static void
abstract_full(struct uds_addr *a)
{
	unsigned char *raw = (unsigned char *)&a->sun;

	uds_addr_fresh_abstract(a);
	for (size_t i = a->len; i < sizeof(a->sun) - 2; i++)
		raw[i] = i % 3 == 0 ? 0x00 : i % 3 == 1 ? 0xff : (unsigned char)('a' + i % 26);
	a->len = sizeof(a->sun);
}

/* A new client of the type reaches name: server gets it, other (unless -1) does not. */
static void
must_reach(int type, const struct uds_addr *to, int server, int other)
{
	int fd = uds_socket(type, false);
	char c;

	if (type == SOCK_DGRAM)
		UDS_EQ(UDS_OK(sendto(fd, "r", 1, 0, (const struct sockaddr *)&to->sun, to->len)), 1,
		    "bytes sent");
	else
		uds_connect(fd, to);
	if (other != -1)
		uds_require_nothing_queued(other);
	if (type == SOCK_DGRAM)
		UDS_EQ(uds_recv_one(server, &c, 1, 0), 1, "bytes at the server");
	else
		close(uds_accept(server));
	close(fd);
}

/* connect() of a new socket of the type to name fails with want. */
static void
connect_fails_with(int type, const struct uds_addr *to, int want)
{
	int fd = uds_socket(type, false);
	int rc = connect(fd, (const struct sockaddr *)&to->sun, to->len);
	int err = errno;

	UDS_REQUIRE(rc == -1 && err == want, "connect() to %s: expected %s, got %s",
	    uds_addr_str(&to->sun, to->len), uds_errno_name(want),
	    rc == -1 ? uds_errno_name(err) : "success");
	close(fd);
}

/* connect() of a new socket of the type to name fails with ECONNREFUSED. */
static void
must_be_refused(int type, const struct uds_addr *to)
{
	connect_fails_with(type, to, ECONNREFUSED);
}

/* bind() with the family alone (autobind); returns the name given. */
static void
autobind(int fd, struct uds_addr *got)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	UDS_OK(bind(fd, (struct sockaddr *)&sun, sizeof(sa_family_t)));
	uds_name_of(fd, got);
}

/* An autobind name: a NUL then exactly 5 characters of [0-9a-f]. */
static void
require_autobind_form(const struct uds_addr *a)
{
	UDS_EQ(a->len, SUN_OFF + 6, "length of the autobound name");
	UDS_EQ(a->sun.sun_path[0], '\0', "first byte of the autobound name");
	for (int i = 1; i <= 5; i++)
		UDS_REQUIRE(strchr("0123456789abcdef", a->sun.sun_path[i]) != NULL &&
		    a->sun.sun_path[i] != '\0', "autobound name %s: byte %d is not in [0-9a-f]",
		    uds_addr_str(&a->sun, a->len), i);
}

static int
dir_entries(void)
{
	DIR *d = opendir(".");
	int n = 0;

	UDS_REQUIRE(d != NULL, "opendir(\".\"): %s", uds_errno_name(errno));
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

UDS_CASE(abstract_bind_creates_no_file, "C-01", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr name, got;
	struct stat st;
	int before;

	UDS_EXPECT_VALUE("abstract.namespace", uds_have_abstract());
	before = dir_entries();
	uds_addr_fresh_abstract(&name);
	uds_serve(p->a, p->kind->type, &name);
	uds_name_of(p->a, &got);
	UDS_REQUIRE_SAME_NAME(&got, &name, "getsockname()");
	UDS_EQ(dir_entries(), before, "entries in the working directory after the bind");
	UDS_FAILS_WITH(ENOENT, lstat(name.sun.sun_path + 1, &st));
	must_reach(p->kind->type, &name, p->a, -1);
}

UDS_CASE(embedded_nul_is_part_of_name, "C-02", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr nb, nc, prefix;

	uds_require_abstract();
	abstract_plus(&nb, "\0b", 2);
	nc = nb;
	nc.sun.sun_path[nc.len - SUN_OFF - 1] = 'c';
	prefix = nb;
	prefix.len -= 2;
	uds_serve(p->a, p->kind->type, &nb);
	uds_serve(p->b, p->kind->type, &nc);
	must_reach(p->kind->type, &nb, p->a, p->b);
	must_reach(p->kind->type, &nc, p->b, p->a);
	must_be_refused(p->kind->type, &prefix);
}

UDS_CASE(full_length_name_needs_same_length, "C-03", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr full, shorter, minus1;

	uds_require_abstract();
	uds_addr_fresh_abstract(&shorter);
	full = minus1 = shorter;
	full.len = sizeof(full.sun);
	minus1.len = sizeof(minus1.sun) - 1;
	uds_serve(p->a, p->kind->type, &full);
	must_reach(p->kind->type, &full, p->a, -1);
	must_be_refused(p->kind->type, &shorter);
	must_be_refused(p->kind->type, &minus1);
	uds_serve(p->b, p->kind->type, &shorter);
	must_reach(p->kind->type, &shorter, p->b, p->a);
	must_reach(p->kind->type, &full, p->a, p->b);
}

UDS_CASE(trailing_slash_is_part_of_name, "C-04", UDS_ALL_TYPES | UDS_UNBOUND)
{
	uds_known_bug("abstract.trailing_slash");
	struct uds_addr slash, bare, got;

	uds_require_abstract();
	abstract_plus(&slash, "/", 1);
	bare = slash;
	bare.len--;
	uds_serve(p->a, p->kind->type, &slash);
	uds_name_of(p->a, &got);
	UDS_EXPECT_VALUE("abstract.trailing_slash_kept", got.len == slash.len &&
	    memcmp(&got.sun, &slash.sun, slash.len) == 0);
	must_reach(p->kind->type, &slash, p->a, -1);
	must_be_refused(p->kind->type, &bare);
}

UDS_CASE(getsockname_returns_exact_abstract_name, "C-05", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr shortname, full, got;

	uds_require_abstract();
	uds_addr_fresh_abstract(&shortname);
	abstract_full(&full);
	uds_bind(p->a, &shortname);
	uds_bind(p->b, &full);
	uds_name_of(p->a, &got);
	UDS_REQUIRE_SAME_NAME(&got, &shortname, "getsockname() of the short name");
	uds_name_of(p->b, &got);
	UDS_REQUIRE_SAME_NAME(&got, &full, "getsockname() of the full-length name");
	UDS_EQ(got.len, sizeof(struct sockaddr_un), "length of the full-length name");
}

UDS_CASE(held_abstract_name_eaddrinuse, "C-06", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr name, got;

	uds_require_abstract();
	uds_addr_fresh_abstract(&name);
	uds_bind(p->a, &name);
	UDS_FAILS_WITH(EADDRINUSE, bind(p->b, (struct sockaddr *)&name.sun, name.len));
	uds_name_of(p->b, &got);
	UDS_EQ(got.len, sizeof(sa_family_t), "getsockname() length of the socket that failed");
	uds_name_of(p->a, &got);
	UDS_REQUIRE_SAME_NAME(&got, &name, "getsockname() of the holder");
}

UDS_CASE(close_of_last_descriptor_frees_name, "C-07", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr name;
	int dup_fd;

	uds_require_abstract();
	uds_addr_fresh_abstract(&name);
	uds_serve(p->a, p->kind->type, &name);
	dup_fd = (int)UDS_OK(dup(p->a));
	close(p->a);
	p->a = -1;
	UDS_FAILS_WITH(EADDRINUSE, bind(p->b, (struct sockaddr *)&name.sun, name.len));
	close(dup_fd);
	must_be_refused(p->kind->type, &name);
	uds_serve(p->b, p->kind->type, &name);
	must_reach(p->kind->type, &name, p->b, -1);
}

struct holder_arg {
	int type;
	const struct uds_addr *name;
	int ready;              /* write end: the child holds the name */
	int go;                 /* read end: the child may exit */
};

static void
hold_name_until_told(void *argp)
{
	const struct holder_arg *arg = argp;
	int fd = uds_socket(arg->type, false);
	char c = 'h';

	uds_serve(fd, arg->type, arg->name);
	UDS_EQ(UDS_OK(write(arg->ready, &c, 1)), 1, "bytes written to the ready pipe");
	uds_wait_readable(arg->go);
	/* Exits holding fd: only process exit closes it. */
}

UDS_CASE(holder_exit_frees_name, "C-08", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr name;
	struct uds_child child;
	struct holder_arg arg;
	int ready[2], go[2];
	char c;

	uds_require_abstract();
	uds_addr_fresh_abstract(&name);
	UDS_OK(pipe(ready));
	UDS_OK(pipe(go));
	arg = (struct holder_arg){ .type = p->kind->type, .name = &name, .ready = ready[1],
	    .go = go[0] };
	uds_child_start(&child, hold_name_until_told, &arg);
	uds_wait_readable(ready[0]);
	UDS_EQ(UDS_OK(read(ready[0], &c, 1)), 1, "bytes from the ready pipe");
	UDS_FAILS_WITH(EADDRINUSE, bind(p->a, (struct sockaddr *)&name.sun, name.len));
	UDS_EQ(UDS_OK(write(go[1], &c, 1)), 1, "bytes written to the go pipe");
	uds_child_finish(&child);
	uds_serve(p->a, p->kind->type, &name);
	must_reach(p->kind->type, &name, p->a, -1);
}

UDS_CASE(abstract_and_path_names_independent, "C-09", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr abs, path;
	struct stat st;

	uds_require_abstract();
	uds_addr_fresh_abstract(&abs);
	uds_addr_path(&path, abs.sun.sun_path + 1);
	uds_serve(p->a, p->kind->type, &path);
	uds_serve(p->b, p->kind->type, &abs);
	UDS_OK(lstat(path.sun.sun_path, &st));
	UDS_REQUIRE(S_ISSOCK(st.st_mode), "\"%s\" is not a socket (mode %#o)", path.sun.sun_path,
	    (unsigned)st.st_mode);
	must_reach(p->kind->type, &path, p->a, p->b);
	must_reach(p->kind->type, &abs, p->b, p->a);
}

UDS_CASE(unheld_abstract_name_refused, "C-10", UDS_ALL_TYPES | UDS_UNBOUND | UDS_BOTH_MODES)
{
	struct uds_addr name;
	char c;

	uds_require_abstract();
	uds_addr_fresh_abstract(&name);
	UDS_FAILS_WITH(ECONNREFUSED, connect(p->a, (struct sockaddr *)&name.sun, name.len));
	if (p->kind->type == SOCK_DGRAM)
		UDS_EXPECT_RESULT("abstract.sendto_unheld",
		    sendto(p->a, "x", 1, 0, (struct sockaddr *)&name.sun, name.len));
	uds_serve(p->b, p->kind->type, &name);
	UDS_OK(connect(p->a, (struct sockaddr *)&name.sun, name.len));
	if (p->kind->type == SOCK_DGRAM) {
		uds_send_one(p->a, "x", 1);
		UDS_EQ(uds_recv_one(p->b, &c, 1, 0), 1, "bytes at the new holder");
	} else
		close(uds_accept(p->b));
}

UDS_CASE(dgram_connect_to_stream_abstract_name, "C-11", UDS_STREAM | UDS_ABSTRACT,
    .note = "a datagram client and a stream listener")
{
	int d = uds_socket(SOCK_DGRAM, false);

	UDS_EXPECT_RESULT("abstract.type_mismatch",
	    connect(d, (struct sockaddr *)&p->b_name.sun, p->b_name.len));
	must_reach(SOCK_STREAM, &p->b_name, p->listener, -1);
}

UDS_CASE(types_hold_same_abstract_name, "C-11", UDS_ALL_TYPES | UDS_UNBOUND,
    .note = "three types hold one name")
{
	static const int types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET };
	struct uds_addr name;
	int fds[3];

	uds_require_abstract();
	uds_addr_fresh_abstract(&name);
	uds_serve(p->a, p->kind->type, &name);
	for (int i = 0; i < 3; i++) {
		if (types[i] == p->kind->type) {
			fds[i] = p->a;
			continue;
		}
		fds[i] = uds_socket(types[i], false);
		UDS_EXPECT_RESULT("abstract.types_share_name",
		    bind(fds[i], (struct sockaddr *)&name.sun, name.len));
		if (uds_expected_value("abstract.types_share_name") != UDS_SUCCEEDS)
			return;         /* one name for every type here: nothing more to reach */
		if (types[i] != SOCK_DGRAM)
			uds_listen(fds[i], 8);
	}
	for (int i = 0; i < 3; i++)
		must_reach(types[i], &name, fds[i], -1);
}

UDS_CASE_UNPRIV(abstract_ignores_umask_and_fchmod, "C-12", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr abs, path;
	struct stat st;
	mode_t old;
	int c = uds_socket(p->kind->type, false);

	uds_require_abstract();
	uds_note("running as uid %d", (int)getuid());
	UDS_REQUIRE(geteuid() != 0, "running as root: permissions would prove nothing");
	old = umask(0777);
	uds_addr_fresh_path(&path);
	uds_addr_fresh_abstract(&abs);
	uds_serve(p->b, p->kind->type, &path);
	uds_serve(p->a, p->kind->type, &abs);
	umask(old);
	UDS_FAILS_WITH(EACCES, connect(c, (struct sockaddr *)&path.sun, path.len));
	UDS_EXPECT_RESULT("abstract.fchmod", fchmod(p->a, 0));
	UDS_OK(fstat(p->a, &st));
	UDS_EQ(st.st_mode & 07777, 0, "permission bits of the socket after fchmod(0)");
	must_reach(p->kind->type, &abs, p->a, -1);
}

#ifdef CLONE_NEWNET
struct netns_arg {
	int type;
	const struct uds_addr *name;
	int outside;            /* the holder in the parent's namespace */
};

static void
use_name_in_new_netns(void *argp)
{
	const struct netns_arg *arg = argp;
	int fd, server;

	if (unshare(CLONE_NEWNET) == -1)
		uds_skip("unshare(CLONE_NEWNET) failed with %s: no private network namespace here",
		    uds_errno_name(errno));
	fd = uds_socket(arg->type, false);
	UDS_FAILS_WITH(ECONNREFUSED,
	    connect(fd, (const struct sockaddr *)&arg->name->sun, arg->name->len));
	server = uds_socket(arg->type, false);
	uds_serve(server, arg->type, arg->name);
	must_reach(arg->type, arg->name, server, arg->outside);
}
#endif

UDS_CASE_ROOT(abstract_names_per_network_namespace, "C-13", UDS_STREAM | UDS_DGRAM | UDS_UNBOUND)
{
	uds_known_bug("abstract.in_child_netns");
#ifdef CLONE_NEWNET
	struct uds_addr name;
	struct uds_child child;
	struct netns_arg arg;

	uds_require_abstract();
	uds_addr_fresh_abstract(&name);
	uds_serve(p->a, p->kind->type, &name);
	arg = (struct netns_arg){ .type = p->kind->type, .name = &name, .outside = p->a };
	uds_child_start(&child, use_name_in_new_netns, &arg);
	uds_child_finish(&child);
	must_reach(p->kind->type, &name, p->a, -1);
#else
	uds_skip("no CLONE_NEWNET: network namespaces are a Linux interface");
#endif
}

UDS_CASE(round_trip_over_abstract_names, "C-14", UDS_ALL_TYPES | UDS_ABSTRACT | UDS_ALL_VARIANTS)
{
	char buf[8];

	uds_send_one(p->a, "ping", 4);
	uds_recv_all(p->b, buf, 4);
	UDS_REQUIRE(memcmp(buf, "ping", 4) == 0, "a -> b carried \"%.4s\", not \"ping\"", buf);
	uds_send_one(p->b, "pong!", 5);
	uds_recv_all(p->a, buf, 5);
	UDS_REQUIRE(memcmp(buf, "pong!", 5) == 0, "b -> a carried \"%.5s\", not \"pong!\"", buf);
	uds_require_nothing_queued(p->a);
	uds_require_nothing_queued(p->b);
}

UDS_CASE(getpeername_returns_abstract_listener_name, "C-15", UDS_CONNECTION_TYPES | UDS_ABSTRACT)
{
	struct uds_addr got, full;
	int l2 = uds_socket(p->kind->type, false), c2 = uds_socket(p->kind->type, false);

	uds_peer_of(p->a, &got);
	UDS_REQUIRE_SAME_NAME(&got, &p->b_name, "getpeername() of the client");
	uds_peer_of(p->b, &got);
	UDS_EQ(got.len, sizeof(sa_family_t), "getpeername() length on the server side");
	abstract_full(&full);
	uds_serve(l2, p->kind->type, &full);
	uds_connect(c2, &full);
	uds_peer_of(c2, &got);
	UDS_REQUIRE_SAME_NAME(&got, &full, "getpeername() of a client of a full-length name");
}

#ifdef CLONE_NEWNET
static void
bind_all_nul_name(void *argp)
{
	int type = *(const int *)argp;
	struct uds_addr zero, shorter, got;
	int server;

	if (unshare(CLONE_NEWNET) == -1)
		uds_skip("the all-NUL name is one fixed name parallel cases would share, so it is "
		    "bound only in a private network namespace; unshare(CLONE_NEWNET) failed with %s",
		    uds_errno_name(errno));
	memset(&zero, 0, sizeof(zero));
	zero.sun.sun_family = AF_UNIX;
	zero.len = sizeof(zero.sun);
	shorter = zero;
	shorter.len = SUN_OFF + 2;
	/* Made after unshare(): a socket belongs to the namespace it was created in. */
	server = uds_socket(type, false);
	UDS_EXPECT_RESULT("abstract.all_nul_name",
	    bind(server, (struct sockaddr *)&zero.sun, zero.len));
	if (type != SOCK_DGRAM)
		uds_listen(server, 8);
	uds_name_of(server, &got);
	UDS_REQUIRE_SAME_NAME(&got, &zero, "getsockname() of the all-NUL name");
	must_reach(type, &zero, server, -1);
	must_be_refused(type, &shorter);
}
#endif

UDS_CASE_ROOT(all_nul_full_length_name_binds, "C-16", UDS_ALL_TYPES | UDS_UNBOUND)
{
	uds_known_bug("abstract.in_child_netns");
#ifdef CLONE_NEWNET
	struct uds_child child;
	int type = p->kind->type;

	uds_require_abstract();
	uds_child_start(&child, bind_all_nul_name, &type);
	uds_child_finish(&child);
#else
	uds_skip("no CLONE_NEWNET: the fixed all-NUL name needs a private network namespace");
#endif
}

UDS_CASE(autobind_name_form_and_reachable, "C-17", UDS_ALL_TYPES | UDS_UNBOUND)
{
	uds_known_bug("autobind.implemented");
	struct uds_addr name1, name2;

	UDS_EXPECT_VALUE("autobind.abstract_name", uds_have_abstract());
	autobind(p->a, &name1);
	autobind(p->b, &name2);
	require_autobind_form(&name1);
	require_autobind_form(&name2);
	UDS_REQUIRE(memcmp(name1.sun.sun_path, name2.sun.sun_path, 6) != 0,
	    "two sockets were autobound to the same name %s", uds_addr_str(&name1.sun, name1.len));
	if (p->kind->type != SOCK_DGRAM) {
		uds_listen(p->a, 8);
		uds_listen(p->b, 8);
	}
	must_reach(p->kind->type, &name1, p->a, p->b);
	must_reach(p->kind->type, &name2, p->b, p->a);
}

UDS_CASE(bind_to_autobound_name_eaddrinuse, "C-18", UDS_ALL_TYPES | UDS_UNBOUND)
{
	uds_known_bug("autobind.implemented");
	struct uds_addr name, got;

	uds_require_abstract();
	autobind(p->a, &name);
	require_autobind_form(&name);
	UDS_FAILS_WITH(EADDRINUSE, bind(p->b, (struct sockaddr *)&name.sun, name.len));
	uds_name_of(p->b, &got);
	UDS_EQ(got.len, sizeof(sa_family_t), "getsockname() length of the socket that failed");
}

#ifdef SO_PASSCRED
/* Sends one byte to the server as a client would (connect, or sendto for datagrams) and
 * returns the address the server sees for the client. */
static void
reach_and_see(int type, int client, int server, const struct uds_addr *to, struct uds_addr *seen)
{
	char c;

	memset(seen, 0, sizeof(*seen));
	seen->len = sizeof(seen->sun);
	if (type == SOCK_DGRAM) {
		UDS_EQ(UDS_OK(sendto(client, "c", 1, 0, (const struct sockaddr *)&to->sun, to->len)), 1,
		    "bytes sent");
		uds_wait_readable(server);
		UDS_EQ(UDS_OK(recvfrom(server, &c, 1, 0, (struct sockaddr *)&seen->sun, &seen->len)), 1,
		    "bytes at the server");
	} else {
		int acc;

		uds_connect(client, to);
		acc = uds_accept(server);
		UDS_OK(getpeername(acc, (struct sockaddr *)&seen->sun, &seen->len));
		close(acc);
	}
}
#endif

UDS_CASE(passcred_socket_autobinds_on_connect_or_send, "C-19", UDS_ALL_TYPES | UDS_UNBOUND)
{
	uds_known_bug("autobind.on_passcred");
#ifdef SO_PASSCRED
	struct uds_addr srv, mine, seen;
	int one = 1, server = uds_socket(p->kind->type, false);

	uds_require_abstract();
	uds_addr_fresh_abstract(&srv);
	uds_serve(server, p->kind->type, &srv);
	UDS_OK(setsockopt(p->a, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)));
	reach_and_see(p->kind->type, p->a, server, &srv, &seen);
	uds_name_of(p->a, &mine);
	require_autobind_form(&mine);
	UDS_REQUIRE_SAME_NAME(&seen, &mine, "the client's address as the server sees it");
	reach_and_see(p->kind->type, p->b, server, &srv, &seen);
	uds_name_of(p->b, &mine);
	UDS_EQ(mine.len, sizeof(sa_family_t), "getsockname() length of a client without SO_PASSCRED");
#else
	uds_skip("no SO_PASSCRED on this platform (a Linux option, unix(7))");
#endif
}

/* ---- Landlock's abstract-socket scope (ABI 6, Linux 6.12) ---- */

#ifdef HAVE_LANDLOCK_SYSCALLS
/* Skips unless this kernel's Landlock has ABI 6 (abstract-socket scoping) and is enabled. */
static void
require_landlock_scoping(void)
{
	long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);

	if (abi == -1)
		uds_skip("Landlock unavailable: landlock_create_ruleset(VERSION) failed with %s "
		    "(ENOSYS: not built in; EOPNOTSUPP: disabled at boot)", uds_errno_name(errno));
	if (abi < 6)
		uds_skip("Landlock ABI %ld: abstract-socket scoping needs ABI 6 (Linux 6.12)", abi);
}

/* Puts the calling process in a new Landlock domain scoped for abstract sockets. */
static void
landlock_scope_abstract(void)
{
	struct landlock_attr_v6 attr = { .scoped = LL_SCOPE_ABSTRACT_UNIX_SOCKET };
	int rs;

	UDS_OK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	rs = (int)UDS_OK(syscall(__NR_landlock_create_ruleset, &attr, sizeof(attr), 0));
	UDS_OK(syscall(__NR_landlock_restrict_self, rs, 0));
	close(rs);
}

struct scoped_arg {
	int type;
	const struct uds_addr *abstract, *path;
	int abstract_server, path_server;
};

static void
scoped_client(void *argp)
{
	const struct scoped_arg *a = argp;
	int fd;

	landlock_scope_abstract();
	connect_fails_with(a->type, a->abstract, EPERM);
	if (a->type == SOCK_DGRAM) {
		fd = uds_socket(SOCK_DGRAM, false);
		UDS_FAILS_WITH(EPERM, sendto(fd, "s", 1, 0, UDS_CSA(a->abstract), a->abstract->len));
		close(fd);
	}
	uds_require_nothing_queued(a->abstract_server);
	must_reach(a->type, a->path, a->path_server, -1);
}
#endif

UDS_CASE(landlock_scope_denies_outside_abstract, "C-20", UDS_ALL_TYPES | UDS_UNBOUND)
{
#ifdef HAVE_LANDLOCK_SYSCALLS
	struct uds_addr abstract, path;
	struct scoped_arg arg = { .type = p->kind->type, .abstract = &abstract, .path = &path,
	    .abstract_server = p->a, .path_server = p->b };
	struct uds_child child;

	uds_require_abstract();
	require_landlock_scoping();
	uds_addr_fresh_abstract(&abstract);
	uds_serve(p->a, p->kind->type, &abstract);
	uds_serve_fresh(p->b, p->kind->type, &path);
	uds_child_start(&child, scoped_client, &arg);
	uds_child_finish(&child);
	must_reach(p->kind->type, &abstract, p->a, -1);      /* outside the domain: reachable */
#else
	uds_skip("Landlock is a Linux interface, absent here");
#endif
}
