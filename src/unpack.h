/* Files the image stores zstd-compressed (PATH.zst) because most boots never
 * use them, such as the rescue shell: expanded on first use. */
#ifndef HATCH_UNPACK_H
#define HATCH_UNPACK_H

/* Is path there, or packed as path.zst? */
int unpack_present(const char *path);

/* Make path exist: nothing to do if it does; else expand path.zst into it
 * (mode 0755, written under a temporary name and renamed, so a failure
 * leaves no half file). Returns 0, or a negative errno with the reason
 * logged. */
int unpack_file(const char *path);

#endif
