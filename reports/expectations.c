/*
 * expectations.c - `uds-report expectations`: the harness's whole
 * expectation table as a matrix for an auditor, one line per row key and
 * one column per platform, each cell "value (basis)" or "?" where nothing
 * is known, followed by every source (Markdown), or the same as JSON.
 */
#include "report.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPECT_SCHEMA "uds-conformance-expectations"
#define EXPECT_SCHEMA_VERSION 1

static const char *const basis_short[] = {
	[UDS_UNKNOWN] = "?", [UDS_DOCUMENTED] = "DOC", [UDS_OBSERVED] = "OBS",
	[UDS_REPORTED] = "REP", [UDS_ABSENT] = "ABSENT",
};

static bool
has_value(const struct uds_expectation *e)
{
	return e->basis == UDS_DOCUMENTED || e->basis == UDS_OBSERVED || e->basis == UDS_REPORTED;
}

/* The cell a platform's column shows: its own, or (gVisor) Linux's; *as_linux says which. */
static const struct uds_expectation *
column_cell(const struct uds_expect_row *row, int p, bool *as_linux)
{
	const struct uds_expectation *e = uds_expect_for(row, (enum uds_platform)p, "", NULL);

	/* The version "" matches no range: the cell outside every range. */
	*as_linux = p == UDS_GVISOR && e == &row->on[UDS_LINUX];
	return e;
}

/* One matrix cell: "EINVAL (DOC)", "absent (ABSENT)", "ENOTCONN (DOC, deviation)" or "?". */
static void
put_cell(struct buf *b, const struct uds_expect_row *row, const struct uds_expectation *e,
    bool as_linux)
{
	if (e->basis == UDS_UNKNOWN) {
		buf_puts(b, as_linux ? "? (as Linux)" : "?");
		return;
	}
	buf_printf(b, "%s (%s%s%s%s)", has_value(e) ? uds_expect_format(row, e->value) : "absent",
	    basis_short[e->basis], e->bug != NULL ? ", deviation" : "",
	    e->bug != NULL && e->tolerant ? ", fixed later" : "", as_linux ? ", as Linux" : "");
}

/* The version-gated cells of platform p, after its cell: "; before 6.10: holds (DOC, deviation)". */
static void
put_gated(struct buf *b, const struct uds_expect_row *row, int p, bool sources)
{
	for (int i = 0; i < UDS_NGATED; i++) {
		const struct uds_gated *g = &row->gated[i];

		if (g->e.source == NULL || (int)g->platform != p)
			continue;
		buf_puts(b, sources ? "\n  - " : "; ");
		if (g->since != NULL)
			buf_printf(b, "since %s%s", g->since, g->until ? ", " : "");
		if (g->until != NULL)
			buf_printf(b, "before %s", g->until);
		buf_puts(b, ": ");
		put_cell(b, row, &g->e, false);
		if (sources) {
			buf_puts(b, " — ");
			put_md(b, g->e.source, SIZE_MAX);
			if (g->e.bug != NULL) {
				buf_puts(b, "; known deviation: ");
				put_md(b, g->e.bug, SIZE_MAX);
			}
		}
	}
}

static void
count_bases(const struct uds_expect_row *const *rows, size_t n, long counts[][5])
{
	bool as_linux;

	for (size_t i = 0; i < n; i++)
		for (int p = 0; p < UDS_NPLATFORMS; p++)
			counts[p][column_cell(rows[i], p, &as_linux)->basis]++;
}

static void
out_expect_md(const struct uds_expect_row *const *rows, size_t n, struct buf *b)
{
	long counts[UDS_NPLATFORMS][5] = { { 0 } };
	bool as_linux;

	buf_printf(b, "# Platform expectations\n\n%zu rows. A cell is the expected value and its "
	    "basis (DOC documented, OBS observed in kernel source or tests, REP reported but "
	    "unverified, ABSENT interface absent); ? means nothing is known and the case only "
	    "reports what it observes. A rule row's value says whether the rule of its cases "
	    "holds; \"deviation\" marks a known bug (the case is an expected failure), \"fixed "
	    "later\" one a later release fixed. gVisor implements Linux's interface: where it "
	    "has no cell of its own it is held to Linux's (\"as Linux\"). Cells gated by "
	    "version follow the platform's cell: \"before 6.10: ...\".\n\n| key |", n);
	for (int p = 0; p < UDS_NPLATFORMS; p++)
		buf_printf(b, " %s |", uds_platform_name((enum uds_platform)p));
	buf_puts(b, "\n|---|");
	for (int p = 0; p < UDS_NPLATFORMS; p++)
		buf_puts(b, "---|");
	buf_putc(b, '\n');
	for (size_t i = 0; i < n; i++) {
		buf_puts(b, "| ");
		put_md(b, rows[i]->key, SIZE_MAX);
		buf_puts(b, " |");
		for (int p = 0; p < UDS_NPLATFORMS; p++) {
			const struct uds_expectation *e = column_cell(rows[i], p, &as_linux);

			buf_putc(b, ' ');
			put_cell(b, rows[i], e, as_linux);
			put_gated(b, rows[i], p, false);
			buf_puts(b, " |");
		}
		buf_putc(b, '\n');
	}

	count_bases(rows, n, counts);
	buf_puts(b, "\n## Counts\n\n| platform | DOC | OBS | REP | ABSENT | with a value | unknown |\n"
	    "|---|---|---|---|---|---|---|\n");
	for (int p = 0; p < UDS_NPLATFORMS; p++) {
		long *c = counts[p];
		buf_printf(b, "| %s | %ld | %ld | %ld | %ld | %ld | %ld |\n",
		    uds_platform_name((enum uds_platform)p), c[UDS_DOCUMENTED], c[UDS_OBSERVED],
		    c[UDS_REPORTED], c[UDS_ABSENT],
		    c[UDS_DOCUMENTED] + c[UDS_OBSERVED] + c[UDS_REPORTED] + c[UDS_ABSENT],
		    c[UDS_UNKNOWN]);
	}

	buf_puts(b, "\n## Sources\n");
	for (size_t i = 0; i < n; i++) {
		buf_puts(b, "\n### ");
		put_md(b, rows[i]->key, SIZE_MAX);
		buf_puts(b, "\n\n");
		put_md(b, rows[i]->what, SIZE_MAX);
		buf_printf(b, " (catalogue %s)\n\n", rows[i]->ids);
		for (int p = 0; p < UDS_NPLATFORMS; p++) {
			const struct uds_expectation *e = column_cell(rows[i], p, &as_linux);

			buf_printf(b, "- %s: ", uds_platform_name((enum uds_platform)p));
			put_cell(b, rows[i], e, as_linux);
			if (e->source != NULL) {
				buf_puts(b, " — ");
				put_md(b, e->source, SIZE_MAX);
			}
			if (e->bug != NULL) {
				buf_puts(b, "; known deviation: ");
				put_md(b, e->bug, SIZE_MAX);
			}
			put_gated(b, rows[i], p, true);
			buf_putc(b, '\n');
		}
	}
}

/* A cell as JSON: basis, value, source, bug, and where it applies. */
static void
put_json_cell(struct buf *b, const struct uds_expect_row *row, const struct uds_expectation *e)
{
	buf_printf(b, "{\"basis\": \"%s\", \"value\": ", uds_basis_word(e->basis));
	if (has_value(e))
		put_json_str(b, uds_expect_format(row, e->value), false);
	else
		buf_puts(b, "null");
	buf_puts(b, ", \"source\": ");
	if (e->source != NULL)
		put_json_str(b, e->source, false);
	else
		buf_puts(b, "null");
	buf_puts(b, ", \"bug\": ");
	if (e->bug != NULL)
		put_json_str(b, e->bug, false);
	else
		buf_puts(b, "null");
	if (e->bug != NULL)
		buf_printf(b, ", \"fixed_later\": %s", e->tolerant ? "true" : "false");
}

static void
out_expect_json(const struct uds_expect_row *const *rows, size_t n, struct buf *b)
{
	long counts[UDS_NPLATFORMS][5] = { { 0 } };

	buf_printf(b, "{\n  \"schema\": \"%s\",\n  \"schema_version\": %d,\n  \"platforms\": [",
	    EXPECT_SCHEMA, EXPECT_SCHEMA_VERSION);
	for (int p = 0; p < UDS_NPLATFORMS; p++) {
		buf_puts(b, p ? ", " : "");
		put_json_str(b, uds_platform_name((enum uds_platform)p), false);
	}
	buf_puts(b, "],\n  \"rows\": [");
	for (size_t i = 0; i < n; i++) {
		const struct uds_expect_row *row = rows[i];

		buf_puts(b, i ? ",\n    {" : "\n    {");
		buf_puts(b, "\"key\": ");
		put_json_str(b, row->key, false);
		buf_puts(b, ", \"what\": ");
		put_json_str(b, row->what, false);
		buf_puts(b, ", \"ids\": ");
		put_json_str(b, row->ids, false);
		buf_printf(b, ", \"value_kind\": \"%s\", \"on\": {",
		    row->value_kind == UDS_NUMBER ? "number" : row->value_kind == UDS_RULE ? "rule" :
		    "result");
		for (int p = 0; p < UDS_NPLATFORMS; p++) {
			bool as_linux;
			const struct uds_expectation *e = column_cell(row, p, &as_linux);

			buf_puts(b, p ? ",\n      " : "\n      ");
			put_json_str(b, uds_platform_name((enum uds_platform)p), false);
			buf_puts(b, ": ");
			put_json_cell(b, row, e);
			buf_printf(b, ", \"as_linux\": %s}", as_linux ? "true" : "false");
		}
		buf_puts(b, "}, \"gated\": [");
		for (int i = 0, k = 0; i < UDS_NGATED; i++) {
			const struct uds_gated *g = &row->gated[i];

			if (g->e.source == NULL)
				continue;
			buf_puts(b, k++ ? ", " : "");
			buf_puts(b, "{\"platform\": ");
			put_json_str(b, uds_platform_name(g->platform), false);
			buf_puts(b, ", \"since\": ");
			if (g->since != NULL)
				put_json_str(b, g->since, false);
			else
				buf_puts(b, "null");
			buf_puts(b, ", \"until\": ");
			if (g->until != NULL)
				put_json_str(b, g->until, false);
			else
				buf_puts(b, "null");
			buf_puts(b, ", \"cell\": ");
			put_json_cell(b, row, &g->e);
			buf_puts(b, "}}");
		}
		buf_puts(b, "]}");
	}
	count_bases(rows, n, counts);
	buf_puts(b, "\n  ],\n  \"counts\": {");
	for (int p = 0; p < UDS_NPLATFORMS; p++) {
		buf_puts(b, p ? ",\n    " : "\n    ");
		put_json_str(b, uds_platform_name((enum uds_platform)p), false);
		buf_puts(b, ": {");
		for (int k = 0; k < 5; k++)
			buf_printf(b, "%s\"%s\": %ld", k ? ", " : "", uds_basis_word(k), counts[p][k]);
		buf_putc(b, '}');
	}
	buf_puts(b, "\n  }\n}\n");
}

/* True when the row has a version-gated cell for platform p. */
static bool
gated_on(const struct uds_expect_row *row, enum uds_platform p)
{
	for (int i = 0; i < UDS_NGATED; i++)
		if (row->gated[i].e.source != NULL && row->gated[i].platform == p)
			return true;
	return false;
}

/* The catalogue ids of the rows, one a line, each once, in the table's order. */
static void
out_expect_ids(const struct uds_expect_row **rows, size_t n, struct buf *b)
{
	for (size_t i = 0; i < n; i++)
		for (const char *id = rows[i]->ids; *id != '\0'; id += strspn(id, " ")) {
			size_t len = strcspn(id, " ");
			bool seen = false;

			for (size_t j = 0; j < b->n && !seen; j += strcspn(b->p + j, "\n") + 1)
				seen = strncmp(b->p + j, id, len) == 0 && b->p[j + len] == '\n';
			if (!seen)
				buf_printf(b, "%.*s\n", (int)len, id);
			id += len;
		}
}

int
cmd_expectations(int argc, char **argv)
{
	const char *format = "md", *out = NULL, *gated = NULL;
	const struct uds_expect_row **rows = xcalloc(uds_expect_table_len + 1, sizeof(*rows));
	size_t n = 0;
	struct buf b = { 0 };

	for (int i = 1; i < argc; i += 2) {     /* every option takes a value */
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if ((strcmp(a, "--format") == 0 || strcmp(a, "-o") == 0 || strcmp(a, "--key") == 0 ||
		    strcmp(a, "--gated") == 0) && v == NULL)
			die(EX_USAGE_, "expectations: %s needs a value", a);
		if (strcmp(a, "--format") == 0) {
			format = v;
			if (strcmp(format, "md") != 0 && strcmp(format, "json") != 0 &&
			    strcmp(format, "ids") != 0)
				die(EX_USAGE_, "expectations: --format wants md, json or ids, not \"%s\"", v);
		} else if (strcmp(a, "--gated") == 0) {
			gated = v;
			if (uds_platform_of_name(v) == UDS_NPLATFORMS)
				die(EX_USAGE_, "expectations: --gated wants a platform (Linux, gVisor, "
				    "FreeBSD, ...), not \"%s\"", v);
		} else if (strcmp(a, "-o") == 0) {
			out = v;
		} else if (strcmp(a, "--key") == 0) {
			const struct uds_expect_row *row = uds_expect_find(v);

			if (row == NULL)
				die(EX_USAGE_, "expectations: the table has no row \"%s\"", v);
			if (n == uds_expect_table_len)
				die(EX_USAGE_, "expectations: more --key options than rows in the table");
			rows[n++] = row;
		} else {
			die(EX_USAGE_, "expectations: unknown argument %s (usage: uds-report expectations "
			    "[--format md|json|ids] [--key KEY]... [--gated PLATFORM] [-o FILE])", a);
		}
	}
	if (n == 0)
		for (; n < uds_expect_table_len; n++)
			rows[n] = &uds_expect_table[n];
	if (gated != NULL) {
		size_t kept = 0;

		for (size_t i = 0; i < n; i++)
			if (gated_on(rows[i], uds_platform_of_name(gated)))
				rows[kept++] = rows[i];
		n = kept;
	}

	if (strcmp(format, "ids") == 0)
		out_expect_ids(rows, n, &b);
	else if (strcmp(format, "json") == 0)
		out_expect_json(rows, n, &b);
	else
		out_expect_md(rows, n, &b);
	if (out != NULL) {
		write_atomic(out, &b);
	} else {
		fwrite(b.p, 1, b.n, stdout);
		if (fflush(stdout) != 0 || ferror(stdout))
			die(EX_WRITE, "cannot write the standard output");
	}
	buf_free(&b);
	free(rows);
	return EX_OK;
}
