/*
 * write.c - weir_batch_write: one batch to one file as Parquet, CSV or JSON Lines, through
 * wfmt_write_batch_file (src/formats/batchfile.c, shared with the exec sink) with the same option names as
 * the file sinks; this file only turns the public name/value array into options and the error into text.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/batch_int.h"
#include "api/batch_priv.h"
#include "core/opts.h"
#include "formats/batchfile.h"

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
    rc = wfmt_write_batch_file(batch->b, path, format, &opts, &err);
done:
    if (rc && errmsg) *errmsg = strdup(err.msg[0] ? err.msg : weir_errstr(rc));
    wopts_fini(&opts);
    return rc;
}
