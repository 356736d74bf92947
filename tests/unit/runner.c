#include "unit.h"

#include <stdlib.h>

#define MAX_TESTS 512

static struct {
    const char *name;
    void (*fn)(void);
} tests[MAX_TESTS];
static int n_tests, cur_failed;

void unit_register(const char *name, void (*fn)(void))
{
    if (n_tests < MAX_TESTS) {
        tests[n_tests].name = name;
        tests[n_tests++].fn = fn;
    }
}

void unit_fail(const char *file, int line, const char *expr)
{
    printf("    %s:%d: %s\n", file, line, expr);
    cur_failed = 1;
}

void unit_fail_str(const char *file, int line, const char *expr, const char *got,
                   const char *want)
{
    printf("    %s:%d: %s (got \"%s\", want \"%s\")\n", file, line, expr,
           got ? got : "(null)", want ? want : "(null)");
    cur_failed = 1;
}

int main(int argc, char **argv)
{
    int passed = 0, failed = 0;
    for (int i = 0; i < n_tests; i++) {
        if (argc > 1 && !strstr(tests[i].name, argv[1]))
            continue;
        cur_failed = 0;
        tests[i].fn();
        printf("%s - %s\n", cur_failed ? "not ok" : "ok", tests[i].name);
        if (cur_failed)
            failed++;
        else
            passed++;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
