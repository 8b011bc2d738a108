/*
 * check.c - failing, skipping and noting, in the case process and in its
 * children alike.  A child cannot fail the ATF case itself (it would write
 * the case's result file behind the parent's back), so inside a child a
 * failure travels up the report pipe and the parent turns it into the
 * case's failure.
 */
#include "uds_internal.h"

#include <atf-c.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int uds_child_report_fd = -1;

static const struct {
	int value;
	const char *name;
} errno_names[] = {
#include "errno_names.inc"
};

const char *
uds_errno_name(int err)
{
	static char unknown[4][24];
	static int next;
	char *buf;

	for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (errno_names[i].value == err)
			return errno_names[i].name;
	buf = unknown[next++ % 4];
	snprintf(buf, sizeof(unknown[0]), "E?%d", err);
	return buf;
}

/* Inside a child: hand the message to the parent and end the child. */
static void __attribute__((noreturn))
child_report(char tag, const char *msg)
{
	size_t len = strlen(msg);
	ssize_t rc;

	rc = write(uds_child_report_fd, &tag, 1);
	if (rc == 1)
		rc = write(uds_child_report_fd, msg, len);
	(void)rc;
	_exit(tag == 'S' ? UDS_CHILD_SKIPPED : UDS_CHILD_FAILED);
}

/* Set by uds_tolerate_failure(): a failure in this case is an expected one, and why. */
static char tolerated[1024];

void
uds_fail_at(const char *file, int line, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (uds_child_report_fd != -1) {
		char located[2300];

		snprintf(located, sizeof(located), "%s:%d: %s", file, line, msg);
		child_report('F', located);
	}
	if (uds_in_thread()) {
		char located[2300];

		snprintf(located, sizeof(located), "%s:%d: %s", file, line, msg);
		uds_thread_report('F', located);
	}
	if (tolerated[0] != '\0')
		atf_tc_expect_fail("known bug: %s", tolerated);
	atf_tc_fail_requirement(file, (size_t)line, "%s", msg);
}

void
uds_tolerate_failure(const char *fmt, ...)
{
	va_list ap;

	if (tolerated[0] != '\0')
		return;         /* the first known bug a case names is the one a failure cites */
	va_start(ap, fmt);
	vsnprintf(tolerated, sizeof(tolerated), fmt, ap);
	va_end(ap);
}

void
uds_skip(const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
#ifdef UDS_LINUX_FEATURES_OFF
	snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg),
	    " [built with -Dlinux_features=false: Linux-only features forced off]");
#endif
	if (uds_child_report_fd != -1)
		child_report('S', msg);
	if (uds_in_thread())
		uds_thread_report('S', msg);
	atf_tc_skip("%s", msg);
}

void
uds_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

long
uds_ok_at(const char *file, int line, const char *what, long rc)
{
	int err = errno;

	if (rc == -1)
		uds_fail_at(file, line, "%s failed: %s (%s)", what, uds_errno_name(err),
		    strerror(err));
	return rc;
}

void
uds_fails_with_at(const char *file, int line, const char *what, int want, long rc)
{
	int err = errno;

	if (rc != -1)
		uds_fail_at(file, line, "%s: expected -1 with %s, got %ld", what,
		    uds_errno_name(want), rc);
	if (err != want)
		uds_fail_at(file, line, "%s: expected %s, got %s (%s)", what,
		    uds_errno_name(want), uds_errno_name(err), strerror(err));
}

void
uds_eq_at(const char *file, int line, const char *what, long long actual, long long expected)
{
	if (actual != expected)
		uds_fail_at(file, line, "%s: expected %lld, got %lld", what, expected, actual);
}
