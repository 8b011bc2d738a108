/*
 * outputs.c - JUnit XML, JSON, Markdown, HTML and TAP from one report.
 */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- JUnit */

static void
junit_prop(struct buf *b, const char *name, const char *value)
{
	if (value == NULL || *value == '\0')
		return;
	buf_printf(b, "      <property name=\"%s\" value=\"", name);
	put_xml(b, value, true);
	buf_puts(b, "\"/>\n");
}

static void
junit_case(const struct tcase *c, struct buf *b)
{
	buf_puts(b, "    <testcase name=\"");
	put_xml(b, c->name, true);
	buf_puts(b, "\" classname=\"");
	put_xml(b, c->program, true);
	buf_printf(b, "\" time=\"%.6f\">\n", c->duration);
	buf_puts(b, "     <properties>\n");
	junit_prop(b, "outcome", outcome_names[c->outcome]);
	junit_prop(b, "id", c->id);
	junit_prop(b, "spec", c->spec);
	junit_prop(b, "kind", c->kind);
	junit_prop(b, "descr", c->descr);
	if (c->outcome == O_XFAIL)
		junit_prop(b, "expected_failure", c->reason ? c->reason : "expected failure");
	junit_prop(b, "expectation.key", c->key);
	junit_prop(b, "expectation.value", c->exp_value);
	junit_prop(b, "expectation.basis", c->exp_basis);
	junit_prop(b, "expectation.source", c->exp_source);
	junit_prop(b, "observed", c->observed);
	buf_puts(b, "     </properties>\n");
	const char *reason = c->reason ? c->reason : "";
	switch (c->outcome) {
	case O_PASSED:
		break;
	case O_SKIPPED:
		buf_puts(b, "     <skipped message=\"");
		put_xml(b, reason, true);
		buf_puts(b, "\"/>\n");
		break;
	case O_XFAIL:
		/* The convention pytest set: an expected failure is a skip of type xfail. */
		buf_puts(b, "     <skipped type=\"expected_failure\" message=\"expected failure: ");
		put_xml(b, reason, true);
		buf_puts(b, "\"/>\n");
		break;
	case O_FAILED:
	case O_BROKEN:
		buf_printf(b, "     <%s type=\"%s\" message=\"",
		    c->outcome == O_FAILED ? "failure" : "error", outcome_names[c->outcome]);
		put_xml(b, reason, true);
		buf_puts(b, "\">");
		put_xml(b, reason, false);
		if (c->spec != NULL) {
			buf_puts(b, "\nsource: ");
			put_xml(b, c->spec, false);
		}
		buf_printf(b, "</%s>\n", c->outcome == O_FAILED ? "failure" : "error");
		break;
	default:
		break;
	}
	if (c->out.s != NULL) {
		buf_puts(b, "     <system-out>");
		put_xml(b, c->out.s, false);
		buf_puts(b, "</system-out>\n");
	}
	if (c->err.s != NULL) {
		buf_puts(b, "     <system-err>");
		put_xml(b, c->err.s, false);
		buf_puts(b, "</system-err>\n");
	}
	buf_puts(b, "    </testcase>\n");
}

void
out_junit(const struct report *r, struct buf *b)
{
	buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	buf_printf(b, "<testsuites name=\"uds-conformance\" tests=\"%zu\" failures=\"%ld\" "
	    "errors=\"%ld\" skipped=\"%ld\" time=\"%.3f\">\n", r->ncases, r->counts[O_FAILED],
	    r->counts[O_BROKEN], r->counts[O_SKIPPED] + r->counts[O_XFAIL], r->duration);
	for (size_t i = 0; i < r->ncases;) {
		size_t j = i;
		long n[O_N] = { 0 };
		double t = 0;

		while (j < r->ncases && strcmp(r->cases[j].program, r->cases[i].program) == 0) {
			n[r->cases[j].outcome]++;
			t += r->cases[j].duration;
			j++;
		}
		buf_puts(b, "  <testsuite name=\"");
		put_xml(b, r->cases[i].program, true);
		buf_printf(b, "\" tests=\"%zu\" failures=\"%ld\" errors=\"%ld\" skipped=\"%ld\" "
		    "time=\"%.3f\"", j - i, n[O_FAILED], n[O_BROKEN], n[O_SKIPPED] + n[O_XFAIL], t);
		if (r->id.date != NULL)
			buf_printf(b, " timestamp=\"%.19s\"", r->id.date);
		buf_puts(b, ">\n   <properties>\n");
		junit_prop(b, "platform", r->id.sysname);
		junit_prop(b, "release", r->id.release);
		junit_prop(b, "machine", r->id.machine);
		junit_prop(b, "expected_failures", "expected failures are <skipped type=\"expected_failure\">");
		char num[32];
		snprintf(num, sizeof(num), "%ld", n[O_XFAIL]);
		junit_prop(b, "expected_failure_count", num);
		if (report_incomplete(r))
			junit_prop(b, "incomplete", incomplete_sentence(r));
		buf_puts(b, "   </properties>\n");
		for (size_t k = i; k < j; k++)
			junit_case(&r->cases[k], b);
		buf_puts(b, "  </testsuite>\n");
		i = j;
	}
	buf_puts(b, "</testsuites>\n");
}

/* ----------------------------------------------------------------- JSON */

static void
jkey(struct buf *b, const char *k, bool *first)
{
	if (!*first)
		buf_putc(b, ',');
	*first = false;
	buf_printf(b, "\"%s\":", k);
}

static void
jstrf(struct buf *b, const char *k, const char *v, bool *first, bool hs)
{
	jkey(b, k, first);
	if (v == NULL)
		buf_puts(b, "null");
	else
		put_json_str(b, v, hs);
}

/* Cut s to about max bytes (head and tail, on character boundaries) for the page. */
static void
put_shortened(struct buf *b, const char *s, size_t n, size_t max, bool hs)
{
	size_t head = max - max / 4, tail_at = n - max / 4;

	while (head > 0 && ((unsigned char)s[head] & 0xC0) == 0x80)
		head--;
	while (tail_at < n && ((unsigned char)s[tail_at] & 0xC0) == 0x80)
		tail_at++;
	struct buf t = { 0 };
	buf_add(&t, s, head);
	buf_puts(&t, "\n[... shortened for this page: report.json has the whole bounded output ...]\n");
	buf_add(&t, s + tail_at, n - tail_at);
	put_json_str(b, t.p, hs);
	buf_free(&t);
}

static void
json_text(struct buf *b, const char *k, const struct text *t, bool *first, bool hs,
    size_t max)
{
	size_t n;

	jkey(b, k, first);
	if (t->s == NULL || max == 0) {
		buf_puts(b, "null");
		return;
	}
	n = strlen(t->s);
	if (n > max && n - max > 128)
		put_shortened(b, t->s, n, max, hs);
	else
		put_json_str(b, t->s, hs);
}

static void
json_identity(const struct identity *id, struct buf *b, bool hs)
{
	bool f = true;

	buf_putc(b, '{');
	jstrf(b, "sysname", id->sysname, &f, hs);
	jstrf(b, "release", id->release, &f, hs);
	jstrf(b, "version", id->version, &f, hs);
	jstrf(b, "machine", id->machine, &f, hs);
	jstrf(b, "libc", id->libc, &f, hs);
	jstrf(b, "libc_version", id->libc_version, &f, hs);
	jstrf(b, "compiler", id->compiler, &f, hs);
	jstrf(b, "kyua_version", id->kyua_version, &f, hs);
	jstrf(b, "suite_version", id->suite_version, &f, hs);
	jstrf(b, "suite_revision", id->suite_revision, &f, hs);
	jstrf(b, "date", id->date, &f, hs);
	jkey(b, "parallelism", &f);
	if (id->parallelism > 0)
		buf_printf(b, "%ld", id->parallelism);
	else
		buf_puts(b, "null");
	jstrf(b, "user", id->user, &f, hs);
	jstrf(b, "expect_platform", id->expect_platform, &f, hs);
	jstrf(b, "platform_version", id->platform_version, &f, hs);
	buf_putc(b, '}');
}

void
out_json(const struct report *r, struct buf *b, bool hs, size_t max_output)
{
	bool f = true;

	buf_printf(b, "{\"schema\":\"%s\",\"schema_version\":%d,\"generator\":\"uds-report\",\n"
	    "\"platform\":", REPORT_SCHEMA, REPORT_SCHEMA_VERSION);
	json_identity(&r->id, b, hs);
	buf_printf(b, ",\n\"totals\":{\"total\":%zu", r->ncases);
	for (int o = 0; o < O_N; o++)
		buf_printf(b, ",\"%s\":%ld", outcome_names[o], r->counts[o]);
	buf_printf(b, ",\"duration\":%.6f},\n\"incomplete\":", r->duration);
	if (report_incomplete(r)) {
		bool g = false;         /* members before the message */
		buf_printf(b, "{\"rolled_back\":%s,\"unfinished\":%zu,\"recovered\":%zu,"
		    "\"listed\":%s", r->rolled_back ? "true" : "false", r->nunfinished,
		    r->nrecovered, r->listed ? "true" : "false");
		jstrf(b, "message", incomplete_sentence(r), &g, hs);
		buf_putc(b, '}');
	} else {
		buf_puts(b, "null");
	}
	buf_puts(b, ",\n\"cases\":[");
	for (size_t i = 0; i < r->ncases; i++) {
		const struct tcase *c = &r->cases[i];
		char area[2] = { c->id && c->id[0] >= 'A' && c->id[0] <= 'Z' ? c->id[0] : '?', '\0' };

		buf_puts(b, i ? ",\n{" : "\n{");
		f = true;
		jstrf(b, "program", c->program, &f, hs);
		jstrf(b, "name", c->name, &f, hs);
		jstrf(b, "behaviour", c->behaviour, &f, hs);
		jstrf(b, "id", c->id, &f, hs);
		jstrf(b, "area", area, &f, hs);
		jstrf(b, "kind", c->kind, &f, hs);
		jstrf(b, "outcome", outcome_names[c->outcome], &f, hs);
		if (c->unfinished) {
			jkey(b, "unfinished", &f);
			buf_puts(b, "true");
		}
		if (c->recovered) {
			jkey(b, "recovered", &f);
			buf_puts(b, "true");
		}
		jstrf(b, "reason", c->reason, &f, hs);
		jkey(b, "duration", &f);
		buf_printf(b, "%.6f", c->duration);
		jstrf(b, "descr", c->descr, &f, hs);
		jstrf(b, "source", c->spec, &f, hs);
		jkey(b, "expectation", &f);
		if (c->key == NULL) {
			buf_puts(b, "null");
		} else {
			bool g = true;
			buf_putc(b, '{');
			jstrf(b, "key", c->key, &g, hs);
			jstrf(b, "what", c->exp_what, &g, hs);
			jstrf(b, "platform", c->exp_platform, &g, hs);
			jstrf(b, "basis", c->exp_basis, &g, hs);
			jstrf(b, "value", c->exp_value, &g, hs);
			jstrf(b, "source", c->exp_source, &g, hs);
			jstrf(b, "bug", c->exp_bug, &g, hs);
			buf_putc(b, '}');
		}
		jstrf(b, "observed", c->observed, &f, hs);
		json_text(b, "stdout", &c->out, &f, hs, max_output);
		jkey(b, "stdout_bytes", &f);
		buf_printf(b, "%zu", c->out.bytes);
		json_text(b, "stderr", &c->err, &f, hs, max_output);
		jkey(b, "stderr_bytes", &f);
		buf_printf(b, "%zu", c->err.bytes);
		buf_putc(b, '}');
	}
	buf_puts(b, "\n]}\n");
}

/* ------------------------------------------------------------- Markdown */

#define MD_LIST_MAX 100

static void
md_list(const struct report *r, struct buf *b, enum outcome o, enum outcome o2,
    const char *title)
{
	long n = r->counts[o] + (o2 != o ? r->counts[o2] : 0), shown = 0;

	if (n == 0)
		return;
	buf_printf(b, "\n## %s (%ld)\n\n", title, n);
	if (n > 10)
		buf_printf(b, "<details><summary>%ld cases</summary>\n\n", n);
	for (size_t i = 0; i < r->ncases; i++) {
		const struct tcase *c = &r->cases[i];
		if (c->outcome != o && c->outcome != o2)
			continue;
		if (shown++ == MD_LIST_MAX) {
			buf_printf(b, "- … and %ld more (see report.json)\n", n - MD_LIST_MAX);
			break;
		}
		buf_puts(b, "- ");
		put_md_code(b, c->program, c->name, 200, false);
		if (c->id != NULL) {
			buf_puts(b, " (");
			put_md(b, c->id, 16);
			buf_putc(b, ')');
		}
		if (c->outcome == O_BROKEN)
			buf_puts(b, " **broken**");
		buf_puts(b, ": ");
		put_md(b, c->reason ? c->reason : "", 400);
		if (c->spec != NULL) {
			buf_puts(b, " — source: ");
			put_md(b, c->spec, 200);
		}
		buf_putc(b, '\n');
	}
	if (n > 10)
		buf_puts(b, "\n</details>\n");
}

void
out_md(const struct report *r, struct buf *b)
{
	long area[27][O_N];

	memset(area, 0, sizeof(area));
	for (size_t i = 0; i < r->ncases; i++) {
		const struct tcase *c = &r->cases[i];
		int a = c->id && c->id[0] >= 'A' && c->id[0] <= 'Z' ? c->id[0] - 'A' : 26;
		area[a][c->outcome]++;
	}
	buf_puts(b, "# uds-conformance on ");
	put_md(b, platform_label(&r->id), 256);
	buf_printf(b, "\n\n**%zu cases: %ld passed, %ld failed, %ld expected failures, "
	    "%ld skipped, %ld broken** (%.1f s of case time", r->ncases, r->counts[O_PASSED],
	    r->counts[O_FAILED], r->counts[O_XFAIL], r->counts[O_SKIPPED], r->counts[O_BROKEN],
	    r->duration);
	if (r->id.date)
		buf_printf(b, "; run %s", r->id.date);
	buf_puts(b, ")\n\n");
	if (report_incomplete(r)) {
		size_t shown = 0;
		buf_puts(b, "> **Incomplete run.** ");
		put_md(b, incomplete_sentence(r), 600);
		for (size_t i = 0; i < r->ncases && shown < 20; i++) {
			if (!r->cases[i].unfinished)
				continue;
			buf_puts(b, shown++ ? ", " : r->listed ? " No result: " : " Never finished: ");
			put_md_code(b, r->cases[i].program, r->cases[i].name, 200, false);
		}
		if (r->nunfinished > shown)
			buf_printf(b, " and %zu more", r->nunfinished - shown);
		buf_puts(b, r->nunfinished > 0 ? ".\n\n" : "\n\n");
	}
	buf_puts(b, "| area | | passed | failed | expected failures | skipped | broken |\n"
	    "|---|---|---:|---:|---:|---:|---:|\n");
	for (int a = 0; a < 27; a++) {
		long t = 0;
		for (int o = 0; o < O_N; o++)
			t += area[a][o];
		if (t == 0)
			continue;
		buf_printf(b, "| %c | %s | %ld | %ld | %ld | %ld | %ld |\n", a < 26 ? 'A' + a : '?',
		    area_title(a < 26 ? (char)('A' + a) : '?'), area[a][O_PASSED], area[a][O_FAILED],
		    area[a][O_XFAIL], area[a][O_SKIPPED], area[a][O_BROKEN]);
	}
	buf_printf(b, "| | **all** | **%ld** | **%ld** | **%ld** | **%ld** | **%ld** |\n",
	    r->counts[O_PASSED], r->counts[O_FAILED], r->counts[O_XFAIL], r->counts[O_SKIPPED],
	    r->counts[O_BROKEN]);
	md_list(r, b, O_FAILED, O_BROKEN, "Failures");
	md_list(r, b, O_XFAIL, O_XFAIL, "Expected failures (known deviations)");
	if (r->counts[O_SKIPPED] > 0) {
		buf_printf(b, "\n<details><summary>%ld skipped</summary>\n\n", r->counts[O_SKIPPED]);
		long shown = 0;
		for (size_t i = 0; i < r->ncases; i++) {
			const struct tcase *c = &r->cases[i];
			if (c->outcome != O_SKIPPED)
				continue;
			if (shown++ == MD_LIST_MAX) {
				buf_printf(b, "- … and %ld more\n", r->counts[O_SKIPPED] - MD_LIST_MAX);
				break;
			}
			buf_puts(b, "- ");
			put_md_code(b, c->program, c->name, 200, false);
			buf_puts(b, ": ");
			put_md(b, c->reason ? c->reason : "", 200);
			buf_putc(b, '\n');
		}
		buf_puts(b, "\n</details>\n");
	}
	buf_puts(b, "\n<sub>");
	put_md(b, r->id.libc ? r->id.libc : "", 40);
	buf_putc(b, ' ');
	put_md(b, r->id.libc_version ? r->id.libc_version : "", 40);
	buf_puts(b, ", ");
	put_md(b, r->id.compiler ? r->id.compiler : "", 80);
	buf_puts(b, ", ");
	put_md(b, r->id.kyua_version ? r->id.kyua_version : "kyua", 80);
	buf_puts(b, ", uds-conformance ");
	put_md(b, r->id.suite_version ? r->id.suite_version : "", 40);
	if (r->id.suite_revision) {
		buf_putc(b, ' ');
		put_md(b, r->id.suite_revision, 60);
	}
	buf_puts(b, "</sub>\n");
}

/* ------------------------------------------------------------------ TAP */

void
out_tap(const struct report *r, struct buf *b)
{
	buf_printf(b, "TAP version 13\n1..%zu\n", r->ncases);
	for (size_t i = 0; i < r->ncases; i++) {
		const struct tcase *c = &r->cases[i];
		bool ok = c->outcome == O_PASSED || c->outcome == O_SKIPPED;

		buf_printf(b, "%s %zu - ", ok ? "ok" : "not ok", i + 1);
		put_oneline(b, c->program, 200, true);
		buf_putc(b, ':');
		put_oneline(b, c->name, 200, true);
		if (c->outcome == O_SKIPPED) {
			buf_puts(b, " # SKIP ");
			put_oneline(b, c->reason ? c->reason : "", 500, true);
		} else if (c->outcome == O_XFAIL) {
			buf_puts(b, " # TODO ");
			put_oneline(b, c->reason ? c->reason : "expected failure", 500, true);
		}
		buf_putc(b, '\n');
		if (c->outcome == O_FAILED || c->outcome == O_BROKEN) {
			buf_printf(b, "  ---\n  outcome: %s\n  message: ", outcome_names[c->outcome]);
			put_json_str(b, c->reason ? c->reason : "", false);
			if (c->id) {
				buf_puts(b, "\n  id: ");
				put_json_str(b, c->id, false);
			}
			if (c->spec) {
				buf_puts(b, "\n  source: ");
				put_json_str(b, c->spec, false);
			}
			buf_puts(b, "\n  ...\n");
		}
	}
	if (report_incomplete(r)) {
		/* TAP's own word for a run that stopped before its end. */
		buf_puts(b, "Bail out! ");
		put_oneline(b, incomplete_sentence(r), 600, true);
		buf_putc(b, '\n');
	}
}

/* ----------------------------------------------------------------- HTML */

#include "html_page.inc"

/* Everything before the page's body: title, the common CSS and the page's. */
void
html_head(struct buf *b, const char *title, enum html_page page)
{
	buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	put_html(b, title);
	buf_puts(b, "</title>\n<style>");
	buf_puts(b, html_css_common);
	buf_puts(b, page == HTML_COMPARE ? html_css_compare : html_css_report);
	buf_puts(b, "</style></head>\n<body>\n");
}

/* The page's script (the common part, then the page's) and the end of the page. */
void
html_script(struct buf *b, enum html_page page)
{
	if (page == HTML_COMPARE)
		buf_puts(b, html_noscript_compare);
	/* The harness's canonical kind order, which the script sorts by. */
	buf_puts(b, "<script type=\"application/json\" id=\"kind-order\">[");
	for (int rank = 1;; rank++) {
		const char *k = uds_kind_name_at(rank);

		if (k == NULL)
			break;
		buf_printf(b, "%s\"%s\"", rank > 1 ? "," : "", k);
	}
	buf_puts(b, "]</script>\n<script>");
	buf_puts(b, html_js_common);
	buf_puts(b, page == HTML_COMPARE ? html_js_compare : html_js_report);
	buf_puts(b, html_js_end);
	buf_puts(b, "</script>\n</body></html>\n");
}

void
out_html(const struct report *r, struct buf *b, size_t max_output)
{
	struct buf title = { 0 };

	buf_printf(&title, "uds-conformance on %s", platform_label(&r->id));
	html_head(b, title.p, HTML_REPORT);
	buf_free(&title);
	buf_puts(b, "<h1>uds-conformance on ");
	put_html(b, platform_label(&r->id));
	buf_puts(b, "</h1>\n");
	if (report_incomplete(r)) {
		buf_puts(b, "<p class=\"incomplete\" role=\"alert\"><strong>Incomplete run.</strong> ");
		put_html(b, incomplete_sentence(r));
		buf_puts(b, "</p>\n");
	}
	buf_printf(b, "<p class=\"static-counts\" data-total=\"%zu\" data-passed=\"%ld\" "
	    "data-failed=\"%ld\" data-xfail=\"%ld\" data-skipped=\"%ld\" data-broken=\"%ld\">"
	    "%zu cases: %ld passed, %ld failed, %ld expected failures, %ld skipped, %ld broken"
	    "</p>\n", r->ncases, r->counts[O_PASSED], r->counts[O_FAILED], r->counts[O_XFAIL],
	    r->counts[O_SKIPPED], r->counts[O_BROKEN], r->ncases, r->counts[O_PASSED],
	    r->counts[O_FAILED], r->counts[O_XFAIL], r->counts[O_SKIPPED], r->counts[O_BROKEN]);
	buf_puts(b, html_body);
	buf_puts(b, "<script type=\"application/json\" id=\"data\">");
	out_json(r, b, true, max_output);
	buf_puts(b, "</script>\n");
	html_script(b, HTML_REPORT);
}
