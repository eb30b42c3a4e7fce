/*
 * test_parquet_write.c - the Parquet writer's building blocks, checked by hand, and random files for the
 * oracles.
 *
 * Hand-computed: the RLE/bit-packed hybrid against the examples of Encodings.md, the Thrift compact
 * encoder against bytes worked out from the protocol's rules, and the decoder on what the encoder wrote.
 *
 * Random files: many random schemas (flat and nested STRUCTs up to 3 deep, every leaf type) and batches
 * (NULLs, empty, long and non-ASCII strings, extreme integers, -0.0, NaN, infinities, subnormals,
 * timestamps before 1970) written with every codec, both page versions, dictionary on and off, small
 * pages and row groups. When PQ_ORACLE_DIR is set, each case leaves case_N.parquet beside case_N.json:
 * the schema, the options, every row written (as JSON with explicit representations: 64-bit integers
 * and timestamps as decimal strings, doubles as "%.17g" strings or "NaN"/"Infinity"/"-Infinity"/"-0")
 * and the statistics each row group should carry, computed here independently of the writer.
 * tests/cli/parquet_oracle.sh then has DuckDB, parquet-wasm and hyparquet read them back.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "core/opts.h"
#include "core/schema.h"
#include "core/vec.h"
#include "formats/parquet.h"
#include "formats/parquet/pq_int.h"
#include "weir.h"

static uint64_t rng = 0x243F6A8885A308D3ull;
static uint64_t rnd(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static int rn(int n) { return (int)(rnd() % (uint64_t)n); }

/* ---------------- hand-computed checks ---------------- */

static void test_rle(void) {
    WBuf b;
    wbuf_init(&b);
    /* Encodings.md: values 0..7 with bit width 3, bit-packed: header (1 << 1) | 1 = 3, then 10001000 11000110 11111010 */
    uint32_t v[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    CHECK_EQ_INT(wrle_encode(v, 8, 3, &b), WEIR_OK);
    const uint8_t want[] = {0x03, 0x88, 0xC6, 0xFA};
    CHECK_EQ_MEM(b.data, b.len, want, sizeof want);
    /* a run of 10 fives, width 3: RLE header 10 << 1 = 20, value in one byte */
    wbuf_reset(&b);
    uint32_t r[10];
    for (int i = 0; i < 10; i++) r[i] = 5;
    CHECK_EQ_INT(wrle_encode(r, 10, 3, &b), WEIR_OK);
    const uint8_t want2[] = {20, 5};
    CHECK_EQ_MEM(b.data, b.len, want2, sizeof want2);
    /* 3 values bit-packed with padding: 1,0,1 width 1 -> header 3, byte 0b101 */
    wbuf_reset(&b);
    uint8_t d[3] = {1, 0, 1};
    CHECK_EQ_INT(wrle_encode_u8(d, 3, 1, &b), WEIR_OK);
    const uint8_t want3[] = {3, 5};
    CHECK_EQ_MEM(b.data, b.len, want3, sizeof want3);
    /* round trip of a long mixed sequence, and a decode of the spec example */
    uint32_t big[5000], back[5000];
    for (int i = 0; i < 5000; i++) big[i] = (i / 37) % 3 == 0 ? 7 : (uint32_t)rn(1000);
    wbuf_reset(&b);
    CHECK_EQ_INT(wrle_encode(big, 5000, 10, &b), WEIR_OK);
    WErr err;
    werr_init(&err);
    CHECK_EQ_INT(wrle_decode((const uint8_t *)b.data, b.len, 10, back, 5000, &err), WEIR_OK);
    CHECK(!memcmp(big, back, sizeof big));
    uint32_t ex[8];
    CHECK_EQ_INT(wrle_decode(want, sizeof want, 3, ex, 8, &err), WEIR_OK);
    CHECK(!memcmp(ex, v, sizeof v));
    /* truncated input is an error */
    werr_init(&err);
    CHECK_EQ_INT(wrle_decode(want, 2, 3, ex, 8, &err), WEIR_CORRUPT);
    wbuf_fini(&b);
}

static void test_thrift(void) {
    WBuf b;
    wbuf_init(&b);
    WTw t;
    wtw_init(&t, &b);
    wtw_i32(&t, 1, 3);         /* field 1 i32: header 0x15, zigzag(3) = 6 */
    wtw_i64(&t, 20, -1);       /* delta 19 > 15: type byte 0x06, zigzag(20) = 40, zigzag(-1) = 1 */
    wtw_bool(&t, 21, 1);       /* delta 1, true: 0x11 */
    wtw_str(&t, 22, "ab");     /* 0x18, len 2, 'a' 'b' */
    wtw_list_begin(&t, 23, TC_I32, 2); /* 0x19, 0x25 */
    wtw_elem_i32(&t, -2);      /* 3 */
    wtw_elem_i32(&t, 64);      /* 128 -> 0x80 0x01 */
    wtw_struct_begin(&t, 24);  /* 0x1c */
    wtw_byte(&t, 1, 32);       /* 0x13 0x20 */
    wtw_struct_end(&t);        /* 0x00 */
    wtw_struct_end(&t);        /* 0x00 */
    const uint8_t want[] = {0x15, 6, 0x06, 40, 1, 0x11, 0x18, 2, 'a', 'b', 0x19, 0x25, 3, 0x80, 0x01, 0x1c, 0x13, 0x20, 0, 0};
    CHECK_EQ_INT(t.err, 0);
    CHECK_EQ_MEM(b.data, b.len, want, sizeof want);
    WTDoc doc;
    WErr err;
    werr_init(&err);
    size_t used = 0;
    CHECK_EQ_INT(wtr_decode((const uint8_t *)b.data, b.len, &doc, &used, "test", &err), WEIR_OK);
    CHECK_EQ_INT(used, b.len);
    int64_t x = 0;
    CHECK(wtr_get_i64(&doc.root, 1, &x) && x == 3);
    CHECK(wtr_get_i64(&doc.root, 20, &x) && x == -1);
    CHECK(wtr_get_i64(&doc.root, 21, &x) && x == 1);
    const WTVal *s = wtr_field(&doc.root, 22);
    CHECK(s && s->type == TC_BINARY && s->n == 2 && !memcmp(s->bin, "ab", 2));
    const WTVal *l = wtr_field(&doc.root, 23);
    CHECK(l && l->type == TC_LIST && l->n == 2 && l->kids[0].i == -2 && l->kids[1].i == 64);
    CHECK(wtr_get_i64(wtr_field(&doc.root, 24), 1, &x) && x == 32);
    wtr_free(&doc);
    /* every truncation of it is an error, never a crash */
    int errors = 0;
    for (size_t n = 0; n < b.len; n++) {
        werr_init(&err);
        if (wtr_decode((const uint8_t *)b.data, n, &doc, &used, "test", &err) != WEIR_OK) errors++;
        else wtr_free(&doc);
    }
    CHECK_EQ_INT(errors, (long long)b.len);
    wbuf_fini(&b);
}

/* ---------------- random cases ---------------- */

static void rand_type(WType *t, int depth);

static void rand_struct(WType *st, int depth, int maxf) {
    memset(st, 0, sizeof *st);
    st->id = WT_STRUCT;
    int n = 1 + rn(maxf);
    for (int i = 0; i < n; i++) {
        WType ft;
        rand_type(&ft, depth);
        char name[32];
        snprintf(name, sizeof name, "%s%d", ft.id == WT_STRUCT ? "s" : "c", i);
        wtype_add_field(st, name, strlen(name), &ft);
        wtype_fini(&ft);
    }
}

static void rand_type(WType *t, int depth) {
    memset(t, 0, sizeof *t);
    if (depth < 3 && rn(5) == 0) {
        rand_struct(t, depth + 1, 3);
        return;
    }
    static const WTypeId ids[] = {WT_BOOLEAN, WT_INT, WT_BIGINT, WT_DOUBLE, WT_STRING, WT_DATE, WT_TIMESTAMP};
    t->id = ids[rn(7)];
}

typedef struct Gen {
    int pool;     /* values come from a small pool (dictionary-friendly) */
    int nulls;    /* percent of NULLs */
} Gen;

static double rand_double(Gen *g) {
    static const double special[] = {0.0, -0.0, 1.0, -1.5, 5e-324, -4.9406564584124654e-324, 2.2250738585072014e-308,
                                     1.7976931348623157e308, -1.7976931348623157e308, 0.1, 1e-300, 123456789.125};
    if (g->pool) return special[rn(4)] + rn(3);
    int k = rn(20);
    if (k == 0) return NAN;
    if (k == 1) return INFINITY;
    if (k == 2) return -INFINITY;
    if (k < 8) return special[rn(12)];
    if (k < 14) return (double)(int64_t)(rnd() % 2000001) / 1000.0 - 1000.0;
    uint64_t bits = rnd();
    double d;
    memcpy(&d, &bits, 8);
    if (isnan(d)) d = -2.5;
    return d;
}

static void rand_string(Gen *g, char *buf, size_t *len) {
    static const char *pool[] = {"", "a", "b", "hello", "\xc3\xa9t\xc3\xa9", "zz", "\xe4\xb8\xad\xe6\x96\x87", "A"};
    if (g->pool) {
        const char *s = pool[rn(8)];
        *len = strlen(s);
        memcpy(buf, s, *len);
        return;
    }
    int k = rn(10);
    size_t n = k == 0 ? 0 : k == 1 ? (size_t)(200 + rn(20000)) : (size_t)rn(20);
    static const char *pieces[] = {"a", "Z", "0", " ", "\"", "\\", "\n", "\t", "\x01", "\x7f", "\xc3\xa9",
                                   "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xef\xbf\xbf", "~"};
    size_t o = 0;
    while (o < n) {
        const char *p = pieces[rn(15)];
        size_t pl = strlen(p);
        memcpy(buf + o, p, pl);
        o += pl;
    }
    *len = o;
}

static void json_str(FILE *f, const char *s, size_t n) {
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c < 0x20 || c == 0x7f) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

static void json_double(FILE *f, double d) {
    if (isnan(d)) fputs("\"NaN\"", f);
    else if (isinf(d)) fputs(d > 0 ? "\"Infinity\"" : "\"-Infinity\"", f);
    else if (d == 0 && signbit(d)) fputs("\"-0\"", f);
    else fprintf(f, "\"%.17g\"", d);
}

/* Appends one random value (or NULL) to v and writes its JSON to f (f may be NULL). */
static void gen_value(Gen *g, WVec *v, FILE *f, char *sbuf) {
    if (rn(100) < g->nulls) {
        wvec_append_null(v);
        if (f) fputs("null", f);
        return;
    }
    switch (v->type->id) {
    case WT_BOOLEAN: {
        int b = rn(2);
        wvec_append_bool(v, b);
        if (f) fputs(b ? "true" : "false", f);
        break;
    }
    case WT_INT: {
        static const int32_t ex[] = {INT32_MIN, INT32_MAX, 0, -1, 1};
        int32_t x = g->pool ? ex[rn(5)] : rn(4) == 0 ? ex[rn(5)] : (int32_t)(uint32_t)rnd();
        wvec_append_i32(v, x);
        if (f) fprintf(f, "%d", x);
        break;
    }
    case WT_DATE: {
        int32_t x = g->pool ? 18000 + rn(5) : rn(1400001) - 700000; /* about year 53 to 3886 */
        wvec_append_i32(v, x);
        if (f) fprintf(f, "%d", x);
        break;
    }
    case WT_BIGINT: {
        static const int64_t ex[] = {INT64_MIN, INT64_MAX, 0, -1, 4294967296ll};
        int64_t x = g->pool ? ex[rn(5)] : rn(4) == 0 ? ex[rn(5)] : (int64_t)rnd();
        wvec_append_i64(v, x);
        if (f) fprintf(f, "\"%lld\"", (long long)x);
        break;
    }
    case WT_TIMESTAMP: {
        /* +-9e15 us is about 1684..2255; many before 1970, some with sub-millisecond digits */
        int64_t x = g->pool ? 1600000000000000ll + rn(5) : (int64_t)(rnd() % 18000000000000001ull) - 9000000000000000ll;
        if (!g->pool && rn(5) == 0) x = -1 - rn(1000);
        wvec_append_i64(v, x);
        if (f) fprintf(f, "\"%lld\"", (long long)x);
        break;
    }
    case WT_DOUBLE: {
        double d = rand_double(g);
        wvec_append_f64(v, d);
        if (f) json_double(f, d);
        break;
    }
    case WT_STRING: {
        size_t n;
        rand_string(g, sbuf, &n);
        wvec_append_str(v, sbuf, n);
        if (f) json_str(f, sbuf, n);
        break;
    }
    case WT_STRUCT: {
        if (rn(100) < g->nulls) {
            wvec_append_null(v);
            if (f) fputs("null", f);
            return;
        }
        wvec_append_struct(v);
        if (f) fputc('{', f);
        for (int i = 0; i < v->n_children; i++) {
            if (f) {
                if (i) fputc(',', f);
                json_str(f, v->type->fields[i].name, strlen(v->type->fields[i].name));
                fputc(':', f);
            }
            gen_value(g, &v->children[i], f, sbuf);
        }
        if (f) fputc('}', f);
        break;
    }
    default:
        break;
    }
}

static void json_type(FILE *f, const WType *t) {
    if (t->id != WT_STRUCT) {
        fprintf(f, "\"%s\"", wtype_name(t->id));
        return;
    }
    fputs("{\"struct\":[", f);
    for (int i = 0; i < t->n_fields; i++) {
        if (i) fputc(',', f);
        fputs("{\"name\":", f);
        json_str(f, t->fields[i].name, strlen(t->fields[i].name));
        fputs(",\"type\":", f);
        json_type(f, &t->fields[i].type);
        fputc('}', f);
    }
    fputs("]}", f);
}

/* Expected statistics of one leaf over rows [r0, r1) of one batch, computed the plain way: a NULL anywhere
 * on the path counts as a NULL; NaN is skipped; strings compare as unsigned bytes. */
typedef struct Exp {
    int has;
    long nulls;
    int64_t imin, imax;
    double dmin, dmax;
    const char *smin, *smax;
    size_t nsmin, nsmax;
} Exp;

static int ucmp(const char *a, size_t na, const char *b, size_t nb) {
    size_t m = na < nb ? na : nb;
    for (size_t i = 0; i < m; i++)
        if ((unsigned char)a[i] != (unsigned char)b[i]) return (unsigned char)a[i] < (unsigned char)b[i] ? -1 : 1;
    return na < nb ? -1 : na > nb ? 1 : 0;
}

static void exp_leaf(const WVec *v, const int *path, int depth, int64_t r0, int64_t r1, Exp *e) {
    memset(e, 0, sizeof *e);
    for (int64_t r = r0; r < r1; r++) {
        const WVec *c = v;
        int null = 0;
        for (int k = 0; k < depth && !null; k++) {
            c = &c->children[path[k]];
            if (wvec_is_null(c, r)) null = 1;
        }
        if (null) {
            e->nulls++;
            continue;
        }
        switch (c->type->id) {
        case WT_DOUBLE: {
            double d = wvec_f64(c, r);
            if (isnan(d)) break;
            if (!e->has || d < e->dmin) e->dmin = d;
            if (!e->has || d > e->dmax) e->dmax = d;
            e->has = 1;
            break;
        }
        case WT_STRING: {
            size_t n;
            const char *s = wvec_str(c, r, &n);
            if (!e->has || ucmp(s, n, e->smin, e->nsmin) < 0) { e->smin = s; e->nsmin = n; }
            if (!e->has || ucmp(s, n, e->smax, e->nsmax) > 0) { e->smax = s; e->nsmax = n; }
            e->has = 1;
            break;
        }
        default: {
            int64_t x = c->type->id == WT_BOOLEAN ? wvec_bool(c, r)
                        : (c->type->id == WT_INT || c->type->id == WT_DATE) ? wvec_i32(c, r) : wvec_i64(c, r);
            if (!e->has || x < e->imin) e->imin = x;
            if (!e->has || x > e->imax) e->imax = x;
            e->has = 1;
        }
        }
    }
}

static void json_bound(FILE *f, WTypeId id, const Exp *e, int is_max) {
    if (!e->has) {
        fputs("null", f);
        return;
    }
    switch (id) {
    case WT_DOUBLE: { /* parquet.thrift: a zero minimum is written as -0.0, a zero maximum as +0.0 */
        double d = is_max ? e->dmax : e->dmin;
        if (d == 0) d = is_max ? 0.0 : -0.0;
        json_double(f, d);
        break;
    }
    case WT_STRING: if (is_max) json_str(f, e->smax, e->nsmax); else json_str(f, e->smin, e->nsmin); break;
    case WT_BOOLEAN: fputs((is_max ? e->imax : e->imin) ? "true" : "false", f); break;
    case WT_BIGINT:
    case WT_TIMESTAMP: fprintf(f, "\"%lld\"", (long long)(is_max ? e->imax : e->imin)); break;
    default: fprintf(f, "%lld", (long long)(is_max ? e->imax : e->imin));
    }
}

static void write_stats(FILE *f, const WBatch *b, const WType *t, int *path, int depth, int64_t r0, int64_t r1,
                        int rg, int *first) {
    for (int i = 0; i < t->n_fields; i++) {
        path[depth] = i;
        const WType *ft = &t->fields[i].type;
        if (ft->id == WT_STRUCT) {
            write_stats(f, b, ft, path, depth + 1, r0, r1, rg, first);
            continue;
        }
        Exp e;
        exp_leaf(&b->root, path, depth + 1, r0, r1, &e);
        if (!*first) fputc(',', f);
        *first = 0;
        fprintf(f, "{\"rg\":%d,\"path\":\"", rg);
        const WType *c = b->schema;
        for (int k = 0; k <= depth; k++) {
            if (k) fputc('.', f);
            fputs(c->fields[path[k]].name, f);
            c = &c->fields[path[k]].type;
        }
        fprintf(f, "\",\"type\":\"%s\",\"null_count\":%ld,\"min\":", wtype_name(ft->id), e.nulls);
        json_bound(f, ft->id, &e, 0);
        fputs(",\"max\":", f);
        json_bound(f, ft->id, &e, 1);
        fputc('}', f);
    }
}

/* Row i of a equals row j of b: same NULLs, same bits. */
static int same_row(const WVec *a, int64_t i, const WVec *b, int64_t j) {
    if (wvec_is_null(a, i) != wvec_is_null(b, j)) return 0;
    if (wvec_is_null(a, i)) return 1;
    switch (a->type->id) {
    case WT_BOOLEAN: return wvec_bool(a, i) == wvec_bool(b, j);
    case WT_INT:
    case WT_DATE: return wvec_i32(a, i) == wvec_i32(b, j);
    case WT_BIGINT:
    case WT_TIMESTAMP: return wvec_i64(a, i) == wvec_i64(b, j);
    case WT_DOUBLE: {
        double x = wvec_f64(a, i), y = wvec_f64(b, j);
        return !memcmp(&x, &y, 8);
    }
    case WT_STRING: {
        size_t n1, n2;
        const char *s1 = wvec_str(a, i, &n1), *s2 = wvec_str(b, j, &n2);
        return n1 == n2 && !memcmp(s1, s2, n1);
    }
    case WT_STRUCT:
        for (int c = 0; c < a->n_children; c++)
            if (!same_row(&a->children[c], i, &b->children[c], j)) return 0;
        return 1;
    default: return 0;
    }
}

/* weir's reader gives back exactly the batch, in batches of a random size. */
static void read_back(const char *path, const WType *schema, const WBatch *want) {
    WErr err;
    werr_init(&err);
    WPqReader *r = NULL;
    int rc = wpq_reader_open(path, &r, &err);
    CHECK_EQ_INT(rc, WEIR_OK);
    if (rc) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
        return;
    }
    CHECK(wtype_equal(wpq_reader_schema(r), schema));
    CHECK_EQ_INT(wpq_reader_num_rows(r), wbatch_rows(want));
    WBatch b;
    wbatch_init(&b, wpq_reader_schema(r));
    int64_t at = 0, got = 0, bad = 0, step = 1 + rn(700);
    while ((rc = wpq_reader_next(r, &b, step, &got, &err)) == WEIR_OK && got > 0) {
        CHECK(got <= step);
        for (int64_t i = 0; i < got && at + i < wbatch_rows(want); i++)
            if (!same_row(&want->root, at + i, &b.root, i) && bad++ == 0) fprintf(stderr, "%s: row %lld differs\n", path, (long long)(at + i));
        at += got;
    }
    CHECK_EQ_INT(rc, WEIR_OK);
    if (rc) fprintf(stderr, "%s: %s\n", path, err.msg);
    CHECK_EQ_INT(at, wbatch_rows(want));
    CHECK_EQ_INT(bad, 0);
    wbatch_fini(&b);
    wpq_reader_close(r);
}

static const char *codecs[] = {"snappy", "zstd", "gzip", "uncompressed"};

static int one_case(int n, const char *dir, char *sbuf) {
    WType schema;
    rand_struct(&schema, 0, 6);
    Gen g = {rn(3) == 0, rn(3) == 0 ? 0 : rn(4) == 0 ? 90 : 20};
    int64_t rows = n % 7 == 0 ? 0 : n % 5 == 0 ? 3000 + rn(3000) : rn(400);
    WOpts o;
    wopts_init(&o);
    const char *codec = codecs[n % 4];
    int pv = 1 + (n / 4) % 2, dict = (n / 8) % 2 == 0;
    char tmp[64];
    wopts_set(&o, "compression", codec);
    snprintf(tmp, sizeof tmp, "%d", pv);
    wopts_set(&o, "pageVersion", tmp);
    wopts_set(&o, "dictionary", dict ? "true" : "false");
    int64_t rg_rows = 0;
    if (rn(3) == 0) {
        rg_rows = 1 + rn(1000);
        snprintf(tmp, sizeof tmp, "%lld", (long long)rg_rows);
        wopts_set(&o, "rowGroupSize", tmp);
    }
    if (rn(2)) wopts_set(&o, "pageSize", rn(2) ? "1KB" : "100B");
    if (rn(4) == 0) wopts_set(&o, "dictionaryPageSize", "300B");

    char path[512], jpath[512];
    snprintf(path, sizeof path, "%s/case_%d.parquet", dir, n);
    snprintf(jpath, sizeof jpath, "%s/case_%d.json", dir, n);
    FILE *f = fopen(jpath, "w");
    CHECK(f != NULL);
    if (!f) return 1;
    fprintf(f, "{\"file\":\"case_%d.parquet\",\"codec\":\"%s\",\"pageVersion\":%d,\"dictionary\":%s,\"schema\":", n, codec,
            pv, dict ? "true" : "false");
    json_type(f, &schema);
    fputs(",\"rows\":[", f);
    WBatch b;
    wbatch_init(&b, &schema);
    for (int64_t r = 0; r < rows; r++) {
        if (r) fputc(',', f);
        wbatch_begin_row(&b);
        fputc('{', f);
        for (int c = 0; c < schema.n_fields; c++) {
            if (c) fputc(',', f);
            json_str(f, schema.fields[c].name, strlen(schema.fields[c].name));
            fputc(':', f);
            gen_value(&g, wbatch_col(&b, c), f, sbuf);
        }
        fputc('}', f);
    }
    fputs("],\"stats\":[", f);
    int first = 1, pathi[8];
    int64_t step = rg_rows ? rg_rows : (rows ? rows : 1);
    for (int64_t r0 = 0, rg = 0; r0 < rows; r0 += step, rg++)
        write_stats(f, &b, &schema, pathi, 0, r0, r0 + step < rows ? r0 + step : rows, (int)rg, &first);
    fprintf(f, "],\"row_groups\":%lld}\n", (long long)(rows ? (rows + step - 1) / step : 0));
    fclose(f);

    WErr err;
    werr_init(&err);
    WPqWriter *w = NULL;
    int rc = wpq_writer_open(path, &schema, &o, &w, &err);
    CHECK_EQ_INT(rc, WEIR_OK);
    if (!rc) {
        CHECK_EQ_INT(wpq_writer_set_kv(w, "weir.test", "case", &err), WEIR_OK);
        rc = wpq_writer_write_batch(w, &b, &err);
        CHECK_EQ_INT(rc, WEIR_OK);
        rc = wpq_writer_close(w, &err);
        CHECK_EQ_INT(rc, WEIR_OK);
        if (rc) fprintf(stderr, "case %d: %s\n", n, err.msg);
    }
    struct stat sst;
    CHECK(stat(path, &sst) == 0 && sst.st_size > 12);
    if (!rc) read_back(path, &schema, &b);
    wbatch_fini(&b);
    wopts_fini(&o);
    wtype_fini(&schema);
    return 0;
}

static void test_options(const char *dir) {
    WType s;
    WErr err;
    werr_init(&err);
    CHECK_EQ_INT(wschema_parse("a INT", 5, &s, &err), WEIR_OK);
    WOpts o;
    wopts_init(&o);
    wopts_set(&o, "compression", "lz77");
    WPqWriter *w = NULL;
    char path[512];
    snprintf(path, sizeof path, "%s/bad.parquet", dir);
    CHECK_EQ_INT(wpq_writer_open(path, &s, &o, &w, &err), WEIR_MISUSE);
    CHECK(strstr(err.msg, "compression") != NULL);
    CHECK(w == NULL);
    wopts_fini(&o);
    wopts_init(&o);
    werr_init(&err);
    wopts_set(&o, "rowGroupSize", "12 parsecs");
    CHECK_EQ_INT(wpq_writer_open(path, &s, &o, &w, &err), WEIR_MISUSE);
    wopts_fini(&o);
    /* an aborted writer leaves nothing behind, not even the temporary file */
    werr_init(&err);
    CHECK_EQ_INT(wpq_writer_open(path, &s, NULL, &w, &err), WEIR_OK);
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s/.bad.parquet.tmp", dir);
    CHECK(access(tmp, F_OK) == 0);
    CHECK(access(path, F_OK) != 0);
    wpq_writer_abort(w);
    CHECK(access(tmp, F_OK) != 0);
    CHECK(access(path, F_OK) != 0);
    wtype_fini(&s);
}

/* rowGroupSize in bytes and pageSize cut row groups and pages where asked; dictionary=false leaves
 * no dictionary page; the reader's description shows it. */
static void test_sizes(const char *dir) {
    WType s;
    WErr err;
    werr_init(&err);
    CHECK_EQ_INT(wschema_parse("a BIGINT, b STRING", 18, &s, &err), WEIR_OK);
    WBatch b;
    wbatch_init(&b, &s);
    for (int i = 0; i < 100000; i++) {
        wbatch_begin_row(&b);
        wvec_append_i64(wbatch_col(&b, 0), i);
        wvec_append_str(wbatch_col(&b, 1), "xy", 2);
    }
    WOpts o;
    wopts_init(&o);
    wopts_set(&o, "rowGroupSize", "256KB"); /* about 16 bytes buffered per row: several groups */
    wopts_set(&o, "pageSize", "8KB");
    wopts_set(&o, "dictionary", "false");
    char path[512];
    snprintf(path, sizeof path, "%s/sizes.parquet", dir);
    WPqWriter *w = NULL;
    CHECK_EQ_INT(wpq_writer_open(path, &s, &o, &w, &err), WEIR_OK);
    CHECK_EQ_INT(wpq_writer_write_batch(w, &b, &err), WEIR_OK);
    CHECK_EQ_INT(wpq_writer_close(w, &err), WEIR_OK);
    WPqReader *r = NULL;
    CHECK_EQ_INT(wpq_reader_open(path, &r, &err), WEIR_OK);
    if (r) {
        WBuf d;
        wbuf_init(&d);
        CHECK_EQ_INT(wpq_reader_describe(r, &d, &err), WEIR_OK);
        const char *txt = wbuf_cstr(&d);
        const char *rg = strstr(txt, "row_groups ");
        int n_rg = rg ? atoi(rg + 11) : 0;
        CHECK(n_rg >= 5 && n_rg <= 12); /* 100000 rows * ~18 bytes / 256 KiB is about 7 */
        CHECK(strstr(txt, "DICTIONARY_PAGE") == NULL);
        /* 8 KiB pages of 8-byte values: about 1024 values a page */
        const char *pg = strstr(txt, "DATA_PAGE values ");
        int nv = pg ? atoi(pg + 17) : 0;
        CHECK(nv >= 1000 && nv <= 1100);
        wbuf_fini(&d);
        wpq_reader_close(r);
    }
    wopts_fini(&o);
    wbatch_fini(&b);
    wtype_fini(&s);
}

/* A row group large enough that the writer's arrays (values, string offsets, levels, dictionary
 * indices) leave the heap for their own mappings (pq_mem.c, past 1 MB) and grow there: every row comes
 * back. Two writers in a row, so the second starts from nothing again. */
static void test_large(const char *dir) {
    WType s;
    WErr err;
    werr_init(&err);
    const char *ddl = "a BIGINT, b STRING, c INT, d DOUBLE";
    CHECK_EQ_INT(wschema_parse(ddl, strlen(ddl), &s, &err), WEIR_OK);
    WBatch b;
    wbatch_init(&b, &s);
    char txt[64];
    for (int i = 0; i < 1200000; i++) {
        wbatch_begin_row(&b);
        if (i % 13 == 5) wvec_append_null(wbatch_col(&b, 0));
        else wvec_append_i64(wbatch_col(&b, 0), (int64_t)i * 7919 - 3000000);
        int n = snprintf(txt, sizeof txt, "%d-%.*s", i, rn(30), "abcdefghijklmnopqrstuvwxyz0123456789");
        if (i % 17 == 3) wvec_append_null(wbatch_col(&b, 1));
        else wvec_append_str(wbatch_col(&b, 1), txt, (size_t)n);
        wvec_append_i32(wbatch_col(&b, 2), rn(12) - 3);
        wvec_append_f64(wbatch_col(&b, 3), rn(200) / 4.0);
    }
    for (int k = 0; k < 2; k++) {
        WOpts o;
        wopts_init(&o);
        wopts_set(&o, "compression", k ? "uncompressed" : "snappy");
        char path[512];
        snprintf(path, sizeof path, "%s/large_%d.parquet", dir, k);
        WPqWriter *w = NULL;
        CHECK_EQ_INT(wpq_writer_open(path, &s, &o, &w, &err), WEIR_OK);
        if (k) wpq_writer_set_durable(w, 0); /* no fsync: the file is still renamed into place */
        CHECK_EQ_INT(wpq_writer_write_batch(w, &b, &err), WEIR_OK);
        CHECK_EQ_INT(wpq_writer_close(w, &err), WEIR_OK);
        read_back(path, &s, &b);
        unlink(path);
        wopts_fini(&o);
    }
    wbatch_fini(&b);
    wtype_fini(&s);
}

/* Writes b with the options (NULL-terminated key, value pairs), reads it back and returns the reader's
 * description (to free). */
static char *write_describe(const char *path, const WType *s, const WBatch *b, const char **kv) {
    WErr err;
    werr_init(&err);
    WOpts o;
    wopts_init(&o);
    for (int i = 0; kv[i]; i += 2) wopts_set(&o, kv[i], kv[i + 1]);
    WPqWriter *w = NULL;
    CHECK_EQ_INT(wpq_writer_open(path, s, &o, &w, &err), WEIR_OK);
    CHECK_EQ_INT(wpq_writer_write_batch(w, b, &err), WEIR_OK);
    CHECK_EQ_INT(wpq_writer_close(w, &err), WEIR_OK);
    wopts_fini(&o);
    read_back(path, s, b);
    WPqReader *r = NULL;
    CHECK_EQ_INT(wpq_reader_open(path, &r, &err), WEIR_OK);
    if (!r) return strdup("");
    WBuf d;
    wbuf_init(&d);
    CHECK_EQ_INT(wpq_reader_describe(r, &d, &err), WEIR_OK);
    wpq_reader_close(r);
    char *txt = strdup(wbuf_cstr(&d));
    wbuf_fini(&d);
    return txt;
}

/* The dictionary's paths as pages are cut one by one: a 32-bit column starting in a narrow range
 * (direct table) that leaves it (hash table), a column whose dictionary fills up mid-chunk (its first
 * pages stay RLE_DICTIONARY, the rest PLAIN, one dictionary page), and a column whose first 16384
 * values are all distinct (PLAIN from the start, no dictionary page). */
static void test_dict_paths(const char *dir) {
    WType s;
    WErr err;
    werr_init(&err);
    const char *ddl = "a INT, b BIGINT";
    CHECK_EQ_INT(wschema_parse(ddl, strlen(ddl), &s, &err), WEIR_OK);
    WBatch b;
    wbatch_init(&b, &s);
    for (int i = 0; i < 3000; i++) {
        wbatch_begin_row(&b);
        if (i % 97 == 7) wvec_append_null(wbatch_col(&b, 0));
        else wvec_append_i32(wbatch_col(&b, 0), i < 1500 ? i % 10 - 5 : i * 1000 - 1400000);
        wvec_append_i64(wbatch_col(&b, 1), i < 1000 ? i % 50 : i);
    }
    char path[512];
    snprintf(path, sizeof path, "%s/dict_paths.parquet", dir);
    const char *kv[] = {"pageSize", "1KB", "dictionaryPageSize", "4KB", NULL};
    char *txt = write_describe(path, &s, &b, kv);
    const char *ca = strstr(txt, "column a"), *cb = strstr(txt, "column b");
    CHECK(ca && cb && ca < cb);
    if (ca && cb) {
        /* column b: one dictionary page, dictionary data pages, then PLAIN ones; each encoding listed once */
        CHECK(strstr(cb, "encodings PLAIN,RLE,RLE_DICTIONARY\n") != NULL);
        const char *dict = strstr(cb, "DICTIONARY_PAGE"), *rd = strstr(cb, "encoding RLE_DICTIONARY"),
                   *pl = strstr(cb, "DATA_PAGE values 128 encoding PLAIN");
        CHECK(dict && rd && pl && dict < rd && rd < pl);
        CHECK(strstr(ca, "encoding RLE_DICTIONARY") != NULL && strstr(ca, "encoding RLE_DICTIONARY") < cb);
    }
    free(txt);
    wbatch_fini(&b);
    wtype_fini(&s);

    CHECK_EQ_INT(wschema_parse("c BIGINT", 8, &s, &err), WEIR_OK);
    wbatch_init(&b, &s);
    for (int i = 0; i < 40000; i++) {
        wbatch_begin_row(&b);
        wvec_append_i64(wbatch_col(&b, 0), (int64_t)i * 3 + 1000000000000ll);
    }
    snprintf(path, sizeof path, "%s/dict_distinct.parquet", dir);
    const char *none[] = {NULL};
    txt = write_describe(path, &s, &b, none);
    CHECK(strstr(txt, "DICTIONARY_PAGE") == NULL);
    CHECK(strstr(txt, "encodings PLAIN,RLE\n") != NULL);
    free(txt);
    wbatch_fini(&b);
    wtype_fini(&s);
}

int main(void) {
    test_rle();
    test_thrift();
    const char *dir = getenv("PQ_ORACLE_DIR");
    char tmpl[] = "/tmp/weir-pq-XXXXXX";
    int own = 0;
    if (!dir || !*dir) {
        dir = mkdtemp(tmpl);
        own = 1;
    } else mkdir(dir, 0755);
    CHECK(dir != NULL);
    if (!dir) return check_summary();
    test_options(dir);
    test_sizes(dir);
    test_large(dir);
    test_dict_paths(dir);
    char *sbuf = malloc(1 << 20);
    int ncases = getenv("PQ_CASES") ? atoi(getenv("PQ_CASES")) : 48;
    for (int n = 0; n < ncases; n++) one_case(n, dir, sbuf);
    free(sbuf);
    if (own) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    }
    return check_summary();
}
