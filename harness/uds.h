/*
 * uds.h - the harness every uds-conformance case links.
 *
 * A case is one documented behaviour written once (UDS_CASE) and
 * instantiated by the harness on every socket kind it applies to, each as
 * its own ATF test case named "<behaviour>__<kind>".  Helpers assert
 * inside, in the parent and in forked children alike, so a case body reads
 * as the rule it checks.
 */
#ifndef UDS_H
#define UDS_H

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "uds_config.h"     /* HAVE_<feature>: what meson probed */

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------ */
/* Kinds: type | how made | variants                                   */
/* ------------------------------------------------------------------ */

/*
 * A case names the kinds it runs on as one mask: the types, how the pair
 * is made, and the variants.  Each part left out has its default: no
 * variant bits mean blocking and forward only.  The registry expands the
 * mask in one canonical order (type, how, mode, direction, listener), so
 * the case names are stable: peek_leaves_datagram_queued__dgram_path_nb.
 */

/* Types. */
#define UDS_STREAM      0x0001u
#define UDS_DGRAM       0x0002u
#define UDS_SEQPACKET   0x0004u
#define UDS_ALL_TYPES        (UDS_STREAM | UDS_DGRAM | UDS_SEQPACKET)
#define UDS_CONNECTION_TYPES (UDS_STREAM | UDS_SEQPACKET)   /* connection-oriented */
#define UDS_RECORD_TYPES     (UDS_DGRAM | UDS_SEQPACKET)    /* record-preserving */

/* How the pair is made. */
#define UDS_PAIR        0x0010u   /* socketpair() */
#define UDS_PATH        0x0020u   /* bound to a filesystem path and connected */
#define UDS_ABSTRACT    0x0040u   /* bound to a Linux abstract name and connected */
#define UDS_UNBOUND     0x0080u   /* two fresh sockets for the body to bind */
#define UDS_CONNECTED   (UDS_PAIR | UDS_PATH | UDS_ABSTRACT)
#define UDS_NAMED       (UDS_PATH | UDS_ABSTRACT)

/* Variants: the mode of both ends and which end is a. */
#define UDS_BLOCKING    0x0100u
#define UDS_NONBLOCK    0x0200u   /* suffix "_nb": both ends O_NONBLOCK */
#define UDS_FORWARD     0x0400u
#define UDS_REVERSED    0x0800u   /* suffix "_rev": the two ends swapped (unbound kinds have no direction) */
#define UDS_BOTH_MODES  (UDS_BLOCKING | UDS_NONBLOCK)
#define UDS_BOTH_ENDS   (UDS_FORWARD | UDS_REVERSED)
#define UDS_ALL_VARIANTS (UDS_BOTH_MODES | UDS_BOTH_ENDS)
/*
 * Adds, to the stream and seqpacket UDS_PATH/UDS_ABSTRACT kinds of the
 * mask, a variant (suffix "_lnb") whose accepted end came from an
 * O_NONBLOCK listener: accept() after waiting readable with the deadline.
 * The pair's accepted end is then given the kind's mode explicitly (as
 * Linux accept(2) tells portable programs to do) and p->accepted_fl holds
 * its file status flags as accept() returned them; p->listener stays
 * non-blocking.  Kinds without a listener get no variant.  Not part of
 * UDS_ALL_VARIANTS: only behaviours about the accepted socket's mode, or
 * that must not depend on the listener's, ask for it.
 */
#define UDS_NBLISTENER  0x1000u

/* A behaviour that needs no socket kind at all: one case, no suffix. */
#define UDS_NO_KIND     0u

enum uds_how { UDS_HOW_PAIR, UDS_HOW_PATH, UDS_HOW_ABSTRACT, UDS_HOW_UNBOUND };

struct uds_kind {
	int type;               /* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	enum uds_how how;
	bool nonblock;
	bool reversed;
	bool nblistener;        /* accepted from an O_NONBLOCK listener (UDS_NBLISTENER) */
	char name[40];          /* "dgram_path_nb_rev", "stream_abs_nb_lnb" */
};

/* A socket address with its length; len == 0 means "no name". */
struct uds_addr {
	struct sockaddr_un sun;
	socklen_t len;
};

/*
 * A pair as the kind made it.  For connected kinds a and b are the two
 * connected ends: a is the client (the connecting side) and b the server
 * side (accepted socket, or the datagram socket a connected to) -- swapped
 * when the kind is reversed.  For UDS_UNBOUND, a and b are two fresh,
 * unconnected sockets of the kind's type.
 */
struct uds_pair {
	const struct uds_kind *kind;
	int a, b;
	int listener;           /* stream/seqpacket path or abstract: the listener, else -1 */
	struct uds_addr a_name; /* the name a is bound to (len 0: unnamed) */
	struct uds_addr b_name;
	int accepted_fl;        /* F_GETFL of the accepted end as accept() gave it, else -1 */
};

/* Opens the pair the kind describes; skips the case when the platform lacks it. */
void uds_pair_open(const struct uds_kind *kind, struct uds_pair *pair);
/* Opens a second, independent pair of the same kind (e.g. several senders). */
#define uds_pair_again(p, out) uds_pair_open((p)->kind, (out))
void uds_pair_close(struct uds_pair *pair);
/* Closes the pair's end b (the peer of a), everywhere this process holds it. */
void uds_close_b(struct uds_pair *pair);
/* Sets O_NONBLOCK on fd. */
void uds_set_nonblock(int fd);
/* A fresh socket of the given type, O_NONBLOCK when asked; skips if the type is absent. */
int uds_socket(int type, bool nonblock);

/* ------------------------------------------------------------------ */
/* Addresses                                                           */
/* ------------------------------------------------------------------ */

/* A relative path in the case's work directory, unique within the process. */
void uds_addr_fresh_path(struct uds_addr *addr);
/* A path address exactly as given (asserts it fits sun_path with its NUL). */
void uds_addr_path(struct uds_addr *addr, const char *path);
/* An abstract name unique per process and call: "\0uds-<pid>-<n>". */
void uds_addr_fresh_abstract(struct uds_addr *addr);
/* A fresh name of the kind's flavour: path for UDS_PATH/UNBOUND/PAIR, abstract for UDS_ABSTRACT. */
void uds_addr_fresh_for(const struct uds_kind *kind, struct uds_addr *addr);
/* Skips the case unless this kernel has the abstract namespace (probed once). */
void uds_require_abstract(void);
bool uds_have_abstract(void);
bool uds_have_seqpacket(void);

/* bind()/listen()/connect() that assert success. */
void uds_bind(int fd, const struct uds_addr *addr);
void uds_listen(int fd, int backlog);
void uds_connect(int fd, const struct uds_addr *addr);
/* A listening socket of the type bound to a fresh name of the kind's flavour. */
int uds_listener(const struct uds_kind *kind, struct uds_addr *name);
/* Accepts one pending connection within the deadline. */
int uds_accept(int listener);
/* getsockname()/getpeername() into out, asserting success. */
void uds_name_of(int fd, struct uds_addr *out);
void uds_peer_of(int fd, struct uds_addr *out);
/* got names the socket want names: a path up to its NUL, an abstract name byte for byte. */
bool uds_same_name(const struct uds_addr *got, const struct uds_addr *want);
#define UDS_REQUIRE_SAME_NAME(got, want, what) \
	UDS_REQUIRE(uds_same_name((got), (want)), "%s is %s, expected %s", (what), \
	    uds_addr_str(&(got)->sun, (got)->len), uds_addr_str(&(want)->sun, (want)->len))
/* Binds fd to name and, unless it is a datagram socket, listens: a server at name. */
void uds_serve(int fd, int type, const struct uds_addr *name);
/* uds_serve() on a fresh path, returned in name. */
void uds_serve_fresh(int fd, int type, struct uds_addr *name);
/* connect() (stream, seqpacket) or a 1-byte sendto() (datagram) of fd to name: 0, or -1 and errno. */
int uds_try_reach(int fd, int type, const struct uds_addr *name);
/* A new socket of the type reaches the server at name: connected and accepted, or a datagram received. */
void uds_require_reaches(int type, const struct uds_addr *name, int server);
/* connect() to name, not asserting: its result, with errno. */
int uds_try_connect(int fd, const struct uds_addr *name);
/* getpeername() on fd fails with ENOTCONN. */
void uds_require_unconnected(int fd);
/* A byte each way between two connected ends. */
void uds_exchange(int x, int y);
/* SOCK_STREAM and SOCK_SEQPACKET: the connection-oriented types. */
bool uds_is_connection_type(int type);

/* The struct sockaddr pointer of a struct uds_addr, for the socket calls. */
#define UDS_SA(a)  ((struct sockaddr *)&(a)->sun)
#define UDS_CSA(a) ((const struct sockaddr *)&(a)->sun)
/* sizeof(sun_path) and its offset in struct sockaddr_un. */
#define UDS_SUN_PATH_SIZE sizeof(((struct sockaddr_un *)0)->sun_path)
#define UDS_OFF_PATH      offsetof(struct sockaddr_un, sun_path)
/* A sockaddr_un with room past its end, for addrlen > sizeof(struct sockaddr_un). */
struct uds_long_sun {
	struct sockaddr_un sun;
	char past[16];
};
/* Printable form of an address for messages ("path \"s.3\"", "abstract \"\\0uds-..\"", "unnamed"). */
const char *uds_addr_str(const struct sockaddr_un *sun, socklen_t len);

/* ------------------------------------------------------------------ */
/* Checks: they fail the case (or the child) with expected and actual */
/* ------------------------------------------------------------------ */

void uds_fail_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));
void uds_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Notes the uid and fails when running as root (permission checks would pass vacuously). */
void uds_require_unprivileged(void);
/* Notes the uid and fails unless running as root (the privileged counterparts). */
void uds_require_root(void);
/* The node at path exists and has the file type (S_IFSOCK, S_IFREG, ...); or does not exist. */
void uds_require_node(const char *path, mode_t type);
void uds_require_no_node(const char *path);
/* Creates path (which must not exist) holding contents; returns it opened read-write. */
int uds_create_file(const char *path, const char *contents);
/* The uid and gid of "nobody" on Linux and the BSDs (65534). */
#define UDS_NOBODY 65534
/* This process gives up root for good: no supplementary groups, then gid and uid UDS_NOBODY. */
void uds_become_nobody(void);
/* A number from a /proc/sys file; -1 when it cannot be read. */
long uds_sysctl_long(const char *path);
/* Raises the soft RLIMIT_NOFILE to at least n, or skips when the hard limit is lower. */
void uds_require_nofile(long n);
/* An address where nothing is mapped (for EFAULT checks). */
void *uds_unmapped_page(void);
/*
 * In-flight descriptors: nudges the garbage collector (a socket sent over its
 * own pair and dropped), and requires that a pipe's write end is released
 * everywhere, in flight included: its read end reaches end of file within
 * the deadline.
 */
void uds_gc_nudge(void);
void uds_require_pipe_released(int pipe_r);
/*
 * Skips unless AF_UNIX stream sockets take MSG_OOB (probed: CONFIG_AF_UNIX_OOB
 * on Linux): a byte sent urgent must come back from the peer's recv(MSG_OOB).
 */
void uds_require_oob(void);
/* Skips unless getsockopt() knows the option (probed on fd; what names it in the reason). */
void uds_require_sockopt(int fd, int level, int name, const char *what);
/*
 * SO_PASSRIGHTS (Linux 6.16, commit 77cbe1a6d873): its asm-generic value where the
 * C library's headers are older.  uds_passrights_off() sets it to 0 on fd, so that
 * fd refuses SCM_RIGHTS; skips with the kernel's answer where the option is unknown
 * (Linux before 6.16) and where the platform has no such option.
 */
#if defined(HAVE_ASM_GENERIC_SOCKOPTS) && !defined(SO_PASSRIGHTS)
#define SO_PASSRIGHTS 83
#endif
void uds_passrights_off(int fd);
/* Notes a line in the case's output (stdout), e.g. the uid it ran as. */
void uds_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define UDS_REQUIRE(cond, ...) \
	do { if (!(cond)) uds_fail_at(__FILE__, __LINE__, __VA_ARGS__); } while (0)

/* The call must succeed (not return -1); returns its value. */
#define UDS_OK(expr) uds_ok_at(__FILE__, __LINE__, #expr, (long)(expr))
long uds_ok_at(const char *file, int line, const char *what, long rc);

/* The call must fail with exactly this errno. */
#define UDS_FAILS_WITH(err, expr) \
	uds_fails_with_at(__FILE__, __LINE__, #expr, (err), (long)(expr))
void uds_fails_with_at(const char *file, int line, const char *what, int err, long rc);

/* Two integers must be equal. */
#define UDS_EQ(actual, expected, what) \
	uds_eq_at(__FILE__, __LINE__, (what), (long long)(actual), (long long)(expected))
void uds_eq_at(const char *file, int line, const char *what, long long actual,
    long long expected);

/* The symbolic name of an errno value ("ECONNREFUSED"), or "E?<n>". */
const char *uds_errno_name(int err);
/* A call's result for messages: the count, or "-1 (EAGAIN)" with err's name. */
const char *uds_result_str(long rc, int err);

/* An int socket option, asserting the call succeeds with an int-sized result. */
#define UDS_SOCKOPT_INT(fd, level, name) \
	uds_sockopt_int_at(__FILE__, __LINE__, (fd), (level), (name), #name)
int uds_sockopt_int_at(const char *file, int line, int fd, int level, int name, const char *what);

/* ------------------------------------------------------------------ */
/* Deadlines: nothing waits without a bound                            */
/* ------------------------------------------------------------------ */

/*
 * How long something that must happen may take: 5000 ms, or the value of
 * the environment variable UDS_DEADLINE_MS (200 to 60000), which the
 * sensitivity check lowers so that bent behaviour fails sooner.
 */
#define UDS_DEADLINE_MS (uds_deadline_ms())
int uds_deadline_ms(void);
#define UDS_BLOCK_MS    25      /* how long a call must stay blocked to "block" */

/* poll() for events within ms; returns revents (0 on timeout). */
short uds_poll(int fd, short events, int ms);
/* Fails unless fd becomes readable (or writable) within UDS_DEADLINE_MS. */
void uds_wait_readable(int fd);
void uds_wait_writable(int fd);
/* Fails if fd is readable now (nothing may be queued). */
void uds_require_nothing_queued(int fd);

/*
 * "This call must block": arms an interval timer, runs the call, and
 * requires that it was interrupted (-1/EINTR) rather than returning.  The
 * timer repeats every UDS_BLOCK_MS until disarmed, so a first tick that
 * lands before the call has started (a preempted process) cannot leave a
 * correctly blocking call asleep.
 */
#define UDS_BLOCKS(expr) \
	do { uds_block_arm(); long uds_rc_ = (long)(expr); \
	     uds_block_check_at(__FILE__, __LINE__, #expr, uds_rc_); } while (0)
void uds_block_arm(void);
void uds_block_check_at(const char *file, int line, const char *what, long rc);

/*
 * The opposite guards: the call must return without blocking (within
 * UDS_BLOCK_MS), or within the deadline; its result and errno pass through.
 */
#define UDS_AT_ONCE(expr) \
	(uds_timer_arm(UDS_BLOCK_MS), \
	 uds_timer_check_at(__FILE__, __LINE__, #expr, (long)(expr), UDS_BLOCK_MS))
#define UDS_WITHIN_DEADLINE(expr) \
	(uds_timer_arm(UDS_DEADLINE_MS), \
	 uds_timer_check_at(__FILE__, __LINE__, #expr, (long)(expr), UDS_DEADLINE_MS))
void uds_timer_arm(int ms);
/* Milliseconds since start, a CLOCK_MONOTONIC time (for bounded loops and timed checks). */
struct timespec;
long uds_ms_since(const struct timespec *start);
long uds_timer_check_at(const char *file, int line, const char *what, long rc, int ms);

/* The call must fail with EAGAIN or EWOULDBLOCK (POSIX allows either). */
#define UDS_WOULD_BLOCK(expr) uds_would_block_at(__FILE__, __LINE__, #expr, (long)(expr))
void uds_would_block_at(const char *file, int line, const char *what, long rc);

/* Send/receive exactly len bytes, waiting through poll with the deadline. */
void uds_send_all(int fd, const void *buf, size_t len);
void uds_recv_all(int fd, void *buf, size_t len);
/* Fills fd's way to its peer with MSG_DONTWAIT sends of chunk bytes until EAGAIN; returns bytes queued. */
long uds_fill(int fd, size_t chunk);
/* Receives exactly bytes bytes (what uds_fill() queued on a stream), no more. */
void uds_drain(int fd, long bytes);
/* One send() that must transfer the whole buffer at once (records). */
void uds_send_one(int fd, const void *buf, size_t len);
/* One recv() after waiting for readability; returns the byte count. */
ssize_t uds_recv_one(int fd, void *buf, size_t len, int flags);
/* recvmsg() after waiting; reports msg_flags. */
ssize_t uds_recvmsg_flags(int fd, void *buf, size_t len, int flags, int *msg_flags);
/* One uds_recv_one() of up to len (<= 4096) bytes that must return exactly the bytes of want. */
void uds_recv_expect(int fd, size_t len, int flags, const char *want, const char *what);

/* A numbered record (datagram, seqpacket) whose fill carries a checksum. */
struct uds_record {
	uint32_t sender;
	uint32_t seq;
	uint32_t len;           /* bytes of fill */
	uint32_t sum;           /* checksum of the fill */
	unsigned char fill[1000];
};
#define UDS_RECORD_HEAD offsetof(struct uds_record, fill)
/* Fills r as record seq of sender, with fewer than max_fill bytes of fill; returns its size. */
size_t uds_record_make(struct uds_record *r, uint32_t sender, uint32_t seq, size_t max_fill);
/* Requires that n received bytes are one whole, intact record; what names it ("datagram"). */
void uds_record_check(const struct uds_record *r, ssize_t n, const char *what);

/* ------------------------------------------------------------------ */
/* SIGPIPE                                                             */
/* ------------------------------------------------------------------ */

/* Counts SIGPIPEs until uds_sigpipe_count_stop(), which puts the old disposition back. */
void uds_sigpipe_count_start(void);
int uds_sigpipe_count_stop(void);
/* One send() of "x" with flags, counting SIGPIPEs: it must fail with EPIPE; returns the count. */
int uds_send_epipe_sigpipes(int fd, int flags);
/*
 * The SIGPIPEs a failed send to a closed peer raised: one on a stream
 * (POSIX send()), on seqpacket what the table records
 * (send.seqpacket_peer_closed_sigpipe).
 */
void uds_require_sigpipe_raised(const struct uds_pair *p, int raised, const char *what);

/* ------------------------------------------------------------------ */
/* Child processes                                                     */
/* ------------------------------------------------------------------ */

struct uds_child {
	pid_t pid;
	int report_fd;          /* read end: the child's failure message */
};

/*
 * Forks a child that runs fn(arg) and exits 0.  Inside the child the
 * harness checks report to the parent instead of failing the case.
 * Every child is reaped (or killed at the deadline) before the case ends.
 */
void uds_child_start(struct uds_child *child, void (*fn)(void *), void *arg);
/* Waits up to the deadline; the child's failure becomes the case's failure. */
void uds_child_finish(struct uds_child *child);
/* Waits up to the deadline and returns the raw wait status (for signal checks). */
int uds_child_wait(struct uds_child *child);

/* ------------------------------------------------------------------ */
/* A second thread: one descriptor table                               */
/* ------------------------------------------------------------------ */

/*
 * Runs fn(arg) in a second thread of the case process, with every signal
 * blocked (deadline timers and the watchdog stay with the main thread, so
 * the thread's own calls may not use UDS_BLOCKS, UDS_AT_ONCE or
 * UDS_WITHIN_DEADLINE: the main thread's wait is its deadline).  Checks
 * inside fn record their failure and end the thread; uds_thread_finish()
 * reports it as the case's.  Every thread is finished before the case ends.
 */
struct uds_thread {
	pthread_t handle;
	long (*fn)(void *);
	void *arg;
	int done[2];            /* pipe: the thread writes a byte as it ends */
	atomic_long tid;        /* the kernel's thread id where /proc shows tasks, else 0 */
	atomic_int entering;    /* set by uds_thread_about_to_block() */
	long rc;                /* fn's result, and errno as it returned */
	int err;
	char tag;               /* 'F' failed, 'S' skipped, 0 ran to its end */
	char msg[2400];
};
void uds_thread_start(struct uds_thread *t, long (*fn)(void *), void *arg);
/* Called by fn just before the call that should block. */
void uds_thread_about_to_block(void);
/*
 * Waits (bounded by the deadline) until the thread, past
 * uds_thread_about_to_block(), is asleep in a system call: on Linux and
 * gVisor as /proc/self/task/<tid>/stat ('S') and .../syscall show it.
 * Where no /proc shows threads (the BSDs, macOS, illumos, -Dlinux_features=false)
 * it waits UDS_BLOCK_MS after the announcement instead, and notes so.  A
 * call that returns first fails the case; what names the call.
 */
#define uds_thread_wait_blocked(t, what) uds_thread_wait_blocked_at(__FILE__, __LINE__, (t), (what))
void uds_thread_wait_blocked_at(const char *file, int line, struct uds_thread *t, const char *what);
/*
 * Waits up to the deadline for the thread to end and returns fn's result
 * with errno as fn left it; the thread's failure or skip becomes the
 * case's, and a thread still running at the deadline fails it.
 */
long uds_thread_finish(struct uds_thread *t);

/* ------------------------------------------------------------------ */
/* Descriptor passing and credentials                                  */
/* ------------------------------------------------------------------ */

#define UDS_MAX_PASS 512

struct uds_msg {
	ssize_t bytes;          /* data bytes received */
	int flags;              /* msg_flags */
	int nfds;               /* descriptors received in SCM_RIGHTS */
	int fds[UDS_MAX_PASS];
	size_t controllen;      /* msg_controllen after the call */
};

/* sendmsg() of len data bytes (at least one is sent if len == 0 && buf == NULL) with nfds descriptors; returns sendmsg's result. */
ssize_t uds_sendmsg_fds(int sock, const int *fds, int nfds, const void *buf, size_t len, int flags);
/* Same, asserting success. */
void uds_send_fds(int sock, const int *fds, int nfds);
/*
 * sendmsg() as the system call itself where meson found syscall(SYS_sendmsg)
 * (HAVE_SYS_SENDMSG), else the C library's sendmsg(); the first call notes
 * which.  For cases about the kernel's rule on control data, which a C
 * library wrapper may copy or limit first (musl 1.2.3 copies it into a
 * 1024-byte buffer: ENOMEM beyond, SIGSEGV for an unmapped msg_control).
 * No wrapper zeroes padding: zero msg and the control buffer (memset) first.
 */
ssize_t uds_sys_sendmsg(int sock, const struct msghdr *msg, int flags);
/* uds_sendmsg_fds() through uds_sys_sendmsg(). */
ssize_t uds_sys_sendmsg_fds(int sock, const int *fds, int nfds, const void *buf, size_t len,
    int flags);
/*
 * recvmsg() with exactly ctl_space bytes of control buffer (after waiting
 * for readability); fills msg; returns recvmsg's result (-1 with errno).
 */
ssize_t uds_recvmsg_ctl(int sock, void *buf, size_t len, size_t ctl_space, int flags,
    struct uds_msg *msg);
/* Receives one message with room for maxfds descriptors, asserting success. */
void uds_recv_fds(int sock, int maxfds, int flags, struct uds_msg *msg);
/*
 * One recvmsg() into buf with room for maxfds descriptors (CMSG_SPACE),
 * after waiting; asserts success and that no descriptor appears beyond
 * those the control data names.  Returns the data bytes.
 */
ssize_t uds_recv_fds_only(int sock, void *buf, size_t len, int maxfds, int flags,
    struct uds_msg *m);
/*
 * Fails unless the descriptors opened since the snapshot before are exactly
 * those the control data of m names, and none was closed.
 */
struct uds_fd_snapshot;
void uds_require_only_named(const struct uds_fd_snapshot *before, const struct uds_msg *m);
/*
 * io_uring (Linux): IORING_OP_SENDMSG and IORING_OP_RECVMSG on this
 * process's ring, each submitted alone and its completion awaited with the
 * deadline; they return the completion's result as the system calls do
 * (-1 with errno for a negative one).  uds_require_ioring() skips the case
 * where io_uring_setup() fails (absent, disabled, sandboxed) or was not
 * found at build time; the others call it first.  The _async form sets
 * IOSQE_ASYNC: the kernel runs the operation from its worker threads.
 */
void uds_require_ioring(void);
ssize_t uds_ioring_sendmsg(int sock, const struct msghdr *msg, int flags);
ssize_t uds_ioring_sendmsg_async(int sock, const struct msghdr *msg, int flags);
ssize_t uds_ioring_recvmsg(int sock, struct msghdr *msg, int flags);
/* uds_sendmsg_fds() and uds_recvmsg_ctl() through the io_uring operations. */
ssize_t uds_ioring_sendmsg_fds(int sock, const int *fds, int nfds, const void *buf, size_t len,
    int flags);
ssize_t uds_ioring_recvmsg_ctl(int sock, void *buf, size_t len, size_t ctl_space, int flags,
    struct uds_msg *msg);
/* Closes every descriptor m received. */
void uds_close_received(struct uds_msg *m);
/*
 * Control space for exactly n descriptors.  CMSG_LEN, not CMSG_SPACE:
 * on LP64 CMSG_SPACE(sizeof(int)) is padded to room for two, and a
 * truncation case must offer exactly the room it names.
 */
#define UDS_ROOM_FOR_FDS(n) CMSG_LEN((size_t)(n) * sizeof(int))
/* True when both descriptors refer to the same file (st_dev and st_ino). */
bool uds_same_file(int fd1, int fd2);
/* A regular file in the work directory holding the given text, opened read-write. */
int uds_temp_file(const char *contents);

struct uds_ids {
	uid_t uid;
	gid_t gid;
	pid_t pid;              /* -1 where the platform does not report it */
};
/* The peer's credentials as the platform reports them (SO_PEERCRED, getpeereid, ...); skips where none. */
void uds_peer_ids(int fd, struct uds_ids *ids);

/* ------------------------------------------------------------------ */
/* Descriptor leak check                                               */
/* ------------------------------------------------------------------ */

#define UDS_FD_SCAN 1024
struct uds_fd_snapshot {
	unsigned char open[UDS_FD_SCAN];
};
void uds_fds_snapshot(struct uds_fd_snapshot *snap);
/* Fails naming every descriptor opened or closed since the snapshot. */
#define UDS_FDS_UNCHANGED(snap, what) uds_fds_unchanged_at(__FILE__, __LINE__, (snap), (what))
void uds_fds_unchanged_at(const char *file, int line, const struct uds_fd_snapshot *snap,
    const char *what);
int uds_fds_count(void);

/* ------------------------------------------------------------------ */
/* Platform expectations: harness/expect/<area>.rows                   */
/* ------------------------------------------------------------------ */

/*
 * Where platforms document different results, a case asks the table by
 * the row's key instead of asserting one platform's value.  Unknown or
 * unverified values are observed and skipped, an absent interface skips,
 * and a known deviation makes the case an expected failure.
 */

/* A call's result as the table records it: success, an errno, or "blocks". */
#define UDS_SUCCEEDS 0

/*
 * The call's result must be what the table says for key on this platform:
 * success, -1 with the documented errno, or -- where the table says
 * "blocks" -- that it blocks (as UDS_BLOCKS).  A call that should return
 * but blocks fails after the deadline instead of hanging.
 */
#define UDS_EXPECT_RESULT(key, expr) \
	(uds_expect_arm(key), \
	 uds_expect_result_at(__FILE__, __LINE__, (key), #expr, (long)(expr)))
void uds_expect_arm(const char *key);
void uds_expect_result_at(const char *file, int line, const char *key, const char *what,
    long rc);

/* As UDS_EXPECT_RESULT for a receive already made; success must be 0 (end of file). */
void uds_expect_eof(const char *key, long rc);

/* An observed number (size, count, 1/0) must be what the table says for key. */
#define UDS_EXPECT_VALUE(key, observed) \
	uds_expect_value_at(__FILE__, __LINE__, (key), (long)(observed))
void uds_expect_value_at(const char *file, int line, const char *key, long observed);

/*
 * The value the table documents for key on this platform; skips the case
 * when the value is unknown or the interface is absent, and marks the case
 * an expected failure for a known deviation.
 */
long uds_expected_value(const char *key);
/* Skips where the table says the behaviour does not hold here (value 0), with the source. */
void uds_require_holds(const char *key);

/*
 * The case's rule has known deviations, recorded in the table's row key
 * (a UDS_RULE row): on a platform and version whose cell names a bug --
 * gVisor, or a Linux before the release that fixed it -- for this case's
 * kind, a failing check is an expected failure citing the row's source.
 * A Linux fix may have been backported to a stable release, and gVisor's
 * version may be unknown inside the sandbox: there a passing case still
 * passes; where the version is known and no backport is possible, the case
 * is expected to fail, and a pass is reported as a failure (the bug was
 * fixed: the row needs updating).  One line at the start of the case.
 */
void uds_known_bug(const char *key);

/* ------------------------------------------------------------------ */
/* Declaring a behaviour                                               */
/* ------------------------------------------------------------------ */

/*
 * UDS_CASE(name, id, kinds) { body using p }
 *
 * id is the behaviour's row in cases/catalogue.tsv, which gives the case
 * its description and its sources (ATF descr and X-spec): a case never
 * repeats them.  p is the pair the kind made (NULL for UDS_NO_KIND).
 * After the kinds, designated initializers of struct uds_behaviour may
 * follow: .note = "what this case checks of the behaviour" where a
 * behaviour has several cases, .timeout = seconds (default 20).
 */
struct uds_pair;
struct uds_behaviour {
	const char *name;       /* peek_leaves_datagram_queued */
	const char *id;         /* catalogue id, F-03 */
	unsigned kinds;         /* UDS_* kind mask, or UDS_NO_KIND */
	const char *note;       /* NULL, or which part of the behaviour this case checks */
	const char *user;       /* NULL, "root" or "unprivileged" */
	int timeout;            /* seconds; 0 = UDS_DEFAULT_TIMEOUT */
	void (*body)(struct uds_pair *p);
	struct uds_behaviour *next;
};
/* Called by UDS_CASE's constructor: not for case bodies. */
void uds_register(struct uds_behaviour *b);

#define UDS_CASE_AS(nm, cid, knd, usr, ...) \
	static void nm##_body(struct uds_pair *p); \
	static struct uds_behaviour nm##_behaviour = { \
		.name = #nm, .id = (cid), .kinds = (knd), .user = (usr), \
		.body = nm##_body, __VA_ARGS__ }; \
	__attribute__((constructor)) static void nm##_register(void) \
	{ uds_register(&nm##_behaviour); } \
	static void nm##_body(struct uds_pair *p __attribute__((unused)))

#define UDS_CASE(nm, cid, knd, ...) UDS_CASE_AS(nm, cid, knd, NULL, __VA_ARGS__)
/* A case that must run as an unprivileged user (kyua's unprivileged_user). */
#define UDS_CASE_UNPRIV(nm, cid, knd, ...) UDS_CASE_AS(nm, cid, knd, "unprivileged", __VA_ARGS__)
/* A case that must run as root. */
#define UDS_CASE_ROOT(nm, cid, knd, ...) UDS_CASE_AS(nm, cid, knd, "root", __VA_ARGS__)

#endif /* UDS_H */
