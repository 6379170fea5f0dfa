/*
 * h5compat — the HDF5 names that changed between 1.10 (Debian 12, Ubuntu 24.04) and 1.12+: link
 * and object information and the calls that hand them out, under one name each, so the readers
 * of results files build against either.
 */
#ifndef SPLITSIM_RESULTS_H5COMPAT_H
#define SPLITSIM_RESULTS_H5COMPAT_H

#include <hdf5.h>

#if H5_VERSION_GE(1, 12, 0)
typedef H5L_info2_t h5_link_info;
typedef H5O_info2_t h5_obj_info;
#define h5_link_iterate                       H5Literate2
#define h5_link_visit                         H5Lvisit2
#define h5_obj_visit(o, idx, order, op, data) H5Ovisit3(o, idx, order, op, data, H5O_INFO_BASIC)
#else
typedef H5L_info_t h5_link_info;
typedef H5O_info_t h5_obj_info;
#define h5_link_iterate                       H5Literate
#define h5_link_visit                         H5Lvisit
#define h5_obj_visit(o, idx, order, op, data) H5Ovisit(o, idx, order, op, data)
#endif

#endif
