/*
 * cmd_validate.c - `weir validate [--format json|csv] [--schema DDL] [--option name=value ...] FILE...`
 *
 * Without a schema: checks that each file is well-formed (JSON: one RFC 8259 text of any kind, scalars
 * included, or JSON Lines; CSV: balanced quotes and clean field ends). With a schema: decodes every
 * record against it in FAILFAST mode, so the first record the schema rejects is the file's error.
 * Prints one line per file: "PATH: ok" or the first error as "PATH:LINE:COL (byte N): what".
 * A folder stands for its data files (names starting with '.' or '_' left out).
 * Exit status: 0 when every file is ok, 1 otherwise (also when the folders given hold no file), 2 for
 * bad usage (unknown option or format, bad schema DDL, no argument). The format defaults to csv for
 * names ending in .csv and to json otherwise. With a schema, the decoder alone judges each file (it
 * checks syntax as it goes), so the error shown is the first bad record in file order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli_io.h"
#include "cli/cmd.h"
#include "core/schema.h"
#include "core/vec.h"
#include "formats/csv.h"
#include "formats/json.h"

static void usage(FILE *f) {
    fprintf(f, "usage: weir validate [--format json|csv] [--schema DDL] [--option name=value ...] FILE...\n"
               "Prints \"PATH: ok\" or the first error (line, byte offset) for each file; exit 0 when all are ok,\n"
               "1 otherwise, 2 for bad usage. With --schema, every record is also checked against it.\n");
}

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcasecmp(s + n - m, suffix);
}

/* Decodes the whole file against the schema in FAILFAST mode. */
static int check_records(const char *path, const char *data, size_t len, int csv, WJsonReader *jr, WCsvReader *cr, WBatch *b,
                         WErr *err) {
    int done = 0, rc = WEIR_OK;
    if (csv) wcsv_begin(cr, path, data, len);
    else wjson_begin(jr, path, data, len);
    while (!done && rc == WEIR_OK) {
        wbatch_reset(b);
        rc = csv ? wcsv_next(cr, b, 4096, &done, err) : wjson_next(jr, b, 4096, &done, err);
    }
    return rc;
}

int cmd_validate(int argc, char **argv) {
    const char *format = NULL, *ddl = NULL;
    WOpts opts;
    wopts_init(&opts);
    char **files = NULL;
    int n_files = 0, n_args = 0, status = 0;
    char **args = calloc((size_t)argc + 1, sizeof *args);
    WType schema = {0};
    int have_schema = 0;
    WJsonReader *jr = NULL;
    WCsvReader *cr = NULL;
    WBatch batch;
    int have_batch = 0;
    WFileLoader loader;
    wcli_loader_init(&loader);
    if (!args) return 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            goto done;
        }
        int takes = !strcmp(a, "--format") || !strcmp(a, "--schema") || !strcmp(a, "--option");
        if (takes && i + 1 >= argc) {
            fprintf(stderr, "weir validate: %s needs a value\n", a);
            status = 2;
            goto done;
        }
        if (!strcmp(a, "--format")) format = argv[++i];
        else if (!strcmp(a, "--schema")) ddl = argv[++i];
        else if (!strcmp(a, "--option")) {
            if ((status = wcli_add_option("validate", argv[++i], &opts, NULL))) goto done;
        } else if (!strcmp(a, "--")) {
            while (++i < argc) args[n_args++] = argv[i];
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "weir validate: unknown option '%s'\n", a);
            usage(stderr);
            status = 2;
            goto done;
        } else args[n_args++] = argv[i];
    }
    if (format && strcmp(format, "json") && strcmp(format, "csv")) {
        fprintf(stderr, "weir validate: --format must be json or csv, not '%s'\n", format);
        status = 2;
        goto done;
    }
    if (!n_args) {
        fprintf(stderr, "weir validate: no file given\n");
        usage(stderr);
        status = 2;
        goto done;
    }
    WErr err;
    werr_init(&err);
    if (ddl) {
        if (wschema_parse(ddl, strlen(ddl), &schema, &err)) {
            fprintf(stderr, "weir validate: --schema: %s\n", err.msg);
            status = 2;
            goto done;
        }
        have_schema = 1;
        /* FAILFAST: the first record the schema rejects is the file's error. */
        wopts_set(&opts, "mode", "FAILFAST");
        if (wbatch_init(&batch, &schema)) {
            status = 1;
            goto done;
        }
        have_batch = 1;
    }
    if (wcli_expand_inputs(args, n_args, &files, &n_files, &err)) {
        printf("%s\n", err.msg);
        status = 1;
        goto done;
    }
    if (n_files == 0) { /* only empty folders: nothing was checked, which is not "ok" */
        fprintf(stderr, "weir validate: no files to check (folders are empty)\n");
        status = 1;
    }
    for (int i = 0; i < n_files; i++) {
        const char *path = files[i];
        int csv = format ? !strcmp(format, "csv") : ends_with(path, ".csv");
        werr_init(&err);
        int rc = WEIR_OK;
        if (have_schema && csv && !cr) rc = wcsv_reader_open(&schema, &opts, &cr, &err);
        if (have_schema && !csv && !jr) rc = wjson_reader_open(&schema, &opts, &jr, &err);
        if (rc) {
            fprintf(stderr, "weir validate: %s\n", err.msg);
            status = 2;
            goto done;
        }
        const char *data;
        size_t len;
        rc = wcli_load(&loader, path, &data, &len, &err);
        if (rc == WEIR_OK) {
            /* With a schema the decoder alone judges, in file order, so the first error reported is the
             * first bad record whether its fault is syntax or type. */
            if (have_schema) rc = check_records(path, data, len, csv, jr, cr, &batch, &err);
            else if (csv) rc = wcsv_validate(path, data, len, &opts, &err);
            else rc = wjson_validate(path, data, len, &err);
        }
        if (rc == WEIR_OK) printf("%s: ok\n", path);
        else {
            printf("%s\n", err.msg);
            status = 1;
        }
    }
    /* Only the decoders read every option they know; the bare JSON check reads none. */
    const char *unused = wopts_first_unused(&opts);
    if (unused && (have_schema || (format && !strcmp(format, "csv")))) {
        fprintf(stderr, "weir validate: unknown option '%s'\n", unused);
        status = 2;
    } else if (unused) {
        fprintf(stderr, "weir validate: option '%s' ignored (JSON syntax has no options; give --schema)\n", unused);
    }
done:
    fflush(stdout);
    if (have_batch) wbatch_fini(&batch);
    wjson_reader_close(jr);
    wcsv_reader_close(cr);
    if (have_schema) wtype_fini(&schema);
    wcli_free_list(files, n_files);
    wcli_loader_fini(&loader);
    wopts_fini(&opts);
    free(args);
    return status;
}
