/*
 * pq_thrift.c - the Thrift compact protocol, as Parquet uses it for page headers and file metadata.
 *
 * The encoder writes fields straight into a WBuf; the caller lays out each struct by field id, in
 * increasing order (field headers carry the id delta). The decoder turns one struct into a generic tree
 * of WTVal, so pq_meta.c can look fields up by id and skip what it does not know. Every read is bounds
 * checked; nesting depth and element counts are capped so a hostile footer cannot exhaust the stack or
 * memory.
 */
#include "formats/parquet/pq_int.h"

#include <stdlib.h>
#include <string.h>

#include "weir.h"

/* ---------------- encoder ---------------- */

void wtw_init(WTw *w, WBuf *out) {
    memset(w, 0, sizeof *w);
    w->out = out;
}

static void put(WTw *w, const void *p, size_t n) {
    if (!w->err && wbuf_append(w->out, p, n)) w->err = WEIR_NOMEM;
}
static void put_byte(WTw *w, uint8_t b) { put(w, &b, 1); }
static void put_varint(WTw *w, uint64_t v) {
    if (!w->err && pq_put_uleb128(w->out, v)) w->err = WEIR_NOMEM;
}
static uint64_t zigzag(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }

static void field(WTw *w, int id, int type) {
    int16_t last = w->last[w->depth];
    int delta = id - last;
    if (delta > 0 && delta <= 15) put_byte(w, (uint8_t)(delta << 4 | type));
    else {
        put_byte(w, (uint8_t)type);
        put_varint(w, zigzag(id));
    }
    w->last[w->depth] = (int16_t)id;
}

void wtw_i32(WTw *w, int id, int32_t v) { field(w, id, TC_I32); put_varint(w, zigzag(v)); }
void wtw_i64(WTw *w, int id, int64_t v) { field(w, id, TC_I64); put_varint(w, zigzag(v)); }
void wtw_bool(WTw *w, int id, int v) { field(w, id, v ? TC_TRUE : TC_FALSE); }
void wtw_byte(WTw *w, int id, int8_t v) { field(w, id, TC_BYTE); put_byte(w, (uint8_t)v); }
void wtw_bin(WTw *w, int id, const void *p, size_t n) {
    field(w, id, TC_BINARY);
    put_varint(w, n);
    put(w, p, n);
}
void wtw_str(WTw *w, int id, const char *s) { wtw_bin(w, id, s, strlen(s)); }

static void push(WTw *w) {
    if (w->depth + 1 >= WTW_MAX_DEPTH) {
        w->err = WEIR_MISUSE;
        return;
    }
    w->last[++w->depth] = 0;
}
void wtw_struct_begin(WTw *w, int id) {
    field(w, id, TC_STRUCT);
    push(w);
}
void wtw_struct_end(WTw *w) {
    put_byte(w, TC_STOP);
    if (w->depth > 0) w->depth--;
}
void wtw_list_begin(WTw *w, int id, int elem_type, int64_t n) {
    field(w, id, TC_LIST);
    if (n < 15) put_byte(w, (uint8_t)(n << 4 | elem_type));
    else {
        put_byte(w, (uint8_t)(0xF0 | elem_type));
        put_varint(w, (uint64_t)n);
    }
}
void wtw_elem_i32(WTw *w, int32_t v) { put_varint(w, zigzag(v)); }
void wtw_elem_i64(WTw *w, int64_t v) { put_varint(w, zigzag(v)); }
void wtw_elem_bool(WTw *w, int v) { put_byte(w, v ? TC_TRUE : TC_FALSE); }
void wtw_elem_bin(WTw *w, const void *p, size_t n) {
    put_varint(w, n);
    put(w, p, n);
}
void wtw_elem_struct_begin(WTw *w) { push(w); }

/* ---------------- decoder ---------------- */

#define TR_MAX_DEPTH 24

typedef struct Rd {
    const uint8_t *p, *end, *start;
    WTDoc *doc;
    const char *what;
    WErr *err;
} Rd;

static int bad(Rd *r, const char *why) {
    return werr_msg(r->err, WEIR_CORRUPT, "corrupt %s (thrift byte %ld): %s", r->what, (long)(r->p - r->start),
                    why);
}

static void *doc_alloc(Rd *r, size_t n) {
    WTDoc *d = r->doc;
    if (d->n_blocks == d->cap_blocks) {
        int cap = d->cap_blocks ? d->cap_blocks * 2 : 16;
        void **nb = realloc(d->blocks, sizeof *nb * (size_t)cap);
        if (!nb) return NULL;
        d->blocks = nb;
        d->cap_blocks = cap;
    }
    void *m = calloc(1, n ? n : 1);
    if (m) d->blocks[d->n_blocks++] = m;
    return m;
}

static int rd_varint(Rd *r, uint64_t *out) {
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (r->p >= r->end) return bad(r, "truncated varint");
        uint8_t b = *r->p++;
        if (shift == 63 && (b & 0x7e)) return bad(r, "varint overflow");
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return WEIR_OK;
        }
    }
    return bad(r, "varint too long");
}
static int rd_zz(Rd *r, int64_t *out) {
    uint64_t u;
    int rc = rd_varint(r, &u);
    if (rc) return rc;
    *out = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
    return WEIR_OK;
}

static int rd_value(Rd *r, WTVal *v, int type, int depth);

static int rd_struct(Rd *r, WTVal *v, int depth) {
    if (depth > TR_MAX_DEPTH) return bad(r, "nesting too deep");
    v->type = TC_STRUCT;
    int cap = 0;
    int16_t last = 0;
    for (;;) {
        if (r->p >= r->end) return bad(r, "truncated struct");
        uint8_t h = *r->p++;
        if (h == TC_STOP) return WEIR_OK;
        int type = h & 0x0f, delta = h >> 4;
        int64_t id;
        if (delta) id = last + delta;
        else {
            int rc = rd_zz(r, &id);
            if (rc) return rc;
            if (id < -32768 || id > 32767) return bad(r, "bad field id");
        }
        last = (int16_t)id;
        if ((int)v->n == cap) {
            if (cap >= 4096) return bad(r, "too many fields");
            int ncap = cap ? cap * 2 : 8;
            WTVal *nk = doc_alloc(r, sizeof *nk * (size_t)ncap);
            if (!nk) return werr_msg(r->err, WEIR_NOMEM, "out of memory decoding %s", r->what);
            if (v->n) memcpy(nk, v->kids, sizeof *nk * v->n);
            v->kids = nk;
            cap = ncap;
        }
        WTVal *k = &v->kids[v->n++];
        memset(k, 0, sizeof *k);
        k->id = (int16_t)id;
        int rc = rd_value(r, k, type, depth + 1);
        if (rc) return rc;
    }
}

static int rd_value(Rd *r, WTVal *v, int type, int depth) {
    int rc;
    uint64_t u;
    switch (type) {
    case TC_TRUE:
    case TC_FALSE:
        v->type = TC_TRUE;
        v->i = type == TC_TRUE;
        return WEIR_OK;
    case TC_BYTE:
        if (r->p >= r->end) return bad(r, "truncated byte");
        v->type = TC_BYTE;
        v->i = (int8_t)*r->p++;
        return WEIR_OK;
    case TC_I16:
    case TC_I32:
    case TC_I64:
        v->type = (uint8_t)type;
        return rd_zz(r, &v->i);
    case TC_DOUBLE:
        if (r->end - r->p < 8) return bad(r, "truncated double");
        memcpy(&v->d, r->p, 8);
        r->p += 8;
        v->type = TC_DOUBLE;
        return WEIR_OK;
    case TC_BINARY:
        if ((rc = rd_varint(r, &u))) return rc;
        if (u > (uint64_t)(r->end - r->p)) return bad(r, "binary runs past the end");
        v->type = TC_BINARY;
        v->bin = r->p;
        v->n = (uint32_t)u;
        r->p += u;
        return WEIR_OK;
    case TC_LIST:
    case TC_SET: {
        if (depth > TR_MAX_DEPTH) return bad(r, "nesting too deep");
        if (r->p >= r->end) return bad(r, "truncated list");
        uint8_t h = *r->p++;
        uint64_t n = h >> 4;
        int et = h & 0x0f;
        if (n == 15 && (rc = rd_varint(r, &n))) return rc;
        /* every element takes at least one byte, except bools packed in the header (not in lists) */
        if (n > (uint64_t)(r->end - r->p) && !(et == TC_TRUE || et == TC_FALSE)) return bad(r, "list too long");
        if (n > (uint64_t)(r->end - r->p)) return bad(r, "list too long");
        v->type = TC_LIST;
        v->elem_type = (uint8_t)et;
        v->n = (uint32_t)n;
        if (n) {
            v->kids = doc_alloc(r, sizeof *v->kids * (size_t)n);
            if (!v->kids) return werr_msg(r->err, WEIR_NOMEM, "out of memory decoding %s", r->what);
        }
        for (uint64_t i = 0; i < n; i++) {
            WTVal *k = &v->kids[i];
            if (et == TC_TRUE || et == TC_FALSE) {
                if (r->p >= r->end) return bad(r, "truncated bool");
                k->type = TC_TRUE;
                k->i = *r->p++ == TC_TRUE;
                continue;
            }
            if (et == TC_STRUCT) {
                if ((rc = rd_struct(r, k, depth + 1))) return rc;
            } else if ((rc = rd_value(r, k, et, depth + 1))) return rc;
        }
        return WEIR_OK;
    }
    case TC_MAP: {
        if ((rc = rd_varint(r, &u))) return rc;
        if (u == 0) {
            v->type = TC_MAP;
            return WEIR_OK;
        }
        if (r->p >= r->end) return bad(r, "truncated map");
        uint8_t kv = *r->p++;
        if (u > (uint64_t)(r->end - r->p)) return bad(r, "map too long");
        for (uint64_t i = 0; i < u; i++) {
            WTVal tmp;
            memset(&tmp, 0, sizeof tmp);
            if ((rc = rd_value(r, &tmp, kv >> 4, depth + 1))) return rc;
            memset(&tmp, 0, sizeof tmp);
            if ((rc = rd_value(r, &tmp, kv & 0x0f, depth + 1))) return rc;
        }
        v->type = TC_MAP;
        return WEIR_OK;
    }
    case TC_STRUCT:
        return rd_struct(r, v, depth);
    default:
        return bad(r, "unknown field type");
    }
}

int wtr_decode(const uint8_t *p, size_t n, WTDoc *doc, size_t *used, const char *what, WErr *err) {
    memset(doc, 0, sizeof *doc);
    Rd r = {p, p + n, p, doc, what, err};
    int rc = rd_struct(&r, &doc->root, 0);
    if (rc) {
        wtr_free(doc);
        return rc;
    }
    if (used) *used = (size_t)(r.p - p);
    return WEIR_OK;
}

void wtr_free(WTDoc *doc) {
    for (int i = 0; i < doc->n_blocks; i++) free(doc->blocks[i]);
    free(doc->blocks);
    memset(doc, 0, sizeof *doc);
}

const WTVal *wtr_field(const WTVal *st, int id) {
    if (!st || st->type != TC_STRUCT) return NULL;
    for (uint32_t i = 0; i < st->n; i++)
        if (st->kids[i].id == id) return &st->kids[i];
    return NULL;
}

int wtr_get_i64(const WTVal *st, int id, int64_t *out) {
    const WTVal *f = wtr_field(st, id);
    if (!f) return 0;
    if (f->type == TC_TRUE || f->type == TC_BYTE || f->type == TC_I16 || f->type == TC_I32 || f->type == TC_I64) {
        *out = f->i;
        return 1;
    }
    return 0;
}
