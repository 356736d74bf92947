/* Kernel command line: a pure parser (no I/O) into one struct. */
#ifndef HATCH_CMDLINE_H
#define HATCH_CMDLINE_H

#include <stddef.h>

#define CMDLINE_MAX 4096        /* COMMAND_LINE_SIZE on x86 is 2048; be generous */
#define CMDLINE_MAX_LIST 32     /* entries in a comma list (modules, fs types) */
#define CMDLINE_MAX_MSGS 16
/* Waits are in seconds and become poll(2) milliseconds in an int. */
#define CMDLINE_MAX_SECS 2147483

enum emergency_action { EMERG_HALT = 0, EMERG_REBOOT, EMERG_POWEROFF };

/* systemd.volatile=: what of the root lives in memory only. */
enum volatile_mode {
    VOLATILE_NO = 0,
    VOLATILE_YES,     /* a tmpfs root, /usr from the root device */
    VOLATILE_STATE,   /* the root as usual (read-only), a tmpfs /var */
    VOLATILE_OVERLAY, /* an overlay: tmpfs upper over the read-only root */
};

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

/* Every option hatch reads, whatever its spelling; cmdline.given has bit
 * (1 << OPT_x) set once the option appeared at all, even with a bad value,
 * so that a policy can refuse what was asked rather than what was parsed. */
enum opt {
    OPT_ROOT,
    OPT_ROOTFSTYPE,
    OPT_ROOTFLAGS,
    OPT_RO,
    OPT_RW,
    OPT_INIT,
    OPT_ROOTWAIT,
    OPT_TIMEOUT,
    OPT_ROOTDELAY,
    OPT_MODULES_LOAD,
    OPT_BLACKLIST,
    OPT_QUIET,
    OPT_LOGLEVEL,
    OPT_DEBUG,
    OPT_SHELL,
    OPT_EMERGENCY,
    OPT_BREAK,
    OPT_VERITY,
    OPT_ROOTHASH,
    OPT_VERITY_DATA,
    OPT_VERITY_HASH,
    OPT_VERITY_OPTIONS,
    OPT_RESUME,
    OPT_RESUME_OFFSET,
    OPT_NORESUME,      /* noresume, nohibernate, hibernate=no... */
    OPT_VOLATILE,
    OPT_LUKS,          /* rd.luks= */
    OPT_LUKS_UUID,
    OPT_LUKS_NAME,
    OPT_LUKS_KEY,
    OPT_LUKS_OPTIONS,
    OPT_LUKS_DISCARD,
    OPT_LUKS_CRYPTTAB,
    OPT_USRHASH,
    OPT_VERITY_USR_DATA,
    OPT_VERITY_USR_HASH,
    OPT_VERITY_USR_OPTIONS,
    OPT_MOUNT_USR,
    OPT_MOUNT_USRFSTYPE,
    OPT_MOUNT_USRFLAGS,
    OPT_MD,            /* rd.md= */
    OPT_MD_UUID,
    OPT_LVM,           /* rd.lvm= */
    OPT_LVM_VG,
    OPT_LVM_LV,
    OPT_COUNT
};
_Static_assert(OPT_COUNT <= 8 * sizeof(unsigned long), "cmdline.given has a bit per option");

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
    /* The spelling of a verity option given with an empty value: it must
     * not switch verity off, so verity stays on and refuses to boot. */
    const char *verity_empty;

    /* A verified /usr, systemd's spellings: the same rules as the root's. */
    const char *usrhash;
    const char *verity_usr_data;
    const char *verity_usr_hash;
    const char *verity_usr_options;
    const char *verity_usr_empty;     /* as verity_empty, for these four */

    /* /usr mounted by the initramfs (systemd-fstab-generator's options). */
    const char *mount_usr;
    const char *mount_usrfstype[CMDLINE_MAX_LIST];
    size_t n_mount_usrfstype;
    const char *mount_usrflags;

    enum volatile_mode volatile_mode;

    /* Resuming from hibernation: the kernel's own options. */
    const char *resume;               /* the resume device, any root= form */
    unsigned long long resume_offset; /* in PAGE_SIZE units (a swap file) */
    int resume_offset_given;
    const char *noresume;             /* the option that said not to resume */

    /* LUKS, as systemd-cryptsetup-generator reads them: each repeatable,
     * kept raw in order; luksconf.c makes the requests out of them. */
    int luks;                         /* rd.luks=: -1 not given, 0 off, 1 on */
    const char *luks_uuid[CMDLINE_MAX_LIST];
    size_t n_luks_uuid;
    const char *luks_name[CMDLINE_MAX_LIST];
    size_t n_luks_name;
    const char *luks_key[CMDLINE_MAX_LIST];
    size_t n_luks_key;
    const char *luks_options[CMDLINE_MAX_LIST];
    size_t n_luks_options;
    int luks_discard;                 /* rd.luks.discard */
    int luks_crypttab;                /* rd.luks.crypttab=: -1 not given, 0 off, 1 on */

    /* mdraid, as dracut reads them; mdconf.c makes the request. */
    int md;                           /* rd.md=: -1 not given, 0 off, 1 on */
    const char *md_uuid[CMDLINE_MAX_LIST];
    size_t n_md_uuid;

    /* LVM, dracut's options: rd.lvm=0 turns it off; rd.lvm.vg= and
     * rd.lvm.lv= (repeatable) restrict activation to those. */
    int lvm;                          /* rd.lvm=: -1 not given, 0 off, 1 on */
    const char *lvm_vg[CMDLINE_MAX_LIST];
    size_t n_lvm_vg;
    const char *lvm_lv[CMDLINE_MAX_LIST];
    size_t n_lvm_lv;

    unsigned long given;              /* 1 << enum opt */
    const char *given_as[OPT_COUNT];  /* the spelling last used */

    /* Problems found while parsing: each a full sentence for the log. */
    char msgs[CMDLINE_MAX_MSGS][200];
    size_t n_msgs;
    size_t n_msgs_dropped;    /* problems past CMDLINE_MAX_MSGS, counted */
    int truncated;            /* input longer than CMDLINE_MAX - 1 bytes */
};

/* Parse a command line (as in /proc/cmdline). Never fails: bad input is
 * recorded in c->msgs and the option keeps its earlier value or default. */
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

/* A boolean as the kernel and dracut write them: 1/0, y/n, yes/no, on/off,
 * true/false (any case). Returns 1, 0, or -1 for anything else. */
int cmdline_bool(const char *val);

#endif
