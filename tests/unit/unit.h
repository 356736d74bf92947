/* A very small unit test harness: TEST() registers a function, CHECK()
 * records a failure with its line and goes on. The runner prints
 * "N passed, N failed". */
#ifndef HATCH_UNIT_H
#define HATCH_UNIT_H

#include <stdio.h>
#include <string.h>

void unit_register(const char *name, void (*fn)(void));
void unit_fail(const char *file, int line, const char *expr);

#define TEST(name)                                                                     \
    static void test_##name(void);                                                    \
    __attribute__((constructor)) static void reg_##name(void)                          \
    {                                                                                  \
        unit_register(#name, test_##name);                                             \
    }                                                                                  \
    static void test_##name(void)

#define CHECK(e)                                                                       \
    do {                                                                               \
        if (!(e))                                                                      \
            unit_fail(__FILE__, __LINE__, #e);                                         \
    } while (0)

/* String equality where NULL is a value of its own. */
void unit_fail_str(const char *file, int line, const char *expr, const char *got,
                   const char *want);
#define CHECK_STR(a, b)                                                                \
    do {                                                                               \
        const char *a_ = (a), *b_ = (b);                                               \
        if (!((a_ == NULL && b_ == NULL) || (a_ && b_ && !strcmp(a_, b_))))            \
            unit_fail_str(__FILE__, __LINE__, #a " == " #b, a_, b_);                   \
    } while (0)

#endif
