/*
 * mkfixture - writes deterministic kyua results databases (schema 3) for
 * the report tool's tests.
 *
 *   mkfixture small OUT.db         every outcome, hostile bytes, expectations
 *   mkfixture hostile OUT.db       hostile markup and line breakers in every field
 *   mkfixture big OUT.db N         N cases over 14 programs (performance)
 *   mkfixture huge OUT.db MB       one case with MB megabytes of output
 *   mkfixture schema2 OUT.db       a database of another schema version
 *   mkfixture notdb OUT.db         a file that is not a database
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static sqlite3 *db;

static const char ddl[] =
"CREATE TABLE metadata (schema_version INTEGER PRIMARY KEY CHECK (schema_version >= 1),"
" timestamp TIMESTAMP NOT NULL CHECK (timestamp >= 0));"
"CREATE TABLE contexts (cwd TEXT NOT NULL);"
"CREATE TABLE env_vars (var_name TEXT PRIMARY KEY, var_value TEXT NOT NULL);"
"CREATE TABLE metadatas (metadata_id INTEGER NOT NULL, property_name TEXT NOT NULL,"
" property_value TEXT, PRIMARY KEY (metadata_id, property_name));"
"CREATE INDEX index_metadatas_by_id ON metadatas (metadata_id);"
"CREATE TABLE test_programs (test_program_id INTEGER PRIMARY KEY AUTOINCREMENT,"
" absolute_path TEXT NOT NULL, root TEXT NOT NULL, relative_path TEXT NOT NULL,"
" test_suite_name TEXT NOT NULL, metadata_id INTEGER, interface TEXT NOT NULL);"
"CREATE TABLE test_cases (test_case_id INTEGER PRIMARY KEY AUTOINCREMENT,"
" test_program_id INTEGER REFERENCES test_programs, name TEXT NOT NULL, metadata_id INTEGER);"
"CREATE INDEX index_test_cases_by_test_programs_id ON test_cases (test_program_id);"
"CREATE TABLE test_results (test_case_id INTEGER PRIMARY KEY REFERENCES test_cases,"
" result_type TEXT NOT NULL, result_reason TEXT, start_time TIMESTAMP NOT NULL,"
" end_time TIMESTAMP NOT NULL);"
"CREATE TABLE test_case_files (test_case_id INTEGER NOT NULL REFERENCES test_cases,"
" file_name TEXT NOT NULL, file_id INTEGER NOT NULL REFERENCES files,"
" PRIMARY KEY (test_case_id, file_name));"
"CREATE TABLE files (file_id INTEGER PRIMARY KEY, contents BLOB NOT NULL);";

static void
check(int rc, const char *what)
{
	if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
		fprintf(stderr, "mkfixture: %s: %s\n", what, sqlite3_errmsg(db));
		exit(1);
	}
}

static void
exec(const char *sql)
{
	check(sqlite3_exec(db, sql, NULL, NULL, NULL), sql);
}

static void
open_new(const char *path, int version)
{
	char sql[128];

	unlink(path);
	check(sqlite3_open(path, &db), path);
	exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;");
	exec(ddl);
	snprintf(sql, sizeof(sql), "INSERT INTO metadata VALUES (%d, 1795221042)", version);
	exec(sql);
	exec("INSERT INTO contexts VALUES ('/fixture')");
	exec("BEGIN");
}

static long next_meta = 1, next_file = 1;
static int64_t clock_us = 1795221042000000LL;

static long
program(const char *name)
{
	sqlite3_stmt *st;
	check(sqlite3_prepare_v2(db, "INSERT INTO test_programs (absolute_path, root, "
	    "relative_path, test_suite_name, metadata_id, interface) VALUES "
	    "('/fixture/' || ?1, '/fixture', ?1, 'uds-conformance', 0, 'atf')", -1, &st, NULL),
	    "prepare");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	check(sqlite3_step(st), "program");
	sqlite3_finalize(st);
	return (long)sqlite3_last_insert_rowid(db);
}

static void
meta(long id, const char *name, const char *value)
{
	static sqlite3_stmt *st;
	if (st == NULL)
		check(sqlite3_prepare_v2(db, "INSERT INTO metadatas VALUES (?, ?, ?)", -1, &st, NULL),
		    "prepare");
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, value, -1, SQLITE_STATIC);
	check(sqlite3_step(st), "meta");
	sqlite3_reset(st);
}

static void
file(long tc, const char *name, const void *data, size_t len)
{
	sqlite3_stmt *st;
	long fid = next_file++;

	check(sqlite3_prepare_v2(db, "INSERT INTO files VALUES (?, ?)", -1, &st, NULL), "prep");
	sqlite3_bind_int64(st, 1, fid);
	sqlite3_bind_blob(st, 2, data, (int)len, SQLITE_STATIC);
	check(sqlite3_step(st), "file");
	sqlite3_finalize(st);
	check(sqlite3_prepare_v2(db, "INSERT INTO test_case_files VALUES (?, ?, ?)", -1, &st, NULL),
	    "prep");
	sqlite3_bind_int64(st, 1, tc);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, fid);
	check(sqlite3_step(st), "tcf");
	sqlite3_finalize(st);
}

/* A case; result NULL: no result row (an interrupted run). reason given as bytes. */
static long
tcase(long prog, const char *name, const char *id, const char *kind, const char *descr,
    const char *spec, const char *result, const char *reason, size_t reason_len, int us)
{
	static sqlite3_stmt *ins, *res;
	long mid = next_meta++;

	if (ins == NULL) {
		check(sqlite3_prepare_v2(db, "INSERT INTO test_cases (test_program_id, name, "
		    "metadata_id) VALUES (?, ?, ?)", -1, &ins, NULL), "prep");
		check(sqlite3_prepare_v2(db, "INSERT INTO test_results VALUES (?, ?, ?, ?, ?)", -1,
		    &res, NULL), "prep");
	}
	sqlite3_bind_int64(ins, 1, prog);
	sqlite3_bind_text(ins, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ins, 3, mid);
	check(sqlite3_step(ins), "case");
	sqlite3_reset(ins);
	long tc = (long)sqlite3_last_insert_rowid(db);
	meta(mid, "description", descr);
	meta(mid, "timeout", "20");
	meta(mid, "has_cleanup", "false");
	if (id)
		meta(mid, "custom.id", id);
	if (spec)
		meta(mid, "custom.spec", spec);
	if (kind)
		meta(mid, "custom.kind", kind);
	if (result != NULL) {
		sqlite3_bind_int64(res, 1, tc);
		sqlite3_bind_text(res, 2, result, -1, SQLITE_STATIC);
		if (reason)
			sqlite3_bind_text(res, 3, reason, (int)reason_len, SQLITE_STATIC);
		else
			sqlite3_bind_null(res, 3);
		sqlite3_bind_int64(res, 4, clock_us);
		sqlite3_bind_int64(res, 5, clock_us + us);
		clock_us += us + 7;
		check(sqlite3_step(res), "result");
		sqlite3_reset(res);
	}
	return tc;
}

#define S(x) x, sizeof(x) - 1

static void
small(void)
{
	long p1 = program("dgram_test"), p2 = program("connect_test"), p3 = program("oob_test");
	long tc;
	static const char hostile[] =
	    "plain ASCII line\n"
	    "UTF-8: caf\xC3\xA9 \xE2\x9C\x93 \xF0\x9F\x98\x80\n"
	    "C1 as a character: [\xC2\x85] [\xC2\x9F]\n"
	    "raw bytes 0x80-0x9F: [\x80] [\x85] [\x9F]\n"
	    "invalid: [\xFF] [\xC3] [\xED\xA0\x80] [\xF4\x90\x80\x80]\n"
	    "NUL: [\0] control: [\x01] [\x1B] [\x7F]\n"
	    "markup: <script>alert(1)</script> ]]> & \"quotes\" 'apos'\n"
	    "</script><!-- end -->\n";

	tc = tcase(p1, "peek_leaves_datagram_queued__dgram_path_nb", "F-03", "dgram_path_nb",
	    "recv(MSG_PEEK) returns only the first queued datagram and leaves it queued",
	    "POSIX recv(): MSG_PEEK", "passed", NULL, 0, 2345);
	file(tc, "__STDOUT__", S("peeked 5 bytes\n"));
	tcase(p1, "peek_leaves_datagram_queued__dgram_pair", "F-03", "dgram_pair",
	    "recv(MSG_PEEK) returns only the first queued datagram and leaves it queued",
	    "POSIX recv(): MSG_PEEK", "passed", NULL, 0, 1200);
	tc = tcase(p1, "hostile_output__dgram_pair", "F-99", "dgram_pair",
	    "A case whose output holds every kind of byte \xC3\xA9",
	    "fixture \xE2\x80\x94 not a real rule", "failed",
	    S("dgram_test.c:12: got caf\xC3\xA9 and a raw [\x85] byte and [\x01], expected <none> & more"),
	    9001);
	file(tc, "__STDOUT__", hostile, sizeof(hostile) - 1);
	file(tc, "__STDERR__", S("stderr: \xE2\x80\xA8 line separator \xE2\x80\xA9 and tab\there\n"));
	tc = tcase(p2, "connect_to_non_socket__stream_unbound", "D-07", "stream_unbound",
	    "connect() to a path that is not a socket fails",
	    "POSIX connect(): ECONNREFUSED or ENOTSOCK", "passed", NULL, 0, 800);
	file(tc, "__STDOUT__", S("expectation connect.non_socket_path on Linux: ECONNREFUSED "
	    "(documented: unix(7))\n"));
	tcase(p2, "bind_too_long__stream_unbound", "B-04", "stream_unbound",
	    "bind() with addrlen larger than sizeof(struct sockaddr_un)",
	    "POSIX bind()", "skipped",
	    S("bind.addrlen_too_long: on FreeBSD only an unverified source says EINVAL "
	    "(FreeBSD uipc_usrreq.c (unverified)); observed: EINVAL"), 300);
	tcase(p2, "listen_twice__seqpacket_path_rev", "D-02", "seqpacket_path_rev",
	    "listen() on a listening socket succeeds", "POSIX listen()", "expected_failure",
	    S("known deviation on Linux: fixture bug (https://example.org/bug/1): "
	    "connect_test.c:99: listen: expected success on Linux (fixture), got EINVAL"), 450);
	tcase(p2, "crashes__stream_pair", "D-01", "stream_pair", "A case that crashed",
	    "fixture", "broken", S("Premature exit; test case received signal 11 (core dumped)"),
	    5000);
	tcase(p3, "oob_byte_marks__stream_pair", "M-01", "stream_pair",
	    "MSG_OOB delivers one byte out of band", "Linux unix(7) MSG_OOB", NULL, NULL, 0, 0);
	tcase(p3, "no_kind_case", "M-02", NULL, "A behaviour with no socket kind",
	    "Linux socket(7)", "skipped", S("not supported here: reason with # hash and \\ slash"),
	    10);
}

/*
 * Every string a report renders, hostile: markup that would run a script
 * (and mark the page if it ran: data-pwned on <html>), Markdown table and
 * list breakers, a TAP line and a YAML block of its own, XML's CDATA end,
 * C0/C1 controls and invalid UTF-8.  A line "INJECTED ..." after a newline
 * must never start a line of Markdown or TAP.
 */
#define PWN "<script>document.documentElement.setAttribute('data-pwned','1')</script>" \
    "<img src=x onerror=\"document.documentElement.setAttribute('data-pwned','1')\">"
#define BREAK " | a|b ` ]]> & \"q\" 'a' \x01\x1b\xc2\x85\xff\n# INJECTED heading\n" \
    "ok 99 - INJECTED tap line\n  ---\n  INJECTED: yaml\n  ...\n| INJECTED | row |"

static void
hostile(void)
{
	long p1 = program("dgram_test" PWN), p2 = program("connect_test|x\nINJECTED");

	long tc = tcase(p1, "hostile_name" PWN "__dgram_pair", "F-03" PWN, "dgram_pair" PWN,
	    "descr" PWN BREAK, "spec" PWN BREAK, "failed", S("reason" PWN BREAK), 100);
	file(tc, "__STDOUT__", S("expectation connect.non_socket_path on Linux: "
	    "ECONNREFUSED (observed: x)\nout" PWN BREAK "\n</script><!--"));
	file(tc, "__STDERR__", S("err" PWN BREAK));
	tcase(p1, "skips" PWN "|__stream_pair", "D-07", "stream_pair", "descr" BREAK, "spec" BREAK,
	    "skipped", S("connect.non_socket_path: skip" PWN BREAK "; observed: EINVAL" PWN), 10);
	tcase(p2, "xfail|`x`__stream_pair", "D-02", "stream_pair", "d" BREAK, "s" BREAK,
	    "expected_failure", S("known deviation" PWN BREAK), 10);
	tcase(p2, "broken" PWN "__seqpacket_pair", "D-01" BREAK, "seqpacket_pair" BREAK, "d", "s",
	    "broken", S("signal" PWN BREAK), 10);
	tcase(p2, "passes__dgram_pair", "D-03", "dgram_pair", "d" PWN, "s" PWN, "passed", NULL, 0,
	    10);
	tcase(p2, "never_finished" PWN "__stream_pair", "D-04", "stream_pair", "d", "s", NULL, NULL,
	    0, 0);
}

static void
big(long n)
{
	static const char *const progs[] = { "socketpair_test", "dgram_test", "abstract_test",
		"connect_test", "fdpass_test", "stream_test", "shutdown_test", "seqpacket_test",
		"readiness_test", "sockopt_test", "creds_test", "oob_test", "inflight_test",
		"regress_test" };
	static const char *const kinds[] = { "stream_pair", "stream_path_nb", "dgram_pair",
		"dgram_path", "dgram_abs_nb_rev", "seqpacket_pair", "seqpacket_unbound" };
	static const char *const results[] = { "passed", "passed", "passed", "passed", "passed",
		"passed", "passed", "skipped", "expected_failure", "failed", "passed", "broken" };
	long pid[14];
	char name[128], id[16], out[256], reason[200];

	for (int i = 0; i < 14; i++)
		pid[i] = program(progs[i]);
	for (long i = 0; i < n; i++) {
		const char *res = results[i % 12];
		int k = (int)(i % 7);
		snprintf(name, sizeof(name), "behaviour_%05ld__%s", i / 7, kinds[k]);
		snprintf(id, sizeof(id), "%c-%02ld", 'A' + (int)((i / 7) % 16), (i / 7) % 60);
		snprintf(reason, sizeof(reason), "case %ld: reason for %s with caf\xC3\xA9", i, res);
		long tc = tcase(pid[(i / 7) % 14], name, id, kinds[k],
		    "A behaviour of the big fixture, written as one sentence",
		    "POSIX something(): a rule", res, strcmp(res, "passed") ? reason : NULL,
		    strlen(reason), 1000 + (int)(i % 97));
		int l = snprintf(out, sizeof(out), "expectation bind.addrlen_too_long on Linux: EINVAL"
		    " (observed: fixture)\nline two of case %ld\n", i);
		file(tc, "__STDOUT__", out, (size_t)l);
	}
}

static void
huge(long mb)
{
	long p = program("stream_test");
	size_t n = (size_t)mb << 20;
	char *data = malloc(n);

	if (data == NULL)
		exit(1);
	for (size_t i = 0; i < n; i++)
		data[i] = "caf\xC3\xA9 \x85\x00line\n"[i % 12];
	memcpy(data + n - 24, "\nTHE END OF THE OUTPUT\n", 24);
	long tc = tcase(p, "floods_stdout__stream_pair", "E-01", "stream_pair",
	    "A case that writes megabytes", "fixture", "failed", S("too much output"), 123456);
	file(tc, "__STDOUT__", data, n);
	file(tc, "__STDERR__", data, n / 2);
	free(data);
}

int
main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: mkfixture small|hostile|big|huge|schema2|notdb OUT.db [N]\n");
		return 2;
	}
	const char *mode = argv[1], *path = argv[2];
	if (strcmp(mode, "notdb") == 0) {
		FILE *f = fopen(path, "w");
		if (f == NULL)
			return 1;
		fputs("this is not an SQLite database, just text left by hand\n", f);
		return fclose(f) == 0 ? 0 : 1;
	}
	open_new(path, strcmp(mode, "schema2") == 0 ? 2 : 3);
	if (strcmp(mode, "small") == 0 || strcmp(mode, "schema2") == 0)
		small();
	else if (strcmp(mode, "hostile") == 0)
		hostile();
	else if (strcmp(mode, "big") == 0)
		big(argc > 3 ? atol(argv[3]) : 10000);
	else if (strcmp(mode, "huge") == 0)
		huge(argc > 3 ? atol(argv[3]) : 8);
	else {
		fprintf(stderr, "mkfixture: unknown mode %s\n", mode);
		return 2;
	}
	exec("COMMIT");
	sqlite3_close(db);
	return 0;
}
