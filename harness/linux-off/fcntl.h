/* -Dlinux_features=false: the real <fcntl.h>, then the Linux-only names hidden. */
#include_next <fcntl.h>
#include "uds_linux_off.h"
