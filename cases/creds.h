/*
 * creds.h - what the source files of creds_test (catalogue area L) share:
 * the Linux credential interfaces' presence, and the helpers that send
 * and receive SCM_CREDENTIALS (defined in creds_test.c).
 */
#ifndef CREDS_H
#define CREDS_H

#include "uds.h"

#if defined(HAVE_SO_PEERCRED_UCRED) && defined(SCM_CREDENTIALS)
#define HAVE_LINUX_CREDS 1
#endif

#define NO_LINUX_CREDS "SO_PEERCRED with struct ucred and SCM_CREDENTIALS are Linux interfaces, absent here"
#define OVERFLOW_ID 65534       /* Linux overflowuid/overflowgid default */
#define NOBODY UDS_NOBODY

#ifdef HAVE_LINUX_CREDS
/* What one recvmsg() returned: data, flags and the parsed control messages. */
struct crecv {
	ssize_t n;
	char data[64];
	int flags;
	int ncred;              /* SCM_CREDENTIALS messages */
	size_t credlen;         /* data bytes of the first one */
	struct ucred uc;        /* its leading bytes (0xa5 where absent) */
	int nfds;
	int fds[8];
	int first_type;         /* cmsg_type of the first control message, -1 none */
};

#define CRED_SPACE CMSG_SPACE(sizeof(struct ucred))

/* SO_PEERCRED of fd, asserting its length; uc must be pid, uid and gid. */
struct ucred peercred(int fd);
void require_ucred(struct ucred uc, pid_t pid, uid_t uid, gid_t gid, const char *what);
/* This process's own credentials, as SCM_CREDENTIALS names them. */
struct ucred own_ucred(void);
void set_passcred(int fd, int on);
/* sendmsg() of data with one SCM_CREDENTIALS of credlen bytes (and nfds descriptors). */
ssize_t send_cred_msg(int fd, const char *data, const struct ucred *uc, size_t credlen,
    const int *fds, int nfds);
ssize_t send_ucred(int fd, struct ucred uc);
/* One recvmsg() of up to len bytes with ctl_space control bytes, after waiting. */
void recv_cred(int fd, size_t len, size_t ctl_space, struct crecv *r);
/* r holds exactly one SCM_CREDENTIALS message, carrying uc. */
void require_one_cred(const struct crecv *r, struct ucred uc, const char *what);
/* One message that must carry exactly the credentials uc, or no credentials and want. */
void recv_expect_cred(int fd, struct ucred uc, const char *what);
void recv_expect_no_cred(int fd, const char *want);
#endif /* HAVE_LINUX_CREDS */

#endif /* CREDS_H */
