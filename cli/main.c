/* splitsim — the executable: everything it does lives in the library (cli/cli.c), except the
 * signal flag, which can only be a global of the program (a signal handler has no context). */
#include <signal.h>
#include <string.h>

#include <hdf5.h>

#include "cli/cli.h"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

int main(int argc, char **argv)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* A file-size limit (ulimit -f, a batch system's quota) then fails the write with EFBIG,
     * which the recorder reports with the file's name, instead of killing the program. */
    signal(SIGXFSZ, SIG_IGN);
    /* No HDF5 clean-up at exit: should closing a file ever fail, HDF5 1.10 would retry it at
     * exit on freed memory and crash; every file is closed explicitly anyway. */
    H5dont_atexit();
    struct cli_io io = {.out = stdout, .err = stderr, .interrupt = &interrupted};
    return cli_main(argc, argv, &io);
}
