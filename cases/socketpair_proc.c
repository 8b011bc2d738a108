/*
 * socketpair_proc - the /proc/net/unix and sock_diag half of socketpair_test
 * (catalogue area A): the kernel's own listings of AF_UNIX sockets, their
 * columns and inodes, and a sock_diag query's owner uid.  Linux interfaces:
 * each case skips where they are absent.
 */
#include "socketpair.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(HAVE_LINUX_UNIX_DIAG_H)
#include <sched.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#endif

static FILE *
proc_net_unix(void)
{
	FILE *f = fopen("/proc/net/unix", "r");

	if (f == NULL)
		uds_skip("/proc/net/unix does not exist here (%s): it is Linux's, proc(5)",
		    uds_errno_name(errno));
	return f;
}

/* Finds inode ino in /proc/net/unix; fills its Type column and its Path column ("" if none). */
static bool
proc_unix_find(unsigned long ino, unsigned *type, char *path, size_t pathlen)
{
	FILE *f = proc_net_unix();
	char line[1024];
	bool found = false;

	UDS_REQUIRE(fgets(line, sizeof(line), f) != NULL, "/proc/net/unix is empty");
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		unsigned t, state;
		unsigned long i;
		int off = -1;
		char *rest;

		if (sscanf(line, "%*[^:]: %*x %*x %*x %x %x %lu%n", &t, &state, &i, &off) != 3 ||
		    off < 0 || i != ino)
			continue;
		*type = t;
		rest = line + off;
		rest += strspn(rest, " ");
		rest[strcspn(rest, "\n")] = '\0';
		snprintf(path, pathlen, "%s", rest);
		found = true;
	}
	fclose(f);
	return found;
}

/* The Path column /proc/net/unix shows for a name: the path, or '@' for each NUL of an abstract name. */
static void
proc_path_of(const struct uds_addr *name, char *out, size_t outlen)
{
	size_t n = name->len - offsetof(struct sockaddr_un, sun_path), i;

	if (name->sun.sun_path[0] != '\0') {
		snprintf(out, outlen, "%s", name->sun.sun_path);
		return;
	}
	for (i = 0; i < n && i + 1 < outlen; i++)
		out[i] = name->sun.sun_path[i] == '\0' ? '@' : name->sun.sun_path[i];
	out[i] = '\0';
}

UDS_CASE(proc_net_unix_header, "A-30", UDS_NO_KIND)
{
	static const char *const cols[] = { "Num", "RefCount", "Protocol", "Flags", "Type", "St",
		"Inode", "Path" };
	FILE *f = proc_net_unix();
	char line[256], *save = NULL, *tok;
	size_t i = 0;

	UDS_REQUIRE(fgets(line, sizeof(line), f) != NULL, "/proc/net/unix is empty");
	fclose(f);
	for (tok = strtok_r(line, " \t\n", &save); tok != NULL; tok = strtok_r(NULL, " \t\n", &save)) {
		UDS_REQUIRE(i < 8, "extra column \"%s\" in the header", tok);
		UDS_REQUIRE(strcmp(tok, cols[i]) == 0, "header column %zu is \"%s\", want \"%s\"", i,
		    tok, cols[i]);
		i++;
	}
	UDS_EQ(i, 8, "columns in the header");
}

UDS_CASE(proc_net_unix_lists_every_socket, "A-31", UDS_ALL_TYPES | UDS_CONNECTED)
{
	int fds[3], n = sockets_of(p, fds);
	/* The name each socket is bound to; NULL: not checked (an accepted socket). */
	const struct uds_addr none = { .len = 0 }, *names[3] = { &none, &none, &p->b_name };
	bool dgram = p->kind->type == SOCK_DGRAM;

	if (p->kind->how != UDS_HOW_PAIR) {
		names[0] = dgram ? &p->a_name : &none;
		names[1] = dgram ? &p->b_name : NULL;
	}
	for (int i = 0; i < n; i++) {
		struct stat st;
		unsigned type = 0;
		char path[256], want[256] = "";

		UDS_OK(fstat(fds[i], &st));
		UDS_REQUIRE(proc_unix_find((unsigned long)st.st_ino, &type, path, sizeof(path)),
		    "fd %d (inode %lu) is not in /proc/net/unix", fds[i], (unsigned long)st.st_ino);
		uds_note("fd %d: inode %lu, Type %04X, Path \"%s\"", fds[i],
		    (unsigned long)st.st_ino, type, path);
		UDS_EQ(type, p->kind->type, "Type column");
		if (names[i] == NULL)
			continue;
		if (names[i]->len > offsetof(struct sockaddr_un, sun_path))
			proc_path_of(names[i], want, sizeof(want));
		UDS_REQUIRE(strcmp(path, want) == 0, "fd %d shows path \"%s\", want \"%s\"", fds[i],
		    path, want);
	}
}

/* The Path column of the socket at inode ino in /proc/net/unix; fails if it is not listed. */
static void
proc_unix_path_of_inode(unsigned long ino, char *path, size_t pathlen, const char *what)
{
	unsigned type;

	UDS_REQUIRE(proc_unix_find(ino, &type, path, pathlen), "%s (inode %lu) is not in "
	    "/proc/net/unix", what, ino);
}

UDS_CASE(accept_keeps_listener_inode_in_proc, "A-33", UDS_CONNECTION_TYPES | UDS_NAMED)
{
	struct stat st;
	unsigned long ino;
	char before[256], after[256];
	int c, s;

	UDS_OK(fstat(p->listener, &st));
	ino = (unsigned long)st.st_ino;
	/* After the pair's own accept(): one more must change nothing the listener shows. */
	proc_unix_path_of_inode(ino, before, sizeof(before), "the listener");
	c = uds_socket(p->kind->type, false);
	uds_connect(c, &p->b_name);
	s = uds_accept(p->listener);
	UDS_OK(fstat(s, &st));
	UDS_REQUIRE((unsigned long)st.st_ino != ino, "accept() returned the listener's inode %lu",
	    ino);
	proc_unix_path_of_inode(ino, after, sizeof(after), "the listener after accept()");
	UDS_REQUIRE(strcmp(before, after) == 0, "the listener's Path went from \"%s\" to \"%s\"",
	    before, after);
	UDS_OK(fstat(p->listener, &st));
	UDS_EQ(st.st_ino, ino, "the listener's inode after accept()");
	close(s);
	close(c);
}

#if defined(HAVE_LINUX_UNIX_DIAG_H)
/*
 * A sock_diag(7) request about AF_UNIX sockets (SOCK_DIAG_BY_FAMILY, struct
 * unix_diag_req) asking for UNIX_DIAG_UID; returns the netlink socket the
 * answer comes on.  No cookie (~0: not checked), as for a query by inode.
 */
static int
unix_diag_ask(uint32_t ino, uint16_t nl_flags, uint32_t states)
{
	struct {
		struct nlmsghdr nlh;
		struct unix_diag_req req;
	} rq;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	int nl = socket(AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG);

	if (nl == -1)
		uds_skip("socket(AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG) failed with %s: no "
		    "sock_diag(7) here", uds_errno_name(errno));
	memset(&rq, 0, sizeof(rq));
	rq.nlh.nlmsg_len = sizeof(rq);
	rq.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	rq.nlh.nlmsg_flags = NLM_F_REQUEST | nl_flags;
	rq.req.sdiag_family = AF_UNIX;
	rq.req.udiag_states = states;
	rq.req.udiag_ino = ino;
	rq.req.udiag_show = UDIAG_SHOW_UID;
	rq.req.udiag_cookie[0] = rq.req.udiag_cookie[1] = ~0u;
	UDS_EQ(UDS_OK(sendto(nl, &rq, sizeof(rq), 0, (struct sockaddr *)&kernel, sizeof(kernel))),
	    sizeof(rq), "bytes of the sock_diag request");
	return nl;
}

union nl_answer {
	struct nlmsghdr h;
	char buf[8192];
};

/* The first message of the answer (within the deadline); its error, 0 unless NLMSG_ERROR. */
static int
unix_diag_answer(int nl, union nl_answer *a)
{
	ssize_t n;

	uds_wait_readable(nl);
	n = UDS_OK(recv(nl, a, sizeof(*a), 0));
	UDS_REQUIRE(NLMSG_OK(&a->h, n), "a netlink answer of %zd bytes holds no whole message", n);
	if (a->h.nlmsg_type != NLMSG_ERROR)
		return 0;
	return -((struct nlmsgerr *)NLMSG_DATA(&a->h))->error;
}

/* Skips unless sock_diag has an AF_UNIX handler: a dump of no states gets ENOENT without one. */
static void
require_unix_diag(void)
{
	union nl_answer a;
	int nl = unix_diag_ask(0, NLM_F_DUMP, 0), err = unix_diag_answer(nl, &a);

	close(nl);
	if (err == ENOENT)
		uds_skip("sock_diag answers ENOENT for AF_UNIX: no UNIX diag handler "
		    "(CONFIG_UNIX_DIAG off or unix_diag not loadable)");
}

/* The owner uid that sock_diag's UNIX_DIAG_UID reports for the AF_UNIX socket fd. */
static uint32_t
unix_diag_uid(int fd)
{
	union nl_answer a;
	struct stat st;
	struct unix_diag_msg *m;
	struct rtattr *at;
	int nl, err, left;

	UDS_OK(fstat(fd, &st));
	nl = unix_diag_ask((uint32_t)st.st_ino, 0, ~0u);
	err = unix_diag_answer(nl, &a);
	close(nl);
	if (err == ENOENT)
		require_unix_diag();
	UDS_REQUIRE(err == 0, "sock_diag query for inode %lu failed with %s",
	    (unsigned long)st.st_ino, uds_errno_name(err));
	UDS_EQ(a.h.nlmsg_type, SOCK_DIAG_BY_FAMILY, "nlmsg_type of the answer");
	m = NLMSG_DATA(&a.h);
	UDS_EQ(m->udiag_family, AF_UNIX, "udiag_family");
	UDS_EQ(m->udiag_ino, st.st_ino, "udiag_ino: the socket asked about");
	left = (int)(a.h.nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
	for (at = (struct rtattr *)(m + 1); RTA_OK(at, left); at = RTA_NEXT(at, left)) {
		uint32_t uid;

		if (at->rta_type != UNIX_DIAG_UID)
			continue;
		UDS_EQ(RTA_PAYLOAD(at), sizeof(uid), "bytes of UNIX_DIAG_UID");
		memcpy(&uid, RTA_DATA(at), sizeof(uid));
		return uid;
	}
	uds_fail_at(__FILE__, __LINE__, "no UNIX_DIAG_UID attribute in the answer to "
	    "UDIAG_SHOW_UID (added by Linux 5.3, commit cae9910e7344)");
}

/* Child of A-34: in a fresh user namespace, its own socket's owner as that namespace sees it. */
static void
diag_uid_in_new_userns(void *arg)
{
	int type = *(const int *)arg, fd;

	if (unshare(CLONE_NEWUSER) == -1)
		uds_skip("unshare(CLONE_NEWUSER) failed with %s: no user namespace for this process",
		    uds_errno_name(errno));
	fd = uds_socket(type, false);
	UDS_EQ(unix_diag_uid(fd), getuid(), "UNIX_DIAG_UID (the owner, in the new namespace)");
	close(fd);
}
#endif

UDS_CASE(sock_diag_reports_owner_uid, "A-34", UDS_ALL_TYPES | UDS_UNBOUND,
    .note = "the owner's uid, queried from the socket's own user namespace")
{
#if defined(HAVE_LINUX_UNIX_DIAG_H)
	UDS_EQ(unix_diag_uid(p->a), getuid(), "UNIX_DIAG_UID (the owner)");
#else
	uds_skip("sock_diag (NETLINK_SOCK_DIAG, <linux/unix_diag.h>) is a Linux interface, absent "
	    "at build time");
#endif
}

UDS_CASE(sock_diag_reports_owner_uid_in_new_userns, "A-34", UDS_ALL_TYPES | UDS_UNBOUND,
    .note = "the owner's uid as a fresh user namespace maps it, queried from there")
{
#if defined(HAVE_LINUX_UNIX_DIAG_H)
	struct uds_child child;
	int type = p->kind->type;

	uds_child_start(&child, diag_uid_in_new_userns, &type);
	uds_child_finish(&child);
#else
	uds_skip("sock_diag (NETLINK_SOCK_DIAG, <linux/unix_diag.h>) and user namespaces are Linux "
	    "interfaces, absent at build time");
#endif
}
