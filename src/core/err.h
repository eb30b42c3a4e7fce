/*
 * err.h - error context: a status code plus a message that says what went wrong and where.
 *
 * Fallible functions take a WErr* and return its code. The first error wins: later werr_set calls on
 * an error that is already set keep the first message, so the innermost, most precise cause survives.
 * The place is optional: a path, a byte offset, a 1-based line and column (use -1 / NULL for unknown).
 */
#ifndef WEIR_CORE_ERR_H
#define WEIR_CORE_ERR_H

#include <stdint.h>
#include "weir.h"

#define WERR_MSG_MAX 1024

typedef struct WErr {
    int code;              /* WEIR_OK while no error is set */
    char msg[WERR_MSG_MAX];/* full text: "path:line:col (byte N): what" */
    char path[512];        /* file the error is about, or "" */
    int64_t offset;        /* byte offset in that file, or -1 */
    int64_t line;          /* 1-based line, or -1 */
    int64_t col;           /* 1-based column, or -1 */
} WErr;

void werr_init(WErr *err);
/* Records an error (unless one is already set) and returns code. err may be NULL. */
int werr_set(WErr *err, int code, const char *path, int64_t offset, int64_t line, int64_t col,
             const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* The same without a place. */
int werr_msg(WErr *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void werr_clear(WErr *err);

#endif
