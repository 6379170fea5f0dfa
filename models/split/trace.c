#include "models/split/trace.h"
#include "scn/scn.h"
#include "sim/slurp.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRACE_MAX_BYTES ((size_t)1 << 30)

#define STR_(x) #x
#define STR(x)  STR_(x)

void trace_release(struct trace *t)
{
    free(t->v);
    memset(t, 0, sizeof *t);
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Whether [p, end) is a plain decimal number: digits with an optional fraction, then an optional
 * exponent ("12", "0.5", ".5", "1e5", "2.5E-3"); no sign, no hex, no inf or nan. */
static bool plain_decimal(const char *p, const char *end)
{
    size_t before = 0, after = 0;
    while (p < end && is_digit(*p))
        p++, before++;
    if (p < end && *p == '.')
        for (p++; p < end && is_digit(*p); p++)
            after++;
    if (before + after == 0)
        return false;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        size_t exp = 0;
        while (p < end && is_digit(*p))
            p++, exp++;
        if (!exp)
            return false;
    }
    return p == end;
}

/* Trims blanks (and a carriage return at the end) around the field [*p, *end). */
static void trim(const char **p, const char **end)
{
    while (*p < *end && (**p == ' ' || **p == '\t'))
        (*p)++;
    while (*end > *p && ((*end)[-1] == ' ' || (*end)[-1] == '\t' || (*end)[-1] == '\r'))
        (*end)--;
}

/* Parses field k of a line, [p, end): the time (a plain decimal number of seconds, >= 0), the
 * UE number (digits, < SCN_MAX_UES) or a token count (digits, in [1, SCN_MAX_TOKENS]). NULL on
 * success, else what was expected. */
static const char *field_number(int k, const char *p, const char *end, double *out)
{
    trim(&p, &end);
    bool ok = k == 0 ? plain_decimal(p, end) : p < end;
    for (const char *c = p; k > 0 && c < end; c++)
        ok &= is_digit(*c);
    size_t n = (size_t)(end - p);
    char buf[64];
    if (!ok || n >= sizeof buf)
        return k == 0 ? "a time in seconds >= 0 (a plain decimal number)" : "a whole number";
    memcpy(buf, p, n);
    buf[n] = '\0';
    double v = strtod(buf, NULL);
    if (k == 0 && !isfinite(v))
        return "a time in seconds >= 0 (a plain decimal number)";
    if (k == 1 && v >= SCN_MAX_UES)
        return "a UE number below " STR(SCN_MAX_UES) " (the most UEs a scenario has)";
    if (k >= 2 && (v < 1 || v > SCN_MAX_TOKENS))
        return "a token count in [1, " STR(SCN_MAX_TOKENS) "]";
    *out = v;
    return NULL;
}

/* Whether [s, eol) is the header line time_s,ue,prompt_tokens,output_tokens (blanks allowed
 * around the names). */
static bool is_header(const char *s, const char *eol)
{
    static const char *const names[] = {"time_s", "ue", "prompt_tokens", "output_tokens"};
    for (int k = 0; k < 4; k++) {
        const char *comma = k < 3 ? memchr(s, ',', (size_t)(eol - s)) : NULL;
        const char *fe = comma ? comma : eol;
        if (k < 3 && !comma)
            return false;
        const char *p = s;
        trim(&p, &fe);
        if ((size_t)(fe - p) != strlen(names[k]) || memcmp(p, names[k], (size_t)(fe - p)) != 0)
            return false;
        if (k < 3)
            s = comma + 1;
    }
    return true;
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
        const char *nul = memchr(s, '\0', (size_t)(eol - s));
        if (nul) {
            diag_report(d, DIAG_ERROR, name, line, (int)(nul - s) + 1,
                        "NUL byte in the line; a trace is plain text");
            errors++;
            continue;
        }
        while (s < eol && (*s == ' ' || *s == '\t' || *s == '\r'))
            s++;
        if (s == eol || *s == '#' || (line == 1 && is_header(s, eol)))
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
            const char *bad = field_number(k, f, fe, &v[k]);
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
        if (v[0] > 9e9) {
            diag_report(d, DIAG_ERROR, name, line, 1, "time_s: expected at most 9e9 s, found %g",
                        v[0]);
            errors++;
            continue;
        }
        int64_t ns = llround(v[0] * 1e9);
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
