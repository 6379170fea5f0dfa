#include "sim/version.h"

#include "splitsim_config.h"
#include "splitsim_version.h"

const char *version_release(void)
{
    return SPLITSIM_VERSION;
}

const char *version_git_revision(void)
{
    return SPLITSIM_GIT_REVISION;
}
