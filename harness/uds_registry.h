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
/* The kind of that name, or NULL. */
const struct uds_kind *uds_kind_named(const char *name);
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

/*
 * A platform is an implementation of the socket interface, at a version:
 * gVisor implements Linux's interface itself (and says "Linux 4.4.0" to
 * uname), so it is a platform of its own.
 */
enum uds_platform {
	UDS_LINUX, UDS_FREEBSD, UDS_NETBSD, UDS_OPENBSD, UDS_MACOS, UDS_ILLUMOS, UDS_GVISOR,
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
	UDS_RULE,               /* the rule of the cases that name the row (uds_known_bug):
	                         * it holds, or a cell's bug says where it does not */
};

#define UDS_BLOCKS_V (-2)       /* a UDS_RESULT value: the call blocks */

struct uds_expectation {
	enum uds_basis basis;
	long value;             /* an errno, UDS_SUCCEEDS, UDS_BLOCKS_V, or a number */
	const char *source;
	const char *bug;        /* set: a known deviation; the case is an expected failure */
	unsigned kinds;         /* with bug: the kinds it affects (a kind mask; 0: every kind) */
	bool tolerant;          /* with bug: a failure is expected, a pass still passes
	                         * (a fix a stable release may have backported) */
};

/* A cell that holds for one platform's versions in [since, until) instead of on[]. */
struct uds_gated {
	enum uds_platform platform;
	const char *since;      /* first version it holds for; NULL: every earlier one */
	const char *until;      /* first version it no longer holds for; NULL: still holds */
	struct uds_expectation e;  /* unused slot: e.source == NULL */
};
#define UDS_NGATED 4

struct uds_expect_row {
	const char *key;
	const char *ids;        /* the catalogue ids whose cases ask for it: "D-22", "B-20 D-25" */
	const char *what;
	enum uds_value_kind value_kind;
	struct uds_expectation on[UDS_NPLATFORMS];
	struct uds_gated gated[UDS_NGATED];
};

extern const struct uds_expect_row uds_expect_table[];
extern const size_t uds_expect_table_len;

/* The platform this process runs on (UDS_NPLATFORMS when unknown); gVisor is recognised
 * from inside its sandbox. */
enum uds_platform uds_platform(void);
/*
 * The platform's version, for the table's version ranges and the reports:
 * Linux's release ("6.1.192", Debian's own from uname -v where it gives
 * one), gVisor's release date ("20240729", from UDS_GVISOR_VERSION, which
 * the sandbox does not otherwise expose), the BSDs' release ("14.1");
 * NULL where it cannot be known.
 */
const char *uds_platform_version(void);
/* Compares two versions component by component ("6.9.8" < "6.10"). */
int uds_version_cmp(const char *a, const char *b);
/* The platform a uname sysname names ("Linux", "FreeBSD", "Darwin", ...). */
enum uds_platform uds_platform_of_sysname(const char *sysname);
/* "Linux", "FreeBSD", ..., "gVisor", "an unknown platform". */
const char *uds_platform_name(enum uds_platform p);
/* The platform a name given by uds_platform_name() or a sysname stands for. */
enum uds_platform uds_platform_of_name(const char *name);
/* "documented", "observed", "reported", "absent" or "unknown": as the reports write it. */
const char *uds_basis_word(enum uds_basis basis);
/* The row of key, or NULL. */
const struct uds_expect_row *uds_expect_find(const char *key);
/*
 * The row's cell for platform p at version (NULL: unknown; "": outside
 * every range, for tools that print the table): a gated cell whose range
 * holds the version, else on[p]; gVisor, which implements
 * Linux's interface, takes Linux's current cell where it has none of its
 * own.  *note, when not NULL, says where the cell came from ("" when
 * on[p]).
 */
const struct uds_expectation *uds_expect_for(const struct uds_expect_row *row,
    enum uds_platform p, const char *version, const char **note);
/*
 * The cell of row for platform p at version, for the kind named (NULL or ""
 * for a case without kind): as a case of that kind would see it (a kind's
 * own cell, a version-gated cell, gVisor's fallback on Linux's).
 */
const struct uds_expectation *uds_expect_for_kind(const struct uds_expect_row *row,
    enum uds_platform p, const char *version, const char *kind);
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
