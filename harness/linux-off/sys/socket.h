/* -Dlinux_features=false: the real <sys/socket.h>, then the Linux-only names hidden. */
#include_next <sys/socket.h>
#include "../uds_linux_off.h"
