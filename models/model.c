#include "models/model.h"

#include <string.h>

/* The models (models/edge/queue_model.c, models/split/split_model.c). */
extern const struct model_type model_queue, model_split;

const struct model_type *const model_types[] = {&model_queue, &model_split, NULL};

const struct model_type *model_type_find(const char *name)
{
    for (size_t i = 0; name && model_types[i]; i++)
        if (strcmp(model_types[i]->name, name) == 0)
            return model_types[i];
    return NULL;
}

/* Whether `path` is `pattern`, or lies under it when the pattern is a section ("run."). */
static bool matches(const char *pattern, const char *path)
{
    size_t n = strlen(pattern);
    return n && pattern[n - 1] == '.' ? strncmp(path, pattern, n) == 0 : strcmp(path, pattern) == 0;
}

static bool listed(const char *const *patterns, const char *path)
{
    for (size_t i = 0; patterns && patterns[i]; i++)
        if (matches(patterns[i], path))
            return true;
    return false;
}

bool model_type_reads(const struct model_type *t, const char *path)
{
    return listed(t->reads, path) && !listed(t->ignores, path);
}
