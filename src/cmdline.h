/* Kernel command line: a pure parser (no I/O) into one struct. */
#ifndef HATCH_CMDLINE_H
#define HATCH_CMDLINE_H

#include <stddef.h>

#define CMDLINE_MAX 4096        /* COMMAND_LINE_SIZE on x86 is 2048; be generous */
#define CMDLINE_MAX_LIST 32     /* entries in a comma list (modules, fs types) */
#define CMDLINE_MAX_MSGS 16

enum emergency_action { EMERG_HALT = 0, EMERG_REBOOT, EMERG_POWEROFF };

/* Boot stages rd.break= can stop before; order is the boot order. */
enum stage {
    STAGE_NONE = 0,
    STAGE_CMDLINE,
    STAGE_MODULES,
    STAGE_ROOT,    /* waiting for the root device */
    STAGE_VERITY,
    STAGE_MOUNT,
    STAGE_SWITCH,
};

/* Values point into the struct's own copy of the command line, so the struct
 * owns everything and needs no freeing. NULL means "not given". */
struct cmdline {
    char buf[CMDLINE_MAX];

    const char *root;
    const char *rootfstype[CMDLINE_MAX_LIST];
    size_t n_rootfstype;
    const char *rootflags;
    int rw;                   /* 0 = ro (default), 1 = rw */
    const char *init;

    int rootwait;             /* 1: wait forever */
    int timeout_s;            /* -1: not given */
    int rootdelay_s;          /* 0: none */

    const char *modules_load[CMDLINE_MAX_LIST];
    size_t n_modules_load;
    const char *blacklist[CMDLINE_MAX_LIST];
    size_t n_blacklist;

    int quiet;
    int loglevel;             /* -1: not given */
    int debug;
    int shell;
    enum emergency_action emergency;
    enum stage brk;

    /* dm-verity: hatch's verity= and systemd's spellings land in one place. */
    const char *verity;               /* raw verity= value */
    const char *roothash;
    const char *verity_data;
    const char *verity_hash;
    const char *verity_options;

    /* Problems found while parsing: each a full sentence for the log. */
    char msgs[CMDLINE_MAX_MSGS][160];
    size_t n_msgs;
    int truncated;            /* input longer than CMDLINE_MAX */
};

/* Parse a command line (as in /proc/cmdline). Never fails: bad input is
 * recorded in c->msgs and the option keeps its default. */
void cmdline_parse(struct cmdline *c, const char *line);

/* Split one command line into tokens as the kernel does: whitespace
 * separates, double quotes group (and are removed), "--" ends the options.
 * Calls fn(key, value, ctx) for each; value is NULL for a bare flag.
 * Returns the number of tokens; *rest gets what follows "--" (or NULL).
 * buf is modified in place. Exposed for tests. */
typedef void (*cmdline_fn)(char *key, char *val, void *ctx);
size_t cmdline_tokenize(char *buf, cmdline_fn fn, void *ctx, char **rest);

const char *stage_name(enum stage s);

/* Is this "key=value" from init's environment one of hatch's own options
 * (which the kernel passes on because it does not know them)? */
int cmdline_is_ours(const char *env);

#endif
