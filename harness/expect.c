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
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#ifdef HAVE_KLOGCTL
#include <sys/klog.h>
#endif

#define DOC(v, src)        { UDS_DOCUMENTED, (v), (src), NULL, 0, false }
#define OBS(v, src)        { UDS_OBSERVED, (v), (src), NULL, 0, false }
#define REP(v, src)        { UDS_REPORTED, (v), (src), NULL, 0, false }
#define ABSENT(src)        { UDS_ABSENT, 0, (src), NULL, 0, false }
/* Nothing to assert, and why (a platform whose result varies where no document fixes one). */
#define VARIES(src)        { UDS_UNKNOWN, 0, (src), NULL, 0, false }
/* A known deviation of a documented value: the case is an expected failure. */
#define BUG(v, src, bug)   { UDS_DOCUMENTED, (v), (src), (bug), 0, false }
/* Cells that hold for some kinds only (a mask; the other kinds take the fallback). */
#define OBS_ON(kinds, v, src)        { UDS_OBSERVED, (v), (src), NULL, (kinds), false }
#define BUG_ON(kinds, v, src, bug)   { UDS_DOCUMENTED, (v), (src), (bug), (kinds), false }
/* A known deviation of a value observed in another implementation's source (Linux's, which gVisor follows). */
#define OBS_BUG(v, src, bug)         { UDS_OBSERVED, (v), (src), (bug), 0, false }

/* UDS_RULE rows: the rule holds, or a known deviation (on the kinds given; 0: all). */
#define HOLDS(src)                 { UDS_DOCUMENTED, 1, (src), NULL, 0, false }
#define DEVIATES(kinds, src, bug)  { UDS_OBSERVED, 1, (src), (bug), (kinds), false }
/* A deviation that depends on timing: a failure is expected, a pass still passes. */
#define DEVIATES_SOMETIMES(kinds, src, bug) { UDS_OBSERVED, 1, (src), (bug), (kinds), true }
/* A rule only one implementation's source states, which this one does otherwise: skip. */
#define OTHERWISE(kinds, src)      { UDS_OBSERVED, 0, (src), NULL, (kinds), false }
/* A bug a later release fixed: stable releases may carry the fix, so a pass still passes. */
#define FIXED_IN(src, fix)         { UDS_DOCUMENTED, 1, (src), (fix), 0, true }

#define LX [UDS_LINUX]
#define FB [UDS_FREEBSD]
#define NB [UDS_NETBSD]
#define OB [UDS_OPENBSD]
#define MC [UDS_MACOS]
#define IL [UDS_ILLUMOS]
#define GV [UDS_GVISOR]

/* Version-gated cells (in .gated): the cell holds before, or since, a version. */
#define BEFORE(platform, version, cell) { (platform), NULL, (version), cell }
#define SINCE(platform, version, cell)  { (platform), (version), NULL, cell }

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
	[UDS_GVISOR] = { "gVisor", "Linux" },
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

/*
 * gVisor answers uname with a fixed Linux 4.4.0 of January 2016 (its
 * pkg/sentry/kernel/version.go), and its syslog(2) with made-up boot lines
 * that begin "Starting gVisor...": either gives it away, also unprivileged.
 * syslog(2) is asked only when the release is that 4.4.0 (with another
 * build date): on Linux, SYSLOG_ACTION_READ_ALL walks and formats the whole
 * kernel log to find its last bytes, which cost every case about 1 ms on a
 * host with 130 kB of dmesg.
 */
static bool
on_gvisor(const struct utsname *u)
{
#ifdef HAVE_KLOGCTL
	char log[256];
	int n;
#endif

	if (strcmp(u->release, "4.4.0") == 0 &&
	    strcmp(u->version, "#1 SMP Sun Jan 10 15:06:54 PST 2016") == 0)
		return true;
	if (strcmp(u->release, "4.4.0") != 0)
		return false;
#ifdef HAVE_KLOGCTL
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, (int)sizeof(log) - 1);
	if (n > 0) {
		log[n] = '\0';
		return strstr(log, "Starting gVisor") != NULL;
	}
#endif
	return false;
}

enum uds_platform
uds_platform(void)
{
	static enum uds_platform cached = UDS_NPLATFORMS + 1;
	struct utsname u;

	if (cached > UDS_NPLATFORMS) {
		cached = uname(&u) == 0 ? uds_platform_of_sysname(u.sysname) : UDS_NPLATFORMS;
		if (cached == UDS_LINUX && on_gvisor(&u))
			cached = UDS_GVISOR;
	}
	return cached;
}

/* The leading "N.N.N" of s (at most three numbers) into out; false when s starts otherwise. */
static bool
leading_version(const char *s, char *out, size_t len)
{
	size_t n = 0;
	int parts = 0;

	while (s[n] >= '0' && s[n] <= '9') {
		while (s[n] >= '0' && s[n] <= '9')
			n++;
		if (++parts == 3 || s[n] != '.' || s[n + 1] < '0' || s[n + 1] > '9')
			break;
		n++;
	}
	if (n == 0 || n >= len)
		return false;
	memcpy(out, s, n);
	out[n] = '\0';
	return true;
}

const char *
uds_platform_version(void)
{
	static char version[64];
	static bool known, asked;
	struct utsname u;
	const char *env, *deb;

	if (asked)
		return known ? version : NULL;
	asked = true;
	if (uds_platform() == UDS_GVISOR) {
		env = getenv("UDS_GVISOR_VERSION");
		known = env != NULL && strlen(env) == 8 && strspn(env, "0123456789") == 8 &&
		    snprintf(version, sizeof(version), "%s", env) > 0;
		return known ? version : NULL;
	}
	if (uname(&u) != 0)
		return NULL;
	/* Debian's uname -r is the ABI ("6.1.0-56-amd64"); uname -v has the release. */
	deb = strstr(u.version, " Debian ");
	known = (deb != NULL && leading_version(deb + 8, version, sizeof(version))) ||
	    leading_version(u.release, version, sizeof(version));
	return known ? version : NULL;
}

int
uds_version_cmp(const char *a, const char *b)
{
	/* Missing components count as 0: "6.10" == "6.10.0" < "6.10.3". */
	while (*a != '\0' || *b != '\0') {
		unsigned long x = 0, y = 0;
		char *end;

		if (*a != '\0') {
			x = strtoul(a, &end, 10);
			a = *end == '.' ? end + 1 : "";
		}
		if (*b != '\0') {
			y = strtoul(b, &end, 10);
			b = *end == '.' ? end + 1 : "";
		}
		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

const char *
uds_platform_name(enum uds_platform p)
{
	return p < UDS_NPLATFORMS ? platforms[p].name : "an unknown platform";
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

/* A cell that names kinds holds for those kinds only (in a case; tools see every cell). */
static bool
applies(const struct uds_expectation *e)
{
	return e->kinds == 0 || uds_current_kind == NULL || uds_kind_in(uds_current_kind, e->kinds);
}

static bool
in_range(const struct uds_gated *g, const char *version)
{
	return (g->since == NULL || uds_version_cmp(version, g->since) >= 0) &&
	    (g->until == NULL || uds_version_cmp(version, g->until) < 0);
}

const struct uds_expectation *
uds_expect_for(const struct uds_expect_row *row, enum uds_platform p, const char *version,
    const char **note)
{
	static const struct uds_expectation unknown;
	static char why[512];
	const struct uds_expectation *e;

	if (note != NULL)
		*note = "";
	if (p >= UDS_NPLATFORMS)
		return &unknown;
	for (int i = 0; i < UDS_NGATED; i++) {
		const struct uds_gated *g = &row->gated[i];

		if (g->e.source == NULL || g->platform != p || !applies(&g->e))
			continue;
		if (version != NULL && *version != '\0' && in_range(g, version)) {
			if (note != NULL) {
				snprintf(why, sizeof(why), "%s %s%s%s%s", uds_platform_name(p),
				    g->since ? "since " : "", g->since ? g->since : "",
				    g->since && g->until ? ", " : "", g->until ? "before " : "");
				snprintf(why + strlen(why), sizeof(why) - strlen(why), "%s",
				    g->until ? g->until : "");
				*note = why;
			}
			return &g->e;
		}
	}
	e = &row->on[p];
	if (!applies(e))        /* not this kind's cell: gVisor falls back on Linux's */
		e = p == UDS_GVISOR ? &row->on[UDS_LINUX] : &unknown;
	if (p == UDS_GVISOR && e->basis == UDS_UNKNOWN && e->source == NULL) {
		/* gVisor implements Linux's interface: held to Linux's current value. */
		if (note != NULL && **note == '\0')
			*note = "gVisor: Linux's value";
		return &row->on[UDS_LINUX];
	}
	return e;
}

/*
 * When this platform's version is unknown (gVisor run without UDS_GVISOR_VERSION) and
 * the row holds another value for some of its versions, this may be one of them: a
 * failure is tolerated, and says which versions and why.  The current value is asserted.
 */
static void
tolerate_unknown_version(const struct uds_expect_row *row, enum uds_platform p)
{
	for (int i = 0; i < UDS_NGATED; i++) {
		const struct uds_gated *g = &row->gated[i];

		if (g->e.source == NULL || g->platform != p || !applies(&g->e))
			continue;
		/* A deviation it may have waits no longer than a known one does. */
		if (g->e.bug != NULL)
			uds_deadline_cap(UDS_DEVIATION_DEADLINE_MS);
		uds_tolerate_failure("%s version unknown; %s %s: %s%s (%s)", uds_platform_name(p),
		    g->until ? "before" : "since", g->until ? g->until : g->since,
		    g->e.bug != NULL ? g->e.bug : row->value_kind == UDS_RULE ? "it does otherwise" :
		    uds_expect_format(row, g->e.value), g->e.bug != NULL ||
		    row->value_kind == UDS_RULE ? "" : " is the value", g->e.source);
		return;
	}
}

const struct uds_expectation *
uds_expect_for_kind(const struct uds_expect_row *row, enum uds_platform p, const char *version,
    const char *kind)
{
	const struct uds_kind *saved = uds_current_kind;
	const struct uds_expectation *e;

	uds_current_kind = kind != NULL && *kind != '\0' ? uds_kind_named(kind) : NULL;
	e = uds_expect_for(row, p, version, NULL);
	uds_current_kind = saved;
	return e;
}

const struct uds_expectation *
uds_expect(const char *key)
{
	const struct uds_expect_row *row = row_of(key);
	enum uds_platform p = uds_platform();
	const char *version = uds_platform_version();

	if (version == NULL && p < UDS_NPLATFORMS)
		tolerate_unknown_version(row, p);
	return uds_expect_for(row, p, version, NULL);
}

/* Makes a known deviation of this case an expected failure (strict or tolerated). */
static void
expect_deviation(const struct uds_expect_row *row, const struct uds_expectation *e,
    const char *note)
{
	const char *plat = uds_platform_name(uds_platform());
	const char *ver = uds_platform_version();

	if (uds_current_kind != NULL && !uds_kind_in(uds_current_kind, e->kinds))
		return;
	uds_deadline_cap(UDS_DEVIATION_DEADLINE_MS);
	uds_note("known deviation %s on %s %s: %s (%s)", row->key, plat, ver ? ver : "(version unknown)",
	    e->bug, e->source);
	if (e->tolerant || ver == NULL)
		uds_tolerate_failure("%s %s: %s (%s)", plat, ver ? ver : "(version unknown)", e->bug,
		    e->source);
	else if (uds_child_report_fd == -1)
		atf_tc_expect_fail("known deviation on %s %s: %s (%s)", plat, ver, e->bug, e->source);
	(void)note;
}

void
uds_known_bug(const char *key)
{
	const struct uds_expect_row *row = uds_expect_find(key);
	const struct uds_expectation *e;
	const char *note;

	if (row == NULL || row->value_kind != UDS_RULE)
		uds_fail_at(__FILE__, __LINE__, "suite bug: no rule row \"%s\" in the expectation "
		    "table", key);
	if (uds_platform_version() == NULL && uds_platform() < UDS_NPLATFORMS)
		tolerate_unknown_version(row, uds_platform());
	e = uds_expect_for(row, uds_platform(), uds_platform_version(), &note);
	if (e->bug == NULL && e->value == 0 && e->basis != UDS_UNKNOWN &&
	    (uds_current_kind == NULL || uds_kind_in(uds_current_kind, e->kinds)))
		/* A detail only one implementation's source states: observed, never asserted. */
		uds_skip("%s: the rule is a detail no document states, and %s does otherwise (%s: %s)",
		    row->key, uds_platform_name(uds_platform()), uds_basis_word(e->basis), e->source);
	if (e->bug != NULL)
		expect_deviation(row, e, note);
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

	if (row->value_kind == UDS_RULE)
		return value ? "holds" : "does not hold";
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

	if (row->value_kind == UDS_RULE)
		uds_fail_at(__FILE__, __LINE__, "suite bug: %s is a rule row: use uds_known_bug()",
		    row->key);

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
	if (e->bug != NULL)
		expect_deviation(row, e, "");
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
