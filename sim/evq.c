#include "sim/evq.h"

#include <errno.h>
#include <string.h>

const struct evq_type *const evq_types[] = {
    &evq_quad_heap,
    &evq_binary_heap,
    NULL,
};

const struct evq_type *evq_type_find(const char *name)
{
    if (!name || !*name)
        return evq_types[0];
    for (size_t i = 0; evq_types[i]; i++)
        if (strcmp(evq_types[i]->name, name) == 0)
            return evq_types[i];
    return NULL;
}

int evq_init(struct evq *q, const struct evq_type *type, size_t capacity_hint)
{
    memset(q, 0, sizeof *q);
    if (!type || type->abi != EVQ_ABI || !type->init || !type->push || !type->pop || !type->peek)
        return -EINVAL;
    q->type = type;
    int rc = type->init(q, capacity_hint);
    if (rc < 0)
        q->type = NULL;
    return rc;
}

void evq_release(struct evq *q)
{
    if (q->type && q->type->release)
        q->type->release(q);
    q->type = NULL;
    q->state = NULL;
    q->len = 0;
}
