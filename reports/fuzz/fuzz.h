/*
 * fuzz.h - what the report tool's fuzz targets share (reports/fuzz/, built
 * with -Dfuzz=true by clang's libFuzzer; ci/fuzz runs them).  Each target
 * feeds its input to one reader of external input, as a file (the readers
 * take paths), renders what was read in every format, and frees it all: a
 * refused input is a die(), caught, never an exit.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include "report.h"

/* A file of this process's scratch directory holding data; its path. */
const char *fuzz_file(const char *name, const uint8_t *data, size_t size);
/* Every format of r, written into memory and dropped. */
void fuzz_render(const struct report *r);
/* Frees r's cases and everything the tool allocated for it. */
void fuzz_reset(struct report *r);

#endif
