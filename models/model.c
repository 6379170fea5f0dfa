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
