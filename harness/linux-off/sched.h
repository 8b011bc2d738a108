/* -Dlinux_features=false: the real <sched.h>, then the Linux-only names hidden. */
#include_next <sched.h>
#include "uds_linux_off.h"
