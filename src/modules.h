/* Kernel modules through libkmod, with dependencies and softdeps. */
#ifndef HATCH_MODULES_H
#define HATCH_MODULES_H

#include <stddef.h>

/* Set up libkmod for the running kernel. blacklist: names never to load
 * (rd.driver.blacklist=, module_blacklist=). Returns 0 or -errno with a
 * one-line explanation logged (e.g. the image was built for another
 * kernel). */
int modules_init(const char *const *blacklist, size_t n_blacklist);

/* Load a module by name or alias with everything it depends on. why is said
 * in the log ("image list", "modalias pci:...", "fs-ext4"). Returns the
 * number of modules matched (0: no module for that name/alias), or -errno
 * if a load failed. */
int module_load(const char *name_or_alias, const char *why);

/* Load every name listed (one per line) in file; a missing file is no
 * error. Returns 0 or the first -errno. */
int modules_load_file(const char *path);

/* Is libkmod set up (modules_init succeeded and modules_exit not called)? */
int modules_ready(void);

void modules_exit(void);

#endif
