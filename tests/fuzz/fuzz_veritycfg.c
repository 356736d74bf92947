// fuzz-max-len: 4500
/* The verity request: command line -> verity_cfg_parse -> both tables.
 * The first input byte picks whether the image pins a root hash; the rest
 * is the command line. Contract: a verity request never turns verity off;
 * every device is the one the command line (last) named, in storage of
 * its own; and the tables carry exactly the command line's (or the pinned)
 * root hash, the proof table with no option but FEC; a root hash signature
 * is the last one named, base64 that decodes or an absolute path, and both
 * tables name its key (neither does without one). The /usr request
 * (usrhash=, systemd.verity_usr_*) keeps the same promise on its own, and
 * a verified /usr or a tmpfs root passes the checks only as itself: the
 * mapping, never beside another mount.usr=; a tmpfs root never without a
 * /usr. */
#include "cmdline.h"
#include "fuzz.h"
#include "usrcfg.h"
#include "veritycfg.h"

#include <ctype.h>
#include <strings.h>
#include <string.h>

#define PIN "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define VERITY_OPTS                                                                    \
    (1ul << OPT_VERITY | 1ul << OPT_ROOTHASH | 1ul << OPT_VERITY_DATA |                \
     1ul << OPT_VERITY_HASH | 1ul << OPT_VERITY_OPTIONS)

#define USR_OPTS                                                                       \
    (1ul << OPT_USRHASH | 1ul << OPT_VERITY_USR_DATA | 1ul << OPT_VERITY_USR_HASH |    \
     1ul << OPT_VERITY_USR_OPTIONS)

static struct cmdline c;
static struct verity_cfg v, u;

static void usr_checks(void)
{
    char err[256] = "", warn[256];
    int r = verity_usr_cfg_parse(&c, &u, err, sizeof err);
    FUZZ_ASSERT(r == 0 || (r == -1 && fuzz_terminated(err, sizeof err) && err[0]),
                "usr: r=%d without a sentence", r);
    if (c.given & USR_OPTS)
        FUZZ_ASSERT(u.enabled, "a /usr verity request turned verity off (r=%d, err=%s)", r, err);
    else
        FUZZ_ASSERT(!u.enabled && r == 0, "/usr verity on without a request");
    if (r < 0)
        return;
    if (u.enabled) {
        FUZZ_ASSERT(!strcmp(u.name, "usr") && u.data, "usr mapping %s, data %s", u.name,
                    u.data ? u.data : "none");
        if (c.usrhash)
            FUZZ_ASSERT(!strcasecmp(u.roothash, c.usrhash), "usrhash= %s became %s", c.usrhash,
                        u.roothash);
        if (c.verity_usr_data)
            FUZZ_ASSERT(!strcmp(u.data, c.verity_usr_data), "usr data %s is not %s", u.data,
                        c.verity_usr_data);
    }
    if (usr_request_check(&c, &u, err, sizeof err, warn, sizeof warn) < 0) {
        FUZZ_ASSERT(fuzz_terminated(err, sizeof err) && err[0], "usr check: no sentence");
        return;
    }
    FUZZ_ASSERT(fuzz_terminated(warn, sizeof warn), "usr warning unterminated");
    if (u.enabled && c.mount_usr)
        FUZZ_ASSERT(!strcmp(c.mount_usr, "/dev/mapper/usr"),
                    "a verified /usr passed beside mount.usr=%s", c.mount_usr);
    if (usr_root_is_tmpfs(&c))
        FUZZ_ASSERT(usr_wanted(&c, &u), "a tmpfs root without a /usr passed");
}

/* The value of the last KEY= item of a comma list, copied to out; 0 if
 * none. */
static int last_item(const char *list, const char *key, char *out, size_t outlen)
{
    int found = 0;
    size_t kl = strlen(key);
    for (const char *p = list; p && *p;) {
        size_t l = strcspn(p, ",");
        if (l > kl && !strncmp(p, key, kl) && p[kl] == '=' && l - kl - 1 > 0) {
            size_t n = l - kl - 1 < outlen - 1 ? l - kl - 1 : outlen - 1;
            memcpy(out, p + kl + 1, n);
            out[n] = '\0';
            found = 1;
        }
        p += l;
        if (*p == ',')
            p++;
    }
    return found;
}

static void owned(const char *s, const char *what)
{
    if (!s)
        return;
    int in_cfg = s >= v.buf && s < v.buf + sizeof v.buf;
    int in_cmd = s >= c.buf && s < c.buf + sizeof c.buf;
    FUZZ_ASSERT(in_cfg || in_cmd, "%s points outside both structs", what);
}

static void table_checks(void)
{
    struct verity_params p;
    char err[256], proof[2048], fin[2048];
    memset(&p, 0, sizeof p);
    p.version = p.hash_type = 1;
    p.data_block_size = p.hash_block_size = 4096;
    p.data_blocks = 1000;
    strcpy(p.algorithm, strlen(v.roothash) == 40 ? "sha1" : strlen(v.roothash) == 128 ? "sha512"
                                                                                       : "sha256");
    if (verity_params_apply(&v, &p, 1, err, sizeof err) < 0)
        return;
    struct verity_fec fec = {.dev = "254:3", .blocks = 1001, .start = 0, .roots = v.fec_roots};
    const struct verity_fec *f = v.fec_device ? &fec : NULL;
    FUZZ_ASSERT(verity_table(&v, &p, "254:1", "254:2", f, VERITY_TABLE_PROOF, proof,
                             sizeof proof) == 0, "proof table does not fit");
    FUZZ_ASSERT(verity_table(&v, &p, "254:1", "254:2", f, VERITY_TABLE_FINAL, fin,
                             sizeof fin) == 0, "final table does not fit");
    for (const char *t = proof; t; t = t == proof ? fin : NULL) {
        char hash[160];
        /* version data hash dbs hbs blocks start alg DIGEST salt */
        FUZZ_ASSERT(sscanf(t, "%*s %*s %*s %*s %*s %*s %*s %*s %159s", hash) == 1,
                    "table has no digest: %s", t);
        FUZZ_ASSERT(!strcmp(hash, v.roothash), "table digest %s is not the request's %s", hash,
                    v.roothash);
        FUZZ_ASSERT(!strncmp(t, "1 254:1 254:2 ", 14), "table devices: %s", t);
    }
    /* Size check: never passes a tree that cannot fit, whatever the
     * offsets (the arithmetic must not wrap into a pass). */
    uint64_t sizes[] = {0, 4096, 4096000, 1ull << 40, UINT64_MAX};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
        for (size_t j = 0; j < sizeof sizes / sizeof *sizes; j++)
            for (int same = 0; same < 2; same++) {
                if (verity_check_sizes(&v, &p, sizes[i], sizes[j], same, err, sizeof err) < 0)
                    continue;
                unsigned __int128 need =
                    ((unsigned __int128)verity_hash_start(&v, &p) + verity_tree_blocks(&p)) *
                    p.hash_block_size;
                FUZZ_ASSERT(need <= sizes[j], "tree of %llu bytes passed on a %llu-byte device",
                            (unsigned long long)need, (unsigned long long)sizes[j]);
                FUZZ_ASSERT(sizes[i] >= p.data_blocks * p.data_block_size, "data too small");
                FUZZ_ASSERT(!same || v.hash_offset >= p.data_blocks * p.data_block_size,
                            "hash tree inside the data");
            }
    const char *desc = " root_hash_sig_key_desc " VERITY_SIG_KEY_DESC;
    FUZZ_ASSERT(!strstr(proof, desc) == !v.sig && !strstr(fin, desc) == !v.sig,
                "signature %s but tables: %s / %s", v.sig ? v.sig : "none", proof, fin);
    static const char *const weak[] = {"ignore_corruption", "restart_on_corruption",
                                       "panic_on_corruption", "ignore_zero_blocks",
                                       "check_at_most_once"};
    for (size_t i = 0; i < sizeof weak / sizeof *weak; i++)
        FUZZ_ASSERT(!strstr(proof, weak[i]), "proof table carries %s: %s", weak[i], proof);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *pinned = data[0] & 1 ? PIN : NULL;
    char *s = malloc(size);
    if (!s)
        return 0;
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    fuzz_input(data, size);
    cmdline_parse(&c, s);
    char err[256] = "";
    int r = verity_cfg_parse(&c, pinned, &v, err, sizeof err);
    usr_checks();

    FUZZ_ASSERT(r == 0 || r == -1, "r=%d", r);
    FUZZ_ASSERT(r == 0 || (fuzz_terminated(err, sizeof err) && err[0]), "no error sentence");
    /* Asked for (by any spelling, even empty) or pinned: verity is on,
     * whether or not the request is valid. */
    if ((c.given & VERITY_OPTS) || pinned)
        FUZZ_ASSERT(v.enabled, "a verity request turned verity off (r=%d, err=%s)", r, err);
    else
        FUZZ_ASSERT(!v.enabled && r == 0, "verity on without a request");
    if (r < 0 || !v.enabled) {
        free(s);
        return 0;
    }

    /* The root hash: lowercase even hex, the command line's or the pin. */
    size_t hl = strlen(v.roothash);
    FUZZ_ASSERT(hl && hl % 2 == 0 && hl <= 2 * VERITY_MAX_DIGEST, "root hash length %zu", hl);
    for (size_t i = 0; i < hl; i++)
        FUZZ_ASSERT(isxdigit((unsigned char)v.roothash[i]) && !isupper((unsigned char)v.roothash[i]),
                    "root hash %s", v.roothash);
    if (pinned)
        FUZZ_ASSERT(!strcmp(v.roothash, PIN), "pinned hash replaced by %s", v.roothash);
    if (c.roothash)
        FUZZ_ASSERT(!strcasecmp(v.roothash, c.roothash), "roothash= %s became %s", c.roothash,
                    v.roothash);
    char want[CMDLINE_MAX];
    if (c.verity && last_item(c.verity, "roothash", want, sizeof want))
        FUZZ_ASSERT(!strcasecmp(v.roothash, want), "verity=roothash=%s became %s", want,
                    v.roothash);

    /* Devices: exactly what the command line named last, else derived. */
    owned(v.data, "data");
    owned(v.hash, "hash");
    owned(v.fec_device, "fec_device");
    FUZZ_ASSERT(v.data, "enabled and valid without a data device");
    if (c.verity_data)
        FUZZ_ASSERT(!strcmp(v.data, c.verity_data), "data %s is not %s", v.data, c.verity_data);
    else if (c.verity && last_item(c.verity, "data", want, sizeof want))
        FUZZ_ASSERT(!strcmp(v.data, want), "data %s is not verity=data=%s", v.data, want);
    else
        FUZZ_ASSERT(!strncmp(v.data, "PARTUUID=", 9), "data %s came from nowhere", v.data);
    if (c.verity_hash)
        FUZZ_ASSERT(v.hash && !strcmp(v.hash, c.verity_hash), "hash is not %s", c.verity_hash);
    else if (c.verity && last_item(c.verity, "hashdev", want, sizeof want))
        FUZZ_ASSERT(v.hash && !strcmp(v.hash, want), "hash is not verity=hashdev=%s", want);
    int fec_opts = c.verity_options && last_item(c.verity_options, "fec-device", want, sizeof want);
    if (!fec_opts && c.verity)
        fec_opts = last_item(c.verity, "fec-device", want, sizeof want);
    if (fec_opts)
        FUZZ_ASSERT(v.fec_device && !strcmp(v.fec_device, want), "fec device is not %s", want);
    else
        FUZZ_ASSERT(!v.fec_device, "fec device %s came from nowhere", v.fec_device);
    owned(v.sig, "sig");
    int sig_opts = c.verity_options && last_item(c.verity_options, "root-hash-signature", want,
                                                 sizeof want);
    if (!sig_opts && c.verity)
        sig_opts = last_item(c.verity, "root-hash-signature", want, sizeof want);
    if (sig_opts)
        FUZZ_ASSERT(v.sig && !strcmp(v.sig, want), "signature is not %s", want);
    else
        FUZZ_ASSERT(!v.sig, "signature %s came from nowhere", v.sig);
    if (v.sig)
        FUZZ_ASSERT(v.sig[0] == '/' || (!strncmp(v.sig, "base64:", 7) &&
                                        verity_base64_decode(v.sig + 7, NULL, VERITY_SIG_MAX) > 0),
                    "signature %s is neither a path nor base64", v.sig);
    FUZZ_ASSERT(v.restart_on_corruption + v.panic_on_corruption + v.ignore_corruption <= 1,
                "more than one corruption mode");
    table_checks();
    free(s);
    return 0;
}
