/* misc.c - small conditions cases share: privilege, memory, the table's "holds". */
#include "uds_internal.h"

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

void
uds_require_unprivileged(void)
{
	uds_note("running as uid %d (euid %d)", (int)getuid(), (int)geteuid());
	UDS_REQUIRE(geteuid() != 0, "runs as root, which passes every permission check");
}

void *
uds_unmapped_page(void)
{
	size_t size = (size_t)sysconf(_SC_PAGESIZE);
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON, -1, 0);

	UDS_REQUIRE(p != MAP_FAILED, "mmap() of one page failed: %s", uds_errno_name(errno));
	UDS_OK(munmap(p, size));
	return p;
}

void
uds_require_holds(const char *key)
{
	long v = uds_expected_value(key);

	UDS_REQUIRE(v == 1, "suite bug: expectation %s is %ld, not 1 (\"holds\")", key, v);
}
