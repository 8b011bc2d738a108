/*
 * fdpass.c - SCM_RIGHTS with the CMSG_* macros used as APUE 17.4 and
 * POSIX <sys/socket.h> describe, and peer credentials through whatever
 * interface this platform has (probed by meson, never by OS name).
 */
#include "uds_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#if defined(HAVE_SYS_SENDMSG)
#include <sys/syscall.h>
#endif

/* Big enough for UDS_MAX_PASS descriptors, aligned for struct cmsghdr. */
union control {
	struct cmsghdr hdr;
	char buf[CMSG_SPACE(UDS_MAX_PASS * sizeof(int)) + 256];
};

ssize_t
uds_sys_sendmsg(int sock, const struct msghdr *msg, int flags)
{
	static bool noted;

	if (!noted) {
		noted = true;
#if defined(HAVE_SYS_SENDMSG)
		uds_note("sendmsg() issued as the system call (SYS_sendmsg), bypassing the C "
		    "library's wrapper: the case checks the kernel's rule, and a wrapper may copy "
		    "or limit the control data first (musl 1.2.3: a 1024-byte copy, ENOMEM beyond "
		    "it, SIGSEGV for an unmapped msg_control)");
#else
		uds_note("sendmsg() through the C library's wrapper (no SYS_sendmsg at build "
		    "time): a wrapper that copies or limits the control data shows here");
#endif
	}
#if defined(HAVE_SYS_SENDMSG)
	return (ssize_t)syscall(SYS_sendmsg, sock, msg, flags);
#else
	return sendmsg(sock, msg, flags);
#endif
}

/* uds_sendmsg_fds() through send (sendmsg, or uds_sys_sendmsg). */
static ssize_t
sendmsg_fds_via(ssize_t (*send)(int, const struct msghdr *, int), int sock, const int *fds,
    int nfds, const void *buf, size_t len, int flags)
{
	static const char one = 'F';
	union control ctl;
	struct iovec iov = { .iov_base = (void *)(buf ? buf : &one), .iov_len = buf ? len : 1 };
	struct msghdr msg;

	UDS_REQUIRE(nfds >= 0 && nfds <= UDS_MAX_PASS, "cannot pass %d descriptors", nfds);
	memset(&msg, 0, sizeof(msg));
	memset(&ctl, 0, sizeof(ctl));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (nfds > 0) {
		struct cmsghdr *cm;

		msg.msg_control = ctl.buf;
		msg.msg_controllen = CMSG_SPACE((size_t)nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN((size_t)nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, (size_t)nfds * sizeof(int));
	}
	return send(sock, &msg, flags);
}

ssize_t
uds_sendmsg_fds(int sock, const int *fds, int nfds, const void *buf, size_t len, int flags)
{
	return sendmsg_fds_via(sendmsg, sock, fds, nfds, buf, len, flags);
}

ssize_t
uds_sys_sendmsg_fds(int sock, const int *fds, int nfds, const void *buf, size_t len, int flags)
{
	return sendmsg_fds_via(uds_sys_sendmsg, sock, fds, nfds, buf, len, flags);
}

ssize_t
uds_ioring_sendmsg_fds(int sock, const int *fds, int nfds, const void *buf, size_t len, int flags)
{
	return sendmsg_fds_via(uds_ioring_sendmsg, sock, fds, nfds, buf, len, flags);
}

void
uds_send_fds(int sock, const int *fds, int nfds)
{
	ssize_t n = uds_sendmsg_fds(sock, fds, nfds, NULL, 0, 0);

	UDS_REQUIRE(n == 1, "sendmsg() with %d descriptors: %s", nfds,
	    n == -1 ? uds_errno_name(errno) : "did not send its one byte");
}

/* uds_recvmsg_ctl() through receive (recvmsg, or uds_ioring_recvmsg). */
static ssize_t
recvmsg_ctl_via(ssize_t (*receive)(int, struct msghdr *, int), int sock, void *buf, size_t len,
    size_t ctl_space, int flags, struct uds_msg *m)
{
	union control ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg;
	ssize_t n;

	UDS_REQUIRE(ctl_space <= sizeof(ctl.buf), "control space %zu too large", ctl_space);
	memset(m, 0, sizeof(*m));
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl_space ? ctl.buf : NULL;
	msg.msg_controllen = ctl_space;
	if (!(flags & MSG_DONTWAIT))
		uds_wait_readable(sock);
	n = receive(sock, &msg, flags);
	m->bytes = n;
	if (n == -1)
		return -1;
	m->flags = msg.msg_flags;
	m->controllen = msg.msg_controllen;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); ctl_space && cm != NULL;
	     cm = CMSG_NXTHDR(&msg, cm)) {
		size_t nfds;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		nfds = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < nfds && m->nfds < UDS_MAX_PASS; i++)
			memcpy(&m->fds[m->nfds++], CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
	}
	return n;
}

ssize_t
uds_recvmsg_ctl(int sock, void *buf, size_t len, size_t ctl_space, int flags,
    struct uds_msg *m)
{
	return recvmsg_ctl_via(recvmsg, sock, buf, len, ctl_space, flags, m);
}

ssize_t
uds_ioring_recvmsg_ctl(int sock, void *buf, size_t len, size_t ctl_space, int flags,
    struct uds_msg *m)
{
	return recvmsg_ctl_via(uds_ioring_recvmsg, sock, buf, len, ctl_space, flags, m);
}

void
uds_recv_fds(int sock, int maxfds, int flags, struct uds_msg *m)
{
	static char data[4096];
	ssize_t n = uds_recvmsg_ctl(sock, data, sizeof(data),
	    CMSG_SPACE((size_t)maxfds * sizeof(int)), flags, m);

	UDS_REQUIRE(n != -1, "recvmsg() with room for %d descriptors failed: %s", maxfds,
	    uds_errno_name(errno));
}

bool
uds_same_file(int fd1, int fd2)
{
	struct stat s1, s2;

	UDS_OK(fstat(fd1, &s1));
	UDS_OK(fstat(fd2, &s2));
	return s1.st_dev == s2.st_dev && s1.st_ino == s2.st_ino;
}

int
uds_temp_file(const char *contents)
{
	static unsigned counter;
	char name[32];
	int fd;

	snprintf(name, sizeof(name), "f.%u", ++counter);
	fd = (int)UDS_OK(open(name, O_RDWR | O_CREAT | O_EXCL, 0600));
	if (contents != NULL)
		UDS_EQ(write(fd, contents, strlen(contents)), strlen(contents), "bytes written");
	UDS_OK(lseek(fd, 0, SEEK_SET));
	return fd;
}

void
uds_peer_ids(int fd, struct uds_ids *ids)
{
#if defined(HAVE_SO_PEERCRED_UCRED)
	struct ucred uc;
	socklen_t len = sizeof(uc);

	UDS_OK(getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len));
	ids->uid = uc.uid;
	ids->gid = uc.gid;
	ids->pid = uc.pid;
#elif defined(HAVE_GETPEEREID)
	UDS_OK(getpeereid(fd, &ids->uid, &ids->gid));
	ids->pid = -1;
#else
	(void)fd;
	(void)ids;
	uds_skip("no peer-credential interface (SO_PEERCRED, getpeereid) found at build time");
#endif
}

void
uds_require_only_named(const struct uds_fd_snapshot *before, const struct uds_msg *m)
{
	struct uds_fd_snapshot expected = *before;

	for (int i = 0; i < m->nfds; i++) {
		int fd = m->fds[i];

		UDS_REQUIRE(fd >= 0, "control data names descriptor %d (#%d)", fd, i);
		if (fd >= UDS_FD_SCAN)
			continue;
		UDS_REQUIRE(!expected.open[fd], "control data names descriptor %d (#%d), which "
		    "was already open", fd, i);
		expected.open[fd] = 1;
	}
	UDS_FDS_UNCHANGED(&expected, "by recvmsg() beyond those its control data names");
}

ssize_t
uds_recv_fds_only(int sock, void *buf, size_t len, int maxfds, int flags, struct uds_msg *m)
{
	struct uds_fd_snapshot snap;
	ssize_t n;

	uds_fds_snapshot(&snap);
	n = uds_recvmsg_ctl(sock, buf, len, CMSG_SPACE((size_t)maxfds * sizeof(int)), flags, m);
	UDS_REQUIRE(n != -1, "recvmsg() of %zu bytes with room for %d descriptors (flags %#x) "
	    "failed: %s", len, maxfds, (unsigned)flags, uds_errno_name(errno));
	uds_require_only_named(&snap, m);
	return n;
}

void
uds_close_received(struct uds_msg *m)
{
	for (int i = 0; i < m->nfds; i++)
		UDS_OK(close(m->fds[i]));
	m->nfds = 0;
}
