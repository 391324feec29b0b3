/*
 * text.c - the readable side of every report: aligned text tables, for
 * an assistant to quote or a person to read.  The structured result
 * stays the authority; the table is made from it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports.h"

#define RULE_CHAR '-'

/* Room for n more bytes and a NUL; 0, or -1 after giving up. */
static int
text_room(struct reports_text *t, size_t n)
{
	size_t need = t->len + n + 1;
	char *s;

	if (t->oom)
		return -1;
	if (need <= t->cap)
		return 0;
	s = realloc(t->s, need * 2);
	if (s == NULL) {
		free(t->s);
		memset(t, 0, sizeof(*t));
		t->oom = 1;
		return -1;
	}
	t->s = s;
	t->cap = need * 2;
	return 0;
}

/* Append n bytes of s (the tables write many small pieces). */
static void
text_put(struct reports_text *t, const char *s, size_t n)
{
	if (text_room(t, n) != 0)
		return;
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

void
reports_text_add(struct reports_text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || text_room(t, (size_t)n) != 0) {
		free(t->s);
		memset(t, 0, sizeof(*t));
		t->oom = 1;
		return;
	}

	va_start(ap, fmt);
	vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

char *
reports_text_take(struct reports_text *t)
{
	char *s = t->oom ? NULL : t->s;

	memset(t, 0, sizeof(*t));
	return s;
}

const char *
reports_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/* ---- tables ---- */

enum row_kind {
	ROW_CELLS,
	ROW_RULE,
	ROW_NOTE
};

struct row {
	enum row_kind kind;
	char **cell;  /* ncols cells, or one note; the row's one block */
	size_t *w;    /* their widths in characters */
};

struct reports_table {
	size_t ncols;
	unsigned char *right;
	struct row *rows;
	size_t nrows;
	size_t cap;
	int oom;
};

/* Characters (not bytes) of UTF-8 text. */
static size_t
width(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

struct reports_table *
reports_table_new(size_t ncols, const unsigned char *right)
{
	struct reports_table *tb;

	tb = calloc(1, sizeof(*tb));
	if (tb == NULL)
		return NULL;
	tb->ncols = ncols;
	tb->right = calloc(ncols, 1);
	if (tb->right == NULL) {
		free(tb);
		return NULL;
	}
	memcpy(tb->right, right, ncols);
	return tb;
}

void
reports_table_free(struct reports_table *tb)
{
	if (tb == NULL)
		return;
	for (size_t i = 0; i < tb->nrows; i++)
		free(tb->rows[i].cell);
	free(tb->rows);
	free(tb->right);
	free(tb);
}

/*
 * A new row of kind holding copies of n cells (NULL ones empty), with
 * their widths, all in one allocation: long tables make many rows.
 * On failure the table remembers that it ran out of memory.
 */
static void
row_add(struct reports_table *tb, enum row_kind kind,
	const char *const *cells, size_t n)
{
	struct row *rows, *r;
	size_t cap, size, len, i;
	char *p;

	if (tb->oom)
		return;
	if (tb->nrows == tb->cap) {
		cap = tb->cap ? tb->cap * 2 : 32;
		rows = realloc(tb->rows, cap * sizeof(*rows));
		if (rows == NULL)
			goto oom;
		tb->rows = rows;
		tb->cap = cap;
	}

	size = n * (sizeof(char *) + sizeof(size_t));
	for (i = 0; i < n; i++)
		size += (cells[i] != NULL ? strlen(cells[i]) : 0) + 1;
	r = &tb->rows[tb->nrows];
	r->kind = kind;
	r->cell = malloc(size ? size : 1);
	if (r->cell == NULL)
		goto oom;
	r->w = (size_t *)(r->cell + n);

	p = (char *)(r->w + n);
	for (i = 0; i < n; i++) {
		len = cells[i] != NULL ? strlen(cells[i]) : 0;
		memcpy(p, cells[i] != NULL ? cells[i] : "", len + 1);
		r->cell[i] = p;
		r->w[i] = width(p);
		p += len + 1;
	}
	tb->nrows++;
	return;

oom:
	tb->oom = 1;
}

void
reports_table_row(struct reports_table *tb, const char *const *cells)
{
	row_add(tb, ROW_CELLS, cells, tb->ncols);
}

void
reports_table_rule(struct reports_table *tb)
{
	row_add(tb, ROW_RULE, NULL, 0);
}

void
reports_table_note(struct reports_table *tb, const char *fmt, ...)
{
	const char *cell[1];
	va_list ap;
	char buf[512];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	cell[0] = buf;
	row_add(tb, ROW_NOTE, cell, 1);
}

static void
pad(struct reports_text *t, size_t n, char c)
{
	if (text_room(t, n) != 0)
		return;
	memset(t->s + t->len, c, n);
	t->len += n;
	t->s[t->len] = '\0';
}

static void
print_cells(const struct reports_table *tb, const struct row *r,
	    const size_t *w, struct reports_text *t)
{
	size_t last = tb->ncols;

	/* trailing empty text cells would only add spaces */
	while (last > 0 && !tb->right[last - 1] && r->cell[last - 1][0] == '\0')
		last--;

	for (size_t i = 0; i < last; i++) {
		size_t cw = r->w[i];

		if (i > 0)
			pad(t, 2, ' ');
		if (tb->right[i])
			pad(t, w[i] - cw, ' ');
		text_put(t, r->cell[i], strlen(r->cell[i]));
		if (!tb->right[i] && i + 1 < last)
			pad(t, w[i] - cw, ' ');
	}
	pad(t, 1, '\n');
}

static void
print_rule(const struct reports_table *tb, const size_t *w,
	   struct reports_text *t)
{
	size_t last = tb->ncols;

	while (last > 0 && !tb->right[last - 1])
		last--;
	for (size_t i = 0; i < last; i++) {
		if (i > 0)
			pad(t, 2, ' ');
		pad(t, w[i], tb->right[i] ? RULE_CHAR : ' ');
	}
	pad(t, 1, '\n');
}

void
reports_table_print(const struct reports_table *tb, struct reports_text *t)
{
	size_t *w;

	if (tb == NULL || tb->oom) {
		t->oom = 1;
		return;
	}
	w = calloc(tb->ncols ? tb->ncols : 1, sizeof(*w));
	if (w == NULL) {
		t->oom = 1;
		return;
	}

	for (size_t r = 0; r < tb->nrows; r++)
		for (size_t i = 0; tb->rows[r].kind == ROW_CELLS &&
				   i < tb->ncols; i++)
			if (tb->rows[r].w[i] > w[i])
				w[i] = tb->rows[r].w[i];

	for (size_t r = 0; r < tb->nrows; r++) {
		const struct row *row = &tb->rows[r];

		if (row->kind == ROW_CELLS)
			print_cells(tb, row, w, t);
		else if (row->kind == ROW_RULE)
			print_rule(tb, w, t);
		else {
			text_put(t, row->cell[0], strlen(row->cell[0]));
			pad(t, 1, '\n');
		}
	}
	free(w);
}

void
reports_text_checks(struct reports_text *t, json_t *checks)
{
	const char *key;
	json_t *v;
	int n = 0;

	reports_text_add(t, "Checks:");
	json_object_foreach(checks, key, v) {
		if (json_is_true(v))
			reports_text_add(t, "%s %s", n++ ? "," : "", key);
	}
	reports_text_add(t, "%s\n", n ? " passed" : " none");
}

void
reports_set_text(struct lejr_call *call, struct reports_text *t)
{
	char *text = reports_text_take(t);
	json_t *content;

	if (text == NULL)
		return;
	content = json_pack("[{s:s, s:s}]", "type", "text", "text", text);
	free(text);
	if (content != NULL)
		reports_api->set_content(call, content);
}
