/*
 * fuzz_db.c - the results-database loader: any bytes as kyua's results.db
 * (the seeds are well-formed databases whose kyua tables hold odd values,
 * so mutations reach the rows, not only SQLite's header checks).
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct report r;
	jmp_buf jb;
	const char *path = fuzz_file("results.db", data, size);

	die_catch = &jb;
	if (setjmp(jb) == 0) {
		load_db(path, &r, 4096, UDS_LINUX, "6.1.0", NULL, NULL);
		fuzz_render(&r);
	}
	die_catch = NULL;
	fuzz_reset(&r);
	return 0;
}
