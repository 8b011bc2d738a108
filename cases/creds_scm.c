/*
 * creds_scm - SCM_CREDENTIALS with SO_PASSCRED, part of creds_test
 * (catalogue area L): which credentials a sender may name, what the
 * receiver gets with and without SO_PASSCRED, control-buffer sizes, and
 * how stream writes with credentials merge or stay apart.
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

/* ---- SCM_CREDENTIALS and SO_PASSCRED ---- */

UDS_CASE(passcred_every_message_has_creds, "L-20", UDS_ALL_TYPES | UDS_CONNECTED)
{
#ifdef HAVE_LINUX_CREDS
	set_passcred(p->b, 1);
	uds_send_one(p->a, "1", 1);
	recv_expect_cred(p->b, own_ucred(), "first message");
	uds_send_one(p->a, "2", 1);
	recv_expect_cred(p->b, own_ucred(), "second message");
#else
	uds_skip(NO_LINUX_CREDS);
#endif
}

UDS_CASE(no_passcred_no_creds, "L-21", UDS_ALL_TYPES | UDS_CONNECTED)
{
#ifdef HAVE_LINUX_CREDS
	UDS_EQ(UDS_OK(send_ucred(p->a, own_ucred())), 1, "bytes sent with credentials");
	recv_expect_no_cred(p->b, "c");
#else
	uds_skip(NO_LINUX_CREDS);
#endif
}

UDS_CASE(own_creds_accepted, "L-22", UDS_ALL_TYPES | UDS_CONNECTED)
{
#ifdef HAVE_LINUX_CREDS
	struct ucred uc = { .pid = getpid(), .uid = getuid(), .gid = getgid() };

	set_passcred(p->b, 1);
	UDS_EQ(UDS_OK(send_ucred(p->a, uc)), 1, "bytes sent");
	recv_expect_cred(p->b, uc, "attached credentials");
#else
	uds_skip(NO_LINUX_CREDS);
#endif
}

#ifdef HAVE_LINUX_CREDS
static void
wait_eof_child(void *v)
{
	int *pipefd = v;
	char c;

	close(pipefd[1]);
	uds_wait_readable(pipefd[0]);
	UDS_EQ(UDS_OK(read(pipefd[0], &c, 1)), 0, "end of file on the pipe");
}
#endif

UDS_CASE_ROOT(privileged_names_other_pid, "L-23", UDS_ALL_TYPES | UDS_CONNECTED)
{
	uds_known_bug("scm_creds.named_pid");
#ifdef HAVE_LINUX_CREDS
	int pipefd[2];
	struct uds_child ch;
	struct ucred uc;

	uds_note("running as uid %d", (int)getuid());
	UDS_OK(pipe(pipefd));
	uds_child_start(&ch, wait_eof_child, pipefd);
	uc = (struct ucred){ .pid = ch.pid, .uid = 1234, .gid = 1234 };
	set_passcred(p->b, 1);
	UDS_EQ(UDS_OK(send_ucred(p->a, uc)), 1, "bytes sent naming the child");
	recv_expect_cred(p->b, uc, "credentials naming the child");
	close(pipefd[1]);
	uds_child_finish(&ch);
	close(pipefd[0]);
#else
	uds_skip(NO_LINUX_CREDS);
#endif
}

UDS_CASE_UNPRIV(unprivileged_ids_own_only, "L-24", UDS_ALL_TYPES | UDS_CONNECTED,
    .note = "unprivileged: own ids only")
{
#ifdef HAVE_LINUX_CREDS
	struct ucred uc = own_ucred();

	uds_require_unprivileged();
	set_passcred(p->b, 1);
	UDS_FAILS_WITH(EPERM, send_ucred(p->a, (struct ucred){ uc.pid, 0, uc.gid }));
	UDS_FAILS_WITH(EPERM, send_ucred(p->a, (struct ucred){ uc.pid, uc.uid, 0 }));
	uds_require_nothing_queued(p->b);
	UDS_EQ(UDS_OK(send_ucred(p->a, uc)), 1, "bytes sent with own ids");
	recv_expect_cred(p->b, uc, "own credentials");
#else
	uds_skip(NO_LINUX_CREDS);
#endif
}

#ifdef HAVE_LINUX_CREDS
static void
resids_child(void *v)
{
	int fd = *(int *)v;
	pid_t me = getpid();

	UDS_OK(setgroups(0, NULL));
	UDS_OK(setresgid(1001, 1002, 1003));
	UDS_OK(setresuid(2001, 2002, 2003));
	for (uid_t u = 2001; u <= 2003; u++)
		UDS_EQ(UDS_OK(send_ucred(fd, (struct ucred){ me, u, 1002 })), 1, "sent with a uid");
	for (gid_t g = 1001; g <= 1003; g++)
		UDS_EQ(UDS_OK(send_ucred(fd, (struct ucred){ me, 2002, g })), 1, "sent with a gid");
	UDS_FAILS_WITH(EPERM, send_ucred(fd, (struct ucred){ me, 2004, 1002 }));
	UDS_FAILS_WITH(EPERM, send_ucred(fd, (struct ucred){ me, 2002, 1004 }));
}
#endif

UDS_CASE_ROOT(real_effective_saved_ids_allowed, "L-24", UDS_ALL_TYPES | UDS_CONNECTED,
    .note = "real, effective and saved ids")
{
	uds_known_bug("scm_creds.named_pid");
#ifdef HAVE_LINUX_CREDS
	struct uds_child ch;

	uds_note("running as uid %d", (int)getuid());
	set_passcred(p->b, 1);
	uds_child_start(&ch, resids_child, &p->a);
	uds_child_finish(&ch);
	for (int i = 0; i < 6; i++)
		recv_expect_cred(p->b, (struct ucred){ ch.pid, i < 3 ? 2001 + i : 2002,
		    i < 3 ? 1002 : 1001 + (i - 3) }, "credentials sent by the child");
	uds_require_nothing_queued(p->b);
#else
	uds_skip(NO_LINUX_CREDS);
#endif
}

#ifdef HAVE_LINUX_CREDS
static void
exit_at_once(void *v)
{
	(void)v;
}
#endif

UDS_CASE_ROOT(privileged_names_dying_pid, "L-25", UDS_DGRAM | UDS_PAIR)
{
	uds_known_bug("scm_creds.named_pid");
#ifdef HAVE_LINUX_CREDS
	struct uds_child ch;
	struct ucred uc;
	ssize_t rc;

	uds_note("running as uid %d", (int)getuid());
	set_passcred(p->b, 1);
	for (int i = 0; i < 20; i++) {
		uds_child_start(&ch, exit_at_once, NULL);
		uc = (struct ucred){ .pid = ch.pid, .uid = 0, .gid = 0 };
		rc = send_ucred(p->a, uc);
		UDS_REQUIRE(rc == 1 || (rc == -1 && errno == ESRCH),
		    "send naming an exiting pid: %zd (%s)", rc, uds_errno_name(errno));
		if (rc == 1)
			recv_expect_cred(p->b, uc, "credentials of the exiting child");
		uds_child_finish(&ch);
		UDS_FAILS_WITH(ESRCH, send_ucred(p->a, uc));
		uds_require_nothing_queued(p->b);
	}
#else
	uds_skip(NO_LINUX_CREDS);
#endif
}

UDS_CASE(queued_before_passcred_empty_creds, "L-26", UDS_ALL_TYPES | UDS_CONNECTED)
{
#ifdef HAVE_LINUX_CREDS
	uds_send_one(p->a, "q", 1);
	uds_wait_readable(p->b);
	set_passcred(p->b, 1);
	recv_expect_cred(p->b, (struct ucred){ 0, OVERFLOW_ID, OVERFLOW_ID }, "queued earlier");
	uds_send_one(p->a, "r", 1);
	recv_expect_cred(p->b, own_ucred(), "sent after SO_PASSCRED");
#else
	uds_skip(NO_LINUX_CREDS);
#endif
}

UDS_CASE(passcred_on_sender_no_effect, "L-27", UDS_ALL_TYPES | UDS_CONNECTED)
{
#ifdef HAVE_LINUX_CREDS
	set_passcred(p->a, 1);
	uds_send_one(p->a, "s", 1);
	recv_expect_no_cred(p->b, "s");
	uds_send_one(p->a, "t", 1);
	set_passcred(p->a, 0);
	recv_expect_no_cred(p->b, "t");
#else
	uds_skip(NO_LINUX_CREDS);
#endif
}

UDS_CASE(sender_passcred_attaches_at_send, "L-54", UDS_ALL_TYPES | UDS_CONNECTED)
{
#ifdef HAVE_LINUX_CREDS
	set_passcred(p->a, 1);
	uds_send_one(p->a, "s", 1);
	uds_wait_readable(p->b);
	set_passcred(p->b, 1);
	recv_expect_cred(p->b, own_ucred(), "sent by send() before the receiver's SO_PASSCRED");
	set_passcred(p->b, 0);
	UDS_EQ(UDS_OK(write(p->a, "w", 1)), 1, "bytes written");
	uds_wait_readable(p->b);
	set_passcred(p->b, 1);
	recv_expect_cred(p->b, own_ucred(), "sent by write() before the receiver's SO_PASSCRED");
#else
	uds_skip(NO_LINUX_CREDS);
#endif
}

UDS_CASE(short_ucred_einval, "L-28", UDS_ALL_TYPES | UDS_CONNECTED)
{
#ifdef HAVE_LINUX_CREDS
	struct ucred uc = own_ucred();

	UDS_FAILS_WITH(EINVAL, send_cred_msg(p->a, "c", &uc, sizeof(uc) - 4, NULL, 0));
	uds_require_nothing_queued(p->b);
#else
	uds_skip(NO_LINUX_CREDS);
#endif
}

UDS_CASE(exact_buffer_no_ctrunc, "L-29", UDS_ALL_TYPES | UDS_CONNECTED)
{
#ifdef HAVE_LINUX_CREDS
	struct crecv r;

	set_passcred(p->b, 1);
	uds_send_one(p->a, "e", 1);
	recv_cred(p->b, 1, CRED_SPACE, &r);
	UDS_EQ(r.flags & MSG_CTRUNC, 0, "MSG_CTRUNC");
	require_one_cred(&r, own_ucred(), "credentials");
#else
	uds_skip(NO_LINUX_CREDS);
#endif
}

UDS_CASE(short_buffer_ctrunc, "L-30", UDS_ALL_TYPES | UDS_CONNECTED)
{
#ifdef HAVE_LINUX_CREDS
	struct crecv r;

	set_passcred(p->b, 1);
	uds_send_one(p->a, "1", 1);
	recv_cred(p->b, 1, 0, &r);
	UDS_EQ(r.n, 1, "bytes received without a control buffer");
	UDS_EQ(r.flags & MSG_CTRUNC, MSG_CTRUNC, "MSG_CTRUNC without a buffer");
	uds_send_one(p->a, "2", 1);
	recv_cred(p->b, 1, CMSG_LEN(sizeof(pid_t)), &r);
	UDS_EQ(r.flags & MSG_CTRUNC, MSG_CTRUNC, "MSG_CTRUNC with room for the pid");
	UDS_EQ(r.ncred, 1, "truncated SCM_CREDENTIALS messages");
	UDS_EQ(r.credlen, sizeof(pid_t), "truncated data length");
	UDS_EQ(r.uc.pid, getpid(), "the pid that fitted");
#else
	uds_skip(NO_LINUX_CREDS);
#endif
}

UDS_CASE(creds_and_fds_together, "L-31", UDS_ALL_TYPES | UDS_CONNECTED)
{
#ifdef HAVE_LINUX_CREDS
	struct ucred uc = own_ucred();
	int file = uds_temp_file("both");
	struct crecv r;

	set_passcred(p->b, 1);
	UDS_EQ(UDS_OK(send_cred_msg(p->a, "b", &uc, sizeof(uc), &file, 1)), 1, "bytes sent");
	recv_cred(p->b, 1, 256, &r);
	UDS_EQ(r.flags & MSG_CTRUNC, 0, "MSG_CTRUNC");
	require_one_cred(&r, uc, "credentials");
	UDS_EQ(r.nfds, 1, "descriptors received");
	UDS_REQUIRE(uds_same_file(r.fds[0], file), "the received descriptor is the file sent");
	close(r.fds[0]);
	close(file);
#else
	uds_skip(NO_LINUX_CREDS);
#endif
}

UDS_CASE(creds_take_space_first, "L-32", UDS_ALL_TYPES | UDS_CONNECTED)
{
#ifdef HAVE_LINUX_CREDS
	struct uds_fd_snapshot snap;
	int file = uds_temp_file("first");
	struct crecv r;

	set_passcred(p->b, 1);
	uds_fds_snapshot(&snap);
	uds_send_fds(p->a, &file, 1);
	recv_cred(p->b, 1, CMSG_SPACE(sizeof(int)), &r);
	UDS_EQ(r.flags & MSG_CTRUNC, MSG_CTRUNC, "MSG_CTRUNC");
	UDS_EQ(r.first_type, SCM_CREDENTIALS, "type of the first control message");
	UDS_EQ(r.nfds, 0, "descriptors received");
	UDS_FDS_UNCHANGED(&snap, "after the truncated receive");
	close(file);
#else
	uds_skip(NO_LINUX_CREDS);
#endif
}

UDS_CASE(stream_same_creds_merge, "L-33", UDS_STREAM | UDS_CONNECTED)
{
#ifdef HAVE_LINUX_CREDS
	struct crecv r;

	set_passcred(p->b, 1);
	uds_send_all(p->a, "a", 1);
	uds_send_all(p->a, "b", 1);
	recv_cred(p->b, 8, 256, &r);
	UDS_EQ(r.n, 2, "bytes in one read");
	require_one_cred(&r, own_ucred(), "merged read");
#else
	uds_skip(NO_LINUX_CREDS);
#endif
}

UDS_CASE(stream_different_creds_not_merged, "L-34", UDS_STREAM | UDS_CONNECTED)
{
#ifdef HAVE_LINUX_CREDS
	struct crecv r;

	uds_send_all(p->a, "a", 1);
	uds_wait_readable(p->b);
	set_passcred(p->b, 1);
	uds_send_all(p->a, "b", 1);
	recv_cred(p->b, 8, 256, &r);
	UDS_REQUIRE(r.n == 1 && r.data[0] == 'a', "first read returned %zd bytes", r.n);
	UDS_EQ(r.uc.pid, 0, "pid of the earlier write");
	recv_cred(p->b, 8, 256, &r);
	UDS_REQUIRE(r.n == 1 && r.data[0] == 'b', "second read returned %zd bytes", r.n);
	require_ucred(r.uc, getpid(), geteuid(), getegid(), "later write");
#else
	uds_skip(NO_LINUX_CREDS);
#endif
}

UDS_CASE(stream_passcred_off_coalesces, "L-35", UDS_STREAM | UDS_CONNECTED)
{
#ifdef HAVE_LINUX_CREDS
	set_passcred(p->b, 1);
	set_passcred(p->b, 0);
	uds_send_all(p->a, "a", 1);
	uds_send_all(p->a, "b", 1);
	recv_expect_no_cred(p->b, "ab");
#else
	uds_skip(NO_LINUX_CREDS);
#endif
}

UDS_CASE(stream_parts_each_carry_creds, "L-36", UDS_STREAM | UDS_CONNECTED)
{
#ifdef HAVE_LINUX_CREDS
	struct crecv r;

	set_passcred(p->b, 1);
	uds_send_all(p->a, "wxyz", 4);
	for (int i = 0; i < 2; i++) {
		recv_cred(p->b, 2, 256, &r);
		UDS_EQ(r.n, 2, "bytes in the part");
		require_one_cred(&r, own_ucred(), "part");
	}
#else
	uds_skip(NO_LINUX_CREDS);
#endif
}

UDS_CASE(listener_passcred_inherited, "L-37", UDS_CONNECTION_TYPES | UDS_NAMED)
{
	uds_known_bug("passcred.inherited");
#ifdef HAVE_LINUX_CREDS
	struct uds_addr name;
	int l = uds_listener(p->kind, &name), c = uds_socket(p->kind->type, false), s, on = -1;
	socklen_t len = sizeof(on);

	set_passcred(l, 1);
	uds_connect(c, &name);
	s = uds_accept(l);
	UDS_OK(getsockopt(s, SOL_SOCKET, SO_PASSCRED, &on, &len));
	UDS_EQ(on, 1, "SO_PASSCRED on the accepted socket");
	len = sizeof(on);
	UDS_OK(getsockopt(c, SOL_SOCKET, SO_PASSCRED, &on, &len));
	UDS_EQ(on, 0, "SO_PASSCRED on the client");
	close(s);
	close(c);
	close(l);
#else
	uds_skip(NO_LINUX_CREDS);
#endif
}

UDS_CASE(sendto_unconnected_creds, "L-38", UDS_DGRAM | UDS_UNBOUND)
{
#ifdef HAVE_LINUX_CREDS
	struct uds_addr name;

	uds_addr_fresh_path(&name);
	uds_bind(p->b, &name);
	set_passcred(p->b, 1);
	UDS_EQ(UDS_OK(sendto(p->a, "u", 1, 0, (struct sockaddr *)&name.sun, name.len)), 1,
	    "bytes sent");
	recv_expect_cred(p->b, own_ucred(), "unconnected sender");
#else
	uds_skip(NO_LINUX_CREDS);
#endif
}
