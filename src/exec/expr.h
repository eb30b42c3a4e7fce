/*
 * expr.h - vectorized evaluation of bound SQL expressions (sql/resolve.h) over a batch.
 *
 * Each node of a WBoundSelect's trees is evaluated over all rows of the batch at once into a vector of
 * its own (a column reference is the input's vector itself, no copy). A node shared by two parents (the
 * x of `x BETWEEN a AND b`) is evaluated once per batch. Semantics are Spark's with ANSI mode off: integer
 * overflow wraps, division or modulo by zero gives NULL, a string that does not read as the target type
 * casts to NULL, NULL in gives NULL out except where SQL says otherwise (AND, OR, IS NULL, <=>, coalesce,
 * CASE). Time functions work in the session time zone given at open.
 */
#ifndef WEIR_EXEC_EXPR_H
#define WEIR_EXEC_EXPR_H

#include <stdint.h>

#include "core/err.h"
#include "core/vec.h"
#include "sql/resolve.h"

typedef struct WExprCtx WExprCtx;

/* Prepares to evaluate the trees of sel (borrowed; must outlive the context) in time zone time_zone
 * (NULL or "" for UTC). Caller owns the result; free with wexpr_close. */
int wexpr_open(const WBoundSelect *sel, const char *time_zone, WExprCtx **out, WErr *err);
void wexpr_close(WExprCtx *c);
/* Starts a batch: forgets earlier results. now_us is what current_timestamp() gives for this batch. */
void wexpr_begin(WExprCtx *c, const WBatch *in, int64_t now_us);
/* Evaluates e over every row of the batch. *out is borrowed, valid until the next wexpr_begin. */
int wexpr_eval(WExprCtx *c, const WBound *e, const WVec **out, WErr *err);

/* Appends row i of src (same type as dst, any depth of STRUCT) to dst. */
int wexpr_copy_value(WVec *dst, const WVec *src, int64_t i);
/* Text of a DOUBLE as Spark's CAST(x AS STRING) gives it (Java's Double.toString, shortest digits):
 * 1.0, 0.001, 1.0E7, 1.0E-4, NaN, Infinity. buf needs 32 bytes; returns the length. */
int wexpr_format_double(double x, char *buf);

#endif
