/*
 * batchfile.c - wfmt_write_batch_file (see batchfile.h). Parquet's writer already writes to a temporary
 * name and renames on close; CSV and JSON are encoded into memory, compressed when the compression
 * option says so (formats/compress.h: gzip, zstd, as the file sinks do), and written with
 * wfs_write_atomic (temp file, fsync, rename, fsync of the folder).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/fs.h"
#include "formats/batchfile.h"
#include "formats/compress.h"
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

static int emit_buf(void *user, const void *data, size_t len, WErr *err) {
    return wbuf_append(user, data, len) ? werr_msg(err, WEIR_NOMEM, "out of memory") : WEIR_OK;
}

/* CSV and JSON Lines: the whole file in memory (compressed when asked), then one atomic write. */
static int write_text(const WBatch *b, const char *path, int csv, WOpts *opts, WErr *err) {
    WBuf out, packed;
    wbuf_init(&out);
    wbuf_init(&packed);
    WCsvWriter *cw = NULL;
    WJsonWriter *jw = NULL;
    WCompKind kind = WCOMP_NONE;
    int header = 0;
    int rc = wcomp_parse(wopts_get(opts, "compression"), &kind, err);
    if (rc) goto done;
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
    if (!rc && kind != WCOMP_NONE) {
        WCompressor c;
        rc = wcomp_open(&c, kind, err);
        if (!rc) {
            rc = wcomp_put(&c, out.data ? out.data : "", out.len, 1, emit_buf, &packed, err);
            wcomp_close(&c);
        }
    }
    const WBuf *file = kind != WCOMP_NONE ? &packed : &out;
    if (!rc) rc = wfs_write_atomic(path, file->data ? file->data : "", file->len, err);
done:
    wbuf_fini(&packed);
    if (cw) wcsv_writer_close(cw);
    if (jw) wjson_writer_close(jw);
    wbuf_fini(&out);
    return rc;
}

int wfmt_write_batch_file(const WBatch *b, const char *path, const char *format, WOpts *opts, WErr *err) {
    if (!strcasecmp(format, "parquet")) return write_parquet(b, path, opts, err);
    if (!strcasecmp(format, "csv")) return write_text(b, path, 1, opts, err);
    if (!strcasecmp(format, "jsonl") || !strcasecmp(format, "json")) return write_text(b, path, 0, opts, err);
    return werr_msg(err, WEIR_MISUSE, "format '%s' is not parquet, csv or jsonl", format);
}
