/*
 * cli_io.h - file plumbing shared by the sub-commands that read and write data files (validate,
 * convert): input lists (a folder stands for its data files), read-only mappings of whole files, and
 * output files that appear atomically (temporary name beside the target, fsync, rename, fsync the folder).
 */
#ifndef WEIR_CLI_IO_H
#define WEIR_CLI_IO_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/opts.h"

/* A whole file mapped read-only (data is "" and len 0 for an empty file). */
typedef struct WMapped {
    const char *data;
    size_t len;
    void *map;        /* mmap base, or NULL */
} WMapped;

int wcli_map(const char *path, WMapped *m, WErr *err);
void wcli_unmap(WMapped *m);

/* Expands the arguments: a file stays, a folder becomes its regular files in name order, leaving out
 * names that start with '.' or '_' (Spark's hidden files). Caller owns *out (an array of strings);
 * free with wcli_free_list. Fails with a message naming a path that does not exist. */
int wcli_expand_inputs(char **args, int n_args, char ***out, int *out_n, WErr *err);
void wcli_free_list(char **list, int n);

/* Output: path NULL or "-" means stdout. Otherwise written to path's folder under .<name>.tmp and
 * renamed into place by wcli_out_commit (which fsyncs file and folder); wcli_out_abort drops it. */
typedef struct WOutFile {
    int fd;
    char *path;       /* final path, or NULL for stdout */
    char *tmp;        /* temporary path */
} WOutFile;

int wcli_out_open(WOutFile *o, const char *path, WErr *err);
int wcli_out_write(WOutFile *o, const void *p, size_t n, WErr *err);
int wcli_out_commit(WOutFile *o, WErr *err);
void wcli_out_abort(WOutFile *o);

/* Records one "--option name=value" argument into each of the non-NULL option lists; 0 or 2 (usage). */
int wcli_add_option(const char *cmd, const char *pair, WOpts *a, WOpts *b);

#endif
