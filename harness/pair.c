/*
 * pair.c - the pair factory: a connected (or, for UDS_UNBOUND, fresh)
 * pair of sockets of the kind asked for.  A kind the platform lacks skips
 * the case with the reason; it never fails it.
 */
#include "uds_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

void
uds_set_nonblock(int fd)
{
	int fl = (int)UDS_OK(fcntl(fd, F_GETFL));

	UDS_OK(fcntl(fd, F_SETFL, fl | O_NONBLOCK));
}

int
uds_socket(int type, bool nonblock)
{
	int fd = socket(AF_UNIX, type, 0);

	if (fd == -1 && type == SOCK_SEQPACKET)
		uds_skip("SOCK_SEQPACKET is not supported for AF_UNIX here: socket() failed with %s "
		    "(unix(7): since Linux 2.6.4; absent from macOS unix(4))", uds_errno_name(errno));
	UDS_REQUIRE(fd != -1, "socket(AF_UNIX, %s) failed: %s", uds_type_name(type),
	    uds_errno_name(errno));
	if (nonblock)
		uds_set_nonblock(fd);
	return fd;
}

static void
open_socketpair(const struct uds_kind *k, struct uds_pair *p)
{
	int sv[2];

	if (k->type == SOCK_SEQPACKET && !uds_have_seqpacket())
		(void)uds_socket(SOCK_SEQPACKET, false);        /* skips with the reason */
	UDS_OK(socketpair(AF_UNIX, k->type, 0, sv));
	p->a = sv[0];
	p->b = sv[1];
}

static void
open_named(const struct uds_kind *k, struct uds_pair *p)
{
	if (k->how == UDS_HOW_ABSTRACT)
		uds_require_abstract();
	if (k->type == SOCK_DGRAM) {
		p->a = uds_socket(SOCK_DGRAM, false);
		p->b = uds_socket(SOCK_DGRAM, false);
		uds_addr_fresh_for(k, &p->a_name);
		uds_addr_fresh_for(k, &p->b_name);
		uds_bind(p->a, &p->a_name);
		uds_bind(p->b, &p->b_name);
		uds_connect(p->a, &p->b_name);
		uds_connect(p->b, &p->a_name);
	} else {
		p->listener = uds_listener(k, &p->b_name);
		if (k->nblistener)
			uds_set_nonblock(p->listener);
		p->a = uds_socket(k->type, false);
		uds_connect(p->a, &p->b_name);
		p->b = uds_accept(p->listener);
		p->accepted_fl = (int)UDS_OK(fcntl(p->b, F_GETFL));
		/* Whatever accept() gave, the accepted end takes the kind's mode. */
		if (k->nblistener && !k->nonblock)
			UDS_OK(fcntl(p->b, F_SETFL, p->accepted_fl & ~O_NONBLOCK));
	}
}

void
uds_pair_open(const struct uds_kind *k, struct uds_pair *p)
{
	memset(p, 0, sizeof(*p));
	p->kind = k;
	p->a = p->b = p->listener = p->accepted_fl = -1;
	switch (k->how) {
	case UDS_HOW_PAIR:
		open_socketpair(k, p);
		break;
	case UDS_HOW_PATH:
	case UDS_HOW_ABSTRACT:
		open_named(k, p);
		break;
	case UDS_HOW_UNBOUND:
		p->a = uds_socket(k->type, false);
		p->b = uds_socket(k->type, false);
		break;
	}
	if (k->nonblock) {
		uds_set_nonblock(p->a);
		uds_set_nonblock(p->b);
	}
	if (k->reversed) {
		int fd = p->a;
		struct uds_addr name = p->a_name;

		p->a = p->b;
		p->b = fd;
		p->a_name = p->b_name;
		p->b_name = name;
	}
}

void
uds_pair_close(struct uds_pair *p)
{
	int *fds[] = { &p->a, &p->b, &p->listener };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] != -1)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

void
uds_close_b(struct uds_pair *p)
{
	UDS_OK(close(p->b));
	p->b = -1;
}
