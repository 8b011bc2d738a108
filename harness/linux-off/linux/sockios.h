/* -Dlinux_features=false: <linux/sockios.h> is Linux only; guard its use with HAVE_LINUX_SOCKIOS_H. */
#error "<linux/sockios.h> is Linux only and this build has -Dlinux_features=false"
