/*
 * Child processes on Linux.  The PAL cannot start processes itself (its
 * seccomp allowlist has no execve): it asks the monitor over the channel
 * (include/moat/channel.h), which starts a fresh PAL in the same sandbox.
 * The reply carries two descriptors: one end of a stream socket pair (the
 * process handle read and written as a stream; the child's end is its
 * MOAT_PARENT_FD) and a pidfd of the child (wait_fd: readable once the
 * child has exited).  The exit status comes from the monitor, which hears
 * it from the sandbox's init.  Without a channel (the PAL run directly)
 * there are no child processes.
 */
#include "pal.h"
#include "common/destroy.h"
#include "linux/channel.h"
#include "linux/host.h"
#include <linux/errno.h>
#include <linux/poll.h>
#include <linux/time_types.h>

#define K_AT_FDCWD (-100)

/* What the monitor accepts as an image path: absolute, no ".." component. */
static int check_image_path(const char *path)
{
	if (path[0] != '/')
		return -DK_E_INVALID;
	for (const char *p = path; *p;) {
		const char *q = p + 1; /* *p == '/' */
		while (*q && *q != '/')
			q++;
		if (q - p == 3 && p[1] == '.' && p[2] == '.')
			return -DK_E_INVALID;
		p = q;
	}
	return strlen(path) < MOAT_MSG_MAX_PATH ? 0 : -DK_E_NAME_TOO_LONG;
}

int pal_host_process_create(const char *image_path, const char *const *args,
			    struct pal_object *obj)
{
	uint64_t st[32]; /* struct stat is 144 bytes */
	if (pal_state.channel_fd < 0)
		return -DK_E_UNSUPPORTED;
	int rc = check_image_path(image_path);
	if (rc < 0)
		return rc;
	/* A missing image fails here rather than in the child: the child
	 * sees the same files (same sandbox, same mount view). */
	long hrc = HOST(newfstatat, K_AT_FDCWD, image_path, st, 0);
	if (HOST_IS_ERR(hrc))
		return pal_dk_error(hrc);

	/* payload: the image path, then each argument, NUL-terminated */
	size_t len = strlen(image_path) + 1, nargs = 0;
	for (; args && args[nargs]; nargs++)
		len += strlen(args[nargs]) + 1;
	if (nargs > MOAT_MSG_MAX_ARGS || len > MOAT_MSG_MAX - sizeof(struct moat_msg_header))
		return -DK_E_LIMIT;
	char *payload = pal_alloc(len);
	if (!payload)
		return -DK_E_NO_MEMORY;
	size_t at = 0;
	memcpy(payload, image_path, strlen(image_path) + 1);
	at += strlen(image_path) + 1;
	for (size_t i = 0; i < nargs; i++) {
		size_t n = strlen(args[i]) + 1;
		memcpy(payload + at, args[i], n);
		at += n;
	}

	struct moat_msg_header req = {.type = MOAT_MSG_PROCESS_CREATE, .arg = nargs}, reply;
	int fds[2];
	rc = pal_channel_call(&req, payload, len, &reply, NULL, 0, fds, 2);
	pal_free(payload);
	if (rc == 0 && reply.status < 0)
		rc = reply.status;
	else if (rc == 0 && (fds[0] < 0 || fds[1] < 0 || reply.arg == 0 || reply.arg > 0x7fffffff))
		rc = -DK_E_IO;
	if (rc < 0) {
		pal_linux_close(fds[0]);
		pal_linux_close(fds[1]);
		return rc;
	}
	obj->fd = fds[0];
	obj->wait_fd = fds[1];
	obj->process.pid = (int)reply.arg; /* the monitor's process id */
	return 0;
}

/* The first answer is cached: every caller sees the same result, and the
 * monitor may forget the child once it has told us. */
int pal_host_process_exit_code(struct pal_object *obj, int *code)
{
	if (__atomic_load_n(&obj->process.exited, __ATOMIC_ACQUIRE)) {
		*code = obj->process.exit_code;
		return 0;
	}
	if (obj->process.pid <= 0 || obj->wait_fd < 0)
		return -DK_E_UNSUPPORTED; /* e.g. the parent process's handle */
	/* The pidfd is readable once the child has exited. */
	struct pollfd p = {.fd = obj->wait_fd, .events = POLLIN};
	struct __kernel_timespec zero = {0, 0};
	long rc;
	do
		rc = HOST(ppoll, &p, 1, &zero, NULL, 0);
	while (rc == -EINTR);
	if (HOST_IS_ERR(rc))
		return pal_dk_error(rc);
	if (rc == 0 || !(p.revents & POLLIN))
		return -DK_E_STILL_RUNNING;
	struct moat_msg_header req = {.type = MOAT_MSG_EXIT_CODE_QUERY,
				      .arg = (uint64_t)obj->process.pid},
			       reply;
	int err = pal_channel_call(&req, NULL, 0, &reply, NULL, 0, NULL, 0);
	if (err < 0)
		return err;
	if (reply.status < 0)
		return reply.status;
	int c = (int)reply.arg;
	obj->process.exit_code = c;
	__atomic_store_n(&obj->process.exited, 1, __ATOMIC_RELEASE);
	*code = c;
	return 0;
}

void pal_host_process_exit(int code)
{
	for (;;)
		HOST(exit_group, code);
}

void pal_process_destroy(struct pal_object *obj)
{
	if (obj->wait_fd != obj->fd)
		pal_linux_close(obj->wait_fd);
	pal_linux_close(obj->fd);
	obj->fd = obj->wait_fd = -1;
}
