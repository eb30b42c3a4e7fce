/*
 * disk_flush.c - what one fdatasync costs on the disk under a folder, by kind, alone and side by side: the
 * floor under the streaming figures (bench/stream_bench.sh prints it beside them, bench/RESULTS.md).
 *
 *   disk_flush DIR [ROUNDS]
 *
 * Each of 1 or 3 threads writes 512 bytes into a file of its own and fdatasyncs it, ROUNDS times (200):
 *   - in place: the bytes overwrite the file's first 512 (no metadata changes: the data and a flush);
 *   - extending: the file is emptied first (untimed), so the write allocates a block and changes the
 *     length, as when weir fills an entry made ahead or a spare file (the data, the inode, a flush).
 * Prints the median time of one fdatasync in each case. A batch of a streaming query does four extending
 * ones (offsets/N, its data file and folder, its manifest entry), three of them side by side.
 *
 * Then the round of fsyncs a batch waits for, rebuilt from its parts (sink_file.c, sink_prepare): a data
 * file (a spare file made ahead, 1,000 bytes written, renamed to its final name) fsynced by this thread,
 * beside, on two helper threads, offsets/N (an entry made ahead, 300 bytes written) fdatasynced and the
 * folder fsynced. Prints the median round with the data file's fsync alone, with one of the others
 * beside it, and with both: what each fsync side by side adds. The helpers are released and joined by
 * barriers in every case, so that all four pay the same for the threads.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 3

typedef struct Job {
    char path[4200];
    int extending;
    int rounds;
    pthread_barrier_t *start;
    double *us;  /* rounds timings */
    int failed;  /* errno of the call that failed, else 0 */
} Job;

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static void *job_run(void *arg) {
    Job *j = arg;
    char block[512];
    memset(block, 'x', sizeof block);
    int fd = open(j->path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || pwrite(fd, block, sizeof block, 0) != (ssize_t)sizeof block || fdatasync(fd) != 0)
        j->failed = errno ? errno : EIO;
    pthread_barrier_wait(j->start);
    for (int i = 0; i < j->rounds && !j->failed; i++) {
        if (j->extending && ftruncate(fd, 0) != 0) j->failed = errno;
        double t = now_us();
        if (!j->failed && (pwrite(fd, block, sizeof block, 0) != (ssize_t)sizeof block || fdatasync(fd) != 0))
            j->failed = errno ? errno : EIO; /* a short write sets none */
        j->us[i] = now_us() - t;
    }
    if (fd >= 0) close(fd);
    unlink(j->path);
    return NULL;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median fdatasync time in ms of n threads side by side, or -1 when a call failed (its errno and file in
 * *failed_errno, failed_path). */
static int failed_errno;
static char failed_path[4200]; /* or the folder, for a round */

static double measure(const char *dir, int n, int extending, int rounds) {
    Job jobs[MAX_THREADS];
    pthread_t th[MAX_THREADS];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, (unsigned)n);
    double *all = calloc((size_t)(n * rounds), sizeof *all);
    if (!all) return -1;
    for (int i = 0; i < n; i++) {
        snprintf(jobs[i].path, sizeof jobs[i].path, "%s/disk_flush.%d", dir, i);
        jobs[i].extending = extending;
        jobs[i].rounds = rounds;
        jobs[i].start = &start;
        jobs[i].us = all + i * rounds;
        jobs[i].failed = 0;
        pthread_create(&th[i], NULL, job_run, &jobs[i]);
    }
    int failed = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(th[i], NULL);
        if (jobs[i].failed && !failed) {
            failed_errno = jobs[i].failed;
            memcpy(failed_path, jobs[i].path, sizeof failed_path); /* the same size */
        }
        failed |= jobs[i].failed != 0;
    }
    pthread_barrier_destroy(&start);
    qsort(all, (size_t)(n * rounds), sizeof *all, cmp_double);
    double med = failed ? -1 : all[n * rounds / 2] / 1000;
    free(all);
    return med;
}

/* ---------------------------------------------------------------- a batch's round */

typedef struct Round {
    pthread_barrier_t go, done;
    int fd[2];      /* per helper: the descriptor to sync this round, -1: none */
    int datasync[2];
    int quit, failed;
} Round;

typedef struct Helper {
    Round *r;
    int i;
} Helper;

static void *helper_run(void *arg) {
    Helper *h = arg;
    Round *r = h->r;
    for (;;) {
        pthread_barrier_wait(&r->go);
        if (r->quit) return NULL;
        int fd = r->fd[h->i];
        if (fd >= 0 && (r->datasync[h->i] ? fdatasync(fd) : fsync(fd)) != 0) r->failed = errno;
        pthread_barrier_wait(&r->done);
    }
}

/* Median round in ms with the offsets entry (with_offsets) and the folder (with_dir) beside the data
 * file, or -1 on a failure. */
static double measure_round(const char *dir, int with_offsets, int with_dir, int rounds) {
    char spare[4300], final[4300], entry[4300], block[1000];
    memset(block, 'x', sizeof block);
    double *us = calloc((size_t)rounds, sizeof *us);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (!us || dfd < 0) {
        failed_errno = errno;
        snprintf(failed_path, sizeof failed_path, "%s", dir);
        free(us);
        if (dfd >= 0) close(dfd);
        return -1;
    }
    /* the spare files and entries, made ahead and durable, as weir's are */
    for (int i = 0; i < rounds; i++) {
        snprintf(spare, sizeof spare, "%s/.round-spare-%d", dir, i);
        snprintf(entry, sizeof entry, "%s/round-entry-%d", dir, i);
        int a = open(spare, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644), b = open(entry, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
        if (a >= 0) close(a);
        if (b >= 0) close(b);
    }
    fsync(dfd);
    sync();
    Round r;
    memset(&r, 0, sizeof r);
    pthread_barrier_init(&r.go, NULL, 3);
    pthread_barrier_init(&r.done, NULL, 3);
    Helper hs[2] = {{&r, 0}, {&r, 1}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++) pthread_create(&th[i], NULL, helper_run, &hs[i]);
    for (int i = 0; i < rounds && !r.failed; i++) {
        snprintf(spare, sizeof spare, "%s/.round-spare-%d", dir, i);
        snprintf(final, sizeof final, "%s/round-part-%d.csv", dir, i);
        snprintf(entry, sizeof entry, "%s/round-entry-%d", dir, i);
        int efd = open(entry, O_WRONLY | O_CLOEXEC), fd = open(spare, O_WRONLY | O_CLOEXEC);
        if (efd < 0 || fd < 0 || write(efd, block, 300) != 300) r.failed = errno ? errno : EIO;
        double t = now_us();
        if (!r.failed && (write(fd, block, sizeof block) != (ssize_t)sizeof block || rename(spare, final) != 0))
            r.failed = errno ? errno : EIO;
        r.fd[0] = with_offsets ? efd : -1;
        r.datasync[0] = 1;
        r.fd[1] = with_dir ? dfd : -1;
        r.datasync[1] = 0;
        pthread_barrier_wait(&r.go);
        if (!r.failed && fsync(fd) != 0) r.failed = errno;
        pthread_barrier_wait(&r.done);
        us[i] = now_us() - t;
        if (fd >= 0) close(fd);
        if (efd >= 0) close(efd);
        usleep(1000); /* a batch a millisecond, as in figure 1 */
    }
    r.quit = 1;
    pthread_barrier_wait(&r.go);
    for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
    pthread_barrier_destroy(&r.go);
    pthread_barrier_destroy(&r.done);
    for (int i = 0; i < rounds; i++) { /* untimed: the files go */
        snprintf(spare, sizeof spare, "%s/.round-spare-%d", dir, i);
        snprintf(final, sizeof final, "%s/round-part-%d.csv", dir, i);
        snprintf(entry, sizeof entry, "%s/round-entry-%d", dir, i);
        unlink(spare);
        unlink(final);
        unlink(entry);
    }
    close(dfd);
    double med = -1;
    if (r.failed) {
        failed_errno = r.failed;
        snprintf(failed_path, sizeof failed_path, "%s", dir);
    } else {
        qsort(us, (size_t)rounds, sizeof *us, cmp_double);
        med = us[rounds / 2] / 1000;
    }
    free(us);
    return med;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: disk_flush DIR [ROUNDS]\n");
        return 2;
    }
    int rounds = argc > 2 ? atoi(argv[2]) : 200;
    if (rounds < 1) rounds = 1;
    double m[2][2];
    for (int e = 0; e < 2; e++)
        for (int k = 0; k < 2; k++) m[e][k] = measure(argv[1], k ? MAX_THREADS : 1, e, rounds);
    if (m[0][0] < 0 || m[0][1] < 0 || m[1][0] < 0 || m[1][1] < 0) {
        fprintf(stderr, "disk_flush: %s: open, write or fdatasync failed: %s\n", failed_path, strerror(failed_errno));
        return 1;
    }
    printf("disk flush: fdatasync of 512 bytes, median of %d: in place %.2f ms (3 side by side: %.2f ms), "
           "extending %.2f ms (3 side by side: %.2f ms)\n",
           rounds, m[0][0], m[0][1], m[1][0], m[1][1]);
    double round[4];
    for (int v = 0; v < 4; v++)
        if ((round[v] = measure_round(argv[1], v & 1, v >> 1, rounds)) < 0) {
            fprintf(stderr, "disk_flush: %s: a batch's round failed: %s\n", failed_path, strerror(failed_errno));
            return 1;
        }
    printf("disk flush: a batch's round, median of %d: the data file's fsync alone %.2f ms, with offsets/N "
           "beside it %.2f ms, with the folder %.2f ms, with both %.2f ms\n",
           rounds, round[0], round[1], round[2], round[3]);
    return 0;
}
