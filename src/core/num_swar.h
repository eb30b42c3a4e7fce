/*
 * num_swar.h - reading ASCII digits eight bytes at a time (SWAR: SIMD within a 64-bit register), shared by
 * the number parser (num.c) and the decoders' integer fast paths (csv_read.c).
 *
 * Only on little-endian machines (byte i of a loaded word is the i-th character); NUM_SWAR is 0 elsewhere
 * and callers keep their byte-wise loops. No branch depends on how many digits there are, which matters
 * when short fields of 1 or 2 digits alternate at random.
 */
#ifndef WEIR_CORE_NUM_SWAR_H
#define WEIR_CORE_NUM_SWAR_H

#include <stdint.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NUM_SWAR 1

static inline uint64_t swar_load8(const char *p) {
    uint64_t x;
    memcpy(&x, p, 8);
    return x;
}

/* How many of the 8 bytes of x, from the first, are ASCII digits (0..8). A byte outside '0'..'9' sets
 * its top bit in x - '0' (below '0') or in x + 0x46 (above '9'); borrows and carries between bytes only
 * start at such a byte and only reach later bytes, so the first flagged byte is exact. */
static inline int swar_digit_count(uint64_t x) {
    uint64_t flag = ((x - UINT64_C(0x3030303030303030)) | (x + UINT64_C(0x4646464646464646))) & UINT64_C(0x8080808080808080);
    return flag ? __builtin_ctzll(flag) >> 3 : 8;
}

/* The number written by the first n (1..8) bytes of x, all digits. */
static inline uint64_t swar_digits_value(uint64_t x, int n) {
    uint64_t v = (x - UINT64_C(0x3030303030303030)) << (64 - 8 * n); /* right-aligned, zeros in front */
    v = v * 10 + (v >> 8);                                            /* byte 2i: digits 2i, 2i+1 */
    return ((v & UINT64_C(0x000000FF000000FF)) * (100 + (UINT64_C(1000000) << 32)) +
            ((v >> 16) & UINT64_C(0x000000FF000000FF)) * (1 + (UINT64_C(10000) << 32))) >> 32;
}
#else
#define NUM_SWAR 0
#endif

#endif
