/*
 * jsonschema.c - checking and enforcing the JSON Schema subset of tools.
 */
#include <inttypes.h>
#include <locale.h>
#include <pthread.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonschema.h"

/* A walk through a schema or a value: where we are, and where any
 * message goes. */
struct walk {
	char path[512];
	size_t plen;
	char *msg;
	size_t len;
};

enum type_bit {
	T_NULL = 1 << 0,
	T_BOOLEAN = 1 << 1,
	T_OBJECT = 1 << 2,
	T_ARRAY = 1 << 3,
	T_NUMBER = 1 << 4,
	T_STRING = 1 << 5,
	T_INTEGER = 1 << 6
};

static const struct {
	const char *name;
	const char *phrase;
	unsigned bit;
} type_names[] = {
	/* The order is the one in which messages list expected types. */
	{ "object", "an object", T_OBJECT },
	{ "array", "an array", T_ARRAY },
	{ "string", "a string", T_STRING },
	{ "integer", "an integer", T_INTEGER },
	{ "number", "a number", T_NUMBER },
	{ "boolean", "a boolean", T_BOOLEAN },
	{ "null", "null", T_NULL },
};

#define NTYPES (sizeof(type_names) / sizeof(type_names[0]))

/* Keywords with no effect on validation. */
static const char *const annotation_keywords[] = {
	"$schema", "$id", "$comment", "title", "description", "default",
	"examples", "deprecated", "readOnly", "writeOnly", NULL
};

static int check(json_t *schema, struct walk *w);

static void
walk_init(struct walk *w, char *msg, size_t len)
{
	w->path[0] = '\0';
	w->plen = 0;
	w->msg = msg;
	w->len = len;
}

/* Append a path segment; returns the length to restore with walk_pop. */
static size_t
walk_push(struct walk *w, const char *fmt, ...)
{
	size_t saved = w->plen;
	va_list ap;
	int n;

	if (w->plen >= sizeof(w->path) - 1)
		return saved;

	va_start(ap, fmt);
	n = vsnprintf(w->path + w->plen, sizeof(w->path) - w->plen, fmt, ap);
	va_end(ap);

	if (n > 0)
		w->plen += (size_t)n;
	if (w->plen >= sizeof(w->path))
		w->plen = sizeof(w->path) - 1;
	return saved;
}

static void
walk_pop(struct walk *w, size_t saved)
{
	w->plen = saved;
	w->path[saved] = '\0';
}

/* A property segment: ".name", or "name" at the top. */
static size_t
walk_push_key(struct walk *w, const char *key)
{
	return walk_push(w, w->plen > 0 ? ".%s" : "%s", key);
}

__attribute__((format(printf, 2, 3)))
static int
walk_fail(struct walk *w, const char *fmt, ...)
{
	char text[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);

	if (w->msg == NULL || w->len == 0)
		return -1;
	if (w->plen > 0)
		snprintf(w->msg, w->len, "%s: %s", w->path, text);
	else
		snprintf(w->msg, w->len, "%s", text);
	return -1;
}

/* ---- types ---- */

static unsigned
type_bit_of(const char *name)
{
	for (size_t i = 0; i < NTYPES; i++)
		if (strcmp(name, type_names[i].name) == 0)
			return type_names[i].bit;
	return 0;
}

/* The set of types a schema's "type" allows; 0 when it has none. */
static unsigned
type_mask(json_t *schema)
{
	json_t *type, *item;
	unsigned mask = 0;
	size_t i;

	if (!json_is_object(schema))
		return 0;
	type = json_object_get(schema, "type");
	if (json_is_string(type))
		return type_bit_of(json_string_value(type));
	json_array_foreach(type, i, item)
		if (json_is_string(item))
			mask |= type_bit_of(json_string_value(item));
	return mask;
}

static int
type_matches(unsigned mask, json_t *value)
{
	if ((mask & T_NULL) && json_is_null(value))
		return 1;
	if ((mask & T_BOOLEAN) && json_is_boolean(value))
		return 1;
	if ((mask & T_OBJECT) && json_is_object(value))
		return 1;
	if ((mask & T_ARRAY) && json_is_array(value))
		return 1;
	if ((mask & T_STRING) && json_is_string(value))
		return 1;
	if ((mask & T_NUMBER) && json_is_number(value))
		return 1;
	/* A real such as 2.0 is refused: handlers read integers with
	 * json_integer_value(), which would see 0. */
	if ((mask & T_INTEGER) && json_is_integer(value))
		return 1;
	return 0;
}

/* "a string or a number", "an object, an array or null". */
static void
type_phrase(unsigned mask, char *buf, size_t len)
{
	size_t n = 0, count = 0, seen = 0;

	for (size_t i = 0; i < NTYPES; i++)
		if (mask & type_names[i].bit)
			count++;

	buf[0] = '\0';
	for (size_t i = 0; i < NTYPES && n < len; i++) {
		const char *sep = "";

		if (!(mask & type_names[i].bit))
			continue;
		if (seen > 0)
			sep = seen + 1 == count ? " or " : ", ";
		n += (size_t)snprintf(buf + n, len - n, "%s%s", sep,
				      type_names[i].phrase);
		seen++;
	}
}

/* ---- small helpers ---- */

static int
values_equal(json_t *a, json_t *b)
{
	if (json_is_integer(a) && json_is_integer(b))
		return json_integer_value(a) == json_integer_value(b);
	if (json_is_number(a) && json_is_number(b))
		return json_number_value(a) == json_number_value(b);
	return json_equal(a, b);
}

/* Compare a number to a limit: <0, 0, >0; exact for two integers. */
static int
number_cmp(json_t *value, json_t *limit)
{
	double a, b;

	if (json_is_integer(value) && json_is_integer(limit)) {
		json_int_t x = json_integer_value(value);
		json_int_t y = json_integer_value(limit);

		return (x > y) - (x < y);
	}
	a = json_number_value(value);
	b = json_number_value(limit);
	return (a > b) - (a < b);
}

/* A limit or constant as short text for a message. */
static void
value_text(json_t *value, char *buf, size_t len)
{
	char *text;

	text = json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);
	if (text == NULL) {
		snprintf(buf, len, "?");
		return;
	}
	snprintf(buf, len, "%s", text);
	free(text);
}

/* Length in characters of UTF-8 text (jansson guarantees validity). */
static size_t
utf8_length(const char *s, size_t bytes)
{
	size_t n = 0;

	for (size_t i = 0; i < bytes; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

static int
digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int
lejr_schema_date_valid(const char *text)
{
	static const int days[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int year, month, day, max;

	if (text == NULL || strlen(text) != 10 || text[4] != '-' ||
	    text[7] != '-')
		return 0;
	if (!digits(text, 4) || !digits(text + 5, 2) ||
	    !digits(text + 8, 2))
		return 0;

	year = (text[0] - '0') * 1000 + (text[1] - '0') * 100 +
	       (text[2] - '0') * 10 + (text[3] - '0');
	month = (text[5] - '0') * 10 + (text[6] - '0');
	day = (text[8] - '0') * 10 + (text[9] - '0');
	if (year < 1 || month < 1 || month > 12 || day < 1)
		return 0;

	max = days[month - 1];
	if (month == 2 && year % 4 == 0 &&
	    (year % 100 != 0 || year % 400 == 0))
		max = 29;
	return day <= max;
}

static int
is_annotation(const char *key)
{
	for (size_t i = 0; annotation_keywords[i] != NULL; i++)
		if (strcmp(key, annotation_keywords[i]) == 0)
			return 1;
	return 0;
}

/* ---- compiled patterns ---- */

/*
 * Compiling a pattern costs far more than matching it, and the same few
 * patterns are matched on every call (each amount of a report's output):
 * each thread keeps the ones it compiled.  Per thread, because glibc
 * serialises matches on a shared regex_t.
 */
#define PATTERNS_KEPT 32

struct pattern_cache {
	size_t n;
	struct {
		char *text;
		regex_t re;
	} kept[PATTERNS_KEPT];
};

static pthread_key_t pattern_key;
static pthread_once_t pattern_once = PTHREAD_ONCE_INIT;
static int pattern_key_ok;

static void
pattern_cache_free(void *arg)
{
	struct pattern_cache *c = arg;

	for (size_t i = 0; i < c->n; i++) {
		regfree(&c->kept[i].re);
		free(c->kept[i].text);
	}
	free(c);
}

static void
pattern_key_make(void)
{
	pattern_key_ok = pthread_key_create(&pattern_key,
					    pattern_cache_free) == 0;
}

/* The calling thread's cache, or NULL when there can be none. */
static struct pattern_cache *
pattern_cache(void)
{
	struct pattern_cache *c;

	pthread_once(&pattern_once, pattern_key_make);
	if (!pattern_key_ok)
		return NULL;
	c = pthread_getspecific(pattern_key);
	if (c != NULL)
		return c;
	c = calloc(1, sizeof(*c));
	if (c != NULL && pthread_setspecific(pattern_key, c) != 0) {
		free(c);
		c = NULL;
	}
	return c;
}

/* Does s match pattern?  1 or 0; -1 when the pattern does not compile. */
static int
pattern_match(const char *pattern, const char *s)
{
	struct pattern_cache *c = pattern_cache();
	regex_t re;
	char *text;
	int match;

	for (size_t i = 0; c != NULL && i < c->n; i++)
		if (strcmp(c->kept[i].text, pattern) == 0)
			return regexec(&c->kept[i].re, s, 0, NULL, 0) == 0;

	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
		return -1;
	match = regexec(&re, s, 0, NULL, 0) == 0;

	text = c != NULL && c->n < PATTERNS_KEPT ? strdup(pattern) : NULL;
	if (text == NULL) {
		regfree(&re);
		return match;
	}
	c->kept[c->n].text = text;
	c->kept[c->n].re = re;
	c->n++;
	return match;
}

/* ---- patterns as automata ---- */

/*
 * Most patterns are small: a code, an amount, a date.  regexec() pays
 * for generality on every string; here such a pattern is turned, once,
 * into a deterministic automaton over bytes that answers in one table
 * step per byte.  Only the plain part of POSIX extended expressions is
 * taken (literals, ".", bracket lists without classes, groups,
 * alternation, * + ? {m,n}, ^ and $) and only in a single-byte locale;
 * anything else, or an automaton too large, is left to regexec().  The
 * answer is the same: does some substring match.
 */
#define RX_NODES_MAX 128    /* parsed nodes */
#define RX_PROG_MAX 64      /* automaton states before determinising */
#define RX_DSTATES_MAX 64   /* deterministic states */
#define RX_SETS_MAX 32      /* distinct byte sets */
#define RX_CLASSES_MAX 64   /* bytes told apart */

enum rx_kind { RX_SET, RX_CAT, RX_ALT, RX_REP, RX_BOL, RX_EOL, RX_EMPTY };

struct rx_node {
	enum rx_kind kind;
	int a, b;      /* children (CAT, ALT; REP uses a) */
	int min, max;  /* REP: max -1 for no bound */
	int set;       /* SET: index of its byte set */
};

struct rx_parse {
	const char *start;
	const char *p;
	int depth;     /* open groups */
	struct rx_node node[RX_NODES_MAX];
	int n;
	uint64_t sets[RX_SETS_MAX][4];
	int nsets;
	int bad;
};

enum rx_op { OP_SET, OP_SPLIT, OP_JMP, OP_BOL, OP_EOL, OP_MATCH };

struct rx_inst {
	enum rx_op op;
	int x, y;
};

struct rx_prog {
	struct rx_inst inst[RX_PROG_MAX];
	int n;
	int bad;
};

struct lejr_dfa {
	unsigned char cls[256];             /* byte -> class */
	int nclasses;
	int nstates;
	unsigned char next[RX_DSTATES_MAX][RX_CLASSES_MAX];
	unsigned char now[RX_DSTATES_MAX];  /* a match ends here */
	unsigned char end[RX_DSTATES_MAX];  /* a match ends at the end */
	unsigned char empty;                /* the empty string matches */
};

static int
rx_new(struct rx_parse *ps, enum rx_kind kind, int a, int b)
{
	struct rx_node *nd;

	if (ps->n == RX_NODES_MAX) {
		ps->bad = 1;
		return 0;
	}
	nd = &ps->node[ps->n];
	memset(nd, 0, sizeof(*nd));
	nd->kind = kind;
	nd->a = a;
	nd->b = b;
	return ps->n++;
}

/* A SET node for the 256-bit set bits. */
static int
rx_set(struct rx_parse *ps, const uint64_t bits[4])
{
	int i, nd;

	for (i = 0; i < ps->nsets; i++)
		if (memcmp(ps->sets[i], bits, sizeof(ps->sets[i])) == 0)
			break;
	if (i == ps->nsets) {
		if (ps->nsets == RX_SETS_MAX) {
			ps->bad = 1;
			return 0;
		}
		memcpy(ps->sets[ps->nsets++], bits, sizeof(ps->sets[0]));
	}
	nd = rx_new(ps, RX_SET, 0, 0);
	ps->node[nd].set = i;
	return nd;
}

static void
bit_set(uint64_t bits[4], unsigned c)
{
	bits[c >> 6] |= (uint64_t)1 << (c & 63);
}

static int
bit_has(const uint64_t bits[4], unsigned c)
{
	return (bits[c >> 6] >> (c & 63)) & 1;
}

/* A bracket list, after its "[". */
static int
rx_bracket(struct rx_parse *ps)
{
	uint64_t bits[4] = { 0, 0, 0, 0 };
	const unsigned char *p = (const unsigned char *)ps->p;
	int negate = 0, first = 1;
	unsigned lo, hi;

	if (*p == '^') {
		negate = 1;
		p++;
	}
	while (*p != '\0' && (*p != ']' || first)) {
		first = 0;
		if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
			ps->bad = 1;
			return 0;
		}
		lo = hi = *p++;
		if (*p == '-' && p[1] != ']' && p[1] != '\0') {
			hi = p[1];
			p += 2;
			if (hi < lo || hi == '[') {
				ps->bad = 1;
				return 0;
			}
		}
		for (unsigned c = lo; c <= hi; c++)
			bit_set(bits, c);
	}
	if (*p != ']') {
		ps->bad = 1;
		return 0;
	}
	ps->p = (const char *)p + 1;
	if (negate)
		for (int i = 0; i < 4; i++)
			bits[i] = ~bits[i];
	bits[0] &= ~(uint64_t)1; /* never NUL */
	return rx_set(ps, bits);
}

static int rx_alternation(struct rx_parse *ps);

/* One atom, or -1 at the end of a branch. */
static int
rx_atom(struct rx_parse *ps)
{
	uint64_t bits[4] = { 0, 0, 0, 0 };
	unsigned char c = (unsigned char)*ps->p;
	int nd;

	switch (c) {
	case '\0':
	case '|':
	case ')':
		return -1;
	case '(':
		ps->p++;
		if (*ps->p == ')') {
			ps->bad = 1;
			return 0;
		}
		ps->depth++;
		nd = rx_alternation(ps);
		ps->depth--;
		if (*ps->p != ')')
			ps->bad = 1;
		else
			ps->p++;
		return nd;
	case '[':
		ps->p++;
		return rx_bracket(ps);
	case '^':
		/* Anchors only at the ends: glibc reads them elsewhere in
		 * ways of its own. */
		if (ps->p != ps->start)
			ps->bad = 1;
		ps->p++;
		return rx_new(ps, RX_BOL, 0, 0);
	case '$':
		if (ps->p[1] != '\0' || ps->depth > 0)
			ps->bad = 1;
		ps->p++;
		return rx_new(ps, RX_EOL, 0, 0);
	case '.':
		ps->p++;
		for (int i = 0; i < 4; i++)
			bits[i] = ~(uint64_t)0;
		bits[0] &= ~(uint64_t)1;
		return rx_set(ps, bits);
	case '*':
	case '+':
	case '?':
	case '{':
		ps->bad = 1;
		return 0;
	case '\\':
		c = (unsigned char)ps->p[1];
		if (c == '\0' || strchr("^.[]$()|*+?{}\\", c) == NULL) {
			ps->bad = 1;
			return 0;
		}
		ps->p += 2;
		bit_set(bits, c);
		return rx_set(ps, bits);
	default:
		ps->p++;
		bit_set(bits, c);
		return rx_set(ps, bits);
	}
}

/* A bound of {m,n}: digits into *v; 0, or -1 when there are none. */
static int
rx_number(struct rx_parse *ps, int *v)
{
	const char *start = ps->p;

	*v = 0;
	while (*ps->p >= '0' && *ps->p <= '9' && *v <= 255)
		*v = *v * 10 + (*ps->p++ - '0');
	return ps->p > start && *v <= 255 ? 0 : -1;
}

/* {m}, {m,} or {m,n}, after the "{". */
static void
rx_interval(struct rx_parse *ps, int *min, int *max)
{
	if (rx_number(ps, min) != 0) {
		ps->bad = 1;
		return;
	}
	*max = *min;
	if (*ps->p == ',') {
		ps->p++;
		*max = -1;
		if (*ps->p != '}' && (rx_number(ps, max) != 0 || *max < *min))
			ps->bad = 1;
	}
	if (*ps->p != '}')
		ps->bad = 1;
	else
		ps->p++;
}

/* An atom and its repetition, or -1 at the end of a branch. */
static int
rx_piece(struct rx_parse *ps)
{
	int atom = rx_atom(ps), nd, min, max;
	char c;

	if (atom < 0 || ps->bad)
		return atom;
	c = *ps->p;
	if (c != '*' && c != '+' && c != '?' && c != '{')
		return atom;
	if (ps->node[atom].kind == RX_BOL || ps->node[atom].kind == RX_EOL)
		ps->bad = 1;
	ps->p++;
	min = c == '+' ? 1 : 0;
	max = c == '?' ? 1 : -1;
	if (c == '{')
		rx_interval(ps, &min, &max);
	c = *ps->p;
	if (c == '*' || c == '+' || c == '?' || c == '{')
		ps->bad = 1; /* stacked repetitions: left to regexec */
	nd = rx_new(ps, RX_REP, atom, 0);
	ps->node[nd].min = min;
	ps->node[nd].max = max;
	return nd;
}

static int
rx_branch(struct rx_parse *ps)
{
	int left = rx_piece(ps), right;

	if (left < 0) {
		ps->bad = 1; /* an empty branch */
		return 0;
	}
	while (!ps->bad && (right = rx_piece(ps)) >= 0)
		left = rx_new(ps, RX_CAT, left, right);
	return left;
}

static int
rx_alternation(struct rx_parse *ps)
{
	int left = rx_branch(ps);

	while (!ps->bad && *ps->p == '|') {
		ps->p++;
		left = rx_new(ps, RX_ALT, left, rx_branch(ps));
	}
	return left;
}

static int
rx_emit(struct rx_prog *pg, enum rx_op op, int x, int y)
{
	if (pg->n == RX_PROG_MAX) {
		pg->bad = 1;
		return 0;
	}
	pg->inst[pg->n].op = op;
	pg->inst[pg->n].x = x;
	pg->inst[pg->n].y = y;
	return pg->n++;
}

static void rx_gen(struct rx_prog *pg, const struct rx_parse *ps, int nd);

/* n? : a split around one copy. */
static void
rx_optional(struct rx_prog *pg, const struct rx_parse *ps, int nd)
{
	int split = rx_emit(pg, OP_SPLIT, 0, 0);

	pg->inst[split].x = pg->n;
	rx_gen(pg, ps, nd);
	pg->inst[split].y = pg->n;
}

/* n* : a loop. */
static void
rx_star(struct rx_prog *pg, const struct rx_parse *ps, int nd)
{
	int split = rx_emit(pg, OP_SPLIT, 0, 0);

	pg->inst[split].x = pg->n;
	rx_gen(pg, ps, nd);
	rx_emit(pg, OP_JMP, split, 0);
	pg->inst[split].y = pg->n;
}

static void
rx_repeat(struct rx_prog *pg, const struct rx_parse *ps,
	  const struct rx_node *r)
{
	int i;

	for (i = 0; i < r->min && !pg->bad; i++)
		rx_gen(pg, ps, r->a);
	if (r->max < 0) {
		rx_star(pg, ps, r->a);
		return;
	}
	for (; i < r->max && !pg->bad; i++)
		rx_optional(pg, ps, r->a);
}

static void
rx_gen(struct rx_prog *pg, const struct rx_parse *ps, int nd)
{
	const struct rx_node *r = &ps->node[nd];
	int split, jmp;

	switch (r->kind) {
	case RX_SET:
		rx_emit(pg, OP_SET, r->set, 0);
		break;
	case RX_CAT:
		rx_gen(pg, ps, r->a);
		rx_gen(pg, ps, r->b);
		break;
	case RX_ALT:
		split = rx_emit(pg, OP_SPLIT, 0, 0);
		pg->inst[split].x = pg->n;
		rx_gen(pg, ps, r->a);
		jmp = rx_emit(pg, OP_JMP, 0, 0);
		pg->inst[split].y = pg->n;
		rx_gen(pg, ps, r->b);
		pg->inst[jmp].x = pg->n;
		break;
	case RX_REP:
		rx_repeat(pg, ps, r);
		break;
	case RX_BOL:
		rx_emit(pg, OP_BOL, 0, 0);
		break;
	case RX_EOL:
		rx_emit(pg, OP_EOL, 0, 0);
		break;
	case RX_EMPTY:
		break;
	}
}

/* Add pc and what it reaches without reading a byte to *set; an
 * assertion passes only when its condition holds (bol: at the start,
 * eol: at the end), and otherwise stays in the set, waiting. */
static void
rx_closure(const struct rx_prog *pg, int pc, int bol, int eol,
	   uint64_t *set)
{
	const struct rx_inst *in;

	while (pc < pg->n && !(*set & ((uint64_t)1 << pc))) {
		*set |= (uint64_t)1 << pc;
		in = &pg->inst[pc];
		if (in->op == OP_SPLIT) {
			rx_closure(pg, in->x, bol, eol, set);
			pc = in->y;
		} else if (in->op == OP_JMP) {
			pc = in->x;
		} else if ((in->op == OP_BOL && bol) ||
			   (in->op == OP_EOL && eol)) {
			pc++;
		} else {
			return;
		}
	}
}

/* The closure of every state of set. */
static uint64_t
rx_closure_all(const struct rx_prog *pg, uint64_t set, int bol, int eol)
{
	uint64_t out = 0;

	for (int pc = 0; pc < pg->n; pc++)
		if (set & ((uint64_t)1 << pc))
			rx_closure(pg, pc, bol, eol, &out);
	return out;
}

static int
rx_matches(const struct rx_prog *pg, uint64_t set)
{
	return (set >> (pg->n - 1)) & 1; /* MATCH is the last state */
}

/* The states reached from set by reading a byte of class c (whose
 * representative byte is rep), with the search restarting there. */
static uint64_t
rx_step(const struct rx_prog *pg, const struct rx_parse *ps, uint64_t set,
	unsigned rep)
{
	uint64_t moved = 0;

	for (int pc = 0; pc < pg->n; pc++) {
		const struct rx_inst *in = &pg->inst[pc];

		if ((set & ((uint64_t)1 << pc)) && in->op == OP_SET &&
		    bit_has(ps->sets[in->x], rep))
			moved |= (uint64_t)1 << (pc + 1);
	}
	moved = rx_closure_all(pg, moved, 0, 0);
	rx_closure(pg, 0, 0, 0, &moved);
	return moved;
}

/* Bytes that every set treats alike share a class; -1 when there are
 * too many classes. */
static int
rx_classes(struct lejr_dfa *d, const struct rx_parse *ps, unsigned *rep)
{
	for (unsigned c = 0; c < 256; c++) {
		int k;

		for (k = 0; k < d->nclasses; k++) {
			int same = 1;

			for (int s = 0; s < ps->nsets && same; s++)
				same = bit_has(ps->sets[s], c) ==
				       bit_has(ps->sets[s], rep[k]);
			if (same)
				break;
		}
		if (k == RX_CLASSES_MAX)
			return -1;
		if (k == d->nclasses)
			rep[d->nclasses++] = c;
		d->cls[c] = (unsigned char)k;
	}
	return 0;
}

/* Determinise pg into d; 0, or -1 when it has too many states. */
static int
rx_determinise(struct lejr_dfa *d, const struct rx_prog *pg,
	       const struct rx_parse *ps)
{
	uint64_t states[RX_DSTATES_MAX], next;
	unsigned rep[RX_CLASSES_MAX];
	int k;

	if (rx_classes(d, ps, rep) != 0)
		return -1;

	states[0] = 0;
	rx_closure(pg, 0, 1, 0, &states[0]);
	d->empty = (unsigned char)rx_matches(pg, rx_closure_all(pg, states[0],
								 1, 1));
	d->nstates = 1;
	for (int s = 0; s < d->nstates; s++) {
		d->now[s] = (unsigned char)rx_matches(pg, states[s]);
		d->end[s] = (unsigned char)rx_matches(pg,
			rx_closure_all(pg, states[s], 0, 1));
		for (int c = 0; c < d->nclasses; c++) {
			next = rx_step(pg, ps, states[s], rep[c]);
			for (k = 0; k < d->nstates; k++)
				if (states[k] == next)
					break;
			if (k == d->nstates) {
				if (d->nstates == RX_DSTATES_MAX)
					return -1;
				states[d->nstates++] = next;
			}
			d->next[s][c] = (unsigned char)k;
		}
	}
	return 0;
}

/* Bytes are characters, ordered by value, as in the C locale that
 * lejrd runs in: otherwise regexec() decides. */
static int
rx_plain_locale(void)
{
	const char *collate = setlocale(LC_COLLATE, NULL);

	return MB_CUR_MAX == 1 && collate != NULL &&
	       (strcmp(collate, "C") == 0 || strcmp(collate, "POSIX") == 0);
}

/* The automaton of pattern, or NULL when regexec() must answer. */
static struct lejr_dfa *
dfa_new(const char *pattern)
{
	struct rx_parse *ps = NULL;
	struct rx_prog *pg = NULL;
	struct lejr_dfa *d = NULL;
	int root;

	if (pattern == NULL || !rx_plain_locale())
		return NULL;
	ps = calloc(1, sizeof(*ps));
	pg = calloc(1, sizeof(*pg));
	d = calloc(1, sizeof(*d));
	if (ps == NULL || pg == NULL || d == NULL)
		goto fail;

	ps->start = ps->p = pattern;
	root = rx_alternation(ps);
	if (ps->bad || *ps->p != '\0')
		goto fail;
	rx_gen(pg, ps, root);
	rx_emit(pg, OP_MATCH, 0, 0);
	if (pg->bad || rx_determinise(d, pg, ps) != 0)
		goto fail;

	free(ps);
	free(pg);
	return d;

fail:
	free(ps);
	free(pg);
	free(d);
	return NULL;
}

/* Does some substring of s match? */
static int
dfa_match(const struct lejr_dfa *d, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	int st = 0;

	if (*u == '\0')
		return d->empty;
	for (; *u != '\0'; u++) {
		if (d->now[st])
			return 1;
		st = d->next[st][d->cls[*u]];
	}
	return d->now[st] || d->end[st];
}

/* ---- compiled schemas ---- */

/*
 * A schema is compiled once into nodes that hold what each keyword asks
 * for, so that checking a value costs no keyword lookups by name.  The
 * nodes borrow keys and values from the schema, which the validator
 * keeps a reference to.
 */
enum node_kind {
	N_ANY,    /* true, or not an object: anything goes */
	N_NEVER,  /* false */
	N_SCHEMA
};

enum node_flag {
	F_MINLEN = 1 << 0,
	F_MAXLEN = 1 << 1,
	F_PATTERN = 1 << 2,
	F_DATE = 1 << 3,
	F_MINITEMS = 1 << 4,
	F_MAXITEMS = 1 << 5,
	F_EXTRA = 1 << 6,       /* additionalProperties other than true */
	F_EXTRA_FALSE = 1 << 7, /* additionalProperties: false */
	F_ANYOF = 1 << 8,
	F_ONEOF = 1 << 9,
	F_REQ_BAD = 1 << 10     /* required names a non-string */
};

/* The number keywords, in the order they are checked. */
enum { L_MIN, L_MAX, L_XMIN, L_XMAX, L_COUNT };

struct node;

/* A name known to an object schema: a property, a required name, or
 * both. */
struct prop {
	const char *key;
	struct node *node; /* NULL: required but not among properties */
	int required;
};

struct node {
	enum node_kind kind;
	unsigned flags;
	unsigned types;          /* allowed types; 0: any */
	json_t *konst;           /* const, or NULL */
	json_t *enumv;           /* enum, or NULL */
	json_int_t minlen, maxlen, minitems, maxitems;
	const char *pattern;
	struct lejr_dfa *dfa;    /* pattern as an automaton, or NULL */
	json_t *limit[L_COUNT];  /* minimum ... exclusiveMaximum, or NULL */

	struct prop *table;      /* sorted by key, for lookups */
	size_t ntable;
	struct prop **props;     /* properties in schema order */
	size_t nprops;
	const char **required;   /* in schema order, as written */
	size_t nrequired;
	size_t nunique;          /* distinct required names */
	struct node *extra;      /* additionalProperties schema */
	struct node *items;      /* NULL when absent */
	struct node **any;       /* anyOf */
	size_t nany;
	struct node **one;       /* oneOf */
	size_t none;
};

struct lejr_validator {
	json_t *schema;
	struct node *root;
};

static void
node_free(struct node *n)
{
	if (n == NULL)
		return;
	for (size_t i = 0; i < n->ntable; i++)
		node_free(n->table[i].node);
	for (size_t i = 0; i < n->nany; i++)
		node_free(n->any[i]);
	for (size_t i = 0; i < n->none; i++)
		node_free(n->one[i]);
	node_free(n->extra);
	node_free(n->items);
	free(n->table);
	free(n->props);
	free(n->required);
	free(n->any);
	free(n->one);
	free(n->dfa);
	free(n);
}

static struct node *compile(json_t *schema);

static int
prop_cmp(const void *a, const void *b)
{
	return strcmp(((const struct prop *)a)->key,
		      ((const struct prop *)b)->key);
}

/* The entry of n's table for key, or NULL. */
static struct prop *
prop_find(const struct node *n, const char *key)
{
	size_t lo = 0, hi = n->ntable;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(key, n->table[mid].key);

		if (c == 0)
			return &n->table[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* The required names, in order; a name that is not a string makes every
 * object fail, as it can never be present. */
static int
compile_required(struct node *n, json_t *required)
{
	json_t *item;
	size_t i;

	if (json_array_size(required) == 0)
		return 0;
	n->required = calloc(json_array_size(required), sizeof(char *));
	if (n->required == NULL)
		return -1;
	json_array_foreach(required, i, item) {
		n->required[n->nrequired++] = json_string_value(item);
		if (!json_is_string(item))
			n->flags |= F_REQ_BAD;
	}
	return 0;
}

/* Add key to the (unsorted) table unless it is there; its entry. */
static struct prop *
table_add(struct node *n, const char *key)
{
	for (size_t i = 0; i < n->ntable; i++)
		if (strcmp(n->table[i].key, key) == 0)
			return &n->table[i];
	n->table[n->ntable].key = key;
	n->table[n->ntable].node = NULL;
	n->table[n->ntable].required = 0;
	return &n->table[n->ntable++];
}

/* properties and required names into the lookup table. */
static int
compile_object(struct node *n, json_t *schema)
{
	json_t *props = json_object_get(schema, "properties"), *sub;
	size_t room, k = 0;
	const char *key;
	struct prop *p;

	if (!json_is_object(props))
		props = NULL;
	if (compile_required(n, json_object_get(schema, "required")) != 0)
		return -1;

	room = json_object_size(props) + n->nrequired;
	if (room == 0)
		return 0;
	n->table = calloc(room, sizeof(*n->table));
	if (n->table == NULL)
		return -1;

	json_object_foreach(props, key, sub) {
		p = table_add(n, key);
		p->node = compile(sub);
		if (p->node == NULL)
			return -1;
	}
	for (size_t i = 0; i < n->nrequired; i++) {
		if (n->required[i] == NULL)
			continue;
		p = table_add(n, n->required[i]);
		n->nunique += !p->required;
		p->required = 1;
	}
	qsort(n->table, n->ntable, sizeof(*n->table), prop_cmp);

	/* The schema's order, for messages about the first problem. */
	n->props = calloc(json_object_size(props) + 1, sizeof(*n->props));
	if (n->props == NULL)
		return -1;
	json_object_foreach(props, key, sub)
		n->props[k++] = prop_find(n, key);
	n->nprops = k;
	return 0;
}

/* anyOf or oneOf: its alternatives (none when it is not an array). */
static int
compile_alternatives(json_t *alts, struct node ***out, size_t *n)
{
	json_t *alt;
	size_t i;

	*out = calloc(json_array_size(alts) + 1, sizeof(**out));
	if (*out == NULL)
		return -1;
	json_array_foreach(alts, i, alt) {
		(*out)[i] = compile(alt);
		if ((*out)[i] == NULL)
			return -1;
		*n = i + 1;
	}
	return 0;
}

/* A count keyword: its flag when present. */
static unsigned
compile_count(json_t *schema, const char *key, json_int_t *value,
	      unsigned flag)
{
	json_t *kw = json_object_get(schema, key);

	if (kw == NULL)
		return 0;
	*value = json_integer_value(kw);
	return flag;
}

static void
compile_scalars(struct node *n, json_t *schema)
{
	static const char *const limits[L_COUNT] = {
		"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"
	};
	json_t *kw;

	n->types = type_mask(schema);
	n->konst = json_object_get(schema, "const");
	n->enumv = json_object_get(schema, "enum");

	n->flags |= compile_count(schema, "minLength", &n->minlen, F_MINLEN);
	n->flags |= compile_count(schema, "maxLength", &n->maxlen, F_MAXLEN);
	n->flags |= compile_count(schema, "minItems", &n->minitems,
				  F_MINITEMS);
	n->flags |= compile_count(schema, "maxItems", &n->maxitems,
				  F_MAXITEMS);

	kw = json_object_get(schema, "pattern");
	if (kw != NULL) {
		n->flags |= F_PATTERN;
		n->pattern = json_string_value(kw);
		n->dfa = dfa_new(n->pattern);
	}
	kw = json_object_get(schema, "format");
	if (json_is_string(kw) && strcmp(json_string_value(kw), "date") == 0)
		n->flags |= F_DATE;

	for (int i = 0; i < L_COUNT; i++)
		n->limit[i] = json_object_get(schema, limits[i]);
}

/* The nodes of schema; NULL when out of memory. */
static struct node *
compile(json_t *schema)
{
	struct node *n;
	json_t *kw;

	n = calloc(1, sizeof(*n));
	if (n == NULL)
		return NULL;
	if (json_is_false(schema))
		n->kind = N_NEVER;
	if (!json_is_object(schema))
		return n;
	n->kind = N_SCHEMA;

	compile_scalars(n, schema);
	if (compile_object(n, schema) != 0)
		goto err;

	kw = json_object_get(schema, "additionalProperties");
	if (kw != NULL && !json_is_true(kw)) {
		n->flags |= F_EXTRA | (json_is_false(kw) ? F_EXTRA_FALSE : 0);
		n->extra = compile(kw);
		if (n->extra == NULL)
			goto err;
	}
	kw = json_object_get(schema, "items");
	if (kw != NULL && (n->items = compile(kw)) == NULL)
		goto err;

	kw = json_object_get(schema, "anyOf");
	if (kw != NULL) {
		n->flags |= F_ANYOF;
		if (compile_alternatives(kw, &n->any, &n->nany) != 0)
			goto err;
	}
	kw = json_object_get(schema, "oneOf");
	if (kw != NULL) {
		n->flags |= F_ONEOF;
		if (compile_alternatives(kw, &n->one, &n->none) != 0)
			goto err;
	}
	return n;

err:
	node_free(n);
	return NULL;
}

struct lejr_validator *
lejr_validator_new(json_t *schema)
{
	struct lejr_validator *v;

	v = calloc(1, sizeof(*v));
	if (v == NULL)
		return NULL;
	v->root = compile(schema);
	if (v->root == NULL) {
		free(v);
		return NULL;
	}
	v->schema = json_incref(schema);
	return v;
}

void
lejr_validator_free(struct lejr_validator *v)
{
	if (v == NULL)
		return;
	node_free(v->root);
	json_decref(v->schema);
	free(v);
}

/* ---- validation: is the value valid? ---- */

/*
 * The quick pass answers valid or not, in whatever order is cheapest.
 * Only when it says no does the careful pass (below) go through the
 * keywords in their documented order to name the first problem, so a
 * valid value is never walked twice and messages stay the same.
 */
static int valid(const struct node *n, json_t *value);

static int
enum_has(json_t *list, json_t *value)
{
	json_t *item;
	size_t i;

	json_array_foreach(list, i, item)
		if (values_equal(item, value))
			return 1;
	return 0;
}

/* Does s match n's pattern?  1 or 0; -1 when the pattern is invalid. */
static int
node_match(const struct node *n, const char *s)
{
	if (n->dfa != NULL)
		return dfa_match(n->dfa, s);
	return n->pattern != NULL ? pattern_match(n->pattern, s) : -1;
}

static int
valid_string(const struct node *n, json_t *value)
{
	const char *s = json_string_value(value);
	size_t chars;

	if (n->flags & (F_MINLEN | F_MAXLEN)) {
		chars = utf8_length(s, json_string_length(value));
		if ((n->flags & F_MINLEN) && chars < (size_t)n->minlen)
			return 0;
		if ((n->flags & F_MAXLEN) && chars > (size_t)n->maxlen)
			return 0;
	}
	if ((n->flags & F_PATTERN) && node_match(n, s) != 1)
		return 0;
	return !(n->flags & F_DATE) || lejr_schema_date_valid(s);
}

/* Does value break limit i of n? */
static int
limit_broken(const struct node *n, int i, json_t *value)
{
	static const int bad_sign[L_COUNT] = { -1, 1, -1, 1 };
	int c = number_cmp(value, n->limit[i]);

	if (c == 0 && (i == L_XMIN || i == L_XMAX))
		c = bad_sign[i];
	return c == bad_sign[i];
}

static int
valid_number(const struct node *n, json_t *value)
{
	for (int i = 0; i < L_COUNT; i++)
		if (n->limit[i] != NULL && limit_broken(n, i, value))
			return 0;
	return 1;
}

static int
valid_object(const struct node *n, json_t *value)
{
	const struct prop *p;
	size_t seen = 0;
	const char *key;
	json_t *member;

	if (n->flags & F_REQ_BAD)
		return 0;
	json_object_foreach(value, key, member) {
		p = n->ntable > 0 ? prop_find(n, key) : NULL;
		if (p != NULL && p->required)
			seen++;
		if (p != NULL && p->node != NULL) {
			if (!valid(p->node, member))
				return 0;
		} else if (n->flags & F_EXTRA) {
			if ((n->flags & F_EXTRA_FALSE) ||
			    !valid(n->extra, member))
				return 0;
		}
	}
	return seen == n->nunique;
}

static int
valid_array(const struct node *n, json_t *value)
{
	size_t count = json_array_size(value);

	if ((n->flags & F_MINITEMS) && count < (size_t)n->minitems)
		return 0;
	if ((n->flags & F_MAXITEMS) && count > (size_t)n->maxitems)
		return 0;
	for (size_t i = 0; n->items != NULL && i < count; i++)
		if (!valid(n->items, json_array_get(value, i)))
			return 0;
	return 1;
}

/* How many of the alternatives value matches, stopping at stop. */
static size_t
alternatives_matched(struct node *const *alts, size_t nalts, json_t *value,
		     size_t stop)
{
	size_t count = 0;

	for (size_t i = 0; i < nalts && count < stop; i++)
		count += (size_t)valid(alts[i], value);
	return count;
}

static int
valid(const struct node *n, json_t *value)
{
	if (n->kind != N_SCHEMA)
		return n->kind == N_ANY;
	if (n->types != 0 && !type_matches(n->types, value))
		return 0;
	if (n->konst != NULL && !values_equal(n->konst, value))
		return 0;
	if (n->enumv != NULL && !enum_has(n->enumv, value))
		return 0;

	switch (json_typeof(value)) {
	case JSON_STRING:
		if (!valid_string(n, value))
			return 0;
		break;
	case JSON_INTEGER:
	case JSON_REAL:
		if (!valid_number(n, value))
			return 0;
		break;
	case JSON_OBJECT:
		if (!valid_object(n, value))
			return 0;
		break;
	case JSON_ARRAY:
		if (!valid_array(n, value))
			return 0;
		break;
	default:
		break;
	}

	if ((n->flags & F_ANYOF) &&
	    alternatives_matched(n->any, n->nany, value, 1) == 0)
		return 0;
	if ((n->flags & F_ONEOF) &&
	    alternatives_matched(n->one, n->none, value, 2) != 1)
		return 0;
	return 1;
}

/* ---- validation: the first problem ---- */

static int explain(const struct node *n, json_t *value, struct walk *w);

/* Validate a member or item under the path segment just pushed. */
static int
explain_under(const struct node *n, json_t *value, struct walk *w,
	      size_t saved)
{
	if (explain(n, value, w) != 0)
		return -1;
	walk_pop(w, saved);
	return 0;
}

static int
explain_string(const struct node *n, json_t *value, struct walk *w)
{
	const char *s = json_string_value(value);
	size_t chars = utf8_length(s, json_string_length(value));
	int match;

	if ((n->flags & F_MINLEN) && chars < (size_t)n->minlen)
		return walk_fail(w, "must be at least %" JSON_INTEGER_FORMAT
				 " character%s long", n->minlen,
				 n->minlen == 1 ? "" : "s");
	if ((n->flags & F_MAXLEN) && chars > (size_t)n->maxlen)
		return walk_fail(w, "must be at most %" JSON_INTEGER_FORMAT
				 " character%s long", n->maxlen,
				 n->maxlen == 1 ? "" : "s");

	match = (n->flags & F_PATTERN) ? node_match(n, s) : 1;
	if (match < 0)
		return walk_fail(w, "has an invalid pattern");
	if (match == 0)
		return walk_fail(w, "does not match the pattern %s",
				 n->pattern);

	if ((n->flags & F_DATE) && !lejr_schema_date_valid(s))
		return walk_fail(w, "must be a calendar date, YYYY-MM-DD");
	return 0;
}

static int
explain_number(const struct node *n, json_t *value, struct walk *w)
{
	static const char *const phrase[L_COUNT] = {
		"at least", "at most", "greater than", "less than"
	};
	char text[64];

	for (int i = 0; i < L_COUNT; i++) {
		if (n->limit[i] == NULL || !limit_broken(n, i, value))
			continue;
		value_text(n->limit[i], text, sizeof(text));
		return walk_fail(w, "must be %s %s", phrase[i], text);
	}
	return 0;
}

static int
explain_object(const struct node *n, json_t *value, struct walk *w)
{
	const struct prop *p;
	const char *key;
	json_t *member;

	for (size_t i = 0; i < n->nrequired; i++) {
		key = n->required[i];
		if (key == NULL)
			return walk_fail(w, "missing required property "
					 "\"(null)\"");
		if (json_object_get(value, key) == NULL)
			return walk_fail(w, "missing required property \"%s\"",
					 key);
	}

	if (n->flags & F_EXTRA) {
		json_object_foreach(value, key, member) {
			p = n->ntable > 0 ? prop_find(n, key) : NULL;
			if (p != NULL && p->node != NULL)
				continue;
			if (n->flags & F_EXTRA_FALSE)
				return walk_fail(w, "unknown property \"%s\"",
						 key);
			if (explain_under(n->extra, member, w,
					  walk_push_key(w, key)) != 0)
				return -1;
		}
	}

	for (size_t i = 0; i < n->nprops; i++) {
		p = n->props[i];
		member = json_object_get(value, p->key);
		if (member != NULL &&
		    explain_under(p->node, member, w,
				  walk_push_key(w, p->key)) != 0)
			return -1;
	}
	return 0;
}

static int
explain_array(const struct node *n, json_t *value, struct walk *w)
{
	size_t count = json_array_size(value);

	if ((n->flags & F_MINITEMS) && count < (size_t)n->minitems)
		return walk_fail(w, "must have at least %" JSON_INTEGER_FORMAT
				 " items", n->minitems);
	if ((n->flags & F_MAXITEMS) && count > (size_t)n->maxitems)
		return walk_fail(w, "must have at most %" JSON_INTEGER_FORMAT
				 " items", n->maxitems);

	for (size_t i = 0; n->items != NULL && i < count; i++)
		if (explain_under(n->items, json_array_get(value, i), w,
				  walk_push(w, "[%zu]", i)) != 0)
			return -1;
	return 0;
}

/*
 * No alternative matched: when the value's type fits none of them, say
 * which types would do; otherwise explain why the first alternative of
 * the right type failed.
 */
static int
explain_alternatives(struct node *const *alts, size_t nalts, json_t *value,
		     struct walk *w)
{
	char phrase[128];
	unsigned all = 0;

	for (size_t i = 0; i < nalts; i++) {
		const struct node *alt = alts[i];

		if (alt->types == 0 || type_matches(alt->types, value))
			return explain(alt, value, w);
		all |= alt->types;
	}
	type_phrase(all, phrase, sizeof(phrase));
	return walk_fail(w, "expected %s", phrase);
}

static int
explain_enum(const struct node *n, json_t *value, struct walk *w)
{
	char text[256], one[64];
	size_t i, len = 0;
	json_t *item;

	if (n->konst != NULL && !values_equal(n->konst, value)) {
		value_text(n->konst, text, sizeof(text));
		return walk_fail(w, "must be %s", text);
	}
	if (n->enumv == NULL || enum_has(n->enumv, value))
		return 0;

	text[0] = '\0';
	json_array_foreach(n->enumv, i, item) {
		value_text(item, one, sizeof(one));
		if (len < sizeof(text))
			len += (size_t)snprintf(text + len, sizeof(text) - len,
						"%s%s", i > 0 ? ", " : "",
						one);
	}
	return walk_fail(w, "must be one of %s", text);
}

static int
explain_kinds(const struct node *n, json_t *value, struct walk *w)
{
	if (json_is_string(value))
		return explain_string(n, value, w);
	if (json_is_number(value))
		return explain_number(n, value, w);
	if (json_is_object(value))
		return explain_object(n, value, w);
	if (json_is_array(value))
		return explain_array(n, value, w);
	return 0;
}

/* The careful pass: 0 when value is valid after all, or -1 with the
 * first problem, keyword by keyword in a fixed order. */
static int
explain(const struct node *n, json_t *value, struct walk *w)
{
	char phrase[128];
	size_t count;

	if (valid(n, value))
		return 0;
	if (n->kind == N_NEVER)
		return walk_fail(w, "is not allowed");

	if (n->types != 0 && !type_matches(n->types, value)) {
		type_phrase(n->types, phrase, sizeof(phrase));
		return walk_fail(w, "expected %s", phrase);
	}
	if (explain_enum(n, value, w) != 0 ||
	    explain_kinds(n, value, w) != 0)
		return -1;

	if ((n->flags & F_ANYOF) &&
	    alternatives_matched(n->any, n->nany, value, 1) == 0)
		return explain_alternatives(n->any, n->nany, value, w);
	if (n->flags & F_ONEOF) {
		count = alternatives_matched(n->one, n->none, value, 2);
		if (count == 0)
			return explain_alternatives(n->one, n->none, value,
						    w);
		if (count > 1)
			return walk_fail(w, "matches more than one of the "
					 "allowed forms");
	}
	return 0;
}

int
lejr_validator_run(const struct lejr_validator *v, json_t *value,
		   char *msg, size_t len)
{
	struct walk w;

	if (valid(v->root, value))
		return 0;
	walk_init(&w, msg, len);
	return explain(v->root, value, &w);
}

int
lejr_schema_validate(json_t *schema, json_t *value, char *msg, size_t len)
{
	struct lejr_validator *v;
	int rc;

	v = lejr_validator_new(schema);
	if (v == NULL) {
		if (msg != NULL && len > 0)
			snprintf(msg, len, "out of memory");
		return -1;
	}
	rc = lejr_validator_run(v, value, msg, len);
	lejr_validator_free(v);
	return rc;
}

/* ---- checking a schema ---- */

static int
check_type(json_t *kw, struct walk *w)
{
	json_t *item;
	size_t i;

	if (json_is_string(kw)) {
		if (type_bit_of(json_string_value(kw)) == 0)
			return walk_fail(w, "unknown type \"%s\"",
					 json_string_value(kw));
		return 0;
	}
	if (!json_is_array(kw) || json_array_size(kw) == 0)
		return walk_fail(w, "\"type\" must be a type name or an "
				 "array of them");
	json_array_foreach(kw, i, item)
		if (!json_is_string(item) ||
		    type_bit_of(json_string_value(item)) == 0)
			return walk_fail(w, "\"type\" lists an unknown type");
	return 0;
}

static int
check_properties(json_t *kw, struct walk *w)
{
	const char *key;
	json_t *sub;
	size_t saved;

	if (!json_is_object(kw))
		return walk_fail(w, "\"properties\" must be an object");
	json_object_foreach(kw, key, sub) {
		saved = walk_push_key(w, key);
		if (check(sub, w) != 0)
			return -1;
		walk_pop(w, saved);
	}
	return 0;
}

static int
check_string_array(json_t *kw, const char *name, struct walk *w)
{
	json_t *item;
	size_t i;

	if (!json_is_array(kw))
		return walk_fail(w, "\"%s\" must be an array of strings",
				 name);
	json_array_foreach(kw, i, item)
		if (!json_is_string(item))
			return walk_fail(w, "\"%s\" must be an array of "
					 "strings", name);
	return 0;
}

static int
check_alternatives(json_t *kw, const char *name, struct walk *w)
{
	json_t *alt;
	size_t i, saved;

	if (!json_is_array(kw) || json_array_size(kw) == 0)
		return walk_fail(w, "\"%s\" must be a non-empty array of "
				 "schemas", name);
	json_array_foreach(kw, i, alt) {
		saved = walk_push(w, "(%s %zu)", name, i);
		if (check(alt, w) != 0)
			return -1;
		walk_pop(w, saved);
	}
	return 0;
}

static int
check_pattern(json_t *kw, struct walk *w)
{
	regex_t re;

	if (!json_is_string(kw))
		return walk_fail(w, "\"pattern\" must be a string");
	if (regcomp(&re, json_string_value(kw), REG_EXTENDED | REG_NOSUB) != 0)
		return walk_fail(w, "\"pattern\" is not a POSIX extended "
				 "regular expression: %s",
				 json_string_value(kw));
	regfree(&re);
	return 0;
}

static int
is_count_keyword(const char *key)
{
	return strcmp(key, "minLength") == 0 ||
	       strcmp(key, "maxLength") == 0 ||
	       strcmp(key, "minItems") == 0 || strcmp(key, "maxItems") == 0;
}

static int
is_limit_keyword(const char *key)
{
	return strcmp(key, "minimum") == 0 || strcmp(key, "maximum") == 0 ||
	       strcmp(key, "exclusiveMinimum") == 0 ||
	       strcmp(key, "exclusiveMaximum") == 0;
}

static int
check_keyword(const char *key, json_t *kw, struct walk *w)
{
	size_t saved;
	int rc;

	if (is_annotation(key) || strcmp(key, "const") == 0)
		return 0;
	if (strcmp(key, "type") == 0)
		return check_type(kw, w);
	if (strcmp(key, "properties") == 0)
		return check_properties(kw, w);
	if (strcmp(key, "required") == 0)
		return check_string_array(kw, key, w);
	if (strcmp(key, "enum") == 0) {
		if (!json_is_array(kw) || json_array_size(kw) == 0)
			return walk_fail(w, "\"enum\" must be a non-empty "
					 "array");
		return 0;
	}
	if (strcmp(key, "additionalProperties") == 0 ||
	    strcmp(key, "items") == 0) {
		saved = walk_push(w, key[0] == 'i' ? "[]" : "{*}");
		rc = check(kw, w);
		if (rc == 0)
			walk_pop(w, saved);
		return rc;
	}
	if (is_count_keyword(key)) {
		if (!json_is_integer(kw) || json_integer_value(kw) < 0)
			return walk_fail(w, "\"%s\" must be a non-negative "
					 "integer", key);
		return 0;
	}
	if (is_limit_keyword(key)) {
		if (!json_is_number(kw))
			return walk_fail(w, "\"%s\" must be a number", key);
		return 0;
	}
	if (strcmp(key, "pattern") == 0)
		return check_pattern(kw, w);
	if (strcmp(key, "format") == 0) {
		/* the one format enforced; another would be a constraint
		 * ignored silently */
		if (!json_is_string(kw) ||
		    strcmp(json_string_value(kw), "date") != 0)
			return walk_fail(w, "\"format\" must be \"date\", the "
					 "one format enforced; write other "
					 "forms as a \"pattern\"");
		return 0;
	}
	if (strcmp(key, "anyOf") == 0 || strcmp(key, "oneOf") == 0)
		return check_alternatives(kw, key, w);

	return walk_fail(w, "unsupported keyword \"%s\"", key);
}

static int
check(json_t *schema, struct walk *w)
{
	const char *key;
	json_t *kw;

	if (json_is_boolean(schema))
		return 0;
	if (!json_is_object(schema))
		return walk_fail(w, "a schema must be an object");

	json_object_foreach(schema, key, kw)
		if (check_keyword(key, kw, w) != 0)
			return -1;
	return 0;
}

int
lejr_schema_check(json_t *schema, char *msg, size_t len)
{
	struct walk w;

	walk_init(&w, msg, len);
	return check(schema, &w);
}
