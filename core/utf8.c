/*
 * utf8.c - strict UTF-8 decoding and the checks of utf8.h.
 */
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

/* U+FFFD REPLACEMENT CHARACTER */
static const char replacement[] = "\xef\xbf\xbd";

/* Is b a continuation byte (10xxxxxx)? */
static int
cont(unsigned char b)
{
	return (b & 0xc0) == 0x80;
}

size_t
lejr_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c, min;
	size_t len, i;

	*cp = 0;
	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}

	/* The lead byte gives the length and the smallest code point that
	 * needs it; anything smaller is overlong.  C0, C1 and F5 to FF
	 * can only start overlong or too large sequences. */
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
		min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;

	for (i = 1; i < len; i++) {
		if (!cont(s[i]))
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

int
lejr_utf8_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f);
}

int
lejr_utf8_deceptive(uint32_t cp)
{
	return cp == 0x00ad ||                    /* soft hyphen */
	       cp == 0x061c ||                    /* Arabic letter mark */
	       cp == 0x180e ||                    /* Mongolian vowel sep. */
	       (cp >= 0x200b && cp <= 0x200f) ||  /* zero width, LRM, RLM */
	       (cp >= 0x2028 && cp <= 0x202e) ||  /* LS, PS, embeddings */
	       (cp >= 0x2060 && cp <= 0x2069) ||  /* joiners, isolates */
	       cp == 0xfeff;                      /* byte order mark */
}

int
lejr_utf8_text_ok(const char *s, size_t len, int flags)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t cp;
	size_t i = 0, step;

	while (i < len) {
		step = lejr_utf8_decode(u + i, len - i, &cp);
		if (step == 0)
			return 0;
		if (lejr_utf8_control(cp) &&
		    !((flags & LEJR_UTF8_LINES) &&
		      (cp == '\t' || cp == '\n' || cp == '\r')))
			return 0;
		i += step;
	}
	return 1;
}

int
lejr_utf8_name_ok(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t cp;
	size_t i = 0, step;

	if (!lejr_utf8_text_ok(s, len, 0))
		return 0;
	while (i < len) {
		step = lejr_utf8_decode(u + i, len - i, &cp);
		if (lejr_utf8_deceptive(cp))
			return 0;
		i += step;
	}
	return 1;
}

char *
lejr_utf8_scrub(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = strlen(s), i = 0, j = 0, step;
	uint32_t cp;
	char *out;

	/* Each bad byte becomes at most three. */
	out = malloc(len * 3 + 1);
	if (out == NULL)
		return NULL;
	while (i < len) {
		step = lejr_utf8_decode(u + i, len - i, &cp);
		if (step == 0 || (lejr_utf8_control(cp) && cp != '\t' &&
				  cp != '\n' && cp != '\r')) {
			memcpy(out + j, replacement, 3);
			j += 3;
			i += step > 0 ? step : 1;
			continue;
		}
		memcpy(out + j, s + i, step);
		j += step;
		i += step;
	}
	out[j] = '\0';
	return out;
}

void
lejr_utf8_repair(char *s)
{
	unsigned char *u = (unsigned char *)s;
	size_t len = strlen(s), i = 0, step;
	uint32_t cp;

	while (i < len) {
		step = lejr_utf8_decode(u + i, len - i, &cp);
		if (step == 0) {
			u[i++] = '?';
			continue;
		}
		i += step;
	}
}
