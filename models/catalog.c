#include "models/catalog.h"

#include "models/model.h"
#include "models/llm/arch.h"
#include "models/llm/device.h"
#include "models/llm/specfile.h"
#include "models/policy/policy.h"

static const struct model_type *model_at(size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (!model_types[j])
            return NULL;
    return model_types[i];
}

static const char *model_name(size_t i)
{
    const struct model_type *t = model_at(i);
    return t ? t->name : NULL;
}

static const char *model_doc(size_t i)
{
    const struct model_type *t = model_at(i);
    return t ? t->doc : NULL;
}

static bool model_reads(const char *name, const char *path)
{
    const struct model_type *t = model_type_find(name);
    return t && model_type_reads(t, path);
}

static const char *llm_name(size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (!arch_catalogue[j])
            return NULL;
    return arch_catalogue[i] ? arch_catalogue[i]->name : NULL;
}

static uint32_t llm_blocks(const char *name)
{
    const struct arch *a = arch_find(name);
    return a ? a->layers : 0;
}

static int llm_file_blocks(const char *path, uint32_t *blocks, struct diag *d)
{
    struct arch_spec spec;
    int rc = arch_spec_load(&spec, path, d);
    if (rc < 0)
        return rc;
    *blocks = spec.arch.layers;
    arch_spec_release(&spec);
    return 0;
}

static bool is_device(const char *name)
{
    return device_find(name) != NULL;
}

static const char *policy_name(size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (!pol_types[j])
            return NULL;
    return pol_types[i] ? pol_types[i]->name : NULL;
}

const struct scn_catalog models_catalog = {
    .model = model_name,
    .model_doc = model_doc,
    .model_reads = model_reads,
    .llm = llm_name,
    .llm_blocks = llm_blocks,
    .llm_file_blocks = llm_file_blocks,
    .is_device = is_device,
    .policy = policy_name,
};
