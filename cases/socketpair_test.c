/* placeholder */
#include "uds.h"
