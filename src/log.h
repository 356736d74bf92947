/* One logging helper: "<prio>hatch: message" to /dev/kmsg. */
#ifndef HATCH_LOG_H
#define HATCH_LOG_H

/* syslog priorities, as /dev/kmsg reads them */
enum { L_ERR = 3, L_WARN = 4, L_NOTICE = 5, L_INFO = 6, L_DEBUG = 7 };

/* Open /dev/kmsg (after /dev is mounted); before that, and if it cannot be
 * opened, messages go to the console on fd 2. */
void log_open(void);
/* rd.debug: also emit L_DEBUG messages (dropped otherwise). */
void log_set_debug(int on);

void hlog(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...) hlog(L_ERR, __VA_ARGS__)
#define log_warn(...) hlog(L_WARN, __VA_ARGS__)
#define log_notice(...) hlog(L_NOTICE, __VA_ARGS__)
#define log_info(...) hlog(L_INFO, __VA_ARGS__)
#define log_debug(...) hlog(L_DEBUG, __VA_ARGS__)

#endif
