#include "mountopts.h"
#include "uevent.h"
#include "unit.h"

#include <sys/mount.h>

TEST(mountopts_split)
{
    unsigned long f = MS_RDONLY;
    char data[64];
    CHECK(mountopts_parse("noatime,data=journal,rw,nosuid,errors=remount-ro", &f, data,
                          sizeof data) == 0);
    CHECK(f == (MS_NOATIME | MS_NOSUID));
    CHECK_STR(data, "data=journal,errors=remount-ro");
    f = 0;
    CHECK(mountopts_parse(NULL, &f, data, sizeof data) == 0);
    CHECK_STR(data, "");
    CHECK(mountopts_parse(",,ro,", &f, data, sizeof data) == 0);
    CHECK(f == MS_RDONLY);
    CHECK_STR(data, "");
    /* prefix of a generic word is fs data, not the word */
    f = 0;
    CHECK(mountopts_parse("roo,r", &f, data, sizeof data) == 0);
    CHECK(f == 0);
    CHECK_STR(data, "roo,r");
}

TEST(mountopts_overflow)
{
    unsigned long f = 0;
    char data[8];
    CHECK(mountopts_parse("abcdefghij", &f, data, sizeof data) == -1);
    CHECK(mountopts_parse("abc,def", &f, data, sizeof data) == 0);
    CHECK_STR(data, "abc,def");
}

static const char ev_add[] = "add@/devices/pci0000:00/0000:00:04.0/virtio1/block/vda/vda1\0"
                             "ACTION=add\0DEVPATH=/devices/pci0000:00/0000:00:04.0/virtio1/"
                             "block/vda/vda1\0SUBSYSTEM=block\0MAJOR=254\0MINOR=1\0"
                             "DEVNAME=vda1\0DEVTYPE=partition\0PARTN=1\0SEQNUM=1234";

TEST(uevent_parse_block)
{
    struct uevent ev;
    CHECK(uevent_parse(ev_add, sizeof ev_add, &ev) == 0);
    CHECK_STR(ev.action, "add");
    CHECK_STR(ev.subsystem, "block");
    CHECK_STR(ev.devname, "vda1");
    CHECK_STR(ev.devtype, "partition");
    CHECK(ev.major == 254 && ev.minor == 1 && ev.partn == 1);
    CHECK(ev.modalias == NULL);
    CHECK(ev.seqnum == 1234);
    /* a SEQNUM that is not a number counts as none: the event is handled */
    static const char bad[] = "add@/x\0ACTION=add\0DEVPATH=/x\0SEQNUM=12a";
    CHECK(uevent_parse(bad, sizeof bad, &ev) == 0 && ev.seqnum == 0);
    static const char neg[] = "add@/x\0ACTION=add\0DEVPATH=/x\0SEQNUM=-5";
    CHECK(uevent_parse(neg, sizeof neg, &ev) == 0 && ev.seqnum == 0);
}

TEST(uevent_parse_rejects_junk)
{
    struct uevent ev;
    static const char udev[] = "libudev\0\xfe\xed\xca\xfe";
    CHECK(uevent_parse(udev, sizeof udev, &ev) == -1);
    CHECK(uevent_parse("", 0, &ev) == -1);
    static const char noterm[] = {'a', 'd', 'd', '@', '/', 'x'};
    CHECK(uevent_parse(noterm, sizeof noterm, &ev) == -1);
    /* missing ACTION= */
    static const char noact[] = "add@/x\0DEVPATH=/x";
    CHECK(uevent_parse(noact, sizeof noact, &ev) == -1);
}

TEST(uevent_parse_modalias_truncated_tail)
{
    /* the last field has no terminating NUL: it must be ignored, not read past */
    static const char m[] = {'a','d','d','@','/','d','\0','A','C','T','I','O','N','=','a','d','d','\0',
                             'D','E','V','P','A','T','H','=','/','d','\0','M','O','D','A','L'};
    struct uevent ev;
    CHECK(uevent_parse(m, sizeof m, &ev) == 0);
    CHECK(ev.modalias == NULL);
}

TEST(uevent_parse_numbers_bounded)
{
    static const char m[] = "add@/d\0ACTION=add\0DEVPATH=/d\0MAJOR=99999999999\0MINOR=-3\0"
                            "PARTN=2x";
    struct uevent ev;
    CHECK(uevent_parse(m, sizeof m, &ev) == 0);
    CHECK(ev.major == -1 && ev.minor == -1 && ev.partn == -1);
}
