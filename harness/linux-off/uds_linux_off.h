/*
 * uds_linux_off.h - with -Dlinux_features=false, hides what only Linux has,
 * so the BSD/macOS code paths compile (and run) on Linux.
 *
 * meson puts harness/linux-off/ first on the include path in that build only.
 * Its headers include the real one (#include_next) and then this file,
 * which #undef's the Linux-only macros that header defined; the real
 * headers' include guards keep them from coming back.  Linux-only functions
 * are poisoned (any use is a compile error: guard it with its HAVE_ macro),
 * and <sys/epoll.h>, <sys/sendfile.h>, <linux/sockios.h> refuse to be included.
 * uds_config.h has HAVE_* absent for all of them (meson.build: linux_only).
 */
#ifndef UDS_LINUX_OFF_H
#define UDS_LINUX_OFF_H
#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#pragma GCC poison accept4 recvmmsg sendmmsg unshare splice
#endif

/* Outside the guard: runs after every wrapped header. */
#undef SO_PEERCRED
#undef SO_PASSCRED
#undef SCM_CREDENTIALS
#undef SO_PEEK_OFF
#undef SO_PEERPIDFD
#undef SO_PASSPIDFD
#undef SCM_PIDFD
#undef SO_PASSRIGHTS
#undef SO_INQ
#undef SCM_INQ
#undef SO_PASSSEC
#undef SCM_SECURITY
#undef SO_PEERSEC
#undef SO_PEERGROUPS
#undef SO_RCVBUFFORCE
#undef SO_SNDBUFFORCE
#undef SO_BINDTODEVICE
#undef SO_NO_CHECK
#undef SO_COOKIE
#undef MSG_CMSG_CLOEXEC
#undef MSG_WAITFORONE
#undef SOCK_NONBLOCK
#undef SOCK_CLOEXEC
#undef SIOCINQ
#undef SIOCOUTQ
#undef POLLRDHUP
#undef CLONE_NEWNET
#undef CLONE_NEWNS
#undef CLONE_NEWUSER
#undef F_SETSIG
#undef F_GETSIG
#undef F_SETOWN_EX
#undef F_GETOWN_EX
