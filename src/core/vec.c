/*
 * vec.c - Arrow-layout vectors and batches (see vec.h).
 *
 * Fixed-width buffers and bitmaps grow together by doubling `cap`; string bytes grow separately.
 * Bitmap bytes beyond len are kept zeroed so appends only ever set bits.
 */
#include "core/vec.h"

#include <stdlib.h>
#include <string.h>

#include "weir.h"

int wvec_init(WVec *v, const WType *type) {
    memset(v, 0, sizeof *v);
    v->type = type;
    if (type->id == WT_STRUCT && type->n_fields > 0) {
        v->children = calloc((size_t)type->n_fields, sizeof *v->children);
        if (!v->children) return WEIR_NOMEM;
        v->n_children = type->n_fields;
        for (int i = 0; i < type->n_fields; i++)
            if (wvec_init(&v->children[i], &type->fields[i].type)) return WEIR_NOMEM;
    }
    return WEIR_OK;
}

void wvec_fini(WVec *v) {
    if (!v) return;
    for (int i = 0; i < v->n_children; i++) wvec_fini(&v->children[i]);
    free(v->children);
    free(v->validity);
    free(v->values);
    free(v->offsets);
    free(v->chars);
    memset(v, 0, sizeof *v);
}

void wvec_reset(WVec *v) {
    if (v->len) { /* bits beyond len are already zero */
        memset(v->validity, 0, (size_t)(v->len + 7) / 8);
        if (v->type->id == WT_BOOLEAN) memset(v->values, 0, (size_t)(v->len + 7) / 8);
    }
    v->len = 0;
    v->null_count = 0;
    v->chars_len = 0;
    for (int i = 0; i < v->n_children; i++) wvec_reset(&v->children[i]);
}

static int grow_bitmap(uint8_t **p, int64_t old_cap, int64_t new_cap) {
    size_t old_b = (size_t)(old_cap + 7) / 8, new_b = (size_t)(new_cap + 7) / 8;
    uint8_t *n = realloc(*p, new_b);
    if (!n) return WEIR_NOMEM;
    memset(n + old_b, 0, new_b - old_b);
    *p = n;
    return WEIR_OK;
}

static int grow(WVec *v, int64_t need) {
    int64_t cap = v->cap ? v->cap : 64;
    while (cap < need) cap *= 2;
    if (grow_bitmap(&v->validity, v->cap, cap)) return WEIR_NOMEM;
    WTypeId id = v->type->id;
    if (id == WT_BOOLEAN) {
        if (grow_bitmap((uint8_t **)&v->values, v->cap, cap)) return WEIR_NOMEM;
    } else if (wtype_width(id)) {
        void *n = realloc(v->values, (size_t)cap * wtype_width(id));
        if (!n) return WEIR_NOMEM;
        v->values = n;
    } else if (id == WT_STRING) {
        int32_t *n = realloc(v->offsets, sizeof *n * (size_t)(cap + 1));
        if (!n) return WEIR_NOMEM;
        if (!v->offsets) n[0] = 0;
        v->offsets = n;
    }
    v->cap = cap;
    return WEIR_OK;
}

int wvec_reserve(WVec *v, int64_t rows) {
    if (v->len + rows > v->cap && grow(v, v->len + rows)) return WEIR_NOMEM;
    return WEIR_OK;
}

static inline int room(WVec *v) {
    if (v->len >= v->cap) return grow(v, v->len + 1);
    return WEIR_OK;
}

static inline void set_valid(WVec *v) { v->validity[v->len >> 3] |= (uint8_t)(1u << (v->len & 7)); }

int wvec_append_null(WVec *v) {
    if (room(v)) return WEIR_NOMEM;
    switch (v->type->id) {
    case WT_INT: case WT_DATE: ((int32_t *)v->values)[v->len] = 0; break;
    case WT_BIGINT: case WT_TIMESTAMP: ((int64_t *)v->values)[v->len] = 0; break;
    case WT_DOUBLE: ((double *)v->values)[v->len] = 0; break;
    case WT_STRING: v->offsets[v->len + 1] = (int32_t)v->chars_len; break;
    case WT_STRUCT:
        for (int i = 0; i < v->n_children; i++)
            if (wvec_append_null(&v->children[i])) return WEIR_NOMEM;
        break;
    default: break;
    }
    v->len++;
    v->null_count++;
    return WEIR_OK;
}

int wvec_append_bool(WVec *v, int x) {
    if (room(v)) return WEIR_NOMEM;
    if (x) ((uint8_t *)v->values)[v->len >> 3] |= (uint8_t)(1u << (v->len & 7));
    set_valid(v);
    v->len++;
    return WEIR_OK;
}

int wvec_append_i32(WVec *v, int32_t x) {
    if (room(v)) return WEIR_NOMEM;
    ((int32_t *)v->values)[v->len] = x;
    set_valid(v);
    v->len++;
    return WEIR_OK;
}

int wvec_append_i64(WVec *v, int64_t x) {
    if (room(v)) return WEIR_NOMEM;
    ((int64_t *)v->values)[v->len] = x;
    set_valid(v);
    v->len++;
    return WEIR_OK;
}

int wvec_append_f64(WVec *v, double x) {
    if (room(v)) return WEIR_NOMEM;
    ((double *)v->values)[v->len] = x;
    set_valid(v);
    v->len++;
    return WEIR_OK;
}

int wvec_append_str(WVec *v, const char *s, size_t n) {
    if (room(v)) return WEIR_NOMEM;
    if (n > (size_t)INT32_MAX - (size_t)v->chars_len) return WEIR_NOMEM; /* Arrow's 32-bit offsets */
    if (v->chars_len + (int64_t)n > v->chars_cap) {
        int64_t cap = v->chars_cap ? v->chars_cap : 256;
        while (cap < v->chars_len + (int64_t)n) cap *= 2;
        char *c = realloc(v->chars, (size_t)cap);
        if (!c) return WEIR_NOMEM;
        v->chars = c;
        v->chars_cap = cap;
    }
    if (n) memcpy(v->chars + v->chars_len, s, n);
    v->chars_len += (int64_t)n;
    v->offsets[v->len + 1] = (int32_t)v->chars_len;
    set_valid(v);
    v->len++;
    return WEIR_OK;
}

int wvec_append_struct(WVec *v) {
    if (room(v)) return WEIR_NOMEM;
    set_valid(v);
    v->len++;
    return WEIR_OK;
}

static void clear_bits(uint8_t *bm, int64_t from, int64_t to) {
    for (int64_t i = from; i < to; i++) bm[i >> 3] &= (uint8_t)~(1u << (i & 7));
}

void wvec_truncate(WVec *v, int64_t len) {
    if (len >= v->len) {
        for (int i = 0; i < v->n_children; i++) wvec_truncate(&v->children[i], len);
        return;
    }
    int64_t nulls = 0;
    for (int64_t i = len; i < v->len; i++) nulls += wvec_is_null(v, i);
    v->null_count -= nulls;
    clear_bits(v->validity, len, v->len);
    if (v->type->id == WT_BOOLEAN) clear_bits(v->values, len, v->len);
    if (v->type->id == WT_STRING) v->chars_len = v->offsets[len];
    v->len = len;
    for (int i = 0; i < v->n_children; i++) wvec_truncate(&v->children[i], len);
}

int wbatch_init(WBatch *b, const WType *schema) {
    b->schema = schema;
    int rc = wvec_init(&b->root, schema);
    if (rc) wvec_fini(&b->root);
    return rc;
}

void wbatch_fini(WBatch *b) { wvec_fini(&b->root); }
void wbatch_reset(WBatch *b) { wvec_reset(&b->root); }
void wbatch_truncate(WBatch *b, int64_t rows) { wvec_truncate(&b->root, rows); }

int wvec_append_from(WVec *dst, const WVec *src, int64_t row) {
    if (wvec_is_null(src, row)) return wvec_append_null(dst);
    switch (src->type->id) {
    case WT_BOOLEAN: return wvec_append_bool(dst, wvec_bool(src, row));
    case WT_INT:
    case WT_DATE: return wvec_append_i32(dst, wvec_i32(src, row));
    case WT_BIGINT:
    case WT_TIMESTAMP: return wvec_append_i64(dst, wvec_i64(src, row));
    case WT_DOUBLE: return wvec_append_f64(dst, wvec_f64(src, row));
    case WT_STRING: {
        size_t n;
        const char *s = wvec_str(src, row, &n);
        return wvec_append_str(dst, s, n);
    }
    case WT_STRUCT: {
        int rc = wvec_append_struct(dst);
        for (int i = 0; i < src->n_children && !rc; i++) rc = wvec_append_from(&dst->children[i], &src->children[i], row);
        return rc;
    }
    default: return WEIR_MISUSE;
    }
}
