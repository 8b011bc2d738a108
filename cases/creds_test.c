/*
 * creds_test - credentials & permissions (catalogue area L): peer
 * credentials (SO_PEERCRED, getpeereid and the BSD/macOS/illumos
 * interfaces), when the server's credentials are captured, SO_PEERSEC and
 * the Linux pidfd interfaces (SO_PEERPIDFD, SO_PASSPIDFD / SCM_PIDFD).
 * SCM_CREDENTIALS is in creds_scm.c, permissions in creds_permissions.c.
 * Platform interfaces are guarded by their symbols and probed at run time;
 * elsewhere the cases skip with the reason.
 */
#include "creds.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <grp.h>
#include <unistd.h>

#ifdef HAVE_XUCRED
#include <sys/ucred.h>
#endif
#ifdef HAVE_GETPEERUCRED
#include <ucred.h>
#endif

/*
 * SO_PEERPIDFD / SO_PASSPIDFD / SCM_PIDFD (Linux 6.5) are missing from older
 * C library headers; the socket options' asm-generic values hold on x86 and arm.  The
 * cases still probe the kernel at run time (ENOPROTOOPT before 6.5).
 */
#ifdef HAVE_ASM_GENERIC_SOCKOPTS
#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD 76
#endif
#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif
#ifndef SCM_PIDFD
#define SCM_PIDFD 0x04        /* include/linux/socket.h, all architectures */
#endif
#endif

/*
 * PIDFD_GET_INFO (Linux 6.13) and PIDFD_INFO_EXIT (6.15), as
 * include/uapi/linux/pidfd.h has them, for C library headers that lack
 * them: the first published struct pidfd_info (PIDFD_INFO_SIZE_VER0, 64
 * bytes; the ioctl takes the size from the command, so later kernels
 * accept it).  The case probes the ioctl at run time (ENOTTY before 6.13).
 */
#if defined(SO_PEERPIDFD) && defined(HAVE_LINUX_CREDS)
#include <sys/ioctl.h>
#include <sys/wait.h>
struct pidfd_info_v0 {
	uint64_t mask;
	uint64_t cgroupid;
	uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
	int32_t exit_code;
};
_Static_assert(sizeof(struct pidfd_info_v0) == 64, "PIDFD_INFO_SIZE_VER0 is 64");
#define UDS_PIDFD_INFO_EXIT (1ULL << 3)
#define UDS_PIDFD_GET_INFO  _IOWR(0xFF, 11, struct pidfd_info_v0)   /* PIDFS_IOCTL_MAGIC, 11 */
#endif

#ifdef HAVE_LINUX_CREDS
struct ucred
peercred(int fd)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);

	memset(&uc, 0xa5, sizeof(uc));
	UDS_OK(getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len));
	UDS_EQ(len, sizeof(uc), "SO_PEERCRED option length");
	return uc;
}

void
require_ucred(struct ucred uc, pid_t pid, uid_t uid, gid_t gid, const char *what)
{
	UDS_REQUIRE(uc.pid == pid && uc.uid == uid && uc.gid == gid,
	    "%s: pid %d uid %d gid %d, expected pid %d uid %d gid %d", what, (int)uc.pid,
	    (int)uc.uid, (int)uc.gid, (int)pid, (int)uid, (int)gid);
}

struct ucred
own_ucred(void)
{
	return (struct ucred){ .pid = getpid(), .uid = geteuid(), .gid = getegid() };
}

void
set_passcred(int fd, int on)
{
	UDS_OK(setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)));
}

/* sendmsg() of data with one SCM_CREDENTIALS of credlen bytes (and nfds descriptors). */
ssize_t
send_cred_msg(int fd, const char *data, const struct ucred *uc, size_t credlen,
    const int *fds, int nfds)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(4 * sizeof(int))];
	} ctl;
	struct iovec iov = { .iov_base = (void *)data, .iov_len = strlen(data) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf };
	struct cmsghdr *cm;

	memset(&ctl, 0, sizeof(ctl));
	msg.msg_controllen = CMSG_SPACE(credlen) + (nfds ? CMSG_SPACE(nfds * sizeof(int)) : 0);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_CREDENTIALS;
	cm->cmsg_len = CMSG_LEN(credlen);
	memcpy(CMSG_DATA(cm), uc, credlen);
	if (nfds > 0) {
		cm = CMSG_NXTHDR(&msg, cm);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	return sendmsg(fd, &msg, 0);
}

ssize_t
send_ucred(int fd, struct ucred uc)
{
	return send_cred_msg(fd, "c", &uc, sizeof(uc), NULL, 0);
}


/* One recvmsg() of up to len bytes with ctl_space control bytes, after waiting. */
void
recv_cred(int fd, size_t len, size_t ctl_space, struct crecv *r)
{
	union {
		struct cmsghdr align;
		char buf[512];
	} ctl;
	struct iovec iov = { .iov_base = r->data, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = ctl_space ? ctl.buf : NULL, .msg_controllen = ctl_space };

	memset(r, 0, sizeof(*r));
	memset(&r->uc, 0xa5, sizeof(r->uc));
	r->first_type = -1;
	uds_wait_readable(fd);
	r->n = UDS_OK(recvmsg(fd, &msg, MSG_DONTWAIT));
	r->flags = msg.msg_flags;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm)) {
		size_t dlen = cm->cmsg_len - CMSG_LEN(0);

		if (r->first_type == -1)
			r->first_type = cm->cmsg_type;
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_CREDENTIALS &&
		    r->ncred++ == 0) {
			r->credlen = dlen;
			memcpy(&r->uc, CMSG_DATA(cm), dlen < sizeof(r->uc) ? dlen : sizeof(r->uc));
		}
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
			for (size_t i = 0; i < dlen / sizeof(int) && r->nfds < 8; i++)
				memcpy(&r->fds[r->nfds++], CMSG_DATA(cm) + i * sizeof(int),
				    sizeof(int));
	}
}

/* r holds exactly one SCM_CREDENTIALS message, carrying uc. */
void
require_one_cred(const struct crecv *r, struct ucred uc, const char *what)
{
	char label[96];

	snprintf(label, sizeof(label), "%s: SCM_CREDENTIALS messages received", what);
	UDS_EQ(r->ncred, 1, label);
	require_ucred(r->uc, uc.pid, uc.uid, uc.gid, what);
}

/* Receives one message that must carry exactly the credentials uc. */
void
recv_expect_cred(int fd, struct ucred uc, const char *what)
{
	struct crecv r;

	recv_cred(fd, sizeof(r.data), 256, &r);
	UDS_EQ(r.ncred, 1, "SCM_CREDENTIALS messages received");
	UDS_EQ(r.credlen, sizeof(struct ucred), "SCM_CREDENTIALS data length");
	require_ucred(r.uc, uc.pid, uc.uid, uc.gid, what);
}

/* Receives one message of want bytes that must carry no credentials. */
void
recv_expect_no_cred(int fd, const char *want)
{
	struct crecv r;

	recv_cred(fd, sizeof(r.data), 256, &r);
	UDS_EQ(r.ncred, 0, "SCM_CREDENTIALS messages received");
	UDS_REQUIRE((size_t)r.n == strlen(want) && memcmp(r.data, want, r.n) == 0,
	    "received \"%.*s\", expected \"%s\"", (int)r.n, r.data, want);
}
#endif /* HAVE_LINUX_CREDS */

/* ---- peer credentials: SO_PEERCRED ---- */

UDS_CASE(peercred_socketpair_self, "L-01", UDS_STREAM | UDS_DGRAM | UDS_PAIR)
{
#ifdef HAVE_LINUX_CREDS
	require_ucred(peercred(p->a), getpid(), geteuid(), getegid(), "SO_PEERCRED on a");
	require_ucred(peercred(p->b), getpid(), geteuid(), getegid(), "SO_PEERCRED on b");
#else
	uds_skip(NO_LINUX_CREDS);
#endif
}

UDS_CASE(peercred_unconnected_empty, "L-02", UDS_STREAM | UDS_UNBOUND)
{
	uds_known_bug("peercred.names_peer");
#ifdef HAVE_LINUX_CREDS
	require_ucred(peercred(p->a), 0, (uid_t)-1, (gid_t)-1, "SO_PEERCRED unconnected");
#else
	uds_skip(NO_LINUX_CREDS);
#endif
}

UDS_CASE(peercred_listener_own, "L-03", UDS_STREAM | UDS_NAMED)
{
#ifdef HAVE_LINUX_CREDS
	require_ucred(peercred(p->listener), getpid(), geteuid(), getegid(), "on the listener");
#else
	uds_skip(NO_LINUX_CREDS);
#endif
}

#ifdef HAVE_LINUX_CREDS
/* A client child: connects to name, then (if wait) waits for one byte. */
struct client_arg {
	const struct uds_addr *name;
	int type;
	bool wait;
	bool drop_before;       /* setgid/setuid to nobody before connecting */
	bool drop_after;        /* seteuid to nobody after connecting, then report */
};

static void
client_child(void *v)
{
	struct client_arg *a = v;
	int fd = uds_socket(a->type, false);
	char c = 'k';

	if (a->drop_before) {
		uds_become_nobody();
	}
	uds_connect(fd, a->name);
#ifdef HAVE_LINUX_CREDS
	if (a->drop_before)
		require_ucred(peercred(fd), getppid(), 0, 0, "the child's SO_PEERCRED (server)");
#endif
	if (a->drop_after) {
		UDS_OK(seteuid(NOBODY));
		UDS_EQ(UDS_OK(write(fd, &c, 1)), 1, "bytes written after seteuid");
	}
	if (a->wait) {
		uds_wait_readable(fd);
		UDS_EQ(UDS_OK(read(fd, &c, 1)), 1, "bytes read from the server");
	}
	close(fd);
}

/* Starts a client child against a fresh listener; returns the accepted socket. */
static int
accept_child(struct uds_pair *p, struct uds_child *ch, struct client_arg *a,
    struct uds_addr *name)
{
	int l = uds_listener(p->kind, name), fd;

	if (p->kind->how == UDS_HOW_PATH)
		UDS_OK(chmod(name->sun.sun_path, 0777));
	a->name = name;
	a->type = p->kind->type;
	uds_child_start(ch, client_child, a);
	fd = uds_accept(l);
	close(l);
	return fd;
}
#endif /* HAVE_LINUX_CREDS */

UDS_CASE(peercred_accepted_is_client, "L-04", UDS_STREAM | UDS_NAMED)
{
	uds_known_bug("peercred.names_peer");
#ifdef HAVE_LINUX_CREDS
	struct client_arg a = { .wait = true };
	struct uds_addr name;
	struct uds_child ch;
	int fd = accept_child(p, &ch, &a, &name);

	require_ucred(peercred(fd), ch.pid, geteuid(), getegid(), "SO_PEERCRED on accepted");
	UDS_REQUIRE(ch.pid != getpid(), "the child has its own pid");
	UDS_EQ(UDS_OK(write(fd, "k", 1)), 1, "bytes written");
	uds_child_finish(&ch);
	close(fd);
#else
	uds_skip(NO_LINUX_CREDS);
#endif
}

UDS_CASE(peercred_client_sees_listener, "L-05", UDS_STREAM | UDS_NAMED)
{
#ifdef HAVE_LINUX_CREDS
	require_ucred(peercred(p->a), getpid(), geteuid(), getegid(), "SO_PEERCRED on client");
#else
	uds_skip(NO_LINUX_CREDS);
#endif
}

UDS_CASE(peercred_survives_peer_exit, "L-06", UDS_STREAM | UDS_NAMED)
{
	uds_known_bug("peercred.names_peer");
#ifdef HAVE_LINUX_CREDS
	struct client_arg a = { .wait = false };
	struct uds_addr name;
	struct uds_child ch;
	int l = uds_listener(p->kind, &name), fd;
	pid_t child;

	a.name = &name;
	a.type = p->kind->type;
	uds_child_start(&ch, client_child, &a);
	child = ch.pid;
	uds_child_finish(&ch);
	fd = uds_accept(l);
	require_ucred(peercred(fd), child, geteuid(), getegid(), "SO_PEERCRED after reaping");
	close(fd);
	close(l);
#else
	uds_skip(NO_LINUX_CREDS);
#endif
}

UDS_CASE(peercred_connected_dgram, "L-08", UDS_DGRAM | UDS_NAMED)
{
#ifdef HAVE_LINUX_CREDS
	struct ucred uc;
	socklen_t len = sizeof(uc);
	int rc = getsockopt(p->a, SOL_SOCKET, SO_PEERCRED, &uc, &len);

	if (rc == 0)
		uds_note("SO_PEERCRED: pid %d uid %d gid %d", (int)uc.pid, (int)uc.uid, (int)uc.gid);
	UDS_EXPECT_VALUE("peercred.dgram_connected_pid", rc == 0 ? uc.pid : -1);
#else
	uds_skip(NO_LINUX_CREDS);
#endif
}

UDS_CASE_ROOT(peercred_fixed_at_connect, "L-13", UDS_STREAM | UDS_NAMED)
{
	uds_known_bug("peercred.names_peer");
#ifdef HAVE_LINUX_CREDS
	struct client_arg a = { .drop_after = true, .wait = true };
	struct uds_addr name;
	struct uds_child ch;
	int fd = accept_child(p, &ch, &a, &name);
	char c;

	uds_note("running as uid %d", (int)getuid());
	uds_recv_all(fd, &c, 1);        /* the child has changed its euid */
	require_ucred(peercred(fd), ch.pid, 0, getegid(), "SO_PEERCRED after seteuid");
	UDS_EQ(UDS_OK(write(fd, "k", 1)), 1, "bytes written");
	uds_child_finish(&ch);
	close(fd);
#else
	uds_skip(NO_LINUX_CREDS);
#endif
}

UDS_CASE_ROOT(peercred_child_switched_ids, "L-14", UDS_STREAM | UDS_NAMED)
{
	uds_known_bug("peercred.names_peer");
#ifdef HAVE_LINUX_CREDS
	struct client_arg a = { .drop_before = true, .wait = true };
	struct uds_addr name;
	struct uds_child ch;
	int fd;

	uds_note("running as uid %d", (int)getuid());
	if (p->kind->how == UDS_HOW_PATH)
		UDS_OK(chmod(".", 0755));       /* nobody must reach the node */
	fd = accept_child(p, &ch, &a, &name);
	require_ucred(peercred(fd), ch.pid, NOBODY, NOBODY, "SO_PEERCRED of the switched child");
	UDS_EQ(UDS_OK(write(fd, "k", 1)), 1, "bytes written");
	uds_child_finish(&ch);
	close(fd);
#else
	uds_skip(NO_LINUX_CREDS);
#endif
}

/* ---- getpeereid() and the other platforms' interfaces ---- */

#ifndef HAVE_GETPEEREID
/* getpeereid() is not in this C library: the table says where that is expected. */
static void
getpeereid_missing(void)
{
	UDS_EXPECT_VALUE("creds.getpeereid", 0);
	uds_skip("getpeereid() is absent here");
}
#endif

UDS_CASE(getpeereid_socketpair_self, "L-09", UDS_STREAM | UDS_PAIR)
{
#ifdef HAVE_GETPEEREID
	uid_t u;
	gid_t g;

	UDS_OK(getpeereid(p->a, &u, &g));
	UDS_EQ(u, geteuid(), "peer euid");
	UDS_EQ(g, getegid(), "peer egid");
#else
	getpeereid_missing();
#endif
}

UDS_CASE(getpeereid_both_sides, "L-10", UDS_STREAM | UDS_NAMED)
{
#ifdef HAVE_GETPEEREID
	uid_t u;
	gid_t g;

	UDS_OK(getpeereid(p->a, &u, &g));
	UDS_REQUIRE(u == geteuid() && g == getegid(), "client: peer %d/%d", (int)u, (int)g);
	UDS_OK(getpeereid(p->b, &u, &g));
	UDS_REQUIRE(u == geteuid() && g == getegid(), "server: peer %d/%d", (int)u, (int)g);
#else
	getpeereid_missing();
#endif
}

UDS_CASE(getpeereid_listener_enotconn, "L-11", UDS_STREAM | UDS_NAMED)
{
#ifdef HAVE_GETPEEREID
	uid_t u;
	gid_t g;

	UDS_EXPECT_RESULT("getpeereid.listener", getpeereid(p->listener, &u, &g));
#else
	getpeereid_missing();
#endif
}

UDS_CASE(local_peercred_xucred, "L-15", UDS_STREAM | UDS_PAIR)
{
#if defined(LOCAL_PEERCRED) && defined(XUCRED_VERSION)
	struct xucred xu;
	socklen_t len = sizeof(xu);

	UDS_OK(getsockopt(p->a, 0, LOCAL_PEERCRED, &xu, &len));
	UDS_EQ(xu.cr_version, XUCRED_VERSION, "cr_version");
	UDS_EQ(xu.cr_uid, geteuid(), "cr_uid");
#else
	uds_skip("LOCAL_PEERCRED (struct xucred) is a FreeBSD/macOS interface, absent here");
#endif
}

UDS_CASE(local_peerpid_macos, "L-16", UDS_STREAM | UDS_PAIR)
{
#ifdef LOCAL_PEERPID
	pid_t pid;
	socklen_t len = sizeof(pid);

	UDS_OK(getsockopt(p->a, SOL_LOCAL, LOCAL_PEERPID, &pid, &len));
	UDS_EQ(pid, getpid(), "LOCAL_PEERPID");
#else
	uds_skip("LOCAL_PEERPID is a macOS interface, absent here");
#endif
}

UDS_CASE(local_peereid_netbsd, "L-17", UDS_STREAM | UDS_PAIR)
{
#ifdef LOCAL_PEEREID
	struct unpcbid id;
	socklen_t len = sizeof(id);

	UDS_OK(getsockopt(p->a, 0, LOCAL_PEEREID, &id, &len));
	UDS_EQ(id.unp_pid, getpid(), "unp_pid");
	UDS_EQ(id.unp_euid, geteuid(), "unp_euid");
	UDS_EQ(id.unp_egid, getegid(), "unp_egid");
#else
	uds_skip("LOCAL_PEEREID is a NetBSD interface, absent here");
#endif
}

UDS_CASE(so_peercred_sockpeercred, "L-18", UDS_STREAM | UDS_PAIR)
{
#ifdef HAVE_SOCKPEERCRED
	struct sockpeercred pc;
	socklen_t len = sizeof(pc);

	UDS_OK(getsockopt(p->a, SOL_SOCKET, SO_PEERCRED, &pc, &len));
	UDS_EQ(pc.pid, getpid(), "pid");
	UDS_EQ(pc.uid, geteuid(), "uid");
	UDS_EQ(pc.gid, getegid(), "gid");
#else
	uds_skip("struct sockpeercred is OpenBSD's SO_PEERCRED; here SO_PEERCRED (if any) uses "
	    "struct ucred, see L-01");
#endif
}

UDS_CASE(getpeerucred_illumos, "L-19", UDS_STREAM | UDS_PAIR)
{
#ifdef HAVE_GETPEERUCRED
	ucred_t *uc = NULL;

	UDS_OK(getpeerucred(p->a, &uc));
	UDS_EQ(ucred_geteuid(uc), geteuid(), "ucred_geteuid");
	UDS_EQ(ucred_getpid(uc), getpid(), "ucred_getpid");
	ucred_free(uc);
#else
	uds_skip("getpeerucred() is an illumos interface, absent here");
#endif
}

/* ---- pidfds (Linux 6.5) ---- */

#if defined(SO_PEERPIDFD) && defined(HAVE_LINUX_CREDS)
/* The "Pid:" line of /proc/self/fdinfo/<fd>, or -1. */
static long
pidfd_pid(int fd)
{
	char path[64], line[128];
	long pid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	UDS_REQUIRE(f != NULL, "cannot open %s", path);
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Pid: %ld", &pid) == 1)
			break;
	fclose(f);
	return pid;
}

static void
require_option(int fd, int opt, const char *name)
{
	int v = 1;

	uds_require_sockopt(fd, SOL_SOCKET, opt, name);
	if (setsockopt(fd, SOL_SOCKET, opt, &v, sizeof(v)) == -1 && errno == ENOPROTOOPT)
		uds_skip("%s not supported by this kernel: ENOPROTOOPT (needs Linux >= 6.5)", name);
}
#endif

#if defined(SO_PEERPIDFD) && defined(HAVE_LINUX_CREDS)
/*
 * One message of one byte on fd (after waiting): the int its SCM_PIDFD
 * carries (-1 without one), and in ncred how many SCM_CREDENTIALS came.
 */
static int
recv_scm_pidfd(int fd, int *ncred)
{
	union { struct cmsghdr a; char buf[256]; } ctl;
	char c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
	    .msg_controllen = sizeof(ctl.buf) };
	int pidfd = -1;

	*ncred = 0;
	uds_wait_readable(fd);
	UDS_EQ(UDS_OK(recvmsg(fd, &msg, MSG_DONTWAIT)), 1, "bytes received");
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_type == SCM_PIDFD)
			memcpy(&pidfd, CMSG_DATA(cm), sizeof(int));
		*ncred += cm->cmsg_type == SCM_CREDENTIALS;
	}
	return pidfd;
}
#endif

UDS_CASE(passpidfd_delivers_sender_pidfd, "L-39", UDS_STREAM | UDS_DGRAM | UDS_NAMED)
{
#if defined(SO_PEERPIDFD) && defined(HAVE_LINUX_CREDS)
	int pidfd, ncred;

	require_option(p->b, SO_PASSPIDFD, "SO_PASSPIDFD");
	set_passcred(p->b, 1);
	uds_send_one(p->a, "p", 1);
	pidfd = recv_scm_pidfd(p->b, &ncred);
	UDS_EQ(ncred, 1, "SCM_CREDENTIALS received");
	UDS_REQUIRE(pidfd >= 0, "no SCM_PIDFD received");
	UDS_EQ(pidfd_pid(pidfd), getpid(), "Pid: of the received pidfd");
	close(pidfd);
#else
	uds_skip("SO_PASSPIDFD / SCM_PIDFD are Linux (6.5) interfaces, absent here");
#endif
}

#if defined(SO_PEERPIDFD) && defined(HAVE_LINUX_CREDS)
enum { SENDER_EXIT = 37 };      /* an exit status no harness child uses */

static void
send_and_exit(void *arg)
{
	uds_send_one(*(int *)arg, "x", 1);
	_exit(SENDER_EXIT);
}
#endif

UDS_CASE(passpidfd_reaped_sender_exit_info, "L-41", UDS_STREAM | UDS_DGRAM | UDS_NAMED)
{
#if defined(SO_PEERPIDFD) && defined(HAVE_LINUX_CREDS)
	struct pidfd_info_v0 info = { .mask = UDS_PIDFD_INFO_EXIT };
	struct uds_child sender;
	int status, pidfd, ncred, rc;

	require_option(p->b, SO_PASSPIDFD, "SO_PASSPIDFD");
	uds_require_holds("scm_pidfd.reaped_sender");
	uds_child_start(&sender, send_and_exit, &p->a);
	status = uds_child_wait(&sender);       /* exited and reaped */
	UDS_REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == SENDER_EXIT,
	    "sender's wait status %#x, expected exit %d", (unsigned)status, SENDER_EXIT);
	pidfd = recv_scm_pidfd(p->b, &ncred);
	UDS_REQUIRE(pidfd >= 0, "SCM_PIDFD of the reaped sender: %d, not a pidfd", pidfd);
	rc = ioctl(pidfd, UDS_PIDFD_GET_INFO, &info);
	if (rc == -1 && (errno == ENOTTY || errno == EINVAL))
		uds_skip("PIDFD_GET_INFO not supported by this kernel: %s (needs Linux >= 6.13; "
		    "PIDFD_INFO_EXIT 6.15)", uds_errno_name(errno));
	UDS_REQUIRE(rc == 0, "PIDFD_GET_INFO on the reaped sender's pidfd: %s",
	    uds_errno_name(errno));
	UDS_REQUIRE(info.mask & UDS_PIDFD_INFO_EXIT, "PIDFD_GET_INFO: mask %#llx without "
	    "PIDFD_INFO_EXIT", (unsigned long long)info.mask);
	UDS_EQ(info.exit_code, status, "exit_code PIDFD_GET_INFO gives (a wait status)");
	close(pidfd);
#else
	uds_skip("SO_PASSPIDFD / SCM_PIDFD / PIDFD_GET_INFO are Linux interfaces, absent here");
#endif
}

UDS_CASE(peerpidfd_matches_peercred, "L-40", UDS_STREAM | UDS_NAMED)
{
#if defined(SO_PEERPIDFD) && defined(HAVE_LINUX_CREDS)
	struct client_arg a = { .wait = true };
	struct uds_addr name;
	struct uds_child ch;
	int fd, pidfd = -1;
	socklen_t len = sizeof(pidfd);

	fd = accept_child(p, &ch, &a, &name);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) == -1 && errno == ENOPROTOOPT) {
		UDS_EQ(UDS_OK(write(fd, "k", 1)), 1, "bytes written");
		uds_child_finish(&ch);
		uds_skip("SO_PEERPIDFD not supported by this kernel: ENOPROTOOPT (needs Linux >= 6.5)");
	}
	UDS_REQUIRE(pidfd >= 0, "SO_PEERPIDFD failed: %s", uds_errno_name(errno));
	UDS_EQ(pidfd_pid(pidfd), ch.pid, "Pid: of the peer pidfd");
	UDS_EQ(peercred(fd).pid, ch.pid, "SO_PEERCRED pid");
	UDS_EQ(UDS_OK(write(fd, "k", 1)), 1, "bytes written");
	uds_child_finish(&ch);
	close(pidfd);
	close(fd);
#else
	uds_skip("SO_PEERPIDFD is a Linux (6.5) interface, absent here");
#endif
}

UDS_CASE(peerpidfd_after_peer_reaped, "L-42", UDS_STREAM | UDS_PATH)
{
#if defined(SO_PEERPIDFD) && defined(HAVE_LINUX_CREDS)
	struct client_arg a = { .wait = false };
	struct uds_addr name;
	struct uds_child ch;
	int l = uds_listener(p->kind, &name), fd, pidfd = -1, rc, err;
	socklen_t len = sizeof(pidfd);

	a.name = &name;
	a.type = SOCK_STREAM;
	uds_child_start(&ch, client_child, &a);
	uds_child_finish(&ch);
	fd = uds_accept(l);
	rc = getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len);
	err = errno;
	if (rc == -1 && err == ENOPROTOOPT)
		uds_skip("SO_PEERPIDFD not supported by this kernel: ENOPROTOOPT");
	if (pidfd >= 0)
		close(pidfd);
	close(fd);
	close(l);
	errno = err;
	UDS_EXPECT_RESULT("peerpidfd.reaped_peer", rc);
#else
	uds_skip("SO_PEERPIDFD is a Linux (6.5) interface, absent here");
#endif
}

/* ---- when the server's credentials are captured ---- */

struct capture_arg {
	const struct uds_addr *name;
	int ready[2];           /* child -> parent: listening */
	int done[2];            /* parent -> child: EOF when connected */
};

/* Creates, binds and listens under three different euids (1001, 1002, 1003). */
static void
capture_child(void *v)
{
	struct capture_arg *a = v;
	int fd;
	char c;

	close(a->ready[0]);
	close(a->done[1]);
	UDS_OK(seteuid(1001));
	fd = uds_socket(SOCK_STREAM, false);
	UDS_OK(seteuid(0));
	UDS_OK(seteuid(1002));
	uds_bind(fd, a->name);
	UDS_OK(seteuid(0));
	UDS_OK(seteuid(1003));
	uds_listen(fd, 4);
	UDS_OK(seteuid(0));
	UDS_EQ(UDS_OK(write(a->ready[1], "r", 1)), 1, "ready byte written");
	uds_wait_readable(a->done[0]);
	UDS_EQ(UDS_OK(read(a->done[0], &c, 1)), 0, "end of file from the parent");
	close(fd);
}

UDS_CASE_ROOT(server_creds_capture_point, "L-12", UDS_STREAM | UDS_PATH)
{
	uds_known_bug("peercred.names_peer");
	struct capture_arg a;
	struct uds_addr name;
	struct uds_child ch;
	struct uds_ids ids;
	int fd = uds_socket(SOCK_STREAM, false);
	char c;

	uds_note("running as uid %d", (int)getuid());
	UDS_OK(chmod(".", 0777));       /* euid 1002 must create the node here */
	uds_addr_fresh_path(&name);
	a.name = &name;
	UDS_OK(pipe(a.ready));
	UDS_OK(pipe(a.done));
	uds_child_start(&ch, capture_child, &a);
	close(a.ready[1]);
	close(a.done[0]);
	uds_wait_readable(a.ready[0]);
	UDS_EQ(UDS_OK(read(a.ready[0], &c, 1)), 1, "ready byte read");
	uds_connect(fd, &name);
	uds_peer_ids(fd, &ids);
	close(a.done[1]);
	uds_child_finish(&ch);
	close(a.ready[0]);
	close(fd);
	UDS_REQUIRE(ids.uid >= 1001 && ids.uid <= 1003, "peer uid %d is none of the three",
	    (int)ids.uid);
	UDS_EXPECT_VALUE("peercred.server_capture", ids.uid - 1000);
}

UDS_CASE(peersec_short_buffer_erange, "L-44", UDS_STREAM | UDS_PAIR)
{
#ifdef SO_PEERSEC
	char ctx[4096];
	socklen_t len = sizeof(ctx), need;

	if (getsockopt(p->a, SOL_SOCKET, SO_PEERSEC, ctx, &len) == -1 && errno == ENOPROTOOPT)
		uds_skip("SO_PEERSEC: ENOPROTOOPT, no security module provides socket contexts");
	need = len;
	UDS_REQUIRE(need > 1, "context length %u", (unsigned)need);
	len = 1;
	UDS_FAILS_WITH(ERANGE, getsockopt(p->a, SOL_SOCKET, SO_PEERSEC, ctx, &len));
	UDS_EQ(len, need, "optlen after ERANGE");
#else
	uds_skip("SO_PEERSEC is a Linux interface, absent here");
#endif
}
