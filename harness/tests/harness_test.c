/*
 * harness_test - unit tests of the harness itself.  Where a helper must
 * fail the case (a child's failure, a leak, a call that did not block),
 * the test declares that with atf_tc_expect_fail: kyua then reports
 * "expected failure", and a helper that stopped failing turns it red.
 */
#include "uds.h"
#include "uds_internal.h"
#include "uds_registry.h"

#include <atf-c.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

ATF_TC_WITHOUT_HEAD(kinds_expand_in_canonical_order);
ATF_TC_BODY(kinds_expand_in_canonical_order, tc)
{
	struct uds_kind k[64];

	ATF_REQUIRE_EQ(uds_kinds_of(UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS, k, 64), 36);
	ATF_REQUIRE_STREQ(k[0].name, "stream_pair");
	ATF_REQUIRE_STREQ(k[3].name, "stream_pair_nb_rev");
	ATF_REQUIRE_STREQ(k[35].name, "seqpacket_abs_nb_rev");
	/* Unbound sockets have no direction: no _rev variants. */
	ATF_REQUIRE_EQ(uds_kinds_of(UDS_DGRAM | UDS_UNBOUND | UDS_ALL_VARIANTS, k, 64), 2);
	ATF_REQUIRE_STREQ(k[1].name, "dgram_unbound_nb");
	/* No mode or direction bits: blocking, forward. */
	ATF_REQUIRE_EQ(uds_kinds_of(UDS_STREAM | UDS_PATH, k, 64), 1);
	ATF_REQUIRE_STREQ(k[0].name, "stream_path");
	ATF_REQUIRE(!k[0].nonblock && !k[0].reversed && k[0].how == UDS_HOW_PATH);
}

static void
dummy_body(struct uds_pair *p)
{
	(void)p;
}

ATF_TC_WITHOUT_HEAD(instances_are_named_behaviour__kind);
ATF_TC_BODY(instances_are_named_behaviour__kind, tc)
{
	static struct uds_behaviour one = { .name = "one", .id = "X-1",
		.kinds = UDS_DGRAM | UDS_PAIR | UDS_BOTH_MODES, .body = dummy_body };
	static struct uds_behaviour none = { .name = "plain", .id = "X-2",
		.kinds = UDS_NO_KIND, .body = dummy_body };
	struct uds_instance *in;
	size_t n;

	uds_register(&one);
	uds_register(&none);
	n = uds_instances(&in);
	ATF_REQUIRE_EQ(n, 3);
	ATF_REQUIRE_STREQ(in[0].ident, "one__dgram_pair");
	ATF_REQUIRE_STREQ(in[1].ident, "one__dgram_pair_nb");
	ATF_REQUIRE_STREQ(in[2].ident, "plain");
}

ATF_TC_WITHOUT_HEAD(addresses_are_unique_and_short);
ATF_TC_BODY(addresses_are_unique_and_short, tc)
{
	struct uds_addr a, b;

	uds_addr_fresh_path(&a);
	uds_addr_fresh_path(&b);
	ATF_REQUIRE(strcmp(a.sun.sun_path, b.sun.sun_path) != 0);
	ATF_REQUIRE(a.sun.sun_path[0] != '/');
	ATF_REQUIRE_EQ(a.len, offsetof(struct sockaddr_un, sun_path) + strlen(a.sun.sun_path) + 1);
	uds_addr_fresh_abstract(&a);
	uds_addr_fresh_abstract(&b);
	ATF_REQUIRE_EQ(a.sun.sun_path[0], '\0');
	ATF_REQUIRE(a.len != b.len || memcmp(&a.sun, &b.sun, a.len) != 0);
	ATF_REQUIRE(strstr(uds_addr_str(&a.sun, a.len), "abstract \"@uds-") != NULL);
}

ATF_TC_WITHOUT_HEAD(every_connected_kind_exchanges_both_ways);
ATF_TC_BODY(every_connected_kind_exchanges_both_ways, tc)
{
	struct uds_kind k[64];
	size_t n = uds_kinds_of(UDS_ALL_TYPES | UDS_PAIR | UDS_PATH | UDS_ALL_VARIANTS |
	    (uds_have_abstract() ? UDS_ABSTRACT : 0u), k, 64);

	for (size_t i = 0; i < n; i++) {
		struct uds_pair p;
		char c;

		uds_pair_open(&k[i], &p);
		ATF_REQUIRE_MSG((fcntl(p.a, F_GETFL) & O_NONBLOCK) == (k[i].nonblock ? O_NONBLOCK : 0),
		    "%s: O_NONBLOCK does not match the kind", k[i].name);
		uds_send_one(p.a, "a", 1);
		uds_send_one(p.b, "b", 1);
		ATF_REQUIRE_EQ(uds_recv_one(p.b, &c, 1, 0), 1);
		ATF_REQUIRE_EQ(c, 'a');
		ATF_REQUIRE_EQ(uds_recv_one(p.a, &c, 1, 0), 1);
		ATF_REQUIRE_EQ(c, 'b');
		uds_pair_close(&p);
	}
}

ATF_TC_WITHOUT_HEAD(reversed_kind_swaps_the_ends);
ATF_TC_BODY(reversed_kind_swaps_the_ends, tc)
{
	struct uds_kind k[2];
	struct uds_pair fwd, rev;
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);

	ATF_REQUIRE_EQ(uds_kinds_of(UDS_STREAM | UDS_PATH | UDS_FORWARD | UDS_REVERSED, k, 2), 2);
	uds_pair_open(&k[0], &fwd);
	uds_pair_open(&k[1], &rev);
	/* Forward: a is the unnamed client.  Reversed: a is the accepted end. */
	ATF_REQUIRE_EQ(getsockname(fwd.a, (struct sockaddr *)&sun, &len), 0);
	ATF_REQUIRE_EQ(len, offsetof(struct sockaddr_un, sun_path));
	len = sizeof(sun);
	ATF_REQUIRE_EQ(getsockname(rev.a, (struct sockaddr *)&sun, &len), 0);
	ATF_REQUIRE(len > offsetof(struct sockaddr_un, sun_path));
}

ATF_TC_WITHOUT_HEAD(nblistener_kind_accepts_from_a_nonblocking_listener);
ATF_TC_BODY(nblistener_kind_accepts_from_a_nonblocking_listener, tc)
{
	struct uds_kind k[64];
	size_t n;

	/* Not in UDS_ALL_VARIANTS: the usual masks expand as before. */
	ATF_REQUIRE_EQ(UDS_ALL_VARIANTS & UDS_NBLISTENER, 0);
	ATF_REQUIRE_EQ(uds_kinds_of(UDS_ALL_TYPES | UDS_CONNECTED | UDS_ALL_VARIANTS | UDS_NBLISTENER,
	    k, 64), 36 + 16);
	/* Only stream/seqpacket path and abstract kinds gain an _lnb variant, right after the plain one. */
	n = uds_kinds_of(UDS_ALL_TYPES | UDS_PAIR | UDS_PATH | UDS_UNBOUND | UDS_BOTH_MODES |
	    UDS_NBLISTENER, k, 64);
	ATF_REQUIRE_EQ(n, 3 * 2 * 3 + 2 * 2);
	ATF_REQUIRE_STREQ(k[2].name, "stream_path");
	ATF_REQUIRE_STREQ(k[3].name, "stream_path_lnb");
	ATF_REQUIRE_STREQ(k[5].name, "stream_path_nb_lnb");
	ATF_REQUIRE(k[3].nblistener && !k[2].nblistener && !k[3].nonblock);
	for (size_t i = 0; i < n; i++) {
		struct uds_pair p;
		char c;

		if (k[i].type == SOCK_SEQPACKET && !uds_have_seqpacket())
			continue;
		uds_pair_open(&k[i], &p);
		if (k[i].nblistener) {
			ATF_REQUIRE_MSG(fcntl(p.listener, F_GETFL) & O_NONBLOCK,
			    "%s: the listener is blocking", k[i].name);
			ATF_REQUIRE_MSG(p.accepted_fl != -1, "%s: no accepted flags", k[i].name);
		}
		if (k[i].how == UDS_HOW_PATH && k[i].type != SOCK_DGRAM)
			ATF_REQUIRE_MSG(p.accepted_fl != -1, "%s: accepted flags not recorded",
			    k[i].name);
		else
			ATF_REQUIRE_EQ(p.accepted_fl, -1);
		if (p.b != -1 && k[i].how != UDS_HOW_UNBOUND) {
			ATF_REQUIRE_MSG((fcntl(p.b, F_GETFL) & O_NONBLOCK) ==
			    (k[i].nonblock ? O_NONBLOCK : 0), "%s: b's O_NONBLOCK does not match "
			    "the kind", k[i].name);
			uds_send_one(p.a, "a", 1);
			ATF_REQUIRE_EQ(uds_recv_one(p.b, &c, 1, 0), 1);
			ATF_REQUIRE_EQ(c, 'a');
		}
		uds_pair_close(&p);
	}
}

static void
child_passes(void *arg)
{
	(void)arg;
	UDS_REQUIRE(1 + 1 == 2, "arithmetic");
}

static void
child_fails(void *arg)
{
	(void)arg;
	UDS_EQ(41, 42, "the answer");
}

ATF_TC_WITHOUT_HEAD(child_success_is_quiet);
ATF_TC_BODY(child_success_is_quiet, tc)
{
	struct uds_child c;

	uds_child_start(&c, child_passes, NULL);
	uds_child_finish(&c);
}

/* No atf_tc_expect_fail here: only the harness can make this an expected failure. */
ATF_TC_WITHOUT_HEAD(tolerated_known_bug_makes_a_failure_expected);
ATF_TC_BODY(tolerated_known_bug_makes_a_failure_expected, tc)
{
	uds_tolerate_failure("a known bug named by the case");
	UDS_REQUIRE(0, "the check a known bug breaks");
}

ATF_TC_WITHOUT_HEAD(unknown_rule_row_is_a_suite_bug);
ATF_TC_BODY(unknown_rule_row_is_a_suite_bug, tc)
{
	atf_tc_expect_fail("a rule row missing from the expectation table must fail the case");
	uds_known_bug("no.such.fix");
}

ATF_TC_WITHOUT_HEAD(child_failure_fails_the_case);
ATF_TC_BODY(child_failure_fails_the_case, tc)
{
	struct uds_child c;

	uds_child_start(&c, child_fails, NULL);
	atf_tc_expect_fail("a failing child must fail the case with its message");
	uds_child_finish(&c);
}

static void
child_hangs(void *arg)
{
	int *fds = arg;
	char c;

	/* Blocks until the parent kills it: nobody writes to this pipe. */
	(void)read(fds[0], &c, 1);
}

ATF_TC(child_is_killed_at_the_deadline);
ATF_TC_HEAD(child_is_killed_at_the_deadline, tc)
{
	atf_tc_set_md_var(tc, "timeout", "20");
}
ATF_TC_BODY(child_is_killed_at_the_deadline, tc)
{
	struct uds_child c;
	int fds[2];

	ATF_REQUIRE_EQ(pipe(fds), 0);
	uds_child_start(&c, child_hangs, fds);
	atf_tc_expect_fail("a child that never finishes is killed and fails the case");
	uds_child_finish(&c);
}

ATF_TC_WITHOUT_HEAD(children_are_reaped_by_kill_all);
ATF_TC_BODY(children_are_reaped_by_kill_all, tc)
{
	struct uds_child c;
	int fds[2];

	ATF_REQUIRE_EQ(pipe(fds), 0);
	uds_child_start(&c, child_hangs, fds);
	uds_children_kill_all();
	ATF_REQUIRE_EQ(kill(c.pid, 0), -1);
	ATF_REQUIRE_EQ(errno, ESRCH);
}

static long
thread_fails_with_ebadf(void *arg)
{
	(void)arg;
	return close(-1);
}

static long
thread_check_fails(void *arg)
{
	(void)arg;
	UDS_EQ(41, 42, "the answer");
	return 0;
}

/* Two threads at once: one's result and errno come back, the other's failure fails the case. */
ATF_TC_WITHOUT_HEAD(thread_result_comes_back_and_failure_fails_the_case);
ATF_TC_BODY(thread_result_comes_back_and_failure_fails_the_case, tc)
{
	struct uds_thread ok, failing;

	uds_thread_start(&ok, thread_fails_with_ebadf, NULL);
	uds_thread_start(&failing, thread_check_fails, NULL);
	ATF_REQUIRE_EQ(uds_thread_finish(&ok), -1);
	ATF_REQUIRE_EQ(errno, EBADF);
	atf_tc_expect_fail("a failing check in a thread must fail the case with its message");
	uds_thread_finish(&failing);
}

/* Reads the pipe whose fds are at arg, announcing the read as the call that blocks. */
static long
thread_reads_pipe(void *arg)
{
	int *fds = arg;
	char c;

	uds_thread_about_to_block();
	return read(fds[0], &c, 1);
}

/* The wait sees a thread asleep in read(); a read that returns at once fails it. */
ATF_TC_WITHOUT_HEAD(thread_wait_blocked_sees_the_sleep);
ATF_TC_BODY(thread_wait_blocked_sees_the_sleep, tc)
{
	struct uds_thread asleep, returning;
	int fds[2];

	ATF_REQUIRE_EQ(pipe(fds), 0);
	uds_thread_start(&asleep, thread_reads_pipe, fds);
	uds_thread_wait_blocked(&asleep, "read() of an empty pipe");
	ATF_REQUIRE_EQ(write(fds[1], "x", 1), 1);
	ATF_REQUIRE_EQ(uds_thread_finish(&asleep), 1);
	ATF_REQUIRE_EQ(write(fds[1], "y", 1), 1);
	uds_thread_start(&returning, thread_reads_pipe, fds);
	atf_tc_expect_fail("a call that returns before the main thread acts must fail the wait");
	uds_thread_wait_blocked(&returning, "read() of a pipe holding a byte");
}

/* With every signal blocked in the thread, pause() never returns. */
static long
thread_pauses(void *arg)
{
	(void)arg;
	return pause();
}

ATF_TC_WITHOUT_HEAD(thread_still_running_fails_at_the_deadline);
ATF_TC_BODY(thread_still_running_fails_at_the_deadline, tc)
{
	struct uds_thread t;

	uds_thread_start(&t, thread_pauses, NULL);
	atf_tc_expect_fail("a thread that never finishes fails the case, and the process exits");
	uds_thread_finish(&t);
}

ATF_TC_WITHOUT_HEAD(blocking_recv_blocks);
ATF_TC_BODY(blocking_recv_blocks, tc)
{
	int sv[2];
	char c;

	ATF_REQUIRE_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	UDS_BLOCKS(recv(sv[0], &c, 1, 0));
}

ATF_TC_WITHOUT_HEAD(returning_call_does_not_block);
ATF_TC_BODY(returning_call_does_not_block, tc)
{
	int sv[2];
	char c;

	ATF_REQUIRE_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ATF_REQUIRE_EQ(send(sv[1], "x", 1, 0), 1);
	atf_tc_expect_fail("a call that returns at once must fail UDS_BLOCKS");
	UDS_BLOCKS(recv(sv[0], &c, 1, 0));
}

ATF_TC_WITHOUT_HEAD(at_once_passes_results_through);
ATF_TC_BODY(at_once_passes_results_through, tc)
{
	int sv[2];
	char c;

	ATF_REQUIRE_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ATF_REQUIRE_EQ(send(sv[1], "x", 1, 0), 1);
	ATF_REQUIRE_EQ(UDS_AT_ONCE(recv(sv[0], &c, 1, 0)), 1);
	UDS_WOULD_BLOCK(recv(sv[0], &c, 1, MSG_DONTWAIT));
	ATF_REQUIRE_EQ(UDS_WITHIN_DEADLINE(close(-1)), -1);
	ATF_REQUIRE_EQ(errno, EBADF);
}

ATF_TC_WITHOUT_HEAD(at_once_fails_a_blocked_call);
ATF_TC_BODY(at_once_fails_a_blocked_call, tc)
{
	int sv[2];
	char c;

	ATF_REQUIRE_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	atf_tc_expect_fail("a call still blocked after UDS_BLOCK_MS must fail UDS_AT_ONCE");
	(void)UDS_AT_ONCE(recv(sv[0], &c, 1, 0));
}

ATF_TC_WITHOUT_HEAD(leak_check_sees_a_new_descriptor);
ATF_TC_BODY(leak_check_sees_a_new_descriptor, tc)
{
	struct uds_fd_snapshot snap;

	uds_fds_snapshot(&snap);
	UDS_FDS_UNCHANGED(&snap, "with nothing done");
	ATF_REQUIRE(dup(0) != -1);
	atf_tc_expect_fail("a descriptor opened after the snapshot is a leak");
	UDS_FDS_UNCHANGED(&snap, "after dup()");
}

ATF_TC_WITHOUT_HEAD(harness_leaks_no_descriptor);
ATF_TC_BODY(harness_leaks_no_descriptor, tc)
{
	struct uds_kind k[64];
	size_t n = uds_kinds_of(UDS_ALL_TYPES | UDS_PAIR | UDS_PATH | UDS_UNBOUND | UDS_ALL_VARIANTS |
	    (uds_have_abstract() ? UDS_ABSTRACT : 0u), k, 64);
	struct uds_fd_snapshot snap;
	struct uds_child c;
	struct uds_msg m;
	int file;

	uds_have_seqpacket();           /* probes keep nothing open, but run them first */
	uds_fds_snapshot(&snap);
	for (size_t i = 0; i < n; i++) {
		struct uds_pair p;

		uds_pair_open(&k[i], &p);
		uds_pair_close(&p);
	}
	uds_child_start(&c, child_passes, NULL);
	uds_child_finish(&c);
	{
		struct uds_pair p;

		uds_pair_open(&k[0], &p);
		file = uds_temp_file("x");
		uds_send_fds(p.a, &file, 1);
		uds_recv_fds(p.b, 1, 0, &m);
		ATF_REQUIRE_EQ(m.nfds, 1);
		close(m.fds[0]);
		close(file);
		uds_pair_close(&p);
	}
	UDS_FDS_UNCHANGED(&snap, "after a pair of every kind, a child and a descriptor round trip");
}

ATF_TC_WITHOUT_HEAD(passed_descriptors_are_the_same_files);
ATF_TC_BODY(passed_descriptors_are_the_same_files, tc)
{
	int sv[2], files[3];
	struct uds_msg m;

	ATF_REQUIRE_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	for (int i = 0; i < 3; i++)
		files[i] = uds_temp_file("x");
	uds_send_fds(sv[0], files, 3);
	uds_recv_fds(sv[1], 3, 0, &m);
	ATF_REQUIRE_EQ(m.nfds, 3);
	for (int i = 0; i < 3; i++)
		ATF_REQUIRE(uds_same_file(m.fds[i], files[i]));
	ATF_REQUIRE(!uds_same_file(m.fds[0], files[1]));
}

ATF_TC_WITHOUT_HEAD(checks_print_expected_and_errno_names);
ATF_TC_BODY(checks_print_expected_and_errno_names, tc)
{
	ATF_REQUIRE_STREQ(uds_errno_name(ECONNREFUSED), "ECONNREFUSED");
	ATF_REQUIRE_STREQ(uds_errno_name(EPROTOTYPE), "EPROTOTYPE");
	ATF_REQUIRE(strncmp(uds_errno_name(99999), "E?", 2) == 0);
	UDS_FAILS_WITH(EBADF, close(-1));
	atf_tc_expect_fail("a wrong errno must fail UDS_FAILS_WITH");
	UDS_FAILS_WITH(ENOENT, close(-1));
}

ATF_TC_WITHOUT_HEAD(expectation_table_is_well_formed);
ATF_TC_BODY(expectation_table_is_well_formed, tc)
{
	for (size_t i = 0; i < uds_expect_table_len; i++) {
		const struct uds_expect_row *r = &uds_expect_table[i];

		ATF_REQUIRE_MSG(r->key && r->what && r->what[0], "row %zu lacks key or text", i);
		for (size_t j = i + 1; j < uds_expect_table_len; j++)
			ATF_REQUIRE_MSG(strcmp(r->key, uds_expect_table[j].key) != 0,
			    "key %s appears twice", r->key);
		for (int p = 0; p < UDS_NPLATFORMS; p++) {
			const struct uds_expectation *e = &r->on[p];

			ATF_REQUIRE_MSG(e->basis == UDS_UNKNOWN || (e->source && e->source[0]),
			    "%s on %s has a value but no source", r->key,
			    uds_platform_name((enum uds_platform)p));
			ATF_REQUIRE_MSG(r->value_kind == UDS_RESULT || e->value != UDS_BLOCKS_V,
			    "%s: a number row cannot say \"blocks\"", r->key);
		}
		for (int g = 0; g < UDS_NGATED; g++) {
			const struct uds_gated *c = &r->gated[g];

			if (c->e.source == NULL)
				continue;
			ATF_REQUIRE_MSG(c->platform < UDS_NPLATFORMS && (c->since || c->until),
			    "%s: a gated cell without a platform or a version range", r->key);
			ATF_REQUIRE_MSG(!c->since || !c->until || uds_version_cmp(c->since, c->until) < 0,
			    "%s: an empty version range", r->key);
		}
		ATF_REQUIRE_MSG(r->ids != NULL && r->ids[0] != '\0', "%s names no catalogue id",
		    r->key);
	}
	ATF_REQUIRE_EQ(uds_expect("sun_path.size")->basis, uds_platform() == UDS_NPLATFORMS
	    ? UDS_UNKNOWN : UDS_DOCUMENTED);
}

ATF_TC_WITHOUT_HEAD(versions_compare_by_component);
ATF_TC_BODY(versions_compare_by_component, tc)
{
	ATF_REQUIRE(uds_version_cmp("6.9.8", "6.10") < 0);
	ATF_REQUIRE(uds_version_cmp("6.10", "6.10.0") == 0);
	ATF_REQUIRE(uds_version_cmp("6.10.3", "6.10") > 0);
	ATF_REQUIRE(uds_version_cmp("5.10.218", "6.1") < 0);
	ATF_REQUIRE(uds_version_cmp("7.2.13", "6.18.44") > 0);
	ATF_REQUIRE(uds_version_cmp("20221219", "20240729") < 0);
}

/* A row of the table's shape, for the lookup rules alone. */
static const struct uds_expect_row gated_row = {
	"test.gated", "X-01", "a gated test row", UDS_RESULT, .on = {
	[UDS_LINUX] = { UDS_DOCUMENTED, EINVAL, "now", NULL, 0, false },
	[UDS_FREEBSD] = { UDS_OBSERVED, ENOTSOCK, "bsd", NULL, 0, false } },
	.gated = {
	{ UDS_LINUX, NULL, "6.10", { UDS_DOCUMENTED, EPERM, "old", "fixed in 6.10", 0, true } },
	{ UDS_GVISOR, NULL, "20240729", { UDS_OBSERVED, ENOENT, "gvisor old", "a gVisor bug", 0,
	    false } } } };

ATF_TC_WITHOUT_HEAD(expectations_by_platform_and_version);
ATF_TC_BODY(expectations_by_platform_and_version, tc)
{
	const char *note;

	ATF_REQUIRE_EQ(uds_expect_for(&gated_row, UDS_LINUX, "6.18.44", NULL)->value, EINVAL);
	ATF_REQUIRE_EQ(uds_expect_for(&gated_row, UDS_LINUX, "6.1.192", &note)->value, EPERM);
	ATF_REQUIRE_MATCH("before 6.10", note);
	ATF_REQUIRE_EQ(uds_expect_for(&gated_row, UDS_LINUX, "6.10", NULL)->value, EINVAL);
	/* An unknown version takes the current cell (a case then tolerates a failure that
	 * an earlier version's cell would explain: uds_expect(), uds_known_bug()). */
	ATF_REQUIRE_EQ(uds_expect_for(&gated_row, UDS_LINUX, NULL, &note)->value, EINVAL);
	ATF_REQUIRE_STREQ("", note);
	/* gVisor: its own gated cell, else Linux's current value. */
	ATF_REQUIRE_EQ(uds_expect_for(&gated_row, UDS_GVISOR, "20221219", NULL)->value, ENOENT);
	ATF_REQUIRE_EQ(uds_expect_for(&gated_row, UDS_GVISOR, "20240729", &note)->value, EINVAL);
	ATF_REQUIRE_MATCH("Linux's value", note);
	ATF_REQUIRE_EQ(uds_expect_for(&gated_row, UDS_FREEBSD, "14.1", NULL)->value, ENOTSOCK);
	ATF_REQUIRE_EQ(uds_expect_for(&gated_row, UDS_NETBSD, "10.0", NULL)->basis, UDS_UNKNOWN);
}

ATF_TC_WITHOUT_HEAD(kind_masks_select_kinds);
ATF_TC_BODY(kind_masks_select_kinds, tc)
{
	struct uds_kind k[64];
	size_t n = uds_kinds_of(UDS_SEQPACKET | UDS_PATH | UDS_ALL_VARIANTS, k, 64);

	ATF_REQUIRE_EQ(n, 4);
	ATF_REQUIRE_STREQ(k[3].name, "seqpacket_path_nb_rev");
	ATF_REQUIRE(uds_kind_in(&k[3], 0));
	ATF_REQUIRE(uds_kind_in(&k[3], UDS_SEQPACKET));
	ATF_REQUIRE(!uds_kind_in(&k[3], UDS_STREAM | UDS_DGRAM));
	ATF_REQUIRE(uds_kind_in(&k[3], UDS_RECORD_TYPES | UDS_NAMED | UDS_NONBLOCK));
	ATF_REQUIRE(!uds_kind_in(&k[3], UDS_SEQPACKET | UDS_BLOCKING));
	ATF_REQUIRE(!uds_kind_in(&k[0], UDS_SEQPACKET | UDS_REVERSED));
	ATF_REQUIRE(!uds_kind_in(&k[0], UDS_PAIR));
}

ATF_TC_WITHOUT_HEAD(sun_path_size_matches_the_table);
ATF_TC_BODY(sun_path_size_matches_the_table, tc)
{
	UDS_EXPECT_VALUE("sun_path.size", sizeof(((struct sockaddr_un *)0)->sun_path));
}

ATF_TC_WITHOUT_HEAD(records_arrive_whole_and_checked);
ATF_TC_BODY(records_arrive_whole_and_checked, tc)
{
	struct uds_record out, in;
	int sv[2];

	ATF_REQUIRE_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	for (uint32_t seq = 0; seq < 20; seq++) {
		size_t len = uds_record_make(&out, 2, seq, 500);

		ATF_REQUIRE(len >= UDS_RECORD_HEAD && len < UDS_RECORD_HEAD + 500);
		uds_send_one(sv[0], &out, len);
		uds_record_check(&in, uds_recv_one(sv[1], &in, sizeof(in), 0), "record");
		ATF_REQUIRE_EQ(in.seq, seq);
		ATF_REQUIRE_EQ(in.sender, 2);
	}
	/* A record cut short of its fill is not whole. */
	uds_send_one(sv[0], &out, UDS_RECORD_HEAD + out.len - 1);
	atf_tc_expect_fail("a record one byte short must fail uds_record_check");
	uds_record_check(&in, uds_recv_one(sv[1], &in, sizeof(in), 0), "record");
}

ATF_TC_WITHOUT_HEAD(record_with_changed_fill_is_corrupt);
ATF_TC_BODY(record_with_changed_fill_is_corrupt, tc)
{
	struct uds_record r;
	size_t len = uds_record_make(&r, 0, 7, sizeof(r.fill));

	ATF_REQUIRE(r.len > 0);
	uds_record_check(&r, (ssize_t)len, "record");
	r.fill[0] ^= 1;
	atf_tc_expect_fail("a changed fill byte must fail the checksum");
	uds_record_check(&r, (ssize_t)len, "record");
}

ATF_TC_WITHOUT_HEAD(recv_expect_takes_exactly_the_bytes);
ATF_TC_BODY(recv_expect_takes_exactly_the_bytes, tc)
{
	int sv[2];

	ATF_REQUIRE_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	uds_send_one(sv[0], "abcdef", 6);
	uds_recv_expect(sv[1], 2, MSG_PEEK, "ab", "peeked");
	uds_recv_expect(sv[1], 4, 0, "abcd", "first read");
	uds_recv_expect(sv[1], 64, 0, "ef", "rest");
	uds_send_one(sv[0], "xyz", 3);
	atf_tc_expect_fail("other bytes than expected must fail uds_recv_expect");
	uds_recv_expect(sv[1], 64, 0, "xyw", "changed");
}

ATF_TC_WITHOUT_HEAD(recv_expect_fails_a_short_read);
ATF_TC_BODY(recv_expect_fails_a_short_read, tc)
{
	int sv[2];

	ATF_REQUIRE_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	uds_send_one(sv[0], "ab", 2);
	atf_tc_expect_fail("fewer bytes than expected must fail uds_recv_expect");
	uds_recv_expect(sv[1], 64, 0, "abc", "short");
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, kinds_expand_in_canonical_order);
	ATF_TP_ADD_TC(tp, instances_are_named_behaviour__kind);
	ATF_TP_ADD_TC(tp, addresses_are_unique_and_short);
	ATF_TP_ADD_TC(tp, every_connected_kind_exchanges_both_ways);
	ATF_TP_ADD_TC(tp, reversed_kind_swaps_the_ends);
	ATF_TP_ADD_TC(tp, nblistener_kind_accepts_from_a_nonblocking_listener);
	ATF_TP_ADD_TC(tp, child_success_is_quiet);
	ATF_TP_ADD_TC(tp, child_failure_fails_the_case);
	ATF_TP_ADD_TC(tp, child_is_killed_at_the_deadline);
	ATF_TP_ADD_TC(tp, children_are_reaped_by_kill_all);
	ATF_TP_ADD_TC(tp, thread_result_comes_back_and_failure_fails_the_case);
	ATF_TP_ADD_TC(tp, thread_wait_blocked_sees_the_sleep);
	ATF_TP_ADD_TC(tp, thread_still_running_fails_at_the_deadline);
	ATF_TP_ADD_TC(tp, blocking_recv_blocks);
	ATF_TP_ADD_TC(tp, returning_call_does_not_block);
	ATF_TP_ADD_TC(tp, at_once_passes_results_through);
	ATF_TP_ADD_TC(tp, at_once_fails_a_blocked_call);
	ATF_TP_ADD_TC(tp, leak_check_sees_a_new_descriptor);
	ATF_TP_ADD_TC(tp, harness_leaks_no_descriptor);
	ATF_TP_ADD_TC(tp, passed_descriptors_are_the_same_files);
	ATF_TP_ADD_TC(tp, checks_print_expected_and_errno_names);
	ATF_TP_ADD_TC(tp, expectation_table_is_well_formed);
	ATF_TP_ADD_TC(tp, sun_path_size_matches_the_table);
	ATF_TP_ADD_TC(tp, versions_compare_by_component);
	ATF_TP_ADD_TC(tp, expectations_by_platform_and_version);
	ATF_TP_ADD_TC(tp, kind_masks_select_kinds);
	ATF_TP_ADD_TC(tp, records_arrive_whole_and_checked);
	ATF_TP_ADD_TC(tp, record_with_changed_fill_is_corrupt);
	ATF_TP_ADD_TC(tp, recv_expect_takes_exactly_the_bytes);
	ATF_TP_ADD_TC(tp, recv_expect_fails_a_short_read);
	ATF_TP_ADD_TC(tp, tolerated_known_bug_makes_a_failure_expected);
	ATF_TP_ADD_TC(tp, unknown_rule_row_is_a_suite_bug);
	return atf_no_error();
}
