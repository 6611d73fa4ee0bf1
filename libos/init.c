/*
 * The library OS image's entry point: LibOsInitialize sets up the process
 * and its first thread, installs the upcalls, turns on the system call
 * trap and runs the program named by the arguments (argv[1..]).
 */
#include "libos.h"

const struct dk_abi *dk;
const struct dk_start_params *dk_start;
struct libos_process libos_proc LIBOS_FORK_HOT;
char libos_cwd[4096];
_Static_assert(__builtin_offsetof(struct libos_process, exe) <= 256,
	       "what fork writes fits the alignment: one page");

int libos_exception_dispatch(const struct dk_exception_info *info, struct dk_context *ctx);

/* ---- fallbacks for families not (yet) in the tree ------------------------------
 * Weak: the family's own definition wins at link time. */
__attribute__((weak)) struct libos_thread *libos_thread_new(void)
{
	struct libos_thread *t = libos_alloc(sizeof(*t));
	if (!t)
		return NULL;
	libos_lock(&libos_proc.lock);
	if (!libos_proc.threads) /* the first thread's id is the pid */
		t->tid = libos_proc.pid;
	t->next = libos_proc.threads;
	libos_proc.threads = t;
	libos_unlock(&libos_proc.lock);
	if (libos_thread_prepare(t) < 0) {
		libos_free(t);
		return NULL;
	}
	return t;
}
__attribute__((weak)) void libos_mm_init(void) {}
__attribute__((weak)) void libos_fs_init(void) {}
__attribute__((weak)) void libos_signal_init(void) {}
__attribute__((weak)) void libos_signal_deliver(struct libos_regs *regs) { (void)regs; }
__attribute__((weak)) bool libos_signal_fault(const struct dk_exception_info *info,
					      struct dk_context *ctx)
{
	(void)info, (void)ctx;
	return false;
}
__attribute__((weak)) void libos_exec(const char *prog, char **argv, char **envp)
{
	(void)argv, (void)envp;
	libos_die("cannot run %s: this library OS has no program loader", prog);
}

/* ---- threads ------------------------------------------------------------------- */
int libos_thread_prepare(struct libos_thread *t)
{
	if (!t->kstack) {
		void *p = libos_map_own(LIBOS_KSTACK_SIZE);
		if (!p)
			return -ENOMEM;
		t->kstack = p;
		t->kstack_top = ((uint64_t)p + LIBOS_KSTACK_SIZE) & ~(uint64_t)15;
	}
	if (!t->wake && dk->DkSynchronizationEventCreate(0, &t->wake) < 0)
		return -ENOMEM;
	return 0;
}

/* Every thread DkThreadCreate makes starts here: it has no libos_thread
 * until fn (thread.c's) installs one. */
static void thread_start(dk_thread_fn fn, void *param)
{
	fn(param);
}

/* ---- the process ---------------------------------------------------------------- */
static void say(const char *text)
{
	dk->DkDebugStringPrint(text);
}

/* The working directory: the launcher starts the picoprocess in the
 * guest's cwd and PWD says which it is, if it names a directory. */
static void init_cwd(const char *const *envp)
{
	rt_strlcpy(libos_cwd, "/", sizeof(libos_cwd));
	for (; envp && *envp; envp++) {
		const char *pwd = *envp;
		if (!rt_startswith(pwd, "PWD="))
			continue;
		pwd += 4;
		if (pwd[0] != '/' || strlen(pwd) >= sizeof(libos_cwd))
			return;
		char uri[sizeof(libos_cwd) + 8];
		struct dk_stream_attr attr;
		rt_snprintf(uri, sizeof(uri), "file:%s", pwd);
		if (dk->DkStreamAttributesQuery(uri, &attr) == 0 && attr.type == DK_STREAM_DIRECTORY)
			rt_strlcpy(libos_cwd, pwd, sizeof(libos_cwd));
		return;
	}
}

__attribute__((visibility("default"))) int
LibOsInitialize(const struct dk_abi *abi, const struct dk_start_params *start,
		struct dk_upcalls *upcalls)
{
	if (abi->abi_version != DK_ABI_VERSION || abi->size < sizeof(struct dk_abi))
		return 125;
	dk = abi;
	dk_start = start;
	if (start->argc < 2 || !start->argv[1]) {
		say("moat: no program to run (usage: moat run [--] PROG ARGS...)\n");
		return 127;
	}
	upcalls->LibOsExceptionDispatch = libos_exception_dispatch;
	upcalls->LibOsThreadStart = thread_start;

	/* The host's ids in the sandbox's pid namespace (process.c). */
	int64_t id = 0;
	libos_proc.pid = dk->DkProcessIdControl(DK_PID_SELF, 0, 0, &id) == 0 ? (int)id
									      : (int)start->process_id;
	libos_proc.ppid = dk->DkProcessIdControl(DK_PID_PARENT, 0, 0, &id) == 0 ? (int)id : 0;
	libos_proc.umask = 022;
	init_cwd(start->envp);

	libos_mm_init();
	/* The vDSO now, before the program's first mappings: the host puts it
	 * under the PAL, nearly always in the 2 MiB the PAL's own page table
	 * page covers (one page table page less for each fork to copy). */
	libos_vdso_base();
	struct libos_thread *t = libos_thread_new();
	if (!t || libos_thread_prepare(t) < 0)
		libos_die("no memory for the first thread");
	if (!t->handle)
		t->handle = start->first_thread;
	libos_set_current(t);

	libos_syscall_init();
	libos_fs_init();
	libos_signal_init();

	int rc = dk->DkSystemCallTrapSet(DK_SYSCALL_TRAP_ON);
	if (rc < 0)
		libos_die("cannot trap the program's system calls (Dk error %d; Linux 5.11 or "
			  "later is needed)", -rc);
	libos_exec(start->argv[1], (char **)(start->argv + 1), (char **)start->envp);
}
