/* The image's lockdown policy (/etc/hatch/policy, written by mkinitramfs.sh
 * --lockdown): what the command line may not change. Pure: parsing and
 * checking, no I/O. */
#ifndef HATCH_POLICY_H
#define HATCH_POLICY_H

#include "cmdline.h"
#include "luksconf.h"
#include "veritycfg.h"

#include <stddef.h>

#define POLICY_PATH "/etc/hatch/policy"

struct policy {
    int lockdown;
    enum emergency_action action;          /* fixed failure action */
    char roothash[2 * VERITY_MAX_DIGEST + 1]; /* pinned root hash, "" if none */
    int signature;                         /* the image's root hash signature is required */
};

/* Parse the policy file's text. Strict: an unknown key, a bad value or a
 * repeated key is an error, since a policy that is half understood must
 * not be half applied. Returns 0, or -1 with a sentence in err; p is then
 * still a lockdown policy (halt), so a damaged file fails closed. */
int policy_parse(const char *text, size_t len, struct policy *p, char *err, size_t errlen);

/* Each thing the command line asks for that the policy forbids: fn gets
 * one sentence per refusal. v is the verity configuration parsed from c
 * (with the pinned root hash). Returns the number of refusals; 0 when the
 * policy is not lockdown. */
typedef void (*policy_fn)(void *ctx, const char *sentence);
size_t policy_refusals(const struct policy *p, const struct cmdline *c,
                       const struct verity_cfg *v, policy_fn fn, void *ctx);

/* The same for a /usr: under lockdown an unverified one (mount.usr=
 * without usrhash=) is refused, and u (from verity_usr_cfg_parse) is held
 * to the root's rules; with signatures required it must carry its own. */
size_t policy_usr_refusals(const struct policy *p, const struct cmdline *c,
                           const struct verity_cfg *u, policy_fn fn, void *ctx);

/* The root hash signature the boot uses (root-hash-signature= syntax), or
 * NULL for none: under a policy that requires it always the image's
 * (policy_refusals refuses the command line's); else the command line's,
 * else the image's when it ships one (image_has_sig). */
const char *policy_root_sig(const struct policy *p, const struct verity_cfg *v,
                            int image_has_sig);

/* The same for the LUKS requests l parsed from c: TRIM passed through
 * (rd.luks.discard, rd.luks.options=discard) shows which blocks of the
 * encrypted disk hold data, a choice for whoever built the image, never the
 * command line; so is a key file on a device (PATH:DEVICE), whose
 * filesystem nothing verifies. Naming volumes, a key file already in the
 * image, read-only and the tries stay allowed: none of them loosens what
 * is verified. */
size_t policy_luks_refusals(const struct policy *p, const struct cmdline *c,
                            const struct luks_cfg *l, policy_fn fn, void *ctx);

#endif
