/*
 * db.c - reads kyua's results database (schema version 3) through
 * libsqlite3, and works out the platform's identity and each case's
 * expectation from the harness's table.
 */
#include "report.h"

#include <errno.h>
#include <pwd.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <gnu/libc-version.h>
#endif

#ifndef UDS_SUITE_VERSION
#define UDS_SUITE_VERSION "unknown"
#endif

static sqlite3 *db;

static void
close_db(void)
{
	sqlite3_stmt *st;

	if (db == NULL)
		return;
	/* A die() in the middle of a query leaves its statement open. */
	while ((st = sqlite3_next_stmt(db, NULL)) != NULL)
		sqlite3_finalize(st);
	sqlite3_close(db);
	db = NULL;
}

static sqlite3_stmt *
prepare(const char *path, const char *sql)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		char msg[256];
		int code = sqlite3_errcode(db) & 0xFF;
		snprintf(msg, sizeof(msg), "%s", sqlite3_errmsg(db));
		close_db();
		if (code == SQLITE_CORRUPT)
			die(EX_NOTDB, "results database %s is damaged or truncated (%s)", path, msg);
		die(EX_NOTDB, "%s is not a kyua results database (%s)", path, msg);
	}
	return st;
}

static int
step(const char *path, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		char msg[256];
		int code = rc & 0xFF;
		snprintf(msg, sizeof(msg), "%s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
		close_db();
		if (code == SQLITE_CORRUPT)
			die(EX_NOTDB, "results database %s is damaged or truncated (%s)", path, msg);
		die(EX_NOTDB, "%s cannot be read as a kyua results database (%s)", path, msg);
	}
	return rc;
}

static char *
col_text(sqlite3_stmt *st, int i)
{
	const void *p = sqlite3_column_blob(st, i);
	int n = sqlite3_column_bytes(st, i);

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	return utf8_clean(p, (size_t)n);
}

int
by_program_name(const void *a, const void *b)
{
	const struct tcase *x = a, *y = b;
	int c = strcmp(x->program, y->program);
	return c ? c : strcmp(x->name, y->name);
}

/* While loading, cases are in test_case_id order (row_id). */
static struct tcase *
case_by_id(struct report *r, int64_t id)
{
	size_t lo = 0, hi = r->ncases;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (r->cases[mid].row_id == id)
			return &r->cases[mid];
		if (r->cases[mid].row_id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static enum outcome
outcome_of(const char *t)
{
	if (t == NULL)
		return O_BROKEN;
	for (int i = 0; i < O_N; i++)
		if (strcmp(t, outcome_names[i]) == 0)
			return (enum outcome)i;
	return O_BROKEN;
}

/* The text after the last occurrence of marker in s, or NULL. */
static char *
after_last(const char *s, const char *marker)
{
	const char *p, *last = NULL;

	if (s == NULL)
		return NULL;
	for (p = strstr(s, marker); p != NULL; p = strstr(p + 1, marker))
		last = p;
	if (last == NULL)
		return NULL;
	last += strlen(marker);
	size_t n = strcspn(last, "\n");
	if (n == 0 || n > 80)
		return NULL;
	return arena_strndup(last, n);
}

static int
row_cmp(const void *a, const void *b)
{
	const struct uds_expect_row *const *x = a, *const *y = b;
	return strcmp((*x)->key, (*y)->key);
}

static const struct uds_expect_row **sorted_rows;

const struct uds_expect_row *
expect_row(const char *key)
{
	if (key == NULL)
		return NULL;
	if (sorted_rows == NULL) {
		sorted_rows = xcalloc(uds_expect_table_len + 1, sizeof(*sorted_rows));
		for (size_t i = 0; i < uds_expect_table_len; i++)
			sorted_rows[i] = &uds_expect_table[i];
		qsort(sorted_rows, uds_expect_table_len, sizeof(*sorted_rows), row_cmp);
	}
	struct uds_expect_row probe = { .key = key };
	const struct uds_expect_row *pp = &probe, **hit;
	hit = bsearch(&pp, sorted_rows, uds_expect_table_len, sizeof(*sorted_rows), row_cmp);
	return hit ? *hit : NULL;
}


/* The key of the harness's note "expectation KEY on PLATFORM: ..." in raw output. */
static char *
key_in_output(const void *data, size_t n)
{
	const char *p = data, *end;
	const size_t note_len = strlen(UDS_EXPECTATION_NOTE);
	char word[128];

	if (p == NULL)          /* an empty file: SQLite gives no pointer for 0 bytes */
		return NULL;
	end = p + n;

	while (p != NULL && p < end) {
		const char *hit = memmem(p, (size_t)(end - p), UDS_EXPECTATION_NOTE, note_len);
		if (hit == NULL)
			break;
		if (hit == (const char *)data || hit[-1] == '\n') {
			const char *k = hit + note_len;
			size_t len = 0;
			while (k + len < end && len < sizeof(word) - 1 && k[len] != ' ' && k[len] != '\n')
				len++;
			memcpy(word, k, len);
			word[len] = '\0';
			if (expect_row(word) != NULL)
				return arena_strdup(word);
		}
		p = hit + note_len;
	}
	return NULL;
}

/* A skip reason of the table's: "KEY: ...". */
static char *
key_in_reason(const struct tcase *c)
{
	char word[128];

	if (c->reason != NULL) {
		size_t n = strcspn(c->reason, ": ");
		if (n < sizeof(word) && c->reason[n] == ':') {
			memcpy(word, c->reason, n);
			word[n] = '\0';
			if (expect_row(word) != NULL)
				return arena_strdup(word);
		}
	}
	return NULL;
}

void
case_expectation(struct tcase *c, enum uds_platform plat, const char *version)
{
	const struct uds_expect_row *row = expect_row(c->key);

	if (row == NULL)
		return;
	c->exp_what = arena_strdup(row->what);
	c->exp_platform = arena_strdup(uds_platform_name(plat));
	if (plat >= UDS_NPLATFORMS) {
		c->exp_basis = arena_strdup("unknown");
		return;
	}
	const struct uds_expectation *e = uds_expect_for_kind(row, plat, version, c->kind);
	c->exp_basis = arena_strdup(uds_basis_word(e->basis));
	if (e->basis == UDS_DOCUMENTED || e->basis == UDS_OBSERVED || e->basis == UDS_REPORTED)
		c->exp_value = arena_strdup(uds_expect_format(row, e->value));
	c->exp_source = arena_strdup(e->source);
	c->exp_bug = arena_strdup(e->bug);
}

void
count_report(struct report *r)
{
	memset(r->counts, 0, sizeof(r->counts));
	r->duration = 0;
	r->nunfinished = r->nrecovered = 0;
	for (size_t i = 0; i < r->ncases; i++) {
		r->counts[r->cases[i].outcome]++;
		r->duration += r->cases[i].duration;
		r->nunfinished += r->cases[i].unfinished;
		r->nrecovered += r->cases[i].recovered;
	}
}

const char *
incomplete_sentence(const struct report *r)
{
	char s[800], rec[160] = "", n[200];
	size_t u = r->nunfinished;

	if (!report_incomplete(r))
		return NULL;
	if (r->nrecovered > 0)
		snprintf(rec, sizeof(rec), "; %zu %s from kyua's output, as its database lost "
		    "them", r->nrecovered, r->nrecovered == 1 ? "result is" : "results are");
	if (r->listed)
		snprintf(n, sizeof(n), "%zu of the %zu cases it was to run %s no result (counted "
		    "as broken).", u, r->ncases, u == 1 ? "has" : "have");
	else if (u == 0)
		snprintf(n, sizeof(n), "Every case it had started has its result; the cases of "
		    "programs it had not started are missing from this report.");
	else
		snprintf(n, sizeof(n), "%zu %s it had started never finished (counted as broken); "
		    "the cases of programs it had not started are missing from this report.", u,
		    u == 1 ? "case" : "cases");
	snprintf(s, sizeof(s), "This run is incomplete: kyua stopped before the end%s%s. %s",
	    r->rolled_back ? " (its results database had an unfinished transaction, rolled "
	    "back here)" : "", rec, n);
	return arena_strdup(s);
}

/* Copies file from to to (both whole); false, errno set, when it cannot. */
static bool
copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
	char buf[65536];
	size_t n;
	bool ok = in != NULL && out != NULL;

	while (ok && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		ok = fwrite(buf, 1, n, out) == n;
	ok = ok && !ferror(in);
	if (in != NULL)
		fclose(in);
	if (out != NULL && fclose(out) != 0)
		ok = false;
	return ok;
}

/*
 * A kyua that died in the middle of a transaction leaves a hot journal (or a
 * write-ahead log) beside its database, which a read-only open cannot roll
 * back.  The database and its journal are copied into a private directory
 * and the copy opened read-write, so SQLite rolls the unfinished transaction
 * back there; the original is never touched.  Returns the path to open (path
 * itself when there is no journal) and sets *dir to the directory to remove.
 */
static char *private_dir;        /* where private_copy() put its copy, until removed */
static char private_base[1024];

/* Closes the database and removes the private copy; at exit too (die()). */
void
remove_private_copy(void)
{
	static const char *const names[] = { "", "-journal", "-wal", "-shm" };
	char p[2200];

	close_db();
	if (private_dir == NULL)
		return;
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s/%s%s", private_dir, private_base, names[i]);
		unlink(p);
	}
	rmdir(private_dir);
	free(private_dir);
	private_dir = NULL;
}

static const char *
private_copy(const char *path)
{
	static const char *const sfx[] = { "-journal", "-wal" };
	static char copy[2200];
	char side[2200], side_copy[2300], tmpl[1100];
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	const char *tmp = getenv("TMPDIR");
	bool any = false;

	for (size_t i = 0; i < 2; i++) {
		snprintf(side, sizeof(side), "%s%s", path, sfx[i]);
		any = any || access(side, F_OK) == 0;
	}
	if (!any)
		return path;
	snprintf(tmpl, sizeof(tmpl), "%s/uds-report-db.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(tmpl) == NULL)
		die(EX_WRITE, "results database %s has a journal to roll back, and no private "
		    "copy can be made for it: mkdtemp(%s): %s", path, tmpl, strerror(errno));
	private_dir = xmalloc(strlen(tmpl) + 1);
	strcpy(private_dir, tmpl);
	snprintf(private_base, sizeof(private_base), "%s", base);
	atexit(remove_private_copy);
	snprintf(copy, sizeof(copy), "%s/%s", tmpl, private_base);
	if (!copy_file(path, copy))
		die(EX_WRITE, "cannot copy results database %s to %s: %s", path, copy,
		    strerror(errno));
	for (size_t i = 0; i < 2; i++) {
		snprintf(side, sizeof(side), "%s%s", path, sfx[i]);
		snprintf(side_copy, sizeof(side_copy), "%s%s", copy, sfx[i]);
		if (access(side, F_OK) == 0 && !copy_file(side, side_copy))
			die(EX_WRITE, "cannot copy %s to %s: %s", side, side_copy, strerror(errno));
	}
	return copy;
}

void
load_db(const char *path, struct report *r, size_t max_output, enum uds_platform plat,
    const char *version, const char *kyua_list, const char *kyua_log)
{
	struct stat sb;
	sqlite3_stmt *st;
	size_t cap = 0;
	const char *open_path;

	if (stat(path, &sb) != 0)
		die(EX_MISSING, "cannot read results database %s: %s", path, strerror(errno));
	if (!S_ISREG(sb.st_mode))
		die(EX_MISSING, "results database %s is not a regular file", path);
	if (sb.st_size == 0)
		die(EX_EMPTYDB, "results database %s is empty (0 bytes): kyua was interrupted "
		    "before it wrote any result", path);
	if (access(path, R_OK) != 0)
		die(EX_MISSING, "cannot read results database %s: %s", path, strerror(errno));
	open_path = private_copy(path);
	if (sqlite3_open_v2(open_path, &db, private_dir ? SQLITE_OPEN_READWRITE :
	    SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		char msg[256];
		snprintf(msg, sizeof(msg), "%s", db ? sqlite3_errmsg(db) : "out of memory");
		close_db();
		die(EX_NOTDB, "cannot open results database %s: %s", path, msg);
	}
	r->rolled_back = private_dir != NULL;
	sqlite3_busy_timeout(db, 2000);

	st = prepare(path, "SELECT max(schema_version), max(timestamp) FROM metadata");
	if (step(path, st) != SQLITE_ROW || sqlite3_column_type(st, 0) == SQLITE_NULL) {
		sqlite3_finalize(st);
		close_db();
		die(EX_NOTDB, "%s is not a kyua results database (no schema version)", path);
	}
	int schema = sqlite3_column_int(st, 0);
	time_t ts = (time_t)sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	if (schema != KYUA_SCHEMA_VERSION) {
		close_db();
		die(EX_SCHEMA, "%s is a kyua results database of schema version %d; this tool "
		    "reads version %d", path, schema, KYUA_SCHEMA_VERSION);
	}
	char date[32];
	struct tm tm;
	if (gmtime_r(&ts, &tm) == NULL)		/* a year no struct tm holds */
		snprintf(date, sizeof(date), "unknown");
	else
		strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	r->id.date = arena_strdup(date);

	st = prepare(path,
	    "SELECT c.test_case_id, p.relative_path, c.name, r.result_type, r.result_reason, "
	    "r.start_time, r.end_time FROM test_cases c "
	    "JOIN test_programs p ON p.test_program_id = c.test_program_id "
	    "LEFT JOIN test_results r ON r.test_case_id = c.test_case_id "
	    "ORDER BY c.test_case_id");
	while (step(path, st) == SQLITE_ROW) {
		if (r->ncases == cap) {
			cap = cap ? cap * 2 : 1024;
			r->cases = xrealloc(r->cases, cap * sizeof(*r->cases));
		}
		struct tcase *c = &r->cases[r->ncases++];
		memset(c, 0, sizeof(*c));
		c->row_id = sqlite3_column_int64(st, 0);
		c->program = col_text(st, 1);
		c->name = col_text(st, 2);
		if (c->program == NULL)
			c->program = arena_strdup("?");
		if (c->name == NULL)
			c->name = arena_strdup("?");
		if (sqlite3_column_type(st, 3) == SQLITE_NULL) {
			c->outcome = O_BROKEN;
			c->unfinished = true;
			c->reason = arena_strdup("no result recorded (the run was interrupted)");
		} else {
			char *t = col_text(st, 3);
			c->outcome = outcome_of(t);
			c->reason = col_text(st, 4);
			if (c->outcome == O_BROKEN && strcmp(t, "broken") != 0) {
				char msg[300];
				snprintf(msg, sizeof(msg), "unknown result type \"%.200s\"", t);
				c->reason = arena_strdup(msg);
			}
			int64_t s = sqlite3_column_int64(st, 5), e = sqlite3_column_int64(st, 6);
			/* as doubles: a damaged file's times can be any 64-bit
			 * values, whose difference overflows (UBSan, ci/fuzz db) */
			c->duration = e > s ? ((double)e - (double)s) / 1e6 : 0.0;
		}
		const char *sep = strstr(c->name, "__");
		c->behaviour = sep ? arena_strndup(c->name, (size_t)(sep - c->name)) : c->name;
		c->kind = arena_strdup(sep ? sep + 2 : "");
	}
	sqlite3_finalize(st);

	st = prepare(path,
	    "SELECT c.test_case_id, m.property_name, m.property_value FROM test_cases c "
	    "JOIN metadatas m ON m.metadata_id = c.metadata_id WHERE m.property_name IN "
	    "('description', 'custom.id', 'custom.spec', 'custom.kind')");
	while (step(path, st) == SQLITE_ROW) {
		struct tcase *c = case_by_id(r, sqlite3_column_int64(st, 0));
		const char *name = (const char *)sqlite3_column_text(st, 1);
		if (c == NULL || name == NULL)
			continue;
		char *v = col_text(st, 2);
		if (strcmp(name, "description") == 0)
			c->descr = v;
		else if (strcmp(name, "custom.id") == 0)
			c->id = v;
		else if (strcmp(name, "custom.spec") == 0)
			c->spec = v;
		else if (strcmp(name, "custom.kind") == 0 && v != NULL)
			c->kind = v;
	}
	sqlite3_finalize(st);

	st = prepare(path,
	    "SELECT t.test_case_id, t.file_name, f.contents FROM test_case_files t "
	    "JOIN files f ON f.file_id = t.file_id "
	    "WHERE t.file_name IN ('__STDOUT__', '__STDERR__')");
	while (step(path, st) == SQLITE_ROW) {
		struct tcase *c = case_by_id(r, sqlite3_column_int64(st, 0));
		const char *name = (const char *)sqlite3_column_text(st, 1);
		if (c == NULL || name == NULL)
			continue;
		const void *p = sqlite3_column_blob(st, 2);
		size_t n = (size_t)sqlite3_column_bytes(st, 2);
		if (strcmp(name, "__STDOUT__") == 0) {
			c->key = key_in_output(p, n);
			text_make(&c->out, p, n, max_output);
		} else {
			text_make(&c->err, p, n, max_output);
		}
	}
	sqlite3_finalize(st);
	remove_private_copy();
	if (kyua_list != NULL)
		salvage_run(r, kyua_list, kyua_log);

	for (size_t i = 0; i < r->ncases; i++) {
		struct tcase *c = &r->cases[i];
		c->row_id = 0;
		if (c->key == NULL)
			c->key = key_in_reason(c);
		case_expectation(c, plat, version);
		if (c->outcome == O_SKIPPED)
			c->observed = after_last(c->reason, "; observed: ");
		else if (c->outcome == O_FAILED || c->outcome == O_XFAIL)
			c->observed = c->key ? after_last(c->reason, ", got ") : NULL;
		else if (c->outcome == O_PASSED && c->exp_value != NULL)
			c->observed = c->exp_value;
	}
	if (r->ncases > 1)
		qsort(r->cases, r->ncases, sizeof(*r->cases), by_program_name);
	count_report(r);
}

static char *
first_line_of_command(const char *cmd)
{
	FILE *f = popen(cmd, "r");
	char line[256];
	char *res = NULL;

	if (f == NULL)
		return NULL;
	if (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] != '\0')
			res = utf8_clean(line, strlen(line));
	}
	while (fgets(line, sizeof(line), f) != NULL)
		;
	pclose(f);
	return res;
}

void
fill_identity(struct identity *id, const char *dbdate, bool reproducible)
{
	struct utsname u;

	id->date = arena_strdup(dbdate);
	id->suite_version = arena_strdup(reproducible ? "fixture" : UDS_SUITE_VERSION);
	id->expect_platform = arena_strdup(uds_platform_name(uds_platform()));
	id->platform_version = arena_strdup(uds_platform_version());
	if (reproducible) {
		/* Golden files: nothing that depends on the machine. */
		id->sysname = arena_strdup("Linux");
		id->release = arena_strdup("0.0.0-fixture");
		id->version = arena_strdup("#1 fixture");
		id->machine = arena_strdup("x86_64");
		id->libc = arena_strdup("fixture-libc");
		id->libc_version = arena_strdup("1.0");
		id->compiler = arena_strdup("fixture-cc 1.0");
		id->user = arena_strdup("fixture");
		id->expect_platform = arena_strdup("Linux");
		id->platform_version = arena_strdup("0.0.0");
		return;
	}
	if (uname(&u) == 0) {
		id->sysname = utf8_clean(u.sysname, strlen(u.sysname));
		id->release = utf8_clean(u.release, strlen(u.release));
		id->version = utf8_clean(u.version, strlen(u.version));
		id->machine = utf8_clean(u.machine, strlen(u.machine));
	}
#if defined(__GLIBC__)
	id->libc = arena_strdup("glibc");
	id->libc_version = arena_strdup(gnu_get_libc_version());
#elif defined(__APPLE__)
	id->libc = arena_strdup("libSystem");
#elif defined(__linux__)
	id->libc = arena_strdup("musl");
#elif defined(__FreeBSD__) || defined(__NetBSD__) || defined(__OpenBSD__) || defined(__sun)
	id->libc = arena_strdup("system libc");
	id->libc_version = id->release;
#else
	id->libc = arena_strdup("unknown");
#endif
#if defined(__clang__)
	id->compiler = arena_strdup("clang " __clang_version__);
#elif defined(__GNUC__)
	id->compiler = arena_strdup("gcc " __VERSION__);
#elif defined(__VERSION__)
	id->compiler = arena_strdup(__VERSION__);
#endif
	struct passwd *pw = getpwuid(getuid());
	if (pw != NULL && pw->pw_name != NULL)
		id->user = utf8_clean(pw->pw_name, strlen(pw->pw_name));
	if (id->kyua_version == NULL)
		id->kyua_version = first_line_of_command("kyua about version 2>/dev/null");
}

const char *
platform_label(const struct identity *id)
{
	char tmp[400];
	const char *sys = id->sysname ? id->sysname : "?";

	if (id->expect_platform != NULL && uds_platform_of_name(id->expect_platform) != UDS_NPLATFORMS &&
	    uds_platform_of_name(id->expect_platform) != uds_platform_of_sysname(sys))
		snprintf(tmp, sizeof(tmp), "%s %s %s (uname: %s %s)", id->expect_platform,
		    id->platform_version ? id->platform_version : "(version unknown)",
		    id->machine ? id->machine : "", sys, id->release ? id->release : "");
	else
		snprintf(tmp, sizeof(tmp), "%s %s %s", sys, id->release ? id->release : "",
		    id->machine ? id->machine : "");
	return arena_strdup(tmp);
}
