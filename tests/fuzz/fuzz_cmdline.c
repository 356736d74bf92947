// fuzz-max-len: 8192
/* The kernel command line: cmdline_parse on the input (a NUL-terminated
 * copy; longer than the buffer on purpose, to exercise the cut). */
#include "cmdline.h"
#include "fuzz.h"
#include "luksconf.h"
#include "mdconf.h"

#include <ctype.h>
#include <string.h>

static struct cmdline c;
static const char *in; /* the input as parsed */

/* A value points into c.buf, ends inside it, and is whole: in the input
 * the byte after it ends a token (or a list item, or a quote), so a value
 * was never cut short at the buffer's end. */
static void whole(const char *v, const char *what, int list)
{
    if (!v)
        return;
    FUZZ_ASSERT(v >= c.buf && v < c.buf + sizeof c.buf, "%s points outside the struct", what);
    size_t off = (size_t)(v - c.buf), room = sizeof c.buf - off;
    FUZZ_ASSERT(fuzz_terminated(v, room), "%s is not terminated inside the buffer", what);
    unsigned char next = (unsigned char)in[off + strlen(v)];
    FUZZ_ASSERT(!next || isspace(next) || next == '"' || (list && next == ','),
                "%s '%s' was cut short (next input byte 0x%02x)", what, v, next);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    in = s;
    fuzz_input(data, size);
    cmdline_parse(&c, s);

    FUZZ_ASSERT(c.n_msgs <= CMDLINE_MAX_MSGS, "n_msgs %zu", c.n_msgs);
    for (size_t i = 0; i < c.n_msgs; i++)
        FUZZ_ASSERT(fuzz_terminated(c.msgs[i], sizeof c.msgs[i]) && c.msgs[i][0],
                    "message %zu is not a sentence", i);
    FUZZ_ASSERT(c.truncated == (strlen(s) > CMDLINE_MAX - 1), "truncated=%d for %zu bytes",
                c.truncated, strlen(s));
    FUZZ_ASSERT(!c.truncated || c.n_msgs + c.n_msgs_dropped >= 1, "a cut is not reported");

    whole(c.root, "root", 0);
    whole(c.init, "init", 0);
    whole(c.verity, "verity", 0);
    whole(c.roothash, "roothash", 0);
    whole(c.verity_data, "verity_data", 0);
    whole(c.verity_hash, "verity_hash", 0);
    whole(c.verity_options, "verity_options", 0);
    if (c.rootflags && *c.rootflags)
        whole(c.rootflags, "rootflags", 0);
    FUZZ_ASSERT(c.n_rootfstype <= CMDLINE_MAX_LIST && c.n_modules_load <= CMDLINE_MAX_LIST &&
                    c.n_blacklist <= CMDLINE_MAX_LIST, "a list overflows");
    for (size_t i = 0; i < c.n_rootfstype; i++) {
        whole(c.rootfstype[i], "rootfstype", 1);
        FUZZ_ASSERT(*c.rootfstype[i], "empty fs type");
    }
    for (size_t i = 0; i < c.n_modules_load; i++)
        whole(c.modules_load[i], "modules-load", 1);
    for (size_t i = 0; i < c.n_blacklist; i++)
        whole(c.blacklist[i], "blacklist", 1);

    /* Booleans are 0 or 1, and on only if asked for by name. */
    FUZZ_ASSERT(c.shell == 0 || c.shell == 1, "shell=%d", c.shell);
    FUZZ_ASSERT(c.debug == 0 || c.debug == 1, "debug=%d", c.debug);
    FUZZ_ASSERT(!c.shell || ((c.given >> OPT_SHELL) & 1), "a shell nobody asked for");
    FUZZ_ASSERT(!c.debug || ((c.given >> OPT_DEBUG) & 1), "debug nobody asked for");
    FUZZ_ASSERT(c.brk == STAGE_NONE || ((c.given >> OPT_BREAK) & 1), "a break nobody asked for");
    FUZZ_ASSERT(c.brk >= STAGE_NONE && c.brk <= STAGE_SWITCH, "stage %d", (int)c.brk);
    FUZZ_ASSERT(c.rw == 0 || (c.rw == 1 && ((c.given >> OPT_RW) & 1)), "rw=%d", c.rw);

    /* Waits fit poll(2)'s int milliseconds. */
    FUZZ_ASSERT(c.timeout_s >= -1 && c.timeout_s <= CMDLINE_MAX_SECS, "timeout %d", c.timeout_s);
    FUZZ_ASSERT(c.rootdelay_s >= 0 && c.rootdelay_s <= CMDLINE_MAX_SECS, "rootdelay %d",
                c.rootdelay_s);
    FUZZ_ASSERT(c.loglevel >= -1 && c.loglevel <= 7, "loglevel %d", c.loglevel);

    /* given_as names a spelling for every given option, and only those. */
    for (int o = 0; o < OPT_COUNT; o++)
        FUZZ_ASSERT(!!((c.given >> o) & 1) == !!c.given_as[o], "given/given_as disagree for %d", o);
    FUZZ_ASSERT(!c.verity_empty || (c.given & (1ul << OPT_VERITY | 1ul << OPT_ROOTHASH |
                                               1ul << OPT_VERITY_DATA | 1ul << OPT_VERITY_HASH |
                                               1ul << OPT_VERITY_OPTIONS)),
                "verity_empty without a verity option");

    /* The LUKS requests made from it: canonical UUIDs, a mapped name each,
     * and a refusal always says why. */
    static struct luks_cfg l;
    char err[256];
    int r = luks_cfg_parse(&c, &l, err, sizeof err);
    FUZZ_ASSERT(r == 0 || (r == -1 && err[0]), "luks_cfg_parse %d without a sentence", r);
    FUZZ_ASSERT(l.n <= LUKS_MAX && l.n_msgs <= LUKS_MAX_MSGS, "luks n=%zu", l.n);
    for (size_t i = 0; r == 0 && i < l.n; i++) {
        FUZZ_ASSERT(strlen(l.req[i].uuid) == LUKS_UUID_LEN, "uuid '%s'", l.req[i].uuid);
        FUZZ_ASSERT(l.req[i].name[0] && !strchr(l.req[i].name, '/'), "name '%s'",
                    l.req[i].name);
        FUZZ_ASSERT(!l.req[i].key[0] || l.req[i].key[0] == '/', "key '%s'", l.req[i].key);
    }
    /* The md request: canonical UUIDs only, every value kept or reported,
     * and rd.md=0 wants nothing. */
    static struct md_cfg m;
    md_cfg_parse(&c, &m);
    FUZZ_ASSERT(m.n + m.n_bad <= MD_UUID_MAX, "md n=%zu bad=%zu", m.n, m.n_bad);
    FUZZ_ASSERT(m.n + m.n_bad == (c.n_md_uuid < MD_UUID_MAX ? c.n_md_uuid : MD_UUID_MAX),
                "md uuids %zu+%zu of %zu", m.n, m.n_bad, c.n_md_uuid);
    for (size_t i = 0; i < m.n; i++) {
        FUZZ_ASSERT(strlen(m.uuid[i]) == MD_UUID_HEX, "md uuid '%s'", m.uuid[i]);
        for (size_t k = 0; k < MD_UUID_HEX; k++)
            FUZZ_ASSERT(isxdigit((unsigned char)m.uuid[i][k]) && !isupper((unsigned char)m.uuid[i][k]),
                        "md uuid '%s'", m.uuid[i]);
        FUZZ_ASSERT(m.disabled || md_cfg_wants(&m, m.uuid[i]), "md uuid %s not wanted", m.uuid[i]);
    }
    FUZZ_ASSERT(!m.disabled || c.md == 0, "md off without rd.md=0");
    FUZZ_ASSERT(!m.disabled || !md_cfg_wants(&m, "2f8e6c4a-1b3d-4e5f-8a9b-0c1d2e3f4a5b"),
                "rd.md=0 wants an array");
    free(s);
    return 0;
}
