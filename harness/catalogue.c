/*
 * catalogue.c - lookups in the catalogue compiled from cases/catalogue.tsv
 * and cases/areas.tsv (gen-catalogue.py writes the tables themselves).
 */
#include "uds_registry.h"

#include <stdlib.h>
#include <string.h>

static int
entry_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct uds_catalogue_entry *)elem)->id);
}

const struct uds_catalogue_entry *
uds_catalogue_find(const char *id)
{
	return id == NULL ? NULL :
	    bsearch(id, uds_catalogue, uds_catalogue_len, sizeof(uds_catalogue[0]), entry_cmp);
}

const struct uds_area *
uds_area_of(const char *id)
{
	for (size_t i = 0; id != NULL && i < uds_areas_len; i++)
		if (uds_areas[i].letter == id[0])
			return &uds_areas[i];
	return NULL;
}
