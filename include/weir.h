/*
 * weir.h - the one public header of weir, a stream-processing engine for event data in files.
 *
 * What is here: the version, the status codes every fallible function returns, and batches: reading
 * the rows a query hands to your code (typed access with NULLs, nested structs), handing them to any
 * Arrow-speaking library without copying (the Arrow C Data Interface), and writing them as Parquet,
 * CSV or JSON Lines; and engines and queries: streaming SQL queries started from C, writing to a table
 * or handing each micro-batch to your callback (Spark's foreachBatch), exactly once.
 *
 * Build against it with pkg-config:  cc app.c $(pkg-config --cflags --libs weir)
 * Only weir_* symbols are exported from libweir.so.
 */
#ifndef WEIR_H
#define WEIR_H

#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WEIR_VERSION_MAJOR 0
#define WEIR_VERSION_MINOR 1
#define WEIR_VERSION_PATCH 0
#define WEIR_VERSION "0.1.0"
/* One integer that grows with every release: MAJOR*10000 + MINOR*100 + PATCH. */
#define WEIR_VERSION_NUMBER (WEIR_VERSION_MAJOR * 10000 + WEIR_VERSION_MINOR * 100 + WEIR_VERSION_PATCH)

#if defined(__GNUC__)
#define WEIR_API __attribute__((visibility("default")))
#else
#define WEIR_API
#endif

/* Status codes. Every fallible function returns WEIR_OK (0) or one of these. */
#define WEIR_OK 0
#define WEIR_NOMEM 1   /* an allocation failed */
#define WEIR_IO 2      /* reading or writing a file failed */
#define WEIR_PARSE 3   /* input data (JSON, CSV, Parquet, schema text) is malformed */
#define WEIR_SQL 4     /* a SQL statement is invalid */
#define WEIR_MISUSE 5  /* the API was called wrongly (bad argument, wrong state) */
#define WEIR_ABORT 6   /* a callback or the user asked to stop */
#define WEIR_CORRUPT 7 /* on-disk state (checkpoint, file metadata) is damaged */
#define WEIR_UNSUPPORTED 8 /* valid input that weir does not handle (yet) */

/* The run-time version, e.g. "0.1.0"; compare with WEIR_VERSION for header/library skew. */
WEIR_API const char *weir_version(void);

/* The name of a status code, e.g. weir_errstr(WEIR_PARSE) == "WEIR_PARSE". Never NULL. */
WEIR_API const char *weir_errstr(int rc);

/* ---------------------------------------------------------------------------------------------------
 * Batches
 *
 * A weir_batch is a set of rows with named, typed columns, held in Apache Arrow's columnar layout. A
 * query gives your code one batch per micro-batch; the batch is read-only. Every value of every column
 * may be NULL. Columns are numbered 0 .. num_columns-1, rows 0 .. num_rows-1.
 *
 * Lifetime: a batch counts references. Whoever receives a batch may keep it beyond the call that gave
 * it with weir_batch_retain, and then must call weir_batch_release once per retain. An Arrow export
 * (weir_batch_to_arrow) holds its own reference until the Arrow consumer releases it, so the memory
 * stays valid as long as either side uses it. Retain and release may be called from any thread;
 * reading a batch from several threads at once is safe (nothing in it changes).
 *
 * Types, and the getter that reads each (a getter called on the wrong type, a bad row or a NULL value
 * returns 0 / false / an empty string; check weir_column_is_null first where NULL matters):
 *
 *   WEIR_TYPE_BOOLEAN    weir_column_bool       true/false as 1/0
 *   WEIR_TYPE_INT        weir_column_int32      32-bit signed integer
 *   WEIR_TYPE_BIGINT     weir_column_int64      64-bit signed integer
 *   WEIR_TYPE_DOUBLE     weir_column_double     IEEE double
 *   WEIR_TYPE_STRING     weir_column_string     UTF-8 bytes with a length (not NUL-terminated)
 *   WEIR_TYPE_DATE       weir_column_date       days since 1970-01-01
 *   WEIR_TYPE_TIMESTAMP  weir_column_timestamp  microseconds since 1970-01-01T00:00:00 UTC
 *   WEIR_TYPE_STRUCT     weir_column_child      named fields, each itself a column of num_rows rows
 *
 * A column is reached with weir_batch_column(batch, i); a struct's fields with weir_column_child(col, i)
 * or weir_column_child_by_name. A NULL struct row has every field NULL in that row too.
 * ------------------------------------------------------------------------------------------------- */

typedef enum weir_type {
    WEIR_TYPE_BOOLEAN = 1,
    WEIR_TYPE_INT,
    WEIR_TYPE_BIGINT,
    WEIR_TYPE_DOUBLE,
    WEIR_TYPE_STRING,
    WEIR_TYPE_DATE,
    WEIR_TYPE_TIMESTAMP,
    WEIR_TYPE_STRUCT
} weir_type;

typedef struct weir_batch weir_batch;
/* A column (or a field of a struct column) of a batch; valid as long as its batch. */
typedef struct weir_column weir_column;

/* Adds a reference (returns the batch), or drops one; the last release frees the batch. NULL is ignored. */
WEIR_API weir_batch *weir_batch_retain(const weir_batch *batch);
WEIR_API void weir_batch_release(const weir_batch *batch);

WEIR_API int64_t weir_batch_num_rows(const weir_batch *batch);
WEIR_API int weir_batch_num_columns(const weir_batch *batch);
/* Column i, or NULL when i is out of range. */
WEIR_API const weir_column *weir_batch_column(const weir_batch *batch, int i);
/* The first column named `name` (exact match), or NULL. */
WEIR_API const weir_column *weir_batch_column_by_name(const weir_batch *batch, const char *name);
/* Shorthands for the top-level column i: its name (NULL when out of range), its type (0 when out of
 * range), whether its value in `row` is NULL (1 also when out of range). */
WEIR_API const char *weir_batch_column_name(const weir_batch *batch, int i);
WEIR_API weir_type weir_batch_column_type(const weir_batch *batch, int i);
WEIR_API int weir_batch_is_null(const weir_batch *batch, int i, int64_t row);

/* A column's name (a struct field's own name, not a dotted path), type and row count. */
WEIR_API const char *weir_column_name(const weir_column *col);
WEIR_API weir_type weir_column_type(const weir_column *col);
WEIR_API int64_t weir_column_num_rows(const weir_column *col);
/* Number of NULL rows in the column. */
WEIR_API int64_t weir_column_null_count(const weir_column *col);
/* Struct fields: their number (0 for other types), field i (NULL when out of range), field by name. */
WEIR_API int weir_column_num_children(const weir_column *col);
WEIR_API const weir_column *weir_column_child(const weir_column *col, int i);
WEIR_API const weir_column *weir_column_child_by_name(const weir_column *col, const char *name);

/* 1 when the value in `row` is NULL (also when row is out of range), else 0. */
WEIR_API int weir_column_is_null(const weir_column *col, int64_t row);
WEIR_API int weir_column_bool(const weir_column *col, int64_t row);
WEIR_API int32_t weir_column_int32(const weir_column *col, int64_t row);
WEIR_API int64_t weir_column_int64(const weir_column *col, int64_t row);
WEIR_API double weir_column_double(const weir_column *col, int64_t row);
/* The bytes of a STRING value, *len set to their count; not NUL-terminated; valid as long as the batch. */
WEIR_API const char *weir_column_string(const weir_column *col, int64_t row, size_t *len);
WEIR_API int32_t weir_column_date(const weir_column *col, int64_t row);
WEIR_API int64_t weir_column_timestamp(const weir_column *col, int64_t row);

/* ---------------------------------------------------------------------------------------------------
 * Arrow C Data Interface (https://arrow.apache.org/docs/format/CDataInterface.html)
 *
 * weir_batch_to_arrow fills `out_array` and `out_schema` with the batch as one Arrow struct array
 * (format "+s") whose children are the columns, without copying any column buffer: DuckDB
 * (duckdb_arrow_scan), Polars, pyarrow (RecordBatch._import_from_c) and nanoarrow read it as it is.
 * Types map to formats: BOOLEAN "b", INT "i", BIGINT "l", DOUBLE "g", STRING "u" (int32 offsets),
 * DATE "tdD", TIMESTAMP "tsu:UTC", STRUCT "+s". Every column is nullable.
 *
 * The two structures are released independently, each exactly once, by calling its `release`
 * (as the specification says, the consumer does that). The batch stays alive until the caller's own
 * reference and both Arrow releases are gone; you may call weir_batch_release right after exporting.
 * Returns WEIR_OK, WEIR_NOMEM, or WEIR_MISUSE for NULL arguments.
 * ------------------------------------------------------------------------------------------------- */

#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

struct ArrowSchema {
  // Array type description
  const char* format;
  const char* name;
  const char* metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema** children;
  struct ArrowSchema* dictionary;

  // Release callback
  void (*release)(struct ArrowSchema*);
  // Opaque producer-specific data
  void* private_data;
};

struct ArrowArray {
  // Array data description
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void** buffers;
  struct ArrowArray** children;
  struct ArrowArray* dictionary;

  // Release callback
  void (*release)(struct ArrowArray*);
  // Opaque producer-specific data
  void* private_data;
};

#endif  // ARROW_C_DATA_INTERFACE

WEIR_API int weir_batch_to_arrow(const weir_batch *batch, struct ArrowArray *out_array,
                                 struct ArrowSchema *out_schema);

/* ---------------------------------------------------------------------------------------------------
 * Writing a batch to a file
 *
 * weir_batch_write writes the whole batch to `path` in `format`:
 *   "parquet"  Apache Parquet; options compression = snappy (default) | zstd | gzip | none, and the
 *              other Parquet writer options of the file sink
 *   "csv"      options header (default false), sep, quote, escape, nullValue, timestampFormat, ...
 *   "jsonl"    JSON Lines, one object per row, nested structs as objects; "json" is accepted too
 *   csv and jsonl take compression = none (default) | gzip | zstd, as the file sinks do (the file is
 *   then a gzip or zstd stream; name it .gz / .zst yourself)
 * `options` is NULL or a NULL-terminated array of name, value pairs: {"header", "true", NULL}. Option
 * names are case-insensitive, as in Spark; an unknown option is an error (WEIR_MISUSE).
 *
 * The file appears whole or not at all: it is written under a temporary name in the same folder,
 * flushed to disk (fsync) and renamed to `path`, replacing an existing file; the folder is synced too.
 * Returns WEIR_OK or an error code; when errmsg is not NULL, *errmsg receives a message on error (free
 * it with weir_free) and NULL on success.
 * ------------------------------------------------------------------------------------------------- */
WEIR_API int weir_batch_write(const weir_batch *batch, const char *path, const char *format,
                              const char *const *options, char **errmsg);

/* ---------------------------------------------------------------------------------------------------
 * Engines and queries
 *
 * An engine holds a session: the tables (CREATE TABLE) and settings (SET) of the Spark-dialect SQL you
 * give it, accumulated over calls, and the options it was opened with. A query is one streaming SQL
 * statement running on its own thread, started from the engine:
 *
 *   INSERT INTO t SELECT ... FROM STREAM(s) ...   writes into table t (USING csv | json | parquet | exec)
 *   SELECT ... FROM STREAM(s) ...                 with a callback: each micro-batch goes to your function
 *                                                 (without one, each batch is printed as Spark's console does)
 *
 * A minimal foreachBatch program (error checks left out; examples/foreach_batch/ has the full one):
 *
 *   static int on_batch(const weir_batch *b, int64_t batch_id, void *user) {
 *       char path[256];
 *       snprintf(path, sizeof path, "out/part-%06lld.parquet", (long long)batch_id);
 *       return weir_batch_write(b, path, "parquet", NULL, NULL);   // non-zero fails the batch
 *   }
 *   weir_engine *e;
 *   const char *opts[] = {"checkpointRoot", "ckpt", "timeZone", "UTC", NULL};
 *   weir_engine_open(opts, &e, NULL);
 *   weir_engine_exec(e, "CREATE TABLE clicks (datetime TIMESTAMP, clicks INT, total_price DOUBLE) "
 *                       "USING csv OPTIONS (path 'in', header true, maxFilesPerTrigger 5)");
 *   const char *qopts[] = {"queryName", "task2", NULL};   // outputMode append: each window once
 *   weir_query *q;
 *   weir_query_start(e, "SELECT sum(clicks) AS Clicks, sum(total_price) AS Total_price, "
 *                       "window.start AS Start, window.end AS `End` FROM STREAM(clicks) "
 *                       "WATERMARK datetime DELAY OF INTERVAL 10 SECONDS "
 *                       "GROUP BY window(datetime, '30 seconds')", qopts, on_batch, NULL, &q);
 *   weir_query_wait(q, -1);              // runs until weir_query_stop (from another thread) or a failure
 *   weir_query_free(q);
 *   weir_engine_close(e);
 *
 * Exactly once, and the callback contract:
 *   - A query remembers in its checkpoint folder which micro-batches it planned (their input files) and
 *     which it committed. After a stop or a crash, starting the same query with the same checkpoint
 *     continues with the first uncommitted batch, with the same batch id and the same rows.
 *   - The callback runs on the query's own thread, one batch at a time, in batch-id order, and only for
 *     batches with at least one row (a batch whose rows were all filtered out is committed without a
 *     call). `batch` is valid during the call; keep it longer with weir_batch_retain.
 *   - Returning 0 commits the batch. Returning non-zero fails it: the batch is not committed, the query
 *     stops with status WEIR_QUERY_FAILED and weir_query_errmsg says "the foreach-batch callback
 *     returned N at batch K"; a restart with the same checkpoint delivers batch K again, and nothing
 *     before it.
 *   - A batch is delivered again only if it was not committed: after a failure, or a crash before weir
 *     recorded the commit (which may be after your callback returned 0). So a callback that keys its
 *     output by batch id (write to a temporary name, then rename to a name made from the id) is exactly
 *     once.
 *
 * Threads: the functions of one engine must not be called concurrently; queries may be stopped, waited
 * for and read from any thread. Engines share nothing: several may run in one process at once. A query
 * keeps everything it needs, so it may outlive its engine.
 * ------------------------------------------------------------------------------------------------- */

typedef struct weir_engine weir_engine;
typedef struct weir_query weir_query;

/* Opens an engine. `options` is NULL or a NULL-terminated array of name, value pairs (names case-
 * insensitive):
 *   checkpointRoot   folder under which a query without its own checkpoint location keeps one, in
 *                    <checkpointRoot>/<query name> (as SET weir.checkpointRoot does)
 *   timeZone         the session time zone (spark.sql.session.timeZone), e.g. "UTC" (the default) or
 *                    "Europe/Paris": zone-less timestamps in text are read and written in it
 * Returns WEIR_OK and *out_engine, or an error (WEIR_MISUSE for an unknown option or bad value); when
 * errmsg is not NULL, *errmsg receives a message on error (free it with weir_free) and NULL on success. */
WEIR_API int weir_engine_open(const char *const *options, weir_engine **out_engine, char **errmsg);

/* Frees the engine (NULL is ignored). Running queries are not affected. */
WEIR_API void weir_engine_close(weir_engine *engine);

/* Runs CREATE TABLE and SET statements (one or more, separated by ';'); tables and settings accumulate
 * across calls and are known to later statements and queries. A query statement here is an error (use
 * weir_query_start). On error nothing of `sql` is kept, and weir_engine_errmsg tells why, with the
 * line:column in `sql` as the compiler gives it ("2:14: unknown type ..."), followed by the offending
 * line and a caret. Returns WEIR_OK, WEIR_SQL, WEIR_MISUSE or WEIR_NOMEM. */
WEIR_API int weir_engine_exec(weir_engine *engine, const char *sql);

/* The message of the engine's last failed call ("" after a success); valid until the next call. */
WEIR_API const char *weir_engine_errmsg(const weir_engine *engine);

/* The foreachBatch callback: see the contract above. Return 0 to commit the batch, non-zero to fail it. */
typedef int (*weir_batch_fn)(const weir_batch *batch, int64_t batch_id, void *user);

/* Starts a streaming query from one SQL statement (see above) on a new thread and returns at once.
 * `options`: NULL or a NULL-terminated array of name, value pairs (names case-insensitive):
 *   queryName            the query's name in progress and messages; default: the sink table's name
 *   checkpointLocation   the query's checkpoint folder; default: the table's checkpointLocation option,
 *                        else <checkpointRoot>/<query name> (engine option or SET weir.checkpointRoot).
 *                        A callback query needs checkpointLocation, or a queryName and a checkpoint root:
 *                        exactly once needs somewhere to remember what was committed.
 *   trigger              "0" / unset: a batch as soon as new files land; an interval ("1 second"): at most
 *                        one batch per interval; "once": one batch of everything present, then finish;
 *                        "availableNow": everything present at start, in batches, then finish
 *   outputMode           "append" (default), "update" or "complete", for an aggregation (GROUP BY): as
 *                        the sink option of the same name, with Spark's rules (append needs a WATERMARK
 *                        on the window's time column, complete needs an aggregation)
 * `fn` (with `user`) is the callback of a bare SELECT; it must be NULL for INSERT INTO.
 * Returns WEIR_OK and *out_query, or an error with weir_engine_errmsg saying why (SQL errors point into
 * `sql` as in weir_engine_exec). Errors while running (a missing folder, a failing callback) are reported
 * by the query: weir_query_status and weir_query_errmsg. */
WEIR_API int weir_query_start(weir_engine *engine, const char *sql, const char *const *options, weir_batch_fn fn,
                              void *user, weir_query **out_query);

typedef enum weir_query_state {
    WEIR_QUERY_RUNNING = 1, /* started, not ended yet */
    WEIR_QUERY_STOPPED,     /* ended because weir_query_stop asked */
    WEIR_QUERY_FAILED,      /* ended by an error (weir_query_errmsg); what was committed stays committed */
    WEIR_QUERY_FINISHED     /* ended by itself: trigger once / availableNow had nothing more to do */
} weir_query_state;

/* Asks the query to stop after the batch in progress (if any) is committed; returns at once. */
WEIR_API void weir_query_stop(weir_query *query);

/* Waits until the query has ended or timeout_ms milliseconds passed (-1: no limit, 0: just look), and
 * returns its status. */
WEIR_API weir_query_state weir_query_wait(weir_query *query, int64_t timeout_ms);

/* The status now. */
WEIR_API weir_query_state weir_query_status(weir_query *query);

/* The progress of the last completed batch as one JSON object (Spark's StreamingQueryProgress fields:
 * id, runId, name, batchId, numInputRows, durationMs, sources, sink, ...), or NULL before the first batch.
 * The text is a copy: free it with weir_free. */
WEIR_API char *weir_query_last_progress(weir_query *query);

/* Why the query failed ("" unless its status is WEIR_QUERY_FAILED); valid until weir_query_free. */
WEIR_API const char *weir_query_errmsg(weir_query *query);

/* Stops the query if it runs, waits for its thread to end and frees it. NULL is ignored. */
WEIR_API void weir_query_free(weir_query *query);

/* Frees memory weir handed to you (error messages, progress text). NULL is ignored. */
WEIR_API void weir_free(void *p);

#ifdef __cplusplus
}
#endif
#endif /* WEIR_H */
