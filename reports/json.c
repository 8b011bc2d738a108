/*
 * json.c - a strict JSON parser (RFC 8259) for compare, and a report read
 * back from its JSON.
 */
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_DEPTH 64

struct parser {
	const char *p, *start, *end;
	char *err;
	size_t errlen;
	int depth;
};

static bool
fail(struct parser *ps, const char *what)
{
	size_t line = 1, col = 1;

	for (const char *q = ps->start; q < ps->p && q < ps->end; q++) {
		if (*q == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	if (ps->p >= ps->end)
		snprintf(ps->err, ps->errlen, "%s at the end of the input (line %zu): truncated?",
		    what, line);
	else
		snprintf(ps->err, ps->errlen, "%s at line %zu, column %zu", what, line, col);
	return false;
}

static void
ws(struct parser *ps)
{
	while (ps->p < ps->end &&
	    (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static bool value(struct parser *ps, struct jv *v);

static int
hex4(const char *p)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static void
put_cp(struct buf *b, uint32_t cp)
{
	char u[4];

	if (cp == 0) {
		buf_puts(b, "\xE2\x90\x80");
	} else if (cp < 0x80) {
		buf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		buf_add(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		buf_add(b, u, 4);
	}
}

static bool
string(struct parser *ps, char **out)
{
	struct buf b = { 0 };
	const char *run;

	ps->p++;        /* the opening quote */
	run = ps->p;
	for (;;) {
		if (ps->p >= ps->end) {
			buf_free(&b);
			return fail(ps, "unterminated string");
		}
		unsigned char c = (unsigned char)*ps->p;
		if (c == '"')
			break;
		if (c < 0x20) {
			buf_free(&b);
			return fail(ps, "control character in a string");
		}
		if (c != '\\') {
			ps->p++;
			continue;
		}
		buf_add(&b, run, (size_t)(ps->p - run));
		if (ps->end - ps->p < 2) {
			buf_free(&b);
			ps->p = ps->end;
			return fail(ps, "unterminated string");
		}
		char e = ps->p[1];
		ps->p += 2;
		switch (e) {
		case '"': buf_putc(&b, '"'); break;
		case '\\': buf_putc(&b, '\\'); break;
		case '/': buf_putc(&b, '/'); break;
		case 'b': buf_putc(&b, '\b'); break;
		case 'f': buf_putc(&b, '\f'); break;
		case 'n': buf_putc(&b, '\n'); break;
		case 'r': buf_putc(&b, '\r'); break;
		case 't': buf_putc(&b, '\t'); break;
		case 'u': {
			int h = ps->end - ps->p >= 4 ? hex4(ps->p) : -1;
			if (h < 0) {
				buf_free(&b);
				return fail(ps, "bad \\u escape");
			}
			ps->p += 4;
			uint32_t cp = (uint32_t)h;
			if (cp >= 0xD800 && cp <= 0xDBFF && ps->end - ps->p >= 6 && ps->p[0] == '\\' &&
			    ps->p[1] == 'u') {
				int lo = hex4(ps->p + 2);
				if (lo >= 0xDC00 && lo <= 0xDFFF) {
					cp = 0x10000 + ((cp - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
					ps->p += 6;
				}
			}
			if (cp >= 0xD800 && cp <= 0xDFFF)
				cp = 0xFFFD;    /* a lone surrogate */
			put_cp(&b, cp);
			break;
		}
		default:
			buf_free(&b);
			ps->p -= 1;
			return fail(ps, "bad escape in a string");
		}
		run = ps->p;
	}
	buf_add(&b, run, (size_t)(ps->p - run));
	ps->p++;
	*out = utf8_clean(b.p, b.n);
	buf_free(&b);
	return true;
}

static bool
number(struct parser *ps, struct jv *v)
{
	const char *q = ps->p;
	char tmp[64];

	if (q < ps->end && *q == '-')
		q++;
	if (q >= ps->end || *q < '0' || *q > '9')
		return fail(ps, "bad number");
	if (*q == '0')
		q++;
	else
		while (q < ps->end && *q >= '0' && *q <= '9')
			q++;
	if (q < ps->end && *q == '.') {
		q++;
		if (q >= ps->end || *q < '0' || *q > '9')
			return fail(ps, "bad number");
		while (q < ps->end && *q >= '0' && *q <= '9')
			q++;
	}
	if (q < ps->end && (*q == 'e' || *q == 'E')) {
		q++;
		if (q < ps->end && (*q == '+' || *q == '-'))
			q++;
		if (q >= ps->end || *q < '0' || *q > '9')
			return fail(ps, "bad number");
		while (q < ps->end && *q >= '0' && *q <= '9')
			q++;
	}
	size_t n = (size_t)(q - ps->p);
	if (n >= sizeof(tmp))
		return fail(ps, "number too long");
	memcpy(tmp, ps->p, n);
	tmp[n] = '\0';
	v->t = J_NUM;
	v->num = strtod(tmp, NULL);
	ps->p = q;
	return true;
}

static bool
literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return fail(ps, "unexpected character");
	ps->p += n;
	return true;
}

static bool
container(struct parser *ps, struct jv *v, bool obj)
{
	size_t cap = 0;

	if (++ps->depth > MAX_DEPTH)
		return fail(ps, "nested too deeply");
	v->t = obj ? J_OBJ : J_ARR;
	ps->p++;
	ws(ps);
	if (ps->p < ps->end && *ps->p == (obj ? '}' : ']')) {
		ps->p++;
		ps->depth--;
		return true;
	}
	for (;;) {
		char *key = NULL;
		ws(ps);
		if (obj) {
			if (ps->p >= ps->end || *ps->p != '"')
				return fail(ps, "expected a member name");
			if (!string(ps, &key))
				return false;
			ws(ps);
			if (ps->p >= ps->end || *ps->p != ':')
				return fail(ps, "expected ':'");
			ps->p++;
		}
		if (v->n == cap) {
			cap = cap ? cap * 2 : 8;
			v->items = xrealloc(v->items, cap * sizeof(*v->items));
			if (obj)
				v->keys = xrealloc(v->keys, cap * sizeof(*v->keys));
		}
		memset(&v->items[v->n], 0, sizeof(v->items[0]));
		if (obj)
			v->keys[v->n] = key;
		v->n++;
		if (!value(ps, &v->items[v->n - 1]))
			return false;
		ws(ps);
		if (ps->p >= ps->end)
			return fail(ps, obj ? "unterminated object" : "unterminated array");
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == (obj ? '}' : ']')) {
			ps->p++;
			ps->depth--;
			return true;
		}
		return fail(ps, obj ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static bool
value(struct parser *ps, struct jv *v)
{
	ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, "expected a value");
	switch (*ps->p) {
	case '{': return container(ps, v, true);
	case '[': return container(ps, v, false);
	case '"': v->t = J_STR; return string(ps, &v->s);
	case 't': v->t = J_BOOL; v->b = true; return literal(ps, "true");
	case 'f': v->t = J_BOOL; v->b = false; return literal(ps, "false");
	case 'n': v->t = J_NULL; return literal(ps, "null");
	default: return number(ps, v);
	}
}

bool
json_parse(const char *text, size_t len, struct jv *out, char *err, size_t errlen)
{
	struct parser ps = { text, text, text + len, err, errlen, 0 };

	memset(out, 0, sizeof(*out));
	if (!value(&ps, out))
		return false;
	ws(&ps);
	if (ps.p != ps.end)
		return fail(&ps, "trailing characters after the report");
	return true;
}

const struct jv *
jget(const struct jv *o, const char *key)
{
	if (o == NULL || o->t != J_OBJ)
		return NULL;
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->keys[i], key) == 0)
			return &o->items[i];
	return NULL;
}

const char *
jstr(const struct jv *o, const char *key)
{
	const struct jv *v = jget(o, key);
	return v != NULL && v->t == J_STR ? v->s : NULL;
}

/* Every parsed document stays reachable until exit (and is freed there). */
static struct jv **docs;
static size_t ndocs;

static void
jv_free(struct jv *v)
{
	for (size_t i = 0; i < v->n; i++)
		jv_free(&v->items[i]);
	free(v->items);
	free(v->keys);
}

void json_free_all(void);
void
json_free_all(void)
{
	for (size_t i = 0; i < ndocs; i++) {
		jv_free(docs[i]);
		free(docs[i]);
	}
	free(docs);
	docs = NULL;
	ndocs = 0;
}

static char *
read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b = { 0 };
	char tmp[65536];
	size_t n;

	if (f == NULL)
		die(EX_MISSING, "cannot read report %s: %s", path, strerror(errno));
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_add(&b, tmp, n);
	if (ferror(f)) {
		fclose(f);
		buf_free(&b);
		die(EX_MISSING, "cannot read report %s: %s", path, strerror(errno));
	}
	fclose(f);
	*len = b.n;
	if (b.p == NULL)
		b.p = xcalloc(1, 1);
	return b.p;
}

static char *
opt_str(const struct jv *o, const char *key)
{
	const char *s = jstr(o, key);
	return s ? arena_strdup(s) : NULL;
}

void
report_from_json(const char *path, struct report *r)
{
	static char *text;
	size_t len;

	free(text);
	text = read_all(path, &len);
	report_from_json_text(path, text, len, r);
	free(text);
	text = NULL;
}

void
report_from_json_text(const char *path, const char *text, size_t len, struct report *r)
{
	char err[256];
	struct jv *doc = xcalloc(1, sizeof(*doc));

	docs = xrealloc(docs, (ndocs + 1) * sizeof(*docs));
	docs[ndocs++] = doc;
	if (len == 0)
		die(EX_BADJSON, "report %s is empty", path);
	if (!json_parse(text, len, doc, err, sizeof(err)))
		die(EX_BADJSON, "report %s is not valid JSON: %s", path, err);
	if (doc->t != J_OBJ)
		die(EX_BADJSON, "report %s is not a JSON object", path);
	const char *schema = jstr(doc, "schema");
	const struct jv *ver = jget(doc, "schema_version");
	if (schema == NULL || strcmp(schema, REPORT_SCHEMA) != 0)
		die(EX_JSONVER, "%s is not a uds-conformance report (schema \"%s\")", path,
		    schema ? schema : "missing");
	if (ver == NULL || ver->t != J_NUM || ver->num != REPORT_SCHEMA_VERSION)
		die(EX_JSONVER, "report %s has schema version %g; this tool reads version %d", path,
		    ver && ver->t == J_NUM ? ver->num : -1.0, REPORT_SCHEMA_VERSION);
	const struct jv *pl = jget(doc, "platform"), *cases = jget(doc, "cases");
	if (pl == NULL || pl->t != J_OBJ)
		die(EX_BADJSON, "report %s has no \"platform\" object", path);
	if (cases == NULL || cases->t != J_ARR)
		die(EX_BADJSON, "report %s has no \"cases\" array", path);
	memset(r, 0, sizeof(*r));
	r->id.sysname = opt_str(pl, "sysname");
	r->id.release = opt_str(pl, "release");
	r->id.version = opt_str(pl, "version");
	r->id.machine = opt_str(pl, "machine");
	r->id.libc = opt_str(pl, "libc");
	r->id.libc_version = opt_str(pl, "libc_version");
	r->id.compiler = opt_str(pl, "compiler");
	r->id.kyua_version = opt_str(pl, "kyua_version");
	r->id.suite_version = opt_str(pl, "suite_version");
	r->id.suite_revision = opt_str(pl, "suite_revision");
	r->id.date = opt_str(pl, "date");
	r->id.user = opt_str(pl, "user");
	r->id.expect_platform = opt_str(pl, "expect_platform");
	r->id.platform_version = opt_str(pl, "platform_version");
	const struct jv *par = jget(pl, "parallelism");
	r->id.parallelism = par && par->t == J_NUM && par->num >= 1 && par->num < 1e6 ?
	    (long)par->num : -1;
	if (r->id.sysname == NULL)
		die(EX_BADJSON, "report %s: platform has no \"sysname\"", path);
	r->ncases = cases->n;
	r->cases = xcalloc(cases->n, sizeof(*r->cases));
	for (size_t i = 0; i < cases->n; i++) {
		const struct jv *o = &cases->items[i];
		struct tcase *c = &r->cases[i];
		const char *outcome;

		if (o->t != J_OBJ)
			die(EX_BADJSON, "report %s: case %zu is not an object", path, i + 1);
		c->program = opt_str(o, "program");
		c->name = opt_str(o, "name");
		outcome = jstr(o, "outcome");
		if (c->program == NULL || c->name == NULL || outcome == NULL)
			die(EX_BADJSON, "report %s: case %zu lacks \"program\", \"name\" or \"outcome\"",
			    path, i + 1);
		int k;
		for (k = 0; k < O_N && strcmp(outcome, outcome_names[k]) != 0; k++)
			;
		if (k == O_N)
			die(EX_BADJSON, "report %s: case %zu (%.100s) has unknown outcome \"%.40s\"",
			    path, i + 1, c->name, outcome);
		c->outcome = (enum outcome)k;
		const struct jv *u = jget(o, "unfinished");
		c->unfinished = u != NULL && u->t == J_BOOL && u->b;
		const struct jv *rc = jget(o, "recovered");
		c->recovered = rc != NULL && rc->t == J_BOOL && rc->b;
		c->behaviour = opt_str(o, "behaviour");
		if (c->behaviour == NULL)
			c->behaviour = c->name;
		c->id = opt_str(o, "id");
		c->kind = opt_str(o, "kind");
		if (c->kind == NULL)
			c->kind = arena_strdup("");
		c->reason = opt_str(o, "reason");
		c->descr = opt_str(o, "descr");
		c->spec = opt_str(o, "source");
		c->observed = opt_str(o, "observed");
		const struct jv *d = jget(o, "duration");
		c->duration = d && d->t == J_NUM && d->num >= 0 && d->num < 1e9 ? d->num : 0;
		const struct jv *e = jget(o, "expectation");
		if (e != NULL && e->t == J_OBJ) {
			c->key = opt_str(e, "key");
			c->exp_what = opt_str(e, "what");
			c->exp_platform = opt_str(e, "platform");
			c->exp_basis = opt_str(e, "basis");
			c->exp_value = opt_str(e, "value");
			c->exp_source = opt_str(e, "source");
			c->exp_bug = opt_str(e, "bug");
		}
		const char *so = jstr(o, "stdout"), *se = jstr(o, "stderr");
		const struct jv *sb = jget(o, "stdout_bytes"), *eb = jget(o, "stderr_bytes");
		c->out.s = so ? arena_strdup(so) : NULL;
		c->out.bytes = sb && sb->t == J_NUM && sb->num >= 0 && sb->num < 1e15 ? (size_t)sb->num : 0;
		c->err.s = se ? arena_strdup(se) : NULL;
		c->err.bytes = eb && eb->t == J_NUM && eb->num >= 0 && eb->num < 1e15 ? (size_t)eb->num : 0;
	}
	const struct jv *inc = jget(doc, "incomplete"), *rb = inc ? jget(inc, "rolled_back") : NULL;
	const struct jv *ls = inc ? jget(inc, "listed") : NULL;
	r->rolled_back = rb != NULL && rb->t == J_BOOL && rb->b;
	r->listed = ls != NULL && ls->t == J_BOOL && ls->b;
	/* The strings were copied: the tree can go. */
	jv_free(doc);
	memset(doc, 0, sizeof(*doc));
	count_report(r);
}
