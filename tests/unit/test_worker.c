/*
 * test_worker.c - core/worker: one job at a time on a thread of its own; results and errors handed back
 * by wait; the idle task after each job; background workers (SCHED_BATCH on Linux) for jobs off the
 * batches' path, checked from inside the job (sched_getscheduler of the thread that runs it).
 */
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "core/worker.h"

typedef struct Probe {
    int policy;         /* the scheduling policy of the thread that ran the job */
    pthread_t thread;   /* and which thread it was */
    int runs;
    int fail;           /* the job reports an error */
} Probe;

static int probe_job(void *arg, WErr *err) {
    Probe *p = arg;
    p->policy = sched_getscheduler(0);
    p->thread = pthread_self();
    p->runs++;
    if (p->fail) return werr_msg(err, WEIR_IO, "probe failed on purpose");
    return WEIR_OK;
}

static int idle_runs;
static void count_idle(void *arg) {
    (void)arg;
    idle_runs++;
}

static void test_jobs_and_results(void) {
    WWorker *w = NULL;
    WErr err;
    werr_init(&err);
    CHECK_EQ_INT(wworker_open(&w, &err), WEIR_OK);
    wworker_set_idle(w, count_idle, NULL);
    Probe p;
    memset(&p, 0, sizeof p);
    CHECK_EQ_INT(wworker_pending(w), 0);
    CHECK_EQ_INT(wworker_start(w, probe_job, &p, &err), WEIR_OK);
    CHECK_EQ_INT(wworker_pending(w), 1);
    CHECK_EQ_INT(wworker_start(w, probe_job, &p, &err), WEIR_MISUSE); /* one at a time */
    CHECK_EQ_INT(wworker_wait(w, &err), WEIR_OK);
    CHECK_EQ_INT(wworker_pending(w), 0);
    CHECK_EQ_INT(wworker_wait(w, &err), WEIR_OK); /* nothing pending */
    CHECK_EQ_INT(p.runs, 1);
    CHECK(!pthread_equal(p.thread, pthread_self()));
    p.fail = 1;
    werr_clear(&err);
    CHECK_EQ_INT(wworker_start(w, probe_job, &p, &err), WEIR_OK);
    while (!wworker_done(w)) usleep(100);
    CHECK_EQ_INT(wworker_wait(w, &err), WEIR_IO);
    CHECK(strstr(err.msg, "on purpose") != NULL);
    CHECK_EQ_INT(p.runs, 2);
    wworker_close(w); /* the idle task of the last job has run by now or is skipped as the worker closes */
    CHECK(idle_runs >= 1);
}

static void test_background(void) {
    WWorker *w = NULL, *fg = NULL;
    WErr err;
    werr_init(&err);
    CHECK_EQ_INT(wworker_open(&w, &err), WEIR_OK);
    CHECK_EQ_INT(wworker_open(&fg, &err), WEIR_OK);
    wworker_set_background(w);
    Probe p, q;
    memset(&p, 0, sizeof p);
    memset(&q, 0, sizeof q);
    CHECK_EQ_INT(wworker_start(w, probe_job, &p, &err), WEIR_OK);
    CHECK_EQ_INT(wworker_start(fg, probe_job, &q, &err), WEIR_OK);
    CHECK_EQ_INT(wworker_wait(w, &err), WEIR_OK);
    CHECK_EQ_INT(wworker_wait(fg, &err), WEIR_OK);
#ifdef SCHED_BATCH
    CHECK_EQ_INT(p.policy, SCHED_BATCH);
#endif
    CHECK_EQ_INT(q.policy, sched_getscheduler(0)); /* a worker not marked keeps the starting thread's */
    wworker_close(w);
    wworker_close(fg);
    wworker_close(NULL);
}

int main(void) {
    test_jobs_and_results();
    test_background();
    return check_summary();
}
