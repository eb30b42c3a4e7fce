/*
 * cmd_gen.c - `weir gen`: the seed's click-stream generator (SEED.md), made deterministic and atomic.
 *
 *   weir gen [--out DIR] (--files N | --forever) [--records-per-file N] [--interval D | --rate R]
 *            [--format json|jsonl] [--seed S] [--start TS] [--step D] [--late-fraction F]
 *            [--max-lateness D] [--bad-fraction F] [--no-fsync] [--quiet]
 *
 * Each file holds --records-per-file records (10), as ONE JSON array (the seed's layout, Python's
 * json.dump spacing) or as JSON Lines with --format jsonl. A record:
 *   {"datetime": "2022-09-06T11:40:00.123456", "sales": {"quantity": 1..10, "total_price": round(u,2)*10},
 *    "analytics": {"clicks": 1..10, "impressions": 10..20}}
 * datetime is zone-less (read as the session zone, UTC by default) with microseconds, as the seed writes.
 *
 * Files: DIR/file_<10-digit n>.json (.jsonl), n counting on from the highest such file already in DIR, so
 * names sort in creation order. Each is written as DIR/.file_<n>.json.tmp (readers skip names starting with
 * '.'), fsynced, renamed into place, then DIR is fsynced (--no-fsync skips both fsyncs: still atomic for
 * readers, not durable through a power cut; for benchmarks and tests that write many files).
 *
 * Pacing: one file every --interval (5s; 0 = as fast as possible), or every records-per-file / --rate
 * seconds. SIGINT / SIGTERM end the run at once: a file being written is dropped (it was never visible
 * under its final name), so no half-written file is ever left. Memory stays bounded for any file size.
 *
 * Event time: without --start, the wall clock (UTC) when the record is written, as the seed does. With
 * --start TS, a synthetic clock that does not depend on the wall clock or on pacing: record k (0-based,
 * counted over the whole run) has time TS + k*step + jitter, jitter uniform in [0, step) microseconds so
 * that in-order records stay strictly ordered. step is --step, else 1s / --rate, else interval /
 * records-per-file, else (--interval 0) 5s / records-per-file, the seed's cadence: 10 records per 5
 * seconds = 500ms. The step is printed at the start (unless --quiet). So
 * `--files N --interval 0 --start TS` runs at disk speed and gives the same event times as a paced run.
 *
 * Randomness: own PRNG (xoshiro256**, seeded through splitmix64 from --seed, or from the clock when no
 * seed is given). Same --seed, --start and other options give byte-identical files.
 *
 * Disorder and bad data, drawn per record:
 *   --late-fraction F: the record's time moves back by 1us..--max-lateness (30s), out of order and, with a
 *     watermark shorter than that, late.
 *   --bad-fraction F: the record is replaced by a malformed one, of three kinds in turn at random:
 *     truncated (a record's text cut short), wrong types (quantity 2.5, clicks "seven", datetime
 *     "not a time", analytics an array: valid JSON that the seed's schema rejects), not JSON (a Python
 *     dict repr with single quotes, or key=value text). In JSON Lines each bad line stands alone; inside
 *     an array file a syntax error (truncated, not JSON) leaves no trusted record boundary, so readers
 *     (Spark, weir) lose the rest of that array as one bad record.
 * At the end (unless --quiet) a summary line counts files, records, late and bad records by kind.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "cli/duration.h"
#include "core/buf.h"
#include "core/fs.h"
#include "core/num.h"
#include "core/time.h"

/* ======================================================================================= PRNG */

typedef struct Rng {
    uint64_t s[4];
} Rng;

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void rng_seed(Rng *r, uint64_t seed) {
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(Rng *r) {
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, 1) with 53 bits, like Python's random(). */
static double rng_unit(Rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }
/* Uniform integer in [lo, hi]; the modulo bias of a 64-bit draw over ranges this small is negligible. */
static int64_t rng_range(Rng *r, int64_t lo, int64_t hi) {
    return lo + (int64_t)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

/* ======================================================================================= options */

typedef struct GenOpts {
    const char *out;
    int64_t files;          /* -1 = forever */
    int64_t per_file;
    int64_t interval_us;
    double rate;            /* records per second, 0 = unset */
    int jsonl;
    int have_seed;
    uint64_t seed;
    int have_start;
    int64_t start_us;
    int64_t step_us;        /* -1 = derived */
    double late_fraction;
    int64_t max_late_us;
    double bad_fraction;
    int fsync_files;
    int quiet;
} GenOpts;

static void gen_usage(FILE *f) {
    fprintf(f,
            "usage: weir gen [--out DIR] (--files N | --forever) [options]\n"
            "Writes the seed's click-stream records as JSON files, atomically (see SEED.md).\n"
            "  --out DIR               folder to write (created if missing; default data/json_files)\n"
            "  --files N | --forever   how many files to write, or run until interrupted\n"
            "  --records-per-file N    records in each file (10)\n"
            "  --interval D            time between files (5s; 0 = no waiting); e.g. 500ms, \"1 second\"\n"
            "  --rate R                records per second (sets the interval to records-per-file / R)\n"
            "  --format json|jsonl     one JSON array per file (default, as the seed) or JSON Lines\n"
            "  --seed S                PRNG seed: same seed and --start give byte-identical files\n"
            "  --start TS              synthetic event clock starting at TS (ISO 8601, UTC if no zone)\n"
            "  --step D                event-time step between records on the synthetic clock\n"
            "                          (default interval / records-per-file; 5s / records-per-file when\n"
            "                          the interval is 0)\n"
            "  --late-fraction F       fraction of records moved back in time (out of order, late)\n"
            "  --max-lateness D        how far back at most (30s)\n"
            "  --bad-fraction F        fraction of malformed records (truncated, wrong types, not JSON)\n"
            "  --no-fsync              rename without fsync (atomic for readers, not durable)\n"
            "  --quiet                 print nothing but errors\n");
}

static int parse_i64(const char *s, int64_t min, int64_t *out) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < min) return -1;
    *out = v;
    return 0;
}

static int parse_fraction(const char *s, double *out) {
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= 0 && v <= 1)) return -1;
    *out = v;
    return 0;
}

/* Returns 0, or 2 after printing a usage error. */
static int parse_args(int argc, char **argv, GenOpts *o) {
    memset(o, 0, sizeof *o);
    o->out = "data/json_files";
    o->files = 0;
    o->per_file = 10;
    o->interval_us = 5000000;
    o->step_us = -1;
    o->max_late_us = 30000000;
    o->fsync_files = 1;
    int have_count = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        char name[64];
        const char *val = NULL;
        const char *eq = strchr(a, '=');
        if (!strncmp(a, "--", 2) && eq && (size_t)(eq - a) < sizeof name) {
            memcpy(name, a, (size_t)(eq - a));
            name[eq - a] = 0;
            val = eq + 1;
        } else {
            snprintf(name, sizeof name, "%s", a);
        }
        if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
            gen_usage(stdout);
            exit(0);
        }
        int flag = !strcmp(name, "--forever") || !strcmp(name, "--quiet") || !strcmp(name, "-q") ||
                   !strcmp(name, "--no-fsync");
        if (!flag && !val) {
            if (i + 1 >= argc) {
                fprintf(stderr, "weir gen: %s needs a value\n", name);
                return 2;
            }
            val = argv[++i];
        }
        int bad = 0;
        if (!strcmp(name, "--out")) o->out = val;
        else if (!strcmp(name, "--files")) bad = parse_i64(val, 0, &o->files), have_count++;
        else if (!strcmp(name, "--forever")) o->files = -1, have_count++;
        else if (!strcmp(name, "--records-per-file")) bad = parse_i64(val, 1, &o->per_file);
        else if (!strcmp(name, "--interval")) bad = wcli_parse_duration(val, &o->interval_us);
        else if (!strcmp(name, "--rate")) {
            char *end;
            o->rate = strtod(val, &end);
            bad = end == val || *end || !(o->rate > 0 && o->rate < 1e12);
        } else if (!strcmp(name, "--format")) {
            if (!strcmp(val, "json")) o->jsonl = 0;
            else if (!strcmp(val, "jsonl")) o->jsonl = 1;
            else bad = 1;
        } else if (!strcmp(name, "--seed")) {
            char *end;
            errno = 0;
            o->seed = strtoull(val, &end, 0);
            bad = errno || end == val || *end || val[0] == '-';
            o->have_seed = 1;
        } else if (!strcmp(name, "--start")) {
            bad = wtime_parse_timestamp(val, strlen(val), NULL, &o->start_us) != WEIR_OK;
            o->have_start = 1;
        } else if (!strcmp(name, "--step")) bad = wcli_parse_duration(val, &o->step_us);
        else if (!strcmp(name, "--late-fraction")) bad = parse_fraction(val, &o->late_fraction);
        else if (!strcmp(name, "--max-lateness")) bad = wcli_parse_duration(val, &o->max_late_us) || o->max_late_us < 1;
        else if (!strcmp(name, "--bad-fraction")) bad = parse_fraction(val, &o->bad_fraction);
        else if (!strcmp(name, "--no-fsync")) o->fsync_files = 0;
        else if (!strcmp(name, "--quiet") || !strcmp(name, "-q")) o->quiet = 1;
        else {
            fprintf(stderr, "weir gen: unknown option '%s'\n", a);
            gen_usage(stderr);
            return 2;
        }
        if (flag && val) bad = 1;
        if (bad) {
            fprintf(stderr, "weir gen: bad value for %s: '%s'\n", name, val ? val : "");
            return 2;
        }
    }
    if (have_count != 1) {
        fprintf(stderr, "weir gen: say how many files: --files N or --forever (exactly one)\n");
        return 2;
    }
    if (o->rate > 0) o->interval_us = (int64_t)llround((double)o->per_file * 1e6 / o->rate);
    if (o->step_us < 0) {
        if (o->rate > 0) o->step_us = (int64_t)llround(1e6 / o->rate);
        else o->step_us = (o->interval_us > 0 ? o->interval_us : 5000000) / o->per_file;
    }
    return 0;
}

/* ======================================================================================= records */

typedef struct Stats {
    int64_t files, records, late, truncated, wrong_type, not_json;
} Stats;

enum { BAD_TRUNCATED, BAD_WRONG_TYPE, BAD_NOT_JSON };

/* Zone-less ISO 8601 with 6 fractional digits, as Python's datetime.isoformat() of the seed. */
static void put_time(WBuf *b, int64_t us) {
    int64_t days = us >= 0 ? us / 86400000000LL : -((-us + 86400000000LL - 1) / 86400000000LL);
    int64_t rem = us - days * 86400000000LL;
    int64_t y;
    unsigned m, d;
    wtime_civil_from_days(days, &y, &m, &d);
    int64_t secs = rem / 1000000;
    wbuf_printf(b, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%06lld", (long long)y, m, d, (long long)(secs / 3600),
                (long long)(secs / 60 % 60), (long long)(secs % 60), (long long)(rem % 1000000));
}

/* Appends one good record (the seed's shape and spacing); python=1 writes a Python dict repr instead. */
static void put_record(WBuf *b, Rng *r, int64_t t_us, int python) {
    int64_t quantity = rng_range(r, 1, 10);
    double price = (double)(int64_t)floor(rng_unit(r) * 100 + 0.5) / 100 * 10; /* round(random(), 2) * 10 */
    int64_t clicks = rng_range(r, 1, 10);
    int64_t impressions = rng_range(r, 10, 20);
    char num[WNUM_DOUBLE_MAX];
    wnum_format_double(price, num);
    const char *q = python ? "'" : "\"";
    wbuf_printf(b, "{%sdatetime%s: %s", q, q, q);
    put_time(b, t_us);
    wbuf_printf(b, "%s, %ssales%s: {%squantity%s: %lld, %stotal_price%s: %s}, %sanalytics%s: {%sclicks%s: %lld, "
                   "%simpressions%s: %lld}}",
                q, q, q, q, q, (long long)quantity, q, q, num, q, q, q, q, (long long)clicks, q, q,
                (long long)impressions);
}

/* Appends one malformed record of a random kind; counts it. */
static void put_bad_record(WBuf *b, Rng *r, int64_t t_us, Stats *st) {
    int kind = (int)rng_range(r, 0, 2);
    size_t at = b->len;
    if (kind == BAD_TRUNCATED) {
        put_record(b, r, t_us, 0);
        size_t len = b->len - at;
        b->len = at + 1 + (size_t)rng_range(r, 0, (int64_t)len - 3); /* keep 1 .. len-2 bytes */
        st->truncated++;
    } else if (kind == BAD_WRONG_TYPE) {
        int variant = (int)rng_range(r, 0, 3);
        put_record(b, r, t_us, 0);
        wbuf_putc(b, 0);
        char *rec = b->data + at;
        char tmp[512];
        /* rewrite one value in place: the text is short and ours, so plain string surgery is enough */
        const char *key = variant == 0 ? "\"quantity\": " : variant == 1 ? "\"clicks\": " : variant == 2 ? "\"datetime\": " : "\"analytics\": ";
        char *k = strstr(rec, key) + strlen(key);
        char *vend = k;
        if (variant == 3) vend = strchr(k, '}') + 1;
        else if (variant == 2) vend = strchr(k + 1, '"') + 1;
        else while (*vend >= '0' && *vend <= '9') vend++;
        const char *repl = variant == 0 ? "2.5" : variant == 1 ? "\"seven\"" : variant == 2 ? "\"not a time\"" : "[1, 2]";
        snprintf(tmp, sizeof tmp, "%.*s%s%s", (int)(k - rec), rec, repl, vend);
        b->len = at;
        wbuf_puts(b, tmp);
        st->wrong_type++;
    } else {
        if (rng_range(r, 0, 1) == 0) {
            put_record(b, r, t_us, 1);
        } else {
            wbuf_puts(b, "datetime=");
            put_time(b, t_us);
            wbuf_printf(b, " clicks=%lld impressions=%lld", (long long)rng_range(r, 1, 10), (long long)rng_range(r, 10, 20));
        }
        st->not_json++;
    }
}

/* ======================================================================================= files */

static volatile sig_atomic_t stop_requested;
static void on_signal(int sig) {
    (void)sig;
    stop_requested = 1;
}

/* Highest n of file_<n>.json* already in dir (0 if none), so new names sort after old ones. */
static int64_t highest_index(const char *dir) {
    DIR *d = opendir(dir);
    int64_t best = 0;
    if (!d) return 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, "file_", 5)) continue;
        char *end;
        long long n = strtoll(e->d_name + 5, &end, 10);
        if (end != e->d_name + 5 && !strncmp(end, ".json", 5) && n > best) best = n;
    }
    closedir(d);
    return best;
}

static int write_all(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* One output file on its way: written as dir/.name.tmp, then fsynced and renamed into place. The same
 * discipline as core/fs's WFileOut, kept here because --no-fsync (benchmark data sets of 100,000 files)
 * needs the rename without the fsyncs. */
typedef struct GenFile {
    int fd;
    char tmp[4096], final[4096];
} GenFile;

static int file_begin(GenFile *g, const char *dir, const char *name) {
    snprintf(g->tmp, sizeof g->tmp, "%s/.%s.tmp", dir, name);
    snprintf(g->final, sizeof g->final, "%s/%s", dir, name);
    g->fd = open(g->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (g->fd < 0) fprintf(stderr, "weir gen: cannot create %s: %s\n", g->tmp, strerror(errno));
    return g->fd < 0 ? -1 : 0;
}

static int file_write(GenFile *g, WBuf *b) {
    int rc = write_all(g->fd, b->data, b->len);
    if (rc) fprintf(stderr, "weir gen: cannot write %s: %s\n", g->tmp, strerror(errno));
    wbuf_reset(b);
    return rc;
}

/* fsync, rename into place, fsync the folder; on failure the temporary file is removed. */
static int file_commit(GenFile *g, int dir_fd, int do_sync) {
    int rc = do_sync ? fsync(g->fd) : 0;
    if (close(g->fd) && rc == 0) rc = -1;
    g->fd = -1;
    if (rc == 0) rc = rename(g->tmp, g->final);
    if (rc == 0 && do_sync) rc = fsync(dir_fd);
    if (rc) {
        fprintf(stderr, "weir gen: cannot write %s: %s\n", g->final, strerror(errno));
        unlink(g->tmp);
    }
    return rc;
}

static void file_abort(GenFile *g) {
    if (g->fd >= 0) close(g->fd);
    g->fd = -1;
    unlink(g->tmp);
}

int cmd_gen(int argc, char **argv) {
    GenOpts o;
    int rc = parse_args(argc, argv, &o);
    if (rc) return rc;
    WErr err;
    werr_init(&err);
    if (wfs_mkdirs(o.out, &err)) {
        fprintf(stderr, "weir gen: %s\n", err.msg);
        return 1;
    }
    int dir_fd = open(o.out, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) {
        fprintf(stderr, "weir gen: cannot open folder %s: %s\n", o.out, strerror(errno));
        return 1;
    }
    Rng rng;
    rng_seed(&rng, o.have_seed ? o.seed : (uint64_t)wtime_now_us() ^ ((uint64_t)getpid() << 32));
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (!o.quiet) {
        if (o.have_start) {
            char ts[WTIME_TEXT_MAX];
            wtime_format_timestamp(o.start_us, NULL, ts);
            printf("weir gen: synthetic event clock from %s, %lld us per record\n", ts, (long long)o.step_us);
        } else {
            printf("weir gen: event time from the wall clock (UTC)\n");
        }
        fflush(stdout);
    }

    int64_t first = highest_index(o.out) + 1;
    Stats st = {0};
    WBuf buf;
    wbuf_init(&buf);
    int64_t k = 0; /* record index over the run: the synthetic clock */
    int64_t t0 = wtime_mono_us();
    rc = 0;
    for (int64_t f = 0; (o.files < 0 || f < o.files) && !stop_requested; f++) {
        if (f > 0 && o.interval_us > 0) {
            int64_t due = t0 + f * o.interval_us;
            for (int64_t now = wtime_mono_us(); now < due && !stop_requested; now = wtime_mono_us()) {
                struct timespec ts = {(time_t)((due - now) / 1000000), (long)((due - now) % 1000000) * 1000};
                nanosleep(&ts, NULL);
            }
            if (stop_requested) break;
        }
        char name[64];
        snprintf(name, sizeof name, "file_%010lld.%s", (long long)(first + f), o.jsonl ? "jsonl" : "json");
        GenFile g;
        if (file_begin(&g, o.out, name)) {
            rc = 1;
            break;
        }
        /* Records go out through buf in pieces of about 1 MB, so any file size runs in bounded memory.
         * Room for a whole record is reserved first: the appends after that cannot fail. */
        Stats fst = {0};
        wbuf_reset(&buf);
        if (!o.jsonl) wbuf_putc(&buf, '[');
        for (int64_t i = 0; i < o.per_file && rc == 0; i++, k++) {
            if (stop_requested) {
                rc = -1;
                break;
            }
            if (wbuf_reserve(&buf, 2048)) {
                fprintf(stderr, "weir gen: out of memory\n");
                rc = 1;
                break;
            }
            int64_t t = o.have_start ? o.start_us + k * o.step_us + (o.step_us > 0 ? rng_range(&rng, 0, o.step_us - 1) : 0)
                                     : wtime_now_us();
            if (o.late_fraction > 0 && rng_unit(&rng) < o.late_fraction) {
                t -= rng_range(&rng, 1, o.max_late_us);
                fst.late++;
            }
            if (i > 0) wbuf_puts(&buf, o.jsonl ? "" : ", ");
            if (o.bad_fraction > 0 && rng_unit(&rng) < o.bad_fraction) put_bad_record(&buf, &rng, t, &fst);
            else put_record(&buf, &rng, t, 0);
            if (o.jsonl) wbuf_putc(&buf, '\n');
            fst.records++;
            if (buf.len >= (1u << 20) && file_write(&g, &buf)) rc = 1;
        }
        if (rc == 0 && !o.jsonl) wbuf_putc(&buf, ']');
        if (rc == 0 && file_write(&g, &buf)) rc = 1;
        if (rc == 0 && file_commit(&g, dir_fd, o.fsync_files)) rc = 1;
        if (rc) {
            if (g.fd >= 0) file_abort(&g);
            if (rc < 0) rc = 0; /* interrupted: the unfinished file never became visible */
            break;
        }
        st.records += fst.records;
        st.late += fst.late;
        st.truncated += fst.truncated;
        st.wrong_type += fst.wrong_type;
        st.not_json += fst.not_json;
        st.files++;
        if (!o.quiet) {
            printf("%s/%s: %lld records\n", o.out, name, (long long)o.per_file);
            fflush(stdout);
        }
    }
    wbuf_fini(&buf);
    close(dir_fd);
    if (!o.quiet)
        printf("weir gen: %lld files, %lld records (%lld late; %lld bad: %lld truncated, %lld wrong types, "
               "%lld not JSON) in %s\n",
               (long long)st.files, (long long)st.records, (long long)st.late,
               (long long)(st.truncated + st.wrong_type + st.not_json), (long long)st.truncated,
               (long long)st.wrong_type, (long long)st.not_json, o.out);
    return rc;
}
