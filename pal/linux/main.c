/*
 * Start-up of a picoprocess: the kernel runs the PAL (a static PIE) with
 *   argv = { "moat-pal", IMAGE_PATH, ARGS... }
 * and an environment whose MOAT_* entries are settings for the PAL and the
 * rest the guest's.  The PAL relocates itself, sets up its thread pointer,
 * handles and exception handling, maps and links the library OS image at a
 * random base, and calls its LibOsInitialize with the downcall table.
 */
#include "pal.h"
#include "linux/channel.h"
#include "linux/host.h"
#include "linux/ksig.h"
#include <linux/elf.h>
#include "linux/loader.h"
#include "linux/vdso.h"
#include <linux/auxvec.h>
#include <linux/mman.h>

#define ARCH_SET_GS 0x1001
#define O_RDONLY_CLOEXEC 02000000
#define AT_FDCWD_ -100
#define MAX_ENV 4096
#define MAX_SETTINGS 64

struct pal_state pal_state;
static struct pal_tcb main_tcb PAL_FORK_HOT;
static const char *guest_env[MAX_ENV];
static const char *settings[MAX_SETTINGS];

extern const Elf64_Dyn _DYNAMIC[] __attribute__((visibility("hidden")));
extern const Elf64_Ehdr __ehdr_start __attribute__((visibility("hidden")));

/* Applies our own R_X86_64_RELATIVE relocations.  Runs before anything
 * touches a pointer stored in data, so it uses only PC-relative symbols. */
static void relocate_self(void)
{
	uint64_t base = (uint64_t)&__ehdr_start;
	const Elf64_Rela *rela = NULL;
	uint64_t size = 0;
	for (const Elf64_Dyn *d = _DYNAMIC; d->d_tag != DT_NULL; d++) {
		if (d->d_tag == DT_RELA)
			rela = (const void *)(base + d->d_un.d_ptr);
		else if (d->d_tag == DT_RELASZ)
			size = d->d_un.d_val;
	}
	for (uint64_t i = 0; rela && i < size / sizeof(*rela); i++)
		if (ELF64_R_TYPE(rela[i].r_info) == R_X86_64_RELATIVE)
			*(uint64_t *)(base + rela[i].r_offset) = base + rela[i].r_addend;
}

/* Our writable segment, mapped by the host's exec as a private mapping of
 * the file, becomes anonymous memory, page by page (each copied out and
 * back around the new mapping): it then joins .bss as one host mapping,
 * which a fork copies once (each mapping with private pages costs about
 * 3.5 us between a fork and the child's exit).  Runs before anything else
 * uses that memory. */
static void data_anonymous(void)
{
	const Elf64_Ehdr *eh = &__ehdr_start;
	const Elf64_Phdr *ph = (const void *)((const char *)eh + eh->e_phoff);
	uint64_t base = (uint64_t)eh;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD || !(ph[i].p_flags & PF_W))
			continue;
		uint64_t s = PAL_ALIGN_DOWN(ph[i].p_vaddr, PAL_PAGE) + base;
		uint64_t e = PAL_ALIGN_UP(ph[i].p_vaddr + ph[i].p_filesz, PAL_PAGE) + base;
		for (; s < e; s += PAL_PAGE) {
			uint64_t page[PAL_PAGE / 8];
			memcpy(page, (void *)s, PAL_PAGE);
			long rc = HOST(mmap, s, PAL_PAGE, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			if (HOST_IS_ERR(rc))
				HOST(exit_group, 127); /* the page is gone: nothing to report with */
			memcpy((void *)s, page, PAL_PAGE);
		}
	}
}

static const char *setting(const char *key)
{
	size_t n = strlen(key);
	for (int i = 0; settings[i]; i++)
		if (!strncmp(settings[i], key, n) && settings[i][n] == '=')
			return settings[i] + n + 1;
	return NULL;
}

static void split_environment(const char **envp)
{
	int g = 0, s = 0;
	for (; *envp; envp++) {
		if (rt_startswith(*envp, "MOAT_") && s < MAX_SETTINGS - 1)
			settings[s++] = *envp + 5;
		else if (g < MAX_ENV - 1)
			guest_env[g++] = *envp;
	}
}

/* The launcher may name the image as the user knows it (IMAGE_NAME): inside
 * the sandbox its path is /.moat/libos.so. */
static void fail_image(const char *path, const char *why)
{
	const char *name = setting("IMAGE_NAME");
	pal_printf("moat: %s: %s\n", name ? name : path, why);
	HOST(exit_group, 126);
	__builtin_unreachable();
}

/* What the PAL takes from the auxiliary vector; AT_EXECFN's string (for
 * the end of the host's stack), or NULL. */
static const char *read_auxv(const uint64_t *auxv)
{
	const char *execfn = NULL;
	for (; auxv[0] != AT_NULL; auxv += 2) {
		if (auxv[0] == AT_SYSINFO_EHDR)
			pal_state.vdso = (void *)auxv[1];
		else if (auxv[0] == AT_EXECFN)
			execfn = (const char *)auxv[1];
		else if (auxv[0] == AT_PAGESZ && auxv[1] != PAL_PAGE)
			pal_die("host page size %lu is not supported", (unsigned long)auxv[1]);
	}
	return execfn;
}

static uint64_t setting_u64(const char *key, uint64_t fallback)
{
	uint64_t v;
	const char *s = setting(key);
	return s && rt_parse_u64(s, &v) && !*rt_parse_u64(s, &v) ? v : fallback;
}

static void init_start_params(int argc, const char **argv)
{
	struct dk_start_params *sp = &pal_state.start;
	sp->abi_version = DK_ABI_VERSION;
	sp->size = sizeof(*sp);
	sp->argc = argc;
	sp->argv = argv;
	sp->envp = guest_env;
	sp->settings = settings;
	sp->page_size = PAL_PAGE;
	sp->alloc_granularity = PAL_PAGE;
	sp->cpu_count = (uint32_t)setting_u64("CPUS", 1);
	sp->memory_total = setting_u64("MEMORY", 0);
	sp->process_id = setting_u64("PROCESS_ID", 1); /* children: set by the parent */
	sp->sandbox_id = setting_u64("SANDBOX_ID", 0);
	if (!sp->sandbox_id)
		pal_host_random(&sp->sandbox_id, sizeof(sp->sandbox_id));
}

/* The first thread's object: like a created thread's, but its stack is the
 * process's own, so it has no mapping to release (map_base NULL). */
static int adopt_main_thread(struct pal_object *t)
{
	int fd = pal_linux_eventfd(0, 02000000 /* EFD_CLOEXEC */);
	if (fd < 0)
		return fd;
	t->wait_fd = fd;
	t->thread.tcb = &main_tcb;
	t->thread.tid = (int)HOST(gettid);
	main_tcb.tid = t->thread.tid;
	main_tcb.obj = t;
	pal_object_get(t); /* the tcb's reference, dropped at thread exit */
	return 0;
}

/* The handle of this thread and, in a child, the stream to the parent. */
static void init_handles(void)
{
	struct pal_object *t = pal_object_new(PAL_OBJ_THREAD);
	if (!t || adopt_main_thread(t) < 0 ||
	    pal_handle_new(t, &pal_state.start.first_thread) < 0)
		pal_die("cannot create the first thread's handle");
	uint64_t fd = setting_u64("PARENT_FD", UINT64_MAX);
	if (fd != UINT64_MAX) {
		struct pal_object *p = pal_object_new(PAL_OBJ_PROCESS);
		if (!p)
			pal_die("out of memory");
		p->fd = p->wait_fd = (int)fd;
		p->process.pid = -1; /* the parent: readable, not waitable for exit */
		HOST(fcntl, fd, 2 /* F_SETFD */, 1 /* FD_CLOEXEC */);
		if (pal_handle_new(p, &pal_state.start.parent_process) < 0)
			pal_die("cannot create the parent stream's handle");
	}
}

/* The channel to the monitor (pal/linux/channel.c); -1 when the PAL was
 * started without one. */
static void init_channel(void)
{
	uint64_t fd = setting_u64("CHANNEL_FD", UINT64_MAX);
	pal_channel_fd = fd <= 0x7fffffff ? (int)fd : -1;
	if (pal_channel_fd >= 0 &&
	    HOST_IS_ERR(HOST(fcntl, fd, 2 /* F_SETFD */, 1 /* FD_CLOEXEC */)))
		pal_channel_fd = -1; /* not an open descriptor */
}

static void *load_image(const char *path)
{
	struct dk_image_info info;
	const char *why = "cannot open";
	void *entry = NULL;
	long fd = HOST(openat, AT_FDCWD_, path, O_RDONLY_CLOEXEC, 0);
	if (HOST_IS_ERR(fd))
		fail_image(path, fd == -2 ? "no such file" : "cannot open");
	if (pal_elf_load_image((int)fd, &info, &entry, &why) < 0)
		fail_image(path, why);
	HOST(close, fd);
	pal_state.start.image_base = info.start;
	pal_state.start.image_size = info.end - info.start;
	pal_own_zone_below(info.start);
	return entry;
}

static char image_uri[DK_URI_MAX];

/*
 * The host's stack, as exec leaves it, is given up at start: a fork would
 * copy it (one anonymous mapping and two page table pages more for each
 * fork to copy and each child's exit to free, about 10 us), and nothing
 * needs it once its argument and environment strings are copied.  The
 * block from the stack pointer up to the end of the stack (argc, the
 * vectors, the auxiliary vector, the strings) is copied into memory of our
 * own, its vectors pointed at the copy; the first thread moves to a stack
 * in our .bss (the size of a created thread's); then the host's stack is
 * unmapped.  Linux puts AT_EXECFN's string 8 bytes below the stack's end,
 * and keeps its mappings at least 1 MiB below the stack: the range to
 * unmap is the 1 MiB under the stack pointer up to that end.
 */
static uint64_t first_stack[PAL_THREAD_STACK / 8] __attribute__((aligned(16)));
static uint64_t start_block_small[(16 << 10) / 8];
static uint64_t host_stack_low, host_stack_top;

static uint64_t *start_block_copy(uint64_t *sp)
{
	int argc = (int)sp[0];
	const char **v = (const char **)(sp + 1 + argc + 1);
	while (*v)
		v++;
	const char *execfn = read_auxv((const uint64_t *)(v + 1));
	if (!execfn)
		pal_die("the host gave no AT_EXECFN");
	host_stack_top = PAL_ALIGN_UP((uint64_t)execfn + strlen(execfn) + 1, PAL_PAGE);
	host_stack_low = PAL_ALIGN_DOWN((uint64_t)sp, PAL_PAGE) - (1ull << 20);
	size_t size = host_stack_top - (uint64_t)sp;
	uint64_t *block = start_block_small;
	if (size > sizeof(start_block_small)) {
		long p = HOST(mmap, 0, PAL_ALIGN_UP(size, PAL_PAGE), PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (HOST_IS_ERR(p))
			pal_die("no memory for the arguments and environment");
		block = (uint64_t *)p;
	}
	memcpy(block, sp, size);
	int64_t delta = (int64_t)((uint64_t)block - (uint64_t)sp);
	const char **vec = (const char **)(block + 1); /* argv, its NULL, envp */
	for (int i = 0; i < argc; i++)
		vec[i] += delta;
	for (const char **e = vec + argc + 1; *e; e++)
		*e += delta;
	return block;
}

static void start(void *arg);

__attribute__((noreturn, used)) void pal_linux_main(uint64_t *sp)
{
	relocate_self();
	data_anonymous();
	uint64_t *block = start_block_copy(sp);
	pal_linux_run_on_stack(first_stack + PAL_THREAD_STACK / 8, start, block);
}

static void start(void *arg)
{
	uint64_t *sp = arg;
	HOST(munmap, host_stack_low, host_stack_top - host_stack_low);
	int argc = (int)sp[0];
	const char **argv = (const char **)(sp + 1);
	const char **envp = argv + argc + 1;
	main_tcb.self = &main_tcb;
	HOST(arch_prctl, ARCH_SET_GS, &main_tcb);
	pal_vdso_init(pal_state.vdso);
	if (argc < 2)
		pal_die("usage: moat-pal IMAGE [ARGS...]");
	split_environment(envp);
	pal_state.image_path = argv[1];
	if (pal_host_exceptions_init() < 0 ||
	    pal_host_thread_signals_init(&main_tcb) < 0)
		pal_die("cannot initialise");
	init_start_params(argc - 1, argv + 1);
	init_channel();
	LibOsInitialize_fn *entry = (LibOsInitialize_fn *)load_image(argv[1]);
	init_handles();
	/* The library OS sees its image as a URI. */
	rt_snprintf(image_uri, sizeof(image_uri), "file:%s", argv[1]);
	argv[1] = image_uri;
	int code = entry(&pal_abi, &pal_state.start, &pal_state.upcalls);
	pal_host_process_exit(code);
}
