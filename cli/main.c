/* splitsim — the executable: everything it does lives in the library (cli/cli.c), except the
 * signal flag, which can only be a global of the program (a signal handler has no context), and
 * MPI's initialisation, which belongs to the program's whole life. */
#include <signal.h>
#include <string.h>

#include <hdf5.h>

#include "cli/cli.h"
#include "run/campaign.h"
#include "splitsim_config.h"

#if SPLITSIM_HAVE_MPI
#include <mpi.h>
#endif

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
#if SPLITSIM_HAVE_MPI
    /* Under an MPI launcher with several ranks, MPI lives for the whole program (a sweep then
     * spreads its points over the ranks: run/campaign.h). */
    bool mpi = campaign_under_mpi();
    if (mpi)
        MPI_Init(&argc, &argv);
#endif
    int status = cli_main(argc, argv, &io);
#if SPLITSIM_HAVE_MPI
    if (mpi)
        MPI_Finalize();
#endif
    return status;
}
