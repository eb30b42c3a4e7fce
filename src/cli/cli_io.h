/*
 * cli_io.h - file plumbing shared by the sub-commands that read and write data files (validate,
 * convert): input lists (a folder stands for its data files), whole-file loading, and output to stdout
 * or to a file that appears atomically (through core/fs).
 */
#ifndef WEIR_CLI_IO_H
#define WEIR_CLI_IO_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/fs.h"
#include "core/opts.h"

/* Loads whole files one after another, as cheaply as the kernel allows: a file up to LOAD_READ_MAX bytes
 * is read into one buffer reused from file to file (no mapping to set up and tear down, which dominates
 * for many small files), a larger one is mapped read-only; files of the folder of the previous file are
 * opened relative to that folder's descriptor, so the kernel does not walk the whole path each time.
 * The bytes of a load are borrowed until the next load or wcli_loader_fini. */
typedef struct WFileLoader {
    char *buf;        /* reused read buffer */
    size_t cap;
    void *map;        /* mapping of the current file, or NULL */
    size_t map_len;
    char *dir;        /* folder of dir_fd, or NULL */
    size_t dir_len;
    int dir_fd;
} WFileLoader;

void wcli_loader_init(WFileLoader *l);
void wcli_loader_fini(WFileLoader *l);
int wcli_load(WFileLoader *l, const char *path, const char **out_data, size_t *out_len, WErr *err);

/* Expands the arguments: a file stays, a folder becomes its regular files in name order, leaving out
 * names that start with '.' or '_' (Spark's hidden files). Caller owns *out (an array of strings);
 * free with wcli_free_list. Fails with a message naming a path that does not exist. */
int wcli_expand_inputs(char **args, int n_args, char ***out, int *out_n, WErr *err);
void wcli_free_list(char **list, int n);

/* Output: path NULL or "-" means stdout; otherwise a core/fs WFileOut (temporary name beside the
 * target, renamed into place by wcli_out_commit after fsync, folder fsynced; wcli_out_abort drops it). */
typedef struct WOutFile {
    int to_file;      /* 0: stdout */
    WFileOut file;
} WOutFile;

int wcli_out_open(WOutFile *o, const char *path, WErr *err);
int wcli_out_write(WOutFile *o, const void *p, size_t n, WErr *err);
int wcli_out_commit(WOutFile *o, WErr *err);
void wcli_out_abort(WOutFile *o);

/* Records one "--option name=value" argument into each of the non-NULL option lists; 0 or 2 (usage). */
int wcli_add_option(const char *cmd, const char *pair, WOpts *a, WOpts *b);

#endif
