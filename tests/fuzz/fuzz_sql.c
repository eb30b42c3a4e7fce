/*
 * fuzz_sql.c - libFuzzer target for the SQL front end and the expression evaluator (run: make fuzz-sql).
 *
 * The input is a SQL script; when it declares no table, a fixed CREATE TABLE t (every type, a nested
 * STRUCT) is put in front so that bare SELECTs get resolved. Whatever the bytes: lexing, parsing,
 * resolving and planning must not crash or leak; every error must carry a "line:col" position; a script
 * that parses prints to canonical text that parses again to the same canonical text; and every planned
 * query runs over a small batch of awkward values (NULLs, extreme numbers, unicode) without crashing,
 * producing exactly as many values in every output column as output rows; an aggregation runs through its
 * input projection, the operator (a batch, then the final flush) and its select list.
 */
#include <stdint.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/vec.h"
#include "exec/agg.h"
#include "exec/project.h"
#include "sql/parse.h"
#include "sql/plan.h"

static const char *PRELUDE = "CREATE TABLE t (i INT, b BIGINT, d DOUBLE, s STRING, ts TIMESTAMP, dt DATE, f BOOLEAN, "
                             "st STRUCT<x: INT, y: STRUCT<z: STRING>>) USING json;\n";

static void canon(const WSqlScript *s, WBuf *out) {
    for (int i = 0; i < s->n_stmts; i++) {
        if (i) wbuf_puts(out, ";\n");
        wsql_print_stmt(s->stmts[i], out);
    }
}

/* Appends row r of awkward values to v (any type, STRUCTs recursively). */
static void fill(WVec *v, int r) {
    static const int32_t I[] = {0, -1, 2147483647, (int32_t)0x80000000, 7};
    static const int64_t L[] = {0, -1, INT64_MAX, INT64_MIN, 1662464400123456LL};
    static const double D[] = {0.0, -0.0, 1e308, 2.5, -1.005};
    static const char *const S[] = {"", "abc", " 42 ", "日本語", "2022-09-06 11:40:00"};
    if (r == 5) {
        wvec_append_null(v);
        return;
    }
    switch (v->type->id) {
    case WT_BOOLEAN: wvec_append_bool(v, r & 1); break;
    case WT_INT: wvec_append_i32(v, I[r]); break;
    case WT_DATE: wvec_append_i32(v, I[r] / 16); break;
    case WT_BIGINT: case WT_TIMESTAMP: wvec_append_i64(v, L[r]); break;
    case WT_DOUBLE: wvec_append_f64(v, D[r]); break;
    case WT_STRING: wvec_append_str(v, S[r], strlen(S[r])); break;
    case WT_STRUCT:
        wvec_append_struct(v);
        for (int k = 0; k < v->n_children; k++) fill(&v->children[k], r);
        break;
    default: wvec_append_null(v); break;
    }
}

/* An aggregation: WHERE and inputs (pre), the operator (state in memory), a batch then the final flush,
 * then HAVING and the select list (post) over what it emits. */
static void run_agg(const WScript *sc, const WQueryPlan *q, const WBatch *in) {
    const WBoundAgg *a = q->agg;
    WAggSpec spec;
    WAggOp *op = NULL;
    WProject *pre = NULL, *post = NULL;
    WBatch pin, rows, late, out;
    WErr err;
    werr_init(&err);
    wbatch_init(&pin, &a->pre->out_schema);
    wbatch_init(&out, &q->select->out_schema);
    int ok = wagg_spec_from_plan(a, q->mode, NULL, &spec, &err) == WEIR_OK && wagg_open(&spec, &op, &err) == WEIR_OK;
    if (ok && !wtype_equal(wagg_output_schema(op), &a->agg_out)) abort(); /* the plan and the operator agree */
    if (ok) {
        wbatch_init(&rows, wagg_output_schema(op));
        wbatch_init(&late, wagg_late_schema(op));
    }
    ok = ok && wproject_open(a->pre, sc->time_zone, &pre, &err) == WEIR_OK &&
         wproject_open(q->select, sc->time_zone, &post, &err) == WEIR_OK &&
         wproject_run_at(pre, in, &pin, 1700000000000000LL, &err) == WEIR_OK;
    for (int b = 0; ok && b < 2; b++) {
        int rc = b == 0 ? wagg_process_batch(op, &pin, 0, &rows, &late, &err) : wagg_flush_all(op, 1, &rows, &err);
        if (rc) break;
        wbatch_reset(&out);
        if (wproject_run_at(post, &rows, &out, 1700000000000000LL, &err) != WEIR_OK) break;
        for (int c = 0; c < out.root.n_children; c++)
            if (wbatch_col(&out, c)->len != wbatch_rows(&out)) abort();
    }
    if (op) {
        wbatch_fini(&rows);
        wbatch_fini(&late);
    }
    wproject_close(pre);
    wproject_close(post);
    wagg_close(op);
    wbatch_fini(&pin);
    wbatch_fini(&out);
}

static void run_query(const WScript *sc, const WQueryPlan *q) {
    WBatch in, out;
    wbatch_init(&in, &q->source->schema);
    for (int r = 0; r < 6; r++) {
        wbatch_begin_row(&in);
        for (int c = 0; c < in.root.n_children; c++) fill(wbatch_col(&in, c), r);
    }
    if (q->agg) {
        run_agg(sc, q, &in);
        wbatch_fini(&in);
        return;
    }
    wbatch_init(&out, &q->select->out_schema);
    WProject *p = NULL;
    WErr err;
    werr_init(&err);
    if (wproject_open(q->select, sc->time_zone, &p, &err) == WEIR_OK &&
        wproject_run_at(p, &in, &out, 1700000000000000LL, &err) == WEIR_OK) {
        for (int c = 0; c < out.root.n_children; c++)
            if (wbatch_col(&out, c)->len != wbatch_rows(&out)) abort();
        if (wbatch_rows(&out) > 6) abort();
    }
    wproject_close(p);
    wbatch_fini(&out);
    wbatch_fini(&in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 20000) return 0;
    WBuf text;
    wbuf_init(&text);
    int has_create = 0;
    for (size_t i = 0; i + 6 <= size && !has_create; i++)
        has_create = !strncasecmp((const char *)data + i, "create", 6);
    if (!has_create) wbuf_puts(&text, PRELUDE);
    wbuf_append(&text, data, size);
    WErr err;
    werr_init(&err);
    WSqlScript *ast = NULL;
    if (wsql_parse(text.data, text.len, &ast, &err) == WEIR_OK) {
        WBuf a, b;
        wbuf_init(&a);
        wbuf_init(&b);
        canon(ast, &a);
        WSqlScript *again = NULL;
        WErr e2;
        werr_init(&e2);
        int rc2 = wsql_parse(a.data ? a.data : "", a.len, &again, &e2);
        /* the canonical text adds parentheses, so it may hit the nesting limit the original stayed under */
        if (rc2 != WEIR_OK && strstr(e2.msg, "nested too deeply")) {
            wbuf_fini(&a);
            wbuf_fini(&b);
            wsql_ast_free(ast);
            goto compile;
        }
        if (rc2 != WEIR_OK) {
            fprintf(stderr, "canonical text does not parse:\n%s\n%s\n", wbuf_cstr(&a), e2.msg);
            abort();
        }
        canon(again, &b);
        if (a.len != b.len || (a.len && memcmp(a.data, b.data, a.len))) {
            fprintf(stderr, "canonical text is not stable:\n%s\n---\n%s\n", wbuf_cstr(&a), wbuf_cstr(&b));
            abort();
        }
        wsql_ast_free(again);
        wbuf_fini(&a);
        wbuf_fini(&b);
        wsql_ast_free(ast);
    } else if (err.code != WEIR_NOMEM && !strchr(err.msg, ':')) {
        abort(); /* a parse error without a position */
    }
compile:
    werr_init(&err);
    WScript *sc = NULL;
    if (wsql_compile(text.data, text.len, "f.sql", &sc, &err) == WEIR_OK) {
        WBuf ex;
        wbuf_init(&ex);
        if (wsql_explain(sc, &ex)) abort();
        wbuf_fini(&ex);
        for (int i = 0; i < sc->n_queries; i++) run_query(sc, &sc->queries[i]);
        wsql_script_free(sc);
    } else if (err.code != WEIR_NOMEM && strncmp(err.msg, "f.sql:", 6)) {
        abort(); /* every compile error names the file and a line:col */
    }
    wbuf_fini(&text);
    return 0;
}
