/*
 * Child processes on Linux.  A child is a fresh PAL executable (execve of
 * pal_state.pal_path) loading the given library OS image.  The parent keeps
 * a pidfd (wait_fd: readable once the child exits) and one end of a
 * socketpair (fd: the process handle read and written as a stream); the
 * child finds the other end through MOAT_PARENT_FD in its environment.
 */
#include "pal.h"
#include "common/destroy.h"
#include "linux/host.h"
#include "linux/ksig.h"

#define K_AF_UNIX 1
#define K_SOCK_STREAM 1
#define K_SOCK_CLOEXEC 02000000
#define K_F_SETFD 2
#define K_AT_FDCWD (-100)
#define K_P_PID 1
#define K_P_PIDFD 3
#define K_WNOHANG 1
#define K_WEXITED 4
#define K_WNOWAIT 0x01000000
#define K_CLD_EXITED 1

#define ENV_PARENT_FD "MOAT_PARENT_FD="
#define ENV_PROCESS_ID "MOAT_PROCESS_ID="
#define NUM_MAX 24 /* digits of a number in the environment, with NUL */

/* The child's argv and envp, built before the clone so that the child
 * only fills in numbers and calls execve. */
struct exec_args {
	const char **argv;
	const char **envp;
	char *process_id; /* "MOAT_PROCESS_ID=" + room for the child's pid */
	void *block;
};

static int is_moat_var(const char *s)
{
	return rt_startswith(s, ENV_PARENT_FD) || rt_startswith(s, ENV_PROCESS_ID);
}

static int exec_args_build(struct exec_args *a, const char *image_path, const char *const *args,
			   int child_fd)
{
	size_t nargs = 0, nenv = 0;
	while (args && args[nargs])
		nargs++;
	for (const char *const *e = pal_state.host_envp; e && *e; e++)
		nenv++;
	size_t vec = (nargs + 3 + nenv + 3) * sizeof(char *);
	size_t strings = 2 * (sizeof(ENV_PROCESS_ID) + NUM_MAX);
	char *block = pal_alloc(vec + strings);
	if (!block)
		return -DK_E_NO_MEMORY;
	a->block = block;
	a->argv = (const char **)block;
	a->envp = a->argv + nargs + 3;
	char *parent_fd = block + vec;
	a->process_id = parent_fd + sizeof(ENV_PROCESS_ID) + NUM_MAX;

	/* argv: "moat-pal", the image, then the caller's arguments. */
	size_t n = 0;
	a->argv[n++] = "moat-pal";
	a->argv[n++] = image_path;
	for (size_t i = 0; i < nargs; i++)
		a->argv[n++] = args[i];
	a->argv[n] = NULL;

	/* envp: ours without the two per-process variables, then those. */
	n = 0;
	for (const char *const *e = pal_state.host_envp; e && *e; e++)
		if (!is_moat_var(*e))
			a->envp[n++] = *e;
	rt_snprintf(parent_fd, sizeof(ENV_PROCESS_ID) + NUM_MAX, ENV_PARENT_FD "%d", child_fd);
	a->envp[n++] = parent_fd;
	a->envp[n++] = a->process_id;
	a->envp[n] = NULL;
	return 0;
}

/* In the child after the fork-style clone: runs on a copy of the parent's
 * memory with only this thread, so it touches nothing shared. */
static void __attribute__((noreturn)) child_exec(struct exec_args *a, int child_fd)
{
	/* The process id is the host pid: unique within the sandbox's pid
	 * namespace, where the first process is 1. */
	rt_snprintf(a->process_id, sizeof(ENV_PROCESS_ID) + NUM_MAX, ENV_PROCESS_ID "%ld",
		    HOST(getpid));
	if (!HOST_IS_ERR(HOST(fcntl, child_fd, K_F_SETFD, 0))) /* survive execve */
		HOST(execve, pal_state.pal_path, a->argv, a->envp);
	for (;;)
		HOST(exit_group, 127);
}

int pal_host_process_create(const char *image_path, const char *const *args,
			    struct pal_object *obj)
{
	uint64_t st[32]; /* struct stat is 144 bytes */
	int sv[2];
	struct exec_args a;
	long rc;

	/* A missing image fails here rather than in the child. */
	rc = HOST(newfstatat, K_AT_FDCWD, image_path, st, 0);
	if (HOST_IS_ERR(rc))
		return pal_dk_error(rc);
	rc = HOST(socketpair, K_AF_UNIX, K_SOCK_STREAM | K_SOCK_CLOEXEC, 0, sv);
	if (HOST_IS_ERR(rc))
		return pal_dk_error(rc);
	int err = exec_args_build(&a, image_path, args, sv[1]);
	if (err < 0)
		goto fail;

	/* Fork-style (no CLONE_VM): the child gets a copy of the memory and
	 * returns from the gate on its own copy of this stack. */
	long pid = HOST(clone, K_SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		child_exec(&a, sv[1]);
	pal_free(a.block);
	if (HOST_IS_ERR(pid)) {
		err = pal_dk_error(pid);
		goto fail;
	}
	pal_linux_close(sv[1]);
	sv[1] = -1;

	/* Nobody else reaps our children, so the pid cannot be reused before
	 * the pidfd exists. */
	long pidfd = HOST(pidfd_open, pid, 0); /* close-on-exec by default */
	if (HOST_IS_ERR(pidfd)) {
		struct k_siginfo si;
		HOST(kill, pid, K_SIGKILL);
		HOST(waitid, K_P_PID, pid, &si, K_WEXITED, NULL);
		err = pal_dk_error(pidfd);
		goto fail;
	}
	obj->fd = sv[0];
	obj->wait_fd = (int)pidfd;
	obj->process.pid = (int)pid;
	return 0;
fail:
	pal_linux_close(sv[0]);
	pal_linux_close(sv[1]);
	return err;
}

/*
 * WNOWAIT leaves the child a zombie, so every caller (and the pidfd's
 * readiness) sees the same result; the destructor reaps it.  The first
 * answer is cached.
 */
int pal_host_process_exit_code(struct pal_object *obj, int *code)
{
	if (__atomic_load_n(&obj->process.exited, __ATOMIC_ACQUIRE)) {
		*code = obj->process.exit_code;
		return 0;
	}
	if (obj->process.pid <= 0 || obj->wait_fd < 0)
		return -DK_E_UNSUPPORTED; /* e.g. the parent process's handle */
	struct k_siginfo si = {0};
	long rc = HOST(waitid, K_P_PIDFD, obj->wait_fd, &si, K_WEXITED | K_WNOHANG | K_WNOWAIT,
		       NULL);
	if (HOST_IS_ERR(rc))
		return pal_dk_error(rc);
	if (si.child.pid == 0)
		return -DK_E_STILL_RUNNING;
	/* Exited: its code; killed or dumped: 128 + the signal, as a shell. */
	int c = si.si_code == K_CLD_EXITED ? si.child.status : 128 + si.child.status;
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

/* Reaps the child if it has exited (a child still running when its last
 * handle goes stays a zombie after it exits, until this process ends). */
void pal_process_destroy(struct pal_object *obj)
{
	if (obj->process.pid > 0 && obj->wait_fd >= 0) {
		struct k_siginfo si;
		HOST(waitid, K_P_PIDFD, obj->wait_fd, &si, K_WEXITED | K_WNOHANG, NULL);
	}
	if (obj->wait_fd != obj->fd)
		pal_linux_close(obj->wait_fd);
	pal_linux_close(obj->fd);
	obj->fd = obj->wait_fd = -1;
}
