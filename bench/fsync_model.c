/*
 * fsync_model.c - an LD_PRELOAD for the streaming benchmarks: a model of a disk's cache flush, and a count
 * of the flushes a run asks for.
 *
 * The latency figures of bench/stream_bench.sh depend on the disk, whose synchronous write time here swings
 * from 0.15 to 0.6 ms from one minute to the next with other jobs' I/O. To compare two designs of the commit
 * path under the same conditions, run both on tmpfs (where fsync costs nothing) with this library, which
 * makes each fsync and fdatasync take PAR microseconds side by side plus SER microseconds one at a time (a
 * device that serializes part of a flush; defaults 100 and 150, close to this machine's virtual disk: one
 * fdatasync 385 us, two side by side 451 us, four 799 us). FSYNC_COUNT=1 prints how many calls the process
 * made when it exits (also on a real disk, with SER=0 PAR=0).
 *
 *   cc -O2 -shared -fPIC -o build/fsync_model.so bench/fsync_model.c -ldl -lpthread
 *   SER=150 PAR=100 LD_PRELOAD=build/fsync_model.so build/stream_latency /dev/shm/x 1000 4
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static pthread_mutex_t device = PTHREAD_MUTEX_INITIALIZER;
static atomic_long n_fsync, n_fdatasync;

static long env_us(const char *name, long def) {
    const char *v = getenv(name);
    return v ? atol(v) : def;
}

static void pause_us(long us) {
    if (us <= 0) return;
    struct timespec t = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&t, NULL);
}

static void flush_model(void) {
    pause_us(env_us("PAR", 100));
    long ser = env_us("SER", 150);
    if (ser <= 0) return;
    pthread_mutex_lock(&device);
    pause_us(ser);
    pthread_mutex_unlock(&device);
}

/* The libc call `name` on fd, counted in *count, then the model's flush. */
static int modelled(const char *name, int (**real)(int), atomic_long *count, int fd) {
    if (!*real) *real = (int (*)(int))dlsym(RTLD_NEXT, name);
    atomic_fetch_add(count, 1);
    int r = (*real)(fd);
    flush_model();
    return r;
}

int fsync(int fd) {
    static int (*real)(int);
    return modelled("fsync", &real, &n_fsync, fd);
}

int fdatasync(int fd) {
    static int (*real)(int);
    return modelled("fdatasync", &real, &n_fdatasync, fd);
}

__attribute__((destructor)) static void report(void) {
    if (getenv("FSYNC_COUNT"))
        fprintf(stderr, "fsync_model: %ld fsync, %ld fdatasync\n", (long)atomic_load(&n_fsync),
                (long)atomic_load(&n_fdatasync));
}
