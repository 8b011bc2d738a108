/*
 * fuzz_json.c - the JSON report reader (compare's input): any bytes as a
 * report.json; what it accepts is rendered in every format.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct report r;
	jmp_buf jb;

	die_catch = &jb;
	if (setjmp(jb) == 0) {
		report_from_json_text("input", (const char *)data, size, &r);
		fuzz_render(&r);
	}
	die_catch = NULL;
	fuzz_reset(&r);
	return 0;
}
