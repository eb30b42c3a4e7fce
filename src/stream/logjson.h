/*
 * logjson.h - the small JSON the stream layer writes and reads back itself: checkpoint log lines
 * (offsets, commits, the file source's log), dead-letter entries and progress reports.
 *
 * Each log line is one flat JSON object. wlogj_parse reads one into key/value pairs: strings come back
 * unescaped, numbers / true / false / null as their text, nested objects and arrays as their raw text
 * (the stream layer only nests where it does not need to read back, e.g. "conf"). The writer helpers
 * escape strings per RFC 8259; bytes that are not valid UTF-8 cannot be a JSON string, so such a value
 * is written base64-encoded under "<key>_b64" and wlogj_get_bytes reads either form back unchanged.
 */
#ifndef WEIR_STREAM_LOGJSON_H
#define WEIR_STREAM_LOGJSON_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

typedef struct WLogMember {
    char *key;      /* unescaped */
    char *val;      /* unescaped string, or the raw text of any other value; NUL-terminated */
    size_t val_len; /* bytes of val (strings may hold NUL) */
    int is_str;     /* 1 when the value was a JSON string */
} WLogMember;

typedef struct WLogObj {
    int n;
    WLogMember *m;
} WLogObj;

/* Parses one JSON object from s[0..n). Returns 0, or -1 with *what set to a static description and
 * *at to the byte offset of the problem. Caller owns out; free with wlogj_fini (also after failure). */
int wlogj_parse(const char *s, size_t n, WLogObj *out, const char **what, size_t *at);
void wlogj_fini(WLogObj *o);
/* Borrowed; valid until wlogj_fini. NULL when absent. */
const WLogMember *wlogj_member(const WLogObj *o, const char *key);
/* A string member, or its "<key>_b64" form, decoded; NULL when absent. */
const char *wlogj_get_bytes(const WLogObj *o, const char *key, size_t *len, WBuf *scratch);
/* An integer member; returns 0 and sets *out, or -1 when absent or not an integer. */
int wlogj_get_i64(const WLogObj *o, const char *key, int64_t *out);

/* "key":"value" (or "key_b64":"..." for bytes that are not UTF-8), without a leading comma. */
int wlogj_put_field_str(WBuf *b, const char *key, const char *s, size_t n);
/* A JSON string literal of s (must be valid UTF-8; invalid bytes become U+FFFD). */
int wlogj_put_str(WBuf *b, const char *s, size_t n);
/* 1 when s[0..n) is valid UTF-8. */
int wlogj_utf8_valid(const char *s, size_t n);

#endif
