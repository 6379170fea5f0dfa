#include "sim/slurp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int slurp_file(const char *path, size_t max_bytes, char **out, size_t *outlen, struct diag *d)
{
    *out = NULL;
    *outlen = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        diag_error(d, "%s: cannot open: %s", path, strerror(errno));
        return -EINVAL;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = 0;
    for (;;) {
        if (len + 1 >= cap) {
            if (cap > max_bytes) {
                diag_error(d, "%s: larger than %zu bytes; expected a smaller file", path,
                           max_bytes);
                rc = -EINVAL;
                break;
            }
            size_t nc = cap ? 2 * cap : 65536;
            char *nb = realloc(buf, nc);
            if (!nb) {
                diag_error(d, "%s: out of memory", path);
                rc = -ENOMEM;
                break;
            }
            buf = nb;
            cap = nc;
        }
        size_t got = fread(buf + len, 1, cap - 1 - len, f);
        len += got;
        if (got == 0)
            break;
    }
    if (rc == 0 && ferror(f)) {
        diag_error(d, "%s: read error", path);
        rc = -EINVAL;
    }
    if (rc == 0 && len > max_bytes) {
        diag_error(d, "%s: larger than %zu bytes; expected a smaller file", path, max_bytes);
        rc = -EINVAL;
    }
    fclose(f);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    buf[len] = '\0';
    *out = buf;
    *outlen = len;
    return 0;
}
