/* A stand-in /init for the generator's boot test: proves the kernel
 * unpacked the image and ran /init. Mounts devtmpfs, prints one marker line
 * with the image's kernel release and what it found, and powers off. */
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <unistd.h>

static void put(int fd, const char *s)
{
    (void)!write(fd, s, strlen(s));
}

int main(void)
{
    char kver[128] = "?";
    char path[256];
    int fd, k;
    ssize_t n;

    mount("devtmpfs", "/dev", "devtmpfs", 0, 0);
    fd = open("/dev/console", O_WRONLY | O_NOCTTY);
    if (fd < 0)
        fd = 2;
    k = open("/etc/hatch/kver", O_RDONLY);
    if (k >= 0) {
        n = read(k, kver, sizeof kver - 1);
        kver[n > 0 ? n : 0] = 0;
        kver[strcspn(kver, "\n")] = 0;
        close(k);
    }
    strcpy(path, "/lib/modules/");
    strncat(path, kver, sizeof path - 40);
    strcat(path, "/modules.dep.bin");
    put(fd, "\nHATCH-GEN-BOOT kver=");
    put(fd, kver);
    put(fd, access(path, R_OK) == 0 ? " modules.dep.bin=yes" : " modules.dep.bin=no");
    put(fd, access("/bin/sh", X_OK) == 0 ? " sh=yes\n" : " sh=no\n");
    sync();
    reboot(RB_POWER_OFF);
    return 0;
}
