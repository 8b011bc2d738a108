/*
 * fdpass.h - what the source files of fdpass_test (catalogue area K) share:
 * hand-built control data, and tracked pipes, whose write ends travel and
 * whose read ends show when the last reference to a write end is gone.
 * The functions are defined in fdpass_test.c.
 */
#ifndef FDPASS_H
#define FDPASS_H

#include "uds.h"

/* Hand-built control data: room for several headers, aligned for struct cmsghdr. */
union ctl_buf {
	struct cmsghdr align;
	unsigned char buf[4 * CMSG_SPACE(8 * sizeof(int))];
};

/*
 * Tracked pipes: what travels is write end wr[i]; the case keeps read end
 * rd[i] (non-blocking), which sees end-of-file exactly when the last
 * reference to wr[i] -- the sender's, one in flight, the receiver's -- is
 * gone.  A byte written through a received write end shows which pipe it
 * belongs to.
 */
#define TRACKED_MAX 4

struct tracked {
	int n;
	int rd[TRACKED_MAX];
	int wr[TRACKED_MAX];    /* -1 once closed locally */
};

/* Where a tracked write end is, as a receiver finds out. */
enum { IN_FLIGHT, ARRIVED, RELEASED };

/* Sends data with file f attached, asserting every byte is taken. */
void send_with_file(int sock, int f, const char *data);
/*
 * Receives one message into a 20-byte buffer with room for maxfds
 * descriptors: it must be exactly data, carrying exactly nfiles
 * descriptors referring to files[0..nfiles-1] in order, with neither
 * MSG_TRUNC nor MSG_CTRUNC.
 */
void recv_expect(int sock, const char *data, const int *files, int nfiles, int maxfds,
    struct uds_msg *m);
/* The file behind fd holds exactly contents (read from offset 0). */
void expect_contents(int fd, const char *contents);
/*
 * Writes an SCM_RIGHTS header carrying fds[0..n-1] at offset off of c
 * (cmsg_len CMSG_LEN(n ints)); returns the offset just past it
 * (off + CMSG_SPACE(n ints)), where a next header goes and the
 * msg_controllen that ends with it.
 */
size_t rights_put(union ctl_buf *c, size_t off, const int *fds, int n);
/*
 * sendmsg() of len bytes of data with raw control data ctl/ctllen (any
 * pointer, even NULL or unmapped), to name `to` when not NULL, through send
 * (sendmsg, or uds_sys_sendmsg for the kernel's own rule); returns its result.
 */
ssize_t sendmsg_raw_via(ssize_t (*send)(int, const struct msghdr *, int), int sock,
    const struct uds_addr *to, const char *data, size_t len, void *ctl, size_t ctllen);
/* sendmsg_raw_via() through the C library's sendmsg(). */
ssize_t sendmsg_raw(int sock, const struct uds_addr *to, const char *data, size_t len,
    void *ctl, size_t ctllen);
/* Opens n tracked pipes. */
void tracked_open(struct tracked *t, int n);
/*
 * Opens one tracked pipe and sends its write end with the bytes of data
 * (none for ""), closing the local copy: the only reference is in flight.
 */
void tracked_send_one(int sock, struct tracked *t, const char *data);
/* Closes the case's own copies of write ends first..first+count-1. */
void tracked_close_local(struct tracked *t, int first, int count);
/*
 * Sends write ends first..first+count-1 in one message (one data byte) and
 * closes the local copies: the only references left are in flight.
 */
void tracked_send(int sock, struct tracked *t, int first, int count);
/*
 * Which tracked pipe the write end fd belongs to: writes one byte through
 * it and reads it back from the read end it reaches.  -1 for none.
 */
int tracked_which(struct tracked *t, int fd);
/* True when pipe i's read end is at end-of-file now (its write end released). */
bool tracked_eof_now(struct tracked *t, int i);
/*
 * released: pipe i's write end must be released (end-of-file within the
 * deadline).  Not released: it must still be open now (no event at all on
 * the read end).
 */
void require_released(struct tracked *t, int i, bool released, const char *when);

#endif /* FDPASS_H */
