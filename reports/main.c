/*
 * uds-report - kyua's results database in, JUnit XML, JSON, Markdown, HTML
 * and TAP out; compare several JSON reports; print the expectation table
 * (see reports/README.md).
 */
#include "report.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void json_free_all(void);

#ifndef UDS_SUITE_VERSION
#define UDS_SUITE_VERSION "unknown"
#endif

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: uds-report [options] RESULTS.db\n"
	    "  --out-dir DIR        write junit.xml report.json report.md report.html report.tap\n"
	    "  --junit FILE  --json FILE  --md FILE  --html FILE  --tap FILE\n"
	    "  --kyua-version TEXT  --parallelism N  --suite-revision TEXT\n"
	    "  --max-output BYTES   bound on each case's stdout/stderr (default 65536; 0: none)\n"
	    "  --reproducible       fixed platform identity (golden files)\n"
	    "  --identity-of REPORT.json  the platform identity of an earlier report of the same\n"
	    "                       run (made where it ran: a guest, a sandbox); expectations as there\n"
	    "  --summary            print the counts on one line\n"
	    "  --kyua-list FILE --kyua-log FILE  a run kyua did not finish: the cases of\n"
	    "                       `kyua list --verbose` the database lacks, with the results\n"
	    "                       `kyua test` printed (its output), the others unfinished\n"
	    "       uds-report compare [--diff] [--md FILE] [--html FILE] REPORT.json...\n"
	    "       uds-report derive --platform NAME [--release R] REPORT.json OUT.json\n"
	    "       uds-report expectations [--format md|json|ids] [--key KEY]... [--gated PLATFORM]\n"
	    "                           [-o FILE]\n");
}

static char *
join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = xmalloc(n);
	snprintf(p, n, "%s/%s", dir, name);
	char *q = arena_strdup(p);
	free(p);
	return q;
}

int
main(int argc, char **argv)
{
	const char *db = NULL, *paths[5] = { NULL }, *outdir = NULL;
	const char *kyua_version = NULL, *revision = NULL, *identity_of = NULL;
	const char *kyua_list = NULL, *kyua_log = NULL;
	long parallelism = -1;
	size_t max_output = 65536;
	bool reproducible = false, summary = false;
	static struct report r;
	enum { P_JUNIT, P_JSON, P_MD, P_HTML, P_TAP };

	if (argc >= 2 && strcmp(argv[1], "compare") == 0) {
		int rc = cmd_compare(argc - 1, argv + 1);
		arena_free_all();
		return rc;
	}
	if (argc >= 2 && strcmp(argv[1], "expectations") == 0) {
		int rc = cmd_expectations(argc - 1, argv + 1);
		arena_free_all();
		return rc;
	}
	if (argc >= 2 && strcmp(argv[1], "derive") == 0) {
		int rc = cmd_derive(argc - 1, argv + 1);
		arena_free_all();
		return rc;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		int take = 1;

		if (strcmp(a, "--version") == 0) {
			printf("uds-report %s (report schema %d, kyua results schema %d)\n",
			    UDS_SUITE_VERSION, REPORT_SCHEMA_VERSION, KYUA_SCHEMA_VERSION);
			return EX_OK;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return EX_OK;
		} else if (strcmp(a, "--reproducible") == 0) {
			reproducible = true;
			take = 0;
		} else if (strcmp(a, "--summary") == 0) {
			summary = true;
			take = 0;
		} else if (a[0] == '-' && a[1] == '-' && v == NULL) {
			die(EX_USAGE_, "%s needs a value", a);
		} else if (strcmp(a, "--out-dir") == 0) {
			outdir = v;
		} else if (strcmp(a, "--junit") == 0) {
			paths[P_JUNIT] = v;
		} else if (strcmp(a, "--json") == 0) {
			paths[P_JSON] = v;
		} else if (strcmp(a, "--md") == 0) {
			paths[P_MD] = v;
		} else if (strcmp(a, "--html") == 0) {
			paths[P_HTML] = v;
		} else if (strcmp(a, "--tap") == 0) {
			paths[P_TAP] = v;
		} else if (strcmp(a, "--kyua-version") == 0) {
			kyua_version = v;
		} else if (strcmp(a, "--suite-revision") == 0) {
			revision = v;
		} else if (strcmp(a, "--kyua-list") == 0) {
			kyua_list = v;
		} else if (strcmp(a, "--kyua-log") == 0) {
			kyua_log = v;
		} else if (strcmp(a, "--identity-of") == 0) {
			identity_of = v;
		} else if (strcmp(a, "--parallelism") == 0) {
			char *end;
			parallelism = strtol(v, &end, 10);
			if (*end != '\0' || parallelism < 1)
				die(EX_USAGE_, "--parallelism wants a positive number, not \"%s\"", v);
		} else if (strcmp(a, "--max-output") == 0) {
			char *end;
			long long m = strtoll(v, &end, 10);
			if (*end != '\0' || (m != 0 && m < 256) || m > (1LL << 30))
				die(EX_USAGE_, "--max-output wants 0 (no output) or a number of bytes "
				    "from 256 to 2^30");
			max_output = (size_t)m;
		} else if (a[0] == '-' && a[1] != '\0') {
			die(EX_USAGE_, "unknown option %s (uds-report --help lists them)", a);
		} else if (db == NULL) {
			db = a;
			take = 0;
		} else {
			die(EX_USAGE_, "one results database at a time (got %s and %s)", db, a);
		}
		i += take;
	}
	if (db == NULL) {
		die(EX_USAGE_, "no results database given (uds-report --help shows the usage)");
	}
	if ((kyua_list == NULL) != (kyua_log == NULL))
		die(EX_USAGE_, "--kyua-list and --kyua-log go together (kyua's list of the run and "
		    "what kyua test printed)");
	if (outdir != NULL) {
		static const char *const names[] = { "junit.xml", "report.json", "report.md",
			"report.html", "report.tap" };
		for (int k = 0; k < 5; k++)
			if (paths[k] == NULL)
				paths[k] = join(outdir, names[k]);
	}

	if (identity_of != NULL) {
		/* Where the run was: an earlier report's platform, expectations as there. */
		static struct report old;

		report_from_json(identity_of, &old);
		enum uds_platform p = uds_platform_of_name(old.id.expect_platform);
		if (p == UDS_NPLATFORMS)
			die(EX_BADJSON, "%s names no platform this tool knows (expect_platform \"%s\")",
			    identity_of, old.id.expect_platform ? old.id.expect_platform : "");
		load_db(db, &r, max_output, p, old.id.platform_version, kyua_list, kyua_log);
		char *date = r.id.date;
		r.id = old.id;
		r.id.date = date;
		r.id.suite_version = arena_strdup(UDS_SUITE_VERSION);
		if (kyua_version != NULL)
			r.id.kyua_version = arena_strdup(kyua_version);
		if (revision != NULL)
			r.id.suite_revision = utf8_clean(revision, strlen(revision));
		if (parallelism != -1)
			r.id.parallelism = parallelism;
	} else {
		load_db(db, &r, max_output, uds_platform(), uds_platform_version(), kyua_list,
		    kyua_log);
		r.id.kyua_version = kyua_version ? arena_strdup(kyua_version) : NULL;
		fill_identity(&r.id, r.id.date, reproducible);
		r.id.suite_revision = revision ? utf8_clean(revision, strlen(revision)) : NULL;
		r.id.parallelism = parallelism;
	}

	bool any = false;
	for (int k = 0; k < 5; k++) {
		struct buf b = { 0 };
		if (paths[k] == NULL)
			continue;
		any = true;
		switch (k) {
		case P_JUNIT: out_junit(&r, &b); break;
		case P_JSON: out_json(&r, &b, false, SIZE_MAX); break;
		case P_MD: out_md(&r, &b); break;
		case P_HTML: out_html(&r, &b, max_output < 16384 ? max_output : 16384); break;
		case P_TAP: out_tap(&r, &b); break;
		}
		write_atomic(paths[k], &b);
		buf_free(&b);
	}
	if (!any && !summary) {
		struct buf b = { 0 };
		out_md(&r, &b);
		fwrite(b.p, 1, b.n, stdout);
		buf_free(&b);
	}
	if (summary)
		printf("total=%zu passed=%ld failed=%ld expected_failure=%ld skipped=%ld broken=%ld "
		    "unfinished=%zu rolled_back=%d recovered=%zu\n", r.ncases, r.counts[O_PASSED],
		    r.counts[O_FAILED], r.counts[O_XFAIL], r.counts[O_SKIPPED], r.counts[O_BROKEN],
		    r.nunfinished, r.rolled_back, r.nrecovered);
	if (fflush(stdout) != 0)
		die(EX_WRITE, "cannot write the standard output");
	free(r.cases);
	arena_free_all();
	return EX_OK;
}
