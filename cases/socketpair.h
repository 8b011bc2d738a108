/*
 * socketpair.h - what the source files of socketpair_test (catalogue area
 * A) share; defined in socketpair_test.c.
 */
#ifndef SOCKETPAIR_H
#define SOCKETPAIR_H

#include "uds.h"

/* Every socket the kind made: both ends and, where there is one, the listener; returns how many. */
int sockets_of(const struct uds_pair *p, int fds[3]);

#endif /* SOCKETPAIR_H */
