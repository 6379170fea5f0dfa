/* splitsim — the executable: everything it does lives in the library (cli/cli.c). */
#include "cli/cli.h"

int main(int argc, char **argv)
{
    struct cli_io io = {.out = stdout, .err = stderr};
    return cli_main(argc, argv, &io);
}
