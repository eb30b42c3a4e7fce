/*
 * worker.c - a background thread running one job at a time (see worker.h).
 *
 * State under one mutex: `job` is set by start and cleared by the thread when it takes the job; `busy`
 * is 1 from start until the thread has stored the job's result; `waited` keeps wait from being satisfied
 * twice by one job.
 */
#include "core/worker.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

struct WWorker {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cv;      /* signalled on every state change */
    WJobFn job;             /* the next job, NULL when none is waiting to start */
    void *arg;
    int busy;               /* a job was started and its result is not yet stored */
    int pending;            /* started and not yet waited for */
    int quit;
    int rc;                 /* the last job's result */
    WErr err;
    void (*idle)(void *);   /* run after each job, outside `busy` */
    void *idle_arg;
};

static void *worker_main(void *p) {
    WWorker *w = p;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->job && !w->quit) pthread_cond_wait(&w->cv, &w->lock);
        if (!w->job) break;
        WJobFn fn = w->job;
        void *arg = w->arg;
        w->job = NULL;
        pthread_mutex_unlock(&w->lock);
        WErr e;
        werr_init(&e);
        int rc = fn(arg, &e);
        pthread_mutex_lock(&w->lock);
        w->rc = rc;
        w->err = e;
        w->busy = 0;
        pthread_cond_broadcast(&w->cv);
        if (w->idle && !w->job && !w->quit) {
            void (*idle)(void *) = w->idle;
            void *ia = w->idle_arg;
            pthread_mutex_unlock(&w->lock);
            idle(ia);
            pthread_mutex_lock(&w->lock);
        }
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

int wworker_open(WWorker **out, WErr *err) {
    *out = NULL;
    WWorker *w = calloc(1, sizeof *w);
    if (!w) return werr_msg(err, WEIR_NOMEM, "out of memory");
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->cv, NULL);
    werr_init(&w->err);
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->cv);
        free(w);
        return werr_msg(err, WEIR_NOMEM, "cannot start a worker thread");
    }
    *out = w;
    return WEIR_OK;
}

void wworker_set_background(WWorker *w) {
#ifdef SCHED_BATCH
    struct sched_param sp;
    memset(&sp, 0, sizeof sp);
    (void)pthread_setschedparam(w->thread, SCHED_BATCH, &sp);
#else
    (void)w;
#endif
}

int wworker_start(WWorker *w, WJobFn fn, void *arg, WErr *err) {
    pthread_mutex_lock(&w->lock);
    if (w->pending) {
        pthread_mutex_unlock(&w->lock);
        return werr_msg(err, WEIR_MISUSE, "a worker job was started while another one is pending");
    }
    w->job = fn;
    w->arg = arg;
    w->busy = 1;
    w->pending = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->lock);
    return WEIR_OK;
}

void wworker_set_idle(WWorker *w, void (*idle)(void *arg), void *arg) {
    pthread_mutex_lock(&w->lock);
    w->idle = idle;
    w->idle_arg = arg;
    pthread_mutex_unlock(&w->lock);
}

int wworker_done(const WWorker *w) {
    WWorker *m = (WWorker *)w;
    pthread_mutex_lock(&m->lock);
    int d = m->pending && !m->busy;
    pthread_mutex_unlock(&m->lock);
    return d;
}

int wworker_job_waiting(const WWorker *w) {
    WWorker *m = (WWorker *)w;
    pthread_mutex_lock(&m->lock);
    int j = m->job != NULL || m->quit; /* closing: an idle task has nothing left to prepare for */
    pthread_mutex_unlock(&m->lock);
    return j;
}

int wworker_pending(const WWorker *w) {
    WWorker *m = (WWorker *)w; /* the lock is not part of the observable state */
    pthread_mutex_lock(&m->lock);
    int p = m->pending;
    pthread_mutex_unlock(&m->lock);
    return p;
}

int wworker_wait(WWorker *w, WErr *err) {
    pthread_mutex_lock(&w->lock);
    while (w->busy) pthread_cond_wait(&w->cv, &w->lock);
    int rc = WEIR_OK;
    if (w->pending) {
        rc = w->rc;
        if (rc && err) *err = w->err;
        w->pending = 0;
    }
    pthread_mutex_unlock(&w->lock);
    return rc;
}

void wworker_close(WWorker *w) {
    if (!w) return;
    pthread_mutex_lock(&w->lock);
    while (w->busy) pthread_cond_wait(&w->cv, &w->lock);
    w->quit = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->cv);
    free(w);
}
