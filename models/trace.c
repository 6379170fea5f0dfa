#include "models/trace.h"
#include "sim/slurp.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRACE_MAX_BYTES ((size_t)1 << 30)

void trace_release(struct trace *t)
{
    free(t->v);
    memset(t, 0, sizeof *t);
}

/* Parses one field [p, end) as a number; NULL on success, else what was expected. */
static const char *field_number(const char *p, const char *end, bool integer, double *out)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        end--;
    if (p == end)
        return integer ? "a whole number" : "a time in seconds";
    char buf[64];
    size_t n = (size_t)(end - p);
    if (n >= sizeof buf)
        return integer ? "a whole number" : "a time in seconds";
    memcpy(buf, p, n);
    buf[n] = '\0';
    char *stop = NULL;
    double v = strtod(buf, &stop);
    if (*stop || !isfinite(v) || v < 0 || (integer && (v != floor(v) || v > 4294967295.0)))
        return integer ? "a whole number" : "a time in seconds >= 0";
    *out = v;
    return NULL;
}

int trace_parse(struct trace *t, const char *name, const char *text, size_t len, struct diag *d)
{
    memset(t, 0, sizeof *t);
    size_t cap = 0, errors = 0;
    int line = 0;
    int64_t last = 0;
    static const char *const what[] = {"time_s", "ue", "prompt_tokens", "output_tokens"};
    for (const char *p = text, *end = text + len; p < end && errors < 20;) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        line++;
        const char *s = p;
        p = eol + 1;
        while (s < eol && (*s == ' ' || *s == '\t' || *s == '\r'))
            s++;
        if (s == eol || *s == '#' || (line == 1 && isalpha((unsigned char)*s)))
            continue;
        double v[4];
        const char *f = s;
        int k = 0;
        for (; k < 4; k++) {
            const char *comma = memchr(f, ',', (size_t)(eol - f));
            const char *fe = (k < 3 && comma) ? comma : eol;
            if (k < 3 && !comma) {
                diag_report(d, DIAG_ERROR, name, line, (int)(eol - s) + 1,
                            "expected 4 comma-separated fields (time_s,ue,prompt_tokens,"
                            "output_tokens), found %d",
                            k + 1);
                errors++;
                break;
            }
            const char *bad = field_number(f, fe, k > 0, &v[k]);
            if (!bad && k >= 2 && v[k] < 1)
                bad = "a token count >= 1";
            if (bad) {
                /* The found text of the first error only: the file may be no trace at all
                 * (a mistyped path, /etc/passwd), and its lines are not shown freely. */
                if (errors == 0)
                    diag_report(d, DIAG_ERROR, name, line, (int)(f - s) + 1,
                                "%s: expected %s, found '%.*s'", what[k], bad,
                                (int)(fe - f > 40 ? 40 : fe - f), f);
                else
                    diag_report(d, DIAG_ERROR, name, line, (int)(f - s) + 1, "%s: expected %s",
                                what[k], bad);
                errors++;
                break;
            }
            f = fe + 1;
        }
        if (k < 4)
            continue;
        int64_t ns = llround(v[0] * 1e9);
        if (v[0] > 9e9) {
            diag_report(d, DIAG_ERROR, name, line, 1, "time_s: expected at most 9e9 s, found %g",
                        v[0]);
            errors++;
            continue;
        }
        if (ns < last) {
            diag_report(d, DIAG_ERROR, name, line, 1,
                        "time_s: expected times in order (>= %.9g s on the line before), found "
                        "%.9g s",
                        (double)last * 1e-9, v[0]);
            errors++;
            continue;
        }
        last = ns;
        if (t->n == cap) {
            size_t nc = cap ? 2 * cap : 256;
            struct trace_entry *nv = realloc(t->v, nc * sizeof *nv);
            if (!nv) {
                trace_release(t);
                diag_error(d, "%s: out of memory", name);
                return -ENOMEM;
            }
            t->v = nv;
            cap = nc;
        }
        t->v[t->n++] = (struct trace_entry){.time_ns = ns,
                                            .ue = (uint32_t)v[1],
                                            .prompt = (uint32_t)v[2],
                                            .output = (uint32_t)v[3]};
    }
    if (!errors && t->n == 0) {
        diag_report(d, DIAG_ERROR, name, line ? line : 1, 1,
                    "expected at least one request line (time_s,ue,prompt_tokens,output_tokens)");
        errors++;
    }
    if (errors) {
        trace_release(t);
        return -EINVAL;
    }
    return 0;
}

int trace_load(struct trace *t, const char *path, struct diag *d)
{
    memset(t, 0, sizeof *t);
    char *buf = NULL;
    size_t len = 0;
    int rc = slurp_file(path, TRACE_MAX_BYTES, &buf, &len, d);
    if (rc < 0)
        return rc;
    rc = trace_parse(t, path, buf, len, d);
    free(buf);
    return rc;
}
