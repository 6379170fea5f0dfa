/*
 * split_world — what the split model's test suites share: a scenario loaded from text with the
 * inputs its runs read, and the results its replications accumulate.
 */
#ifndef SPLITSIM_TESTS_SPLIT_WORLD_H
#define SPLITSIM_TESTS_SPLIT_WORLD_H

#include <stdio.h>
#include <string.h>

#include <check.h>

#include "models/catalog.h"
#include "models/split/split.h"

struct split_world {
    struct ytree tree;
    struct scn scn;
    struct split_inputs in;
    struct split_results res;
};

/* Loads scenario `text` and its inputs; the test fails (with the messages) when either is bad. */
static inline void split_world_load(struct split_world *w, const char *text)
{
    struct diag d;
    diag_init(&d);
    memset(w, 0, sizeof *w);
    ytree_init(&w->tree);
    int rc = scn_load_text(&w->scn, &w->tree, "test.yaml", text, strlen(text), &models_catalog, &d);
    if (rc == 0)
        rc = split_inputs_load(&w->in, &w->scn, &d);
    if (rc != 0)
        diag_print(&d, stderr, "test");
    ck_assert_int_eq(rc, 0);
    diag_release(&d);
}

static inline void split_world_release(struct split_world *w)
{
    split_results_release(&w->res);
    split_inputs_release(&w->in);
    scn_release(&w->scn);
    ytree_release(&w->tree);
}

#endif
