/*
 * catalog — the models' answers to the scenario language's questions about names.
 *
 * Concept: the scenario language (scn/) checks the names a scenario gives without knowing the
 * models (scn/catalog.h). This is the one place that answers for them: the LLMs of the built-in
 * architecture catalogue (models/llm/arch.h) and their decoder blocks, architecture files
 * (models/llm/specfile.h), the built-in devices (models/llm/device.h) and the registered split
 * policies (models/policy/policy.h). The run library, the tools and the tests pass
 * &models_catalog to scn_load, scn_load_text or scn_bind.
 *
 * Invariants: models_catalog is a constant; its answers follow the registries they read, so a
 * device, an architecture or a policy added there is known to scenarios at once.
 */
#ifndef SPLITSIM_MODELS_CATALOG_H
#define SPLITSIM_MODELS_CATALOG_H

#include "scn/catalog.h"

extern const struct scn_catalog models_catalog;

#endif
