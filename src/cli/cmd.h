/*
 * cmd.h - the sub-commands of the `weir` program, one cmd_<name>.c each. Each takes the arguments after
 * its name and returns the process exit status (0 ok, 1 failure, 2 bad usage).
 */
#ifndef WEIR_CLI_CMD_H
#define WEIR_CLI_CMD_H

typedef struct WCommand {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} WCommand;

int cmd_cat(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_check(int argc, char **argv);

#endif
