/*
 * util.c - memory, buffers, UTF-8 cleaning, escaping for every format and
 * writing a file in one piece (temporary file, then rename).
 */
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *progname = "uds-report";

const char *const outcome_names[O_N] = {
	[O_PASSED] = "passed", [O_FAILED] = "failed", [O_XFAIL] = "expected_failure",
	[O_SKIPPED] = "skipped", [O_BROKEN] = "broken",
};
const char *const outcome_words[O_N] = {
	[O_PASSED] = "passed", [O_FAILED] = "failed", [O_XFAIL] = "expected failure",
	[O_SKIPPED] = "skipped", [O_BROKEN] = "broken",
};

/* Temporary output file to remove when dying. */
static char *pending_tmp;

jmp_buf *die_catch;

void
die(int status, const char *fmt, ...)
{
	va_list ap;

	if (die_catch != NULL) {
		remove_private_copy();
		longjmp(*die_catch, status ? status : 1);
	}
	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (pending_tmp != NULL)
		unlink(pending_tmp);
	exit(status);
}

void
warnx_(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: warning: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		die(EX_NOMEM, "out of memory (%zu bytes)", n);
	return p;
}

void *
xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);

	if (p == NULL)
		die(EX_NOMEM, "out of memory");
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		die(EX_NOMEM, "out of memory (%zu bytes)", n);
	return q;
}

char *
xstrdup(const char *s)
{
	size_t n = strlen(s);
	char *p = xmalloc(n + 1);

	memcpy(p, s, n + 1);
	return p;
}

/* Strings live in an arena freed at once (and reachable until then). */
struct chunk {
	struct chunk *next;
	size_t used, cap;
	char data[];
};
static struct chunk *arena;

static void *
arena_alloc(size_t n)
{
	if (arena == NULL || arena->cap - arena->used < n) {
		size_t cap = n > 256 * 1024 ? n : 256 * 1024;
		struct chunk *c = xmalloc(sizeof(*c) + cap);

		c->used = 0;
		c->cap = cap;
		c->next = arena;
		arena = c;
	}
	void *p = arena->data + arena->used;
	arena->used += n;
	return p;
}

char *
arena_strndup(const char *s, size_t n)
{
	char *p = arena_alloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(const char *s)
{
	return s == NULL ? NULL : arena_strndup(s, strlen(s));
}

void
arena_free_all(void)
{
	while (arena != NULL) {
		struct chunk *next = arena->next;
		free(arena);
		arena = next;
	}
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->cap - b->n < n + 1) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap - b->n < n + 1)
			cap *= 2;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
	b->p[b->n] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_putc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		buf_add(b, small, (size_t)n);
		return;
	}
	char *big = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	buf_add(b, big, (size_t)n);
	free(big);
}

void
buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->n = b->cap = 0;
}

/* Length of the valid UTF-8 sequence at p (n bytes left), or 0 if invalid. */
static size_t
utf8_valid(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return n >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if (n < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
			return 0;
		if (c == 0xE0 && p[1] < 0xA0)
			return 0;       /* overlong */
		if (c == 0xED && p[1] >= 0xA0)
			return 0;       /* surrogate */
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (n < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 ||
		    (p[3] & 0xC0) != 0x80)
			return 0;
		if (c == 0xF0 && p[1] < 0x90)
			return 0;
		if (c == 0xF4 && p[1] >= 0x90)
			return 0;
		return 4;
	}
	return 0;
}

static void
clean_into(struct buf *b, const unsigned char *p, size_t n)
{
	size_t i = 0, run = 0;

	while (i < n) {
		size_t l = p[i] == 0 ? 0 : utf8_valid(p + i, n - i);
		if (l > 0) {
			i += l;
			run += l;
			continue;
		}
		buf_add(b, p + i - run, run);
		run = 0;
		buf_puts(b, p[i] == 0 ? "\xE2\x90\x80" : "\xEF\xBF\xBD");
		i++;
	}
	buf_add(b, p + i - run, run);
}

char *
utf8_clean(const void *p, size_t n)
{
	struct buf b = { 0 };
	char *s;

	if (p == NULL)
		return arena_strdup("");
	clean_into(&b, p, n);
	s = arena_strndup(b.p ? b.p : "", b.n);
	buf_free(&b);
	return s;
}

void
text_make(struct text *t, const void *p, size_t n, size_t max)
{
	const unsigned char *s = p;
	struct buf b = { 0 };

	t->bytes = n;
	t->truncated = false;
	if (p == NULL || n == 0 || max == 0) {
		t->s = NULL;
		return;
	}
	if (n <= max) {
		clean_into(&b, s, n);
	} else {
		size_t head = max - max / 4, tail = max / 4;
		size_t tail_at = n - tail;

		/* Cut where a character starts. */
		for (int k = 0; k < 3 && head > 0 && (s[head] & 0xC0) == 0x80; k++)
			head--;
		for (int k = 0; k < 3 && tail_at < n && (s[tail_at] & 0xC0) == 0x80; k++)
			tail_at++;
		clean_into(&b, s, head);
		buf_printf(&b, "\n[... %zu bytes omitted: %zu bytes in all ...]\n",
		    tail_at - head, n);
		clean_into(&b, s + tail_at, n - tail_at);
		t->truncated = true;
	}
	t->s = arena_strndup(b.p ? b.p : "", b.n);
	buf_free(&b);
}

size_t
utf8_next(const char *s, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] < 0xE0) {
		*cp = ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
		return 2;
	}
	if (p[0] < 0xF0) {
		*cp = ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) |
		    (p[2] & 0x3F);
		return 3;
	}
	*cp = ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
	    ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
	return 4;
}

void
put_json_str(struct buf *b, const char *s, bool html_safe)
{
	const char *run = s;

	buf_putc(b, '"');
	if (s == NULL)
		s = run = "";
	while (*s) {
		unsigned char c = (unsigned char)*s;
		const char *esc = NULL;
		char tmp[16];
		uint32_t cp = c;
		size_t l = 1;

		if (c >= 0x80)
			l = utf8_next(s, &cp);
		if (c == '"')
			esc = "\\\"";
		else if (c == '\\')
			esc = "\\\\";
		else if (c == '\n')
			esc = "\\n";
		else if (c == '\t')
			esc = "\\t";
		else if (c == '\r')
			esc = "\\r";
		else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 ||
		    cp == 0x2029 || (html_safe && (c == '<' || c == '>' || c == '&'))) {
			snprintf(tmp, sizeof(tmp), "\\u%04X", (unsigned)cp);
			esc = tmp;
		}
		if (esc != NULL) {
			buf_add(b, run, (size_t)(s - run));
			buf_puts(b, esc);
			s += l;
			run = s;
		} else {
			s += l;
		}
	}
	buf_add(b, run, (size_t)(s - run));
	buf_putc(b, '"');
}

/*
 * XML 1.0 text or attribute.  Characters XML 1.0 forbids (C0 controls other
 * than tab, newline and carriage return, U+FFFE, U+FFFF) cannot appear even
 * as references: they become the visible Control Pictures U+2400 + c, or
 * U+FFFD.  C1 controls (U+0080-U+009F) are allowed but invisible: they are
 * written as character references.
 */
void
put_xml(struct buf *b, const char *s, bool attr)
{
	const char *run = s;

	if (s == NULL)
		return;
	while (*s) {
		unsigned char c = (unsigned char)*s;
		const char *esc = NULL;
		char tmp[16];
		uint32_t cp = c;
		size_t l = 1;

		if (c >= 0x80)
			l = utf8_next(s, &cp);
		switch (c) {
		case '&': esc = "&amp;"; break;
		case '<': esc = "&lt;"; break;
		case '>': esc = "&gt;"; break;
		case '"': esc = attr ? "&quot;" : NULL; break;
		case '\t': esc = attr ? "&#9;" : NULL; break;
		case '\n': esc = attr ? "&#10;" : NULL; break;
		case '\r': esc = "&#13;"; break;
		default:
			if (cp < 0x20) {
				tmp[0] = (char)0xE2;
				tmp[1] = (char)0x90;
				tmp[2] = (char)(0x80 + cp);
				tmp[3] = '\0';
				esc = tmp;
			} else if (cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) {
				snprintf(tmp, sizeof(tmp), "&#x%X;", (unsigned)cp);
				esc = tmp;
			} else if (cp == 0xFFFE || cp == 0xFFFF) {
				esc = "\xEF\xBF\xBD";
			}
		}
		if (esc != NULL) {
			buf_add(b, run, (size_t)(s - run));
			buf_puts(b, esc);
			s += l;
			run = s;
		} else {
			s += l;
		}
	}
	buf_add(b, run, (size_t)(s - run));
}

void
put_html(struct buf *b, const char *s)
{
	const char *run = s;

	if (s == NULL)
		return;
	for (; *s; s++) {
		const char *esc = NULL;
		switch (*s) {
		case '&': esc = "&amp;"; break;
		case '<': esc = "&lt;"; break;
		case '>': esc = "&gt;"; break;
		case '"': esc = "&quot;"; break;
		case '\'': esc = "&#39;"; break;
		}
		if (esc != NULL) {
			buf_add(b, run, (size_t)(s - run));
			buf_puts(b, esc);
			run = s + 1;
		}
	}
	buf_add(b, run, (size_t)(s - run));
}

/* One line of text, at most max bytes, cut on a character boundary. */
static void
put_line_common(struct buf *b, const char *s, size_t max, int mode)
{
	size_t used = 0;

	if (s == NULL)
		return;
	while (*s) {
		uint32_t cp;
		size_t l = utf8_next(s, &cp);

		if (used + l > max) {
			buf_puts(b, "…");
			return;
		}
		if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) {
			buf_putc(b, ' ');
		} else if (mode == 1 && (*s == '|' || *s == '\\' || *s == '`' || *s == '*' ||
		    *s == '[' || *s == ']')) {
			buf_putc(b, '\\');
			buf_putc(b, *s);
		} else if (mode == 1 && *s == '<') {
			buf_puts(b, "&lt;");
		} else if (mode == 1 && *s == '>') {
			buf_puts(b, "&gt;");
		} else if (mode == 1 && *s == '&') {
			buf_puts(b, "&amp;");
		} else if (mode == 2 && (*s == '#' || *s == '\\')) {
			buf_putc(b, '\\');
			buf_putc(b, *s);
		} else {
			buf_add(b, s, l);
		}
		used += l;
		s += l;
	}
}

void
put_md(struct buf *b, const char *s, size_t max)
{
	put_line_common(b, s, max, 1);
}

void
put_oneline(struct buf *b, const char *s, size_t max, bool tap)
{
	put_line_common(b, s, max, tap ? 2 : 0);
}

void
put_md_code(struct buf *b, const char *s1, const char *s2, size_t max, bool table)
{
	struct buf t = { 0 };
	size_t run = 0, longest = 0;

	put_oneline(&t, s1, max, false);
	if (s2 != NULL) {
		buf_putc(&t, ':');
		put_oneline(&t, s2, max, false);
	}
	buf_putc(&t, '\0');
	for (const char *p = t.p; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		longest = run > longest ? run : longest;
	}
	/* A fence longer than any run of backticks inside; spaces keep them apart. */
	for (size_t i = 0; i <= longest; i++)
		buf_putc(b, '`');
	if (longest > 0)
		buf_putc(b, ' ');
	for (const char *p = t.p; *p; p++) {
		if (table && *p == '|')
			buf_putc(b, '\\');
		buf_putc(b, *p);
	}
	if (longest > 0)
		buf_putc(b, ' ');
	for (size_t i = 0; i <= longest; i++)
		buf_putc(b, '`');
	buf_free(&t);
}

void
write_atomic(const char *path, const struct buf *b)
{
	size_t n = strlen(path);
	char *tmp = xmalloc(n + 16);
	int fd;

	snprintf(tmp, n + 16, "%s.tmp.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd == -1) {
		int e = errno;
		free(tmp);
		die(EX_WRITE, "cannot write %s: %s", path, strerror(e));
	}
	pending_tmp = tmp;
	fchmod(fd, 0644);
	size_t off = 0;
	while (off < b->n) {
		ssize_t w = write(fd, b->p + off, b->n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = errno;
			close(fd);
			die(EX_WRITE, "cannot write %s: %s", path, strerror(e));
		}
		off += (size_t)w;
	}
	if (close(fd) != 0)
		die(EX_WRITE, "cannot write %s: %s", path, strerror(errno));
	if (rename(tmp, path) != 0)
		die(EX_WRITE, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
	pending_tmp = NULL;
	free(tmp);
}

const char *
area_title(char area)
{
	char id[2] = { area, '\0' };
	const struct uds_area *a = uds_area_of(id);

	return a != NULL ? a->title : "Uncatalogued";
}

/* The harness's canonical order of kinds; "" first, names it does not know last. */
int
kind_rank(const char *k)
{
	int r;

	if (k == NULL || *k == '\0')
		return 0;
	r = uds_kind_rank(k);
	return r > 0 ? r : 1000000;
}
