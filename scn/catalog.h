/*
 * catalog — the names a scenario is checked against, handed down by the layer above.
 *
 * Concept: the scenario language (scn/) sits below the models and includes none of their
 * headers, yet a scenario names things that only the models know: the LLM (a catalogue name or
 * an architecture file, whose decoder blocks bound split.layer), the models of `model:` and the
 * keys each of them reads, the devices of ues.device,
 * ues.classes and edge.device, and the policies of policy.name and policy.compete. A struct
 * scn_catalog answers those questions through callbacks; the layer that knows the models fills
 * one (models/catalog.h: models_catalog) and passes it to scn_load, scn_load_text or scn_bind.
 * A bound struct scn keeps the pointer, so the sweep of that scenario (scn/sweep.h) checks its
 * points against the same catalogue.
 *
 * The catalogue states facts only. Every message about a key (its text, its file:line:col)
 * stays in the scenario language, which knows where each key was written; only what an
 * architecture file itself says wrong is reported by the catalogue, at that file's own lines.
 *
 * Invariants: a catalogue is immutable and outlives every scenario bound with it (the models'
 * is a constant); every callback is set; the lists end with NULL and hold no duplicates.
 */
#ifndef SPLITSIM_SCN_CATALOG_H
#define SPLITSIM_SCN_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/diag.h"

struct scn_catalog {
    /* The i-th model ("queue"), the choices of `model:`; NULL past the last. */
    const char *(*model)(size_t i);
    /* The one-line description of the i-th model. */
    const char *(*model_doc)(size_t i);
    /* Whether model `name` (one of `model`) reads the scenario key at dotted path `path`. */
    bool (*model_reads)(const char *name, const char *path);
    /* The i-th LLM of the built-in catalogue ("llama-2-7b"), NULL past the last. */
    const char *(*llm)(size_t i);
    /* Decoder blocks of the catalogue LLM `name`; 0 when `name` is not in the catalogue. */
    uint32_t (*llm_blocks)(const char *name);
    /* Decoder blocks of the architecture file `path`, into *blocks: 0, or < 0 when the file
     * does not load (its messages in d, at the file's lines; possibly none). */
    int (*llm_file_blocks)(const char *path, uint32_t *blocks, struct diag *d);
    /* Whether `name` is a device of the built-in catalogue (a device may also be a file, which
     * the scenario checks itself). */
    bool (*is_device)(const char *name);
    /* The i-th split policy ("fixed"), NULL past the last. */
    const char *(*policy)(size_t i);
};

#endif
