#include "sim/slurp.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *slurp_kind_name(unsigned mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG:
        return "a regular file";
    case S_IFDIR:
        return "a directory";
    case S_IFIFO:
        return "a FIFO";
    case S_IFCHR:
        return "a character device";
    case S_IFBLK:
        return "a block device";
    case S_IFSOCK:
        return "a socket";
    default:
        return "a special file";
    }
}

int slurp_open(const char *path, struct diag *d)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        diag_report(d, DIAG_ERROR, path, 0, 0, "cannot open: %s", strerror(errno));
        return -EINVAL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        diag_report(d, DIAG_ERROR, path, 0, 0, "cannot open: %s", strerror(errno));
        close(fd);
        return -EINVAL;
    }
    if (!S_ISREG(st.st_mode)) {
        diag_report(d, DIAG_ERROR, path, 0, 0, "expected a regular file, got %s",
                    slurp_kind_name((unsigned)st.st_mode));
        close(fd);
        return -EINVAL;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
        diag_report(d, DIAG_ERROR, path, 0, 0, "cannot open: %s", strerror(errno));
        close(fd);
        return -EINVAL;
    }
    return fd;
}

/* Reads up to n bytes (fewer only at the end of the file); -1 with errno on error. */
static ssize_t read_full(int fd, char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

int slurp_file(const char *path, size_t max_bytes, char **out, size_t *outlen, struct diag *d)
{
    *out = NULL;
    *outlen = 0;
    int fd = slurp_open(path, d);
    if (fd < 0)
        return fd;
    struct stat st;
    int rc = 0;
    char *buf = NULL;
    size_t len = 0;
    if (fstat(fd, &st) != 0) {
        diag_report(d, DIAG_ERROR, path, 0, 0, "cannot read: %s", strerror(errno));
        rc = -EINVAL;
        goto done;
    }
    if (st.st_size < 0 || (uintmax_t)st.st_size > max_bytes) {
        diag_report(d, DIAG_ERROR, path, 0, 0, "file too large: %jd bytes (at most %zu)",
                    (intmax_t)st.st_size, max_bytes);
        rc = -EINVAL;
        goto done;
    }
    /* The size is a hint (the file may change while it is read): start there, grow by doubling,
     * but never beyond max_bytes + 1 (the data plus its terminating NUL). */
    size_t cap = (size_t)st.st_size + 1;
    if (cap < 4096)
        cap = max_bytes < 4096 ? max_bytes + 1 : 4096;
    buf = malloc(cap);
    if (!buf) {
        diag_report(d, DIAG_ERROR, path, 0, 0, "out of memory");
        rc = -ENOMEM;
        goto done;
    }
    for (;;) {
        ssize_t r = read_full(fd, buf + len, cap - 1 - len);
        if (r < 0) {
            diag_report(d, DIAG_ERROR, path, 0, 0, "cannot read: %s", strerror(errno));
            rc = -EINVAL;
            break;
        }
        len += (size_t)r;
        if (len + 1 < cap)
            break; /* end of file */
        /* The buffer is full: is there more? */
        char extra;
        r = read_full(fd, &extra, 1);
        if (r < 0) {
            diag_report(d, DIAG_ERROR, path, 0, 0, "cannot read: %s", strerror(errno));
            rc = -EINVAL;
            break;
        }
        if (r == 0)
            break;
        if (cap == max_bytes + 1) {
            diag_report(d, DIAG_ERROR, path, 0, 0, "file too large: more than %zu bytes",
                        max_bytes);
            rc = -EINVAL;
            break;
        }
        cap = cap > max_bytes / 2 ? max_bytes + 1 : 2 * cap;
        char *nb = realloc(buf, cap);
        if (!nb) {
            diag_report(d, DIAG_ERROR, path, 0, 0, "out of memory");
            rc = -ENOMEM;
            break;
        }
        buf = nb;
        buf[len++] = extra;
    }
done:
    close(fd);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    buf[len] = '\0';
    *out = buf;
    *outlen = len;
    return 0;
}
