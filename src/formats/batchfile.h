/*
 * batchfile.h - one batch to one file as Parquet, CSV or JSON Lines, atomically, with the encoders of this
 * layer and the option names of the file sinks. Shared by the public weir_batch_write (src/api/write.c)
 * and the exec sink (src/stream/sink_exec.c), which hands each micro-batch to a command as a file.
 */
#ifndef WEIR_FORMATS_BATCHFILE_H
#define WEIR_FORMATS_BATCHFILE_H

#include "core/err.h"
#include "core/opts.h"
#include "core/vec.h"

/* Writes all rows of `b` to `path` in `format` ("parquet", "csv", "jsonl" or "json"). The file appears whole
 * or not at all (temporary name, fsync, rename, fsync of the folder). An option in `opts` the writer does
 * not read is an error (WEIR_MISUSE); so is an unknown format. */
int wfmt_write_batch_file(const WBatch *b, const char *path, const char *format, WOpts *opts, WErr *err);

#endif
