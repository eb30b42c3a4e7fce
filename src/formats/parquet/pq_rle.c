/*
 * pq_rle.c - Parquet's RLE / bit-packed hybrid encoding (Encodings.md), used for definition levels,
 * dictionary indices and RLE booleans.
 *
 * Encoder: at each position a run of 8 or more equal values becomes an RLE run; otherwise groups of 8
 * values are bit-packed until the next group boundary where such a run starts. Only the final group
 * is padded (readers stop at the value count the page header gives).
 */
#include "formats/parquet/pq_int.h"

#include <string.h>

#include "weir.h"

int wpq_bit_width(uint32_t max_value) {
    int w = 0;
    while (max_value) {
        w++;
        max_value >>= 1;
    }
    return w;
}

int pq_put_uleb128(WBuf *out, uint64_t v) {
    uint8_t tmp[10];
    int n = 0;
    while (v >= 0x80) {
        tmp[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    tmp[n++] = (uint8_t)v;
    return wbuf_append(out, tmp, (size_t)n);
}

/* Stores x at p as 8 little-endian bytes. */
static inline void store_le64(uint8_t *p, uint64_t x) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, &x, 8);
#else
    for (int q = 0; q < 8; q++) p[q] = (uint8_t)(x >> (8 * q));
#endif
}

#define GET(i) (u8 ? (uint32_t)u8[i] : u32[i])

static inline int64_t run_at(const uint32_t *u32, const uint8_t *u8, int64_t i, int64_t n) {
    uint32_t x = GET(i);
    int64_t j = i + 1;
    if (u8) {
        /* levels: long runs are the rule (a column without NULLs is one run per page), so compare
         * eight bytes at a time until a word differs */
        uint64_t pat = 0x0101010101010101ull * x, word;
        while (j + 8 <= n && (memcpy(&word, u8 + j, 8), word == pat)) j += 8;
    }
    while (j < n && GET(j) == x) j++;
    return j - i;
}

/* Packs `groups` whole groups of 8 values from i at bw (0..8) bits each; inlined with a constant bw. */
static inline __attribute__((always_inline)) void pack_groups(const uint32_t *u32, const uint8_t *u8, int64_t i,
                                                             int64_t groups, int bw, uint8_t *dst) {
    for (int64_t g = 0; g < groups; g++) {
        int64_t k0 = i + g * 8;
        uint64_t word = 0;
        for (int q = 0; q < 8; q++) word |= (uint64_t)GET(k0 + q) << (q * bw);
        store_le64(dst + (size_t)g * (size_t)bw, word);
    }
}

/* Always inlined into the two entry points below, so each gets a copy specialised for its input type
 * (GET's test of u8 disappears from the loops). */
static inline __attribute__((always_inline)) int encode(const uint32_t *u32, const uint8_t *u8, int64_t n, int bw, WBuf *out) {
    int vbytes = (bw + 7) / 8;
    int64_t i = 0;
    while (i < n) {
        int64_t r = run_at(u32, u8, i, n);
        if (r >= 8) {
            if (pq_put_uleb128(out, (uint64_t)r << 1)) return WEIR_NOMEM;
            uint32_t x = GET(i);
            uint8_t b[4] = {(uint8_t)x, (uint8_t)(x >> 8), (uint8_t)(x >> 16), (uint8_t)(x >> 24)};
            if (wbuf_append(out, b, (size_t)vbytes)) return WEIR_NOMEM;
            i += r;
            continue;
        }
        /* bit-packed groups from i */
        int64_t j = i, groups = 0;
        do {
            j += 8;
            groups++;
            /* a run of 8 can start at j only if v[j] == v[j + 7]: checked first, as it rarely holds */
        } while (j < n && (j + 8 > n || GET(j) != GET(j + 7) || run_at(u32, u8, j, j + 8) < 8) && groups < (1 << 20));
        if (pq_put_uleb128(out, (uint64_t)groups << 1 | 1)) return WEIR_NOMEM;
        size_t nbytes = (size_t)groups * (size_t)bw;
        if (wbuf_reserve(out, nbytes + 8)) return WEIR_NOMEM; /* + 8: a group is stored as a whole word */
        uint8_t *dst = (uint8_t *)out->data + out->len;
        uint64_t acc = 0;
        int nacc = 0;
        size_t o = 0;
        if (bw <= 8) {
            /* a group of 8 values fits one 64-bit word: pack it, store the whole word little-endian
             * (the next group overwrites the bytes past bw); whole groups by a copy of the loop for
             * each width, so the shifts are constants */
            int64_t full = (n - i) / 8 < groups ? (n - i) / 8 : groups;
            switch (bw) {
#define PACK_CASE(B)                                                                                    \
    case B: pack_groups(u32, u8, i, full, B, dst); break;
                PACK_CASE(1) PACK_CASE(2) PACK_CASE(3) PACK_CASE(4) PACK_CASE(5) PACK_CASE(6) PACK_CASE(7) PACK_CASE(8)
#undef PACK_CASE
            default: pack_groups(u32, u8, i, full, bw, dst); break;
            }
            o = (size_t)full * (size_t)bw;
            for (int64_t g = full; g < groups; g++) { /* the last, short group */
                uint64_t word = 0;
                int64_t k0 = i + g * 8;
                for (int q = 0; q < 8 && k0 + q < n; q++) word |= (uint64_t)GET(k0 + q) << (q * bw);
                store_le64(dst + o, word);
                o += (size_t)bw;
            }
            out->len += nbytes;
            i = j < n ? j : n;
            continue;
        }
        for (int64_t k = i; k < i + groups * 8; k++) {
            uint64_t x = k < n ? GET(k) : 0;
            acc |= x << nacc;
            nacc += bw;
            while (nacc >= 8) {
                dst[o++] = (uint8_t)acc;
                acc >>= 8;
                nacc -= 8;
            }
        }
        out->len += nbytes;
        i = j < n ? j : n;
    }
    return WEIR_OK;
}

int wrle_encode(const uint32_t *v, int64_t n, int bit_width, WBuf *out) { return encode(v, NULL, n, bit_width, out); }
int wrle_encode_u8(const uint8_t *v, int64_t n, int bit_width, WBuf *out) { return encode(NULL, v, n, bit_width, out); }

int wrle_decode(const uint8_t *p, size_t len, int bw, uint32_t *out, int64_t n, WErr *err) {
    const uint8_t *end = p + len;
    int64_t got = 0;
    if (bw < 0 || bw > 32) return werr_msg(err, WEIR_CORRUPT, "corrupt page: bit width %d", bw);
    int vbytes = (bw + 7) / 8;
    uint64_t mask = bw == 32 ? 0xffffffffu : ((1ull << bw) - 1);
    while (got < n) {
        uint64_t h = 0;
        int shift = 0;
        for (;;) {
            if (p >= end) return werr_msg(err, WEIR_CORRUPT, "corrupt page: RLE data truncated");
            uint8_t b = *p++;
            if (shift > 56) return werr_msg(err, WEIR_CORRUPT, "corrupt page: bad RLE header");
            h |= (uint64_t)(b & 0x7f) << shift;
            shift += 7;
            if (!(b & 0x80)) break;
        }
        if (h & 1) {
            uint64_t count = (h >> 1) * 8;
            if (count == 0) return werr_msg(err, WEIR_CORRUPT, "corrupt page: empty bit-packed run");
            /* bytes this run occupies; a final run may be cut short by the writer only in count */
            uint64_t nbytes = (h >> 1) * (uint64_t)bw;
            uint64_t take = count < (uint64_t)(n - got) ? count : (uint64_t)(n - got);
            uint64_t need_bytes = (take * (uint64_t)bw + 7) / 8;
            if (need_bytes > (uint64_t)(end - p)) return werr_msg(err, WEIR_CORRUPT, "corrupt page: bit-packed run truncated");
            uint64_t acc = 0;
            int nacc = 0;
            const uint8_t *q = p;
            for (uint64_t k = 0; k < take; k++) {
                while (nacc < bw) {
                    acc |= (uint64_t)*q++ << nacc;
                    nacc += 8;
                }
                out[got++] = (uint32_t)(acc & mask);
                acc >>= bw;
                nacc -= bw;
            }
            p += nbytes <= (uint64_t)(end - p) ? nbytes : (uint64_t)(end - p);
        } else {
            uint64_t count = h >> 1;
            if ((uint64_t)(end - p) < (uint64_t)vbytes) return werr_msg(err, WEIR_CORRUPT, "corrupt page: RLE run truncated");
            uint32_t x = 0;
            for (int k = 0; k < vbytes; k++) x |= (uint32_t)p[k] << (8 * k);
            p += vbytes;
            if (count == 0) return werr_msg(err, WEIR_CORRUPT, "corrupt page: empty RLE run");
            uint64_t take = count < (uint64_t)(n - got) ? count : (uint64_t)(n - got);
            for (uint64_t k = 0; k < take; k++) out[got++] = x;
        }
    }
    return WEIR_OK;
}
