/*
 * fault.c - a preloadable library that bends exactly one documented
 * AF_UNIX behaviour, named by the environment variable UDS_FAULT (see
 * faults.def), so the self-test can prove that some case catches it.
 *
 *   LD_PRELOAD=libudsfault.so UDS_FAULT=peek_consumes kyua test ...
 *   (DYLD_INSERT_LIBRARIES on macOS)
 *
 * It touches only AF_UNIX sockets: every hook first asks the socket's
 * family through the real getsockname() and passes anything else through.
 * With UDS_FAULT unset or unknown it changes nothing.
 *
 * Built without _GNU_SOURCE so that glibc declares the socket calls with
 * plain struct sockaddr pointers (not transparent unions) and the hooks'
 * prototypes match on every platform.
 */
#undef _GNU_SOURCE
#define _DEFAULT_SOURCE 1
#include "uds_config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef RTLD_NEXT
#define RTLD_NEXT ((void *)-1L)         /* glibc and musl's value; declared only with _GNU_SOURCE */
#endif

enum fault {
#define FAULT(name, what, catches) F_##name,
#include "faults.def"
#undef FAULT
	F_NONE
};

static const char *const fault_names[] = {
#define FAULT(name, what, catches) #name,
#include "faults.def"
#undef FAULT
};

static enum fault active = F_NONE;

__attribute__((constructor)) static void
choose_fault(void)
{
	const char *want = getenv("UDS_FAULT");

	if (want == NULL || *want == '\0')
		return;
	for (size_t i = 0; i < sizeof(fault_names) / sizeof(fault_names[0]); i++)
		if (strcmp(fault_names[i], want) == 0)
			active = (enum fault)i;
}

#define ON(name) (active == F_##name)

/* The next definition of a libc function, looked up once. */
#define REAL(ret, name, params) \
	static ret (*real_##name) params; \
	if (real_##name == NULL) \
		real_##name = (ret (*) params)dlsym(RTLD_NEXT, #name)

static int
family_of(int fd)
{
	static int (*real)(int, struct sockaddr *, socklen_t *);
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (real == NULL)
		real = (int (*)(int, struct sockaddr *, socklen_t *))dlsym(RTLD_NEXT, "getsockname");
	if (real(fd, (struct sockaddr *)&ss, &len) == -1)
		return -1;
	return ss.ss_family;
}

static bool
is_unix(int fd)
{
	int saved = errno;
	bool yes = family_of(fd) == AF_UNIX;

	errno = saved;
	return yes;
}

static int
type_of(int fd)
{
	REAL(int, getsockopt, (int, int, int, void *, socklen_t *));
	int saved = errno, type = -1;
	socklen_t len = sizeof(type);

	if (real_getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == -1)
		type = -1;
	errno = saved;
	return type;
}

/* Turns a failure with errno `from` into one with errno `to`. */
static long
swap_errno(long rc, int from, int to)
{
	if (rc == -1 && errno == from)
		errno = to;
	return rc;
}

/* ---- connect, bind, listen, accept ------------------------------------ */

int
connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	REAL(int, connect, (int, const struct sockaddr *, socklen_t));
	int rc = real_connect(fd, addr, len);

	if (!is_unix(fd))
		return rc;
	if (ON(connect_refused_as_enoent))
		return (int)swap_errno(rc, ECONNREFUSED, ENOENT);
	if (ON(connect_enoent_as_refused))
		return (int)swap_errno(rc, ENOENT, ECONNREFUSED);
	if (ON(connect_prototype_as_refused))
		return (int)swap_errno(rc, EPROTOTYPE, ECONNREFUSED);
	if (ON(connect_isconn_as_inval))
		return (int)swap_errno(rc, EISCONN, EINVAL);
	if (ON(connect_acces_as_refused))
		return (int)swap_errno(rc, EACCES, ECONNREFUSED);
	return rc;
}

int
bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	REAL(int, bind, (int, const struct sockaddr *, socklen_t));
	size_t off = offsetof(struct sockaddr_un, sun_path);
	int rc;

	if (ON(abstract_name_cut) && is_unix(fd) && addr != NULL && len > off + 2 &&
	    ((const struct sockaddr_un *)addr)->sun_path[0] == '\0')
		len--;
	rc = real_bind(fd, addr, len);
	if (!is_unix(fd))
		return rc;
	if (ON(bind_inuse_as_inval))
		return (int)swap_errno(rc, EADDRINUSE, EINVAL);
	if (ON(bind_inval_as_inuse))
		return (int)swap_errno(rc, EINVAL, EADDRINUSE);
	return rc;
}

int
listen(int fd, int backlog)
{
	REAL(int, listen, (int, int));
	int rc;

	/* listen_negative_backlog_small: a negative backlog taken as 0, not as the cap. */
	if (ON(listen_negative_backlog_small) && backlog < 0 && is_unix(fd))
		backlog = 0;
	rc = real_listen(fd, backlog);
	if (!is_unix(fd))
		return rc;
	if (ON(listen_einval_succeeds) && rc == -1 && errno == EINVAL)
		return 0;
	if (ON(listen_opnotsupp_as_inval))
		return (int)swap_errno(rc, EOPNOTSUPP, EINVAL);
	return rc;
}

static void
widen_unnamed(struct sockaddr *addr, socklen_t *len, socklen_t given)
{
	if (ON(accept_addrlen_full) && addr != NULL && len != NULL &&
	    *len <= offsetof(struct sockaddr_un, sun_path) && given >= sizeof(struct sockaddr_un))
		*len = sizeof(struct sockaddr_un);
}

/* accept_inherits_nonblock: the accepted socket takes the listener's O_NONBLOCK. */
static void
inherit_nonblock(int listener, int fd)
{
	int saved = errno, lfl, fl;

	if (!ON(accept_inherits_nonblock))
		return;
	lfl = fcntl(listener, F_GETFL);
	fl = fcntl(fd, F_GETFL);
	if (lfl != -1 && (lfl & O_NONBLOCK) && fl != -1)
		(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	errno = saved;
}

int
accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	REAL(int, accept, (int, struct sockaddr *, socklen_t *));
	socklen_t given = len != NULL ? *len : 0;
	int rc = real_accept(fd, addr, len);

	if (rc != -1 && is_unix(fd)) {
		widen_unnamed(addr, len, given);
		inherit_nonblock(fd, rc);
	}
	return rc;
}

#ifdef HAVE_ACCEPT4
int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
int
accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	REAL(int, accept4, (int, struct sockaddr *, socklen_t *, int));
	socklen_t given = len != NULL ? *len : 0;
	int rc = real_accept4(fd, addr, len, flags);

	if (rc != -1 && is_unix(fd)) {
		widen_unnamed(addr, len, given);
#ifdef SOCK_NONBLOCK
		if (!(flags & SOCK_NONBLOCK))
			inherit_nonblock(fd, rc);
#endif
	}
	return rc;
}
#endif

/* ---- names and options -------------------------------------------------- */

int
getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	REAL(int, getsockname, (int, struct sockaddr *, socklen_t *));
	int rc = real_getsockname(fd, addr, len);
	struct sockaddr_un *sun = (struct sockaddr_un *)addr;
	size_t off = offsetof(struct sockaddr_un, sun_path);

	if (rc == -1 || addr == NULL || addr->sa_family != AF_UNIX)
		return rc;
	if (ON(sockname_wrong_family))
		addr->sa_family = AF_UNSPEC;
	if (ON(sockname_nul_uncounted) && *len > off + 1 && sun->sun_path[0] != '\0' &&
	    sun->sun_path[*len - off - 1] == '\0')
		(*len)--;
	return rc;
}

int
getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	REAL(int, getpeername, (int, struct sockaddr *, socklen_t *));
	int rc = real_getpeername(fd, addr, len);

	if (ON(dgram_peername_notconn) && rc == 0 && is_unix(fd) && type_of(fd) == SOCK_DGRAM) {
		errno = ENOTCONN;
		return -1;
	}
	return rc;
}

int
setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	REAL(int, setsockopt, (int, int, int, const void *, socklen_t));

#ifdef SO_PEEK_OFF
	if (ON(peek_off_ignored) && level == SOL_SOCKET && name == SO_PEEK_OFF && is_unix(fd))
		return 0;
#endif
	return real_setsockopt(fd, level, name, val, len);
}

int
getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	REAL(int, getsockopt, (int, int, int, void *, socklen_t *));
	int rc = real_getsockopt(fd, level, name, val, len);

	if (rc == -1 || level != SOL_SOCKET || !is_unix(fd))
		return rc;
	if (ON(so_type_stream) && name == SO_TYPE && *len >= sizeof(int))
		*(int *)val = SOCK_STREAM;
#ifdef HAVE_SO_PEERCRED_UCRED
	/* struct ucred starts with the pid. */
	if (ON(peercred_wrong_pid) && name == SO_PEERCRED && *len >= sizeof(int))
		++*(int *)val;
#endif
	return rc;
}

/* ---- sending -------------------------------------------------------------- */

/* Where a datagram held back by dgram_reordered waits for the next one. */
static struct {
	int fd;
	size_t len;
	char data[65536];
} held = { .fd = -1 };

/* Applies the send-side faults around one real send; `again` repeats it. */
static ssize_t
send_bent(int fd, int flags, ssize_t (*again)(int fd, int flags, void *ctx), void *ctx,
    const void *buf, size_t len)
{
	static unsigned long datagrams;
	bool is_dgram;
	ssize_t rc;

	if (!is_unix(fd))
		return again(fd, flags, ctx);
	is_dgram = type_of(fd) == SOCK_DGRAM;
	if (is_dgram && (ON(dgram_lost) || ON(dgram_duplicated) || ON(dgram_reordered)) &&
	    ++datagrams % 50 == 0) {
		if (ON(dgram_lost))
			return (ssize_t)len;
		if (ON(dgram_duplicated)) {
			rc = again(fd, flags, ctx);
			if (rc != -1)
				(void)again(fd, flags, ctx);
			return rc;
		}
		if (buf != NULL && len <= sizeof(held.data) && held.fd == -1) {
			held.fd = fd;
			held.len = len;
			memcpy(held.data, buf, len);
			return (ssize_t)len;
		}
	}
	if (ON(sigpipe_suppressed))
		flags |= MSG_NOSIGNAL;
	rc = again(fd, flags, ctx);
	if (is_dgram && ON(dgram_reordered) && held.fd == fd && rc != -1) {
		REAL(ssize_t, send, (int, const void *, size_t, int));
		held.fd = -1;
		(void)real_send(fd, held.data, held.len, flags);
	}
	if (rc == -1 && errno == EPIPE && (flags & MSG_NOSIGNAL) && ON(sigpipe_despite_nosignal))
		raise(SIGPIPE);
	if (ON(send_pipe_as_reset))
		return swap_errno(rc, EPIPE, ECONNRESET);
	if (ON(send_again_as_nobufs))
		return swap_errno(rc, EAGAIN, ENOBUFS);
	if (ON(send_notconn_as_destaddrreq))
		return swap_errno(rc, ENOTCONN, EDESTADDRREQ);
	return rc;
}

struct send_args {
	const void *buf;
	size_t len;
	const struct sockaddr *to;
	socklen_t tolen;
	const struct msghdr *msg;
};

static ssize_t
do_sendto(int fd, int flags, void *ctx)
{
	REAL(ssize_t, sendto, (int, const void *, size_t, int, const struct sockaddr *, socklen_t));
	struct send_args *a = ctx;

	return real_sendto(fd, a->buf, a->len, flags, a->to, a->tolen);
}

static ssize_t
do_sendmsg(int fd, int flags, void *ctx)
{
	REAL(ssize_t, sendmsg, (int, const struct msghdr *, int));
	struct send_args *a = ctx;

	return real_sendmsg(fd, a->msg, flags);
}

ssize_t
send(int fd, const void *buf, size_t len, int flags)
{
	struct send_args a = { buf, len, NULL, 0, NULL };

	return send_bent(fd, flags, do_sendto, &a, buf, len);
}

ssize_t
sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
    socklen_t tolen)
{
	struct send_args a = { buf, len, to, tolen, NULL };

	return send_bent(fd, flags, do_sendto, &a, buf, len);
}

ssize_t
sendmsg(int fd, const struct msghdr *msg, int flags)
{
	struct send_args a = { NULL, 0, NULL, 0, msg };
	const void *buf = NULL;
	size_t len = 0;

	/* A one-piece message without control data can be held back like send(). */
	if (msg != NULL && msg->msg_iovlen == 1 && msg->msg_controllen == 0 &&
	    msg->msg_name == NULL) {
		buf = msg->msg_iov[0].iov_base;
		len = msg->msg_iov[0].iov_len;
	}
	return send_bent(fd, flags, do_sendmsg, &a, buf, len);
}

#if defined(HAVE_SENDMMSG) && defined(__linux__)
/* struct mmsghdr and sendmmsg() are declared only with _GNU_SOURCE; same layout. */
struct fault_mmsghdr {
	struct msghdr msg_hdr;
	unsigned int msg_len;
};

int sendmmsg(int fd, struct fault_mmsghdr *msgs, unsigned int n, int flags);
int
sendmmsg(int fd, struct fault_mmsghdr *msgs, unsigned int n, int flags)
{
	REAL(int, sendmmsg, (int, struct fault_mmsghdr *, unsigned int, int));
	const unsigned int uio_maxiov = 1024;   /* Linux caps vlen to this */
	int rc = real_sendmmsg(fd, msgs, n, flags), more;

	if (ON(sendmmsg_cap_ignored) && rc == (int)uio_maxiov && n > uio_maxiov && is_unix(fd)) {
		more = real_sendmmsg(fd, msgs + uio_maxiov, n - uio_maxiov, flags);
		if (more > 0)
			rc += more;
	}
	return rc;
}
#endif

/* ---- receiving ------------------------------------------------------------ */

static int
recv_flags_bent(int fd, int flags)
{
	if (ON(peek_consumes))
		flags &= ~MSG_PEEK;
	if (ON(waitall_ignored))
		flags &= ~MSG_WAITALL;
#ifdef MSG_CMSG_CLOEXEC
	if (ON(cmsg_cloexec_ignored))
		flags &= ~MSG_CMSG_CLOEXEC;
#endif
	(void)fd;
	return flags;
}

static ssize_t
recv_result_bent(int fd, ssize_t rc, size_t len, int flags)
{
	if (ON(trunc_length_clamped) && (flags & MSG_TRUNC) && rc > (ssize_t)len)
		return (ssize_t)len;
	if (ON(eof_as_reset) && rc == 0 && len > 0 && type_of(fd) == SOCK_STREAM) {
		errno = ECONNRESET;
		return -1;
	}
	if (ON(reset_as_eof) && rc == -1 && errno == ECONNRESET)
		return 0;
	if (ON(recv_fault_as_inval))
		rc = swap_errno(rc, EFAULT, EINVAL);
	if (ON(zero_recv_empty_succeeds) && rc == -1 && len == 0 &&
	    (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	return rc;
}

ssize_t
recv(int fd, void *buf, size_t len, int flags)
{
	REAL(ssize_t, recvfrom, (int, void *, size_t, int, struct sockaddr *, socklen_t *));
	ssize_t rc;

	if (!is_unix(fd))
		return real_recvfrom(fd, buf, len, flags, NULL, NULL);
	rc = real_recvfrom(fd, buf, len, recv_flags_bent(fd, flags), NULL, NULL);
	return recv_result_bent(fd, rc, len, flags);
}

ssize_t
recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from, socklen_t *fromlen)
{
	REAL(ssize_t, recvfrom, (int, void *, size_t, int, struct sockaddr *, socklen_t *));
	ssize_t rc;

	if (!is_unix(fd))
		return real_recvfrom(fd, buf, len, flags, from, fromlen);
	rc = real_recvfrom(fd, buf, len, recv_flags_bent(fd, flags), from, fromlen);
	if (ON(conn_sender_name_dropped) && rc != -1 && from != NULL && fromlen != NULL &&
	    type_of(fd) != SOCK_DGRAM)
		*fromlen = 0;
	return recv_result_bent(fd, rc, len, flags);
}

/* Applies the descriptor faults to the SCM_RIGHTS a recvmsg() delivered. */
static void
rights_bent(struct msghdr *msg, int flags)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
		int *fds = (int *)(void *)CMSG_DATA(cm);
		size_t n;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, &fds[i], sizeof(fd));
			if (ON(rights_wrong_file)) {
				int null = open("/dev/null", O_RDWR);

				if (null != -1 && null != fd) {
					dup2(null, fd);
					close(null);
				}
			}
			if (ON(cloexec_always))
				fcntl(fd, F_SETFD, FD_CLOEXEC);
		}
		if (ON(rights_order_reversed))
			for (size_t i = 0; i < n / 2; i++) {
				int a, b;

				memcpy(&a, &fds[i], sizeof(a));
				memcpy(&b, &fds[n - 1 - i], sizeof(b));
				memcpy(&fds[i], &b, sizeof(b));
				memcpy(&fds[n - 1 - i], &a, sizeof(a));
			}
	}
	if (ON(rights_leak_on_ctrunc) && (msg->msg_flags & MSG_CTRUNC))
		(void)dup(0);
	(void)flags;
}

ssize_t
recvmsg(int fd, struct msghdr *msg, int flags)
{
	REAL(ssize_t, recvmsg, (int, struct msghdr *, int));
	size_t len = 0, ctl;
	ssize_t rc;

	if (!is_unix(fd))
		return real_recvmsg(fd, msg, flags);
	for (size_t i = 0; i < (size_t)msg->msg_iovlen; i++)
		len += msg->msg_iov[i].iov_len;
	ctl = msg->msg_control != NULL ? (size_t)msg->msg_controllen : 0;
	rc = real_recvmsg(fd, msg, recv_flags_bent(fd, flags));
	if (rc != -1) {
		if (ON(trunc_flag_cleared))
			msg->msg_flags &= ~MSG_TRUNC;
		if (ON(ctrunc_spurious) && ctl > 0 && msg->msg_controllen == 0)
			msg->msg_flags |= MSG_CTRUNC;
		if (ON(conn_sender_name_dropped) && msg->msg_name != NULL && type_of(fd) != SOCK_DGRAM)
			msg->msg_namelen = 0;
		if (msg->msg_control != NULL && msg->msg_controllen >= sizeof(struct cmsghdr))
			rights_bent(msg, flags);
		else if (ON(rights_leak_on_ctrunc) && (msg->msg_flags & MSG_CTRUNC))
			(void)dup(0);
	}
	return recv_result_bent(fd, rc, len, flags);
}

/* ---- shutdown and poll ------------------------------------------------------ */

int
shutdown(int fd, int how)
{
	REAL(int, shutdown, (int, int));

	if (ON(shut_wr_ignored) && how == SHUT_WR && is_unix(fd))
		return 0;
	return real_shutdown(fd, how);
}

int
poll(struct pollfd *fds, nfds_t n, int timeout)
{
	REAL(int, poll, (struct pollfd *, nfds_t, int));
	int rc = real_poll(fds, n, timeout);

	if (rc > 0 && ON(pollhup_missing))
		for (nfds_t i = 0; i < n; i++)
			if ((fds[i].revents & POLLHUP) && is_unix(fds[i].fd)) {
				fds[i].revents &= ~POLLHUP;
				if (fds[i].revents == 0)
					rc--;
			}
	return rc;
}
