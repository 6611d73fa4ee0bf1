/* The child process downcalls (3), host-independent half. */
#include "common/calls.h"
#include "common/sync.h"

#define ARGS_MAX 256          /* arguments per DkProcessCreate */
#define ARGS_BYTES (64u << 10) /* their total size, NULs included */

/* Copies a NULL-terminated array of strings from the caller into one
 * allocation: ARGS_MAX + 1 pointers followed by the packed strings. */
static int args_in(const char *const *args, char ***out)
{
	char **v = pal_alloc((ARGS_MAX + 1) * sizeof(char *) + ARGS_BYTES);
	if (!v)
		return -DK_E_NO_MEMORY;
	char *p = (char *)(v + ARGS_MAX + 1), *end = p + ARGS_BYTES;
	size_t n = 0;
	int rc = 0;
	for (; args; n++) {
		const char *s;
		rc = pal_copy_in(&s, &args[n], sizeof(s));
		if (rc < 0 || !s)
			break;
		if (n == ARGS_MAX || p == end) {
			rc = -DK_E_LIMIT;
			break;
		}
		rc = pal_copy_string_in(p, s, (size_t)(end - p));
		if (rc == -DK_E_NAME_TOO_LONG)
			rc = -DK_E_LIMIT;
		if (rc < 0)
			break;
		v[n] = p;
		p += strlen(p) + 1;
	}
	if (rc < 0) {
		pal_free(v);
		return rc;
	}
	v[n] = NULL;
	*out = v;
	return 0;
}

/*
 * image_uri NULL starts the same library OS image as this process; else it
 * must be "file:PATH".  args (may be NULL) become the child's argv after
 * the image URI.
 */
int pal_DkProcessCreate(const char *image_uri, const char *const *args, DK_HANDLE *process)
{
	char *uri = NULL, **argv = NULL;
	const char *path = pal_state.image_path;
	int rc;
	/* A started child cannot be taken back: check the output first. */
	rc = pal_probe_out(process, sizeof(*process));
	if (rc < 0)
		return rc;
	if (image_uri) {
		uri = pal_alloc(DK_URI_MAX);
		if (!uri)
			return -DK_E_NO_MEMORY;
		rc = pal_copy_string_in(uri, image_uri, DK_URI_MAX);
		if (rc < 0)
			goto out;
		if (!rt_startswith(uri, "file:")) {
			rc = -DK_E_UNSUPPORTED;
			goto out;
		}
		path = uri + 5;
		if (!*path) {
			rc = -DK_E_INVALID;
			goto out;
		}
	}
	rc = args_in(args, &argv);
	if (rc < 0)
		goto out;
	struct pal_object *obj = pal_object_new(PAL_OBJ_PROCESS);
	if (!obj) {
		rc = -DK_E_NO_MEMORY;
		goto out;
	}
	rc = pal_host_process_create(path, (const char *const *)argv, obj);
	if (rc < 0)
		pal_object_put(obj);
	else
		rc = pal_publish_handle(obj, process);
out:
	pal_free(argv);
	pal_free(uri);
	return rc;
}

/* -DK_E_STILL_RUNNING while the child runs; its exit code after, or 128 +
 * the signal number if the host killed it. */
int pal_DkProcessGetExitCode(DK_HANDLE process, int *exit_code)
{
	struct pal_object *obj;
	int code = 0;
	int rc = pal_handle_get(process, PAL_OBJ_PROCESS, &obj);
	if (rc < 0)
		return rc;
	rc = pal_host_process_exit_code(obj, &code);
	pal_object_put(obj);
	return rc < 0 ? rc : PAL_PUT(exit_code, code);
}

void pal_DkProcessExit(int exit_code)
{
	pal_host_process_exit(exit_code);
}

/* ---- the Linux process model (the additions, docs/ABI.md) ---------------- */

int pal_DkProcessFork(int64_t *child, const struct dk_range *left_behind, uint32_t n)
{
	struct dk_range left[DK_FORK_LEFT_MAX];
	if (n > DK_FORK_LEFT_MAX)
		return -DK_E_INVALID;
	/* Checked first: a forked child cannot be taken back. */
	int rc = pal_probe_out(child, sizeof(*child));
	if (rc == 0 && n)
		rc = pal_copy_in(left, left_behind, n * sizeof(left[0]));
	if (rc < 0)
		return rc;
	for (uint32_t i = 0; i < n; i++)
		if (!pal_range_ok(left[i].addr, left[i].size))
			return -DK_E_INVALID;
	int64_t id = 0;
	rc = pal_host_process_fork(&id, left, n);
	return rc < 0 ? rc : PAL_PUT(child, id);
}

#define WAIT_OPTIONS                                                               \
	(DK_WAIT_NOHANG | DK_WAIT_EXITED | DK_WAIT_STOPPED | DK_WAIT_CONTINUED | \
	 DK_WAIT_NOWAIT)

int pal_DkProcessWait(int64_t target, uint32_t options, struct dk_wait_result *result)
{
	struct dk_wait_result r = {0};
	if ((options & ~WAIT_OPTIONS) ||
	    !(options & (DK_WAIT_EXITED | DK_WAIT_STOPPED | DK_WAIT_CONTINUED)))
		return -DK_E_INVALID;
	if (target < -(int64_t)0x7fffffff || target > 0x7fffffff)
		return -DK_E_INVALID;
	/* Reaping cannot be undone either: the result is known writable
	 * (zeros stored) before the wait. */
	int rc = PAL_PUT(result, r);
	if (rc < 0)
		return rc;
	rc = pal_host_process_wait(target, options, &r);
	return rc < 0 ? rc : PAL_PUT(result, r);
}

int pal_DkProcessSignal(int64_t target, uint32_t signal, uint32_t flags, uint64_t value)
{
	if (signal > DK_SIGNAL_MAX ||
	    (flags & ~(DK_SIGNAL_DEFAULT_ACTION | DK_SIGNAL_QUEUE | DK_SIGNAL_HOST_IGNORE)) ||
	    __builtin_popcount(flags) > 1)
		return -DK_E_INVALID;
	if ((flags & DK_SIGNAL_HOST_IGNORE) &&
	    (target != 0 || value > 1 || (signal != 17 && signal != 23 && signal != 28)))
		return -DK_E_INVALID;
	if ((flags & DK_SIGNAL_QUEUE) && (target <= 0 || signal == 0))
		return -DK_E_INVALID;
	if (target < -(int64_t)0x7fffffff || target > 0x7fffffff || target == INT64_MIN)
		return -DK_E_INVALID;
	if ((flags & DK_SIGNAL_DEFAULT_ACTION) && (target != 0 || signal == 0))
		return -DK_E_INVALID;
	return pal_host_process_signal(target, signal, flags, value);
}

int pal_DkProcessIdControl(uint32_t op, int64_t pid, int64_t arg, int64_t *result)
{
	if (op < DK_PID_SELF || op > DK_PID_SESSION_NEW)
		return -DK_E_INVALID;
	if (pid < 0 || pid > 0x7fffffff || arg < 0 || arg > 0x7fffffff)
		return -DK_E_INVALID;
	int rc = pal_probe_out(result, sizeof(*result));
	if (rc < 0)
		return rc;
	int64_t r = 0;
	rc = pal_host_process_id(op, pid, arg, &r);
	return rc < 0 ? rc : PAL_PUT(result, r);
}

int pal_DkFutexControl(uint32_t op, uint32_t *word, uint32_t value, uint64_t timeout_us,
		       uint32_t *woken)
{
	if ((op != DK_FUTEX_WAIT && op != DK_FUTEX_WAKE) || ((uint64_t)word & 3) || !word)
		return -DK_E_INVALID;
	uint32_t n = 0;
	int rc = pal_host_futex(op, word, value, timeout_us, &n);
	if (rc == 0 && woken)
		rc = PAL_PUT(woken, n);
	return rc;
}
