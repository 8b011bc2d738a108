/* -Dlinux_features=false: <sys/epoll.h> is Linux only; guard its use with HAVE_SYS_EPOLL_H. */
#error "<sys/epoll.h> is Linux only and this build has -Dlinux_features=false"
