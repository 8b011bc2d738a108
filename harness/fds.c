/* fds.c - which descriptors are open, before and after a step. */
#include "uds_internal.h"

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

/* One poll() over every slot: a closed descriptor reports POLLNVAL. */
void
uds_fds_snapshot(struct uds_fd_snapshot *snap)
{
	static struct pollfd pfd[UDS_FD_SCAN];

	for (int fd = 0; fd < UDS_FD_SCAN; fd++)
		pfd[fd] = (struct pollfd){ .fd = fd, .events = 0 };
	if (poll(pfd, UDS_FD_SCAN, 0) == -1) {
		for (int fd = 0; fd < UDS_FD_SCAN; fd++)
			snap->open[fd] = fcntl(fd, F_GETFD) != -1;
		return;
	}
	for (int fd = 0; fd < UDS_FD_SCAN; fd++)
		snap->open[fd] = !(pfd[fd].revents & POLLNVAL);
}

int
uds_fds_count(void)
{
	struct uds_fd_snapshot now;
	int n = 0;

	uds_fds_snapshot(&now);
	for (int fd = 0; fd < UDS_FD_SCAN; fd++)
		n += now.open[fd];
	return n;
}

void
uds_fds_unchanged_at(const char *file, int line, const struct uds_fd_snapshot *snap,
    const char *what)
{
	struct uds_fd_snapshot now;
	char opened[256] = "", closed[256] = "";

	uds_fds_snapshot(&now);
	for (int fd = 0; fd < UDS_FD_SCAN; fd++) {
		char *list = now.open[fd] && !snap->open[fd] ? opened
		    : !now.open[fd] && snap->open[fd] ? closed : NULL;
		size_t used;

		if (list == NULL)
			continue;
		used = strlen(list);
		if (used < sizeof(opened) - 16)
			snprintf(list + used, sizeof(opened) - used, " %d", fd);
	}
	if (opened[0] || closed[0])
		uds_fail_at(file, line, "descriptors changed %s: opened [%s ] closed [%s ]", what,
		    opened, closed);
}
