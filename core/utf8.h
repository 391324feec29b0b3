/*
 * utf8.h - strict UTF-8 checks for text that comes from requests and
 * text that goes into pages.
 *
 * "Strict" is RFC 3629: no overlong forms, no surrogates (U+D800 to
 * U+DFFF), nothing above U+10FFFF, no truncated or stray bytes.  Lenient
 * decoders (libxml2's among them) read an overlong C0 BC as '<', so text
 * that is not strict must never reach one.
 */
#ifndef LEJR_UTF8_H
#define LEJR_UTF8_H

#include <stddef.h>
#include <stdint.h>

#define LEJR_UTF8_LINES 0x1 /* tab, CR and LF are allowed */

/*
 * Decode the sequence at s (n > 0 bytes left) into *cp.  Returns its
 * length (1 to 4), or 0 when it is not strict UTF-8 (*cp is then 0).
 */
size_t lejr_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* Is cp a control character: C0 (U+0000 to U+001F), DEL or C1 (U+0080
 * to U+009F)? */
int lejr_utf8_control(uint32_t cp);

/*
 * Is cp invisible or able to make text look like other text when it is
 * shown: bidirectional embeddings, overrides, isolates and marks, zero
 * width characters, the soft hyphen, the byte order mark, the line and
 * paragraph separators?
 */
int lejr_utf8_deceptive(uint32_t cp);

/*
 * Is s (len bytes) strict UTF-8 without control characters?  flags
 * LEJR_UTF8_LINES lets tab, CR and LF through.  1 or 0.
 */
int lejr_utf8_text_ok(const char *s, size_t len, int flags);

/* Is s (len bytes) fit to show as a name: lejr_utf8_text_ok without
 * any flag and no lejr_utf8_deceptive character?  1 or 0. */
int lejr_utf8_name_ok(const char *s, size_t len);

/*
 * A malloc'd copy of s in which every byte that is not part of strict
 * UTF-8, and every control character other than tab, CR and LF, is
 * replaced by U+FFFD.  NULL when out of memory.
 */
char *lejr_utf8_scrub(const char *s);

/* Replace, in place, every byte of s that is not part of strict UTF-8
 * with '?': for text cut to a size, such as a message made with
 * "%.40s", which may end inside a character. */
void lejr_utf8_repair(char *s);

#endif /* LEJR_UTF8_H */
