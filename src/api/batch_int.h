/*
 * batch_int.h - how the rest of weir makes a public weir_batch out of an internal WBatch.
 *
 * The streaming driver (a foreach-batch sink) wraps each micro-batch it hands to user code with
 * wapi_batch_wrap and drops its own reference with weir_batch_release after the callback returns; the
 * WBatch must then stay untouched until `on_free` runs, which happens when the last reference (the
 * driver's, the user's retains, Arrow exports) is gone, possibly on another thread.
 */
#ifndef WEIR_API_BATCH_INT_H
#define WEIR_API_BATCH_INT_H

#include "core/vec.h"
#include "weir.h"

/* Wraps `b` (borrowed) in a batch holding one reference. `on_free(user)` is called once when the last
 * reference is dropped (may be NULL). Returns NULL when out of memory (on_free is then not called). */
weir_batch *wapi_batch_wrap(const WBatch *b, void (*on_free)(void *user), void *user);
/* The wrapped WBatch. */
const WBatch *wapi_batch_wbatch(const weir_batch *batch);

#endif
