/* The mapping options of a LUKS volume as the init hands them to
 * luks-unlock on its command line: one word each, comma-separated, "-"
 * for none. Pure: the init writes them, luks-unlock reads them, and the
 * unit tests hold the two to one list. */
#ifndef HATCH_LUKSFLAGS_H
#define HATCH_LUKSFLAGS_H

#include <stddef.h>

enum {
    LUKS_F_DISCARD = 1 << 0,
    LUKS_F_READONLY = 1 << 1,
    LUKS_F_SAME_CPU_CRYPT = 1 << 2,
    LUKS_F_SUBMIT_FROM_CRYPT_CPUS = 1 << 3,
    LUKS_F_NO_READ_WORKQUEUE = 1 << 4,
    LUKS_F_NO_WRITE_WORKQUEUE = 1 << 5,
    LUKS_F_ALL = (1 << 6) - 1,
};

/* flags as words into out ("-" for none). Returns 0, or -1 when out is
 * too short or flags has a bit outside LUKS_F_ALL. */
int luks_flags_format(unsigned flags, char *out, size_t len);

/* The words of s into *flags. Returns 0, or -1 for an unknown or empty
 * word (*flags is then 0). */
int luks_flags_parse(const char *s, unsigned *flags);

#endif
