/*
 * salvage.c - a run kyua did not finish, from kyua's own words.
 *
 * kyua keeps a whole run's results in one transaction of its database and
 * commits it at the end: a kyua that dies half-way leaves a hot journal,
 * and rolling it back leaves none of the run's results (seen with kyua
 * 0.13: killed after 300 results, the rolled-back database holds no case).
 * What survives is kyua's output, one line per finished case
 *
 *   program:case  ->  failed: the reason  [0.012s]
 *
 * and what the run was to be, `kyua list --verbose` with the same filters
 * (each case, then its metadata indented: "    custom.id = F-03").  This
 * file adds to a report every listed case the database lacks: with its
 * outcome and reason from the output when kyua printed one (recovered), as
 * unfinished (broken) when it did not.
 */
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *
open_or_die(const char *path, const char *what)
{
	FILE *f = fopen(path, "r");

	if (f == NULL)
		die(EX_MISSING, "cannot read %s %s: %s", what, path, strerror(errno));
	return f;
}

/* One line without its newline, any length, in b; false at the end. */
static bool
read_line(FILE *f, struct buf *b)
{
	int ch;

	b->n = 0;
	while ((ch = getc(f)) != EOF && ch != '\n')
		buf_putc(b, (char)ch);
	buf_putc(b, '\0');
	b->n--;
	return ch != EOF || b->n > 0;
}

/* The case program:name among the first n (sorted), or NULL. */
static struct tcase *
find(struct tcase *cases, size_t n, const char *program, const char *name)
{
	struct tcase key = { .program = (char *)program, .name = (char *)name };

	return n ? bsearch(&key, cases, n, sizeof(*cases), by_program_name) : NULL;
}

/* Splits "program:case" at its first ':' into arena strings; false if none. */
static bool
split_ident(const char *s, size_t len, char **program, char **name)
{
	const char *colon = memchr(s, ':', len);

	if (colon == NULL || colon == s || colon + 1 == s + len)
		return false;
	*program = utf8_clean(s, (size_t)(colon - s));
	*name = utf8_clean(colon + 1, len - (size_t)(colon - s) - 1);
	return true;
}

/* "failed: why  [0.012s]" -> outcome, reason (NULL when none) and duration. */
static bool
parse_result(char *s, enum outcome *o, char **reason, double *duration)
{
	char *tail = NULL, *p;
	size_t w;

	for (p = strstr(s, "  ["); p != NULL; p = strstr(p + 1, "  ["))
		tail = p;
	*duration = 0;
	if (tail != NULL) {
		char *end;
		double d = strtod(tail + 3, &end);
		if (end != tail + 3 && strcmp(end, "s]") == 0 && d >= 0 && d < 1e9) {
			*duration = d;
			*tail = '\0';
		}
	}
	w = strcspn(s, ": ");
	for (int k = 0; k < O_N; k++)
		if (strlen(outcome_names[k]) == w && strncmp(s, outcome_names[k], w) == 0) {
			*o = (enum outcome)k;
			*reason = s[w] == ':' && s[w + 1] == ' ' ? utf8_clean(s + w + 2,
			    strlen(s + w + 2)) : NULL;
			return true;
		}
	return false;
}

void
salvage_run(struct report *r, const char *list_path, const char *log_path)
{
	struct buf line = { 0 };
	size_t nold = r->ncases, cap = r->ncases, n;
	FILE *f;
	struct tcase *c = NULL;

	if (nold > 1)
		qsort(r->cases, nold, sizeof(*r->cases), by_program_name);
	/* What the run was to be: every listed case the database lacks. */
	f = open_or_die(list_path, "kyua's case list");
	while (read_line(f, &line)) {
		char *program, *name, *v;

		if (strncmp(line.p, "    ", 4) == 0) {
			if (c == NULL || (v = strstr(line.p, " = ")) == NULL)
				continue;
			*v = '\0';
			v = utf8_clean(v + 3, strlen(v + 3));
			if (strcmp(line.p + 4, "description") == 0)
				c->descr = v;
			else if (strcmp(line.p + 4, "custom.id") == 0)
				c->id = v;
			else if (strcmp(line.p + 4, "custom.spec") == 0)
				c->spec = v;
			else if (strcmp(line.p + 4, "custom.kind") == 0)
				c->kind = v;
			continue;
		}
		c = NULL;
		/* "program:case (suite)" */
		char *sp = strchr(line.p, ' ');
		n = sp ? (size_t)(sp - line.p) : line.n;
		if (!split_ident(line.p, n, &program, &name) || find(r->cases, nold, program, name))
			continue;
		if (r->ncases == cap) {
			cap = cap ? cap * 2 : 1024;
			r->cases = xrealloc(r->cases, cap * sizeof(*r->cases));
		}
		c = &r->cases[r->ncases++];
		memset(c, 0, sizeof(*c));
		c->program = program;
		c->name = name;
		const char *sep = strstr(name, "__");
		c->behaviour = sep ? arena_strndup(name, (size_t)(sep - name)) : name;
		c->kind = arena_strdup(sep ? sep + 2 : "");
		c->outcome = O_BROKEN;
		c->unfinished = true;
		c->reason = arena_strdup("no result recorded (the run was interrupted)");
	}
	if (ferror(f))
		die(EX_MISSING, "cannot read kyua's case list %s: %s", list_path, strerror(errno));
	fclose(f);

	/* What kyua said of the cases it finished. */
	if (r->ncases > 1)
		qsort(r->cases, r->ncases, sizeof(*r->cases), by_program_name);
	f = open_or_die(log_path, "kyua's output");
	while (read_line(f, &line)) {
		char *arrow = strstr(line.p, "  ->  "), *program, *name, *reason;
		enum outcome o;
		double d;

		if (arrow == NULL || !split_ident(line.p, (size_t)(arrow - line.p), &program, &name))
			continue;
		c = find(r->cases, r->ncases, program, name);
		if (c == NULL || !c->unfinished || !parse_result(arrow + 6, &o, &reason, &d))
			continue;
		c->outcome = o;
		c->reason = reason;
		c->duration = d;
		c->unfinished = false;
		c->recovered = true;
	}
	if (ferror(f))
		die(EX_MISSING, "cannot read kyua's output %s: %s", log_path, strerror(errno));
	fclose(f);
	buf_free(&line);
	r->listed = true;
}
