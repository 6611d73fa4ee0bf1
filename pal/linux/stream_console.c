/*
 * "null:", "stdin:", "stdout:", "stderr:".  The console streams use a
 * private close-on-exec duplicate of host fd 0/1/2, so closing a handle
 * never closes the picoprocess's real console.  Offsets are ignored.
 */
#include "pal.h"
#include "host.h"
#include "streams.h"
#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/poll.h>
#include <linux/time_types.h>
#include <linux/stat.h>
#include <asm/stat.h>
#include <asm/ioctls.h>
#include <asm/termios.h>

/* ---- null: --------------------------------------------------------------- */
static int null_open(struct pal_object *obj, const char *rest, uint32_t access,
		     uint32_t create, uint32_t options, uint32_t mode)
{
	(void)access, (void)create, (void)options, (void)mode;
	if (*rest)
		return -DK_E_INVALID;
	obj->fd = obj->wait_fd = -1; /* no descriptor: always ready */
	return 0;
}

static int null_read(struct pal_object *obj, uint64_t offset, void *buf, size_t *count)
{
	(void)obj, (void)offset, (void)buf;
	*count = 0;
	return 0;
}

static int null_write(struct pal_object *obj, uint64_t offset, const void *buf,
		      size_t *count)
{
	(void)obj, (void)offset, (void)buf, (void)count;
	return 0; /* *count stays: everything was consumed */
}

static int console_attr(const char *rest, struct dk_stream_attr *attr)
{
	if (*rest)
		return -DK_E_INVALID;
	attr->type = DK_STREAM_CONSOLE;
	attr->mode = 0666;
	attr->readable = attr->writable = 1;
	return 0;
}

static int null_attr_by_handle(struct pal_object *obj, struct dk_stream_attr *attr)
{
	(void)obj;
	attr->type = DK_STREAM_CONSOLE;
	attr->mode = 0666;
	return 0;
}

static void null_close(struct pal_object *obj)
{
	(void)obj;
}

const struct pal_stream_ops pal_null_ops = {
	.scheme = "null:",
	.type = DK_STREAM_CONSOLE,
	.open = null_open,
	.read = null_read,
	.write = null_write,
	.flush = pal_linux_flush_nothing,
	.attr_by_handle = null_attr_by_handle,
	.attr = console_attr,
	.close = null_close,
};

/* ---- stdin:, stdout:, stderr: ------------------------------------------------ */
static int console_open(struct pal_object *obj, const char *rest, int host_fd)
{
	if (*rest)
		return -DK_E_INVALID;
	long fd = HOST(fcntl, host_fd, F_DUPFD_CLOEXEC, 3);
	if (HOST_IS_ERR(fd))
		return pal_dk_error(fd);
	obj->fd = obj->wait_fd = (int)fd;
	return 0;
}

#define CONSOLE_OPEN(name, host_fd)                                                  \
	static int name(struct pal_object *obj, const char *rest, uint32_t access,  \
			uint32_t create, uint32_t options, uint32_t mode)            \
	{                                                                            \
		(void)access, (void)create, (void)options, (void)mode;               \
		return console_open(obj, rest, host_fd);                             \
	}
CONSOLE_OPEN(stdin_open, 0)
CONSOLE_OPEN(stdout_open, 1)
CONSOLE_OPEN(stderr_open, 2)

/* DK_OPT_NONBLOCK without touching the host file's O_NONBLOCK, which the
 * duplicate shares with fd 0/1/2 (and maybe with the user's terminal). */
static int console_ready(struct pal_object *obj, short events)
{
	if (!(obj->stream.options & DK_OPT_NONBLOCK))
		return 0;
	struct pollfd p = {.fd = obj->fd, .events = events};
	struct __kernel_timespec zero = {0, 0};
	long rc = HOST(ppoll, &p, 1, &zero, NULL, 0);
	if (HOST_IS_ERR(rc))
		return pal_dk_error(rc);
	return rc == 0 ? -DK_E_WOULD_BLOCK : 0;
}

static int console_read(struct pal_object *obj, uint64_t offset, void *buf, size_t *count)
{
	int rc = console_ready(obj, POLLIN);
	return rc < 0 ? rc : pal_linux_sock_read(obj, offset, buf, count);
}

static int console_write(struct pal_object *obj, uint64_t offset, const void *buf,
			 size_t *count)
{
	int rc = console_ready(obj, POLLOUT);
	return rc < 0 ? rc : pal_linux_sock_write(obj, offset, buf, count);
}

static int console_attr_by_handle(struct pal_object *obj, struct dk_stream_attr *attr)
{
	struct stat st;
	long rc = HOST(fstat, obj->fd, &st);
	if (HOST_IS_ERR(rc))
		return pal_dk_error(rc);
	attr->type = DK_STREAM_CONSOLE;
	attr->mode = st.st_mode & 07777;
	attr->size = pal_linux_bytes_ready(obj->fd);
	return 0;
}

/* DkStreamConsoleControl: the console's terminal, through the duplicate
 * of fd 0/1/2 (which shares the terminal).  arg is already PAL memory. */
_Static_assert(sizeof(struct termios) == sizeof(struct dk_termios), "termios layout");
_Static_assert(sizeof(struct winsize) == sizeof(struct dk_winsize), "winsize layout");
static int console_control(struct pal_object *obj, uint32_t op, void *arg)
{
	unsigned int req;
	switch (op) {
	case DK_CONSOLE_GET_MODES: req = TCGETS; break;
	case DK_CONSOLE_SET_MODES: req = TCSETS; break;
	case DK_CONSOLE_SET_MODES_DRAIN: req = TCSETSW; break;
	case DK_CONSOLE_SET_MODES_FLUSH: req = TCSETSF; break;
	case DK_CONSOLE_GET_WINSIZE: req = TIOCGWINSZ; break;
	default: return -DK_E_INVALID;
	}
	long rc = HOST(ioctl, obj->fd, req, arg);
	if (rc == -ENOTTY)
		return -DK_E_UNSUPPORTED; /* not a terminal */
	return HOST_IS_ERR(rc) ? pal_dk_error(rc) : 0;
}

#define CONSOLE_OPS(scheme_, open_)                          \
	{                                                    \
		.scheme = scheme_,                           \
		.type = DK_STREAM_CONSOLE,                   \
		.open = open_,                               \
		.read = console_read,                        \
		.write = console_write,                      \
		.flush = pal_linux_flush_nothing,            \
		.attr_by_handle = console_attr_by_handle,    \
		.attr = console_attr,                        \
		.console_control = console_control,          \
		.close = pal_linux_stream_close,             \
	}
const struct pal_stream_ops pal_stdin_ops = CONSOLE_OPS("stdin:", stdin_open);
const struct pal_stream_ops pal_stdout_ops = CONSOLE_OPS("stdout:", stdout_open);
const struct pal_stream_ops pal_stderr_ops = CONSOLE_OPS("stderr:", stderr_open);
