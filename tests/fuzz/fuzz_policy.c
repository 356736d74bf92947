// fuzz-max-len: 4500
/* The lockdown policy: policy_parse on the part of the input before the
 * first NUL (the policy file), then, with the part after it as a command
 * line, policy_refusals. Contract: a policy file is always lockdown, even
 * when refused; under lockdown, a command line with no refusal asks for a
 * verified root and for nothing that could mount, run or load anything
 * else: no shell, no break, no init=, no fs type or flags, rw, modules,
 * blacklists, failure action, ignore-corruption or check-at-most-once; and
 * a policy that requires the image's root hash signature passes no command
 * line signature and always boots with the image's. */
#include "cmdline.h"
#include "fuzz.h"
#include "policy.h"
#include "veritycfg.h"

#include <string.h>

static struct cmdline c;
static struct verity_cfg v;

static void count(void *ctx, const char *s)
{
    FUZZ_ASSERT(s && s[0] && strlen(s) < 256, "refusal is not a sentence");
    ++*(size_t *)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, '\0', size);
    size_t plen = nul ? (size_t)(nul - data) : size;
    struct policy p;
    char err[256] = "";
    fuzz_input(data, size);

    int r = policy_parse((const char *)data, plen, &p, err, sizeof err);
    FUZZ_ASSERT(p.lockdown, "a policy file that is not lockdown (r=%d)", r);
    FUZZ_ASSERT(r == 0 || (fuzz_terminated(err, sizeof err) && err[0]), "no error sentence");
    FUZZ_ASSERT(r == 0 || p.action == EMERG_HALT, "a refused policy does not halt");
    FUZZ_ASSERT(fuzz_terminated(p.roothash, sizeof p.roothash), "roothash unterminated");
    if (r < 0)
        return 0;

    char *line = malloc(size - plen + 1);
    if (!line)
        return 0;
    size_t ll = nul ? size - plen - 1 : 0;
    memcpy(line, nul ? (const char *)nul + 1 : "", ll);
    line[ll] = '\0';
    cmdline_parse(&c, line);
    int vr = verity_cfg_parse(&c, p.roothash[0] ? p.roothash : NULL, &v, err, sizeof err);
    size_t calls = 0, n = policy_refusals(&p, &c, &v, count, &calls);
    FUZZ_ASSERT(n == calls, "%zu refusals but %zu sentences", n, calls);
    /* The init boots only when both pass (a bad verity request stops it
     * by itself). */
    if (n == 0 && vr == 0) {
        static const enum opt never[] = {OPT_SHELL,  OPT_BREAK,        OPT_INIT,
                                         OPT_ROOTFSTYPE, OPT_ROOTFLAGS, OPT_RW,
                                         OPT_MODULES_LOAD, OPT_BLACKLIST, OPT_EMERGENCY};
        for (size_t i = 0; i < sizeof never / sizeof *never; i++)
            FUZZ_ASSERT(!(c.given & (1ul << never[i])), "option %d passed lockdown", never[i]);
        FUZZ_ASSERT(v.enabled, "no verity passed lockdown");
        FUZZ_ASSERT(!v.ignore_corruption && !v.check_at_most_once, "weak verity passed lockdown");
        FUZZ_ASSERT(!c.shell && c.brk == STAGE_NONE && !c.init && !c.rootflags &&
                        !c.n_rootfstype && !c.rw && !c.n_modules_load && !c.n_blacklist,
                    "lockdown passed a loosened command line");
        if (p.signature) {
            FUZZ_ASSERT(!v.sig, "a command line signature passed a signature policy");
            FUZZ_ASSERT(policy_root_sig(&p, &v, 0) &&
                            !strcmp(policy_root_sig(&p, &v, 0), VERITY_SIG_IMAGE_PATH),
                        "a signature policy booted without the image's signature");
        }
        if (p.roothash[0])
            FUZZ_ASSERT(!strcmp(v.roothash, p.roothash), "pinned %s, verity got %s", p.roothash,
                        v.roothash);
    }
    /* Without lockdown nothing is refused. */
    p.lockdown = 0;
    FUZZ_ASSERT(policy_refusals(&p, &c, &v, count, &calls) == 0, "refusal without lockdown");
    free(line);
    return 0;
}
