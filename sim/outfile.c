#include "sim/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *outfile_temp_name(const char *path)
{
    char host[65] = "";
    if (gethostname(host, sizeof host - 1) < 0)
        host[0] = '\0';
    host[sizeof host - 1] = '\0';
    size_t n = 0;
    for (const char *c = host; *c && n < 32; c++)
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
            *c == '-' || *c == '_')
            host[n++] = *c;
    host[n] = '\0';
    char *tmp = NULL;
    if (asprintf(&tmp, "%s.%s.%ld.part", path, n ? host : "host", (long)getpid()) < 0)
        return NULL;
    return tmp;
}

int outfile_precreate(const char *tmp, const char *path, struct diag *d)
{
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0) {
        int e = errno;
        diag_report(d, DIAG_ERROR, path, 0, 0, "cannot create '%s': %s", tmp, strerror(e));
        return -e;
    }
    close(fd);
    return 0;
}

/* The folder part of path (malloc'd): "." for a bare name. */
static char *folder_of(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return NULL;
    char *dir = strdup(dirname(copy));
    free(copy);
    return dir;
}

int outfile_check_writable(const char *path, const char *what, struct diag *d)
{
    if (!*path) {
        diag_error(d, "%s: expected a file name, got an empty string", what);
        return -EINVAL;
    }
    size_t len = strlen(path);
    if (path[len - 1] == '/') {
        diag_error(d, "%s: '%s' names a folder; expected a file name", what, path);
        return -EISDIR;
    }
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        diag_error(d, "%s: '%s' exists and is %s; expected a regular file (or a new name)", what,
                   path, S_ISDIR(st.st_mode) ? "a folder" : "not a regular file");
        return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
    }
    char *dir = folder_of(path);
    if (!dir) {
        diag_error(d, "%s: out of memory", what);
        return -ENOMEM;
    }
    int rc = 0;
    if (stat(dir, &st) < 0) {
        rc = -errno;
        diag_error(d, "%s: cannot create '%s': folder '%s': %s", what, path, dir, strerror(-rc));
    } else if (!S_ISDIR(st.st_mode)) {
        rc = -ENOTDIR;
        diag_error(d, "%s: cannot create '%s': '%s' is not a folder", what, path, dir);
    } else if (access(dir, W_OK | X_OK) < 0) {
        rc = -errno;
        diag_error(d, "%s: cannot create '%s' in folder '%s': %s", what, path, dir, strerror(-rc));
    }
    free(dir);
    return rc;
}

bool outfile_same(const char *a, const char *b)
{
    struct stat sa, sb;
    bool ea = stat(a, &sa) == 0, eb = stat(b, &sb) == 0;
    if (ea && eb)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    if (ea != eb)
        return false;
    /* neither exists: the same canonical folder and the same name */
    char *da = folder_of(a), *db = folder_of(b);
    char ra[PATH_MAX], rb[PATH_MAX];
    bool same = false;
    if (da && db && realpath(da, ra) && realpath(db, rb) && strcmp(ra, rb) == 0) {
        char *ca = strdup(a), *cb = strdup(b);
        same = ca && cb && strcmp(basename(ca), basename(cb)) == 0;
        free(ca);
        free(cb);
    } else if (da && db) {
        same = strcmp(a, b) == 0;
    }
    free(da);
    free(db);
    return same;
}

int outfile_open(struct outfile *o, const char *path, struct diag *d)
{
    memset(o, 0, sizeof *o);
    o->path = strdup(path);
    o->tmp = o->path ? outfile_temp_name(path) : NULL;
    if (!o->tmp) {
        diag_report(d, DIAG_ERROR, path, 0, 0, "out of memory");
        outfile_abort(o);
        return -ENOMEM;
    }
    int fd = open(o->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd >= 0 && !(o->f = fdopen(fd, "w")))
        close(fd);
    if (!o->f) {
        int e = errno;
        diag_report(d, DIAG_ERROR, path, 0, 0, "cannot create '%s': %s", o->tmp, strerror(e));
        outfile_abort(o);
        return -e;
    }
    return 0;
}

int outfile_commit(struct outfile *o, unsigned mode, struct diag *d)
{
    int e = 0;
    if (ferror(o->f))
        e = errno ? errno : EIO;
    if (fclose(o->f) != 0 && !e)
        e = errno;
    o->f = NULL;
    if (!e && mode && chmod(o->tmp, (mode_t)mode) < 0)
        e = errno;
    if (!e && rename(o->tmp, o->path) < 0)
        e = errno;
    if (e) {
        diag_report(d, DIAG_ERROR, o->path, 0, 0, "cannot write: %s", strerror(e));
        outfile_abort(o);
        return -e;
    }
    free(o->path);
    free(o->tmp);
    memset(o, 0, sizeof *o);
    return 0;
}

void outfile_abort(struct outfile *o)
{
    if (o->f)
        fclose(o->f);
    if (o->tmp)
        unlink(o->tmp);
    free(o->path);
    free(o->tmp);
    memset(o, 0, sizeof *o);
}
