/* Mounting the real root and handing the machine over to it. */
#ifndef HATCH_SWITCHROOT_H
#define HATCH_SWITCHROOT_H

#define NEWROOT "/newroot"

/* The real init, as the kernel picks it: given (init=) if not NULL, else
 * the first of /sbin/init, /etc/init, /bin/init that is an executable on
 * the new root, symlinks resolved inside it (an absolute link on the new
 * root must not be looked up on the initramfs). */
const char *switchroot_pick_init(const char *newroot, const char *given);

/* Check that init (an absolute path inside the new root, symlinks resolved
 * inside it) is an executable file, and that the new root has the
 * directories the pseudo-filesystems move to. Returns 0 or -errno with a
 * one-line reason logged, which names the root as rootdesc ("/dev/vda1
 * (ext4)"). Nothing is changed. */
int switchroot_check(const char *newroot, const char *init, const char *rootdesc);

/* Move /dev /proc /sys /run into newroot, delete the initramfs contents
 * (only on ramfs/tmpfs, never crossing into another mount), make newroot
 * the root and exec init. Returns only on failure, with -errno. */
int switchroot(const char *newroot, const char *init, char *const argv[], char *const envp[]);

#endif
