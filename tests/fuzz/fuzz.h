/* Shared by the libFuzzer targets tests/fuzz/fuzz_<name>.c: an assert that
 * says which part of a parser's contract broke, for which input, and then
 * aborts (libFuzzer keeps the input as a crash artifact). */
#ifndef HATCH_FUZZ_H
#define HATCH_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The input being tried, for the failure message. */
static const uint8_t *fuzz_in;
static size_t fuzz_in_len;

static inline void fuzz_input(const uint8_t *data, size_t size)
{
    fuzz_in = data;
    fuzz_in_len = size;
}

static inline void fuzz_dump(const char *what, const void *p, size_t n)
{
    const unsigned char *b = p;
    fprintf(stderr, "  %s (%zu bytes): \"", what, n);
    for (size_t i = 0; i < n && i < 256; i++) {
        if (b[i] == '\\' || b[i] == '"')
            fprintf(stderr, "\\%c", b[i]);
        else if (b[i] >= 0x20 && b[i] < 0x7f)
            fputc(b[i], stderr);
        else
            fprintf(stderr, "\\x%02x", b[i]);
    }
    fprintf(stderr, "%s\"\n", n > 256 ? "..." : "");
}

#define FUZZ_ASSERT(cond, ...)                                                         \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "\nfuzz: contract broken at %s:%d: %s\n  ", __FILE__,      \
                    __LINE__, #cond);                                                  \
            fprintf(stderr, __VA_ARGS__);                                              \
            fputc('\n', stderr);                                                       \
            if (fuzz_in)                                                               \
                fuzz_dump("input", fuzz_in, fuzz_in_len);                              \
            abort();                                                                   \
        }                                                                              \
    } while (0)

/* Is there a NUL in p[0..n)? */
static inline int fuzz_terminated(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!p[i])
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
