/*
 * ioring.c - the smallest io_uring client the cases need: one ring per
 * process, one IORING_OP_SENDMSG or IORING_OP_RECVMSG at a time, its
 * completion awaited with poll() on the ring descriptor and the deadline.
 * Raw system calls and the <linux/io_uring.h> layout (io_uring_setup(2),
 * io_uring_enter(2)); no liburing.
 */
#include "uds_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#if defined(HAVE_LINUX_IO_URING_H) && defined(HAVE_NR_IO_URING_SETUP)
#include <linux/io_uring.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/syscall.h>

static struct ring {
	pid_t pid;              /* the process that set it up (a forked child makes its own) */
	int fd;
	char absent[200];       /* why the ring cannot be used here; "" when it can */
	unsigned *sq_tail, *sq_mask, *sq_array;
	unsigned *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
} ring = { .fd = -1 };

static void *
map_ring(size_t len, off_t off, const char *what)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring.fd, off);

	UDS_REQUIRE(p != MAP_FAILED, "mmap() of the io_uring %s: %s", what, uds_errno_name(errno));
	return p;
}

/* Queues one operation and enters it; -1 with errno if io_uring_enter() refuses. */
static int
ring_submit(unsigned char op, int sock, const struct msghdr *msg, int flags,
    unsigned char sqe_flags)
{
	unsigned tail = *ring.sq_tail, idx = tail & *ring.sq_mask;
	struct io_uring_sqe *sqe = &ring.sqes[idx];
	long rc;

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = op;
	sqe->flags = sqe_flags;
	sqe->fd = sock;
	sqe->addr = (unsigned long)msg;
	sqe->len = 1;
	sqe->msg_flags = (unsigned)flags;
	sqe->user_data = tail;
	ring.sq_array[idx] = idx;
	__atomic_store_n(ring.sq_tail, tail + 1, __ATOMIC_RELEASE);
	rc = syscall(__NR_io_uring_enter, ring.fd, 1, 0, 0, NULL, 0);
	if (rc == -1)
		return -1;
	UDS_EQ(rc, 1, "entries io_uring_enter() submitted");
	return 0;
}

/*
 * Waits up to ms for the one operation in flight; its result in *res.  The
 * deadline is checked on every turn: a ring descriptor whose poll() always
 * reports readable must not make this spin forever.
 */
static bool
ring_complete(int ms, long *res)
{
	struct timespec deadline;
	unsigned head = *ring.cq_head;

	uds_deadline(&deadline, ms);
	while (__atomic_load_n(ring.cq_tail, __ATOMIC_ACQUIRE) == head) {
		struct pollfd pfd = { .fd = ring.fd, .events = POLLIN };
		int left = uds_ms_left(&deadline);

		if (left == 0)
			return false;
		UDS_REQUIRE(poll(&pfd, 1, left) != -1 || errno == EINTR, "poll() on the io_uring: %s",
		    uds_errno_name(errno));
	}
	*res = ring.cqes[head & *ring.cq_mask].res;
	__atomic_store_n(ring.cq_head, head + 1, __ATOMIC_RELEASE);
	return true;
}

/*
 * Whether this ring carries op: on descriptor -1 it must complete with
 * -EBADF as Linux's does (an opcode the kernel lacks gives -EINVAL).
 * Linux completes that failure inside io_uring_enter(); the short wait is
 * for implementations that do not.
 */
static void
probe_op(unsigned char op, const char *name)
{
	struct msghdr none;
	long res = 0;

	memset(&none, 0, sizeof(none));
	if (ring.absent[0] != '\0')
		return;
	if (ring_submit(op, -1, &none, 0, 0) == -1)
		snprintf(ring.absent, sizeof(ring.absent), "io_uring_enter() failed with %s",
		    uds_errno_name(errno));
	else if (!ring_complete(UDS_DEVIATION_DEADLINE_MS, &res))
		snprintf(ring.absent, sizeof(ring.absent), "%s on descriptor -1 did not complete "
		    "within %d ms", name, UDS_DEVIATION_DEADLINE_MS);
	else if (res != -EBADF)
		snprintf(ring.absent, sizeof(ring.absent), "%s on descriptor -1 completed with %s, "
		    "not EBADF: the operation is not implemented", name,
		    res < 0 ? uds_errno_name((int)-res) : "success");
}

/* Sets up this process's ring once; false (the reason in ring.absent) if it cannot be used. */
static bool
ring_ready(void)
{
	struct io_uring_params prm;
	char *sq, *cq;

	if (ring.pid == getpid())
		return ring.absent[0] == '\0';
	memset(&ring, 0, sizeof(ring));
	memset(&prm, 0, sizeof(prm));
	ring.pid = getpid();
	ring.fd = (int)syscall(__NR_io_uring_setup, 4, &prm);
	if (ring.fd == -1) {
		snprintf(ring.absent, sizeof(ring.absent), "io_uring_setup() failed with %s",
		    uds_errno_name(errno));
		return false;
	}
	sq = map_ring(prm.sq_off.array + prm.sq_entries * sizeof(unsigned), IORING_OFF_SQ_RING,
	    "submission ring");
	cq = map_ring(prm.cq_off.cqes + prm.cq_entries * sizeof(struct io_uring_cqe),
	    IORING_OFF_CQ_RING, "completion ring");
	ring.sqes = map_ring(prm.sq_entries * sizeof(struct io_uring_sqe), IORING_OFF_SQES,
	    "submission entries");
	ring.sq_tail = (unsigned *)(sq + prm.sq_off.tail);
	ring.sq_mask = (unsigned *)(sq + prm.sq_off.ring_mask);
	ring.sq_array = (unsigned *)(sq + prm.sq_off.array);
	ring.cq_head = (unsigned *)(cq + prm.cq_off.head);
	ring.cq_tail = (unsigned *)(cq + prm.cq_off.tail);
	ring.cq_mask = (unsigned *)(cq + prm.cq_off.ring_mask);
	ring.cqes = (struct io_uring_cqe *)(cq + prm.cq_off.cqes);
	probe_op(IORING_OP_SENDMSG, "IORING_OP_SENDMSG");
	probe_op(IORING_OP_RECVMSG, "IORING_OP_RECVMSG");
	return ring.absent[0] == '\0';
}

void
uds_require_ioring(void)
{
	if (!ring_ready())
		uds_skip("%s: io_uring absent, disabled or partial here (kernel.io_uring_disabled, "
		    "CONFIG_IO_URING off, a sandbox such as gVisor)", ring.absent);
}

/* Submits one message operation and waits, with the deadline, for its completion's result. */
static long
ring_msg(unsigned char op, int sock, const struct msghdr *msg, int flags, unsigned char sqe_flags)
{
	long res = 0;

	uds_require_ioring();
	UDS_OK(ring_submit(op, sock, msg, flags, sqe_flags));
	UDS_REQUIRE(ring_complete(UDS_DEADLINE_MS, &res), "io_uring operation %u on fd %d: no "
	    "completion within %d ms", op, sock, UDS_DEADLINE_MS);
	if (res < 0) {
		errno = (int)-res;
		return -1;
	}
	return res;
}

ssize_t
uds_ioring_sendmsg(int sock, const struct msghdr *msg, int flags)
{
	return ring_msg(IORING_OP_SENDMSG, sock, msg, flags, 0);
}

ssize_t
uds_ioring_sendmsg_async(int sock, const struct msghdr *msg, int flags)
{
	return ring_msg(IORING_OP_SENDMSG, sock, msg, flags, IOSQE_ASYNC);
}

ssize_t
uds_ioring_recvmsg(int sock, struct msghdr *msg, int flags)
{
	return ring_msg(IORING_OP_RECVMSG, sock, msg, flags, 0);
}

#else /* no io_uring at build time */

void
uds_require_ioring(void)
{
	uds_skip("io_uring is a Linux interface (io_uring_setup(2)); <linux/io_uring.h> and "
	    "__NR_io_uring_setup were not found at build time");
}

ssize_t
uds_ioring_sendmsg(int sock, const struct msghdr *msg, int flags)
{
	(void)sock, (void)msg, (void)flags;
	uds_require_ioring();
	return -1;
}

ssize_t
uds_ioring_sendmsg_async(int sock, const struct msghdr *msg, int flags)
{
	return uds_ioring_sendmsg(sock, msg, flags);
}

ssize_t
uds_ioring_recvmsg(int sock, struct msghdr *msg, int flags)
{
	return uds_ioring_sendmsg(sock, msg, flags);
}

#endif
