// fuzz-max-len: 2048
/* mdadm --incremental/--examine --export output: md_export_parse on exactly
 * the input's bytes, in an exact-size heap buffer with no NUL added. */
#include "fuzz.h"
#include "mdconf.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input(data, size);
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    struct md_export e;
    int r = md_export_parse(buf, size, &e);
    FUZZ_ASSERT(fuzz_terminated(e.device, sizeof e.device), "device not terminated");
    FUZZ_ASSERT(fuzz_terminated(e.devname, sizeof e.devname), "devname not terminated");
    FUZZ_ASSERT(fuzz_terminated(e.level, sizeof e.level), "level not terminated");
    FUZZ_ASSERT(r == 0 || r == -1, "r=%d", r);
    /* A device accepted is one the init may put after /dev/: mdN or md_NAME,
     * never a path. */
    FUZZ_ASSERT(r < 0 || (!strncmp(e.device, "md", 2) && e.device[2] && !strchr(e.device, '/')),
                "device '%s' accepted", e.device);
    FUZZ_ASSERT(e.devices >= 0 && e.devices < 1000000, "devices %d", e.devices);
    FUZZ_ASSERT(e.started >= MD_STARTED_UNKNOWN && e.started <= MD_STARTED_NOTHING, "started %d",
                (int)e.started);
    free(buf);
    return 0;
}
