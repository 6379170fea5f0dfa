/*
 * specfile — architectures and devices described in files, for models and hardware that are
 * not in the built-in catalogues.
 *
 * Concept: a YAML file lists the same numbers as a catalogue entry (see docs/TABLES.md for the
 * keys); it is parsed and validated by the scenario machinery (scn/ytree, scn/field), with units
 * where they help ("312 TFLOP/s", "2039 GB/s", "80 GB", "5 us"), and errors carry
 * file:line:column. `splitsim tables derive` and `tables show` accept such a file wherever they
 * take a model or device name.
 *
 * Invariants: a loaded spec has positive sizes, kv_heads dividing heads, and efficiencies in
 * (0, 1]; its strings are owned by the spec and freed by its release function.
 */
#ifndef SPLITSIM_MODELS_SPECFILE_H
#define SPLITSIM_MODELS_SPECFILE_H

#include "models/llm/arch.h"
#include "models/llm/device.h"
#include "sim/diag.h"

struct arch_spec {
    struct arch arch;    /* ready to use; its strings point into the fields below */
    char *name, *source; /* owned */
};

struct device_spec {
    struct device device;
    char *name, *description, *source;
};

/* Load and validate a file; 0, or -EINVAL / -ENOMEM with messages in d (then nothing is held). */
int arch_spec_load(struct arch_spec *s, const char *path, struct diag *d);
int device_spec_load(struct device_spec *s, const char *path, struct diag *d);

void arch_spec_release(struct arch_spec *s);
void device_spec_release(struct device_spec *s);

/* Key references (Markdown tables), as `splitsim check --schema` prints scenarios'. */
void arch_spec_document(FILE *out);
void device_spec_document(FILE *out);

#endif
