#include "run/summarize.h"

#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "results/rread.h"
#include "results/rstats.h"
#include "results/segments.h"
#include "run/cindex.h"
#include "run/run.h"
#include "scn/field.h"
#include "scn/scn.h"
#include "scn/units.h"

#define TEXT_MAX 256 /* the longest attribute read here (format) */

/* ---- the table ----------------------------------------------------------------------------- */

enum { C_POINT, C_COMBINATION, C_REPLICATIONS, C_REPSET, NHEAD };
static const char *const head_names[NHEAD] = {"point", "combination", "replications",
                                              "replication_set"};
enum {
    T_POLICY,
    T_METRIC,
    T_UNIT,
    T_N,
    T_MEAN,
    T_CI95,
    T_P50,
    T_P95,
    T_P99,
    T_P50_CI95,
    T_P95_CI95,
    T_P99_CI95,
    NTAIL
};
static const char *const tail_names[NTAIL] = {"policy", "metric",   "unit",     "n",
                                              "mean",   "ci95",     "p50",      "p95",
                                              "p99",    "p50_ci95", "p95_ci95", "p99_ci95"};

/* How a swept key is shown. */
struct axis {
    char *column;        /* "cell_bandwidth_MHz" */
    enum tidy_kind kind; /* REAL: a quantity, in the unit named in `column`; INT; BOOL; TEXT: a
                            choice or a string, named by the point's scenario */
    double factor;       /* REAL: the value shown is the base value / factor */
};

/* Who a row is, besides its policy and metric. */
struct ident {
    int64_t point, combination, replications; /* -1: empty */
    char *repset;                             /* "0-4", "0,2-3"; NULL: empty */
    struct tidy_cell *axes;                   /* [naxes] */
};

static int table_begin(struct tidy *w, FILE *out, enum tidy_format format, const struct axis *axes,
                       size_t naxes)
{
    size_t n = NHEAD + naxes + NTAIL;
    const char **cols = calloc(n, sizeof *cols);
    if (!cols)
        return -ENOMEM;
    for (size_t i = 0; i < NHEAD; i++)
        cols[i] = head_names[i];
    for (size_t a = 0; a < naxes; a++)
        cols[NHEAD + a] = axes[a].column;
    for (size_t i = 0; i < NTAIL; i++)
        cols[NHEAD + naxes + i] = tail_names[i];
    int rc = tidy_begin(w, out, format, cols, n);
    free(cols);
    return rc;
}

static void set_count(struct tidy *w, size_t col, double v)
{
    if (isfinite(v) && v >= 0 && v == floor(v) && v < 9e15)
        tidy_set_int(w, col, (int64_t)v);
    else
        tidy_set_real(w, col, v);
}

/* Writes one row: id's columns, the policy, the metric `name` in `unit` with m's statistics. */
static int emit_row(struct tidy *w, const struct ident *id, size_t naxes, const char *policy,
                    const char *name, const char *unit, const struct rstats_metric *m)
{
    if (id->point >= 0)
        tidy_set_int(w, C_POINT, id->point);
    if (id->combination >= 0)
        tidy_set_int(w, C_COMBINATION, id->combination);
    if (id->replications >= 0)
        tidy_set_int(w, C_REPLICATIONS, id->replications);
    tidy_set_text(w, C_REPSET, id->repset);
    for (size_t a = 0; a < naxes; a++)
        tidy_set_cell(w, NHEAD + a, &id->axes[a]);
    size_t t = NHEAD + naxes;
    tidy_set_text(w, t + T_POLICY, policy);
    tidy_set_text(w, t + T_METRIC, name);
    tidy_set_text(w, t + T_UNIT, unit);
    set_count(w, t + T_N, m->n);
    tidy_set_real(w, t + T_MEAN, m->mean);
    tidy_set_real(w, t + T_CI95, m->ci95);
    tidy_set_real(w, t + T_P50, m->p50);
    tidy_set_real(w, t + T_P95, m->p95);
    tidy_set_real(w, t + T_P99, m->p99);
    tidy_set_real(w, t + T_P50_CI95, m->p50_ci95);
    tidy_set_real(w, t + T_P95_CI95, m->p95_ci95);
    tidy_set_real(w, t + T_P99_CI95, m->p99_ci95);
    return tidy_emit(w);
}

/* Every policy's every metric of one results file. */
static int emit_file_rows(struct tidy *w, const struct rstats *s, const struct ident *id,
                          size_t naxes)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < s->npolicies; i++)
        for (size_t j = 0; rc == 0 && j < s->p[i].nmetrics; j++)
            rc = emit_row(w, id, naxes, s->p[i].name, s->p[i].m[j].name, s->p[i].m[j].unit,
                          &s->p[i].m[j]);
    return rc;
}

/* Sorted replication numbers as "0-2,5" (malloc'd); NULL when n is 0 or out of memory. */
static char *repset_text(const int64_t *v, size_t n)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = n ? open_memstream(&text, &len) : NULL;
    if (!f)
        return NULL;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && v[j + 1] == v[j] + 1)
            j++;
        fprintf(f, "%s%" PRId64, i ? "," : "", v[i]);
        if (j > i)
            fprintf(f, "-%" PRId64, v[j]);
        i = j + 1;
    }
    fclose(f);
    return text;
}

/* The replication set of a results file: first .. first + replications - 1. */
static char *file_repset(const struct rstats *s)
{
    if (s->first_replication < 0 || s->replications < 1)
        return NULL;
    int64_t v[2] = {s->first_replication, s->first_replication + s->replications - 1};
    return repset_text(v, s->replications > 1 ? 2 : 1);
}

static int out_of_memory(struct diag *d)
{
    diag_error(d, "out of memory");
    return RUN_FAILURE;
}

/* Ends the table; a failed write is reported. */
static int table_end(struct tidy *w, int rc, struct diag *d)
{
    int end = tidy_end(w);
    if (rc == -ENOMEM)
        return out_of_memory(d);
    if (rc < 0 || end < 0) {
        diag_error(d, "summarize: cannot write the table: %s", strerror(errno ? errno : EIO));
        return RUN_FAILURE;
    }
    return RUN_OK;
}

/* ---- a results file -------------------------------------------------------------------------- */

static int summarize_results(struct rread *r, const char *path, const struct summarize_options *o,
                             FILE *out, struct diag *d)
{
    struct rstats s;
    int rc = rstats_read(r, path, &s, d);
    if (rc < 0) {
        rstats_release(&s);
        return rc == -ENOMEM ? out_of_memory(d) : RUN_BAD_INPUT;
    }
    struct ident id = {.point = s.sweep_point,
                       .combination = -1,
                       .replications = s.replications,
                       .repset = file_repset(&s)};
    struct tidy w;
    rc = table_begin(&w, out, o->format, NULL, 0);
    if (rc == 0)
        rc = emit_file_rows(&w, &s, &id, 0);
    rc = table_end(&w, rc, d);
    free(id.repset);
    rstats_release(&s);
    return rc;
}

/* ---- a campaign ------------------------------------------------------------------------------ */

struct campaign {
    struct cindex ix;
    struct axis *show;    /* [ix.naxes] */
    uint64_t unreadable;  /* indexed point files that could not be read */
    char *why_unreadable; /* the first one's message */
};

static void campaign_release(struct campaign *c)
{
    for (size_t a = 0; c->show && a < c->ix.naxes; a++)
        free(c->show[a].column);
    free(c->show);
    free(c->why_unreadable);
    cindex_release(&c->ix);
}

/* "COLUMN_UNIT" with the unit made a name pandas can use as an attribute: "/" reads "per"
 * ("/min" -> "per_min", "km/h" -> "km_per_h"), anything else not a letter or digit "_". */
static char *unit_column(const char *col, const char *unit)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return NULL;
    fprintf(f, "%s_", col);
    for (const char *u = unit; *u; u++) {
        unsigned char ch = (unsigned char)*u;
        if (ch == '/')
            fputs(u == unit ? "per_" : "_per_", f);
        else
            fputc((ch >= '0' && ch <= '9') || ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z') ? ch : '_',
                  f);
    }
    fclose(f);
    return text;
}

/* How swept key a is shown: its kind from the scenario's schema, a quantity in the unit its
 * values read best in (a key the schema does not know: a number in the unit the index gives). */
static int axis_display(const struct cindex *ix, size_t a, struct axis *show)
{
    const struct cindex_axis *ax = &ix->axes[a];
    const struct scn_field *f = field_find(scn_schema, ax->path);
    char *attr = NULL;
    const char *unit = NULL;
    show->factor = 1;
    show->kind = TIDY_REAL;
    if (!f) {
        char *path = NULL;
        if (asprintf(&path, "/summary/%s", ax->index_col) >= 0)
            attr = rread_attr_string_max(ix->r, path, "units", 64);
        free(path);
        unit = attr && strcmp(attr, "1") != 0 && *attr ? attr : NULL;
    } else if (f->type == FIELD_QUANTITY) {
        bool by_point = ix->ns > 0;
        unit = unit_display(f->dim, by_point ? ax->sum : ax->comb, by_point ? ix->ns : ix->nc,
                            &show->factor);
    } else {
        show->kind = f->type == FIELD_UINT   ? TIDY_INT
                     : f->type == FIELD_BOOL ? TIDY_BOOL
                                             : TIDY_TEXT;
    }
    show->column = unit && *unit ? unit_column(ax->index_col, unit) : strdup(ax->index_col);
    free(attr);
    return show->column ? 0 : -ENOMEM;
}

/* Axis a's cell for the index value v (the base unit; a choice's index) or, for a choice or a
 * string, the name `text` from the point's scenario (borrowed: the cell does not own it). */
static void axis_cell(const struct axis *a, double v, char *text, struct tidy_cell *cell)
{
    memset(cell, 0, sizeof *cell);
    if (a->kind == TIDY_TEXT) {
        if (text) {
            cell->kind = TIDY_TEXT;
            cell->text = text;
        }
    } else if (isfinite(v) && a->kind == TIDY_REAL) {
        cell->kind = TIDY_REAL;
        cell->real = v;
        if (a->factor != 1) { /* 12 digits: the unit's change of scale leaves no trailing noise */
            char buf[32];
            snprintf(buf, sizeof buf, "%.12g", v / a->factor);
            cell->real = strtod(buf, NULL);
        }
    } else if (isfinite(v) && a->kind == TIDY_INT && fabs(v) < 9e15) {
        cell->kind = TIDY_INT;
        cell->integer = (int64_t)v;
    } else if (isfinite(v) && a->kind == TIDY_BOOL) {
        cell->kind = TIDY_BOOL;
        cell->boolean = v != 0;
    }
}

/* Point p's file, read into *s and left open (NULL when it cannot be: *why, malloc'd, says why;
 * the count of unreadable files and the first reason are kept). */
static struct rread *open_point(struct campaign *c, int64_t p, struct rstats *s, char **why)
{
    memset(s, 0, sizeof *s);
    *why = NULL;
    char *path = NULL;
    if (asprintf(&path, "%s/points/p%" PRId64 ".h5", c->ix.dir, p) < 0)
        return NULL;
    struct diag d;
    diag_init(&d);
    struct rread *r = rread_open(path);
    if (!r) {
        *why = strdup("cannot be opened: missing, not a regular file, or not HDF5");
    } else if (rstats_read(r, path, s, &d) < 0) {
        *why = strdup(d.len ? d.msgs[0].text : "out of memory");
    } else if (s->sweep_point != p) {
        if (asprintf(why, "holds sweep point %" PRId64 ", not %" PRId64, s->sweep_point, p) < 0)
            *why = NULL;
    }
    if (*why || !r) {
        rread_close(r);
        r = NULL;
        rstats_release(s);
        c->unreadable++;
        if (!c->why_unreadable &&
            asprintf(&c->why_unreadable, "%s: %s", path, *why ? *why : "out of memory") < 0)
            c->why_unreadable = NULL;
    }
    diag_release(&d);
    free(path);
    return r;
}

/* The TEXT axes' names at an open point file (texts[a] malloc'd or NULL). */
static void point_texts(const struct campaign *c, struct rread *r, char **texts)
{
    const char **paths = calloc(c->ix.naxes ? c->ix.naxes : 1, sizeof *paths);
    if (!paths)
        return;
    for (size_t a = 0; a < c->ix.naxes; a++)
        paths[a] = c->ix.axes[a].path;
    cindex_scenario_values(r, paths, c->ix.naxes, texts);
    free(paths);
}

static void free_texts(char **texts, size_t n)
{
    for (size_t i = 0; texts && i < n; i++) {
        free(texts[i]);
        texts[i] = NULL;
    }
}

/* --per-point: every policy's every metric of each indexed point's file. */
static int emit_points(struct campaign *c, struct tidy *w, struct diag *d)
{
    struct tidy_cell *cells = calloc(c->ix.naxes ? c->ix.naxes : 1, sizeof *cells);
    char **texts = calloc(c->ix.naxes ? c->ix.naxes : 1, sizeof *texts);
    int rc = cells && texts ? 0 : -ENOMEM;
    for (size_t j = 0; rc == 0 && j < c->ix.npts; j++) {
        const struct cindex_point *pt = &c->ix.pts[j];
        struct rstats s;
        char *why = NULL;
        struct rread *r = open_point(c, pt->point, &s, &why);
        if (!r) {
            diag_report(d, DIAG_WARNING, c->ix.path, 0, 0,
                        "point %" PRId64 ": its file points/p%" PRId64 ".h5 %s; not summarized",
                        pt->point, pt->point, why ? why : "cannot be read");
            free(why);
            continue;
        }
        point_texts(c, r, texts);
        rread_close(r);
        struct ident id = {.point = pt->point,
                           .combination = pt->point / c->ix.reps,
                           .replications = s.replications,
                           .repset = file_repset(&s),
                           .axes = cells};
        for (size_t a = 0; a < c->ix.naxes; a++)
            axis_cell(&c->show[a], c->ix.axes[a].sum[pt->row], texts[a], &cells[a]);
        rc = emit_file_rows(w, &s, &id, c->ix.naxes);
        free(id.repset);
        free_texts(texts, c->ix.naxes);
        rstats_release(&s);
    }
    free(cells);
    free(texts);
    return rc;
}

/* A combination's indexed points (c->ix.pts[first .. first + n)) and what their files say. */
struct combo {
    int64_t k;
    size_t first, n;
    struct rstats *st; /* [n]; a file that could not be read: zeroed */
    bool all_read;
    char **texts;       /* [naxes]: the TEXT axes' names, from the first file read */
    char *repset;       /* the replications of its points */
    const char *single; /* the policy of a split campaign without competition */
};

static void combo_release(struct combo *b, size_t naxes)
{
    for (size_t i = 0; b->st && i < b->n; i++)
        rstats_release(&b->st[i]);
    free(b->st);
    free_texts(b->texts, naxes);
    free(b->texts);
    free(b->repset);
    memset(b, 0, sizeof *b);
    b->k = -1;
}

static int cmp_int64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int combo_load(struct campaign *c, int64_t k, struct combo *b)
{
    combo_release(b, c->ix.naxes);
    b->k = k;
    int64_t hi = (k + 1) * c->ix.reps;
    size_t i = cindex_lower_bound(&c->ix, k * c->ix.reps);
    b->first = i;
    while (i < c->ix.npts && c->ix.pts[i].point < hi)
        i++;
    b->n = i - b->first;
    int64_t *reps = calloc(b->n ? b->n : 1, sizeof *reps);
    b->st = calloc(b->n ? b->n : 1, sizeof *b->st);
    b->texts = calloc(c->ix.naxes ? c->ix.naxes : 1, sizeof *b->texts);
    if (!reps || !b->st || !b->texts) {
        free(reps);
        return -ENOMEM;
    }
    b->all_read = true;
    bool named = false;
    for (size_t m = 0; m < b->n; m++) {
        const struct cindex_point *pt = &c->ix.pts[b->first + m];
        reps[m] = pt->replication;
        char *why = NULL;
        struct rread *r = open_point(c, pt->point, &b->st[m], &why);
        free(why);
        b->all_read = b->all_read && r;
        if (r && !named) {
            point_texts(c, r, b->texts);
            named = true;
            b->single = b->st[m].npolicies == 1 ? b->st[m].p[0].name : NULL;
        }
        rread_close(r);
    }
    qsort(reps, b->n, sizeof *reps, cmp_int64);
    b->repset = repset_text(reps, b->n);
    free(reps);
    return 0;
}

/* n of a combination: the sum of its point files' n (NaN unless every one has it). */
static double combo_n(const struct combo *b, const char *policy, const char *metric)
{
    if (!b->all_read || b->n == 0)
        return NAN;
    double sum = 0;
    for (size_t i = 0; i < b->n; i++) {
        const struct rstats_metric *m = rstats_find(&b->st[i], policy, metric);
        if (!m || isnan(m->n))
            return NAN;
        sum += m->n;
    }
    return sum;
}

/* The rows of /combinations row i: one per metric of the model. */
static int emit_combination(struct campaign *c, struct tidy *w, size_t i, const struct combo *b,
                            struct tidy_cell *cells)
{
    int64_t q = (int64_t)c->ix.c_policy[i];
    const char *policy = q >= 0 ? c->ix.policies[q] : b->single;
    struct ident id = {.point = -1,
                       .combination = b->k,
                       .replications = (int64_t)c->ix.c_reps[i],
                       .repset = b->repset,
                       .axes = cells};
    for (size_t a = 0; a < c->ix.naxes; a++)
        axis_cell(&c->show[a], c->ix.axes[a].comb[i], b->texts[a], &cells[a]);
    int rc = 0;
    for (size_t m = 0; rc == 0 && m < cindex_nmetrics; m++) {
        const struct cindex_metric *im = &cindex_metrics[m];
        if (!cindex_has_metric(&c->ix, m))
            continue;
        double v[CINDEX_STATS];
        for (size_t k = 0; k < CINDEX_STATS; k++)
            v[k] = c->ix.mcol[m][k] ? c->ix.mcol[m][k][i] : (double)NAN;
        struct rstats_metric x = {.n = combo_n(b, q >= 0 ? policy : NULL, im->name),
                                  .mean = v[0],
                                  .ci95 = v[1],
                                  .p50 = v[2],
                                  .p95 = v[3],
                                  .p99 = v[4],
                                  .p50_ci95 = v[5],
                                  .p95_ci95 = v[6],
                                  .p99_ci95 = v[7]};
        rc = emit_row(w, &id, c->ix.naxes, policy, im->name, c->ix.munit[m], &x);
    }
    return rc;
}

/* The default: a row per /combinations row and metric. */
static int emit_combinations(struct campaign *c, struct tidy *w)
{
    struct tidy_cell *cells = calloc(c->ix.naxes ? c->ix.naxes : 1, sizeof *cells);
    struct combo b = {.k = -1};
    int rc = cells ? 0 : -ENOMEM;
    for (size_t i = 0; rc == 0 && i < c->ix.nc; i++) {
        int64_t k = (int64_t)c->ix.c_comb[i];
        if (k != b.k)
            rc = combo_load(c, k, &b);
        if (rc == 0)
            rc = emit_combination(c, w, i, &b, cells);
    }
    combo_release(&b, c->ix.naxes);
    free(cells);
    return rc;
}

/* ---- a campaign: the points not in it -------------------------------------------------------- */

/* Reports the points [p, q] (all in state s) as a warning. */
static void report_points(const struct cindex *c, int64_t p, int64_t q, unsigned char s,
                          struct diag *d)
{
    char which[64], name[48];
    if (p == q) {
        snprintf(which, sizeof which, "point %" PRId64, p);
        snprintf(name, sizeof name, "points/p%" PRId64, p);
    } else {
        snprintf(which, sizeof which, "points %" PRId64 "-%" PRId64, p, q);
        snprintf(name, sizeof name, "points/pI");
    }
    switch (s) {
    case CINDEX_INTERRUPTED:
        diag_report(d, DIAG_WARNING, c->path, 0, 0,
                    "%s: interrupted (%s.incomplete.h5 holds what it ran); not summarized", which,
                    name);
        break;
    case CINDEX_FAILED:
        diag_report(d, DIAG_WARNING, c->path, 0, 0,
                    "%s: failed or killed (its run left the folder %s.h5.HOST.PID.part); not "
                    "summarized",
                    which, name);
        break;
    case CINDEX_UNINDEXED:
        diag_report(d, DIAG_WARNING, c->path, 0, 0,
                    "%s: %s.h5 is there but not in the index (not complete when the index was "
                    "written, or from another scenario); not summarized",
                    which, name);
        break;
    default:
        diag_report(d, DIAG_WARNING, c->path, 0, 0,
                    "%s: not run (nothing in points/); not summarized", which);
    }
}

/* Reports each point of the sweep that is not in the index, with what its folder holds;
 * returns how many. */
static int64_t report_missing(const struct cindex *c, struct diag *d)
{
    if ((int64_t)c->npts == c->points)
        return 0;
    unsigned char *st = cindex_point_states(c);
    if (!st) {
        diag_error(d, "out of memory");
        return c->points - (int64_t)c->npts;
    }
    int64_t missing = 0;
    for (int64_t p = 0; p < c->points;) {
        int64_t q = p;
        while (q + 1 < c->points && st[q + 1] == st[p])
            q++;
        if (st[p] != CINDEX_INDEXED) {
            report_points(c, p, q, st[p], d);
            missing += q - p + 1;
        }
        p = q + 1;
    }
    free(st);
    diag_report(d, DIAG_WARNING, c->path, 0, 0,
                "%" PRId64 " of the campaign's %" PRId64 " point(s) are not in this summary "
                "(above); rerunning the sweep finishes them",
                missing, c->points);
    return missing;
}

/* ---- inputs ------------------------------------------------------------------------------ */

static bool regular_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* "DIR/NAME" (malloc'd) */
static char *join(const char *dir, const char *name)
{
    char *p = NULL;
    return asprintf(&p, "%s/%s", dir, name) < 0 ? NULL : p;
}

static int summarize_campaign(const char *index, const struct summarize_options *o, FILE *out,
                              struct diag *d)
{
    struct campaign c = {0};
    char *copy = strdup(index);
    char *newer = copy ? join(dirname(copy), "campaign.incomplete.h5") : NULL;
    free(copy);
    const char *base = strrchr(index, '/');
    if (newer && strcmp(base ? base + 1 : index, "campaign.h5") == 0 && regular_file(newer))
        diag_report(d, DIAG_WARNING, index, 0, 0,
                    "%s beside it is a newer index (the last sweep left points unfinished); "
                    "summarizing the older one, as asked",
                    newer);
    free(newer);
    int rc = cindex_open(&c.ix, index, d);
    if (rc == 0)
        rc = (c.show = calloc(c.ix.naxes ? c.ix.naxes : 1, sizeof *c.show)) ? 0 : -ENOMEM;
    for (size_t a = 0; rc == 0 && a < c.ix.naxes; a++)
        rc = axis_display(&c.ix, a, &c.show[a]);
    if (rc < 0) {
        campaign_release(&c);
        return rc == -ENOMEM ? out_of_memory(d) : RUN_BAD_INPUT;
    }
    struct tidy w;
    rc = table_begin(&w, out, o->format, c.show, c.ix.naxes);
    if (rc == 0)
        rc = o->per_point ? emit_points(&c, &w, d) : emit_combinations(&c, &w);
    int status = table_end(&w, rc, d);
    int64_t missing = report_missing(&c.ix, d);
    if (c.unreadable)
        diag_report(d, DIAG_WARNING, index, 0, 0,
                    "%" PRIu64 " indexed point file(s) could not be read (the first: %s); %s",
                    c.unreadable, c.why_unreadable ? c.why_unreadable : "?",
                    o->per_point ? "their points are not summarized"
                                 : "n, and the names of swept choices, are empty in their "
                                   "combinations' rows");
    if (status == RUN_OK && (missing || c.unreadable))
        status = RUN_FAILURE;
    campaign_release(&c);
    return status;
}

/* A folder: a campaign's (its newest index), or a run's temporary one (refused). */
static int summarize_folder(const char *dir, const struct summarize_options *o, FILE *out,
                            struct diag *d)
{
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        len--;
    if ((len > 5 && strncmp(dir + len - 5, ".part", 5) == 0) || seg_is_folder(dir)) {
        diag_report(d, DIAG_ERROR, dir, 0, 0,
                    "the temporary folder of a run that did not finish (killed, or stopped by "
                    "an error): it holds no statistics to summarize; 'splitsim recover %s' "
                    "writes what it recorded as one file, 'splitsim inspect %s' tells what that "
                    "is",
                    dir, dir);
        return RUN_BAD_INPUT;
    }
    char *incomplete = join(dir, "campaign.incomplete.h5"), *complete = join(dir, "campaign.h5");
    int rc;
    if (!incomplete || !complete) {
        rc = out_of_memory(d);
    } else if (regular_file(incomplete) || regular_file(complete)) {
        /* a complete index removes the incomplete one: when both are there, that is newer */
        rc = summarize_campaign(regular_file(incomplete) ? incomplete : complete, o, out, d);
    } else {
        diag_report(d, DIAG_ERROR, dir, 0, 0,
                    "not a campaign folder: it holds no campaign.h5 (the index 'splitsim sweep "
                    "SCENARIO -o DIR' writes); give a results file, a campaign index or a "
                    "campaign folder");
        rc = RUN_BAD_INPUT;
    }
    free(incomplete);
    free(complete);
    return rc;
}

int summarize_path(const char *path, const struct summarize_options *o, FILE *out, struct diag *d)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        diag_report(d, DIAG_ERROR, path, 0, 0, "cannot open: %s", strerror(errno));
        return RUN_BAD_INPUT;
    }
    if (S_ISDIR(st.st_mode))
        return summarize_folder(path, o, out, d);
    if (!S_ISREG(st.st_mode)) {
        diag_report(d, DIAG_ERROR, path, 0, 0,
                    "expected a results file, a campaign index or a campaign folder, got %s",
                    S_ISFIFO(st.st_mode)   ? "a FIFO"
                    : S_ISCHR(st.st_mode)  ? "a character device"
                    : S_ISBLK(st.st_mode)  ? "a block device"
                    : S_ISSOCK(st.st_mode) ? "a socket"
                                           : "something else");
        return RUN_BAD_INPUT;
    }
    struct rread *r = rread_open(path);
    if (!r) {
        diag_report(d, DIAG_ERROR, path, 0, 0,
                    "HDF5 cannot open it (%lld bytes): not an HDF5 file, or damaged",
                    (long long)st.st_size);
        return RUN_BAD_INPUT;
    }
    char *format = rread_attr_string_max(r, "/", "format", TEXT_MAX);
    bool index = format && strcmp(format, "splitsim-campaign") == 0;
    free(format);
    if (index) {
        rread_close(r);
        return summarize_campaign(path, o, out, d);
    }
    int rc = summarize_results(r, path, o, out, d);
    rread_close(r);
    return rc;
}
