/*
 * ioring.c - the smallest io_uring client the cases need: one ring per
 * process, one IORING_OP_SENDMSG or IORING_OP_RECVMSG at a time, its
 * completion awaited with poll() on the ring descriptor and the deadline.
 * Raw system calls and the <linux/io_uring.h> layout (io_uring_setup(2),
 * io_uring_enter(2)); no liburing.
 */
#include "uds_internal.h"

#include <errno.h>
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
	int setup_err;          /* io_uring_setup()'s errno, 0 when the ring exists */
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

/* Sets up this process's ring once; false (errno in ring.setup_err) if io_uring_setup() failed. */
static bool
ring_ready(void)
{
	struct io_uring_params prm;
	char *sq, *cq;

	if (ring.pid == getpid())
		return ring.setup_err == 0;
	memset(&ring, 0, sizeof(ring));
	memset(&prm, 0, sizeof(prm));
	ring.pid = getpid();
	ring.fd = (int)syscall(__NR_io_uring_setup, 4, &prm);
	if (ring.fd == -1) {
		ring.setup_err = errno;
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
	return true;
}

void
uds_require_ioring(void)
{
	if (!ring_ready())
		uds_skip("io_uring_setup() failed with %s: io_uring absent or disabled here "
		    "(kernel.io_uring_disabled, CONFIG_IO_URING off, a sandbox such as gVisor)",
		    uds_errno_name(ring.setup_err));
}

/* Submits one message operation and waits, with the deadline, for its completion's result. */
static long
ring_msg(unsigned char op, int sock, const struct msghdr *msg, int flags, unsigned char sqe_flags)
{
	unsigned tail, head, idx;
	struct io_uring_sqe *sqe;
	struct timespec deadline;
	long res;

	uds_require_ioring();
	tail = *ring.sq_tail;
	idx = tail & *ring.sq_mask;
	sqe = &ring.sqes[idx];
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
	UDS_EQ(UDS_OK(syscall(__NR_io_uring_enter, ring.fd, 1, 0, 0, NULL, 0)), 1,
	    "entries io_uring_enter() submitted");
	uds_deadline(&deadline, UDS_DEADLINE_MS);
	head = *ring.cq_head;
	while (__atomic_load_n(ring.cq_tail, __ATOMIC_ACQUIRE) == head) {
		struct pollfd pfd = { .fd = ring.fd, .events = POLLIN };
		int left = uds_ms_left(&deadline), rc = poll(&pfd, 1, left);

		UDS_REQUIRE(rc != -1 || errno == EINTR, "poll() on the io_uring: %s",
		    uds_errno_name(errno));
		UDS_REQUIRE(rc != 0 || left > 0, "io_uring operation %u on fd %d: no completion "
		    "within %d ms", op, sock, UDS_DEADLINE_MS);
	}
	UDS_EQ(ring.cqes[head & *ring.cq_mask].user_data, tail, "completion's user_data");
	res = ring.cqes[head & *ring.cq_mask].res;
	__atomic_store_n(ring.cq_head, head + 1, __ATOMIC_RELEASE);
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
