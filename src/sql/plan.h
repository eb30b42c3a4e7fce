/*
 * plan.h - a weir SQL script compiled into what the stream layer runs: the tables it declares, the session
 * settings, and one plan per streaming query. This is the contract between the sql layer (which builds it)
 * and the stream layer (which runs it); the exec layer evaluates each query's select (exec/project.h).
 *
 *   CREATE TABLE t [(cols)] USING fmt OPTIONS (...)   -> a WTableDef
 *   SET name = value                                  -> settings (spark.sql.session.timeZone / timezone
 *                                                       also set time_zone)
 *   INSERT INTO t SELECT ... FROM STREAM(s) ...       -> a WQueryPlan with sink t
 *   SELECT ... FROM STREAM(s) ...                     -> a WQueryPlan with the console sink (sink NULL)
 *   ... GROUP BY window(ts, ...), k                   -> the same with agg set (resolve.h, WBoundAgg)
 *
 * The rules of streaming are checked here, as Spark's UnsupportedOperationChecker does: complete mode needs
 * an aggregation; append mode with an aggregation needs a WATERMARK on the time column of a window() or
 * session_window() in GROUP BY (so that a window can be known final); outputMode is append, update or
 * complete. Unlike Spark, file sinks take update and complete too (each batch's output is that batch's
 * files: the changed rows, or the whole result).
 *
 * A table written by a query without declared columns takes the query's output schema (has_schema is then
 * set by the compiler). Everything is owned by the WScript and freed with wsql_script_free().
 */
#ifndef WEIR_SQL_PLAN_H
#define WEIR_SQL_PLAN_H

#include <stddef.h>

#include "core/err.h"
#include "core/opts.h"
#include "core/schema.h"

#include "sql/resolve.h"

typedef struct WTableDef {
    char *name;          /* as declared; table names are case-insensitive */
    char *format;        /* lower case: "json", "csv", "parquet", "exec", ... as written after USING */
    WOpts opts;          /* OPTIONS (...), values as text (path, checkpointLocation, header, ...) */
    WType schema;        /* STRUCT of the declared columns (or the writing query's output) */
    int has_schema;      /* 0: no columns declared and no query writes the table */
    size_t off;          /* byte offset of the statement in the script, for messages */
} WTableDef;

typedef struct WQueryPlan {
    char *name;                  /* the sink table's name, or "console_<n>" for a bare SELECT */
    const WTableDef *source;     /* the table in STREAM(...) */
    const WTableDef *sink;       /* NULL: print each batch to the terminal (Spark's console sink) */
    WBoundSelect *select;        /* resolved against source->schema (an aggregation: against agg->agg_out,
                                    the operator's output); its out_schema is the output schema */
    WBoundAgg *agg;              /* NULL for a stateless query; else the aggregation before `select` */
    WOutputMode mode;            /* the sink's outputMode option (or SET weir.outputMode): append unless set */
    size_t off;                  /* byte offset of the statement */
} WQueryPlan;

typedef struct WScript {
    char *file_name;             /* for messages ("task1.sql:3:14: ...") */
    char *text;                  /* the script's text (owned copy) */
    size_t len;
    char *time_zone;             /* session time zone: "UTC" unless SET */
    WOpts settings;              /* every SET name = value, in order (later SETs replace earlier) */
    WTableDef *tables;
    int n_tables;
    WQueryPlan *queries;
    int n_queries;
} WScript;

/* Parses, resolves and plans a whole script. Errors carry the script's file name, line:column and a caret
 * line under the offending text (err->msg), and say what was expected. */
int wsql_compile(const char *text, size_t len, const char *file_name, WScript **out, WErr *err);
void wsql_script_free(WScript *s);

/* A readable description of the script's plan (tables, settings, each query's output schema and
 * expressions), as `weir check` prints it. */
struct WBuf;
int wsql_explain(const WScript *s, struct WBuf *out);

#endif
