/*
 * badrec.c - parse-mode option shared by the decoders (see badrec.h).
 */
#include "formats/badrec.h"

#include <strings.h>

int wparse_mode_from_opts(WOpts *opts, WParseMode *out, WErr *err) {
    const char *m = wopts_get(opts, "mode");
    *out = WMODE_PERMISSIVE;
    if (!m || !strcasecmp(m, "PERMISSIVE")) return WEIR_OK;
    if (!strcasecmp(m, "DROPMALFORMED")) { *out = WMODE_DROPMALFORMED; return WEIR_OK; }
    if (!strcasecmp(m, "FAILFAST")) { *out = WMODE_FAILFAST; return WEIR_OK; }
    return werr_msg(err, WEIR_MISUSE, "option mode: '%s' is not PERMISSIVE, DROPMALFORMED or FAILFAST", m);
}
