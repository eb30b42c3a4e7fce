/*
 * worker.h - one background thread that runs one job at a time, so that a slow step (an fsync, typically)
 * overlaps with work the caller does meanwhile.
 *
 * The streaming driver (stream/driver.c) writes batch N's offsets entry through a worker while it reads
 * and writes the batch's rows, and waits for it before anything of batch N is committed: the entry is
 * durable before any output of N is, as the checkpoint rules ask (DESIGN.md), but its fsyncs are no longer
 * in series with the sink's.
 *
 *     wworker_start(w, fn, arg)  -> fn(arg, &job_err) begins on the worker thread (one job at a time)
 *     wworker_wait(w, err)       -> waits for it; its return code, its error copied into *err
 */
#ifndef WEIR_CORE_WORKER_H
#define WEIR_CORE_WORKER_H

#include "core/err.h"

typedef int (*WJobFn)(void *arg, WErr *err);
typedef struct WWorker WWorker;

int wworker_open(WWorker **out, WErr *err);
/* Marks the worker's thread as background work (Linux: SCHED_BATCH), whose wake-up does not preempt the
 * thread that started the job: for jobs off the batches' path (log segments, entries made ahead,
 * manifest compaction). Best effort: elsewhere, or when refused, nothing changes. */
void wworker_set_background(WWorker *w);
/* Hands fn(arg) to the worker. WEIR_MISUSE when a job is still pending (wait for it first). */
int wworker_start(WWorker *w, WJobFn fn, void *arg, WErr *err);
/* 1 while a job was started and not yet waited for. */
int wworker_pending(const WWorker *w);
/* 1 when a started job has finished (so wworker_wait returns at once) and was not yet waited for. */
int wworker_done(const WWorker *w);
/* Waits for the started job; WEIR_OK when there is none. Each job is waited for once. */
int wworker_wait(WWorker *w, WErr *err);
/* After each job, once its result is stored (so wait returns), the worker runs idle(arg) (NULL: nothing);
 * a long idle task should return early when wworker_job_waiting() says the next job is due or the worker
 * is being closed (so a query that ends does not wait for spare files it will never use). */
void wworker_set_idle(WWorker *w, void (*idle)(void *arg), void *arg);
int wworker_job_waiting(const WWorker *w);
/* Waits for a pending job (its result is dropped) and ends the thread. NULL is fine. */
void wworker_close(WWorker *w);

#endif
