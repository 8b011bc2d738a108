/*
 * main.c - the main() of every case program: one ATF test case per
 * (behaviour x kind) instance, sharing one head and one body that look the
 * instance up by the position of its atf_tc_t.
 */
#include "uds_internal.h"

#include <atf-c.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct uds_instance *instances;
static atf_tc_t *tcs;
static size_t ninstances;

static const struct uds_instance *
instance_of(const atf_tc_t *tc)
{
	return &instances[tc - tcs];
}

/*
 * descr and X-spec come from the behaviour's catalogue row (a case names
 * only its id), X-spec naming the expectation rows that serve the id.
 */
static void
uds_head(atf_tc_t *tc)
{
	const struct uds_instance *in = instance_of(tc);
	const struct uds_behaviour *b = in->behaviour;
	const struct uds_catalogue_entry *e = uds_catalogue_find(b->id);
	const char *keys = uds_expect_keys_of(b->id);

	if (b->note != NULL)
		atf_tc_set_md_var(tc, "descr", "%s [%s]", e->statement, b->note);
	else
		atf_tc_set_md_var(tc, "descr", "%s", e->statement);
	atf_tc_set_md_var(tc, "X-spec", "%s%s%s", e->sources, *keys ? "; expectation table: " : "",
	    keys);
	atf_tc_set_md_var(tc, "X-id", "%s", b->id);
	atf_tc_set_md_var(tc, "X-kind", "%s", in->kind.name[0] ? in->kind.name : "none");
	atf_tc_set_md_var(tc, "timeout", "%d", b->timeout ? b->timeout : UDS_DEFAULT_TIMEOUT);
	if (b->user != NULL)
		atf_tc_set_md_var(tc, "require.user", "%s", b->user);
}

#ifdef HAVE_TIMER_CREATE
static int watchdog_ms;

static void
on_watchdog(int sig)
{
	(void)sig;
	/* Last resort: the case is stuck in a call that never returned. */
	atf_tc_fail("watchdog: the case did not finish within %d ms (a blocking call never "
	    "returned)", watchdog_ms);
}
#endif

/*
 * Every blocking step of a case has a deadline; this one catches the rest:
 * after three deadlines (and before kyua's own timeout) the case fails
 * with a clear message instead of hanging until kyua kills it.
 */
static void
watchdog_arm(int timeout_s)
{
#ifdef HAVE_TIMER_CREATE
	struct sigevent sev;
	struct sigaction sa;
	struct itimerspec its;
	timer_t timer;

	watchdog_ms = 3 * UDS_DEADLINE_MS;
	if (watchdog_ms > (timeout_s - 3) * 1000)
		watchdog_ms = (timeout_s - 3) * 1000;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_watchdog;
	sigemptyset(&sa.sa_mask);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGUSR2;
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = watchdog_ms / 1000;
	its.it_value.tv_nsec = (long)(watchdog_ms % 1000) * 1000000L;
	if (sigaction(SIGUSR2, &sa, NULL) == 0 && timer_create(CLOCK_MONOTONIC, &sev, &timer) == 0)
		timer_settime(timer, 0, &its, NULL);
#else
	(void)timeout_s;
#endif
}

static void
uds_body(const atf_tc_t *tc)
{
	const struct uds_instance *in = instance_of(tc);
	struct uds_pair pair;

	/* A write to a closed peer must show as EPIPE, not end the case;
	 * cases about SIGPIPE install their own disposition. */
	signal(SIGPIPE, SIG_IGN);
	atexit(uds_children_kill_all);
	watchdog_arm(in->behaviour->timeout ? in->behaviour->timeout : UDS_DEFAULT_TIMEOUT);
	if (in->behaviour->kinds == UDS_NO_KIND) {
		in->behaviour->body(NULL);
	} else {
		uds_current_kind = &in->kind;
		uds_pair_open(&in->kind, &pair);
		in->behaviour->body(&pair);
	}
	uds_threads_finish_all();
	uds_children_kill_all();
}

/*
 * The case atf-c was asked to run ("name" or "name:body" after the
 * options), or NULL when it lists them all (-l).  Registering only that
 * case keeps each run O(1) instead of O(cases in the program).
 */
static const char *wanted;
static size_t wanted_len;

static void
find_wanted(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-l") == 0)
			return;
		if (a[0] == '-') {
			/* -r, -s and -v take an argument, attached or not. */
			if (strchr("rsv", a[1]) != NULL && a[1] != '\0' && a[2] == '\0')
				i++;
			continue;
		}
		wanted = a;
		wanted_len = strcspn(a, ":");
		return;
	}
}

static atf_error_t
add_all(atf_tp_t *tp)
{
	static struct uds_instance one;

	if (wanted != NULL && uds_instance_find(wanted, wanted_len, &one)) {
		instances = &one;
		ninstances = 1;
	} else {
		/* Listing (-l), or a name that is not ours: atf-c reports it. */
		ninstances = uds_instances(&instances);
	}
	tcs = calloc(ninstances ? ninstances : 1, sizeof(*tcs));
	if (tcs == NULL)
		return atf_no_memory_error();
	for (size_t i = 0; i < ninstances; i++) {
		char **config = atf_tp_get_config(tp);
		atf_error_t err;

		if (config == NULL)
			return atf_no_memory_error();
		err = atf_tc_init(&tcs[i], instances[i].ident, uds_head, uds_body, NULL,
		    (const char *const *)config);
		atf_utils_free_charpp(config);
		if (atf_is_error(err))
			return err;
		err = atf_tp_add_tc(tp, &tcs[i]);
		if (atf_is_error(err))
			return err;
	}
	return atf_no_error();
}

int atf_tp_main(int, char **, atf_error_t (*)(atf_tp_t *));

int
main(int argc, char **argv)
{
	if (!uds_registry_valid())
		return 1;
	find_wanted(argc, argv);
	return atf_tp_main(argc, argv, add_all);
}
