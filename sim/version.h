/*
 * version — what this build of splitsim is.
 *
 * The release number comes from meson.build, the git revision from `git describe` at build time
 * ("unknown" outside a git checkout). Both go into every results file, so a figure can always be
 * traced back to the code that produced it.
 */
#ifndef SPLITSIM_SIM_VERSION_H
#define SPLITSIM_SIM_VERSION_H

/* The release number, e.g. "0.1.0". */
const char *version_release(void);

/* The git revision the binary was built from, e.g. "3f2c1a9b7e10-dirty", or "unknown". */
const char *version_git_revision(void);

#endif
