/* LUKS requests from the command line (systemd's rd.luks.* options). Pure:
 * no I/O, unit-tested and fuzzed with the command line parser. */
#ifndef HATCH_LUKSCONF_H
#define HATCH_LUKSCONF_H

#include "cmdline.h"

#include <stddef.h>

#define LUKS_MAX 8
#define LUKS_UUID_LEN 36
#define LUKS_NAME_MAX 64
#define LUKS_KEY_MAX 256
#define LUKS_TRIES_DEFAULT 3
#define LUKS_MAX_MSGS 8
#define LUKS_CRYPTTAB_MAX 8192
#define LUKS_CRYPTTAB_PATH "/etc/crypttab"

struct luks_req {
    char uuid[LUKS_UUID_LEN + 1];   /* the LUKS header's UUID, lower case, dashed */
    char name[LUKS_NAME_MAX + 1];   /* /dev/mapper/NAME; luks-UUID unless named */
    char key[LUKS_KEY_MAX + 1];     /* key file in the image; "" to ask */
    char keydev[LUKS_KEY_MAX + 1];  /* the device key is on (any root= form); "" for the image */
    int discard;                    /* pass TRIM through to the disk */
    int readonly;
    int tries;                      /* passphrase attempts */
    int no_read_workqueue, no_write_workqueue, same_cpu_crypt, submit_from_crypt_cpus;
};

struct luks_cfg {
    int disabled;                   /* rd.luks=0 */
    size_t n;
    struct luks_req req[LUKS_MAX];
    /* Options understood but not applied (unknown crypttab options): one
     * sentence each, for the log. */
    char msgs[LUKS_MAX_MSGS][200];
    size_t n_msgs;
};

/* Build the requests from c. Returns 0, or -1 with one sentence in err when
 * something asked for cannot be done as asked (a bad UUID or name, a bad
 * key device, too many): the boot must not go on without it. */
int luks_cfg_parse(const struct cmdline *c, struct luks_cfg *l, char *err, size_t errlen);

/* The same with the image's /etc/crypttab (its text, or NULL), as
 * systemd-cryptsetup-generator reads it in an initrd: every line (but
 * noauto ones) is a volume to unlock, NAME DEVICE [KEYFILE [OPTIONS]] with
 * DEVICE the LUKS header's UUID= and KEYFILE none, - or a path (PATH:DEVICE
 * too); when the command line names volumes (rd.luks.uuid=, rd.luks.name=)
 * only those lines are taken; rd.luks.crypttab=0 ignores the file. The
 * command line's names, keys and options then apply over the file's. */
int luks_cfg_parse_crypttab(const struct cmdline *c, const char *crypttab, struct luks_cfg *l,
                            char *err, size_t errlen);

/* Canonical UUID (lower case, 8-4-4-4-12) from s with or without dashes,
 * any case, an optional "luks-" prefix; len bytes of s are read. Returns 0
 * or -1. */
int luks_uuid_norm(const char *s, size_t len, char out[LUKS_UUID_LEN + 1]);

#endif
