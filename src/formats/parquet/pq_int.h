/*
 * pq_int.h - private interfaces shared by the files of src/formats/parquet/: the Thrift compact
 * protocol (pq_thrift.c), the RLE/bit-packed hybrid (pq_rle.c), page compression (pq_codec.c) and
 * the enum values of parquet.thrift. Only parquet.h is seen outside this folder.
 */
#ifndef WEIR_FORMATS_PARQUET_INT_H
#define WEIR_FORMATS_PARQUET_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/schema.h"

/* parquet.thrift enums */
enum { PQ_BOOLEAN = 0, PQ_INT32 = 1, PQ_INT64 = 2, PQ_INT96 = 3, PQ_FLOAT = 4, PQ_DOUBLE = 5,
       PQ_BYTE_ARRAY = 6, PQ_FIXED = 7 };
enum { PQ_REQUIRED = 0, PQ_OPTIONAL = 1, PQ_REPEATED = 2 };
enum { PQ_ENC_PLAIN = 0, PQ_ENC_PLAIN_DICT = 2, PQ_ENC_RLE = 3, PQ_ENC_BIT_PACKED = 4, PQ_ENC_DELTA_BP = 5,
       PQ_ENC_DELTA_LBA = 6, PQ_ENC_DELTA_BA = 7, PQ_ENC_RLE_DICT = 8, PQ_ENC_BSS = 9 };
enum { PQ_CODEC_NONE = 0, PQ_CODEC_SNAPPY = 1, PQ_CODEC_GZIP = 2, PQ_CODEC_LZO = 3, PQ_CODEC_BROTLI = 4,
       PQ_CODEC_LZ4 = 5, PQ_CODEC_ZSTD = 6, PQ_CODEC_LZ4_RAW = 7 };
enum { PQ_PAGE_DATA = 0, PQ_PAGE_INDEX = 1, PQ_PAGE_DICT = 2, PQ_PAGE_DATA_V2 = 3 };
enum { PQ_CT_UTF8 = 0, PQ_CT_DATE = 6, PQ_CT_TIMESTAMP_MILLIS = 9, PQ_CT_TIMESTAMP_MICROS = 10,
       PQ_CT_INT_8 = 15, PQ_CT_INT_16 = 16, PQ_CT_INT_32 = 17, PQ_CT_INT_64 = 18 };

/* ---- Thrift compact protocol: encoder ---- */
enum { TC_STOP = 0, TC_TRUE = 1, TC_FALSE = 2, TC_BYTE = 3, TC_I16 = 4, TC_I32 = 5, TC_I64 = 6,
       TC_DOUBLE = 7, TC_BINARY = 8, TC_LIST = 9, TC_SET = 10, TC_MAP = 11, TC_STRUCT = 12 };

#define WTW_MAX_DEPTH 32
typedef struct WTw {
    WBuf *out;
    int depth;
    int16_t last[WTW_MAX_DEPTH]; /* last field id per open struct */
    int err;                     /* sticky WEIR_NOMEM / WEIR_MISUSE */
} WTw;

void wtw_init(WTw *w, WBuf *out);
void wtw_i32(WTw *w, int id, int32_t v);
void wtw_i64(WTw *w, int id, int64_t v);
void wtw_bool(WTw *w, int id, int v);
void wtw_byte(WTw *w, int id, int8_t v);
void wtw_bin(WTw *w, int id, const void *p, size_t n);
void wtw_str(WTw *w, int id, const char *s);
void wtw_struct_begin(WTw *w, int id);       /* a struct-typed field */
void wtw_struct_end(WTw *w);                 /* writes STOP */
void wtw_list_begin(WTw *w, int id, int elem_type, int64_t n);
void wtw_elem_i32(WTw *w, int32_t v);
void wtw_elem_i64(WTw *w, int64_t v);
void wtw_elem_bool(WTw *w, int v);
void wtw_elem_bin(WTw *w, const void *p, size_t n);
void wtw_elem_struct_begin(WTw *w);          /* list element; close with wtw_struct_end */

/* ---- Thrift compact protocol: decoder into a generic tree ---- */
typedef struct WTVal WTVal;
struct WTVal {
    uint8_t type;      /* TC_* (TC_TRUE for a bool, value in i) */
    int16_t id;        /* field id inside a struct */
    int64_t i;         /* bool, byte, i16, i32, i64 */
    double d;
    const uint8_t *bin; /* binary: points into the decoded buffer */
    uint32_t n;        /* binary length, list/struct element count */
    uint8_t elem_type; /* list */
    WTVal *kids;       /* struct fields / list elements */
};
typedef struct WTDoc {
    WTVal root;        /* a struct */
    void **blocks;     /* allocations to free */
    int n_blocks, cap_blocks;
} WTDoc;

/* Decodes one struct from p[0..n); *used = bytes consumed. Errors name `what`. */
int wtr_decode(const uint8_t *p, size_t n, WTDoc *doc, size_t *used, const char *what, WErr *err);
void wtr_free(WTDoc *doc);
const WTVal *wtr_field(const WTVal *st, int id);       /* NULL if absent (or st is NULL/not a struct) */
int wtr_get_i64(const WTVal *st, int id, int64_t *out); /* 1 if present and integer */

/* ---- RLE / bit-packed hybrid ---- */
/* Unsigned LEB128 varint (the RLE hybrid run headers and Thrift compact integers share it). */
int pq_put_uleb128(WBuf *out, uint64_t v);
/* Appends the hybrid encoding of v[0..n) with bit_width (0..32). */
int wrle_encode(const uint32_t *v, int64_t n, int bit_width, WBuf *out);
int wrle_encode_u8(const uint8_t *v, int64_t n, int bit_width, WBuf *out);
/* Decodes exactly n values from p[0..len); WEIR_CORRUPT on truncation or values >= limit (if limit>0). */
int wrle_decode(const uint8_t *p, size_t len, int bit_width, uint32_t *out, int64_t n, WErr *err);
int wpq_bit_width(uint32_t max_value);

/* ---- large writer arrays (pq_mem.c) ---- */
/* Grows p (cap bytes, `used` of them in use) to hold at least `need` bytes; returns the new pointer
 * and updates *cap, or NULL (p unchanged and still owned) when out of memory. Free with pq_mem_free
 * and the same cap; never with free(). */
void *pq_mem_grow(void *p, size_t used, size_t *cap, size_t need);
void pq_mem_free(void *p, size_t cap);

/* ---- codecs ---- */
/* Per-writer compression state, zero-initialised; level 0 = the codec's default; a compressor serves one
 * codec and level for its life. */
typedef struct PqCompressor {
    void *zstd;                          /* ZSTD_CCtx */
    void *deflate;                       /* libdeflate compressor (GZIP pages) */
} PqCompressor;
int wpq_compress(PqCompressor *c, int codec, int level, const void *src, size_t n, WBuf *out, WErr *err);
void wpq_compressor_free(PqCompressor *c);
/* Decompresses into out (appending); expect = the declared uncompressed size (exact). */
int wpq_decompress(int codec, const void *src, size_t n, size_t expect, WBuf *out, WErr *err);
const char *wpq_codec_name(int codec);
const char *wpq_encoding_name(int enc);

/* ---- footer (pq_meta.c) ---- */
#define PQ_META_MAX_DEPTH 64
typedef struct PqLeafInfo {
    int phys, type_length;
    int max_def;                         /* maximum definition level */
    int depth;                           /* path length from the root */
    int def_at[PQ_META_MAX_DEPTH];       /* level k of the path is present when def >= def_at[k] */
    int child_path[PQ_META_MAX_DEPTH];   /* field index at each level */
    int ts_unit;                         /* INT64 timestamps: 0 millis, 1 micros, 2 nanos */
    int unsigned32;                      /* INT32 holding an unsigned integer */
} PqLeafInfo;
typedef struct PqChunk {
    const WTVal *raw, *meta;             /* ColumnChunk and its ColumnMetaData */
    int codec;
    int64_t num_values, comp_size, data_off, dict_off; /* dict_off -1 when none */
} PqChunk;
typedef struct PqRowGroup {
    int64_t num_rows;
    PqChunk *cols;                       /* one per leaf */
} PqRowGroup;
typedef struct PqMeta {
    WTDoc doc;                           /* the decoded footer; the WTVal pointers point into it */
    int64_t num_rows;
    WType schema;                        /* weir's STRUCT type */
    PqLeafInfo *leaves;
    int n_leaves;
    PqRowGroup *rgs;
    int n_rgs;
    const char *created_by;
    size_t created_by_len;
    const WTVal *kv;
} PqMeta;
int wpq_meta_parse(const uint8_t *p, size_t n, const char *path, PqMeta *m, WErr *err);
void wpq_meta_free(PqMeta *m);

#endif
