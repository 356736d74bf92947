/* rd.md= and rd.md.uuid=, array UUIDs, mdadm's --export lines. */
#include "mdconf.h"

#include <ctype.h>
#include <string.h>

int md_uuid_norm(const char *s, char out[MD_UUID_HEX + 1])
{
    size_t n = 0;
    if (!s)
        return -1;
    for (; *s; s++) {
        if (*s == ':' || *s == '-')
            continue;
        if (!isxdigit((unsigned char)*s) || n == MD_UUID_HEX)
            return -1;
        out[n++] = (char)tolower((unsigned char)*s);
    }
    out[n] = '\0';
    return n == MD_UUID_HEX ? 0 : -1;
}

void md_cfg_parse(const struct cmdline *c, struct md_cfg *m)
{
    memset(m, 0, sizeof *m);
    m->disabled = c->md == 0;
    for (size_t i = 0; i < c->n_md_uuid && m->n + m->n_bad < MD_UUID_MAX; i++) {
        if (md_uuid_norm(c->md_uuid[i], m->uuid[m->n]) == 0)
            m->n++;
        else
            m->bad[m->n_bad++] = c->md_uuid[i];
    }
}

int md_cfg_wants(const struct md_cfg *m, const char *uuid)
{
    char u[MD_UUID_HEX + 1];
    if (m->disabled)
        return 0;
    if (!m->n && !m->n_bad)
        return 1;
    if (md_uuid_norm(uuid, u) < 0)
        return 0;
    for (size_t i = 0; i < m->n; i++)
        if (!strcmp(m->uuid[i], u))
            return 1;
    return 0;
}

static void field(const char *v, size_t len, char *dst, size_t dlen)
{
    if (len >= dlen)
        len = dlen - 1;
    memcpy(dst, v, len);
    dst[len] = '\0';
}

static int valid_device(const char *d)
{
    /* md127, or md_NAME for a named array (CREATE names=yes) */
    if (strncmp(d, "md", 2) || !d[2])
        return 0;
    for (const char *p = d + 2; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.')
            return 0;
    return 1;
}

int md_export_parse(const char *s, size_t len, struct md_export *e)
{
    static const struct {
        const char *word;
        enum md_started v;
    } states[] = {{"no", MD_STARTED_NO},           {"unsafe", MD_STARTED_UNSAFE},
                  {"yes", MD_STARTED_YES},         {"already", MD_STARTED_ALREADY},
                  {"nothing", MD_STARTED_NOTHING}};
    memset(e, 0, sizeof *e);
    const char *end = s + len;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *le = nl ? nl : end;
        const char *eq = memchr(s, '=', (size_t)(le - s));
        if (eq) {
            size_t kl = (size_t)(eq - s), vl = (size_t)(le - eq - 1);
            const char *v = eq + 1;
            if (kl == 9 && !memcmp(s, "MD_DEVICE", 9))
                field(v, vl, e->device, sizeof e->device);
            else if (kl == 10 && !memcmp(s, "MD_DEVNAME", 10))
                field(v, vl, e->devname, sizeof e->devname);
            else if (kl == 8 && !memcmp(s, "MD_LEVEL", 8))
                field(v, vl, e->level, sizeof e->level);
            else if (kl == 10 && !memcmp(s, "MD_DEVICES", 10)) {
                int n = 0;
                size_t i = 0;
                for (; i < vl && i < 6 && v[i] >= '0' && v[i] <= '9'; i++)
                    n = n * 10 + (v[i] - '0');
                e->devices = i == vl ? n : 0;
            } else if (kl == 10 && !memcmp(s, "MD_STARTED", 10))
                for (size_t i = 0; i < sizeof states / sizeof *states; i++)
                    if (strlen(states[i].word) == vl && !memcmp(v, states[i].word, vl))
                        e->started = states[i].v;
        }
        s = nl ? nl + 1 : end;
    }
    return valid_device(e->device) ? 0 : -1;
}
