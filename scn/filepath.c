#include "scn/filepath.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool filepath_is_absolute(const char *path)
{
    return path[0] == '/';
}

char *filepath_cwd(void)
{
    /* getcwd(NULL, 0) allocates (glibc); it fails with ENOENT when the folder was removed. */
    return getcwd(NULL, 0);
}

/* Appends `path`'s components to `out` (an absolute path of `len` bytes), each after a '/',
 * leaving out empty and "." components; a ".." before any other component climbs out of `out`
 * (which is a real path, so its last component is a folder and not a link), a later one is
 * kept. Returns the new length. `out` has room for len + strlen(path) + 2. */
static size_t append_components(char *out, size_t len, const char *path)
{
    bool leading = true;
    for (const char *p = path; *p;) {
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        bool dot = n == 1 && p[0] == '.', dotdot = n == 2 && p[0] == '.' && p[1] == '.';
        if (dotdot && leading) {
            while (len > 1 && out[len - 1] != '/')
                len--;
            if (len > 1)
                len--; /* the '/' before the component climbed out of */
            out[len] = '\0';
        } else if (n > 0 && !dot) {
            leading = false;
            if (out[len - 1] != '/')
                out[len++] = '/';
            memcpy(out + len, p, n);
            len += n;
        }
        p += n;
        while (*p == '/')
            p++;
    }
    out[len] = '\0';
    return len;
}

/* dir joined with path's components (dir absolute), malloc'd; NULL when out of memory. */
static char *join(const char *dir, const char *path)
{
    size_t dlen = strlen(dir);
    char *out = malloc(dlen + strlen(path) + 2);
    if (!out)
        return NULL;
    memcpy(out, dir, dlen + 1);
    while (dlen > 1 && out[dlen - 1] == '/') /* "/a/" is "/a"; "/" stays */
        out[--dlen] = '\0';
    append_components(out, dlen, path);
    return out;
}

char *filepath_resolve(const char *dir, const char *path)
{
    return !*path || filepath_is_absolute(path) ? strdup(path) : join(dir, path);
}

/* The absolute path `path` spells (a relative one against the working directory), cleaned as
 * filepath_resolve cleans; NULL with errno set. */
static char *lexical_absolute(const char *path)
{
    if (filepath_is_absolute(path))
        return join("/", path + 1); /* "//a/./b" is "/a/b" */
    char *cwd = filepath_cwd();
    if (!cwd)
        return NULL;
    char *abs = join(cwd, path);
    free(cwd);
    if (!abs)
        errno = ENOMEM;
    return abs;
}

char *filepath_real_dir(const char *dir)
{
    char *real = realpath(dir, NULL);
    return real || errno == ENOMEM ? real : lexical_absolute(dir);
}

char *filepath_dir_of(const char *file)
{
    char *real = realpath(file, NULL);
    if (real) {
        char *slash = strrchr(real, '/'); /* a real path is absolute and clean */
        slash[slash == real] = '\0';      /* "/s.yaml" is in "/" */
        return real;
    }
    if (errno == ENOMEM)
        return NULL;
    const char *slash = strrchr(file, '/');
    char *dir = slash ? strndup(file, slash == file ? 1 : (size_t)(slash - file)) : strdup(".");
    if (!dir)
        return NULL;
    char *abs = lexical_absolute(dir);
    int e = errno;
    free(dir);
    errno = e;
    return abs;
}
