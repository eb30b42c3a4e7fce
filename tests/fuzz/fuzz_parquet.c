/*
 * fuzz_parquet.c - libFuzzer target for weir's Parquet reader: any bytes are opened as a file, described
 * (as `weir cat --meta` does) and read to the end in small batches. Every outcome but a crash, a leak or
 * undefined behaviour is fine. Seeds: tests/fuzz/corpus/parquet (small files weir wrote).
 */
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/vec.h"
#include "formats/parquet.h"
#include "weir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    WErr err;
    werr_init(&err);
    WPqReader *r = NULL;
    if (wpq_reader_open_mem(data, size, "fuzz.parquet", &r, &err) != WEIR_OK) return 0;
    WBuf out;
    wbuf_init(&out);
    werr_init(&err);
    wpq_reader_describe(r, &out, &err);
    wbuf_fini(&out);
    WBatch b;
    if (wbatch_init(&b, wpq_reader_schema(r)) == WEIR_OK) {
        int64_t got = 0, total = 0;
        werr_init(&err);
        while (wpq_reader_next(r, &b, 100, &got, &err) == WEIR_OK && got > 0 && total < 1000000) total += got;
    }
    wbatch_fini(&b);
    wpq_reader_close(r);
    return 0;
}
