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

static const char *const platform_names[] = {
	[UDS_LINUX] = "Linux", [UDS_FREEBSD] = "FreeBSD", [UDS_NETBSD] = "NetBSD",
	[UDS_OPENBSD] = "OpenBSD", [UDS_MACOS] = "macOS", [UDS_ILLUMOS] = "illumos",
};

enum uds_platform
uds_platform(void)
{
	static const struct {
		const char *sysname;
		enum uds_platform p;
	} map[] = {
		{ "Linux", UDS_LINUX }, { "FreeBSD", UDS_FREEBSD }, { "NetBSD", UDS_NETBSD },
		{ "OpenBSD", UDS_OPENBSD }, { "Darwin", UDS_MACOS }, { "SunOS", UDS_ILLUMOS },
	};
	struct utsname u;

	if (uname(&u) == 0)
		for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
			if (strcmp(u.sysname, map[i].sysname) == 0)
				return map[i].p;
	return UDS_NPLATFORMS;
}

const char *
uds_platform_name(enum uds_platform p)
{
	return p < UDS_NPLATFORMS ? platform_names[p] : "an unknown platform";
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

static const struct uds_expect_row *
row_of(const char *key)
{
	for (size_t i = 0; i < uds_expect_table_len; i++)
		if (strcmp(uds_expect_table[i].key, key) == 0)
			return &uds_expect_table[i];
	uds_fail_at(__FILE__, __LINE__, "suite bug: no expectation \"%s\" in the table", key);
}

const struct uds_expectation *
uds_expect(const char *key)
{
	static const struct uds_expectation unknown;
	const struct uds_expect_row *row = row_of(key);
	enum uds_platform p = uds_platform();

	return p < UDS_NPLATFORMS ? &row->on[p] : &unknown;
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
	uds_note("expectation %s on %s: %s (%s: %s)", row->key, plat,
	    uds_expect_format(row, e->value), e->basis == UDS_DOCUMENTED ? "documented" : "observed",
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

void
uds_expect_result_at(const char *file, int line, const char *key, const char *what, long rc)
{
	int err = errno;
	const struct uds_expect_row *row = row_of(key);
	const struct uds_expectation *e;
	char observed[64];

	if (rc == -1)
		snprintf(observed, sizeof(observed), "%s", uds_errno_name(err));
	else
		snprintf(observed, sizeof(observed), "success (%ld)", rc);
	e = assertable(row, observed);
	UDS_REQUIRE(e->value != UDS_BLOCKS_V, "suite bug: %s says \"blocks\"; use UDS_BLOCKS", key);
	if (e->value == UDS_SUCCEEDS ? rc == -1 : (rc != -1 || err != e->value))
		uds_fail_at(file, line, "%s: expected %s on %s (%s), got %s", what,
		    uds_expect_format(row, e->value), uds_platform_name(uds_platform()), e->source,
		    observed);
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
