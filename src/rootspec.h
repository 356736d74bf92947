/* What a root= (or verity device) value asks for, and whether a probed block
 * device is it. Pure: parsing and matching, no I/O. */
#ifndef HATCH_ROOTSPEC_H
#define HATCH_ROOTSPEC_H

#include <stddef.h>

enum spec_kind {
    SPEC_PATH,      /* /dev/NAME: matched by kernel name */
    SPEC_DEVNUM,    /* MAJ:MIN */
    SPEC_UUID,      /* filesystem UUID */
    SPEC_LABEL,
    SPEC_PARTUUID,
    SPEC_PARTLABEL,
    SPEC_GPT_AUTO,  /* root=gpt-auto: a GPT partition of this architecture's root type */
};

/* GPT partition attribute bits of the Discoverable Partitions
 * Specification. */
#define GPT_FLAG_READ_ONLY (1ULL << 60)
#define GPT_FLAG_NO_AUTO (1ULL << 63)

struct devspec {
    enum spec_kind kind;
    char value[128];    /* name without /dev/, or the tag's value (unquoted) */
    unsigned major, minor;
    int partnroff;      /* PARTUUID=.../PARTNROFF=n: partition n further on */
    /* SPEC_GPT_AUTO: the partition type GUID (value) must be on the disk
     * that holds the partition with this PARTUUID (the EFI boot loader's
     * LoaderDevicePartUUID); "" for any disk. Set by the caller. */
    char near[64];
    /* Set by the caller: when no device matches, a GPT partition of this
     * type GUID does, as SPEC_GPT_AUTO (with near) would: the verity
     * partitions of a root hash alone, on an image whose PARTUUIDs were not
     * derived from it. "" for none. */
    char or_type[40];
    /* Set by the caller, not the parser: the filesystem types the device
     * may have (rootfstype=), another constraint that can tell two
     * devices with the same tag apart. NULL/0: any. */
    const char *const *types;
    size_t ntypes;
};

/* Everything hatch knows of one block device; strings empty when unknown. */
struct blockdev {
    char name[32];       /* kernel name, e.g. vda1 */
    unsigned major, minor;
    char disk[32];       /* parent disk's name for a partition, else "" */
    int partno;          /* partition number, 0 for a whole disk */
    char type[32];       /* TYPE as libblkid probes it: ext4, verity, ... */
    char uuid[64];
    char uuid_sub[64];   /* btrfs: this member's device UUID (UUID_SUB) */
    char label[128];
    char partuuid[64];
    char partlabel[128];
    char parttype[64];   /* GPT partition type GUID (or MBR type, 0x83) */
    unsigned long long partflags; /* GPT partition attribute bits */
    char dmname[64];     /* device-mapper name, for /dev/mapper/NAME */
    char unprobed[48];   /* why libblkid could not read its tags, or "" */
    int lvm_internal;    /* an LVM volume's hidden layer (rimage, tdata...): not probed */
    unsigned long long seq; /* the kernel's uevent counter just before the probe */
};

/* Parse a root= style value. Returns 0, or -1 with a sentence in err. */
int devspec_parse(const char *s, struct devspec *out, char *err, size_t errlen);

/* Does dev match spec (ignoring PARTNROFF)? Tag values are compared
 * case-insensitively for UUIDs, exactly for labels. */
int devspec_match(const struct devspec *spec, const struct blockdev *dev);

/* Find spec among n devices, honouring PARTNROFF. Returns the index of
 * the first match or -1. */
int devspec_find(const struct devspec *spec, const struct blockdev *devs, size_t n);

/* Find spec among n devices, counting only devices whose TYPE is one of
 * spec->types (when given). Returns the index of a match or -1; *second is
 * -1 when that match is the only one, else the index of another (a cloned
 * disk, two sticks with one label): the caller must refuse rather than
 * guess. The members of one multi-device btrfs share its UUID and LABEL
 * and are one filesystem, not duplicates; two copies of one member (the
 * same device UUID) are. */
int devspec_find_unique(const struct devspec *spec, const struct blockdev *devs, size_t n,
                        int *second);

/* The partition types of the Discoverable Partitions Specification that
 * hatch looks for. */
enum gpt_role { GPT_ROOT, GPT_ROOT_VERITY, GPT_USR, GPT_USR_VERITY };

/* The type GUID of role for the architecture hatch was built for (lower
 * case), and its short name (root-x86-64-verity); NULL when the
 * specification names none. */
const char *gpt_type(enum gpt_role role, const char **name);

/* The short name of a type GUID gpt_type() knows (any case), else NULL. */
const char *gpt_type_name(const char *guid);

/* The GUID in an EFI variable's content (4 bytes of attributes, then the
 * GUID as UTF-16LE text, as systemd-boot writes LoaderDevicePartUUID), in
 * lower case. Returns 0, or -1 when it is not one. */
int efivar_guid(const unsigned char *buf, size_t len, char *out, size_t outlen);

/* Human form of the spec for messages, e.g. "UUID=abcd...". */
void devspec_describe(const struct devspec *spec, char *buf, size_t len);

#endif
