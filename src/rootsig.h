/* The dm-verity root hash signature: into the kernel's keyring for the
 * table's root_hash_sig_key_desc, and the kernel's verdict in one line. */
#ifndef HATCH_ROOTSIG_H
#define HATCH_ROOTSIG_H

#include <stdint.h>

/* Load the signature spec names ("base64:DATA" or a path in the
 * initramfs) as a "user" key VERITY_SIG_KEY_DESC. Returns the key's serial
 * (> 0), or -errno after logging one line that says what to do. */
int32_t rootsig_load(const char *spec);

/* Read the signature spec names, as rootsig_load will, without loading
 * it: a missing or unreadable one is found before the boot waits for any
 * device. Returns 0, or -errno after logging one line. */
int rootsig_check(const char *spec);

/* Drop the key once the table is loaded (or refused). */
void rootsig_unload(int32_t serial);

/* Log the one line for a table the kernel refused with err (an errno)
 * while it carried the signature from spec. */
void rootsig_refused(int err, const char *spec);

#endif
