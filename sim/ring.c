#include "sim/ring.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void ring_release(struct ring *r)
{
    free(r->v);
    ring_init(r, r->size);
}

int ring_grow(struct ring *r)
{
    SIM_ASSERT(r->size > 0, "ring_grow on a ring without ring_init");
    size_t cap = r->cap ? 2 * r->cap : RING_MIN_CAP;
    if (cap < r->cap || cap > SIZE_MAX / r->size)
        return -ENOMEM;
    unsigned char *v = malloc(cap * r->size);
    if (!v)
        return -ENOMEM;
    /* unroll: the part from head to the end of the array, then the part that wrapped */
    size_t first = r->cap - r->head < r->len ? r->cap - r->head : r->len;
    if (r->len) {
        memcpy(v, r->v + r->head * r->size, first * r->size);
        memcpy(v + first * r->size, r->v, (r->len - first) * r->size);
    }
    free(r->v);
    r->v = v;
    r->head = 0;
    r->cap = cap;
    return 0;
}
