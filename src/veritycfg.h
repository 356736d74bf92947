/* dm-verity: the command line, the veritysetup superblock and the table.
 * Pure: parsing, validation and arithmetic, no I/O. */
#ifndef HATCH_VERITYCFG_H
#define HATCH_VERITYCFG_H

#include "cmdline.h"

#include <stddef.h>
#include <stdint.h>

#define VERITY_SB_SIZE 512
#define VERITY_MAX_SALT 256
#define VERITY_MAX_DIGEST 64

/* The root hash signature: the init loads it into the kernel's keyring
 * under this description, and the table names it by it (dm-verity's
 * root_hash_sig_key_desc); the kernel checks it against its trusted keys. */
#define VERITY_SIG_KEY_DESC "hatch:verity-root"
/* Where mkinitramfs.sh --roothash-sig puts the signature in the image. */
#define VERITY_SIG_IMAGE_PATH "/etc/hatch/roothash.p7s"
/* The kernel's limit on a "user" key's payload. */
#define VERITY_SIG_MAX 32767

/* What the user asked for; strings point into the cmdline struct or into
 * the struct's own buffer. */
struct verity_cfg {
    int enabled;
    const char *name;         /* the mapping, /dev/mapper/NAME: "root" or "usr" */
    const char *hash_key;     /* the option that gives its hash: roothash or usrhash */
    const char *data;         /* device spec of the data device */
    const char *hash;         /* device spec of the hash device; NULL: inside data */
    /* data and hash are the PARTUUIDs derived from the root hash (only the
     * hash was given): the partitions may also be found by their
     * Discoverable Partitions type. */
    int derived;
    char roothash[2 * VERITY_MAX_DIGEST + 1];
    uint64_t hash_offset;     /* bytes into the hash device */
    int superblock;           /* 1: read parameters from the superblock (default) */

    /* Overrides, and the only source with superblock=no; 0/empty: unset. */
    uint32_t data_block_size, hash_block_size;
    uint64_t data_blocks;
    char algorithm[32];
    char salt_hex[2 * VERITY_MAX_SALT + 1];
    int salt_set;
    int format;               /* hash_type: 1 normal (default), 0 Chrome OS */

    int ignore_corruption, restart_on_corruption, panic_on_corruption;
    int ignore_zero_blocks, check_at_most_once;
    const char *fec_device;   /* device spec; NULL: no FEC */
    uint64_t fec_offset;      /* bytes into the FEC device */
    unsigned fec_roots;       /* parity bytes per RS block (veritysetup: 2) */
    /* root-hash-signature=: "base64:DATA" or an absolute path; NULL: none.
     * Both tables carry root_hash_sig_key_desc when it is set. */
    const char *sig;

    /* Owns the strings split out of verity= and the options, each in its
     * own place: room for a whole command line and the derived PARTUUIDs,
     * so no valid input is ever refused for space. */
    char buf[CMDLINE_MAX + 256];
    size_t used;
};

/* Fill cfg from verity= / roothash= / systemd.verity_root_*. pinned, if not
 * NULL, is a root hash the image is locked to: verity is then on whatever
 * the command line says, and a different roothash= is refused. Returns 0
 * (cfg->enabled says whether verity is asked for) or -1 with a sentence in
 * err; after -1 cfg->enabled is still set when verity was asked for, so a
 * caller can never mistake a bad verity request for none. */
int verity_cfg_parse(const struct cmdline *c, const char *pinned, struct verity_cfg *cfg,
                     char *err, size_t errlen);

/* The same for a verified /usr (usrhash=, systemd.verity_usr_*); nothing
 * is pinned for it, and there is no verity= form. */
int verity_usr_cfg_parse(const struct cmdline *c, struct verity_cfg *cfg, char *err,
                         size_t errlen);

/* The parameters of one verity device, from the superblock and/or cfg. */
struct verity_params {
    uint32_t version, hash_type;
    char algorithm[32];
    uint32_t data_block_size, hash_block_size;
    uint64_t data_blocks;
    uint8_t salt[VERITY_MAX_SALT];
    uint16_t salt_size;
    uint8_t uuid[16];
};

/* Parse and validate a 512-byte veritysetup superblock. Returns 0 or -1
 * with a sentence in err. */
int verity_sb_parse(const uint8_t sb[VERITY_SB_SIZE], struct verity_params *p, char *err,
                    size_t errlen);

/* Apply cfg's overrides to p (or build p from cfg alone with superblock=no)
 * and validate the result. Returns 0 or -1 with err. */
int verity_params_apply(const struct verity_cfg *cfg, struct verity_params *p, int have_sb,
                        char *err, size_t errlen);

/* Decode standard base64 (padding optional, no whitespace) into out (NULL:
 * only count). Returns the number of bytes, or -1 when in is not base64 or
 * decodes to more than max bytes. */
long verity_base64_decode(const char *in, uint8_t *out, size_t max);

/* Digest size in bytes of a supported algorithm, 0 if unsupported. */
size_t verity_digest_size(const char *alg);

/* Hash tree blocks the kernel will read, as dm-verity lays them out. */
uint64_t verity_tree_blocks(const struct verity_params *p);

/* First hash-tree block, in hash blocks, on the hash device: after the
 * superblock (rounded up to a hash block) when there is one. */
uint64_t verity_hash_start(const struct verity_cfg *cfg, const struct verity_params *p);

/* Forward error correction, as the table needs it. */
struct verity_fec {
    const char *dev;          /* MAJ:MIN */
    uint64_t blocks;          /* data + hash area covered, in data blocks */
    uint64_t start;           /* parity offset on dev, in data blocks */
    unsigned roots;
};

/* The blocks FEC covers, as veritysetup computes them when it writes the
 * parity: the data, then the hash device from the hash tree's first block
 * to the device's end (or to fec-offset when the parity is on the hash
 * device itself). */
uint64_t verity_fec_blocks(const struct verity_cfg *cfg, const struct verity_params *p,
                           uint64_t hash_dev_size, int fec_on_hash_dev);

/* Check the devices' sizes against the hash tree (and a hash tree inside
 * the data device against the data), without overflow whatever the
 * offsets. Returns 0 or -1 with a sentence in err. */
int verity_check_sizes(const struct verity_cfg *cfg, const struct verity_params *p,
                       uint64_t data_size, uint64_t hash_size, int same_device, char *err,
                       size_t errlen);

/* Which table: the one that proves the root hash carries no option at all
 * but FEC (nothing that ignores, restarts on or skips a failed check);
 * the final one carries what the user asked for. */
enum verity_table_kind { VERITY_TABLE_PROOF, VERITY_TABLE_FINAL };

/* The dm-verity table line (without start and length) for the devices
 * given as MAJ:MIN; fec may be NULL. Returns 0 or -1 if buf is too small. */
int verity_table(const struct verity_cfg *cfg, const struct verity_params *p,
                 const char *data_dev, const char *hash_dev, const struct verity_fec *fec,
                 enum verity_table_kind kind, char *buf, size_t len);

/* Length of the mapped device in 512-byte sectors. */
uint64_t verity_sectors(const struct verity_params *p);

#endif
