/*
 * addr.c - socket names.  Paths are short and relative to the case's own
 * work directory (sun_path is 104 bytes on the BSDs and macOS); abstract
 * names carry the pid, a per-process nonce and a counter, because the
 * abstract namespace is shared by every case running in parallel.
 */
#include "uds_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static unsigned counter;

static void
addr_reset(struct uds_addr *addr)
{
	memset(addr, 0, sizeof(*addr));
	addr->sun.sun_family = AF_UNIX;
}

void
uds_addr_path(struct uds_addr *addr, const char *path)
{
	size_t len = strlen(path);

	UDS_REQUIRE(len < sizeof(addr->sun.sun_path),
	    "path \"%s\" (%zu bytes) does not fit sun_path (%zu bytes) with its NUL", path, len,
	    sizeof(addr->sun.sun_path));
	addr_reset(addr);
	memcpy(addr->sun.sun_path, path, len);
	addr->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
#ifdef HAVE_SUN_LEN
	addr->sun.sun_len = (unsigned char)addr->len;
#endif
}

void
uds_addr_fresh_path(struct uds_addr *addr)
{
	char path[32];

	snprintf(path, sizeof(path), "s.%u", ++counter);
	uds_addr_path(addr, path);
}

void
uds_addr_abstract_bytes(struct uds_addr *addr, const void *name, size_t len)
{
	UDS_REQUIRE(len + 1 <= sizeof(addr->sun.sun_path), "abstract name of %zu bytes too long",
	    len);
	addr_reset(addr);
	memcpy(addr->sun.sun_path + 1, name, len);
	addr->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len);
}

void
uds_addr_fresh_abstract(struct uds_addr *addr)
{
	static long nonce = -1;
	char name[64];
	int n;

	if (nonce == -1) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		nonce = (long)(ts.tv_nsec & 0xffffff);
	}
	n = snprintf(name, sizeof(name), "uds-%ld-%lx-%u", (long)getpid(), nonce, ++counter);
	uds_addr_abstract_bytes(addr, name, (size_t)n);
}

void
uds_addr_fresh_for(const struct uds_kind *kind, struct uds_addr *addr)
{
	if (kind != NULL && kind->how == UDS_HOW_ABSTRACT)
		uds_addr_fresh_abstract(addr);
	else
		uds_addr_fresh_path(addr);
}

const char *
uds_addr_str(const struct sockaddr_un *sun, socklen_t len)
{
	static char bufs[4][400];
	static int next;
	char *buf = bufs[next++ % 4], *p = buf;
	size_t off = offsetof(struct sockaddr_un, sun_path);

	if (len <= off)
		snprintf(buf, sizeof(bufs[0]), "unnamed (length %u)", (unsigned)len);
	else if (sun->sun_path[0] == '\0') {
		p += sprintf(p, "abstract \"@");
		for (size_t i = off + 1; i < len && p < buf + sizeof(bufs[0]) - 8; i++) {
			unsigned char c = (unsigned char)sun->sun_path[i - off];

			p += (c >= 0x20 && c < 0x7f && c != '\\') ? sprintf(p, "%c", c)
			    : sprintf(p, "\\x%02x", c);
		}
		sprintf(p, "\" (length %u)", (unsigned)len);
	} else
		snprintf(buf, sizeof(bufs[0]), "path \"%.*s\" (length %u)",
		    (int)(len - off < sizeof(sun->sun_path) ? len - off : sizeof(sun->sun_path)),
		    sun->sun_path, (unsigned)len);
	return buf;
}

/* Why the abstract namespace is absent, for the skip reason. */
static char abstract_absent[160];

/*
 * The namespace exists when a bind() to a leading-NUL name succeeds and the
 * socket then has an abstract name.  Whether it is the right name is for
 * the cases to check: a kernel that mangles abstract names must fail them,
 * not skip them.
 */
bool
uds_have_abstract(void)
{
	static int have = -1;

	if (have == -1) {
		struct uds_addr addr, got;
		int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

		uds_addr_fresh_abstract(&addr);
		got.len = sizeof(got.sun);
		if (fd == -1 || bind(fd, (struct sockaddr *)&addr.sun, addr.len) == -1)
			snprintf(abstract_absent, sizeof(abstract_absent),
			    "a bind() to a name with a leading NUL failed with %s", uds_errno_name(errno));
		else if (getsockname(fd, (struct sockaddr *)&got.sun, &got.len) == -1 ||
		    got.len <= offsetof(struct sockaddr_un, sun_path) || got.sun.sun_path[0] != '\0')
			snprintf(abstract_absent, sizeof(abstract_absent),
			    "a bind() to a name with a leading NUL gave the socket %s",
			    uds_addr_str(&got.sun, got.len));
		have = abstract_absent[0] == '\0';
		if (fd != -1)
			close(fd);
	}
	return have;
}

void
uds_require_abstract(void)
{
	if (!uds_have_abstract())
		uds_skip("the abstract namespace does not exist on this platform (%s); "
		    "it is a Linux extension, unix(7)", abstract_absent);
}

bool
uds_have_seqpacket(void)
{
	static int have = -1;

	if (have == -1) {
		int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

		have = fd != -1;
		if (fd != -1)
			close(fd);
	}
	return have;
}

void
uds_bind(int fd, const struct uds_addr *addr)
{
	if (bind(fd, (const struct sockaddr *)&addr->sun, addr->len) == -1)
		uds_fail_at(__FILE__, __LINE__, "bind() to %s failed: %s",
		    uds_addr_str(&addr->sun, addr->len), uds_errno_name(errno));
}

void
uds_listen(int fd, int backlog)
{
	UDS_OK(listen(fd, backlog));
}

void
uds_connect(int fd, const struct uds_addr *addr)
{
	if (connect(fd, (const struct sockaddr *)&addr->sun, addr->len) == -1)
		uds_fail_at(__FILE__, __LINE__, "connect() to %s failed: %s",
		    uds_addr_str(&addr->sun, addr->len), uds_errno_name(errno));
}

int
uds_listener(const struct uds_kind *kind, struct uds_addr *name)
{
	int fd = uds_socket(kind->type, false);

	if (kind->how == UDS_HOW_ABSTRACT)
		uds_require_abstract();
	uds_addr_fresh_for(kind, name);
	uds_bind(fd, name);
	uds_listen(fd, 16);
	return fd;
}

int
uds_accept(int listener)
{
	uds_wait_readable(listener);
	return (int)UDS_OK(accept(listener, NULL, NULL));
}

static void
name_into(int fd, struct uds_addr *out, bool peer)
{
	int rc;

	memset(out, 0, sizeof(*out));
	out->len = sizeof(out->sun);
	rc = peer ? getpeername(fd, (struct sockaddr *)&out->sun, &out->len)
	    : getsockname(fd, (struct sockaddr *)&out->sun, &out->len);
	if (rc == -1)
		uds_fail_at(__FILE__, __LINE__, "%s(fd %d) failed: %s",
		    peer ? "getpeername" : "getsockname", fd, uds_errno_name(errno));
}

void
uds_name_of(int fd, struct uds_addr *out)
{
	name_into(fd, out, false);
}

void
uds_peer_of(int fd, struct uds_addr *out)
{
	name_into(fd, out, true);
}

bool
uds_same_name(const struct uds_addr *got, const struct uds_addr *want)
{
	size_t off = offsetof(struct sockaddr_un, sun_path);
	size_t size = sizeof(want->sun.sun_path);

	if (got->sun.sun_family != AF_UNIX || got->len <= off)
		return false;
	if (want->sun.sun_path[0] != '\0') {
		/* A path up to its NUL: platforms differ on counting the NUL (B-07). */
		size_t n = strnlen(want->sun.sun_path, size);

		return got->len >= off + n &&
		    strncmp(got->sun.sun_path, want->sun.sun_path, n) == 0 &&
		    (n == size || got->len == off + n || got->sun.sun_path[n] == '\0');
	}
	return got->len == want->len && memcmp(&got->sun, &want->sun, want->len) == 0;
}

void
uds_serve(int fd, int type, const struct uds_addr *name)
{
	uds_bind(fd, name);
	if (type != SOCK_DGRAM)
		uds_listen(fd, 8);
}

void
uds_serve_fresh(int fd, int type, struct uds_addr *name)
{
	uds_addr_fresh_path(name);
	uds_serve(fd, type, name);
}

bool
uds_is_connection_type(int type)
{
	return type == SOCK_STREAM || type == SOCK_SEQPACKET;
}

int
uds_try_connect(int fd, const struct uds_addr *name)
{
	return connect(fd, UDS_CSA(name), name->len);
}

int
uds_try_reach(int fd, int type, const struct uds_addr *name)
{
	if (type == SOCK_DGRAM)
		return sendto(fd, "r", 1, 0, UDS_CSA(name), name->len) == 1 ? 0 : -1;
	return connect(fd, UDS_CSA(name), name->len);
}

void
uds_require_unconnected(int fd)
{
	struct uds_addr peer = { .len = sizeof(peer.sun) };

	UDS_FAILS_WITH(ENOTCONN, getpeername(fd, UDS_SA(&peer), &peer.len));
}

void
uds_require_reaches(int type, const struct uds_addr *name, int server)
{
	int fd = uds_socket(type, false);
	char c;

	if (uds_is_connection_type(type)) {
		uds_connect(fd, name);
		close(uds_accept(server));
	} else {
		UDS_EQ(UDS_OK(sendto(fd, "r", 1, 0, UDS_CSA(name), name->len)), 1, "bytes sent");
		UDS_EQ(uds_recv_one(server, &c, 1, 0), 1, "bytes at the server");
		UDS_EQ(c, 'r', "byte at the server");
	}
	close(fd);
}

void
uds_exchange(int x, int y)
{
	char c;

	uds_send_one(x, "x", 1);
	UDS_EQ(uds_recv_one(y, &c, 1, 0), 1, "bytes from x");
	UDS_EQ(c, 'x', "byte from x");
	uds_send_one(y, "y", 1);
	UDS_EQ(uds_recv_one(x, &c, 1, 0), 1, "bytes from y");
	UDS_EQ(c, 'y', "byte from y");
}
