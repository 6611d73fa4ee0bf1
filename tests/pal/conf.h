/*
 * PAL conformance suite: the shared test framework.
 *
 * The suite is a freestanding "library OS" image that reaches the host only
 * through the Dk ABI table.  Each family file (t_*.c) exports a
 * NULL-terminated table of cases; conformance.c runs them and prints one
 * line per case: "PASS: <name>" or "FAIL: <name>: <reason>".
 *
 * A CHECK that fails records the reason (with file:line) and returns from
 * the case, so anything a thread may touch after that must be static, never
 * on the case's stack.
 */
#ifndef MOAT_TESTS_PAL_CONF_H
#define MOAT_TESTS_PAL_CONF_H

#include <moat/dk.h>
#include <moat/rt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#pragma GCC visibility push(hidden)

extern const struct dk_abi *dk;
extern const struct dk_start_params *g_start;
extern struct dk_upcalls *g_up;
extern char g_scratch[256];     /* "file:/tmp/moat-conf-<hex>", no slash at end */
extern char g_tag[24];          /* random hex, unique to this run */
extern volatile int g_thread_starts; /* LibOsThreadStart upcalls seen */

struct conf_case {
	const char *name;
	void (*fn)(void);
};

extern const struct conf_case conf_cases_memory[];
extern const struct conf_case conf_cases_thread[];
extern const struct conf_case conf_cases_sync[];
extern const struct conf_case conf_cases_process[];
extern const struct conf_case conf_cases_stream[];
extern const struct conf_case conf_cases_net[];
extern const struct conf_case conf_cases_misc[];
extern const struct conf_case conf_cases_exception[];
extern const struct conf_case conf_cases_intercept[];
extern const struct conf_case conf_cases_links[];
extern const struct conf_case conf_cases_fork[];

/* ---- reporting --------------------------------------------------------- */
void conf_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *conf_errname(int rc);
void conf_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define CHECK(cond, ...)                                                     \
	do {                                                                 \
		if (!(cond)) {                                               \
			conf_fail(__FILE__, __LINE__, __VA_ARGS__);          \
			return;                                              \
		}                                                            \
	} while (0)

/* CHECK_RC(expr, want): expr must return exactly want (0 or -DK_E_x). */
#define CHECK_RC(expr, want)                                                 \
	do {                                                                 \
		int rc_ = (expr);                                            \
		int want_ = (want);                                          \
		if (rc_ != want_) {                                          \
			conf_fail(__FILE__, __LINE__, "%s gave %d (%s), want %d (%s)", \
				  #expr, rc_, conf_errname(rc_), want_,      \
				  conf_errname(want_));                      \
			return;                                              \
		}                                                            \
	} while (0)
#define CHECK_OK(expr) CHECK_RC(expr, 0)

/* CHECK_RC2: either of two results is acceptable. */
#define CHECK_RC2(expr, want1, want2)                                        \
	do {                                                                 \
		int rc_ = (expr);                                            \
		int w1_ = (want1), w2_ = (want2);                            \
		if (rc_ != w1_ && rc_ != w2_) {                              \
			conf_fail(__FILE__, __LINE__, "%s gave %d (%s), want %s or %s", \
				  #expr, rc_, conf_errname(rc_),             \
				  conf_errname(w1_), conf_errname(w2_));     \
			return;                                              \
		}                                                            \
	} while (0)

/* ---- helpers ----------------------------------------------------------- */
#define E(x) (-DK_E_##x)
#define FORGED_HANDLE ((DK_HANDLE)0x5eadbeefcafe1234ull)
#define MS 1000ull   /* microseconds per millisecond, for timeouts */

uint64_t conf_now(void);   /* monotonic ns (0 if the clock fails) */
/* Waits on one handle; returns DkObjectsWaitAny's result. */
int conf_wait1(DK_HANDLE h, uint64_t timeout_us);
/* Creates a thread (static param!). */
int conf_thread(dk_thread_fn fn, void *param, DK_HANDLE *h);
/* Builds "file:/tmp/moat-conf-<hex>/<name>" into buf. */
void conf_path(char *buf, size_t size, const char *name);
/* Reads/writes exactly n bytes, looping over short transfers at off+done
 * (positional streams such as file: and dns: use it; others ignore it). */
int conf_write_all(DK_HANDLE h, uint64_t off, const void *buf, size_t n);
int conf_read_full(DK_HANDLE h, uint64_t off, void *buf, size_t n, size_t *got);
/* Makes a connected pair of pipe.server:/pipe.client: streams; the client
 * is opened in a helper thread.  Returns 0 or a negated DK_E_ code. */
int conf_pipe_pair(DK_HANDLE *server, DK_HANDLE *accepted, DK_HANDLE *client);
/* Probes without faulting: 0 if the PAL can write (read) 8 bytes at p, else
 * its error (-DK_E_BAD_POINTER for an inaccessible range).  Uses a file
 * opened at start, so a probe allocates nothing. */
int conf_probe_write(void *p);
int conf_probe_read(const void *p);
/* Removes a file: tree below uri (best effort).  Returns DkStreamDelete's
 * result for uri itself. */
int conf_rmtree(const char *uri, int depth);
/* Splits DkStreamEnumerateChildren output into names (NUL or newline
 * separated, a trailing '/' removed); calls fn for each.  Returns 0, or a
 * negated DK_E_ code from the call. */
int conf_enumerate(DK_HANDLE dir, void (*fn)(const char *name, void *arg), void *arg);

/* ---- exceptions (t_exception.c): armed one-shot expectations ------------ */
struct conf_exc {
	volatile int armed;       /* the next exception is expected */
	volatile uint64_t resume; /* set ctx->rip to this, if non-zero */
	volatile uint64_t set_rax;/* and ctx->rax to this, if resume is set */
	volatile int hits;        /* exceptions seen while armed */
	volatile int unexpected;  /* exceptions seen while not armed */
	volatile int signals;     /* DK_EXC_SIGNAL seen (children ending) */
	volatile uint32_t code;
	volatile uint64_t addr, arg, rip, error;
	volatile uint64_t rsp, rdi, rax, rflags;
	volatile uint32_t host_code;
};
extern struct conf_exc g_exc;
int conf_exception_dispatch(const struct dk_exception_info *info, struct dk_context *ctx);
void conf_exc_arm(uint64_t resume, uint64_t set_rax);

/* Child-process modes (t_process.c); return the exit code. */
int conf_child_main(int argc, const char *const *argv);
int conf_abort_wait_main(void);

#pragma GCC visibility pop

#endif
