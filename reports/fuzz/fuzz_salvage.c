/*
 * fuzz_salvage.c - a run kyua did not finish: the input is `kyua list
 * --verbose` output and `kyua test` output, split at the first NUL byte
 * (all list when there is none), over an empty results database.
 */
#include "fuzz.h"

#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct report r;
	static char list[600], log[600];
	jmp_buf jb;
	const uint8_t *nul = memchr(data, '\0', size);
	size_t nl = nul ? (size_t)(nul - data) : size;

	snprintf(list, sizeof(list), "%s", fuzz_file("kyua-list.txt", data, nl));
	snprintf(log, sizeof(log), "%s", fuzz_file("kyua-test.log", nul ? nul + 1 : data + size,
	    nul ? size - nl - 1 : 0));
	die_catch = &jb;
	if (setjmp(jb) == 0) {
		salvage_run(&r, list, log);
		count_report(&r);
		fuzz_render(&r);
	}
	die_catch = NULL;
	fuzz_reset(&r);
	return 0;
}
