/*
 * fuzz_common.c - scratch files, rendering and reset for the fuzz targets.
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void json_free_all(void);

static char dir[256];

const char *
fuzz_file(const char *name, const uint8_t *data, size_t size)
{
	static char path[512];
	FILE *f;

	if (dir[0] == '\0') {
		const char *t = getenv("TMPDIR");
		snprintf(dir, sizeof(dir), "%s/uds-fuzz.XXXXXX", t && *t ? t : "/tmp");
		if (mkdtemp(dir) == NULL)
			abort();
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	return path;
}

void
fuzz_render(const struct report *r)
{
	struct buf b = { 0 };

	out_junit(r, &b);
	buf_free(&b);
	out_json(r, &b, false, SIZE_MAX);
	buf_free(&b);
	out_md(r, &b);
	buf_free(&b);
	out_html(r, &b, 16384);
	buf_free(&b);
	out_tap(r, &b);
	buf_free(&b);
}

void
fuzz_reset(struct report *r)
{
	free(r->cases);
	memset(r, 0, sizeof(*r));
	remove_private_copy();
	json_free_all();
	arena_free_all();
}
