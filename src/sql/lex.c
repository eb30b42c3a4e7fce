/*
 * lex.c - SQL tokenizer (see lex.h) and the caret-style error messages every SQL error uses.
 */
#include "sql/lex.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void wlex_init(WLex *L, const char *src, size_t len) {
    L->src = src;
    L->len = len;
    L->pos = 0;
    L->line = 1;
    L->line_start = 0;
    wbuf_init(&L->text);
}

void wlex_fini(WLex *L) { wbuf_fini(&L->text); }

void wlex_pos(const char *src, size_t len, size_t off, int *line, int *col) {
    int ln = 1;
    size_t ls = 0;
    if (off > len) off = len;
    for (size_t i = 0; i < off; i++)
        if (src[i] == '\n') {
            ln++;
            ls = i + 1;
        }
    *line = ln;
    /* columns count characters, not bytes: skip UTF-8 continuation bytes */
    int c = 1;
    for (size_t i = ls; i < off; i++)
        if (((unsigned char)src[i] & 0xC0) != 0x80) c++;
    *col = c;
}

int wsql_error_at(WErr *err, const char *src, size_t len, size_t off, const char *fmt, ...) {
    if (!err || err->code != WEIR_OK) return WEIR_SQL;
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (off > len) off = len;
    int line, col;
    wlex_pos(src, len, off, &line, &col);
    size_t ls = off;
    while (ls > 0 && src[ls - 1] != '\n') ls--;
    size_t le = off;
    while (le < len && src[le] != '\n') le++;
    /* keep the quoted line short: at most 200 bytes around the offending text */
    size_t from = ls, to = le;
    if (off - from > 120) {
        from = off - 120;
        while (from < off && ((unsigned char)src[from] & 0xC0) == 0x80) from++;
    }
    if (to - from > 200) {
        to = from + 200;
        while (to > off && to < len && ((unsigned char)src[to] & 0xC0) == 0x80) to--;
    }
    char caret[256];
    size_t ci = 0;
    for (size_t i = from; i < off && ci < sizeof caret - 2; i++) {
        unsigned char c = (unsigned char)src[i];
        if ((c & 0xC0) == 0x80) continue;
        caret[ci++] = c == '\t' ? '\t' : ' ';
    }
    caret[ci++] = '^';
    caret[ci] = 0;
    char shown[256];
    size_t si = 0;
    for (size_t i = from; i < to && si < sizeof shown - 1; i++) {
        unsigned char c = (unsigned char)src[i];
        shown[si++] = (c < 0x20 && c != '\t') || c == 0x7f ? ' ' : (char)c;
    }
    shown[si] = 0;
    werr_set(err, WEIR_SQL, NULL, -1, line, col, "%s\n  %s\n  %s", what, shown, caret);
    err->offset = (int64_t)off;
    return WEIR_SQL;
}

void wlex_seek(WLex *L, size_t off) {
    int line, col;
    if (off > L->len) off = L->len;
    wlex_pos(L->src, L->len, off, &line, &col);
    L->pos = off;
    L->line = line;
    size_t ls = off;
    while (ls > 0 && L->src[ls - 1] != '\n') ls--;
    L->line_start = ls;
}

int wlex_is_kw(const WTok *t, const char *kw) {
    size_t n = strlen(kw);
    return t->kind == WTK_IDENT && t->text_len == n && !strncasecmp(t->text, kw, n);
}

int wlex_is_op(const WTok *t, const char *op) {
    size_t n = strlen(op);
    return t->kind == WTK_OP && t->text_len == n && !memcmp(t->text, op, n);
}

static void advance(WLex *L, size_t n) {
    for (size_t i = 0; i < n && L->pos < L->len; i++) {
        if (L->src[L->pos] == '\n') {
            L->line++;
            L->line_start = L->pos + 1;
        }
        L->pos++;
    }
}

static int skip_space(WLex *L, WErr *err) {
    for (;;) {
        while (L->pos < L->len && isspace((unsigned char)L->src[L->pos])) advance(L, 1);
        if (L->pos + 1 < L->len && L->src[L->pos] == '-' && L->src[L->pos + 1] == '-') {
            while (L->pos < L->len && L->src[L->pos] != '\n') L->pos++;
            continue;
        }
        if (L->pos + 1 < L->len && L->src[L->pos] == '/' && L->src[L->pos + 1] == '*') {
            size_t start = L->pos;
            advance(L, 2);
            for (;;) {
                if (L->pos + 1 >= L->len) {
                    return wsql_error_at(err, L->src, L->len, start, "unterminated comment: expected '*/'");
                }
                if (L->src[L->pos] == '*' && L->src[L->pos + 1] == '/') {
                    advance(L, 2);
                    break;
                }
                advance(L, 1);
            }
            continue;
        }
        return WEIR_OK;
    }
}

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Reads a quoted string or name starting at the quote; Spark's escapes apply to strings only. */
static int read_quoted(WLex *L, char q, WErr *err) {
    size_t start = L->pos;
    wbuf_reset(&L->text);
    advance(L, 1);
    for (;;) {
        if (L->pos >= L->len) {
            return wsql_error_at(err, L->src, L->len, start, q == '`' ? "unterminated quoted name: expected '`'"
                                                                      : "unterminated string: expected %c", q);
        }
        char c = L->src[L->pos];
        if (c == q) {
            if (L->pos + 1 < L->len && L->src[L->pos + 1] == q) { /* doubled quote */
                if (wbuf_putc(&L->text, q)) return WEIR_NOMEM;
                advance(L, 2);
                continue;
            }
            advance(L, 1);
            return WEIR_OK;
        }
        if (c == '\\' && q != '`' && L->pos + 1 < L->len) {
            char e = L->src[L->pos + 1];
            int rc = WEIR_OK;
            size_t used = 2;
            switch (e) {
            case 'n': rc = wbuf_putc(&L->text, '\n'); break;
            case 't': rc = wbuf_putc(&L->text, '\t'); break;
            case 'r': rc = wbuf_putc(&L->text, '\r'); break;
            case 'b': rc = wbuf_putc(&L->text, '\b'); break;
            case '0': rc = wbuf_putc(&L->text, '\0'); break;
            case 'Z': rc = wbuf_putc(&L->text, 26); break;
            case '%': rc = wbuf_puts(&L->text, "\\%"); break; /* kept escaped, as Spark does, for LIKE */
            case '_': rc = wbuf_puts(&L->text, "\\_"); break;
            case 'u': {
                unsigned cp = 0;
                int ok = L->pos + 6 <= L->len;
                for (int i = 0; ok && i < 4; i++) {
                    int h = hexval((unsigned char)L->src[L->pos + 2 + i]);
                    if (h < 0) ok = 0;
                    else cp = cp * 16 + (unsigned)h;
                }
                if (ok && (cp < 0xD800 || cp > 0xDFFF)) {
                    rc = wbuf_put_utf8(&L->text, cp);
                    used = 6;
                } else {
                    rc = wbuf_putc(&L->text, 'u');
                }
                break;
            }
            default: rc = wbuf_putc(&L->text, e); break;
            }
            if (rc) return rc;
            advance(L, used);
            continue;
        }
        if (wbuf_putc(&L->text, c)) return WEIR_NOMEM;
        advance(L, 1);
    }
}

static const char *const OPS[] = {"==", "!=", "<>", "<=", ">=", "||", "<=>", NULL};

int wlex_next(WLex *L, WTok *t, WErr *err) {
    int rc = skip_space(L, err);
    if (rc) return rc;
    memset(t, 0, sizeof *t);
    t->off = L->pos;
    t->line = L->line;
    {
        int c = 1;
        for (size_t i = L->line_start; i < L->pos; i++)
            if (((unsigned char)L->src[i] & 0xC0) != 0x80) c++;
        t->col = c;
    }
    if (L->pos >= L->len) {
        t->kind = WTK_EOF;
        t->text = "";
        return WEIR_OK;
    }
    const char *s = L->src;
    size_t p = L->pos;
    unsigned char c = (unsigned char)s[p];
    if (c == '\'' || c == '"' || c == '`') {
        rc = read_quoted(L, (char)c, err);
        if (rc) return rc;
        t->kind = c == '`' ? WTK_QIDENT : WTK_STRING;
        t->len = L->pos - t->off;
        wbuf_cstr(&L->text);
        t->text = L->text.data ? L->text.data : "";
        t->text_len = L->text.len;
        return WEIR_OK;
    }
    if (isdigit(c) || (c == '.' && p + 1 < L->len && isdigit((unsigned char)s[p + 1]))) {
        size_t q = p;
        int dec = 0;
        while (q < L->len && isdigit((unsigned char)s[q])) q++;
        if (q < L->len && s[q] == '.') {
            dec = 1;
            q++;
            while (q < L->len && isdigit((unsigned char)s[q])) q++;
        }
        if (q < L->len && (s[q] == 'e' || s[q] == 'E')) {
            size_t r = q + 1;
            if (r < L->len && (s[r] == '+' || s[r] == '-')) r++;
            if (r < L->len && isdigit((unsigned char)s[r])) {
                while (r < L->len && isdigit((unsigned char)s[r])) r++;
                q = r;
                dec = 1;
            }
        }
        /* Spark's literal suffixes: L (bigint), D (double), BD (decimal, read as double here) */
        size_t raw_end = q;
        if (q < L->len && (s[q] == 'L' || s[q] == 'l' || s[q] == 'D' || s[q] == 'd' || s[q] == 'S' ||
                           s[q] == 's' || s[q] == 'Y' || s[q] == 'y')) {
            size_t r = q + 1;
            if (r >= L->len || !(isalnum((unsigned char)s[r]) || s[r] == '_')) q = r;
        } else if (q + 1 < L->len && (s[q] == 'B' || s[q] == 'b') && (s[q + 1] == 'D' || s[q + 1] == 'd')) {
            size_t r = q + 2;
            if (r >= L->len || !(isalnum((unsigned char)s[r]) || s[r] == '_')) q = r;
        }
        if (q < L->len && (isalpha((unsigned char)s[q]) || s[q] == '_')) {
            /* Spark allows names that start with digits (e.g. 1a); treat as identifier */
            while (q < L->len && (isalnum((unsigned char)s[q]) || s[q] == '_' || (unsigned char)s[q] >= 0x80)) q++;
            t->kind = WTK_IDENT;
            t->text = s + p;
            t->text_len = t->len = q - p;
            advance(L, q - p);
            return WEIR_OK;
        }
        t->kind = dec ? WTK_DECIMAL : WTK_INT;
        if (raw_end != q) {
            char suf = (char)tolower((unsigned char)s[raw_end]);
            if (suf == 'd' || suf == 'b') t->kind = WTK_DECIMAL;
        }
        t->text = s + p;
        t->text_len = q - p;
        t->len = q - p;
        advance(L, q - p);
        return WEIR_OK;
    }
    if (isalpha(c) || c == '_' || c >= 0x80) {
        size_t q = p;
        while (q < L->len && (isalnum((unsigned char)s[q]) || s[q] == '_' || (unsigned char)s[q] >= 0x80)) q++;
        t->kind = WTK_IDENT;
        t->text = s + p;
        t->text_len = t->len = q - p;
        advance(L, q - p);
        return WEIR_OK;
    }
    for (int i = 0; OPS[i]; i++) {
        size_t n = strlen(OPS[i]);
        if (p + n <= L->len && !memcmp(s + p, OPS[i], n)) {
            if (n == 2 && p + 3 <= L->len && !memcmp(s + p, "<=>", 3)) n = 3;
            t->kind = WTK_OP;
            t->text = s + p;
            t->text_len = t->len = n;
            advance(L, n);
            return WEIR_OK;
        }
    }
    if (strchr("(),.;*+-/%=<>:[]{}&|^~!", c)) {
        t->kind = WTK_OP;
        t->text = s + p;
        t->text_len = t->len = 1;
        advance(L, 1);
        return WEIR_OK;
    }
    if (c < 0x20 || c == 0x7f)
        return wsql_error_at(err, L->src, L->len, p, "unexpected control character 0x%02x", c);
    return wsql_error_at(err, L->src, L->len, p, "unexpected character '%c'", c);
}
