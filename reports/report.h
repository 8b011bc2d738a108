/*
 * report.h - the pieces of uds-report shared between its source files.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uds_registry.h"

/* Exit statuses (documented in reports/README.md). */
enum {
	EX_OK = 0,
	EX_USAGE_ = 2,          /* bad command line */
	EX_MISSING = 3,         /* an input file does not exist or cannot be read */
	EX_EMPTYDB = 4,         /* a 0-byte results database (interrupted kyua) */
	EX_NOTDB = 5,           /* not a kyua results database (corrupt, other file) */
	EX_SCHEMA = 6,          /* a kyua results database of another schema version */
	EX_BADJSON = 7,         /* a JSON report that does not parse or is incomplete */
	EX_JSONVER = 8,         /* a JSON report of another schema or schema version */
	EX_WRITE = 9,           /* an output could not be written */
	EX_NOMEM = 10,          /* out of memory */
};

#define REPORT_SCHEMA "uds-conformance-report"
#define REPORT_SCHEMA_VERSION 1
#define KYUA_SCHEMA_VERSION 3

enum outcome { O_PASSED, O_FAILED, O_XFAIL, O_SKIPPED, O_BROKEN, O_N };
extern const char *const outcome_names[O_N];  /* JSON names: passed, failed, ... */
extern const char *const outcome_words[O_N];  /* for people: passed, failed, expected failure */

struct text {
	char *s;                /* valid UTF-8, no NUL inside, maybe bounded */
	size_t bytes;           /* the original size in bytes */
	bool truncated;
};

struct tcase {
	char *program, *name, *behaviour, *kind, *id, *descr, *spec;
	enum outcome outcome;
	bool unfinished;        /* kyua listed it and never recorded its result */
	bool recovered;         /* its result is from kyua's output, not its database */
	char *reason;
	double duration;
	int64_t row_id;         /* kyua's test_case_id while loading */
	struct text out, err;
	/* Expectation for this case's key on the report's platform. */
	char *key, *exp_what, *exp_value, *exp_basis, *exp_source, *exp_bug, *exp_platform;
	char *observed;
};

struct identity {
	char *sysname, *release, *version, *machine, *libc, *libc_version, *compiler,
	    *kyua_version, *suite_version, *suite_revision, *date, *user, *expect_platform,
	    *platform_version;
	long parallelism;       /* -1: unknown */
};

struct report {
	struct identity id;
	struct tcase *cases;
	size_t ncases;
	long counts[O_N];
	double duration;
	bool rolled_back;       /* the database had a hot journal: read from a rolled-back copy */
	size_t nunfinished;     /* cases without a result (count_report) */
	size_t nrecovered;      /* results from kyua's output (count_report) */
	bool listed;            /* the cases are kyua's list of the whole run (salvage_run) */
};

/* A run that did not finish: kyua died mid-transaction or left cases without a result. */
static inline bool
report_incomplete(const struct report *r)
{
	return r->rolled_back || r->nunfinished > 0 || r->nrecovered > 0;
}

/* util.c */
struct buf {
	char *p;
	size_t n, cap;
};
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *arena_strdup(const char *s);
char *arena_strndup(const char *s, size_t n);
void arena_free_all(void);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_free(struct buf *b);
/* Any bytes to valid UTF-8 in the arena: invalid bytes -> U+FFFD, NUL -> U+2400. */
char *utf8_clean(const void *p, size_t n);
/* Bounded output: head and tail of at most max bytes, cut on character boundaries. */
void text_make(struct text *t, const void *p, size_t n, size_t max);
/* Decodes one code point of valid UTF-8; returns its length. */
size_t utf8_next(const char *s, uint32_t *cp);
void put_json_str(struct buf *b, const char *s, bool html_safe);
void put_xml(struct buf *b, const char *s, bool attr);
void put_html(struct buf *b, const char *s);
void put_md(struct buf *b, const char *s, size_t max);
void put_oneline(struct buf *b, const char *s, size_t max, bool tap);
/*
 * A Markdown code span of s1 (":" s2 when s2 is not NULL), on one line: its
 * fence longer than any run of backticks inside; in a table, '|' escaped.
 */
void put_md_code(struct buf *b, const char *s1, const char *s2, size_t max, bool table);
_Noreturn void die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * A fuzz target's catch: when set, die() says nothing, closes the database
 * and returns there through longjmp() with the status, instead of exiting.
 */
#include <setjmp.h>
extern jmp_buf *die_catch;
void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Writes b to path through a temporary file and rename(); dies with EX_WRITE. */
void write_atomic(const char *path, const struct buf *b);
const char *area_title(char area);
int kind_rank(const char *kind);
extern const char *progname;

/* db.c */
/* Reads the database; each case's expectation is platform plat's at version. */
void load_db(const char *path, struct report *r, size_t max_output, enum uds_platform plat,
    const char *version, const char *kyua_list, const char *kyua_log);
void fill_identity(struct identity *id, const char *dbdate, bool reproducible);
/*
 * "Linux 6.18.44 x86_64", or where the implementation is not what uname
 * says, "gVisor 20240729 x86_64 (uname: Linux 4.4.0)": the report's title.
 */
const char *platform_label(const struct identity *id);
const struct uds_expect_row *expect_row(const char *key);
void case_expectation(struct tcase *c, enum uds_platform plat, const char *version);
void count_report(struct report *r);
/* Closes the results database and removes a private copy of it (die() does). */
void remove_private_copy(void);
/* qsort order of cases: program, then name. */
int by_program_name(const void *a, const void *b);
/* For an incomplete run, one sentence that says so, for every format; else NULL. */
const char *incomplete_sentence(const struct report *r);

/* salvage.c */
/*
 * A run kyua did not finish: adds every case of kyua_list (`kyua list
 * --verbose`) the report lacks, with its result from kyua_log (`kyua test`'s
 * output) where kyua printed one, else unfinished.
 */
void salvage_run(struct report *r, const char *kyua_list, const char *kyua_log);

/* outputs.c */
void out_junit(const struct report *r, struct buf *b);
void out_json(const struct report *r, struct buf *b, bool html_safe, size_t max_output);
void out_md(const struct report *r, struct buf *b);
void out_html(const struct report *r, struct buf *b, size_t max_output);
void out_tap(const struct report *r, struct buf *b);
/* The parts of report.html the compare page shares (CSS, script, conventions). */
enum html_page { HTML_REPORT, HTML_COMPARE };
void html_head(struct buf *b, const char *title, enum html_page page);
void html_script(struct buf *b, enum html_page page);

/* json.c */
enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };
struct jv {
	enum jtype t;
	bool b;
	double num;
	char *s;                /* J_STR */
	size_t n;               /* items in J_ARR / J_OBJ */
	struct jv *items;       /* J_ARR, J_OBJ values */
	char **keys;            /* J_OBJ */
};
/* Parses text; on error returns false with a message in err. */
bool json_parse(const char *text, size_t len, struct jv *out, char *err, size_t errlen);
const struct jv *jget(const struct jv *o, const char *key);
const char *jstr(const struct jv *o, const char *key);  /* NULL unless a string */
/* A report from its JSON; dies with EX_BADJSON / EX_JSONVER naming path. */
void report_from_json(const char *path, struct report *r);
/* The same from len bytes of text in memory; path names it in messages. */
void report_from_json_text(const char *path, const char *text, size_t len, struct report *r);

/* compare.c */
int cmd_compare(int argc, char **argv);
int cmd_derive(int argc, char **argv);

/* expectations.c */
int cmd_expectations(int argc, char **argv);

#endif
