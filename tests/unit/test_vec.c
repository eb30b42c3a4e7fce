/*
 * test_vec.c - Arrow-layout vectors: bitmaps, offsets, struct children kept aligned, truncate, reuse.
 */
#include "check.h"
#include "core/vec.h"

int main(void) {
    WType t;
    WErr err;
    werr_init(&err);
    const char *ddl = "b BOOLEAN, i INT, l BIGINT, d DOUBLE, s STRING, st STRUCT<x: INT, y: STRING>";
    CHECK_EQ_INT(wschema_parse(ddl, strlen(ddl), &t, &err), WEIR_OK);
    WBatch b;
    CHECK_EQ_INT(wbatch_init(&b, &t), WEIR_OK);
    for (int round = 0; round < 2; round++) { /* the second round reuses the memory after a reset */
        for (int r = 0; r < 1000; r++) {
            CHECK(wbatch_begin_row(&b) == WEIR_OK);
            if (r % 3 == 0) wvec_append_null(wbatch_col(&b, 0)); else wvec_append_bool(wbatch_col(&b, 0), r & 1);
            wvec_append_i32(wbatch_col(&b, 1), r * 7);
            if (r % 5 == 0) wvec_append_null(wbatch_col(&b, 2)); else wvec_append_i64(wbatch_col(&b, 2), (int64_t)r << 33);
            wvec_append_f64(wbatch_col(&b, 3), r / 4.0);
            char s[32];
            int n = snprintf(s, sizeof s, "row%d", r);
            if (r % 7 == 0) wvec_append_null(wbatch_col(&b, 4)); else wvec_append_str(wbatch_col(&b, 4), s, (size_t)n);
            WVec *st = wbatch_col(&b, 5);
            if (r % 4 == 0) wvec_append_null(st);
            else {
                wvec_append_struct(st);
                wvec_append_i32(&st->children[0], -r);
                wvec_append_str(&st->children[1], "", 0);
            }
        }
        CHECK_EQ_INT(wbatch_rows(&b), 1000);
        WVec *st = wbatch_col(&b, 5);
        CHECK_EQ_INT(st->children[0].len, 1000);
        CHECK_EQ_INT(st->null_count, 250);
        CHECK_EQ_INT(st->children[0].null_count, 250);
        CHECK_EQ_INT(wbatch_col(&b, 0)->null_count, 334);
        CHECK_EQ_INT(wbatch_col(&b, 4)->null_count, 143);
        int bad = 0;
        for (int r = 0; r < 1000; r++) {
            if (wvec_is_null(wbatch_col(&b, 0), r) != (r % 3 == 0)) bad++;
            if (r % 3 && wvec_bool(wbatch_col(&b, 0), r) != (r & 1)) bad++;
            if (wvec_i32(wbatch_col(&b, 1), r) != r * 7) bad++;
            if (r % 5 && wvec_i64(wbatch_col(&b, 2), r) != (int64_t)r << 33) bad++;
            if (wvec_f64(wbatch_col(&b, 3), r) != r / 4.0) bad++;
            size_t n;
            const char *s = wvec_str(wbatch_col(&b, 4), r, &n);
            char want[32];
            int wn = snprintf(want, sizeof want, "row%d", r);
            if (r % 7 == 0 ? n != 0 : (n != (size_t)wn || memcmp(s, want, n))) bad++;
            if (r % 4 && wvec_i32(&st->children[0], r) != -r) bad++;
        }
        CHECK_EQ_INT(bad, 0);
        /* Roll back the last 10 rows, as a decoder does for a bad record. */
        wbatch_truncate(&b, 990);
        CHECK_EQ_INT(wbatch_rows(&b), 990);
        CHECK_EQ_INT(st->children[1].len, 990);
        CHECK_EQ_INT(wbatch_col(&b, 0)->null_count, 330);
        CHECK_EQ_INT(wbatch_col(&b, 4)->chars_len, wbatch_col(&b, 4)->offsets[990]);
        /* A new row after the rollback lands in slot 990 with its own validity. */
        wbatch_begin_row(&b);
        wvec_append_bool(wbatch_col(&b, 0), 1);
        CHECK(!wvec_is_null(wbatch_col(&b, 0), 990));
        wbatch_reset(&b);
        CHECK_EQ_INT(wbatch_rows(&b), 0);
        CHECK_EQ_INT(wbatch_col(&b, 0)->null_count, 0);
    }
    wbatch_fini(&b);
    wtype_fini(&t);
    return check_summary();
}
