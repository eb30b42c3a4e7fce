/*
 * sink_callback.h - the foreach-batch sink: a streaming sink (stream/sink.h) that hands each non-empty
 * micro-batch to a user function as a public weir_batch. The C library (engine.c) runs a callback query
 * with WRunOptions.sink_ops = &wapi_callback_sink_ops and sink_user pointing at a WApiCallback.
 */
#ifndef WEIR_API_SINK_CALLBACK_H
#define WEIR_API_SINK_CALLBACK_H

#include "stream/sink.h"
#include "weir.h"

typedef struct WApiCallback {
    weir_batch_fn fn;
    void *user;
} WApiCallback;

extern const WSinkOps wapi_callback_sink_ops;

#endif
