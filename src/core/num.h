/*
 * num.h - exact conversions between numbers and text.
 *
 * Doubles print as the shortest decimal that reads back to the same bits, in this layout:
 *   fixed notation when the decimal exponent e (x = d.ddd * 10^e) satisfies -4 <= e < 16, with ".0"
 *   added to integral values: 0.1, 1.0, 3.9000000000000004, 123456789012345.0, 0.0001, -0.0
 *   otherwise scientific, no '+' and no leading zeros in the exponent: 1e16, 1.5e-5, 5e-324,
 *   1.7976931348623157e308
 *   NaN, Infinity, -Infinity as Spark writes them.
 * Parsing accepts every decimal text (any number of digits, any exponent, subnormals, leading '+',
 * ".5", "5.") and NaN / Infinity / Inf (any case, optional sign), and rounds correctly (round half even).
 */
#ifndef WEIR_CORE_NUM_H
#define WEIR_CORE_NUM_H

#include <stddef.h>
#include <stdint.h>

#define WNUM_DOUBLE_MAX 32 /* buffer size that holds any formatted double plus a NUL */

/* Writes x into buf (NUL-terminated); returns the length. */
int wnum_format_double(double x, char *buf);
/* Parses exactly the n bytes at s; WEIR_OK or WEIR_PARSE (not a number, or trailing bytes). */
int wnum_parse_double(const char *s, size_t n, double *out);
/* Decoders' fast path: reads the decimal number at s (before end) of the form [+-]digits[.digits] with 1 to
 * 19 digits in all and no exponent; returns the end of that text with *out set to what wnum_parse_double
 * gives for it, or NULL (nothing set) for any other text or a value near a rounding boundary: the caller
 * then finds the field's end itself and calls wnum_parse_double. */
const char *wnum_scan_double(const char *s, const char *end, double *out);
/* Decimal integers with optional sign; WEIR_PARSE on syntax or overflow. */
int wnum_parse_i64(const char *s, size_t n, int64_t *out);
int wnum_parse_i32(const char *s, size_t n, int32_t *out);
/* Writes v into buf (>= 21 bytes); returns the length. */
int wnum_format_i64(int64_t v, char *buf);
/* "00" "01" ... "99": the two digits of 0..99 at wnum_digits2 + 2 * v (for writers of fixed-width fields). */
extern const char wnum_digits2[201];

#endif
