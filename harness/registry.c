/*
 * registry.c - behaviours register themselves (UDS_CASE); the registry
 * expands each one over the kinds its mask names, in one canonical order,
 * so the list of case names is stable across runs and platforms.
 */
#include "uds_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct uds_behaviour *first, **tail = &first;

const struct uds_kind *uds_current_kind;

void
uds_register(struct uds_behaviour *b)
{
	b->next = NULL;
	*tail = b;
	tail = &b->next;
}

static const struct {
	unsigned bit;
	int type;
	const char *word;
} types[] = {
	{ UDS_STREAM, SOCK_STREAM, "stream" },
	{ UDS_DGRAM, SOCK_DGRAM, "dgram" },
	{ UDS_SEQPACKET, SOCK_SEQPACKET, "seqpacket" },
};

static const struct {
	unsigned bit;
	enum uds_how how;
	const char *word;
} hows[] = {
	{ UDS_PAIR, UDS_HOW_PAIR, "pair" },
	{ UDS_PATH, UDS_HOW_PATH, "path" },
	{ UDS_ABSTRACT, UDS_HOW_ABSTRACT, "abs" },
	{ UDS_UNBOUND, UDS_HOW_UNBOUND, "unbound" },
};

const char *
uds_type_name(int type)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].type == type)
			return types[i].word;
	return "unknown-type";
}

bool
uds_kind_in(const struct uds_kind *k, unsigned mask)
{
	unsigned type = 0, how = 0;

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].type == k->type)
			type = types[i].bit;
	for (size_t i = 0; i < sizeof(hows) / sizeof(hows[0]); i++)
		if (hows[i].how == k->how)
			how = hows[i].bit;
	return (!(mask & UDS_ALL_TYPES) || (mask & type)) &&
	    (!(mask & (UDS_CONNECTED | UDS_UNBOUND)) || (mask & how)) &&
	    (!(mask & UDS_BOTH_MODES) || (mask & (k->nonblock ? UDS_NONBLOCK : UDS_BLOCKING))) &&
	    (!(mask & UDS_BOTH_ENDS) || (mask & (k->reversed ? UDS_REVERSED : UDS_FORWARD))) &&
	    (!(mask & UDS_NBLISTENER) || k->nblistener);
}

/* UDS_NBLISTENER applies where there is a listener: stream/seqpacket path or abstract. */
static bool
has_nblistener(unsigned mask, int type, enum uds_how how)
{
	return (mask & UDS_NBLISTENER) && type != SOCK_DGRAM &&
	    (how == UDS_HOW_PATH || how == UDS_HOW_ABSTRACT);
}

static void
fill_kind(struct uds_kind *k, size_t t, size_t h, int nb, int rev, int lnb)
{
	k->type = types[t].type;
	k->how = hows[h].how;
	k->nonblock = nb;
	k->reversed = rev;
	k->nblistener = lnb;
	snprintf(k->name, sizeof(k->name), "%s_%s%s%s%s", types[t].word, hows[h].word,
	    nb ? "_nb" : "", rev ? "_rev" : "", lnb ? "_lnb" : "");
}

size_t
uds_kinds_of(unsigned mask, struct uds_kind *out, size_t max)
{
	unsigned modes = mask & (UDS_BLOCKING | UDS_NONBLOCK);
	unsigned dirs = mask & (UDS_FORWARD | UDS_REVERSED);
	unsigned how_bits = mask & (UDS_PAIR | UDS_PATH | UDS_ABSTRACT | UDS_UNBOUND);
	size_t n = 0;

	if (modes == 0)
		modes = UDS_BLOCKING;
	if (dirs == 0)
		dirs = UDS_FORWARD;
	if (how_bits == 0)
		how_bits = UDS_UNBOUND;
	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		if (!(mask & types[t].bit))
			continue;
		for (size_t h = 0; h < sizeof(hows) / sizeof(hows[0]); h++) {
			if (!(how_bits & hows[h].bit))
				continue;
			for (int nb = 0; nb <= 1; nb++) {
				if (!(modes & (nb ? UDS_NONBLOCK : UDS_BLOCKING)))
					continue;
				for (int rev = 0; rev <= 1; rev++) {
					if (!(dirs & (rev ? UDS_REVERSED : UDS_FORWARD)))
						continue;
					/* Two unconnected sockets have no direction. */
					if (rev && hows[h].how == UDS_HOW_UNBOUND)
						continue;
					for (int lnb = 0; lnb <= 1; lnb++) {
						if (lnb && !has_nblistener(mask, types[t].type,
						    hows[h].how))
							continue;
						if (n < max)
							fill_kind(&out[n], t, h, nb, rev, lnb);
						n++;
					}
				}
			}
		}
	}
	return n;
}

/* Every kind the harness can make, in canonical order. */
static size_t
every_kind(struct uds_kind *out, size_t max)
{
	return uds_kinds_of(UDS_ALL_TYPES | UDS_CONNECTED | UDS_UNBOUND | UDS_ALL_VARIANTS |
	    UDS_NBLISTENER, out, max);
}

static const struct uds_kind *
all_kinds(size_t *n)
{
	static struct uds_kind all[128];
	static size_t len;

	if (len == 0)
		len = every_kind(all, sizeof(all) / sizeof(all[0]));
	*n = len;
	return all;
}

int
uds_kind_rank(const char *name)
{
	size_t n;
	const struct uds_kind *all = all_kinds(&n);

	for (size_t i = 0; name != NULL && *name != '\0' && i < n; i++)
		if (strcmp(all[i].name, name) == 0)
			return (int)i + 1;
	return 0;
}

const struct uds_kind *
uds_kind_named(const char *name)
{
	int rank = uds_kind_rank(name);
	size_t n;

	return rank > 0 ? &all_kinds(&n)[rank - 1] : NULL;
}

const char *
uds_kind_name_at(int rank)
{
	size_t n;
	const struct uds_kind *all = all_kinds(&n);

	return rank >= 1 && (size_t)rank <= n ? all[rank - 1].name : NULL;
}

bool
uds_registry_valid(void)
{
	bool ok = true;

	for (struct uds_behaviour *b = first; b != NULL; b = b->next) {
		if (uds_catalogue_find(b->id) == NULL) {
			fprintf(stderr, "suite bug: behaviour %s names %s, which is not in "
			    "cases/catalogue.tsv\n", b->name, b->id);
			ok = false;
		}
		for (struct uds_behaviour *o = b->next; o != NULL; o = o->next)
			if (strcmp(o->name, b->name) == 0) {
				fprintf(stderr, "suite bug: two behaviours are named %s\n", b->name);
				ok = false;
			}
	}
	return ok;
}

size_t
uds_instances(struct uds_instance **out)
{
	struct uds_kind kinds[64];
	struct uds_instance *list = NULL;
	size_t n = 0, cap = 0;

	for (struct uds_behaviour *b = first; b != NULL; b = b->next) {
		size_t nk = b->kinds == UDS_NO_KIND ? 1 : uds_kinds_of(b->kinds, kinds, 64);

		for (size_t i = 0; i < nk; i++) {
			struct uds_instance *in;

			if (n == cap) {
				cap = cap ? cap * 2 : 256;
				list = realloc(list, cap * sizeof(*list));
				if (list == NULL) {
					perror("uds_instances");
					abort();
				}
			}
			in = &list[n++];
			memset(in, 0, sizeof(*in));
			in->behaviour = b;
			if (b->kinds == UDS_NO_KIND) {
				snprintf(in->ident, sizeof(in->ident), "%s", b->name);
			} else {
				in->kind = kinds[i];
				snprintf(in->ident, sizeof(in->ident), "%s__%s", b->name,
				    kinds[i].name);
			}
		}
	}
	*out = list;
	return n;
}

bool
uds_instance_find(const char *ident, size_t len, struct uds_instance *out)
{
	struct uds_kind kinds[64];

	for (struct uds_behaviour *b = first; b != NULL; b = b->next) {
		size_t nk, name_len = strlen(b->name);

		if (len < name_len || strncmp(ident, b->name, name_len) != 0)
			continue;
		memset(out, 0, sizeof(*out));
		out->behaviour = b;
		if (b->kinds == UDS_NO_KIND) {
			if (len == name_len) {
				snprintf(out->ident, sizeof(out->ident), "%s", b->name);
				return true;
			}
			continue;
		}
		nk = uds_kinds_of(b->kinds, kinds, 64);
		for (size_t i = 0; i < nk; i++) {
			snprintf(out->ident, sizeof(out->ident), "%s__%s", b->name, kinds[i].name);
			if (strlen(out->ident) == len && strncmp(out->ident, ident, len) == 0) {
				out->kind = kinds[i];
				return true;
			}
		}
	}
	return false;
}
