/*
 * write.c - weir_batch_write: one batch to one file as Parquet, CSV or JSON Lines, with the writers of
 * src/formats and the same option names as the file sinks. The file is made atomically: Parquet's
 * writer already writes to a temporary name and renames on close; CSV and JSON are encoded into memory
 * and written with wfs_write_atomic (temp file, fsync, rename, fsync of the folder).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/batch_int.h"
#include "api/batch_priv.h"
#include "core/buf.h"
#include "core/fs.h"
#include "core/opts.h"
#include "formats/csv.h"
#include "formats/json.h"
#include "formats/parquet.h"

static int write_parquet(const WBatch *b, const char *path, WOpts *opts, WErr *err) {
    WPqWriter *w = NULL;
    int rc = wpq_writer_open(path, b->schema, opts, &w, err);
    if (rc) return rc;
    const char *unknown = wopts_first_unused(opts);
    if (unknown) rc = werr_msg(err, WEIR_MISUSE, "unknown option '%s' for parquet", unknown);
    if (!rc) rc = wpq_writer_write_batch(w, b, err);
    if (rc) {
        wpq_writer_abort(w);
        return rc;
    }
    return wpq_writer_close(w, err);
}

/* CSV and JSON Lines: the whole file in memory, then one atomic write. */
static int write_text(const WBatch *b, const char *path, int csv, WOpts *opts, WErr *err) {
    WBuf out;
    wbuf_init(&out);
    WCsvWriter *cw = NULL;
    WJsonWriter *jw = NULL;
    int header = 0, rc;
    /* The sinks compress text files themselves; this helper writes them plain. */
    const char *comp = wopts_get(opts, "compression");
    if (comp && strcasecmp(comp, "none") && strcasecmp(comp, "uncompressed")) {
        rc = werr_msg(err, WEIR_UNSUPPORTED, "option compression: weir_batch_write writes %s uncompressed, not '%s'",
                      csv ? "csv" : "jsonl", comp);
        goto done;
    }
    if (csv) {
        rc = wcsv_writer_open(b->schema, opts, &cw, err);
        if (!rc) rc = wopts_get_bool(opts, "header", 0, &header, err);
    } else {
        rc = wjson_writer_open(b->schema, opts, &jw, err);
    }
    if (!rc) {
        const char *unknown = wopts_first_unused(opts);
        if (unknown) rc = werr_msg(err, WEIR_MISUSE, "unknown option '%s' for %s", unknown, csv ? "csv" : "jsonl");
    }
    if (!rc && csv && header) rc = wcsv_write_header(cw, &out, err);
    if (!rc) rc = csv ? wcsv_write_batch(cw, b, &out, err) : wjson_write_batch(jw, b, &out, err);
    if (!rc) rc = wfs_write_atomic(path, out.data ? out.data : "", out.len, err);
done:
    if (cw) wcsv_writer_close(cw);
    if (jw) wjson_writer_close(jw);
    wbuf_fini(&out);
    return rc;
}

int weir_batch_write(const weir_batch *batch, const char *path, const char *format, const char *const *options,
                     char **errmsg) {
    WErr err;
    werr_init(&err);
    WOpts opts;
    wopts_init(&opts);
    int rc = WEIR_OK;
    if (errmsg) *errmsg = NULL;
    if (!batch || !path || !format) {
        rc = werr_msg(&err, WEIR_MISUSE, "weir_batch_write: batch, path and format must not be NULL");
        goto done;
    }
    for (size_t i = 0; options && options[i]; i += 2) {
        if (!options[i + 1]) {
            rc = werr_msg(&err, WEIR_MISUSE, "option '%s' has no value (options are name, value pairs)", options[i]);
            goto done;
        }
        if (wopts_set(&opts, options[i], options[i + 1])) {
            rc = werr_msg(&err, WEIR_NOMEM, "out of memory");
            goto done;
        }
    }
    if (!strcasecmp(format, "parquet")) rc = write_parquet(batch->b, path, &opts, &err);
    else if (!strcasecmp(format, "csv")) rc = write_text(batch->b, path, 1, &opts, &err);
    else if (!strcasecmp(format, "jsonl") || !strcasecmp(format, "json")) rc = write_text(batch->b, path, 0, &opts, &err);
    else rc = werr_msg(&err, WEIR_MISUSE, "format '%s' is not parquet, csv or jsonl", format);
done:
    if (rc && errmsg) *errmsg = strdup(err.msg[0] ? err.msg : weir_errstr(rc));
    wopts_fini(&opts);
    return rc;
}
