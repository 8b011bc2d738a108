/*
 * uds_registry.h - what the harness's own files and the tools (uds-report,
 * the harness unit tests) share beyond uds.h: the registered behaviours
 * and their instances, the kinds in canonical order, the catalogue, the
 * expectation table itself and the platform's identity.  Cases include
 * uds.h only.
 */
#ifndef UDS_REGISTRY_H
#define UDS_REGISTRY_H

#include "uds.h"

#include <stdbool.h>
#include <stddef.h>

/* ------------------------------------------------------------------ */
/* Instances: behaviour x kind                                         */
/* ------------------------------------------------------------------ */

#define UDS_DEFAULT_TIMEOUT 20  /* kyua timeout of every case, seconds */

struct uds_instance {
	const struct uds_behaviour *behaviour;
	struct uds_kind kind;   /* zeroed name for UDS_NO_KIND */
	char ident[128];
};
/* Enumerates every instance of every registered behaviour. */
size_t uds_instances(struct uds_instance **out);
/* The one instance named ident (its first len bytes), without listing them all. */
bool uds_instance_find(const char *ident, size_t len, struct uds_instance *out);
/* The kinds a mask expands to, in the harness's canonical order. */
size_t uds_kinds_of(unsigned mask, struct uds_kind *out, size_t max);
/*
 * The position of a kind name ("dgram_path_nb_rev") in the canonical order
 * of every kind the harness can make, from 1; 0 for "" (no kind) and for a
 * name that is no kind (sorted last by callers).
 */
int uds_kind_rank(const char *name);
/*
 * False, after saying why on stderr, when a registered behaviour names an
 * id the catalogue lacks or two behaviours share a name: a suite bug that
 * keeps the program from listing or running any case.
 */
bool uds_registry_valid(void);
/* The kind name at a rank (from 1) of that order, or NULL past the last. */
const char *uds_kind_name_at(int rank);
/* The kind's type as a word, for messages. */
const char *uds_type_name(int type);
/* Kills and reaps every child still running (also run at exit). */
void uds_children_kill_all(void);

/* ------------------------------------------------------------------ */
/* The catalogue: cases/catalogue.tsv and cases/areas.tsv, compiled in  */
/* ------------------------------------------------------------------ */

struct uds_catalogue_entry {
	const char *id;         /* F-03 */
	const char *statement;  /* the behaviour, one sentence */
	const char *sources;    /* where it is written */
};
extern const struct uds_catalogue_entry uds_catalogue[];   /* sorted by id */
extern const size_t uds_catalogue_len;
/* The catalogue's row for id, or NULL. */
const struct uds_catalogue_entry *uds_catalogue_find(const char *id);

struct uds_area {
	char letter;            /* 'F' */
	const char *title;      /* "Datagram semantics" */
	const char *program;    /* the one test program of the area's cases */
};
extern const struct uds_area uds_areas[];
extern const size_t uds_areas_len;
/* The area of a catalogue id ("F-03" -> F's entry), or NULL. */
const struct uds_area *uds_area_of(const char *id);

/* ------------------------------------------------------------------ */
/* Platforms and the expectation table                                 */
/* ------------------------------------------------------------------ */

enum uds_platform {
	UDS_LINUX, UDS_FREEBSD, UDS_NETBSD, UDS_OPENBSD, UDS_MACOS, UDS_ILLUMOS,
	UDS_NPLATFORMS
};

enum uds_basis {
	UDS_UNKNOWN = 0,        /* nobody documents it: observe, never assert */
	UDS_DOCUMENTED,         /* a man page or standard says so */
	UDS_OBSERVED,           /* only tests or kernel source establish it */
	UDS_REPORTED,           /* stated somewhere but unverified: observe and compare, never assert */
	UDS_ABSENT,             /* the interface does not exist: skip */
};

enum uds_value_kind {
	UDS_RESULT,             /* a call's result: UDS_SUCCEEDS, UDS_BLOCKS_V or an errno */
	UDS_NUMBER,             /* a number (a size, a count, 1/0 for "holds") */
};

#define UDS_BLOCKS_V (-2)       /* a UDS_RESULT value: the call blocks */

struct uds_expectation {
	enum uds_basis basis;
	long value;             /* an errno, UDS_SUCCEEDS, UDS_BLOCKS_V, or a number */
	const char *source;
	const char *bug;        /* set: a known deviation; the case is an expected failure */
};

struct uds_expect_row {
	const char *key;
	const char *ids;        /* the catalogue ids whose cases ask for it: "D-22", "B-20 D-25" */
	const char *what;
	enum uds_value_kind value_kind;
	struct uds_expectation on[UDS_NPLATFORMS];
};

extern const struct uds_expect_row uds_expect_table[];
extern const size_t uds_expect_table_len;

/* "documented", "observed", "reported", "absent" or "unknown": as the reports write it. */
const char *uds_basis_word(enum uds_basis basis);
/* The platform this process runs on (UDS_NPLATFORMS when unknown). */
enum uds_platform uds_platform(void);
/* The platform a uname sysname names ("Linux", "FreeBSD", "Darwin", ...). */
enum uds_platform uds_platform_of_sysname(const char *sysname);
/* "Linux", "FreeBSD", ..., "an unknown platform". */
const char *uds_platform_name(enum uds_platform p);
/* The platform a name given by uds_platform_name() or a sysname stands for. */
enum uds_platform uds_platform_of_name(const char *name);
/* The row of key, or NULL. */
const struct uds_expect_row *uds_expect_find(const char *key);
/* This platform's expectation for key; fails the case when key is not in the table. */
const struct uds_expectation *uds_expect(const char *key);
/* The keys of the rows that serve catalogue id ("a.b, c.d"), or "" (a static buffer). */
const char *uds_expect_keys_of(const char *id);
/* A value of key's row in words ("ECONNREFUSED", "blocks", "108"). */
const char *uds_expect_format(const struct uds_expect_row *row, long value);

/*
 * The note a case prints when it asserts a table value, which the report
 * tool reads back from the case's output: "expectation KEY on PLATFORM:
 * VALUE (BASIS: SOURCE)".
 */
#define UDS_EXPECTATION_NOTE "expectation "

#endif /* UDS_REGISTRY_H */
