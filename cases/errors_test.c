/*
 * errors_test - the errors unix(7) lists (catalogue area O), each produced
 * by one scenario: EADDRINUSE, ECONNREFUSED, ENOENT, EPROTOTYPE, EINVAL,
 * EISCONN, ENOTCONN, EOPNOTSUPP, EPIPE, ESOCKTNOSUPPORT, ETOOMANYREFS, ...
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
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Connection refused, missing and mismatched targets                  */
/* ------------------------------------------------------------------ */

UDS_CASE(connect_to_bound_not_listening_refused, "O-03",
    UDS_CONNECTION_TYPES | UDS_UNBOUND | UDS_BOTH_MODES)
{
	struct uds_addr name;

	uds_addr_fresh_path(&name);
	uds_bind(p->b, &name);
	UDS_FAILS_WITH(ECONNREFUSED, uds_try_connect(p->a, &name));
	uds_require_unconnected(p->a);
	uds_listen(p->b, 1);
	uds_require_reaches(p->kind->type, &name, p->b);
}

UDS_CASE(connect_to_missing_path_enoent, "O-08",
    UDS_CONNECTION_TYPES | UDS_UNBOUND | UDS_BOTH_MODES)
{
	struct uds_addr nobody;

	uds_addr_path(&nobody, "no-such-socket");
	UDS_FAILS_WITH(ENOENT, uds_try_connect(p->a, &nobody));
	uds_require_no_node("no-such-socket");
	uds_require_unconnected(p->a);
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
		uds_serve_fresh(l, types[i], &name);
		UDS_EXPECT_RESULT("connect.type_mismatch", uds_try_connect(p->a, &name));
		UDS_EXPECT_RESULT("connect.type_mismatch",
		    sendto(p->a, "x", 1, 0, UDS_CSA(&name), name.len));
		uds_require_nothing_queued(l);
		close(l);
	}
	uds_require_unconnected(p->a);
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
	UDS_FAILS_WITH(EADDRINUSE, bind(second, UDS_CSA(&name), name.len));
	uds_name_of(second, &got);
	UDS_REQUIRE(!uds_same_name(&got, &name), "the failed bind() still named the socket %s",
	    uds_addr_str(&got.sun, got.len));
	uds_require_reaches(type, &name, holder);
}

/* ------------------------------------------------------------------ */
/* Invalid arguments and states                                        */
/* ------------------------------------------------------------------ */

UDS_CASE(bind_wrong_family, "O-06", UDS_ALL_TYPES | UDS_UNBOUND)
{
	struct uds_addr name;

	uds_addr_path(&name, "wrong-family");
	name.sun.sun_family = AF_INET;
	UDS_EXPECT_RESULT("bind.wrong_family", bind(p->a, UDS_CSA(&name), name.len));
	uds_require_no_node("wrong-family");
}

UDS_CASE(connect_connected_eisconn, "O-07", UDS_CONNECTION_TYPES | UDS_CONNECTED | UDS_BOTH_MODES)
{
	struct uds_addr name;
	int l = uds_listener(p->kind, &name);

	UDS_FAILS_WITH(EISCONN, uds_try_connect(p->a, &name));
	UDS_FAILS_WITH(EISCONN, uds_try_connect(p->b, &name));
	uds_require_nothing_queued(l);
	uds_exchange(p->a, p->b);
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

/*
 * O-18: each receive call into memory the process cannot write fails with
 * EFAULT while a message is queued.  What a stream does with the byte it
 * could not copy is recorded per platform (Linux keeps it queued).
 */
UDS_CASE(recv_into_unmapped_buffer_efault, "O-18", UDS_ALL_TYPES | UDS_CONNECTED | UDS_BOTH_MODES)
{
	void *bad = uds_unmapped_page();
	struct iovec null_base = { .iov_base = NULL, .iov_len = 16 };
	struct msghdr bad_iov = { .msg_iov = bad, .msg_iovlen = 1 };
	int sends = 0;
	char c = 0;

	for (int call = 0; call < 5; call++) {
		if (!(uds_poll(p->b, POLLIN, 0) & POLLIN)) {
			uds_send_one(p->a, "x", 1);
			sends++;
		}
		switch (call) {
		case 0: UDS_FAILS_WITH(EFAULT, read(p->b, bad, 16)); break;
		case 1: UDS_FAILS_WITH(EFAULT, recv(p->b, bad, 16, 0)); break;
		case 2: UDS_FAILS_WITH(EFAULT, readv(p->b, &null_base, 1)); break;
		case 3: UDS_FAILS_WITH(EFAULT, readv(p->b, bad, 1)); break;
		case 4: UDS_FAILS_WITH(EFAULT, recvmsg(p->b, &bad_iov, 0)); break;
		}
	}
	if (p->kind->type == SOCK_STREAM)
		UDS_EXPECT_VALUE("recv.efault_stream_byte_kept", sends == 1);
	while (uds_poll(p->b, POLLIN, 0) & POLLIN)
		UDS_EQ(uds_recv_one(p->b, &c, 1, 0), 1, "bytes of a queued message");
	uds_send_one(p->a, "y", 1);
	UDS_EQ(uds_recv_one(p->b, &c, 1, 0), 1, "bytes of the good send");
	UDS_EQ(c, 'y', "the good send after the faults");
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
	uds_known_bug("scm_creds.named_pid");
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
	int file = uds_create_file("in-flight", "f"), fds[PER], sent = 0, err = 0;
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

UDS_CASE(send_unconnected_needs_destination, "O-09", UDS_DGRAM | UDS_UNBOUND | UDS_BOTH_MODES)
{
	UDS_EXPECT_RESULT("send.dgram_unconnected", send(p->a, "x", 1, 0));
}

/* ------------------------------------------------------------------ */
/* What sendmsg() accepts                                              */
/* ------------------------------------------------------------------ */

UDS_CASE(bad_descriptor_number_ebadf, "O-02", UDS_ALL_TYPES | UDS_CONNECTED | UDS_BOTH_MODES)
{
	int pipe_fds[2], both[2];

	/* A valid write end next to a closed number: neither may travel. */
	UDS_OK(pipe(pipe_fds));
	both[0] = pipe_fds[1];
	both[1] = (int)UDS_OK(dup(pipe_fds[1]));
	UDS_OK(close(both[1]));
	UDS_EXPECT_RESULT("scm_rights.bad_fd", uds_sendmsg_fds(p->a, &both[1], 1, NULL, 0, 0));
	uds_require_nothing_queued(p->b);
	UDS_EXPECT_RESULT("scm_rights.bad_fd", uds_sendmsg_fds(p->a, both, 2, NULL, 0, 0));
	uds_require_nothing_queued(p->b);
	UDS_OK(close(pipe_fds[1]));
	uds_require_pipe_released(pipe_fds[0]);
	UDS_OK(close(pipe_fds[0]));
}

UDS_CASE(peer_closed_send_epipe, "O-12", UDS_CONNECTION_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS,
    .note = "EPIPE, SIGPIPE ignored")
{
	uds_close_b(p);
	UDS_FAILS_WITH(EPIPE, send(p->a, "x", 1, 0));
	UDS_FAILS_WITH(EPIPE, write(p->a, "x", 1));
}

UDS_CASE(peer_closed_send_raises_sigpipe, "O-12",
    UDS_CONNECTION_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS, .note = "one SIGPIPE")
{
	uds_close_b(p);
	uds_require_sigpipe_raised(p, uds_send_epipe_sigpipes(p->a, 0),
	    "SIGPIPEs raised by one send() to a closed peer");
}

UDS_CASE(peer_closed_with_unread_data_reset, "O-04",
    UDS_CONNECTION_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS)
{
	char buf[16];

	uds_send_one(p->a, "unread", 6);
	uds_close_b(p);
	UDS_EXPECT_RESULT("recv.peer_closed_with_unread", UDS_AT_ONCE(recv(p->a, buf, sizeof(buf), 0)));
}
