/* -Dlinux_features=false: the real <sys/poll.h>, then the Linux-only names hidden. */
#include_next <sys/poll.h>
#include "../uds_linux_off.h"
