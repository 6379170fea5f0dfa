/* splitsim — the executable: everything it does lives in the library (cli/cli.c), except the
 * signal flag, which can only be a global of the program (a signal handler has no context). */
#include <signal.h>
#include <string.h>

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
    struct cli_io io = {.out = stdout, .err = stderr, .interrupt = &interrupted};
    return cli_main(argc, argv, &io);
}
