/*
 * filepool.c - spare files made ahead of time (see filepool.h).
 *
 * Each remembered folder has WFPOOL_SPARES slots, each an open spare (fd >= 0) or empty. A spare's name is
 * ".spare-<pid>-<n>.tmp" with n counting up per pool: a taken spare keeps its name until its owner renames
 * it, so a refill must never reuse it. Spares of processes that no longer run (a crash) are removed
 * when a folder is first remembered. Creation runs outside the lock, so a taker never waits for a fill.
 */
#include "core/filepool.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct PoolDir {
    char *dir;
    int fd[WFPOOL_SPARES];   /* -1: slot empty */
    char *path[WFPOOL_SPARES];
    int filling[WFPOOL_SPARES];
    int tidied;              /* dead processes' spares removed */
} PoolDir;

struct WFilePool {
    pthread_mutex_t lock;
    PoolDir *dirs;
    int n, cap;
    long long next;          /* the number in the next spare's name */
};

static char *spare_path(const char *dir, long long n) {
    size_t len = strlen(dir) + 64;
    char *p = malloc(len);
    if (p) snprintf(p, len, "%s/.spare-%ld-%lld.tmp", dir, (long)getpid(), n);
    return p;
}

/* Removes the spares of processes that are gone (a crash left them). */
static void tidy(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        long pid;
        long long n;
        char tail[8];
        if (strncmp(e->d_name, ".spare-", 7) != 0) continue; /* a sink's folder lists every file it wrote */
        if (sscanf(e->d_name, ".spare-%ld-%lld%7s", &pid, &n, tail) != 3 || strcmp(tail, ".tmp") != 0) continue;
        if (pid == (long)getpid() || pid <= 0 || kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        char *path = malloc(len);
        if (!path) break;
        snprintf(path, len, "%s/%s", dir, e->d_name);
        unlink(path);
        free(path);
    }
    closedir(d);
}

WFilePool *wfpool_new(void) {
    WFilePool *p = calloc(1, sizeof *p);
    if (p) pthread_mutex_init(&p->lock, NULL);
    return p;
}

void wfpool_free(WFilePool *p) {
    if (!p) return;
    for (int i = 0; i < p->n; i++) {
        for (int k = 0; k < WFPOOL_SPARES; k++) {
            if (p->dirs[i].fd[k] < 0) continue;
            close(p->dirs[i].fd[k]);
            unlink(p->dirs[i].path[k]);
            free(p->dirs[i].path[k]);
        }
        free(p->dirs[i].dir);
    }
    free(p->dirs);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

/* The entry of dir, added when new; NULL when out of memory. Under the lock. */
static PoolDir *find_dir(WFilePool *p, const char *dir) {
    for (int i = 0; i < p->n; i++)
        if (strcmp(p->dirs[i].dir, dir) == 0) return &p->dirs[i];
    if (p->n == p->cap) {
        int cap = p->cap ? p->cap * 2 : 8;
        PoolDir *t = realloc(p->dirs, (size_t)cap * sizeof *t);
        if (!t) return NULL;
        p->dirs = t;
        p->cap = cap;
    }
    PoolDir *d = &p->dirs[p->n];
    d->dir = strdup(dir);
    if (!d->dir) return NULL;
    for (int k = 0; k < WFPOOL_SPARES; k++) d->fd[k] = -1, d->path[k] = NULL, d->filling[k] = 0;
    d->tidied = 0;
    p->n++;
    return d;
}

int wfpool_take(WFilePool *p, const char *dir, char **tmp_path, int *fd) {
    *tmp_path = NULL;
    *fd = -1;
    if (!p) return 0;
    pthread_mutex_lock(&p->lock);
    PoolDir *d = find_dir(p, dir);
    int got = 0;
    for (int k = 0; d && k < WFPOOL_SPARES && !got; k++) {
        if (d->fd[k] < 0) continue;
        *tmp_path = d->path[k];
        *fd = d->fd[k];
        d->path[k] = NULL;
        d->fd[k] = -1;
        got = 1;
    }
    pthread_mutex_unlock(&p->lock);
    return got;
}

int wfpool_fill(WFilePool *p, int (*stop)(void *arg), void *arg) {
    if (!p) return 0;
    int made = 0, failed = 0;
    for (int i = 0; !(stop && stop(arg)); i++) {
        pthread_mutex_lock(&p->lock);
        if (i >= p->n) {
            pthread_mutex_unlock(&p->lock);
            break;
        }
        PoolDir *d = &p->dirs[i];
        int slot = -1;
        for (int k = 0; k < WFPOOL_SPARES && slot < 0; k++)
            if (d->fd[k] < 0 && !d->filling[k]) slot = k;
        int first = !d->tidied;
        d->tidied = 1;
        char *dir = slot >= 0 || first ? strdup(d->dir) : NULL;
        char *path = slot >= 0 ? spare_path(d->dir, p->next++) : NULL;
        if (slot >= 0) d->filling[slot] = 1;
        pthread_mutex_unlock(&p->lock);
        if (first && dir) tidy(dir);
        free(dir);
        if (slot < 0) continue;
        int fd = path ? open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644) : -1;
        pthread_mutex_lock(&p->lock);
        d = &p->dirs[i]; /* the array may have moved while unlocked */
        d->filling[slot] = 0;
        if (fd >= 0) {
            d->fd[slot] = fd;
            d->path[slot] = path;
            made++;
        } else {
            free(path);
            failed = 1;
        }
        pthread_mutex_unlock(&p->lock);
        if (fd >= 0) i--; /* the same folder again, until its slots are full */
    }
    return failed ? -1 : made;
}
