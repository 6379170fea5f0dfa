/*
 * grow — room for one more element in an array that grows by doubling.
 *
 * Concept: a list built one element at a time (diagnostics, tables of a file, segment paths)
 * keeps a pointer, a count and a capacity; when the count reaches the capacity the array is
 * reallocated at twice the size (the first time: `first` elements), so n appends cost O(n)
 * copies in all. grow_array does that step, the same way everywhere.
 *
 *     if (w->n == w->cap && grow_array(&w->t, &w->cap, sizeof *w->t, 16) < 0)
 *         return -ENOMEM;
 *     w->t[w->n++] = x;
 *
 * Invariants: on success *cap is at least one more than before and the elements are kept; on
 * failure (out of memory, or a size that would overflow) nothing is changed: the old array, its
 * elements and *cap stay valid. The array is a pointer of any object type, passed by address.
 */
#ifndef SPLITSIM_SIM_GROW_H
#define SPLITSIM_SIM_GROW_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Doubles the array whose address is `array` (a T **, T of `size` bytes) from *cap elements
 * (0: to `first` >= 1). 0 or -ENOMEM. */
static inline int grow_array(void *array, size_t *cap, size_t size, size_t first)
{
    size_t nc = *cap ? 2 * *cap : first;
    if (nc <= *cap || nc > SIZE_MAX / size)
        return -ENOMEM;
    void *old;
    memcpy(&old, array, sizeof old); /* a T * read as a void * without aliasing it */
    void *p = realloc(old, nc * size);
    if (!p)
        return -ENOMEM;
    memcpy(array, &p, sizeof p);
    *cap = nc;
    return 0;
}

#endif
