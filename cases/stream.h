/*
 * stream.h - what the source files of stream_test (catalogue area E) share:
 * the byte pattern a stream carries (never periodic at buffer-sized
 * distances) and a sender that pauses between two parts.  The functions
 * are defined in stream_test.c.
 */
#ifndef STREAM_H
#define STREAM_H

#include "uds.h"

struct pause_arg {
	int tx, rx;
};

/* Byte i of a stream: never periodic at buffer-sized distances. */
unsigned char pattern_at(size_t i);
unsigned char *pattern_new(size_t len);
/* Fails at the first byte of buf that is not byte off + i of the pattern. */
void pattern_check(const unsigned char *buf, size_t off, size_t len);
/*
 * Sends "first", waits until the reader has taken it (its queue is empty:
 * it is inside recv(MSG_WAITALL) waiting for the rest), then sends "second".
 * A platform that keeps partial data queued while waiting just gets the
 * rest after half the deadline.
 */
void send_in_two_parts(void *argp);

#endif /* STREAM_H */
