/* -Dlinux_features=false: <sys/sendfile.h> is Linux only; guard its use with HAVE_SYS_SENDFILE_H. */
#error "<sys/sendfile.h> is Linux only and this build has -Dlinux_features=false"
