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
