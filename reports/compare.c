/*
 * compare.c - several JSON reports in, one matrix out (the porting audit);
 * and derive: the report the expectation table predicts for a platform.
 */
#include "report.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_REPORTS 32

void json_free_all(void);

struct entry {
	const struct tcase *c;
	int rep;
};

static int
entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	/*
	 * A behaviour is known by its name (unique in the suite), wherever a
	 * suite version kept it: rows in catalogue order, a report's program
	 * only says where that report ran it.
	 */
	int d = strcmp(x->c->id ? x->c->id : "~", y->c->id ? y->c->id : "~");
	if (d == 0)
		d = strcmp(x->c->behaviour, y->c->behaviour);
	if (d == 0)
		d = kind_rank(x->c->kind) - kind_rank(y->c->kind);
	if (d == 0)
		d = strcmp(x->c->kind, y->c->kind);
	if (d == 0)
		d = x->rep - y->rep;
	return d;
}

/*
 * "EINVAL (documented: unix(7) ...)": what the report recorded for the key
 * (the table of the suite that ran), else what this tool's table says for
 * the report's platform.
 */
static void
expectation_text(struct buf *b, const char *key, const struct report *r, const struct tcase *c)
{
	const struct uds_expect_row *row = expect_row(key);
	enum uds_platform p = uds_platform_of_name(r->id.expect_platform ? r->id.expect_platform :
	    r->id.sysname);

	if (c != NULL && c->exp_basis != NULL) {
		if (strcmp(c->exp_basis, "unknown") == 0)
			buf_puts(b, "nothing documented");
		else
			buf_printf(b, "%s (%s: %s)", c->exp_value ? c->exp_value : "absent", c->exp_basis,
			    c->exp_source ? c->exp_source : "");
		if (c->exp_bug)
			buf_printf(b, "; known deviation: %s", c->exp_bug);
		return;
	}
	if (row != NULL && p < UDS_NPLATFORMS) {
		const struct uds_expectation *e = &row->on[p];
		if (e->basis == UDS_UNKNOWN) {
			buf_puts(b, "nothing documented");
			return;
		}
		if (e->basis == UDS_ABSENT)
			buf_puts(b, "absent");
		else
			buf_puts(b, uds_expect_format(row, e->value));
		buf_printf(b, " (%s: %s)", uds_basis_word(e->basis), e->source ? e->source : "");
		if (e->bug)
			buf_printf(b, "; known deviation: %s", e->bug);
		return;
	}
	buf_puts(b, "not in the table");
}

struct cell {
	long n[O_N];
	long total;
	enum outcome worst;
	const struct tcase *first;
	const struct tcase *with_exp;   /* the first case that recorded an expectation */
	const struct tcase *with_reason;        /* the first not passed with a reason */
	struct buf sig;         /* kind=outcome/observed;... */
	const char *observed[3];
	int nobs;
	bool program_ran;
};

static const int worst_rank[O_N] = {
	[O_SKIPPED] = 1, [O_PASSED] = 2, [O_XFAIL] = 3, [O_FAILED] = 4, [O_BROKEN] = 5,
};

enum text_mode { T_MD, T_HTML, T_PLAIN };

static void
cell_text(struct buf *b, const struct cell *c, enum text_mode mode)
{
	bool first = true;

	if (!c->program_ran) {
		buf_puts(b, "not run");
		return;
	}
	if (c->total == 0) {
		buf_puts(b, "—");
		return;
	}
	static const enum outcome order[] = { O_FAILED, O_BROKEN, O_XFAIL, O_PASSED, O_SKIPPED };
	for (size_t i = 0; i < 5; i++) {
		enum outcome o = order[i];
		if (c->n[o] == 0)
			continue;
		buf_printf(b, "%s%s %ld", first ? "" : ", ", outcome_words[o], c->n[o]);
		first = false;
	}
	for (int i = 0; i < c->nobs; i++) {
		buf_puts(b, i ? ", " : "; observed ");
		if (mode == T_MD)
			put_md(b, c->observed[i], 60);
		else if (mode == T_HTML)
			put_html(b, c->observed[i]);
		else
			buf_puts(b, c->observed[i]);
	}
}

/* The report's column: where it ran, and whether the run was whole. */
static char *
label_of(const struct report *r)
{
	char s[320];

	snprintf(s, sizeof(s), "%s%s", platform_label(&r->id),
	    report_incomplete(r) ? " (incomplete run)" : "");
	return arena_strdup(s);
}

/* "outcome outcome ...", "not_run" or "none": what a cell's data-has holds for the filters. */
static void
cell_has(struct buf *b, const struct cell *c)
{
	bool first = true;

	if (!c->program_ran) {
		buf_puts(b, "not_run");
		return;
	}
	if (c->total == 0) {
		buf_puts(b, "none");
		return;
	}
	for (int o = 0; o < O_N; o++)
		if (c->n[o] > 0) {
			buf_printf(b, "%s%s", first ? "" : " ", outcome_names[o]);
			first = false;
		}
}

/* ,"key":"value" (or null) for the page's JSON data; no comma before the first. */
static void
json_field(struct buf *b, const char *key, const char *value, bool first)
{
	buf_printf(b, "%s\"%s\":", first ? "" : ",", key);
	if (value == NULL)
		buf_puts(b, "null");
	else
		put_json_str(b, value, true);
}

static char
area_of(const struct tcase *c)
{
	return c->id != NULL && c->id[0] >= 'A' && c->id[0] <= 'Z' ? c->id[0] : '?';
}

/*
 * The matrix's head: the filters (area, only the differences, text, the
 * count), the platforms, a row for each platform's outcome filter; sticky.
 */
static void
html_matrix_head(struct buf *b, const char *const *labels, int nrep)
{
	buf_puts(b, "<h2>Behaviours</h2>\n<p class=\"note\">A row per behaviour, a column per "
	    "report; each cell counts the outcomes over the kinds it ran on, with the values "
	    "observed, and takes the colour of its worst outcome. A bar on the left marks a "
	    "behaviour whose outcome or observed value differs. Click a row for its rule, its "
	    "source and per platform the documented expectation and its source.</p>\n");
	buf_printf(b, "<table id=\"matrix\"><thead>\n<tr class=\"filters\"><td colspan=\"%d\">area "
	    "<select id=\"f-area\"></select> <label><input type=\"checkbox\" id=\"f-differ\"> only "
	    "behaviours that differ</label> text <input id=\"f-text\" type=\"search\" "
	    "placeholder=\"id, program or behaviour\"> <span id=\"shown\"></span></td></tr>\n"
	    "<tr><th>id</th><th>behaviour</th>", nrep + 2);
	for (int r = 0; r < nrep; r++) {
		buf_puts(b, "<th>");
		put_html(b, labels[r]);
		buf_puts(b, "</th>");
	}
	buf_puts(b, "</tr>\n<tr class=\"colf\"><td></td><td></td>");
	for (int r = 0; r < nrep; r++)
		buf_printf(b, "<td data-col=\"%d\"></td>", r + 1);
	buf_puts(b, "</tr>\n</thead><tbody>\n");
}

static void
html_row(struct buf *b, const struct tcase *any, const struct cell *cells, int nrep,
    bool differs)
{
	buf_printf(b, "<tr data-area=\"%c\" data-differs=\"%d\"><td>", area_of(any), differs);
	put_html(b, any->id);
	buf_puts(b, "</td><td>");
	put_html(b, any->program);
	buf_putc(b, ':');
	put_html(b, any->behaviour);
	buf_puts(b, "</td>");
	for (int r = 0; r < nrep; r++) {
		buf_printf(b, "<td class=\"o-%s\" data-has=\"",
		    cells[r].total ? outcome_names[cells[r].worst] : "none");
		cell_has(b, &cells[r]);
		buf_puts(b, "\">");
		cell_text(b, &cells[r], T_HTML);
		buf_puts(b, "</td>");
	}
	buf_puts(b, "</tr>\n");
}

/* The details of a row, shown on demand: rule, source, per platform its expectation. */
static void
json_row(struct buf *b, bool comma, const struct tcase *any, const char *key,
    const struct cell *cells, const struct report *reps, int nrep, bool differs)
{
	buf_puts(b, comma ? ",\n{" : "\n{");
	json_field(b, "id", any->id, true);
	json_field(b, "program", any->program, false);
	json_field(b, "behaviour", any->behaviour, false);
	json_field(b, "descr", any->descr, false);
	json_field(b, "source", any->spec, false);
	json_field(b, "key", key, false);
	buf_printf(b, ",\"differs\":%s,\"cells\":[", differs ? "true" : "false");
	for (int r = 0; r < nrep; r++) {
		struct buf t = { 0 };
		cell_text(&t, &cells[r], T_PLAIN);
		buf_puts(b, r ? ",{" : "{");
		json_field(b, "text", t.p ? t.p : "", true);
		buf_free(&t);
		if (key != NULL) {
			expectation_text(&t, key, &reps[r], cells[r].with_exp);
			json_field(b, "expectation", t.p, false);
			buf_free(&t);
		}
		json_field(b, "reason", cells[r].with_reason ? cells[r].with_reason->reason : NULL,
		    false);
		buf_putc(b, '}');
	}
	buf_puts(b, "]}");
}

int
cmd_compare(int argc, char **argv)
{
	const char *md_path = NULL, *html_path = NULL;
	bool diff = false;
	struct report reps[MAX_REPORTS];
	const char *labels[MAX_REPORTS];
	int nrep = 0;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--diff") == 0)
			diff = true;
		else if (strcmp(argv[i], "--md") == 0 && i + 1 < argc)
			md_path = argv[++i];
		else if (strcmp(argv[i], "--html") == 0 && i + 1 < argc)
			html_path = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			die(EX_USAGE_, "compare: unknown option %s (usage: uds-report compare [--diff] "
			    "[--md FILE] [--html FILE] REPORT.json...)", argv[i]);
		else if (nrep == MAX_REPORTS)
			die(EX_USAGE_, "compare: at most %d reports", MAX_REPORTS);
		else {
			report_from_json(argv[i], &reps[nrep]);
			labels[nrep] = label_of(&reps[nrep]);
			nrep++;
		}
	}
	if (nrep < 2)
		die(EX_USAGE_, "compare: give at least two reports (usage: uds-report compare "
		    "[--diff] [--md FILE] [--html FILE] REPORT.json...)");
	/* Same labels: number them. */
	for (int a = 0; a < nrep; a++)
		for (int b2 = a + 1; b2 < nrep; b2++)
			if (strcmp(labels[a], labels[b2]) == 0) {
				char tmp[320];
				snprintf(tmp, sizeof(tmp), "%s (#%d)", labels[b2], b2 + 1);
				labels[b2] = arena_strdup(tmp);
			}

	size_t ne = 0;
	for (int r = 0; r < nrep; r++)
		ne += reps[r].ncases;
	struct entry *e = xcalloc(ne + 1, sizeof(*e));
	ne = 0;
	for (int r = 0; r < nrep; r++)
		for (size_t k = 0; k < reps[r].ncases; k++) {
			e[ne].c = &reps[r].cases[k];
			e[ne].rep = r;
			ne++;
		}
	qsort(e, ne, sizeof(*e), entry_cmp);

	struct buf md = { 0 }, html = { 0 }, jd = { 0 }, sect = { 0 };
	bool areas[27] = { false };
	char title[80];
	snprintf(title, sizeof(title), "uds-conformance: %d reports compared", nrep);
	buf_printf(&md, "# %s%s\n\n", title, diff ? " (only the behaviours that differ)" : "");
	buf_puts(&md, "| report | passed | failed | expected failures | skipped | broken | total |\n"
	    "|---|---:|---:|---:|---:|---:|---:|\n");
	html_head(&html, title, HTML_COMPARE);
	buf_printf(&html, "<h1>%s%s</h1>\n<table id=\"totals\"><tr><th>report</th><th>passed</th>"
	    "<th>failed</th><th>expected failures</th><th>skipped</th><th>broken</th><th>total</th>"
	    "</tr>\n", title, diff ? " (only the behaviours that differ)" : "");
	buf_puts(&jd, "{\"columns\":[");
	for (int r = 0; r < nrep; r++) {
		const long *n = reps[r].counts;
		buf_puts(&md, "| ");
		put_md(&md, labels[r], 200);
		buf_printf(&md, " | %ld | %ld | %ld | %ld | %ld | %zu |\n", n[O_PASSED], n[O_FAILED],
		    n[O_XFAIL], n[O_SKIPPED], n[O_BROKEN], reps[r].ncases);
		buf_puts(&html, "<tr><th>");
		put_html(&html, labels[r]);
		buf_printf(&html, "</th><td>%ld</td><td>%ld</td><td>%ld</td><td>%ld</td><td>%ld</td>"
		    "<td>%zu</td></tr>\n", n[O_PASSED], n[O_FAILED], n[O_XFAIL], n[O_SKIPPED],
		    n[O_BROKEN], reps[r].ncases);
		if (r > 0)
			buf_putc(&jd, ',');
		put_json_str(&jd, labels[r], true);
	}
	buf_puts(&jd, "],\n\"rows\":[");
	buf_puts(&html, "</table>\n");
	html_matrix_head(&html, labels, nrep);
	buf_puts(&md, "\n| id | behaviour |");
	for (int r = 0; r < nrep; r++) {
		buf_puts(&md, " ");
		put_md(&md, labels[r], 200);
		buf_puts(&md, " |");
	}
	buf_puts(&md, "\n|---|---|");
	for (int r = 0; r < nrep; r++)
		buf_puts(&md, "---|");
	buf_puts(&md, "\n");

	size_t rows = 0, differing = 0, shown = 0;
	struct cell cells[MAX_REPORTS];
	memset(cells, 0, sizeof(cells));
	for (size_t g = 0; g < ne;) {
		size_t h = g;
		while (h < ne && strcmp(e[h].c->behaviour, e[g].c->behaviour) == 0)
			h++;
		const struct tcase *any = e[g].c;
		const char *key = NULL;
		for (int r = 0; r < nrep; r++) {
			buf_free(&cells[r].sig);
			memset(&cells[r], 0, sizeof(cells[r]));
			/* Did this report run a program that holds the behaviour in some report? */
			for (size_t k = 0; k < reps[r].ncases && !cells[r].program_ran; k++)
				for (size_t q = g; q < h; q++)
					if (strcmp(reps[r].cases[k].program, e[q].c->program) == 0) {
						cells[r].program_ran = true;
						break;
					}
		}
		for (size_t k = g; k < h; k++) {
			struct cell *c = &cells[e[k].rep];
			const struct tcase *t = e[k].c;
			if (c->total == 0 || worst_rank[t->outcome] > worst_rank[c->worst])
				c->worst = t->outcome;
			c->n[t->outcome]++;
			c->total++;
			if (c->first == NULL)
				c->first = t;
			if (c->with_exp == NULL && t->exp_basis != NULL)
				c->with_exp = t;
			if (c->with_reason == NULL && t->reason != NULL && t->outcome != O_PASSED)
				c->with_reason = t;
			if (key == NULL && t->key != NULL)
				key = t->key;
			buf_printf(&c->sig, "%s=%s/%s;", t->kind, outcome_names[t->outcome],
			    t->observed ? t->observed : "");
			if (t->observed != NULL && c->nobs < 3) {
				bool seen = false;
				for (int q = 0; q < c->nobs; q++)
					seen |= strcmp(c->observed[q], t->observed) == 0;
				if (!seen)
					c->observed[c->nobs++] = t->observed;
			}
		}
		bool differs = false;
		int ref = -1;
		for (int r = 0; r < nrep; r++) {
			if (!cells[r].program_ran)
				continue;
			if (ref < 0)
				ref = r;
			else if (strcmp(cells[r].sig.p ? cells[r].sig.p : "",
			    cells[ref].sig.p ? cells[ref].sig.p : "") != 0)
				differs = true;
		}
		rows++;
		differing += differs;
		if (!diff || differs) {
			buf_puts(&md, "| ");
			put_md(&md, any->id ? any->id : "", 16);
			buf_puts(&md, " | ");
			put_md_code(&md, any->program, any->behaviour, 200, true);
			buf_puts(&md, " |");
			for (int r = 0; r < nrep; r++) {
				buf_putc(&md, ' ');
				cell_text(&md, &cells[r], T_MD);
				buf_puts(&md, " |");
			}
			buf_puts(&md, "\n");
			html_row(&html, any, cells, nrep, differs);
			json_row(&jd, shown++ > 0, any, key, cells, reps, nrep, differs);
			int ai = area_of(any) == '?' ? 26 : area_of(any) - 'A';
			areas[ai] = true;
		}
		if (diff && differs) {
			buf_puts(&sect, "\n### ");
			put_md(&sect, any->id ? any->id : "", 16);
			buf_putc(&sect, ' ');
			put_md_code(&sect, any->program, any->behaviour, 200, false);
			buf_puts(&sect, "\n\n");
			put_md(&sect, any->descr ? any->descr : "", 400);
			buf_puts(&sect, "  \nsource: ");
			put_md(&sect, any->spec ? any->spec : "(none)", 300);
			buf_puts(&sect, "\n\n");
			for (int r = 0; r < nrep; r++) {
				struct buf x = { 0 };
				cell_text(&x, &cells[r], T_MD);
				buf_puts(&sect, "- **");
				put_md(&sect, labels[r], 200);
				buf_puts(&sect, "**: ");
				buf_puts(&sect, x.p ? x.p : "");
				buf_free(&x);
				if (key != NULL) {
					struct buf ex = { 0 };
					expectation_text(&ex, key, &reps[r], cells[r].with_exp);
					buf_puts(&sect, " — expectation ");
					put_md_code(&sect, key, NULL, 100, false);
					buf_puts(&sect, ": ");
					put_md(&sect, ex.p ? ex.p : "", 500);
					buf_free(&ex);
				} else if (cells[r].first && cells[r].first->reason &&
				    cells[r].first->outcome != O_PASSED) {
					buf_puts(&sect, " — ");
					put_md(&sect, cells[r].first->reason, 300);
				}
				buf_puts(&sect, "\n");
			}
		}
		g = h;
	}
	for (int r = 0; r < nrep; r++)
		buf_free(&cells[r].sig);
	buf_printf(&md, "\n%zu behaviours, %zu with different outcomes or observed values.\n",
	    rows, differing);
	buf_printf(&html, "</tbody></table>\n<p id=\"summary\" data-rows=\"%zu\" "
	    "data-differing=\"%zu\" data-shown=\"%zu\">%zu behaviours, %zu with different outcomes "
	    "or observed values.</p>\n<div id=\"detail\"></div>\n", rows, differing, shown, rows,
	    differing);
	buf_puts(&jd, "],\n\"areas\":{");
	for (int a2 = 0, n = 0; a2 < 27; a2++)
		if (areas[a2]) {
			char letter[2] = { a2 < 26 ? (char)('A' + a2) : '?', '\0' };
			json_field(&jd, letter, area_title(letter[0]), n++ == 0);
		}
	buf_puts(&jd, "}}");
	buf_puts(&html, "<script type=\"application/json\" id=\"data\">");
	buf_add(&html, jd.p, jd.n);
	buf_puts(&html, "</script>\n");
	html_script(&html, HTML_COMPARE);
	if (sect.n > 0) {
		buf_puts(&md, "\n## The differences, with what each platform documents\n");
		buf_add(&md, sect.p, sect.n);
	}
	if (md_path != NULL)
		write_atomic(md_path, &md);
	if (html_path != NULL)
		write_atomic(html_path, &html);
	if (md_path == NULL && html_path == NULL)
		fwrite(md.p, 1, md.n, stdout);
	buf_free(&md);
	buf_free(&html);
	buf_free(&jd);
	buf_free(&sect);
	free(e);
	for (int r = 0; r < nrep; r++)
		free(reps[r].cases);
	json_free_all();
	return EX_OK;
}

/* The report the table predicts for another platform, from a real one. */
int
cmd_derive(int argc, char **argv)
{
	const char *plat_name = NULL, *release = "predicted", *in = NULL, *out = NULL;
	struct report r;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--platform") == 0 && i + 1 < argc)
			plat_name = argv[++i];
		else if (strcmp(argv[i], "--release") == 0 && i + 1 < argc)
			release = argv[++i];
		else if (in == NULL)
			in = argv[i];
		else if (out == NULL)
			out = argv[i];
		else
			die(EX_USAGE_, "derive: too many arguments");
	}
	enum uds_platform p = uds_platform_of_name(plat_name);
	if (p == UDS_NPLATFORMS || in == NULL || out == NULL)
		die(EX_USAGE_, "usage: uds-report derive --platform Linux|FreeBSD|NetBSD|OpenBSD|"
		    "Darwin|SunOS [--release R] REPORT.json OUT.json");
	report_from_json(in, &r);
	r.id.sysname = arena_strdup(plat_name);
	r.id.release = arena_strdup(release);
	r.id.version = arena_strdup("predicted from the expectation table");
	r.id.libc = arena_strdup("predicted");
	r.id.libc_version = NULL;
	r.id.compiler = NULL;
	r.id.user = NULL;
	r.id.expect_platform = arena_strdup(uds_platform_name(p));
	for (size_t i = 0; i < r.ncases; i++) {
		struct tcase *c = &r.cases[i];
		char msg[600];
		const struct uds_expect_row *row = expect_row(c->key);

		c->out.s = c->err.s = NULL;
		c->out.bytes = c->err.bytes = 0;
		c->exp_what = c->exp_value = c->exp_basis = c->exp_source = c->exp_bug = NULL;
		c->exp_platform = NULL;
		if (p != UDS_LINUX && (strstr(c->kind, "_abs") != NULL ||
		    (c->id != NULL && c->id[0] == 'C'))) {
			c->outcome = O_SKIPPED;
			snprintf(msg, sizeof(msg), "the abstract namespace is Linux-only: absent on %s",
			    uds_platform_name(p));
			c->reason = arena_strdup(msg);
			c->observed = NULL;
		} else if (p == UDS_MACOS && strncmp(c->kind, "seqpacket", 9) == 0) {
			c->outcome = O_SKIPPED;
			c->reason = arena_strdup("SOCK_SEQPACKET is not supported for AF_UNIX on macOS");
			c->observed = NULL;
		} else if (row != NULL) {
			const struct uds_expectation *ex = &row->on[p];
			case_expectation(c, p, NULL);
			c->observed = NULL;
			switch (ex->basis) {
			case UDS_ABSENT:
				c->outcome = O_SKIPPED;
				snprintf(msg, sizeof(msg), "%s: the interface is absent on %s (%s)", row->key,
				    uds_platform_name(p), ex->source);
				break;
			case UDS_UNKNOWN:
				c->outcome = O_SKIPPED;
				snprintf(msg, sizeof(msg), "%s: no documented result on %s, so nothing is "
				    "asserted", row->key, uds_platform_name(p));
				break;
			case UDS_REPORTED:
				c->outcome = O_SKIPPED;
				snprintf(msg, sizeof(msg), "%s: on %s only an unverified source says %s (%s)",
				    row->key, uds_platform_name(p), uds_expect_format(row, ex->value),
				    ex->source);
				break;
			default:
				c->outcome = ex->bug ? O_XFAIL : O_PASSED;
				c->observed = c->exp_value;
				if (ex->bug)
					snprintf(msg, sizeof(msg), "known deviation on %s: %s",
					    uds_platform_name(p), ex->bug);
				else
					msg[0] = '\0';
			}
			c->reason = msg[0] ? arena_strdup(msg) : NULL;
		} else if (c->outcome == O_XFAIL) {
			c->outcome = O_PASSED;
			c->reason = NULL;
		}
	}
	count_report(&r);
	struct buf b = { 0 };
	out_json(&r, &b, false, SIZE_MAX);
	write_atomic(out, &b);
	buf_free(&b);
	free(r.cases);
	json_free_all();
	return EX_OK;
}
