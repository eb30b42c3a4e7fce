/*
 * batch.c - the public weir_batch: a reference-counted, read-only view of an internal WBatch with a
 * tree of weir_column handles (one per vector, struct fields included) built once at wrap time, so
 * that typed access is a pointer hop and a type check. The Arrow export (arrow.c) and the file writer
 * (write.c) work on the same wrapper.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "api/batch_int.h"
#include "api/batch_priv.h"

static int column_build(weir_column *c, const WVec *v, const char *name) {
    c->vec = v;
    c->name = name;
    c->n_children = 0;
    c->children = NULL;
    if (v->type->id != WT_STRUCT || v->n_children == 0) return 0;
    c->children = calloc((size_t)v->n_children, sizeof *c->children);
    if (!c->children) return -1;
    c->n_children = v->n_children;
    for (int i = 0; i < v->n_children; i++)
        if (column_build(&c->children[i], &v->children[i], v->type->fields[i].name) < 0) return -1;
    return 0;
}

static void column_free(weir_column *c) {
    for (int i = 0; i < c->n_children; i++) column_free(&c->children[i]);
    free(c->children);
}

weir_batch *wapi_batch_wrap(const WBatch *b, void (*on_free)(void *user), void *user) {
    weir_batch *wb = calloc(1, sizeof *wb);
    if (!wb) return NULL;
    atomic_init(&wb->refs, 1);
    wb->b = b;
    wb->on_free = on_free;
    wb->user = user;
    if (column_build(&wb->root, &b->root, "") < 0) {
        column_free(&wb->root);
        free(wb);
        return NULL;
    }
    return wb;
}

const WBatch *wapi_batch_wbatch(const weir_batch *batch) { return batch->b; }

weir_batch *weir_batch_retain(const weir_batch *batch) {
    weir_batch *wb = (weir_batch *)batch; /* the count is the one mutable part of a const batch */
    if (wb) atomic_fetch_add_explicit(&wb->refs, 1, memory_order_relaxed);
    return wb;
}

void weir_batch_release(const weir_batch *batch) {
    weir_batch *wb = (weir_batch *)batch;
    if (!wb) return;
    if (atomic_fetch_sub_explicit(&wb->refs, 1, memory_order_acq_rel) != 1) return;
    column_free(&wb->root);
    if (wb->on_free) wb->on_free(wb->user);
    free(wb);
}

int64_t weir_batch_num_rows(const weir_batch *batch) { return batch ? batch->b->root.len : 0; }
int weir_batch_num_columns(const weir_batch *batch) { return batch ? batch->root.n_children : 0; }

const weir_column *weir_batch_column(const weir_batch *batch, int i) {
    return batch ? weir_column_child(&batch->root, i) : NULL;
}

const weir_column *weir_batch_column_by_name(const weir_batch *batch, const char *name) {
    return batch ? weir_column_child_by_name(&batch->root, name) : NULL;
}

const char *weir_batch_column_name(const weir_batch *batch, int i) {
    return weir_column_name(weir_batch_column(batch, i));
}

weir_type weir_batch_column_type(const weir_batch *batch, int i) {
    return weir_column_type(weir_batch_column(batch, i));
}

int weir_batch_is_null(const weir_batch *batch, int i, int64_t row) {
    return weir_column_is_null(weir_batch_column(batch, i), row);
}

const char *weir_column_name(const weir_column *col) { return col ? col->name : NULL; }

weir_type weir_column_type(const weir_column *col) {
    if (!col) return (weir_type)0;
    switch (col->vec->type->id) {
    case WT_BOOLEAN: return WEIR_TYPE_BOOLEAN;
    case WT_INT: return WEIR_TYPE_INT;
    case WT_BIGINT: return WEIR_TYPE_BIGINT;
    case WT_DOUBLE: return WEIR_TYPE_DOUBLE;
    case WT_STRING: return WEIR_TYPE_STRING;
    case WT_DATE: return WEIR_TYPE_DATE;
    case WT_TIMESTAMP: return WEIR_TYPE_TIMESTAMP;
    case WT_STRUCT: return WEIR_TYPE_STRUCT;
    case WT_NULL: break;
    }
    return (weir_type)0;
}

int64_t weir_column_num_rows(const weir_column *col) { return col ? col->vec->len : 0; }
int64_t weir_column_null_count(const weir_column *col) { return col ? col->vec->null_count : 0; }
int weir_column_num_children(const weir_column *col) { return col ? col->n_children : 0; }

const weir_column *weir_column_child(const weir_column *col, int i) {
    if (!col || i < 0 || i >= col->n_children) return NULL;
    return &col->children[i];
}

const weir_column *weir_column_child_by_name(const weir_column *col, const char *name) {
    if (!col || !name) return NULL;
    for (int i = 0; i < col->n_children; i++)
        if (strcmp(col->children[i].name, name) == 0) return &col->children[i];
    return NULL;
}

int weir_column_is_null(const weir_column *col, int64_t row) {
    if (!col || row < 0 || row >= col->vec->len) return 1;
    return wvec_is_null(col->vec, row);
}

/* The vector when `row` holds a non-NULL value of type `id`, else NULL (the getters then return 0). */
static const WVec *readable(const weir_column *col, int64_t row, WTypeId id) {
    if (!col || col->vec->type->id != id || row < 0 || row >= col->vec->len) return NULL;
    if (wvec_is_null(col->vec, row)) return NULL;
    return col->vec;
}

int weir_column_bool(const weir_column *col, int64_t row) {
    const WVec *v = readable(col, row, WT_BOOLEAN);
    return v ? wvec_bool(v, row) : 0;
}

int32_t weir_column_int32(const weir_column *col, int64_t row) {
    const WVec *v = readable(col, row, WT_INT);
    return v ? wvec_i32(v, row) : 0;
}

int64_t weir_column_int64(const weir_column *col, int64_t row) {
    const WVec *v = readable(col, row, WT_BIGINT);
    return v ? wvec_i64(v, row) : 0;
}

double weir_column_double(const weir_column *col, int64_t row) {
    const WVec *v = readable(col, row, WT_DOUBLE);
    return v ? wvec_f64(v, row) : 0.0;
}

const char *weir_column_string(const weir_column *col, int64_t row, size_t *len) {
    const WVec *v = readable(col, row, WT_STRING);
    size_t n = 0;
    const char *s = v ? wvec_str(v, row, &n) : "";
    if (len) *len = n;
    return s;
}

int32_t weir_column_date(const weir_column *col, int64_t row) {
    const WVec *v = readable(col, row, WT_DATE);
    return v ? wvec_i32(v, row) : 0;
}

int64_t weir_column_timestamp(const weir_column *col, int64_t row) {
    const WVec *v = readable(col, row, WT_TIMESTAMP);
    return v ? wvec_i64(v, row) : 0;
}

void weir_free(void *p) { free(p); }
