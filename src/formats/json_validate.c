/*
 * json_validate.c - wjson_validate: is a buffer one strict RFC 8259 JSON text, or JSON Lines (one text
 * per non-blank line)? Uses the scanner of json_lex.h, the same one the decoder uses, so `weir validate`
 * and the decoder agree on what is well-formed.
 *
 * Order: the whole buffer is first read as one text. If that fails only because more content follows a
 * complete first value, the buffer is read again as JSON Lines and that verdict (with its first error)
 * stands. A UTF-8 byte-order mark is not JSON (RFC 8259 section 8.1) and is rejected.
 */
#include "formats/json.h"

#include "formats/json_lex.h"

/* 1-based line and column of byte at `at`. */
static void place(const char *data, const char *at, int64_t *line, int64_t *col) {
    int64_t l = 1;
    const char *ls = data;
    for (const char *q = data; q < at; q++)
        if (*q == '\n') l++, ls = q + 1;
    *line = l;
    *col = (int64_t)(at - ls) + 1;
}

static int fail(const char *path, const char *data, const char *at, const char *msg, WErr *err) {
    int64_t line, col;
    place(data, at, &line, &col);
    return werr_set(err, WEIR_PARSE, path, (int64_t)(at - data), line, col, "invalid JSON: %s", msg);
}

/* One text in [p, e): ws value ws. Returns 0, -1 (error in lx), or 1 (a value, then more content). */
static int one_text(WJLex *lx) {
    wjl_ws(lx);
    if (lx->p >= lx->end) return wjl_fail(lx, lx->p, "no JSON value");
    if (wjl_skip(lx, 0)) return -1;
    wjl_ws(lx);
    if (lx->p < lx->end) {
        wjl_fail(lx, lx->p, "unexpected content after the JSON value");
        return 1;
    }
    return 0;
}

int wjson_validate(const char *path, const char *data, size_t len, WErr *err) {
    if (!path) path = "";
    WJLex lx = {data, data + len, NULL, NULL};
    int rc = one_text(&lx);
    if (rc == 0) return WEIR_OK;
    /* JSON Lines only if the trailing content starts on a later line than the first value */
    int lines = 0;
    if (rc == 1) {
        for (const char *q = data; q < lx.err_at; q++)
            if (*q == '\n') { lines = 1; break; }
    }
    if (!lines) return fail(path, data, lx.err_at, lx.err_msg, err);
    const char *p = data, *e = data + len;
    while (p < e) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        const char *le = nl ? nl : e;
        WJLex l2 = {p, le, NULL, NULL};
        wjl_ws(&l2);
        if (l2.p < le && one_text(&l2)) return fail(path, data, l2.err_at, l2.err_msg, err);
        p = nl ? nl + 1 : e;
    }
    return WEIR_OK;
}
