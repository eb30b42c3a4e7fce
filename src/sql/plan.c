/*
 * plan.c - compiles a whole SQL script into the WScript of plan.h: tables, settings, one resolved plan per
 * streaming query, and the readable plan `weir check` prints.
 *
 * Statements are taken in order, so a table must be created before a query names it, and a table without
 * declared columns gets its schema from the first query that writes it (and can then be read by a later
 * query: stage 1 of a pipeline feeding stage 2 in the same script).
 */
#include "sql/plan.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/time.h"
#include "sql/lex.h"
#include "sql/parse.h"
#include "sql/resolve.h"

static char *xstrdup(const char *s) {
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d) memcpy(d, s, n + 1);
    return d;
}

static WTableDef *find_table(WScript *s, const char *name) {
    for (int i = 0; i < s->n_tables; i++)
        if (!strcasecmp(s->tables[i].name, name)) return &s->tables[i];
    return NULL;
}

static int is_word(char c) { return isalnum((unsigned char)c) || c == '_'; }

/* Offset of the first occurrence of word `name` (as a whole word, any case) in [from, to), or from. */
static size_t find_word(const char *src, size_t from, size_t to, const char *name) {
    size_t n = strlen(name);
    for (size_t i = from; i + n <= to; i++)
        if (!strncasecmp(src + i, name, n) && (i == 0 || !is_word(src[i - 1])) && (i + n == to || !is_word(src[i + n])))
            return i;
    return from;
}

static int is_tz_setting(const char *k) {
    return !strcasecmp(k, "spark.sql.session.timeZone") || !strcasecmp(k, "timezone") ||
           !strcasecmp(k, "time_zone") || !strcasecmp(k, "TimeZone");
}

/* The query's outputMode: the sink's option, else SET weir.outputMode, else append. */
static int output_mode(WScript *s, WQueryPlan *q, const char *src, size_t len, const WSqlStmt *st, WErr *err) {
    const char *m = q->sink ? wopts_get((WOpts *)&q->sink->opts, "outputMode") : NULL;
    if (!m) m = wopts_get(&s->settings, "weir.outputMode");
    q->mode = WOUT_APPEND;
    if (!m || !strcasecmp(m, "append")) return WEIR_OK;
    if (!strcasecmp(m, "update")) q->mode = WOUT_UPDATE;
    else if (!strcasecmp(m, "complete")) q->mode = WOUT_COMPLETE;
    else
        return wsql_error_at(err, src, len, st->off, "unknown outputMode '%s' for query %s: expected append, update or "
                             "complete", m, q->name);
    return WEIR_OK;
}

static const char *mode_name(WOutputMode m) {
    return m == WOUT_UPDATE ? "update" : m == WOUT_COMPLETE ? "complete" : "append";
}

/* Spark's rules on which query may use which output mode (UnsupportedOperationChecker). */
static int check_streaming_rules(const WQueryPlan *q, const WSqlSelect *sel, const char *src, size_t len, WErr *err) {
    const WBoundAgg *a = q->agg;
    if (!a) {
        if (q->mode == WOUT_COMPLETE)
            return wsql_error_at(err, src, len, q->off, "Complete output mode not supported when there are no streaming "
                                 "aggregations (query %s): use append, or aggregate with GROUP BY", q->name);
        return WEIR_OK;
    }
    if (q->mode != WOUT_APPEND) return WEIR_OK;
    if (!sel->wm_expr)
        return wsql_error_at(err, src, len, a->group_off, "Append output mode not supported when there are streaming "
                             "aggregations without watermark (query %s): append with an aggregation needs a watermark "
                             "on the window's column, e.g. FROM STREAM(t) WATERMARK ts DELAY OF INTERVAL 10 SECONDS "
                             "GROUP BY window(ts, '30 seconds'); or set outputMode 'update' or 'complete'", q->name);
    if (!a->has_watermark)
        return wsql_error_at(err, src, len, a->group_off, "Append output mode not supported (query %s): append with "
                             "an aggregation needs a watermark on the window's column, and GROUP BY has no window() or "
                             "session_window() over the WATERMARK's expression; or set outputMode 'update' or "
                             "'complete'", q->name);
    return WEIR_OK;
}

static int compile_stmt(WScript *s, WSqlScript *ast, const WSqlStmt *st, WErr *err) {
    const char *src = ast->src;
    size_t len = ast->len;
    int rc;
    switch (st->kind) {
    case WSTMT_CREATE: {
        WTableDef *old = find_table(s, st->name);
        if (old) {
            if (st->if_not_exists) return WEIR_OK;
            return wsql_error_at(err, src, len, find_word(src, st->off + 12, st->end, st->name),
                                 "table %s is already defined earlier in the script", st->name);
        }
        WTableDef *t = &s->tables[s->n_tables];
        memset(t, 0, sizeof *t);
        wopts_init(&t->opts);
        t->off = st->off;
        t->schema.id = WT_STRUCT;
        s->n_tables++;
        t->name = xstrdup(st->name);
        t->format = xstrdup(st->using_fmt);
        if (!t->name || !t->format) return werr_msg(err, WEIR_NOMEM, "out of memory");
        if (st->schema) {
            if (wtype_copy(&t->schema, st->schema)) return werr_msg(err, WEIR_NOMEM, "out of memory");
            t->has_schema = 1;
        }
        for (int i = 0; i < st->n_options; i++)
            if (wopts_set(&t->opts, st->options[i].key, st->options[i].value))
                return werr_msg(err, WEIR_NOMEM, "out of memory");
        return WEIR_OK;
    }
    case WSTMT_SET:
        if (wopts_set(&s->settings, st->name, st->value)) return werr_msg(err, WEIR_NOMEM, "out of memory");
        if (is_tz_setting(st->name)) {
            const char *zone = st->value;
            if (!strcasecmp(zone, "LOCAL")) zone = getenv("TZ") && *getenv("TZ") ? getenv("TZ") : "UTC";
            WTz *tz = NULL;
            WErr e2;
            werr_init(&e2);
            if (wtz_open(zone, &tz, &e2))
                return wsql_error_at(err, src, len, st->off,
                                     "unknown time zone '%s': expected a region such as 'Europe/Paris', 'UTC' or an "
                                     "offset such as '+02:00'", st->value);
            wtz_free(tz);
            char *z = xstrdup(zone);
            if (!z) return werr_msg(err, WEIR_NOMEM, "out of memory");
            free(s->time_zone);
            s->time_zone = z;
        }
        return WEIR_OK;
    case WSTMT_INSERT:
    case WSTMT_SELECT: {
        const WSqlSelect *sel = st->select;
        WTableDef *sink = NULL;
        if (st->kind == WSTMT_INSERT) {
            size_t at = find_word(src, st->off + 6, st->end, st->name);
            sink = find_table(s, st->name);
            if (!sink)
                return wsql_error_at(err, src, len, at, "unknown table %s: expected a table made by CREATE TABLE "
                                     "before this statement", st->name);
        }
        WTableDef *source = find_table(s, sel->from);
        if (!source)
            return wsql_error_at(err, src, len, find_word(src, sel->from_off, st->end, sel->from),
                                 "unknown table %s: expected a table made by CREATE TABLE before this statement",
                                 sel->from);
        if (!sel->from_stream)
            return wsql_error_at(err, src, len, sel->from_off,
                                 "expected STREAM(%s): weir runs streaming queries, which read FROM STREAM(table)",
                                 sel->from);
        if (!source->has_schema)
            return wsql_error_at(err, src, len, find_word(src, sel->from_off, st->end, sel->from),
                                 "table %s has no columns: declare them in its CREATE TABLE (or create it as the "
                                 "output of an earlier query)", sel->from);
        if (sink == source)
            return wsql_error_at(err, src, len, sel->from_off, "a query cannot read the table it writes (%s)",
                                 sel->from);
        WQueryPlan *q = &s->queries[s->n_queries];
        memset(q, 0, sizeof *q);
        q->off = st->off;
        q->source = source;
        q->sink = sink;
        s->n_queries++;
        if (sink) {
            q->name = xstrdup(sink->name);
        } else {
            char nm[32];
            snprintf(nm, sizeof nm, "console_%d", s->n_queries);
            q->name = xstrdup(nm);
        }
        if (!q->name) return werr_msg(err, WEIR_NOMEM, "out of memory");
        for (int i = 0; i < s->n_queries - 1; i++)
            if (!strcasecmp(s->queries[i].name, q->name))
                return wsql_error_at(err, src, len, st->off, "table %s is already written by another query", q->name);
        if ((rc = output_mode(s, q, src, len, st, err))) return rc;
        if (wsql_select_aggregates(sel)) {
            if ((rc = wsql_resolve_agg(sel, &source->schema, &q->agg, &q->select, err))) return rc;
        } else if ((rc = wsql_resolve(sel, &source->schema, &q->select, err)))
            return rc;
        if ((rc = check_streaming_rules(q, sel, src, len, err))) return rc;
        if (sink) {
            if (sink->has_schema) {
                rc = wsql_bound_conform(q->select, &sink->schema, src, len, st->off, sink->name, err);
                if (rc) return rc;
            } else {
                wtype_fini(&sink->schema);
                if (wtype_copy(&sink->schema, &q->select->out_schema))
                    return werr_msg(err, WEIR_NOMEM, "out of memory");
                sink->has_schema = 1;
            }
        }
        return WEIR_OK;
    }
    }
    return WEIR_OK;
}

/* "file:" in front of a line:col message, so that it reads "task1.sql:3:14: ...". */
static void prefix_file(WErr *err, const char *file_name) {
    if (!err || !file_name || !*file_name || err->code == WEIR_NOMEM) return;
    char tmp[WERR_MSG_MAX + 600];
    snprintf(tmp, sizeof tmp, "%.500s:%s", file_name, err->msg);
    memcpy(err->msg, tmp, WERR_MSG_MAX - 1);
    err->msg[WERR_MSG_MAX - 1] = 0;
    size_t fl = strlen(file_name);
    if (fl >= sizeof err->path) fl = sizeof err->path - 1;
    memcpy(err->path, file_name, fl);
    err->path[fl] = 0;
}

int wsql_compile(const char *text, size_t len, const char *file_name, WScript **out, WErr *err) {
    *out = NULL;
    WScript *s = calloc(1, sizeof *s);
    if (!s) return werr_msg(err, WEIR_NOMEM, "out of memory");
    wopts_init(&s->settings);
    s->file_name = xstrdup(file_name ? file_name : "");
    s->text = malloc(len + 1);
    s->time_zone = xstrdup("UTC");
    if (!s->file_name || !s->text || !s->time_zone) {
        wsql_script_free(s);
        return werr_msg(err, WEIR_NOMEM, "out of memory");
    }
    memcpy(s->text, text, len);
    s->text[len] = 0;
    s->len = len;
    WSqlScript *ast = NULL;
    int rc = wsql_parse(text, len, &ast, err);
    if (!rc) {
        int n = ast->n_stmts ? ast->n_stmts : 1;
        /* arrays sized once: plans keep pointers to their tables */
        s->tables = calloc((size_t)n, sizeof *s->tables);
        s->queries = calloc((size_t)n, sizeof *s->queries);
        if (!s->tables || !s->queries) rc = werr_msg(err, WEIR_NOMEM, "out of memory");
        for (int i = 0; i < ast->n_stmts && !rc; i++) rc = compile_stmt(s, ast, ast->stmts[i], err);
    }
    wsql_ast_free(ast);
    if (rc) {
        prefix_file(err, file_name);
        wsql_script_free(s);
        return rc;
    }
    *out = s;
    return WEIR_OK;
}

void wsql_script_free(WScript *s) {
    if (!s) return;
    for (int i = 0; i < s->n_queries; i++) {
        free(s->queries[i].name);
        wsql_bound_free(s->queries[i].select);
        wsql_bound_agg_free(s->queries[i].agg);
    }
    for (int i = 0; i < s->n_tables; i++) {
        free(s->tables[i].name);
        free(s->tables[i].format);
        wopts_fini(&s->tables[i].opts);
        wtype_fini(&s->tables[i].schema);
    }
    free(s->queries);
    free(s->tables);
    wopts_fini(&s->settings);
    free(s->time_zone);
    free(s->text);
    free(s->file_name);
    free(s);
}

static int put_schema(WBuf *out, const WType *t) {
    if (!t->n_fields) return wbuf_puts(out, "(no columns)");
    int rc = wbuf_putc(out, '(');
    rc = rc ? rc : wtype_to_ddl(t, out, 1);
    return rc ? rc : wbuf_putc(out, ')');
}

static const char *const AGG_FN_NAMES[] = {"count(*)", "count", "count(DISTINCT)", "sum", "avg", "min", "max",
                                           "first", "last", "approx_count_distinct"};

/* The aggregation's parts: what the operator reads (pre), its window, keys and calls. */
static int explain_agg(const WBoundAgg *a, WBuf *out) {
    const WBoundSelect *p = a->pre;
    const WType *in = &p->out_schema;
    int rc = WEIR_OK;
    if (p->watermark) {
        rc = wbuf_puts(out, "  watermark ");
        rc = rc ? rc : wsql_bound_print(p->watermark, p->input, out);
        rc = rc ? rc : wbuf_printf(out, " delay %lld microseconds%s\n", (long long)a->delay_us,
                                   a->has_watermark ? "" : " (not on the window's time: no state is evicted by it)");
    }
    if (p->where) {
        rc = rc ? rc : wbuf_puts(out, "  filter ");
        rc = rc ? rc : wsql_bound_print(p->where, p->input, out);
        rc = rc ? rc : wbuf_putc(out, '\n');
    }
    for (int c = a->n_source_cols; c < in->n_fields && !rc; c++) {
        rc = wbuf_printf(out, "  compute %s = ", in->fields[c].name);
        rc = rc ? rc : wsql_bound_print(p->cols[c], p->input, out);
        rc = rc ? rc : wbuf_putc(out, '\n');
    }
    if (a->window_kind == 1)
        rc = rc ? rc : wbuf_printf(out, "  window(%s) size %lld us slide %lld us start %lld us\n",
                                   in->fields[a->ts_col].name, (long long)a->size_us, (long long)a->slide_us,
                                   (long long)a->start_us);
    else if (a->window_kind == 2)
        rc = rc ? rc : wbuf_printf(out, "  session_window(%s) gap %lld us\n", in->fields[a->ts_col].name,
                                   (long long)a->size_us);
    for (int k = 0; k < a->n_keys && !rc; k++) rc = wbuf_printf(out, "  group by %s\n", in->fields[a->key_cols[k]].name);
    for (int i = 0; i < a->n_aggs && !rc; i++) {
        const WAggCall *c = &a->aggs[i];
        rc = wbuf_printf(out, "  aggregate %s = %s", c->name, AGG_FN_NAMES[c->fn]);
        if (c->fn != WAGG_COUNT_STAR) rc = rc ? rc : wbuf_printf(out, "(%s)", in->fields[c->col].name);
        rc = rc ? rc : wbuf_putc(out, '\n');
    }
    return rc;
}

int wsql_explain(const WScript *s, WBuf *out) {
    int rc = wbuf_printf(out, "script %s: %d table%s, %d quer%s, time zone %s\n", s->file_name, s->n_tables,
                         s->n_tables == 1 ? "" : "s", s->n_queries, s->n_queries == 1 ? "y" : "ies", s->time_zone);
    for (int i = 0; i < s->settings.n && !rc; i++)
        rc = wbuf_printf(out, "set %s = '%s'\n", s->settings.items[i].name, s->settings.items[i].value);
    for (int i = 0; i < s->n_tables && !rc; i++) {
        const WTableDef *t = &s->tables[i];
        rc = wbuf_printf(out, "table %s USING %s ", t->name, t->format);
        rc = rc ? rc : put_schema(out, &t->schema);
        rc = rc ? rc : wbuf_putc(out, '\n');
        for (int k = 0; k < t->opts.n && !rc; k++)
            rc = wbuf_printf(out, "  option %s = '%s'\n", t->opts.items[k].name, t->opts.items[k].value);
    }
    for (int i = 0; i < s->n_queries && !rc; i++) {
        const WQueryPlan *q = &s->queries[i];
        const WBoundSelect *b = q->select;
        rc = wbuf_printf(out, "query %s: STREAM(%s) -> %s\n", q->name, q->source->name,
                         q->sink ? q->sink->name : "console");
        rc = rc ? rc : wbuf_printf(out, "  mode %s\n", mode_name(q->mode));
        rc = rc ? rc : wbuf_puts(out, "  output ");
        rc = rc ? rc : put_schema(out, &b->out_schema);
        rc = rc ? rc : wbuf_putc(out, '\n');
        if (q->agg && !rc) rc = explain_agg(q->agg, out);
        if (b->watermark) {
            rc = rc ? rc : wbuf_puts(out, "  watermark ");
            rc = rc ? rc : wsql_bound_print(b->watermark, b->input, out);
            rc = rc ? rc : wbuf_printf(out, " delay %d months %lld microseconds\n", b->wm_delay_months,
                                       (long long)b->wm_delay_micros);
        }
        if (b->where) {
            rc = rc ? rc : wbuf_puts(out, "  filter ");
            rc = rc ? rc : wsql_bound_print(b->where, b->input, out);
            rc = rc ? rc : wbuf_putc(out, '\n');
        }
        for (int c = 0; c < b->out_schema.n_fields && !rc; c++) {
            rc = wbuf_printf(out, "  project %s = ", b->out_schema.fields[c].name);
            rc = rc ? rc : wsql_bound_print(b->cols[c], b->input, out);
            rc = rc ? rc : wbuf_putc(out, '\n');
        }
    }
    return rc;
}
