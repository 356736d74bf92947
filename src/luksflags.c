/* See luksflags.h. */
#include "luksflags.h"

#include <string.h>

static const struct {
    const char *word;
    unsigned flag;
} words[] = {
    {"discard", LUKS_F_DISCARD},
    {"readonly", LUKS_F_READONLY},
    {"same-cpu-crypt", LUKS_F_SAME_CPU_CRYPT},
    {"submit-from-crypt-cpus", LUKS_F_SUBMIT_FROM_CRYPT_CPUS},
    {"no-read-workqueue", LUKS_F_NO_READ_WORKQUEUE},
    {"no-write-workqueue", LUKS_F_NO_WRITE_WORKQUEUE},
};
#define NWORDS (sizeof words / sizeof *words)

int luks_flags_format(unsigned flags, char *out, size_t len)
{
    if (!len || (flags & ~(unsigned)LUKS_F_ALL))
        return -1;
    if (!flags) {
        if (len < 2)
            return -1;
        memcpy(out, "-", 2);
        return 0;
    }
    size_t n = 0;
    for (size_t i = 0; i < NWORDS; i++) {
        if (!(flags & words[i].flag))
            continue;
        size_t w = strlen(words[i].word);
        if (n + (n > 0) + w + 1 > len)
            return -1;
        if (n)
            out[n++] = ',';
        memcpy(out + n, words[i].word, w);
        n += w;
    }
    out[n] = '\0';
    return 0;
}

int luks_flags_parse(const char *s, unsigned *flags)
{
    *flags = 0;
    if (!strcmp(s, "-"))
        return 0;
    for (;;) {
        size_t n = strcspn(s, ","), i = 0;
        while (i < NWORDS && (strlen(words[i].word) != n || strncmp(words[i].word, s, n)))
            i++;
        if (i == NWORDS) {
            *flags = 0;
            return -1;
        }
        *flags |= words[i].flag;
        if (!s[n])
            return 0;
        s += n + 1;
    }
}
