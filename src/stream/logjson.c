/*
 * logjson.c - reading and writing the flat JSON objects of the stream layer's logs (see logjson.h).
 *
 * The reader is deliberately small: it accepts exactly one object of members whose values are strings,
 * numbers, literals, or nested objects/arrays (kept as raw text after a bracket-balancing skip that
 * respects strings). It is used only on files weir wrote, but a damaged file must yield an error, never a
 * crash, so every step checks the end of the input.
 */
#include "stream/logjson.h"

#include "weir.h"

#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void skip_ws(const char *s, size_t n, size_t *i) {
    while (*i < n && (s[*i] == ' ' || s[*i] == '\t' || s[*i] == '\n' || s[*i] == '\r')) (*i)++;
}

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Reads a JSON string starting at s[*i] == '"' into out (unescaped). */
static int read_str(const char *s, size_t n, size_t *i, WBuf *out, const char **what) {
    (*i)++;
    while (*i < n) {
        unsigned char c = (unsigned char)s[*i];
        if (c == '"') {
            (*i)++;
            return 0;
        }
        if (c < 0x20) { *what = "control character in a string"; return -1; }
        if (c != '\\') {
            if (wbuf_putc(out, (char)c)) { *what = "out of memory"; return -1; }
            (*i)++;
            continue;
        }
        if (*i + 1 >= n) break;
        char e = s[*i + 1];
        *i += 2;
        char lit = 0;
        switch (e) {
        case '"': lit = '"'; break;
        case '\\': lit = '\\'; break;
        case '/': lit = '/'; break;
        case 'b': lit = '\b'; break;
        case 'f': lit = '\f'; break;
        case 'n': lit = '\n'; break;
        case 'r': lit = '\r'; break;
        case 't': lit = '\t'; break;
        case 'u': {
            if (*i + 4 > n) { *what = "truncated \\u escape"; return -1; }
            unsigned cp = 0;
            for (int k = 0; k < 4; k++) {
                int h = hexval((unsigned char)s[*i + (size_t)k]);
                if (h < 0) { *what = "bad \\u escape"; return -1; }
                cp = cp * 16 + (unsigned)h;
            }
            *i += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && *i + 6 <= n && s[*i] == '\\' && s[*i + 1] == 'u') {
                unsigned lo = 0;
                int ok = 1;
                for (int k = 0; k < 4; k++) {
                    int h = hexval((unsigned char)s[*i + 2 + (size_t)k]);
                    if (h < 0) ok = 0;
                    else lo = lo * 16 + (unsigned)h;
                }
                if (ok && lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    *i += 6;
                }
            }
            if (wbuf_put_utf8(out, cp)) { *what = "out of memory"; return -1; }
            continue;
        }
        default: *what = "bad escape in a string"; return -1;
        }
        if (wbuf_putc(out, lit)) { *what = "out of memory"; return -1; }
    }
    *what = "unterminated string";
    return -1;
}

/* Skips one non-string value (number, literal, object, array), checking that brackets pair up. */
static int skip_value(const char *s, size_t n, size_t *i, const char **what) {
    char stack[64];
    int depth = 0;
    size_t start = *i;
    while (*i < n) {
        char c = s[*i];
        if (c == '"') {
            if (depth == 0) break;
            (*i)++;
            while (*i < n && s[*i] != '"') *i += (s[*i] == '\\') ? 2 : 1;
            if (*i >= n) { *what = "unterminated string"; return -1; }
            (*i)++;
            continue;
        }
        if (c == '{' || c == '[') {
            if (depth == (int)sizeof stack) { *what = "nesting too deep"; return -1; }
            stack[depth++] = c == '{' ? '}' : ']';
        } else if (c == '}' || c == ']') {
            if (depth == 0) break;
            if (stack[depth - 1] != c) { *what = "mismatched brackets"; return -1; }
            depth--;
            if (depth == 0) { (*i)++; break; }
        } else if (depth == 0 && (c == ',' || c == ' ' || c == '\n' || c == '\r' || c == '\t')) break;
        (*i)++;
    }
    if (depth != 0) { *what = "unbalanced brackets"; return -1; }
    if (*i == start) { *what = "expected a value"; return -1; }
    return 0;
}

int wlogj_parse(const char *s, size_t n, WLogObj *out, const char **what, size_t *at) {
    out->n = 0;
    out->m = NULL;
    size_t i = 0, cap = 0;
    WBuf k, v;
    wbuf_init(&k);
    wbuf_init(&v);
    *what = NULL;
    skip_ws(s, n, &i);
    if (i >= n || s[i] != '{') { *what = "expected '{'"; goto fail; }
    i++;
    skip_ws(s, n, &i);
    if (i < n && s[i] == '}') { i++; goto done; }
    for (;;) {
        skip_ws(s, n, &i);
        if (i >= n || s[i] != '"') { *what = "expected a member name"; goto fail; }
        wbuf_reset(&k);
        if (read_str(s, n, &i, &k, what)) goto fail;
        skip_ws(s, n, &i);
        if (i >= n || s[i] != ':') { *what = "expected ':'"; goto fail; }
        i++;
        skip_ws(s, n, &i);
        if (i >= n) { *what = "expected a value"; goto fail; }
        wbuf_reset(&v);
        int is_str = 0;
        if (s[i] == '"') {
            is_str = 1;
            if (read_str(s, n, &i, &v, what)) goto fail;
        } else {
            size_t st = i;
            if (skip_value(s, n, &i, what)) goto fail;
            if (wbuf_append(&v, s + st, i - st)) { *what = "out of memory"; goto fail; }
        }
        if ((size_t)out->n == cap) {
            cap = cap ? cap * 2 : 8;
            WLogMember *m = realloc(out->m, cap * sizeof *m);
            if (!m) { *what = "out of memory"; goto fail; }
            out->m = m;
        }
        WLogMember *m = &out->m[out->n];
        m->key = malloc(k.len + 1);
        m->val = malloc(v.len + 1);
        if (!m->key || !m->val) {
            free(m->key);
            free(m->val);
            *what = "out of memory";
            goto fail;
        }
        memcpy(m->key, k.data ? k.data : "", k.len);
        m->key[k.len] = 0;
        memcpy(m->val, v.data ? v.data : "", v.len);
        m->val[v.len] = 0;
        m->val_len = v.len;
        m->is_str = is_str;
        out->n++;
        skip_ws(s, n, &i);
        if (i < n && s[i] == ',') { i++; continue; }
        if (i < n && s[i] == '}') { i++; break; }
        *what = "expected ',' or '}'";
        goto fail;
    }
done:
    skip_ws(s, n, &i);
    if (i != n) { *what = "text after the object"; goto fail; }
    wbuf_fini(&k);
    wbuf_fini(&v);
    return 0;
fail:
    if (at) *at = i;
    wbuf_fini(&k);
    wbuf_fini(&v);
    return -1;
}

void wlogj_fini(WLogObj *o) {
    for (int i = 0; i < o->n; i++) {
        free(o->m[i].key);
        free(o->m[i].val);
    }
    free(o->m);
    o->m = NULL;
    o->n = 0;
}

const WLogMember *wlogj_member(const WLogObj *o, const char *key) {
    for (int i = 0; i < o->n; i++)
        if (!strcmp(o->m[i].key, key)) return &o->m[i];
    return NULL;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64val(int c) {
    const char *p = c ? strchr(b64, c) : NULL;
    return p ? (int)(p - b64) : -1;
}

const char *wlogj_get_bytes(const WLogObj *o, const char *key, size_t *len, WBuf *scratch) {
    const WLogMember *m = wlogj_member(o, key);
    if (m && m->is_str) {
        *len = m->val_len;
        return m->val;
    }
    size_t kl = strlen(key);
    char *k64 = malloc(kl + 5);
    if (!k64) return NULL;
    memcpy(k64, key, kl);
    memcpy(k64 + kl, "_b64", 5);
    m = wlogj_member(o, k64);
    free(k64);
    if (!m || !m->is_str) return NULL;
    wbuf_reset(scratch);
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < m->val_len; i++) {
        if (m->val[i] == '=') break;
        int v = b64val((unsigned char)m->val[i]);
        if (v < 0) return NULL;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (wbuf_putc(scratch, (char)((acc >> bits) & 0xFF))) return NULL;
        }
    }
    *len = scratch->len;
    return wbuf_cstr(scratch);
}

int wlogj_get_i64(const WLogObj *o, const char *key, int64_t *out) {
    const WLogMember *m = wlogj_member(o, key);
    if (!m || m->is_str || m->val_len == 0) return -1;
    char *end;
    errno = 0;
    long long v = strtoll(m->val, &end, 10);
    if (*end || errno == ERANGE) return -1; /* past 64 bits: damage, not INT64_MAX */
    *out = v;
    return 0;
}

int wlogj_utf8_valid(const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *)s, *e = p + n;
    while (p < e) {
        unsigned c = *p;
        if (c < 0x80) { p++; continue; }
        int k;
        unsigned min;
        if (c >= 0xC2 && c <= 0xDF) { k = 1; min = 0x80; }
        else if (c >= 0xE0 && c <= 0xEF) { k = 2; min = 0x800; }
        else if (c >= 0xF0 && c <= 0xF4) { k = 3; min = 0x10000; }
        else return 0;
        if (e - p <= k) return 0;
        unsigned cp = c & (0x3F >> k);
        for (int j = 1; j <= k; j++) {
            if ((p[j] & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (p[j] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000)) return 0;
        p += k + 1;
    }
    return 1;
}

int wlogj_put_str(WBuf *b, const char *s, size_t n) {
    int rc = wbuf_putc(b, '"');
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n && !rc; i++) {
        unsigned c = p[i];
        switch (c) {
        case '"': rc = wbuf_append(b, "\\\"", 2); break;
        case '\\': rc = wbuf_append(b, "\\\\", 2); break;
        case '\n': rc = wbuf_append(b, "\\n", 2); break;
        case '\r': rc = wbuf_append(b, "\\r", 2); break;
        case '\t': rc = wbuf_append(b, "\\t", 2); break;
        default:
            if (c < 0x20) rc = wbuf_printf(b, "\\u%04x", c);
            else if (c < 0x80) rc = wbuf_putc(b, (char)c);
            else {
                /* copy one valid UTF-8 sequence, or U+FFFD for a bad byte */
                size_t k = 1;
                while (k < 4 && i + k < n && (p[i + k] & 0xC0) == 0x80) k++;
                if (wlogj_utf8_valid(s + i, k)) {
                    rc = wbuf_append(b, s + i, k);
                    i += k - 1;
                } else rc = wbuf_append(b, "\\ufffd", 6);
            }
        }
    }
    if (!rc) rc = wbuf_putc(b, '"');
    return rc;
}

int wlogj_put_field_str(WBuf *b, const char *key, const char *s, size_t n) {
    int rc;
    if (wlogj_utf8_valid(s, n)) {
        rc = wlogj_put_str(b, key, strlen(key));
        if (!rc) rc = wbuf_putc(b, ':');
        if (!rc) rc = wlogj_put_str(b, s, n);
        return rc;
    }
    size_t kl = strlen(key);
    char *k64 = malloc(kl + 5);
    if (!k64) return WEIR_NOMEM;
    memcpy(k64, key, kl);
    memcpy(k64 + kl, "_b64", 5);
    rc = wlogj_put_str(b, k64, kl + 4);
    free(k64);
    if (!rc) rc = wbuf_append(b, ":\"", 2);
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    for (; i + 2 < n && !rc; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
        char t[4] = {b64[v >> 18], b64[(v >> 12) & 63], b64[(v >> 6) & 63], b64[v & 63]};
        rc = wbuf_append(b, t, 4);
    }
    if (!rc && i < n) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0);
        char t[4] = {b64[v >> 18], b64[(v >> 12) & 63], i + 1 < n ? b64[(v >> 6) & 63] : '=', '='};
        rc = wbuf_append(b, t, 4);
    }
    if (!rc) rc = wbuf_putc(b, '"');
    return rc;
}
