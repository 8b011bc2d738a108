/*
 * expect.c - the platform-expectation table: for each behaviour where the
 * platforms document different results, or where some platform documents
 * nothing, the result per platform and where it is written.
 *
 * This is the porting-audit knowledge base.  Behaviours that POSIX fixes
 * for every platform are asserted directly in their cases and are not
 * repeated here.  Bases:
 *   DOC  a man page or standard of that platform says so;
 *   OBS  only kernel source or a public test establishes it (still asserted);
 *   REP  stated somewhere but unverified: the case reports what it observed
 *        next to the report and skips instead of asserting a guess;
 *   ABSENT  the interface does not exist there: the case skips;
 *   (none)  unknown: the case reports what it observed and skips.
 */
#include "uds_internal.h"

#include <atf-c.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#define DOC(v, src)        { UDS_DOCUMENTED, (v), (src), NULL }
#define OBS(v, src)        { UDS_OBSERVED, (v), (src), NULL }
#define REP(v, src)        { UDS_REPORTED, (v), (src), NULL }
#define ABSENT(src)        { UDS_ABSENT, 0, (src), NULL }
#define BUG(v, src, bug)   { UDS_DOCUMENTED, (v), (src), (bug) }

#define LX [UDS_LINUX]
#define FB [UDS_FREEBSD]
#define NB [UDS_NETBSD]
#define OB [UDS_OPENBSD]
#define MC [UDS_MACOS]
#define IL [UDS_ILLUMOS]

const struct uds_expect_row uds_expect_table[] = {
#include "expect/A.rows"
#include "expect/B.rows"
#include "expect/C.rows"
#include "expect/D.rows"
#include "expect/E.rows"
#include "expect/F.rows"
#include "expect/G.rows"
#include "expect/H.rows"
#include "expect/I.rows"
#include "expect/J.rows"
#include "expect/K.rows"
#include "expect/L.rows"
#include "expect/M.rows"
#include "expect/N.rows"
#include "expect/O.rows"
#include "expect/P.rows"
};

const size_t uds_expect_table_len = sizeof(uds_expect_table) / sizeof(uds_expect_table[0]);

static const struct {
	const char *name;       /* as the reports print it */
	const char *sysname;    /* as uname(2) gives it */
} platforms[] = {
	[UDS_LINUX] = { "Linux", "Linux" }, [UDS_FREEBSD] = { "FreeBSD", "FreeBSD" },
	[UDS_NETBSD] = { "NetBSD", "NetBSD" }, [UDS_OPENBSD] = { "OpenBSD", "OpenBSD" },
	[UDS_MACOS] = { "macOS", "Darwin" }, [UDS_ILLUMOS] = { "illumos", "SunOS" },
};

enum uds_platform
uds_platform_of_sysname(const char *sysname)
{
	for (int p = 0; sysname != NULL && p < UDS_NPLATFORMS; p++)
		if (strcmp(sysname, platforms[p].sysname) == 0)
			return (enum uds_platform)p;
	return UDS_NPLATFORMS;
}

enum uds_platform
uds_platform_of_name(const char *name)
{
	for (int p = 0; name != NULL && p < UDS_NPLATFORMS; p++)
		if (strcmp(name, platforms[p].name) == 0)
			return (enum uds_platform)p;
	return uds_platform_of_sysname(name);
}

enum uds_platform
uds_platform(void)
{
	static enum uds_platform cached = UDS_NPLATFORMS + 1;
	struct utsname u;

	if (cached > UDS_NPLATFORMS)
		cached = uname(&u) == 0 ? uds_platform_of_sysname(u.sysname) : UDS_NPLATFORMS;
	return cached;
}

const char *
uds_platform_name(enum uds_platform p)
{
	return p < UDS_NPLATFORMS ? platforms[p].name : "an unknown platform";
}

/* Known Linux bugs and the release that fixed them (expect/linux-fixes.tbl). */
static const struct {
	const char *key;
	int major, minor;       /* the first mainline release with the fix */
	const char *fix;
} linux_fixes[] = {
#include "expect/linux-fixes.tbl"
};

void
uds_linux_bug_fixed_in(const char *key)
{
	struct utsname u;
	int major = 0, minor = 0;

	for (size_t i = 0; i < sizeof(linux_fixes) / sizeof(linux_fixes[0]); i++) {
		if (strcmp(linux_fixes[i].key, key) != 0)
			continue;
		if (uds_platform() != UDS_LINUX || uname(&u) != 0 ||
		    sscanf(u.release, "%d.%d", &major, &minor) != 2)
			return;
		if (major > linux_fixes[i].major ||
		    (major == linux_fixes[i].major && minor >= linux_fixes[i].minor))
			return;
		uds_note("Linux %s predates %d.%d, which fixed %s: a failure here is expected "
		    "unless the fix was backported", u.release, linux_fixes[i].major,
		    linux_fixes[i].minor, key);
		uds_tolerate_failure("Linux %s predates the fix (%d.%d): %s", u.release,
		    linux_fixes[i].major, linux_fixes[i].minor, linux_fixes[i].fix);
		return;
	}
	uds_fail_at(__FILE__, __LINE__, "suite bug: no Linux fix \"%s\" in expect/linux-fixes.tbl", key);
}

const char *
uds_basis_word(enum uds_basis basis)
{
	static const char *const words[] = {
		[UDS_UNKNOWN] = "unknown", [UDS_DOCUMENTED] = "documented",
		[UDS_OBSERVED] = "observed", [UDS_REPORTED] = "reported", [UDS_ABSENT] = "absent",
	};

	return (unsigned)basis < sizeof(words) / sizeof(words[0]) ? words[basis] : "unknown";
}

const struct uds_expect_row *
uds_expect_find(const char *key)
{
	for (size_t i = 0; i < uds_expect_table_len; i++)
		if (strcmp(uds_expect_table[i].key, key) == 0)
			return &uds_expect_table[i];
	return NULL;
}

static const struct uds_expect_row *
row_of(const char *key)
{
	const struct uds_expect_row *row = uds_expect_find(key);

	if (row == NULL)
		uds_fail_at(__FILE__, __LINE__, "suite bug: no expectation \"%s\" in the table", key);
	return row;
}

const struct uds_expectation *
uds_expect(const char *key)
{
	static const struct uds_expectation unknown;
	const struct uds_expect_row *row = row_of(key);
	enum uds_platform p = uds_platform();

	return p < UDS_NPLATFORMS ? &row->on[p] : &unknown;
}

/* True when the space-separated list ids holds id. */
static bool
ids_hold(const char *ids, const char *id)
{
	size_t n = strlen(id);

	for (const char *p = ids; (p = strstr(p, id)) != NULL; p += n)
		if ((p == ids || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return true;
	return false;
}

const char *
uds_expect_keys_of(const char *id)
{
	static char buf[1024];
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < uds_expect_table_len; i++)
		if (ids_hold(uds_expect_table[i].ids, id))
			len += (size_t)snprintf(buf + len, len < sizeof(buf) ? sizeof(buf) - len : 0,
			    "%s%s", len ? ", " : "", uds_expect_table[i].key);
	return buf;
}

const char *
uds_expect_format(const struct uds_expect_row *row, long value)
{
	static char bufs[4][32];
	static int next;
	char *buf = bufs[next++ % 4];

	if (row->value_kind == UDS_NUMBER)
		snprintf(buf, sizeof(bufs[0]), "%ld", value);
	else if (value == UDS_SUCCEEDS)
		return "success";
	else if (value == UDS_BLOCKS_V)
		return "blocks";
	else
		return uds_errno_name((int)value);
	return buf;
}

/*
 * Skips unless the table lets this platform's value be asserted; marks a
 * known deviation as an expected failure.  observed may be NULL when the
 * case asks before acting.
 */
static const struct uds_expectation *
assertable(const struct uds_expect_row *row, const char *observed)
{
	const struct uds_expectation *e = uds_expect(row->key);
	const char *plat = uds_platform_name(uds_platform());
	char seen[128] = "";

	if (observed != NULL)
		snprintf(seen, sizeof(seen), "; observed: %s", observed);
	switch (e->basis) {
	case UDS_ABSENT:
		uds_skip("%s: the interface is absent on %s (%s)", row->key, plat, e->source);
	case UDS_UNKNOWN:
		uds_skip("%s: no documented result on %s, so nothing is asserted%s", row->key, plat,
		    seen);
	case UDS_REPORTED:
		uds_skip("%s: on %s only an unverified source says %s (%s)%s", row->key, plat,
		    uds_expect_format(row, e->value), e->source, seen);
	case UDS_DOCUMENTED:
	case UDS_OBSERVED:
		break;
	}
	uds_note(UDS_EXPECTATION_NOTE "%s on %s: %s (%s: %s)", row->key, plat,
	    uds_expect_format(row, e->value), uds_basis_word(e->basis),
	    e->source);
	if (e->bug != NULL && uds_child_report_fd == -1)
		atf_tc_expect_fail("known deviation on %s: %s", plat, e->bug);
	return e;
}

long
uds_expected_value(const char *key)
{
	return assertable(row_of(key), NULL)->value;
}

/*
 * Before the call UDS_EXPECT_RESULT makes: where the table says "blocks",
 * the block timer (the call must be interrupted); otherwise the deadline,
 * so a call that should return but blocks fails instead of hanging.
 */
void
uds_expect_arm(const char *key)
{
	const struct uds_expectation *e = uds_expect(key);

	/* Where nothing may be asserted the call is only observed: a short bound will do. */
	if (e->value == UDS_BLOCKS_V ||
	    (e->basis != UDS_DOCUMENTED && e->basis != UDS_OBSERVED))
		uds_block_arm();
	else
		uds_timer_arm(UDS_DEADLINE_MS);
}

void
uds_expect_result_at(const char *file, int line, const char *key, const char *what, long rc)
{
	int err = errno;
	const struct uds_expect_row *row = row_of(key);
	const struct uds_expectation *e;
	char observed[64];

	uds_timer_disarm();
	if (rc == -1 && err == EINTR)
		snprintf(observed, sizeof(observed), "blocks");
	else if (rc == -1)
		snprintf(observed, sizeof(observed), "%s", uds_errno_name(err));
	else
		snprintf(observed, sizeof(observed), "success (%ld)", rc);
	e = assertable(row, observed);
	if (e->value == UDS_BLOCKS_V ? rc != -1 || err != EINTR :
	    e->value == UDS_SUCCEEDS ? rc == -1 : rc != -1 || err != e->value)
		uds_fail_at(file, line, "%s: expected %s on %s (%s), got %s", what,
		    uds_expect_format(row, e->value), uds_platform_name(uds_platform()), e->source,
		    rc == -1 && err == EINTR ? (e->value == UDS_BLOCKS_V ? "an EINTR" :
		    "a call still blocked after the deadline") : observed);
	errno = err;
}

void
uds_expect_value_at(const char *file, int line, const char *key, long observed)
{
	const struct uds_expect_row *row = row_of(key);
	const struct uds_expectation *e = assertable(row, uds_expect_format(row, observed));

	if (observed != e->value)
		uds_fail_at(file, line, "%s: expected %s on %s (%s), got %s", row->what,
		    uds_expect_format(row, e->value), uds_platform_name(uds_platform()), e->source,
		    uds_expect_format(row, observed));
}

void
uds_expect_eof(const char *key, long rc)
{
	uds_expect_result_at(__FILE__, __LINE__, key, "the receive", rc);
	if (rc != -1)
		UDS_EQ(rc, 0, "bytes returned (0: end of file)");
}
