/*
 * err.c - error context (see err.h) and the public status names.
 */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *weir_version(void) { return WEIR_VERSION; }

const char *weir_errstr(int rc) {
    switch (rc) {
    case WEIR_OK: return "WEIR_OK";
    case WEIR_NOMEM: return "WEIR_NOMEM";
    case WEIR_IO: return "WEIR_IO";
    case WEIR_PARSE: return "WEIR_PARSE";
    case WEIR_SQL: return "WEIR_SQL";
    case WEIR_MISUSE: return "WEIR_MISUSE";
    case WEIR_ABORT: return "WEIR_ABORT";
    case WEIR_CORRUPT: return "WEIR_CORRUPT";
    case WEIR_UNSUPPORTED: return "WEIR_UNSUPPORTED";
    default: return "WEIR_UNKNOWN";
    }
}

void werr_init(WErr *err) {
    if (!err) return;
    err->code = WEIR_OK;
    err->msg[0] = 0;
    err->path[0] = 0;
    err->offset = err->line = err->col = -1;
}

void werr_clear(WErr *err) { werr_init(err); }

static int vset(WErr *err, int code, const char *path, int64_t offset, int64_t line, int64_t col,
                const char *fmt, va_list ap) {
    if (!err || err->code != WEIR_OK) return code;
    err->code = code;
    err->offset = offset;
    err->line = line;
    err->col = col;
    snprintf(err->path, sizeof err->path, "%s", path ? path : "");
    size_t n = 0;
    char *m = err->msg;
    size_t cap = sizeof err->msg;
    if (path && *path) n += (size_t)snprintf(m + n, cap - n, "%s:", path);
    if (line >= 0 && n < cap) n += (size_t)snprintf(m + n, cap - n, "%lld:", (long long)line);
    if (col >= 0 && n < cap) n += (size_t)snprintf(m + n, cap - n, "%lld:", (long long)col);
    if (offset >= 0 && n < cap) n += (size_t)snprintf(m + n, cap - n, " (byte %lld):", (long long)offset);
    if (n > 0 && n < cap) n += (size_t)snprintf(m + n, cap - n, " ");
    if (n < cap) vsnprintf(m + n, cap - n, fmt, ap);
    return code;
}

int werr_set(WErr *err, int code, const char *path, int64_t offset, int64_t line, int64_t col,
             const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int rc = vset(err, code, path, offset, line, col, fmt, ap);
    va_end(ap);
    return rc;
}

int werr_msg(WErr *err, int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int rc = vset(err, code, NULL, -1, -1, -1, fmt, ap);
    va_end(ap);
    return rc;
}
