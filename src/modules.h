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

/* Load name (a module) for why, or find it built in or loaded already.
 * Returns 0, or -ENOENT when the kernel has it in no form. */
int module_require(const char *name, const char *why);

/* Does name_or_alias name a module in the image? 0: none; 1: yes, to be
 * loaded; 2: yes, and all it names are loaded already (or built in).
 * Looks, loads nothing. */
int module_known(const char *name_or_alias);

/* module_load in a child process of its own, so that loads (and the probes
 * their drivers run) go on side by side: the image's list, and the drivers
 * of the devices present. Returns 1 when started, else the result of
 * loading it here (no process to spare). modules_pending says when they
 * are done. */
int module_load_async(const char *name_or_alias, const char *why);

/* The number the next module_load_async will get: modules_wait_before
 * then waits for the loads started before this call only. */
unsigned long modules_mark(void);

/* Reap the loads that have finished (and any orphan PID 1 inherited); with
 * block, wait until every load numbered below before has. Returns how
 * many of those are still going. */
size_t modules_wait_before(unsigned long before, int block);

/* modules_wait_before for every load started so far. */
size_t modules_pending(int block);

/* Load every name listed (one per line) in path, one after another; a
 * missing file is no error. Returns 0 or -EIO if any failed. */
int modules_load_file(const char *path);

/* module_load_async for every name listed in path, logged as why. */
void modules_start_file(const char *path, const char *why);

#define MODULE_NAME_MAX 64

/* The names listed in path, the first max of them into names. Returns how
 * many it lists (maybe more than max), or -errno (-ENOENT: no such list). */
int modules_read_list(const char *path, char names[][MODULE_NAME_MAX], size_t max);

/* Is one of the n names (modules, - and _ alike) a module of alias (a
 * device's modalias)? Looks, loads nothing. */
int module_alias_in(const char *alias, char names[][MODULE_NAME_MAX], size_t n);

/* Is libkmod set up (modules_init succeeded and modules_exit not called)? */
int modules_ready(void);

/* Waits for the loads still going, then lets libkmod go. */
void modules_exit(void);

#endif
