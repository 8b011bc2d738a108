/* uds_internal.h - what the harness's own files share, not for cases. */
#ifndef UDS_INTERNAL_H
#define UDS_INTERNAL_H

#include "uds_config.h"
#include "uds.h"
#include "uds_registry.h"

#define UDS_CHILD_FAILED  86    /* exit status of a child whose check failed */
#define UDS_CHILD_SKIPPED 87    /* exit status of a child that skipped */

/* The kind of the case running (NULL for UDS_NO_KIND, and outside a case). */
extern const struct uds_kind *uds_current_kind;
/* True when the kind is one the mask names (each part the mask gives must match; 0: any). */
bool uds_kind_in(const struct uds_kind *kind, unsigned mask);

/* Set inside a harness child: where its failure message goes. */
extern int uds_child_report_fd;

/* Inside a harness thread: its failure (tag 'F') or skip ('S') is recorded, and the thread ends. */
bool uds_in_thread(void);
void uds_thread_report(char tag, const char *msg) __attribute__((noreturn));
/* Finishes every thread still running (the end of a case body). */
void uds_threads_finish_all(void);

/* Milliseconds left until a CLOCK_MONOTONIC deadline taken with uds_deadline(). */
struct timespec;
void uds_deadline(struct timespec *deadline, int ms);
int uds_ms_left(const struct timespec *deadline);

/*
 * How long a case whose failure is an expected deviation waits for an event:
 * the deviant implementation will not produce it, and a correct one (the
 * bug fixed) produces it in far less.  A deviant implementation fails fast.
 */
#define UDS_DEVIATION_DEADLINE_MS 250
/* From now on UDS_DEADLINE_MS is at most ms. */
void uds_deadline_cap(int ms);

/* Stops the timer uds_timer_arm() set. */
void uds_timer_disarm(void);

/* An abstract address from raw bytes (the leading NUL is added). */
void uds_addr_abstract_bytes(struct uds_addr *addr, const void *name, size_t len);

/* From now on a failing check in this case is an expected failure, for this reason. */
void uds_tolerate_failure(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
