/*
 * cli_io.c - input lists, file mappings and atomic output files for the data commands (see cli_io.h).
 */
#include "cli/cli_io.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int wcli_map(const char *path, WMapped *m, WErr *err) {
    m->data = "";
    m->len = 0;
    m->map = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return werr_set(err, WEIR_IO, path, -1, -1, -1, "cannot open: %s", strerror(errno));
    struct stat sb;
    int rc = WEIR_OK;
    if (fstat(fd, &sb)) rc = werr_set(err, WEIR_IO, path, -1, -1, -1, "cannot stat: %s", strerror(errno));
    else if (S_ISDIR(sb.st_mode)) rc = werr_set(err, WEIR_IO, path, -1, -1, -1, "is a folder");
    else if (sb.st_size > 0) {
        void *p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) rc = werr_set(err, WEIR_IO, path, -1, -1, -1, "cannot map: %s", strerror(errno));
        else {
            madvise(p, (size_t)sb.st_size, MADV_SEQUENTIAL);
            m->map = p;
            m->data = p;
            m->len = (size_t)sb.st_size;
        }
    }
    close(fd);
    return rc;
}

void wcli_unmap(WMapped *m) {
    if (m->map) munmap(m->map, m->len);
    m->map = NULL;
    m->data = "";
    m->len = 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int push(char ***list, int *n, int *cap, char *s) {
    if (!s) return WEIR_NOMEM;
    if (*n == *cap) {
        int nc = *cap ? *cap * 2 : 16;
        char **nl = realloc(*list, (size_t)nc * sizeof *nl);
        if (!nl) {
            free(s);
            return WEIR_NOMEM;
        }
        *list = nl;
        *cap = nc;
    }
    (*list)[(*n)++] = s;
    return WEIR_OK;
}

int wcli_expand_inputs(char **args, int n_args, char ***out, int *out_n, WErr *err) {
    char **list = NULL;
    int n = 0, cap = 0, rc = WEIR_OK;
    for (int i = 0; i < n_args && rc == WEIR_OK; i++) {
        struct stat sb;
        if (stat(args[i], &sb)) {
            rc = werr_set(err, WEIR_IO, args[i], -1, -1, -1, "cannot open: %s", strerror(errno));
            break;
        }
        if (!S_ISDIR(sb.st_mode)) {
            rc = push(&list, &n, &cap, strdup(args[i]));
            continue;
        }
        DIR *d = opendir(args[i]);
        if (!d) {
            rc = werr_set(err, WEIR_IO, args[i], -1, -1, -1, "cannot list folder: %s", strerror(errno));
            break;
        }
        int first = n;
        struct dirent *e;
        while (rc == WEIR_OK && (e = readdir(d))) {
            if (e->d_name[0] == '.' || e->d_name[0] == '_') continue;
            size_t len = strlen(args[i]) + strlen(e->d_name) + 2;
            char *p = malloc(len);
            if (p) snprintf(p, len, "%s/%s", args[i], e->d_name);
            struct stat fb;
            if (p && (stat(p, &fb) || !S_ISREG(fb.st_mode))) {
                free(p);
                continue;
            }
            rc = push(&list, &n, &cap, p);
        }
        closedir(d);
        if (rc == WEIR_OK) qsort(list + first, (size_t)(n - first), sizeof *list, cmp_str);
    }
    if (rc != WEIR_OK) {
        if (rc == WEIR_NOMEM) werr_msg(err, rc, "out of memory listing inputs");
        wcli_free_list(list, n);
        return rc;
    }
    *out = list;
    *out_n = n;
    return WEIR_OK;
}

void wcli_free_list(char **list, int n) {
    for (int i = 0; i < n; i++) free(list[i]);
    free(list);
}

int wcli_out_open(WOutFile *o, const char *path, WErr *err) {
    o->fd = 1;
    o->path = o->tmp = NULL;
    if (!path || !strcmp(path, "-")) return WEIR_OK;
    o->path = strdup(path);
    char *copy = strdup(path);
    size_t len = strlen(path) + 16;
    o->tmp = malloc(len);
    if (!o->path || !copy || !o->tmp) {
        free(copy);
        wcli_out_abort(o);
        return werr_msg(err, WEIR_NOMEM, "out of memory");
    }
    const char *slash = strrchr(path, '/');
    if (slash) snprintf(o->tmp, len, "%.*s/.%s.tmp", (int)(slash - path), path, slash + 1);
    else snprintf(o->tmp, len, ".%s.tmp", path);
    free(copy);
    o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (o->fd < 0) {
        int rc = werr_set(err, WEIR_IO, path, -1, -1, -1, "cannot create %s: %s", o->tmp, strerror(errno));
        free(o->path);
        free(o->tmp);
        o->path = o->tmp = NULL;
        return rc;
    }
    return WEIR_OK;
}

int wcli_out_write(WOutFile *o, const void *p, size_t n, WErr *err) {
    const char *c = p;
    while (n) {
        ssize_t w = write(o->fd, c, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return werr_set(err, WEIR_IO, o->path ? o->path : "<stdout>", -1, -1, -1, "write failed: %s", strerror(errno));
        }
        c += w;
        n -= (size_t)w;
    }
    return WEIR_OK;
}

int wcli_out_commit(WOutFile *o, WErr *err) {
    if (!o->path) return WEIR_OK;
    int rc = WEIR_OK;
    if (fsync(o->fd)) rc = werr_set(err, WEIR_IO, o->path, -1, -1, -1, "fsync failed: %s", strerror(errno));
    if (close(o->fd) && rc == WEIR_OK) rc = werr_set(err, WEIR_IO, o->path, -1, -1, -1, "close failed: %s", strerror(errno));
    o->fd = -1;
    if (rc == WEIR_OK && rename(o->tmp, o->path))
        rc = werr_set(err, WEIR_IO, o->path, -1, -1, -1, "rename failed: %s", strerror(errno));
    if (rc == WEIR_OK) {
        char *copy = strdup(o->path);
        int dfd = copy ? open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        if (dfd >= 0) {
            if (fsync(dfd)) rc = werr_set(err, WEIR_IO, o->path, -1, -1, -1, "fsync of the folder failed: %s", strerror(errno));
            close(dfd);
        }
        free(copy);
    }
    if (rc != WEIR_OK) unlink(o->tmp);
    free(o->path);
    free(o->tmp);
    o->path = o->tmp = NULL;
    return rc;
}

void wcli_out_abort(WOutFile *o) {
    if (o->path) {
        if (o->fd >= 0) close(o->fd);
        if (o->tmp) unlink(o->tmp);
    }
    free(o->path);
    free(o->tmp);
    o->path = o->tmp = NULL;
    o->fd = -1;
}

int wcli_add_option(const char *cmd, const char *pair, WOpts *a, WOpts *b) {
    WErr err;
    werr_init(&err);
    if ((a && wopts_set_pair(a, pair, &err)) || (b && wopts_set_pair(b, pair, &err))) {
        fprintf(stderr, "weir %s: %s\n", cmd, err.msg[0] ? err.msg : "bad --option, expected name=value");
        return 2;
    }
    return 0;
}
