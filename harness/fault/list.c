/* udsfault-list - prints the deviations of the fault-injection library:
 * name, what it does, and the catalogue rows whose cases should catch it. */
#include <stdio.h>

int
main(void)
{
#define FAULT(name, what, catches) printf("%s\t%s\t%s\n", #name, what, catches);
#include "faults.def"
#undef FAULT
	return 0;
}
