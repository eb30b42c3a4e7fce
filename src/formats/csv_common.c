/*
 * csv_common.c - the CSV dialect shared by reader and writer (see csv_internal.h): Spark's option
 * names, their defaults and their checks, read once when a reader or writer is opened.
 *
 * Choices: `sep` (alias `delimiter`) may be several bytes, like Spark 3; "\t" is accepted as an escape.
 * `lineSep` is one byte (as Spark requires for CSV); "\r\n" is accepted and means the default (LF, CRLF
 * and CR all end rows when reading; the writer then writes CRLF). quote and escape must differ from
 * the separator and from the line separator.
 */
#include "formats/csv_internal.h"

#include <stdlib.h>
#include <string.h>

#include "weir.h"

static int unescape_opt(const char *v, char *out, int cap, int *out_len) {
    int n = 0;
    for (size_t i = 0; v[i]; i++) {
        char c = v[i];
        if (c == '\\' && v[i + 1]) {
            switch (v[i + 1]) {
            case 't': c = '\t'; i++; break;
            case 'n': c = '\n'; i++; break;
            case 'r': c = '\r'; i++; break;
            case '\\': c = '\\'; i++; break;
            default: break;
            }
        }
        if (n >= cap) return WEIR_MISUSE;
        out[n++] = c;
    }
    *out_len = n;
    return WEIR_OK;
}

static char *dupstr(const char *s, size_t *len) {
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d) memcpy(d, s, n + 1);
    *len = n;
    return d;
}

int wcsv_dialect_init(WCsvDialect *d, WOpts *opts, int for_write, WErr *err) {
    memset(d, 0, sizeof *d);
    d->quote = d->escape = d->comment = d->line_sep = -1;
    int rc, c;

    const char *sep = wopts_get(opts, "sep");
    const char *alias = wopts_get(opts, "delimiter");
    if (!sep) sep = alias ? alias : ",";
    if (unescape_opt(sep, d->sep, WCSV_SEP_MAX, &d->sep_len) || d->sep_len == 0)
        return werr_msg(err, WEIR_MISUSE, "option sep: '%s' must be 1 to %d characters", sep, WCSV_SEP_MAX);

    if ((rc = wopts_get_char(opts, "quote", '"', &c, err))) return rc;
    d->quote = c ? c : -1;
    if ((rc = wopts_get_char(opts, "escape", '\\', &c, err))) return rc;
    d->escape = c ? c : -1;
    if ((rc = wopts_get_char(opts, "comment", 0, &c, err))) return rc;
    d->comment = c ? c : -1;

    const char *ls = wopts_get(opts, "lineSep");
    if (ls) {
        char b[4];
        int n;
        if (unescape_opt(ls, b, 2, &n) || n == 0)
            return werr_msg(err, WEIR_MISUSE, "option lineSep: '%s' must be one character (or \\r\\n)", ls);
        if (n == 2 && !(b[0] == '\r' && b[1] == '\n'))
            return werr_msg(err, WEIR_MISUSE, "option lineSep: '%s' must be one character (or \\r\\n)", ls);
        d->line_sep = n == 1 ? (unsigned char)b[0] : -2; /* -2: CRLF when writing, default when reading */
    }
    unsigned char s0 = (unsigned char)d->sep[0];
    if (d->quote >= 0 && (d->quote == s0 || d->quote == d->line_sep || d->quote == '\n' || d->quote == '\r'))
        return werr_msg(err, WEIR_MISUSE, "option quote: '%c' clashes with the separator or line separator",
                        d->quote);
    if (d->escape >= 0 && (d->escape == s0 || d->escape == '\n' || d->escape == '\r' || d->escape == d->line_sep))
        return werr_msg(err, WEIR_MISUSE, "option escape: '%c' clashes with the separator or line separator",
                        d->escape);
    if (s0 == '\n' || s0 == '\r' || (int)s0 == d->line_sep)
        return werr_msg(err, WEIR_MISUSE, "option sep: a line separator cannot be the field separator");

    if ((rc = wopts_get_bool(opts, "header", 0, &d->header, err))) return rc;
    if ((rc = wopts_get_bool(opts, "ignoreLeadingWhiteSpace", 0, &d->ignore_lead, err))) return rc;
    if ((rc = wopts_get_bool(opts, "ignoreTrailingWhiteSpace", 0, &d->ignore_trail, err))) return rc;

    const char *nv = wopts_get(opts, "nullValue");
    if (!(d->null_value = dupstr(nv ? nv : "", &d->null_len))) return werr_msg(err, WEIR_NOMEM, "out of memory");
    const char *ev = wopts_get(opts, "emptyValue");
    if (ev && !(d->empty_value = dupstr(ev, &d->empty_len))) return werr_msg(err, WEIR_NOMEM, "out of memory");

    const char *tzname = wopts_get(opts, "timeZone");
    if ((rc = wtz_open(tzname ? tzname : "UTC", &d->tz, err))) return rc;
    const char *tf = wopts_get(opts, "timestampFormat");
    if (tf && (rc = wtimefmt_compile(tf, &d->ts_fmt, err))) return rc;
    const char *df = wopts_get(opts, "dateFormat");
    if (df && (rc = wtimefmt_compile(df, &d->date_fmt, err))) return rc;
    const char *names[3] = {"nanValue", "positiveInf", "negativeInf"};
    char **dst[3] = {&d->nan_value, &d->pos_inf, &d->neg_inf};
    for (int i = 0; i < 3; i++) {
        const char *v = wopts_get(opts, names[i]);
        size_t n;
        if (v && !(*dst[i] = dupstr(v, &n))) return werr_msg(err, WEIR_NOMEM, "out of memory");
    }
    uint64_t ones = 0x0101010101010101ULL;
    d->bcast[0] = ones * (unsigned char)d->sep[0];
    d->bcast[1] = ones * (unsigned)(d->line_sep >= 0 ? d->line_sep : '\n');
    d->bcast[2] = ones * (unsigned)(d->line_sep >= 0 ? d->line_sep : '\r');
    (void)for_write;
    return WEIR_OK;
}

void wcsv_dialect_fini(WCsvDialect *d) {
    free(d->null_value);
    free(d->empty_value);
    free(d->nan_value);
    free(d->pos_inf);
    free(d->neg_inf);
    wtz_free(d->tz);
    wtimefmt_free(d->ts_fmt);
    wtimefmt_free(d->date_fmt);
    memset(d, 0, sizeof *d);
}
