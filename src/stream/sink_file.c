/*
 * sink_file.c - the file sinks "csv", "json" (JSON Lines) and "parquet": each micro-batch's rows go into
 * files named from the batch id, made durable, then listed in the `_weir_metadata/` manifest
 * (manifest.h). This is the sink half of exactly-once (sink.h):
 *   - names derive from the batch id and a sequence in the batch (part-00007-0000.csv), and the same
 *     input gives the same files, so re-running an uncommitted batch replaces its files, never adds;
 *   - a file is written under a '.'-named temporary name and renamed into place at commit (core/fs);
 *   - the manifest entry of batch N is published (filled, when it was made ahead empty, else renamed into
 *     place) after every file of N is durable under its final name; the entry's own fsync runs after
 *     commit returns, while the next batch runs (sink_prepare says why this is safe); begin(N) of a batch
 *     the manifest already has says skip;
 *   - temporary files of an interrupted attempt are removed when the sink opens.
 * Options (Spark's names): path (required), compression (csv/json: none, gzip, zstd; parquet: its
 * codecs), maxRecordsPerFile (0 = no limit), partitionBy (comma-separated top-level columns: Hive-style
 * col=value/ folders, values escaped as Spark escapes path names, NULL and '' as
 * __HIVE_DEFAULT_PARTITION__, partition columns left out of the files as Spark does), compactInterval
 * (manifest, default 10), retention (Spark's time to live of output files, e.g. '12 hours'; default none:
 * the manifest's entries older than it leave it at its compactions, manifest.h), and the CSV / JSON /
 * Parquet writer options. An empty batch writes no file but
 * is still recorded, so the batch counts as done.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fs.h"
#include "core/num.h"
#include "core/time.h"
#include "core/worker.h"
#include "formats/compress.h"
#include "formats/csv.h"
#include "formats/json.h"
#include "formats/parquet.h"
#include "stream/manifest.h"
#include "stream/trigger.h"
#include "stream/sink.h"

enum { FMT_CSV, FMT_JSON, FMT_PARQUET };
#define MAX_PARTITION_COLS 16

typedef struct OutFile {
    char *part_dir;      /* "" or "col=value/col2=value2/" relative to the sink folder */
    char *rel;           /* path relative to the sink folder */
    int64_t rows;
    int full;            /* maxRecordsPerFile reached: the next row of this partition opens a new file */
    WFileOut out;        /* csv / json */
    WCompressor comp;    /* csv / json: gzip, zstd or none */
    int comp_open;
    WPqWriter *pq;       /* parquet */
    int finished;        /* durable under its final name (prepare); size is then its length */
    int64_t size;
} OutFile;

struct WSink {
    int format;
    char *dir;
    struct WFilePool *pool;  /* spare files (WSinkConfig), or NULL */
    WOpts *opts;
    const WType *schema;     /* the rows given to write() */
    WType data_schema;       /* schema without the partition columns */
    int n_part, part_col[MAX_PARTITION_COLS];
    int *data_col;           /* data_schema field i = schema field data_col[i] */
    int64_t max_records;
    WCompKind compression;
    int64_t compact_interval;
    int64_t retention_ms;    /* option retention, 0: none */
    WWorker *compactor;      /* compacts the manifest in the background (started at the first compaction) */
    int64_t compact_upto;    /* the batch the running compaction covers */
    int64_t compacted_to;    /* the batch the last compaction started covers; -1 (a run's first commit
                              * past compactInterval compacts what an earlier run left) */
    int64_t last_batch;      /* last batch in the manifest */
    WWorker *syncer;         /* fsyncs the data folders (and a staged entry) beside the data's fsyncs */
    WWorker *ensyncer;       /* makes the committed entry durable, while the next batch runs (sink_sync) */
    char *meta_dir;          /* <dir>/_weir_metadata */
    WBuf record;             /* the text of batch record_batch's entry (sink.h: record); -1: none */
    int64_t record_batch;
    WBuf entry_text;         /* the batch's entry as written (sink_finish); becomes record at commit */
    WManifestStage stage;    /* the batch's entry, staged by prepare, published by commit */
    int64_t ahead_upto;      /* manifest entries made ahead (empty) for batches up to this one; -1 */
    WWorker *aheader;        /* makes them, between and beside batches, never waited for by one */
    int64_t ahead_from, ahead_job_upto; /* its job's range (ahead_upto once joined) */
    int64_t commits_done;    /* batches this sink committed since it opened */
    WDirSync created;        /* parents of the folders open created (the sink's, _weir_metadata): fsynced with
                              * the first commit's data folders, not at open (fewer fsyncs to start) */
    WDirSync parts_found;    /* partition folders that existed before this sink used them: their names are
                              * made durable once (used as a set, never run) */
    WManifestFill fill;      /* the batch's entry made ahead, filled by commit, fdatasynced by the syncer */
    WManifestFile *entry;    /* the batch's files as listed in its entry (paths borrowed from files[]) */
    int prepared;            /* the batch's files are published and its entry is being staged */
    int entry_written;       /* sink_finish is done for the batch */
    int fill_entry;          /* its entry was made ahead: commit fills it (else prepare staged one) */
    int64_t batch;           /* the batch being written, -1 between batches */
    int seq;                 /* next file number in the batch */
    WCsvWriter *csv;
    WJsonWriter *json;
    int header;
    OutFile *files;
    int n_files, cap_files;
    WBuf enc, key;
    WBatch sub;
    int sub_init;
};

static const char *const file_ext[] = {"csv", "json", "parquet"};

static int nomem(WErr *err) { return werr_msg(err, WEIR_NOMEM, "out of memory"); }

/* The sink's folder and its parent, to be fsynced by the first commit. */
static int add_own_folders(WSink *s, WErr *err) {
    char *parent = wfs_dir_of(s->dir);
    int rc = parent ? wdirsync_add(&s->created, parent, err) : nomem(err);
    if (!rc) rc = wdirsync_add(&s->created, s->dir, err);
    free(parent);
    return rc;
}

/* A partition folder this sink found in place: the first time, the folders on its path below the sink's
 * (the parents of its name and of its parents' names) go to the next commit's fsyncs. */
static int add_found_partition(WSink *s, const char *part, WErr *err) {
    int n = s->parts_found.n;
    int rc = wdirsync_add(&s->parts_found, part, err);
    if (rc || s->parts_found.n == n) return rc; /* seen before */
    size_t base = strlen(s->dir);
    char *p = strdup(part);
    while (!rc && p && strlen(p) > base) {
        char *parent = wfs_dir_of(p);
        free(p);
        p = parent;
        rc = p ? wdirsync_add(&s->created, p, err) : nomem(err);
    }
    free(p);
    return rc;
}

/* ---- opening: options ---- */

static int parse_partition_by(WSink *s, const char *list, WErr *err) {
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == ',') p++;
        if (!*p) break;
        const char *e = p;
        while (*e && *e != ',') e++;
        const char *t = e;
        while (t > p && t[-1] == ' ') t--;
        int idx = wtype_field_index_ci(s->schema, p, (size_t)(t - p));
        if (idx < 0)
            return werr_msg(err, WEIR_MISUSE, "option partitionBy: no column '%.*s' in the output (%s)", (int)(t - p),
                            p, list);
        if (s->schema->fields[idx].type.id == WT_STRUCT)
            return werr_msg(err, WEIR_MISUSE, "option partitionBy: column '%s' is a STRUCT; partition by its fields "
                            "selected as columns", s->schema->fields[idx].name);
        for (int i = 0; i < s->n_part; i++)
            if (s->part_col[i] == idx)
                return werr_msg(err, WEIR_MISUSE, "option partitionBy: column '%s' is named twice",
                                s->schema->fields[idx].name);
        if (s->n_part == MAX_PARTITION_COLS)
            return werr_msg(err, WEIR_MISUSE, "option partitionBy: at most %d columns", MAX_PARTITION_COLS);
        s->part_col[s->n_part++] = idx;
        p = e;
    }
    if (s->n_part == s->schema->n_fields)
        return werr_msg(err, WEIR_MISUSE, "option partitionBy: every column is a partition column; no data would "
                        "be left to write");
    return WEIR_OK;
}

static int build_data_schema(WSink *s, WErr *err) {
    memset(&s->data_schema, 0, sizeof s->data_schema);
    s->data_schema.id = WT_STRUCT;
    s->data_col = malloc(sizeof(int) * (size_t)(s->schema->n_fields ? s->schema->n_fields : 1));
    if (!s->data_col) return nomem(err);
    int k = 0;
    for (int i = 0; i < s->schema->n_fields; i++) {
        int is_part = 0;
        for (int j = 0; j < s->n_part; j++) is_part |= s->part_col[j] == i;
        if (is_part) continue;
        const WField *f = &s->schema->fields[i];
        if (wtype_add_field(&s->data_schema, f->name, strlen(f->name), &f->type)) return nomem(err);
        s->data_col[k++] = i;
    }
    return WEIR_OK;
}

/* Options the driver, the manifest or this file read, so that the unknown-option check passes them. */
static void mark_known(WOpts *o) {
    static const char *const known[] = {"path", "checkpointLocation", "trigger", "outputMode", "queryName",
                                        "lateRowsPath", "compactInterval", "retention", "maxRecordsPerFile", "partitionBy",
                                        "compression", "rowGroupSize", "pageSize", "dictionaryPageSize",
                                        "dictionary", "pageIndex", "pageVersion", "compressionLevel",
                                        "badRecordsPath", "timeZone"};
    for (size_t i = 0; i < sizeof known / sizeof *known; i++) (void)wopts_get(o, known[i]);
}

static void sink_free(WSink *s);

static int sink_open(const WSinkConfig *cfg, WSink **out, WErr *err) {
    *out = NULL;
    WSink *s = calloc(1, sizeof *s);
    if (!s) return nomem(err);
    wdirsync_init(&s->created);
    wdirsync_init(&s->parts_found);
    s->format = !strcasecmp(cfg->format, "csv") ? FMT_CSV : !strcasecmp(cfg->format, "json") ? FMT_JSON : FMT_PARQUET;
    s->opts = cfg->opts;
    s->schema = cfg->schema;
    s->pool = cfg->pool;
    s->batch = -1;
    s->last_batch = -1;
    s->record_batch = -1;
    wbuf_init(&s->record);
    wbuf_init(&s->entry_text);
    s->ahead_upto = s->ahead_job_upto = -1;
    s->compacted_to = -1;
    s->fill.fd = -1;
    wbuf_init(&s->enc);
    wbuf_init(&s->key);
    int rc = WEIR_OK;
    const char *path = wopts_get(s->opts, "path");
    if (!path || !*path)
        rc = werr_msg(err, WEIR_MISUSE, "a %s sink needs option path (the output folder)", file_ext[s->format]);
    size_t path_len = path ? strlen(path) : 0;
    while (path_len > 1 && path[path_len - 1] == '/') path_len--; /* "out/" is "out": one name per folder */
    if (!rc && !(s->dir = strndup(path, path_len))) rc = nomem(err);
    if (!rc && cfg->time_zone && !wopts_get(s->opts, "timeZone") && wopts_set(s->opts, "timeZone", cfg->time_zone))
        rc = nomem(err);
    if (!rc) rc = wopts_get_int(s->opts, "maxRecordsPerFile", 0, &s->max_records, err);
    if (!rc) rc = wopts_get_int(s->opts, "compactInterval", 10, &s->compact_interval, err);
    if (!rc && s->compact_interval < 1)
        rc = werr_msg(err, WEIR_MISUSE, "option compactInterval: %" PRId64 " must be at least 1", s->compact_interval);
    const char *ret = wopts_get(s->opts, "retention");
    if (!rc && ret && (wdur_parse_ms(ret, &s->retention_ms) || s->retention_ms <= 0))
        rc = werr_msg(err, WEIR_MISUSE, "option retention: '%s' is not a positive duration (e.g. '12 hours', '7d')",
                      ret);
    if (!rc && s->max_records < 0)
        rc = werr_msg(err, WEIR_MISUSE, "option maxRecordsPerFile: %" PRId64 " is negative", s->max_records);
    const char *pb = wopts_get(s->opts, "partitionBy");
    if (!rc && pb) rc = parse_partition_by(s, pb, err);
    if (!rc) rc = build_data_schema(s, err);
    if (!rc && s->format != FMT_PARQUET) {
        rc = wcomp_parse(wopts_get(s->opts, "compression"), &s->compression, err);
    }
    if (!rc && s->format == FMT_CSV) {
        rc = wcsv_writer_open(&s->data_schema, s->opts, &s->csv, err);
        if (!rc) rc = wopts_get_bool(s->opts, "header", 0, &s->header, err);
    }
    if (!rc && s->format == FMT_JSON) rc = wjson_writer_open(&s->data_schema, s->opts, &s->json, err);
    if (!rc) {
        mark_known(s->opts);
        const char *unknown = wopts_first_unused(s->opts);
        if (unknown)
            rc = werr_msg(err, WEIR_MISUSE, "unknown option '%s' for a %s sink", unknown, file_ext[s->format]);
    }
    if (!rc && wbatch_init(&s->sub, &s->data_schema)) rc = nomem(err);
    if (!rc) s->sub_init = 1;
    /* the manifest's folder from the start, so that a reader of the folder knows it for a sink's output
     * before the first commit; their names are made durable by the first commit (commit_dirs) */
    if (!rc && !(s->meta_dir = malloc(strlen(s->dir) + sizeof "/_weir_metadata"))) rc = nomem(err);
    if (!rc) {
        sprintf(s->meta_dir, "%s/_weir_metadata", s->dir);
        rc = wfs_mkdirs_in(s->meta_dir, &s->created, err);
    }
    if (!rc) rc = wfs_remove_temps_tree(s->dir, err); /* of an interrupted attempt */
    if (!rc) {
        WManifest m;
        wmanifest_init(&m);
        rc = wmanifest_read_last(s->dir, &m, err);
        int removed = 0;
        if (!rc) rc = wmanifest_verify_last(s->dir, m.last_batch, &m, &removed, err);
        if (!rc && removed) { /* the last entry's files did not survive a crash: the batch before it */
            wmanifest_fini(&m);
            wmanifest_init(&m);
            rc = wmanifest_read_last(s->dir, &m, err);
        }
        s->last_batch = m.last_batch;
        wmanifest_fini(&m);
        /* its entry's text, for the driver to save with the next plan (sink.h: record): an entry found here
         * may not be durable yet (a run killed right after its commit) */
        if (!rc && s->last_batch >= 0) {
            char path[4400];
            int missing = 0;
            snprintf(path, sizeof path, "%s/%" PRId64, s->meta_dir, s->last_batch);
            rc = wfs_read_file(path, &s->record, &missing, err);
            s->record_batch = missing ? -1 : s->last_batch;
        }
        /* nothing committed yet: the folders may come from an open killed before its first commit, so
         * before their fsyncs; the first commit makes their names durable in any case */
        if (!rc && s->last_batch < 0) rc = add_own_folders(s, err);
        /* entries made ahead by an earlier run, or one cut by a crash while it was filled */
        if (!rc) rc = wmanifest_drop_ahead(s->dir, s->last_batch, err);
    }
    if (rc) {
        sink_free(s);
        return rc;
    }
    *out = s;
    return WEIR_OK;
}

/* ---- one output file ---- */

static void file_drop(OutFile *f) {
    if (f->pq) wpq_writer_abort(f->pq);
    f->pq = NULL;
    if (f->out.tmp_path) wfs_out_abort(&f->out);
    if (f->comp_open) wcomp_close(&f->comp);
    f->comp_open = 0;
    free(f->part_dir);
    free(f->rel);
    memset(f, 0, sizeof *f);
    f->out.fd = -1;
}

static int file_open(WSink *s, const char *part_dir, OutFile **out, WErr *err) {
    if (s->n_files == s->cap_files) {
        int cap = s->cap_files ? s->cap_files * 2 : 4;
        OutFile *nf = realloc(s->files, sizeof *nf * (size_t)cap);
        if (!nf) return nomem(err);
        s->files = nf;
        s->cap_files = cap;
    }
    OutFile *f = &s->files[s->n_files];
    memset(f, 0, sizeof *f);
    f->out.fd = -1;
    WBuf name;
    wbuf_init(&name);
    int rc = wbuf_printf(&name, "%spart-%05" PRId64 "-%04d.%s%s", part_dir, s->batch, s->seq,
                         file_ext[s->format], s->format == FMT_PARQUET ? "" : wcomp_ext(s->compression));
    f->part_dir = strdup(part_dir);
    f->rel = rc ? NULL : strdup(wbuf_cstr(&name));
    wbuf_reset(&name);
    if (!f->part_dir || !f->rel || wbuf_printf(&name, "%s/%s", s->dir, f->rel)) {
        wbuf_fini(&name);
        file_drop(f);
        return nomem(err);
    }
    const char *full = wbuf_cstr(&name);
    rc = WEIR_OK;
    if (*part_dir) {
        /* the partition's folder: full path up to its last '/' */
        char *d = strndup(full, (size_t)(strrchr(full, '/') - full));
        int n_created = s->created.n;
        rc = d ? wfs_mkdirs_in(d, &s->created, err) : nomem(err); /* made durable by commit_dirs */
        /* found, not created: perhaps by a process killed before it committed, so before its fsyncs */
        if (!rc && s->created.n == n_created) rc = add_found_partition(s, d, err);
        free(d);
    }
    if (!rc && s->format == FMT_PARQUET) rc = wpq_writer_open(full, &s->data_schema, s->opts, &f->pq, err);
    if (!rc && s->format != FMT_PARQUET) rc = wfs_out_open_in(&f->out, full, s->pool, err);
    if (!rc && s->format != FMT_PARQUET) {
        rc = wcomp_open(&f->comp, s->compression, err);
        f->comp_open = !rc;
    }
    wbuf_fini(&name);
    if (rc) {
        file_drop(f);
        return rc;
    }
    s->seq++;
    s->n_files++;
    *out = f;
    return WEIR_OK;
}

static int emit_out(void *user, const void *data, size_t len, WErr *err) { return wfs_out_write(user, data, len, err); }

/* Writes encoded text to f, through its compressor; finish = end of the stream. */
static int file_put(WSink *s, OutFile *f, const char *data, size_t len, int finish, WErr *err) {
    (void)s;
    return wcomp_put(&f->comp, data, len, finish, emit_out, &f->out, err);
}

/* Appends the rows of `rows` (data columns only, in s->data_schema) to f. */
static int file_write(WSink *s, OutFile *f, const WBatch *rows, WErr *err) {
    f->rows += wbatch_rows(rows);
    if (s->format == FMT_PARQUET) return wpq_writer_write_batch(f->pq, rows, err);
    wbuf_reset(&s->enc);
    int rc = WEIR_OK;
    if (s->format == FMT_CSV) {
        if (f->out.written == 0 && f->rows == wbatch_rows(rows) && s->header) rc = wcsv_write_header(s->csv, &s->enc, err);
        if (!rc) rc = wcsv_write_batch(s->csv, rows, &s->enc, err);
    } else {
        rc = wjson_write_batch(s->json, rows, &s->enc, err);
    }
    if (!rc) rc = file_put(s, f, s->enc.data, s->enc.len, 0, err);
    return rc;
}

/* Finishes f: compressor flushed, file durable under its final name. Its size is returned in *size. */
static int file_finish(WSink *s, OutFile *f, int64_t *size, WErr *err) {
    int rc = WEIR_OK;
    if (s->format == FMT_PARQUET) {
        WPqWriter *w = f->pq;
        f->pq = NULL;
        rc = wpq_writer_close(w, err);
        if (!rc) {
            WBuf p;
            wbuf_init(&p);
            struct stat st;
            if (wbuf_printf(&p, "%s/%s", s->dir, f->rel) == 0 && stat(wbuf_cstr(&p), &st) == 0) *size = st.st_size;
            else rc = werr_set(err, WEIR_IO, f->rel, -1, -1, -1, "written file vanished: %s", strerror(errno));
            wbuf_fini(&p);
        }
        return rc;
    }
    if (s->compression != WCOMP_NONE) rc = file_put(s, f, "", 0, 1, err);
    *size = f->out.written;
    return rc; /* the bytes are all written; sink_prepare makes them durable */
}

/* ---- partitions ---- */

/* Spark's ExternalCatalogUtils.escapePathName: these characters become %XX. */
static int needs_escape(unsigned char c) {
    return c < 0x20 || c == 0x7f || strchr("\"#%'*/:=?\\{[]^", c) != NULL;
}

static int put_escaped(WBuf *b, const char *s, size_t n) {
    int rc = WEIR_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        unsigned char c = (unsigned char)s[i];
        rc = needs_escape(c) ? wbuf_printf(b, "%%%02X", c) : wbuf_putc(b, (char)c);
    }
    return rc;
}

/* The partition folder of row r: "col=value/..." into s->key. */
static int partition_key(WSink *s, const WBatch *rows, int64_t r) {
    wbuf_reset(&s->key);
    int rc = WEIR_OK;
    for (int j = 0; j < s->n_part && !rc; j++) {
        int c = s->part_col[j];
        const WVec *v = &rows->root.children[c];
        const char *name = s->schema->fields[c].name;
        rc = put_escaped(&s->key, name, strlen(name)) || wbuf_putc(&s->key, '=');
        char tmp[64];
        const char *txt = tmp;
        size_t n = 0;
        if (rc) break;
        if (wvec_is_null(v, r)) {
            txt = "__HIVE_DEFAULT_PARTITION__";
            n = strlen(txt);
        } else {
            switch (v->type->id) {
            case WT_BOOLEAN: txt = wvec_bool(v, r) ? "true" : "false"; n = strlen(txt); break;
            case WT_INT: n = (size_t)snprintf(tmp, sizeof tmp, "%" PRId32, wvec_i32(v, r)); break;
            case WT_BIGINT: n = (size_t)snprintf(tmp, sizeof tmp, "%" PRId64, wvec_i64(v, r)); break;
            case WT_DOUBLE: n = (size_t)wnum_format_double(wvec_f64(v, r), tmp); break;
            case WT_DATE: n = (size_t)wtime_format_date(wvec_i32(v, r), tmp); break;
            case WT_TIMESTAMP: n = (size_t)wtime_format_timestamp(wvec_i64(v, r), NULL, tmp); break;
            case WT_STRING:
                txt = wvec_str(v, r, &n);
                if (n == 0) {
                    txt = "__HIVE_DEFAULT_PARTITION__";
                    n = strlen(txt);
                }
                break;
            default: break;
            }
        }
        rc = put_escaped(&s->key, txt, n) || wbuf_putc(&s->key, '/');
    }
    wbuf_cstr(&s->key);
    return rc;
}

/* The open file of a partition that can take more rows, or NULL. */
static OutFile *find_file(WSink *s, const char *part_dir) {
    for (int i = s->n_files - 1; i >= 0; i--)
        if (!s->files[i].full && strcmp(s->files[i].part_dir, part_dir) == 0) return &s->files[i];
    return NULL;
}

/* Writes rows[from..to) whose partition is s->key (or all of them when unpartitioned), splitting files at
 * maxRecordsPerFile. `idx` lists the rows when not NULL. */
static int write_group(WSink *s, const WBatch *rows, const int64_t *idx, int64_t count, WErr *err) {
    int64_t done = 0;
    const char *part = s->n_part ? s->key.data : "";
    while (done < count) {
        OutFile *f = find_file(s, part);
        int rc = f ? WEIR_OK : file_open(s, part, &f, err);
        if (rc) return rc;
        int64_t take = count - done;
        if (s->max_records > 0 && take > s->max_records - f->rows) take = s->max_records - f->rows;
        if (!idx && s->n_part == 0 && done == 0 && take == count) {
            rc = file_write(s, f, rows, err); /* the common case: the whole batch as it is */
        } else {
            wbatch_reset(&s->sub);
            for (int64_t k = done; k < done + take && !rc; k++) {
                int64_t r = idx ? idx[k] : k;
                rc = wbatch_begin_row(&s->sub);
                for (int c = 0; c < s->data_schema.n_fields && !rc; c++)
                    rc = wvec_append_from(wbatch_col(&s->sub, c), &rows->root.children[s->data_col[c]], r);
            }
            if (rc) return nomem(err);
            rc = file_write(s, f, &s->sub, err);
        }
        if (rc) return rc;
        if (s->max_records > 0 && f->rows >= s->max_records) f->full = 1;
        done += take;
    }
    return WEIR_OK;
}

/* ---- the sink interface ---- */

static void drop_files(WSink *s) {
    for (int i = 0; i < s->n_files; i++) file_drop(&s->files[i]);
    s->n_files = 0;
}

/* Forgets the batch's staged entry (removing its temporary file if it was not published). */
static void unstage(WSink *s) {
    wmanifest_stage_abort(&s->stage);
    s->prepared = 0;
    s->entry_written = 0;
}

static int sink_begin(WSink *s, int64_t batch_id, int *skip, WErr *err) {
    (void)err;
    unstage(s);
    drop_files(s);
    *skip = batch_id <= s->last_batch;
    s->batch = batch_id;
    s->seq = 0;
    return WEIR_OK;
}

typedef struct KeyIndex {
    const char *keys;      /* every row's partition folder, one after another */
    const int64_t *off;    /* row r's key is keys[off[r] .. off[r + 1]) */
} KeyIndex;

static int cmp_rows_by_key(const void *a, const void *b, void *ctx) {
    const KeyIndex *k = ctx;
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    size_t lx = (size_t)(k->off[x + 1] - k->off[x]), ly = (size_t)(k->off[y + 1] - k->off[y]);
    int c = memcmp(k->keys + k->off[x], k->keys + k->off[y], lx < ly ? lx : ly);
    if (c) return c;
    if (lx != ly) return lx < ly ? -1 : 1;
    return (x > y) - (x < y); /* rows of one partition keep their order */
}

static int sink_write(WSink *s, int64_t batch_id, const WBatch *rows, WErr *err) {
    if (batch_id != s->batch) return werr_msg(err, WEIR_MISUSE, "sink write for batch %" PRId64 " inside batch %" PRId64,
                                             batch_id, s->batch);
    int64_t n = wbatch_rows(rows);
    if (n == 0) return WEIR_OK;
    if (s->n_part == 0) return write_group(s, rows, NULL, n, err);
    /* Rows grouped by partition folder (sorted by folder name, so the same input gives the same files). */
    int64_t *idx = malloc(sizeof *idx * (size_t)n);
    int64_t *off = malloc(sizeof *off * (size_t)(n + 1));
    WBuf keys;
    wbuf_init(&keys);
    int rc = (!idx || !off) ? nomem(err) : WEIR_OK;
    for (int64_t r = 0; r < n && !rc; r++) {
        idx[r] = r;
        off[r] = (int64_t)keys.len;
        if (partition_key(s, rows, r) || wbuf_append(&keys, s->key.data, s->key.len)) rc = nomem(err);
    }
    if (!rc) {
        off[n] = (int64_t)keys.len;
        KeyIndex k = {keys.data, off};
        qsort_r(idx, (size_t)n, sizeof *idx, cmp_rows_by_key, &k);
    }
    for (int64_t g = 0; g < n && !rc;) {
        int64_t e = g + 1;
        size_t len = (size_t)(off[idx[g] + 1] - off[idx[g]]);
        const char *key = keys.data + off[idx[g]];
        while (e < n && (size_t)(off[idx[e] + 1] - off[idx[e]]) == len && memcmp(keys.data + off[idx[e]], key, len) == 0)
            e++;
        wbuf_reset(&s->key);
        if (wbuf_append(&s->key, key, len)) rc = nomem(err);
        wbuf_cstr(&s->key);
        if (!rc) rc = write_group(s, rows, idx + g, e - g, err);
        g = e;
    }
    wbuf_fini(&keys);
    free(idx);
    free(off);
    return rc;
}

static int commit_dirs(WSink *s, WErr *err);

/* Round 1 on the syncer thread, while this one fsyncs the data files: the staged entry's bytes (when the
 * batch's entry was not made ahead), then the data folders, which hold the files under their final names. */
static int round1_job(void *arg, WErr *err) {
    WSink *s = arg;
    int rc = s->stage.staged ? wmanifest_stage_sync(&s->stage, err) : WEIR_OK;
    return rc ? rc : commit_dirs(s, err);
}

static int fsync_meta_job(void *arg, WErr *err) {
    WSink *s = arg;
    return wfs_fsync_dir(s->meta_dir, err);
}

/* Waits for worker w's job, if any. rc is the caller's result so far: the job's failure becomes the
 * result only when rc is WEIR_OK (an earlier error keeps its message). */
static int job_join(WWorker *w, int rc, WErr *err) {
    if (!w || !wworker_pending(w)) return rc;
    WErr ignored;
    werr_init(&ignored);
    int job_rc = wworker_wait(w, rc ? &ignored : err);
    return rc ? rc : job_rc;
}

static int syncer_join(WSink *s, int rc, WErr *err) { return job_join(s->syncer, rc, err); }

/* Manifest entries of the next batches made ahead (sink_commit starts it, sink_prepare takes its result
 * when it is done, without waiting). */
#define ENTRIES_AHEAD 8
static int make_ahead_job(void *arg, WErr *err) {
    WSink *s = arg;
    return wmanifest_make_ahead(s->dir, s->ahead_from, s->ahead_job_upto, err);
}

/* The make-ahead job's result, if it is done (1: it is, or there is none). */
static int ahead_joined(WSink *s) {
    if (!s->aheader || !wworker_pending(s->aheader)) return 1;
    if (!wworker_done(s->aheader)) return 0;
    WErr e;
    werr_init(&e);
    if (wworker_wait(s->aheader, &e) == WEIR_OK) s->ahead_upto = s->ahead_job_upto;
    return 1;
}

/* After batch N: entries from N + 2 on (N + 1 may be written at once), when half the window is used;
 * from the second batch this sink commits on, so that a run of one batch (a start, trigger once) neither
 * makes entries nor waits, when it closes, for them to be made. */
static void make_ahead(WSink *s, int64_t n) {
    if (++s->commits_done < 2) return;
    if (s->format == FMT_PARQUET || !ahead_joined(s) || s->ahead_upto >= n + ENTRIES_AHEAD / 2) return;
    if (!s->aheader) {
        if (wworker_open(&s->aheader, NULL) != WEIR_OK) return;
        wworker_set_background(s->aheader);
    }
    s->ahead_from = s->ahead_upto >= n + 2 ? s->ahead_upto + 1 : n + 2;
    s->ahead_job_upto = n + ENTRIES_AHEAD;
    (void)wworker_start(s->aheader, make_ahead_job, s, NULL);
}

static int fill_sync_job(void *arg, WErr *err) { return wmanifest_fill_sync(&((WSink *)arg)->fill, err); }

/* The batch's entry was made ahead (it is there, empty): commit fills it instead of staging one. Decided
 * once, in sink_finish (fill_entry). */
static int entry_ahead(const WSink *s, int64_t batch_id) {
    if (s->format == FMT_PARQUET || batch_id <= s->last_batch || batch_id > s->ahead_upto) return 0;
    char path[4400];
    snprintf(path, sizeof path, "%s/_weir_metadata/%" PRId64, s->dir, batch_id);
    return wfs_file_empty(path);
}

/* The batch's files finished (every byte written) and its manifest entry written under a temporary name:
 * nothing synced yet (sink_prepare). */
static int sink_finish(WSink *s, int64_t batch_id, WErr *err) {
    if (batch_id != s->batch) return werr_msg(err, WEIR_MISUSE, "sink finish for batch %" PRId64 " inside batch %" PRId64,
                                             batch_id, s->batch);
    if (s->stage.staged || s->prepared || s->entry_written) return WEIR_OK;
    int rc = WEIR_OK;
    for (int i = 0; i < s->n_files && !rc; i++) {
        OutFile *f = &s->files[i];
        if (!f->finished) rc = file_finish(s, f, &f->size, err);
        f->finished = !rc;
    }
    free(s->entry);
    s->entry = calloc((size_t)(s->n_files ? s->n_files : 1), sizeof *s->entry);
    if (!rc && !s->entry) rc = nomem(err);
    for (int i = 0; i < s->n_files && !rc; i++) {
        OutFile *f = &s->files[i];
        s->entry[i] = (WManifestFile){f->rel, f->size, f->rows, batch_id};
    }
    if (!rc) rc = wmanifest_entry_text(s->entry, s->n_files, &s->entry_text, err);
    s->fill_entry = !rc && entry_ahead(s, batch_id);
    if (!rc && !s->fill_entry) rc = wmanifest_stage(s->dir, batch_id, &s->entry_text, s->pool, &s->stage, err);
    return rc;
}

/* The batch's files durable under their final names, in one round of fsyncs side by side: the files are
 * renamed into place first (wfs_out_place: nothing trusts a name the manifest does not list), then this
 * thread fsyncs their bytes while the syncer fsyncs their folders (and, when the batch's entry was not
 * made ahead, the staged entry's bytes). Every byte is written before the round begins (sink_finish), so
 * that a journaling file system can commit them together.
 * Commit then publishes the entry (committed for readers) and starts its own fsync on the ensyncer,
 * which nothing waits for but the next commit (and sink_sync): so a batch waits for one round of fsyncs,
 * not two. A crash of the machine can then lose the entry (or cut it) while commits/N, even offsets/N+1,
 * survives. The driver saves the entry's text (sink_record) in offsets/N+1; at start the sink's open drops
 * a cut entry (wmanifest_drop_ahead), and the driver, finding the sink one batch behind its last commit
 * (sink_last_batch), has the sink write the entry back from that text (sink_restore, which checks the
 * files it lists), or, when N + 1 was not planned, runs N again from offsets/N, which writes the same
 * files and entry (driver.c, repair_lost_record). An entry whose files a crash lost or cut (they are
 * durable before it is shown, unless the machine reorders) is still dropped by wmanifest_verify_last. */
static int sink_prepare(WSink *s, int64_t batch_id, WErr *err) {
    if (batch_id != s->batch) return werr_msg(err, WEIR_MISUSE, "sink prepare for batch %" PRId64 " inside batch %" PRId64,
                                             batch_id, s->batch);
    if (s->prepared) return WEIR_OK;
    (void)ahead_joined(s); /* entries made ahead since, if that is done */
    int rc = sink_finish(s, batch_id, err);
    if (!rc) s->entry_written = 1;
    if (!rc && !s->syncer) rc = wworker_open(&s->syncer, err);
    for (int i = 0; i < s->n_files && !rc; i++)
        if (s->files[i].out.tmp_path) rc = wfs_out_place(&s->files[i].out, err);
    if (!rc) rc = wworker_start(s->syncer, round1_job, s, err);
    if (rc) {
        unstage(s);
        return rc;
    }
    for (int i = 0; i < s->n_files && !rc; i++)
        if (s->files[i].out.tmp_path) rc = wfs_out_sync(&s->files[i].out, err);
    rc = syncer_join(s, rc, err);
    for (int i = 0; i < s->n_files && !rc; i++)
        if (s->files[i].out.tmp_path) rc = wfs_out_publish(&s->files[i].out, err); /* placed: releases it */
    if (rc) unstage(s);
    else s->prepared = 1;
    return rc;
}

/* The distinct folders of the batch's files (the sink folder and partition folders), and, at the first
 * commit, the parents of the folders the open created, each fsynced once. */
static int commit_dirs(WSink *s, WErr *err) {
    int rc = WEIR_OK;
    WBuf p;
    wbuf_init(&p);
    /* the Parquet writer's close fsyncs its folder */
    for (int i = 0; i < s->n_files && !rc && s->format != FMT_PARQUET; i++) {
        const char *pd = s->files[i].part_dir ? s->files[i].part_dir : "";
        wbuf_reset(&p);
        if (wbuf_printf(&p, "%s%s%.*s", s->dir, *pd ? "/" : "", (int)(*pd ? strlen(pd) - 1 : 0), pd)) rc = nomem(err);
        else rc = wdirsync_add(&s->created, wbuf_cstr(&p), err); /* kept once */
    }
    wbuf_fini(&p);
    return rc ? rc : wdirsync_run(&s->created, err);
}

static int compact_job(void *arg, WErr *err) {
    WSink *s = arg;
    return wmanifest_compact(s->dir, s->compact_upto, s->retention_ms, err);
}

/* Waits for the compaction in the background, if any; its failure is this call's. */
static int compaction_done(WSink *s, WErr *err) {
    if (!s->compactor || !wworker_pending(s->compactor)) return WEIR_OK;
    WErr e;
    werr_init(&e);
    int rc = wworker_wait(s->compactor, &e);
    if (rc) rc = werr_msg(err, rc, "compacting the manifest of %s: %s", s->dir, e.msg);
    return rc;
}

/* Every compactInterval batches, after batch upto's own entry: a compaction in the background. When the
 * one before is still running (a merge of big segments), the next commit tries again: a batch never
 * waits for one. The one before must have succeeded. */
static int maybe_compact(WSink *s, int64_t upto, WErr *err) {
    if (upto - s->compacted_to < s->compact_interval) return WEIR_OK;
    if (s->compactor && wworker_pending(s->compactor) && !wworker_done(s->compactor)) return WEIR_OK;
    int rc = compaction_done(s, err);
    if (!rc && !s->compactor && !(rc = wworker_open(&s->compactor, err))) wworker_set_background(s->compactor);
    if (rc) return rc;
    s->compact_upto = s->compacted_to = upto;
    return wworker_start(s->compactor, compact_job, s, err);
}

static int sink_commit(WSink *s, int64_t batch_id, WSinkStats *stats, WErr *err) {
    if (batch_id != s->batch) return werr_msg(err, WEIR_MISUSE, "sink commit for batch %" PRId64 " inside batch %" PRId64,
                                             batch_id, s->batch);
    memset(stats, 0, sizeof *stats);
    if (batch_id <= s->last_batch) return WEIR_OK; /* committed before a crash: nothing to do again */
    int rc = sink_prepare(s, batch_id, err); /* a no-op when the driver prepared */
    for (int i = 0; i < s->n_files && !rc; i++) {
        stats->rows += s->files[i].rows;
        stats->bytes += s->files[i].size;
    }
    stats->files = s->n_files;
    /* the batch's own entry first (its commit), then perhaps a compaction (maybe_compact); the entry's
     * fsync runs on the ensyncer while the next batch runs, until sink_sync or the next commit waits for
     * it; its text is kept for the driver (sink.h: record) */
    rc = job_join(s->ensyncer, rc, err); /* the previous entry's */
    if (!rc && !s->ensyncer) rc = wworker_open(&s->ensyncer, err);
    if (!rc) { /* the entry's text becomes the record (swapped, not copied) */
        WBuf t = s->record;
        s->record = s->entry_text;
        s->entry_text = t;
    }
    s->record_batch = rc ? -1 : batch_id;
    if (!rc && s->fill_entry) {
        rc = wmanifest_fill(s->dir, batch_id, &s->record, &s->fill, err);
        if (!rc) rc = wworker_start(s->ensyncer, fill_sync_job, s, err);
    } else {
        if (!rc) rc = wmanifest_publish(&s->stage, err);
        if (!rc) rc = wworker_start(s->ensyncer, fsync_meta_job, s, err);
    }
    if (rc && s->fill.fd >= 0) { /* its job did not run */
        close(s->fill.fd);
        s->fill.fd = -1;
    }
    if (!rc) rc = maybe_compact(s, batch_id, err);
    unstage(s);
    drop_files(s);
    if (!rc) s->last_batch = batch_id;
    s->batch = -1;
    if (!rc) make_ahead(s, batch_id);
    return rc;
}

static void sink_abort(WSink *s, int64_t batch_id) {
    (void)batch_id;
    (void)syncer_join(s, WEIR_IO, NULL); /* the batch is given up: only its job's end matters */
    unstage(s);
    drop_files(s);
    s->batch = -1;
}

static void sink_free(WSink *s) {
    wworker_close(s->compactor); /* a compaction cut short is redone by the next one */
    wworker_close(s->syncer);
    wworker_close(s->ensyncer);
    wworker_close(s->aheader);
    if (s->ahead_upto > s->last_batch || s->ahead_job_upto > s->last_batch) {
        WErr e; /* entries made ahead and not filled: removed (the next open would remove them too) */
        werr_init(&e);
        (void)wmanifest_drop_ahead(s->dir, s->last_batch, &e);
    }
    wmanifest_stage_abort(&s->stage);
    wdirsync_fini(&s->created);
    wdirsync_fini(&s->parts_found);
    free(s->entry);
    drop_files(s);
    free(s->files);
    if (s->csv) wcsv_writer_close(s->csv);
    if (s->json) wjson_writer_close(s->json);
    if (s->sub_init) wbatch_fini(&s->sub);
    wtype_fini(&s->data_schema);
    free(s->data_col);
    wbuf_fini(&s->enc);
    wbuf_fini(&s->key);
    wbuf_fini(&s->record);
    wbuf_fini(&s->entry_text);
    free(s->meta_dir);
    free(s->dir);
    free(s);
}

static void sink_close(WSink *s) {
    if (s) sink_free(s);
}

/* The last committed batch's entry durable (its fsync, started by commit, done). */
static int sink_sync(WSink *s, WErr *err) { return job_join(s->ensyncer, WEIR_OK, err); }

static int64_t sink_last_batch(const WSink *s) { return s->last_batch; }

static int sink_record(const WSink *s, int64_t batch_id, const char **text, size_t *len) {
    if (batch_id < 0 || batch_id != s->record_batch || batch_id != s->last_batch) return -1;
    *text = s->record.data;
    *len = s->record.len;
    return 0;
}

/* The entry of the batch after the last one, lost in a crash, written back from its saved text. */
static int sink_restore(WSink *s, int64_t batch_id, const char *text, size_t len, WErr *err) {
    if (batch_id != s->last_batch + 1)
        return werr_msg(err, WEIR_MISUSE, "restoring the entry of batch %" PRId64 " after batch %" PRId64, batch_id,
                        s->last_batch);
    int rc = wmanifest_restore(s->dir, batch_id, text, len, err);
    if (!rc) {
        wbuf_reset(&s->record);
        if (wbuf_append(&s->record, text, len)) return nomem(err);
        s->last_batch = s->record_batch = batch_id;
    }
    return rc;
}

const WSinkOps wsink_csv_ops = {"csv", sink_open, sink_begin, sink_write, sink_commit, sink_abort, sink_close,
                                sink_prepare, sink_sync, sink_last_batch, sink_record, sink_restore};
const WSinkOps wsink_json_ops = {"json", sink_open, sink_begin, sink_write, sink_commit, sink_abort, sink_close,
                                 sink_prepare, sink_sync, sink_last_batch, sink_record, sink_restore};
const WSinkOps wsink_parquet_ops = {"parquet", sink_open, sink_begin, sink_write, sink_commit, sink_abort,
                                    sink_close, sink_prepare, sink_sync, sink_last_batch, sink_record, sink_restore};
