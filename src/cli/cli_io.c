/*
 * cli_io.c - input lists, file mappings and atomic output files for the data commands (see cli_io.h).
 */
#include "cli/cli_io.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOAD_READ_MAX (8u << 20)

void wcli_loader_init(WFileLoader *l) {
    memset(l, 0, sizeof *l);
    l->dir_fd = -1;
}

static void release(WFileLoader *l) {
    if (l->map) munmap(l->map, l->map_len);
    l->map = NULL;
    l->map_len = 0;
}

void wcli_loader_fini(WFileLoader *l) {
    release(l);
    if (l->dir_fd >= 0) close(l->dir_fd);
    free(l->dir);
    free(l->buf);
    wcli_loader_init(l);
}

/* Opens path, through the cached descriptor of its folder when it is the same folder as last time. */
static int open_in_dir(WFileLoader *l, const char *path) {
    /* the common case first: same folder as the previous file (looks only at the name after it) */
    if (l->dir && !strncmp(path, l->dir, l->dir_len) && path[l->dir_len] == '/' && !strchr(path + l->dir_len + 1, '/'))
        return openat(l->dir_fd, path + l->dir_len + 1, O_RDONLY | O_CLOEXEC);
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path) return open(path, O_RDONLY | O_CLOEXEC);
    size_t dlen = (size_t)(slash - path);
    if (!l->dir || l->dir_len != dlen || memcmp(l->dir, path, dlen)) {
        if (l->dir_fd >= 0) close(l->dir_fd);
        free(l->dir);
        l->dir = strndup(path, dlen);
        l->dir_len = dlen;
        l->dir_fd = l->dir ? open(l->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        if (l->dir_fd < 0) {
            free(l->dir);
            l->dir = NULL;
            return open(path, O_RDONLY | O_CLOEXEC);
        }
    }
    return openat(l->dir_fd, slash + 1, O_RDONLY | O_CLOEXEC);
}

/* Maps the file of fd (size bytes) read-only. */
static int map_file(WFileLoader *l, int fd, const char *path, size_t size, const char **out_data, size_t *out_len,
                    WErr *err) {
    if (size == 0) return WEIR_OK;
    void *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) return werr_set(err, WEIR_IO, path, -1, -1, -1, "cannot map: %s", strerror(errno));
    madvise(p, size, MADV_SEQUENTIAL);
    l->map = p;
    l->map_len = size;
    *out_data = p;
    *out_len = size;
    return WEIR_OK;
}

int wcli_load(WFileLoader *l, const char *path, const char **out_data, size_t *out_len, WErr *err) {
    release(l);
    *out_data = "";
    *out_len = 0;
    int fd = open_in_dir(l, path);
    if (fd < 0) return werr_set(err, WEIR_IO, path, -1, -1, -1, "cannot open: %s", strerror(errno));
    /* Read straight into the buffer: for a regular file a short read means the end, so a file smaller
     * than the buffer costs open, one read and close. Only a file that fills the buffer is measured
     * (fstat), then read on into a grown buffer, or mapped when larger than LOAD_READ_MAX. */
    int rc = WEIR_OK;
    size_t len = 0;
    int measured = 0;
    for (;;) {
        if (len + 1 >= l->cap) {
            if (!measured) {
                struct stat sb;
                measured = 1;
                if (fstat(fd, &sb)) {
                    rc = werr_set(err, WEIR_IO, path, -1, -1, -1, "cannot stat: %s", strerror(errno));
                    break;
                }
                if ((size_t)sb.st_size > LOAD_READ_MAX) {
                    len = 0;
                    rc = map_file(l, fd, path, (size_t)sb.st_size, out_data, out_len, err);
                    close(fd);
                    return rc;
                }
                size_t nc = l->cap ? l->cap : 65536;
                while (nc < (size_t)sb.st_size + 2) nc *= 2;
                if (nc == l->cap) nc *= 2;
                char *nb = realloc(l->buf, nc);
                if (!nb) {
                    rc = werr_msg(err, WEIR_NOMEM, "out of memory reading %s", path);
                    break;
                }
                l->buf = nb;
                l->cap = nc;
            } else { /* the file grew while read: keep up */
                char *nb = realloc(l->buf, l->cap * 2);
                if (!nb) {
                    rc = werr_msg(err, WEIR_NOMEM, "out of memory reading %s", path);
                    break;
                }
                l->buf = nb;
                l->cap *= 2;
            }
        }
        size_t want = l->cap - len - 1;
        ssize_t got = read(fd, l->buf + len, want);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            rc = werr_set(err, WEIR_IO, path, -1, -1, -1, errno == EISDIR ? "is a folder" : "read failed: %s",
                          strerror(errno));
            break;
        }
        len += (size_t)got;
        if ((size_t)got < want) break;
    }
    if (rc == WEIR_OK && l->buf) {
        l->buf[len] = 0;
        *out_data = l->buf;
        *out_len = len;
    }
    close(fd);
    return rc;
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
            /* d_type spares one stat per file; only file systems that do not fill it need the stat */
            struct stat fb;
            int regular = e->d_type == DT_REG ||
                          ((e->d_type == DT_UNKNOWN || e->d_type == DT_LNK) && p && !stat(p, &fb) && S_ISREG(fb.st_mode));
            if (p && !regular) {
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
    o->to_file = path && strcmp(path, "-");
    o->file.fd = -1;
    o->file.path = o->file.tmp_path = NULL;
    return o->to_file ? wfs_out_open(&o->file, path, err) : WEIR_OK;
}

int wcli_out_write(WOutFile *o, const void *p, size_t n, WErr *err) {
    if (o->to_file) return wfs_out_write(&o->file, p, n, err);
    const char *c = p;
    while (n) {
        ssize_t w = write(1, c, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return werr_set(err, WEIR_IO, "<stdout>", -1, -1, -1, "write failed: %s", strerror(errno));
        }
        c += w;
        n -= (size_t)w;
    }
    return WEIR_OK;
}

int wcli_out_commit(WOutFile *o, WErr *err) {
    if (!o->to_file) return WEIR_OK;
    o->to_file = 0;
    return wfs_out_commit(&o->file, err);
}

void wcli_out_abort(WOutFile *o) {
    if (o->to_file) wfs_out_abort(&o->file);
    o->to_file = 0;
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
