/*
 * test_api.c - the public batch API (include/weir.h): every type through the typed getters with NULLs
 * and nested structs, misuse (wrong type, bad index), reference counting, the Arrow C Data Interface
 * export checked structurally (lengths, buffers per format, null counts, bitmaps, offsets, children,
 * each release called once, the batch freed only after the user's and both Arrow releases), and
 * weir_batch_write (Parquet read back with weir's reader, CSV/JSON Lines against hand-written text,
 * errors). Expected values come from apitest.h's hand-written arrays.
 */
#include <math.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include "check.h"
#include "apitest.h"
#include "core/fs.h"
#include "formats/parquet.h"

static void test_accessors(void) {
    int freed;
    weir_batch *b = at_make(AT_ROWS, &freed);
    CHECK_EQ_INT(weir_batch_num_rows(b), AT_ROWS);
    CHECK_EQ_INT(weir_batch_num_columns(b), 8);
    const char *names[8] = {"b", "i", "l", "d", "s", "dt", "ts", "st"};
    weir_type types[8] = {WEIR_TYPE_BOOLEAN, WEIR_TYPE_INT, WEIR_TYPE_BIGINT, WEIR_TYPE_DOUBLE,
                          WEIR_TYPE_STRING, WEIR_TYPE_DATE, WEIR_TYPE_TIMESTAMP, WEIR_TYPE_STRUCT};
    for (int c = 0; c < 8; c++) {
        CHECK_EQ_STR(weir_batch_column_name(b, c), names[c]);
        CHECK_EQ_INT(weir_batch_column_type(b, c), types[c]);
        CHECK(weir_batch_column_by_name(b, names[c]) == weir_batch_column(b, c));
        long nulls = 0;
        for (int r = 0; r < AT_ROWS; r++) {
            CHECK_EQ_INT(weir_batch_is_null(b, c, r), at_null[r][c]);
            nulls += at_null[r][c];
        }
        CHECK_EQ_INT(weir_column_null_count(weir_batch_column(b, c)), nulls);
        CHECK_EQ_INT(weir_column_num_rows(weir_batch_column(b, c)), AT_ROWS);
    }
    const weir_column *cb = weir_batch_column(b, 0), *ci = weir_batch_column(b, 1), *cl = weir_batch_column(b, 2);
    const weir_column *cd = weir_batch_column(b, 3), *cs = weir_batch_column(b, 4), *cdt = weir_batch_column(b, 5);
    const weir_column *cts = weir_batch_column(b, 6), *st = weir_batch_column(b, 7);
    for (int r = 0; r < AT_ROWS; r++) {
        const int *n = at_null[r];
        CHECK_EQ_INT(weir_column_bool(cb, r), n[0] ? 0 : at_b[r]);
        CHECK_EQ_INT(weir_column_int32(ci, r), n[1] ? 0 : at_i[r]);
        CHECK_EQ_INT(weir_column_int64(cl, r), n[2] ? 0 : at_l[r]);
        CHECK(weir_column_double(cd, r) == (n[3] ? 0 : at_d[r]));
        size_t len = 99;
        const char *s = weir_column_string(cs, r, &len);
        CHECK_EQ_MEM(s, len, n[4] ? "" : at_s[r], n[4] ? 0 : strlen(at_s[r]));
        CHECK_EQ_INT(weir_column_date(cdt, r), n[5] ? 0 : at_dt[r]);
        CHECK_EQ_INT(weir_column_timestamp(cts, r), n[6] ? 0 : at_ts[r]);
    }
    /* nested: st.x, st.inner, st.inner.y */
    CHECK_EQ_INT(weir_column_num_children(st), 2);
    const weir_column *x = weir_column_child(st, 0), *inner = weir_column_child_by_name(st, "inner");
    CHECK_EQ_STR(weir_column_name(x), "x");
    CHECK_EQ_INT(weir_column_type(x), WEIR_TYPE_INT);
    CHECK_EQ_INT(weir_column_type(inner), WEIR_TYPE_STRUCT);
    CHECK(inner == weir_column_child(st, 1));
    const weir_column *y = weir_column_child(inner, 0);
    CHECK_EQ_STR(weir_column_name(y), "y");
    CHECK_EQ_INT(weir_column_type(y), WEIR_TYPE_STRING);
    CHECK_EQ_INT(weir_column_num_rows(y), AT_ROWS);
    for (int r = 0; r < AT_ROWS; r++) {
        CHECK_EQ_INT(weir_column_is_null(x, r), at_x_null[r]);
        CHECK_EQ_INT(weir_column_int32(x, r), at_x_null[r] ? 0 : at_x[r]);
        CHECK_EQ_INT(weir_column_is_null(inner, r), at_null[r][8]);
        CHECK_EQ_INT(weir_column_is_null(y, r), at_null[r][9]);
        size_t len;
        const char *s = weir_column_string(y, r, &len);
        CHECK_EQ_MEM(s, len, at_null[r][9] ? "" : at_y[r], at_null[r][9] ? 0 : strlen(at_y[r]));
    }
    /* misuse: wrong type, bad indexes, NULL handles */
    CHECK_EQ_INT(weir_column_int64(ci, 0), 0);
    CHECK_EQ_INT(weir_column_int32(cl, 0), 0);
    CHECK_EQ_INT(weir_column_int32(ci, AT_ROWS), 0);
    CHECK_EQ_INT(weir_column_int32(ci, -1), 0);
    CHECK_EQ_INT(weir_column_is_null(ci, AT_ROWS), 1);
    CHECK(weir_batch_column(b, 8) == NULL);
    CHECK(weir_batch_column(b, -1) == NULL);
    CHECK(weir_batch_column_name(b, 8) == NULL);
    CHECK_EQ_INT(weir_batch_column_type(b, 8), 0);
    CHECK(weir_batch_column_by_name(b, "nope") == NULL);
    CHECK(weir_column_child(ci, 0) == NULL);
    CHECK(weir_column_child(st, 2) == NULL);
    CHECK_EQ_INT(weir_column_num_children(ci), 0);
    CHECK_EQ_INT(weir_batch_num_rows(NULL), 0);
    /* references */
    CHECK(weir_batch_retain(b) == b);
    weir_batch_release(b);
    CHECK_EQ_INT(freed, 0);
    weir_batch_release(b);
    CHECK_EQ_INT(freed, 1);
    weir_batch_release(NULL);
}

static int bit(const void *bitmap, int64_t i) { return (((const uint8_t *)bitmap)[i >> 3] >> (i & 7)) & 1; }

/* validity as Arrow defines it: a NULL bitmap means all valid */
static int arrow_valid(const struct ArrowArray *a, int64_t i) { return a->buffers[0] ? bit(a->buffers[0], i) : 1; }

static void check_nulls(const struct ArrowArray *a, int col) {
    long nulls = 0;
    for (int r = 0; r < AT_ROWS; r++) {
        CHECK_EQ_INT(!arrow_valid(a, r), at_null[r][col]);
        nulls += at_null[r][col];
    }
    CHECK_EQ_INT(a->null_count, nulls);
}

static void test_arrow(void) {
    int freed;
    weir_batch *b = at_make(AT_ROWS, &freed);
    struct ArrowArray arr;
    struct ArrowSchema sch;
    CHECK_EQ_INT(weir_batch_to_arrow(b, &arr, &sch), WEIR_OK);
    CHECK_EQ_INT(weir_batch_to_arrow(NULL, &arr, &sch), WEIR_MISUSE);
    weir_batch_release(b); /* the user is done; the export keeps the batch alive */
    CHECK_EQ_INT(freed, 0);
    /* schema */
    CHECK_EQ_STR(sch.format, "+s");
    CHECK_EQ_INT(sch.n_children, 8);
    CHECK(sch.dictionary == NULL && sch.release != NULL);
    const char *formats[8] = {"b", "i", "l", "g", "u", "tdD", "tsu:UTC", "+s"};
    const char *names[8] = {"b", "i", "l", "d", "s", "dt", "ts", "st"};
    for (int c = 0; c < 8; c++) {
        CHECK_EQ_STR(sch.children[c]->format, formats[c]);
        CHECK_EQ_STR(sch.children[c]->name, names[c]);
        CHECK_EQ_INT(sch.children[c]->flags, ARROW_FLAG_NULLABLE);
    }
    struct ArrowSchema *sst = sch.children[7];
    CHECK_EQ_INT(sst->n_children, 2);
    CHECK_EQ_STR(sst->children[0]->format, "i");
    CHECK_EQ_STR(sst->children[1]->format, "+s");
    CHECK_EQ_STR(sst->children[1]->name, "inner");
    CHECK_EQ_INT(sst->children[1]->n_children, 1);
    CHECK_EQ_STR(sst->children[1]->children[0]->format, "u");
    CHECK_EQ_STR(sst->children[1]->children[0]->name, "y");
    /* arrays */
    CHECK_EQ_INT(arr.length, AT_ROWS);
    CHECK_EQ_INT(arr.offset, 0);
    CHECK_EQ_INT(arr.n_buffers, 1);
    CHECK_EQ_INT(arr.null_count, 0);
    CHECK_EQ_INT(arr.n_children, 8);
    CHECK(arr.dictionary == NULL);
    int nbuf[8] = {2, 2, 2, 2, 3, 2, 2, 1};
    for (int c = 0; c < 8; c++) {
        struct ArrowArray *a = arr.children[c];
        CHECK_EQ_INT(a->length, AT_ROWS);
        CHECK_EQ_INT(a->offset, 0);
        CHECK_EQ_INT(a->n_buffers, nbuf[c]);
        CHECK(a->release != NULL);
        for (int k = 1; k < a->n_buffers; k++) CHECK(a->buffers[k] != NULL);
        check_nulls(a, c);
    }
    for (int r = 0; r < AT_ROWS; r++) {
        const int *n = at_null[r];
        if (!n[0]) CHECK_EQ_INT(bit(arr.children[0]->buffers[1], r), at_b[r]);
        if (!n[1]) CHECK_EQ_INT(((const int32_t *)arr.children[1]->buffers[1])[r], at_i[r]);
        if (!n[2]) CHECK_EQ_INT(((const int64_t *)arr.children[2]->buffers[1])[r], at_l[r]);
        if (!n[3]) CHECK(((const double *)arr.children[3]->buffers[1])[r] == at_d[r]);
        if (!n[5]) CHECK_EQ_INT(((const int32_t *)arr.children[5]->buffers[1])[r], at_dt[r]);
        if (!n[6]) CHECK_EQ_INT(((const int64_t *)arr.children[6]->buffers[1])[r], at_ts[r]);
        const int32_t *off = arr.children[4]->buffers[1];
        const char *chars = arr.children[4]->buffers[2];
        CHECK(off[r + 1] >= off[r]);
        if (!n[4]) CHECK_EQ_MEM(chars + off[r], (size_t)(off[r + 1] - off[r]), at_s[r], strlen(at_s[r]));
    }
    CHECK_EQ_INT(((const int32_t *)arr.children[4]->buffers[1])[0], 0);
    struct ArrowArray *st = arr.children[7];
    CHECK_EQ_INT(st->n_children, 2);
    struct ArrowArray *x = st->children[0], *inner = st->children[1];
    CHECK_EQ_INT(x->length, AT_ROWS);
    CHECK_EQ_INT(inner->n_buffers, 1);
    CHECK_EQ_INT(inner->n_children, 1);
    check_nulls(inner, 8);
    check_nulls(inner->children[0], 9);
    long xnull = 0;
    for (int r = 0; r < AT_ROWS; r++) {
        xnull += at_x_null[r];
        CHECK_EQ_INT(!arrow_valid(x, r), at_x_null[r]);
        if (!at_x_null[r]) CHECK_EQ_INT(((const int32_t *)x->buffers[1])[r], at_x[r]);
    }
    CHECK_EQ_INT(x->null_count, xnull);
    /* Move a child out (as a consumer may): it keeps the batch alive after the root is released. */
    struct ArrowArray moved = *arr.children[4];
    arr.children[4]->release = NULL;
    arr.release(&arr);
    CHECK(arr.release == NULL);
    CHECK_EQ_INT(freed, 0);
    const int32_t *off = moved.buffers[1];
    CHECK_EQ_MEM((const char *)moved.buffers[2] + off[0], (size_t)(off[1] - off[0]), at_s[0], strlen(at_s[0]));
    moved.release(&moved);
    CHECK(moved.release == NULL);
    CHECK_EQ_INT(freed, 1); /* the schema does not hold the batch */
    sch.release(&sch);
    CHECK(sch.release == NULL);

    /* The other order: schema and array first, the user's reference last. */
    b = at_make(AT_ROWS, &freed);
    CHECK_EQ_INT(weir_batch_to_arrow(b, &arr, &sch), WEIR_OK);
    sch.release(&sch);
    arr.release(&arr);
    CHECK_EQ_INT(freed, 0);
    weir_batch_release(b);
    CHECK_EQ_INT(freed, 1);

    /* An empty batch: non-NULL data buffers, one offset of 0 for strings. */
    b = at_make(0, &freed);
    CHECK_EQ_INT(weir_batch_to_arrow(b, &arr, &sch), WEIR_OK);
    CHECK_EQ_INT(arr.length, 0);
    for (int c = 0; c < 8; c++) {
        CHECK_EQ_INT(arr.children[c]->length, 0);
        CHECK_EQ_INT(arr.children[c]->null_count, 0);
        for (int k = 1; k < arr.children[c]->n_buffers; k++) CHECK(arr.children[c]->buffers[k] != NULL);
    }
    CHECK_EQ_INT(((const int32_t *)arr.children[4]->buffers[1])[0], 0);
    weir_batch_release(b);
    arr.release(&arr);
    sch.release(&sch);
    CHECK_EQ_INT(freed, 1);
}

static char *slurp(const char *path) {
    WBuf buf;
    wbuf_init(&buf);
    WErr err;
    werr_init(&err);
    if (wfs_read_file(path, &buf, NULL, &err)) {
        wbuf_fini(&buf);
        return NULL;
    }
    char *s = strdup(wbuf_cstr(&buf));
    wbuf_fini(&buf);
    return s;
}

static void test_write(void) {
    char dir[] = "/tmp/weir-api-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256];
    int freed;
    weir_batch *b = at_make(AT_ROWS, &freed);
    char *msg = (char *)1;

    /* Parquet: read back with weir's reader and compare with the hand-written values */
    snprintf(path, sizeof path, "%s/b.parquet", dir);
    const char *pq_opts[] = {"compression", "zstd", NULL};
    CHECK_EQ_INT(weir_batch_write(b, path, "parquet", pq_opts, &msg), WEIR_OK);
    CHECK(msg == NULL);
    WPqReader *r = NULL;
    WErr err;
    werr_init(&err);
    CHECK_EQ_INT(wpq_reader_open(path, &r, &err), WEIR_OK);
    if (r) {
        CHECK_EQ_INT(wpq_reader_num_rows(r), AT_ROWS);
        WType schema;
        CHECK_EQ_INT(wschema_parse(AT_DDL, strlen(AT_DDL), &schema, &err), WEIR_OK);
        WBatch back;
        wbatch_init(&back, &schema);
        int64_t got = 0;
        CHECK_EQ_INT(wpq_reader_next(r, &back, 100, &got, &err), WEIR_OK);
        CHECK_EQ_INT(got, AT_ROWS);
        weir_batch *wb = wapi_batch_wrap(&back, NULL, NULL);
        for (int row = 0; row < AT_ROWS && got == AT_ROWS; row++) {
            for (int c = 0; c < 8; c++) CHECK_EQ_INT(weir_batch_is_null(wb, c, row), at_null[row][c]);
            CHECK_EQ_INT(weir_column_int64(weir_batch_column(wb, 2), row), at_null[row][2] ? 0 : at_l[row]);
            size_t len;
            const char *s = weir_column_string(weir_batch_column(wb, 4), row, &len);
            CHECK_EQ_MEM(s, len, at_null[row][4] ? "" : at_s[row], at_null[row][4] ? 0 : strlen(at_s[row]));
            const weir_column *y = weir_column_child(weir_column_child(weir_batch_column(wb, 7), 1), 0);
            CHECK_EQ_INT(weir_column_is_null(y, row), at_null[row][9]);
            CHECK_EQ_INT(weir_column_timestamp(weir_batch_column(wb, 6), row), at_null[row][6] ? 0 : at_ts[row]);
        }
        weir_batch_release(wb);
        wbatch_fini(&back);
        wtype_fini(&schema);
        wpq_reader_close(r);
    }

    /* JSON Lines of the first row (hand-written expectation; NULL fields are left out, as Spark does) */
    int f2;
    weir_batch *one = at_make(1, &f2);
    snprintf(path, sizeof path, "%s/b.jsonl", dir);
    CHECK_EQ_INT(weir_batch_write(one, path, "jsonl", NULL, NULL), WEIR_OK);
    char *text = slurp(path);
    CHECK(text && strstr(text, "\"i\":7") && strstr(text, "\"l\":10000000000") &&
          strstr(text, "\"st\":{\"x\":1,\"inner\":{\"y\":\"a\"}}") && strstr(text, "\"dt\":\"2022-01-08\""));
    if (text) CHECK_EQ_INT(text[strlen(text) - 1], '\n');
    free(text);

    /* CSV with a header, on a flat batch (CSV has no nested values) */
    WType flat_schema;
    CHECK_EQ_INT(wschema_parse("i INT, s STRING", 15, &flat_schema, &err), WEIR_OK);
    WBatch flat;
    wbatch_init(&flat, &flat_schema);
    int rc = wbatch_begin_row(&flat) | wvec_append_i32(wbatch_col(&flat, 0), 1) | wvec_append_str(wbatch_col(&flat, 1), "a,b", 3);
    rc |= wbatch_begin_row(&flat) | wvec_append_null(wbatch_col(&flat, 0)) | wvec_append_str(wbatch_col(&flat, 1), "", 0);
    rc |= wbatch_begin_row(&flat) | wvec_append_i32(wbatch_col(&flat, 0), -2) | wvec_append_null(wbatch_col(&flat, 1));
    CHECK_EQ_INT(rc, 0);
    weir_batch *fb = wapi_batch_wrap(&flat, NULL, NULL);
    snprintf(path, sizeof path, "%s/b.csv", dir);
    const char *csv_opts[] = {"header", "true", NULL};
    CHECK_EQ_INT(weir_batch_write(fb, path, "csv", csv_opts, NULL), WEIR_OK);
    text = slurp(path);
    CHECK(text != NULL);
    if (text) CHECK_EQ_STR(text, "i,s\n1,\"a,b\"\n,\"\"\n-2,\n");
    free(text);
    /* the same CSV compressed: gzip read back with zlib's gzread, zstd with ZSTD_decompress */
    snprintf(path, sizeof path, "%s/b.csv.gz", dir);
    const char *gz_opts[] = {"header", "true", "compression", "gzip", NULL};
    CHECK_EQ_INT(weir_batch_write(fb, path, "csv", gz_opts, NULL), WEIR_OK);
    gzFile gz = gzopen(path, "rb");
    char unz[256] = {0};
    CHECK(gz != NULL);
    if (gz) {
        CHECK_EQ_INT(gzread(gz, unz, sizeof unz - 1), 20);
        gzclose(gz);
    }
    CHECK_EQ_STR(unz, "i,s\n1,\"a,b\"\n,\"\"\n-2,\n");
    snprintf(path, sizeof path, "%s/b.jsonl.zst", dir);
    const char *zst_opts[] = {"compression", "zstd", NULL};
    CHECK_EQ_INT(weir_batch_write(fb, path, "jsonl", zst_opts, NULL), WEIR_OK);
    FILE *zf = fopen(path, "rb");
    char zbuf[512];
    size_t zn = zf ? fread(zbuf, 1, sizeof zbuf, zf) : 0;
    if (zf) fclose(zf);
    memset(unz, 0, sizeof unz);
    size_t un = ZSTD_decompress(unz, sizeof unz - 1, zbuf, zn);
    CHECK(!ZSTD_isError(un));
    CHECK_EQ_STR(unz, "{\"i\":1,\"s\":\"a,b\"}\n{\"s\":\"\"}\n{\"i\":-2}\n");
    const char *bad_comp[] = {"compression", "lz4", NULL};
    CHECK_EQ_INT(weir_batch_write(fb, path, "csv", bad_comp, &msg), WEIR_MISUSE);
    CHECK(msg && strstr(msg, "'lz4' is not none, gzip or zstd"));
    weir_free(msg);
    /* the struct batch cannot be CSV: a clear error */
    CHECK_EQ_INT(weir_batch_write(b, path, "csv", NULL, &msg), WEIR_UNSUPPORTED);
    CHECK(msg != NULL);
    weir_free(msg);

    /* errors: message, no file left behind */
    snprintf(path, sizeof path, "%s/bad.csv", dir);
    const char *bad_opts[] = {"nosuchoption", "1", NULL};
    CHECK_EQ_INT(weir_batch_write(fb, path, "csv", bad_opts, &msg), WEIR_MISUSE);
    CHECK(msg && strstr(msg, "nosuchoption"));
    weir_free(msg);
    CHECK(access(path, F_OK) != 0);
    CHECK_EQ_INT(weir_batch_write(one, path, "xml", NULL, &msg), WEIR_MISUSE);
    CHECK(msg && strstr(msg, "xml"));
    weir_free(msg);
    const char *odd[] = {"header", NULL};
    CHECK_EQ_INT(weir_batch_write(one, path, "csv", odd, NULL), WEIR_MISUSE);
    CHECK(weir_batch_write(one, "/nonexistent-dir/x.parquet", "parquet", NULL, &msg) != WEIR_OK);
    CHECK(msg != NULL);
    weir_free(msg);
    weir_batch_release(one);
    weir_batch_release(fb);
    wbatch_fini(&flat);
    wtype_fini(&flat_schema);
    weir_batch_release(b);
    CHECK_EQ_INT(freed, 1);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_EQ_INT(system(cmd), 0);
}

int main(void) {
    test_accessors();
    test_arrow();
    test_write();
    return check_summary();
}
