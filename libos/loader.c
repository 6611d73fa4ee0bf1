/*
 * The program loader: what execve does in Linux.
 *
 *   - PROG without a '/' is looked up in PATH (from the program's
 *     environment), in the guest file system;
 *   - "#!" scripts run their interpreter (with at most one argument), up to
 *     four levels deep;
 *   - ELF executables (static, static-pie, dynamic, PIE or not) are mapped
 *     by the PAL (DkStreamMapPeBinary) with their segment protections, and
 *     so is their interpreter (the program's own PT_INTERP, from the guest
 *     file system);
 *   - the initial stack is Linux's: argc, argv, envp, the auxiliary vector,
 *     the strings and AT_RANDOM's bytes at the top, rsp 16-byte aligned at
 *     argc; rdx 0 (no exit handler) and every other register 0.
 *
 * Everything that can fail for a reason the caller should hear about
 * (missing file, not executable, bad format, missing interpreter, too many
 * arguments) is checked before anything is mapped, so execve can still
 * return an error; see libos_execve() in libos.h.
 */
#include "libos.h"
#include <linux/elf.h>
#include <linux/auxvec.h>
#include <linux/mman.h>

uint64_t libos_auxv[LIBOS_AUXV_WORDS] LIBOS_FORK_HOT;
size_t libos_auxv_words LIBOS_FORK_HOT;

#ifndef AT_MINSIGSTKSZ
#define AT_MINSIGSTKSZ 51
#endif

#define PAGE 4096ull
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((uint64_t)(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a) - 1))

#define STACK_SIZE (8ull << 20)        /* like the default RLIMIT_STACK */
#define ARG_MAX_BYTES (STACK_SIZE / 4) /* Linux's limit: a quarter of the stack */
#define MAX_SCRIPT_DEPTH 4             /* Linux: BINPRM_MAX_RECURSION */
#define SCRIPT_LINE 256                /* Linux: BINPRM_BUF_SIZE */
#define HEAD_BYTES 1024                /* read at once: #! line or ELF headers */
#define MAX_PHDRS 64                   /* the PAL's limit too */
#define PATH_MAX_ 4096


/* What /proc/self/exe shows: the binary actually running. */
/* The running program's path: a short one (the usual) on the page an exec
 * writes anyway (LIBOS_FORK_HOT), a long one in exe_path. */
static char exe_short[128] LIBOS_FORK_HOT;
static char exe_path[PATH_MAX_];

/* ---- arguments, copied out of the caller's memory -------------------------- */

/* The argument and environment strings, copied into memory of our own:
 * for execve they live in the address space being replaced. */
struct args {
	char **argv, **envp;
	int argc, envc;
	char *strings;        /* all of them, one after the other, in order */
	size_t bytes;         /* total size of the strings with their NULs */
	void *mem;            /* one block holding both arrays and the strings */
	size_t mem_size;
};

/* Blocks of up to ARGS_SLOT bytes (nearly all) live in one of two static
 * slots (two: a #! script's block is built from the one before it), so
 * that an exec maps and unmaps nothing for them: each is a host call, and
 * an unmap in a process that has run on both CPUs also makes the other
 * flush its TLB.  Only the pages an exec writes are ever backed.  A bigger
 * block is a mapping of our own (libos_map_own). */
#define ARGS_SLOT (32 * 1024)
#define ARGS_SLOTS 2
static char args_slots[ARGS_SLOTS][ARGS_SLOT] __attribute__((aligned(4096)));
static uint8_t args_slots_busy LIBOS_FORK_HOT; /* one bit per slot */

static void *args_mem(size_t size)
{
	for (int i = 0; size <= ARGS_SLOT && i < ARGS_SLOTS; i++)
		if (!(args_slots_busy & (1u << i))) {
			args_slots_busy |= (uint8_t)(1u << i);
			return args_slots[i];
		}
	return libos_map_own(size);
}

static void args_free(struct args *a)
{
	for (int i = 0; a->mem && i < ARGS_SLOTS; i++)
		if (a->mem == args_slots[i]) {
			args_slots_busy &= (uint8_t) ~(1u << i);
			a->mem = NULL;
		}
	if (a->mem)
		libos_unmap_own(a->mem, a->mem_size);
	a->mem = NULL;
}

/* Reads vector entry i and string lengths, either from our own memory or
 * (execve) from the application's, where a bad pointer gives -EFAULT. */
static long vec_get(char **vec, int i, bool user, char **out)
{
	if (!user) {
		*out = vec[i];
		return 0;
	}
	return libos_copy_from_user(out, &vec[i], sizeof(*out));
}

static long str_len(const char *str, bool user, size_t *len)
{
	if (!user) {
		*len = strlen(str);
		return 0;
	}
	long n = libos_strnlen_from_user(str, ARG_MAX_BYTES + 1);
	if (n < 0)
		return n;
	if (n > (long)ARG_MAX_BYTES)
		return -E2BIG;
	*len = (size_t)n;
	return 0;
}

/* Counts a NULL-terminated vector and the bytes of its strings from skip on. */
static long vec_measure(char **vec, int skip, bool user, int *count, size_t *bytes)
{
	int n = 0;
	for (; vec; n++) {
		char *str;
		size_t len;
		long rc = vec_get(vec, n, user, &str);
		if (rc < 0)
			return rc;
		if (!str)
			break;
		if (n < skip)
			continue;
		rc = str_len(str, user, &len);
		if (rc < 0)
			return rc;
		*bytes += len + 1;
		/* Linux's MAX_ARG_STRLEN (32 pages) for one string, too. */
		if (len + 1 > 32 * 4096 || *bytes > ARG_MAX_BYTES ||
		    n > (int)(ARG_MAX_BYTES / sizeof(char *)))
			return -E2BIG;
	}
	*count = n;
	return 0;
}

/* Copies vec[skip..count) into out, the strings at *s. */
static long vec_copy(char **vec, int skip, int count, bool user, char **out, char **s,
		     char *limit)
{
	for (int i = skip; i < count; i++) {
		char *str;
		size_t len = 0;
		long rc = vec_get(vec, i, user, &str);
		if (rc == 0)
			rc = str_len(str, user, &len);
		if (rc == 0 && *s + len + 1 > limit)
			rc = -E2BIG; /* it grew meanwhile */
		if (rc == 0)
			rc = user ? libos_copy_from_user(*s, str, len) : (memcpy(*s, str, len), 0);
		if (rc < 0)
			return rc;
		(*s)[len] = 0;
		*out++ = *s;
		*s += len + 1;
	}
	*out = NULL;
	return 0;
}

/* Up to max entries of the application's vector vec from entry i on, into
 * out, in one copy that stops at the end of vec[i]'s page (what lies past
 * the vector's NULL need not be there).  How many, or -EFAULT. */
static long vec_read(char **vec, int i, char **out, int max)
{
	uint64_t at = (uint64_t)(vec + i);
	int n = (int)((PAGE - (at & (PAGE - 1))) / sizeof(char *));
	n = n < 1 ? 1 : n > max ? max : n;
	long rc = libos_copy_from_user(out, vec + i, (size_t)n * sizeof(char *));
	return rc < 0 ? rc : n;
}

/* The strings of the application's vector vec, each read once, at *s up
 * to limit; their addresses at vecs[*n] on, up to cap of them (room kept
 * for the NULL after).  Their count, -EFAULT, or -ENOSPC. */
static long vec_into_slot(char **vec, char **s, char *limit, char **vecs, long *n, long cap)
{
	char *batch[32];
	long count = 0;
	while (vec) {
		long got = vec_read(vec, (int)count, batch, 32);
		if (got < 0)
			return got;
		for (long j = 0; j < got; j++, count++) {
			if (!batch[j])
				return count;
			if (*n >= cap - 1 || *s >= limit)
				return -ENOSPC;
			long len = libos_copy_str_from_user(*s, batch[j], (size_t)(limit - *s));
			if (len == -ENAMETOOLONG)
				return -ENOSPC;
			if (len < 0)
				return len;
			vecs[(*n)++] = *s;
			*s += len + 1;
		}
	}
	return 0;
}

/* execve's arguments as nearly every call has them: all in one slot, each
 * string and each page of a vector read once (measuring first, as
 * args_build does, reads everything twice).  The vectors first, in room
 * for SLOT_VECS addresses, then the strings.  -ENOSPC if they do not fit:
 * args_build then takes over. */
#define SLOT_VECS 256
static long args_in_slot(struct args *out, char **argv, char **envp)
{
	char *mem = args_mem(ARGS_SLOT);
	if (!mem)
		return -ENOSPC;
	char **vecs = (char **)mem, *s = mem + SLOT_VECS * sizeof(char *);
	char *strings = s, *limit = mem + ARGS_SLOT;
	long n = 0, argc = vec_into_slot(argv, &s, limit, vecs, &n, SLOT_VECS), envc = 0;
	if (argc >= 0) {
		vecs[n++] = NULL;
		envc = vec_into_slot(envp, &s, limit, vecs, &n, SLOT_VECS);
	}
	if (argc < 0 || envc < 0) {
		out->mem = mem;
		args_free(out);
		return argc < 0 ? argc : envc;
	}
	vecs[n] = NULL;
	*out = (struct args){ vecs, vecs + argc + 1, (int)argc, (int)envc, strings,
			      (size_t)(s - strings), mem, ARGS_SLOT };
	return 0;
}

/* prefix (up to 3 strings) + argv[skip..] ; envp.  user: argv and envp
 * are the application's (execve). */
static long args_build(struct args *out, const char *const *prefix, int nprefix, char **argv,
		       int skip, char **envp, bool user)
{
	int argc = 0, envc = 0;
	size_t bytes = 0;
	if (user && !nprefix && !skip) {
		long rc = args_in_slot(out, argv, envp);
		if (rc != -ENOSPC)
			return rc;
	}
	for (int i = 0; i < nprefix; i++)
		bytes += strlen(prefix[i]) + 1;
	long rc = vec_measure(argv, skip, user, &argc, &bytes);
	if (rc == 0)
		rc = vec_measure(envp, 0, user, &envc, &bytes);
	if (rc < 0)
		return rc;
	int total_argc = nprefix + (argc > skip ? argc - skip : 0);
	size_t vec = (size_t)(total_argc + envc + 2) * sizeof(char *);
	if (bytes + vec > ARG_MAX_BYTES)
		return -E2BIG;
	size_t size = ALIGN_UP(vec + bytes, PAGE);
	void *mem = args_mem(size);
	if (!mem)
		return -ENOMEM;
	char **av = mem, **ev = av + total_argc + 1;
	char *s = (char *)(ev + envc + 1), *limit = (char *)mem + vec + bytes;
	for (int i = 0; i < nprefix; i++) {
		size_t l = strlen(prefix[i]) + 1;
		av[i] = memcpy(s, prefix[i], l);
		s += l;
	}
	rc = vec_copy(argv, skip, argc, user, av + nprefix, &s, limit);
	if (rc == 0)
		rc = vec_copy(envp, 0, envc, user, ev, &s, limit);
	char *strings = (char *)(ev + envc + 1);
	*out = (struct args){ av, ev, total_argc, envc, strings, (size_t)(s - strings), mem, size };
	if (rc < 0)
		args_free(out);
	return rc;
}

/* ---- finding the program ------------------------------------------------- */

/* An absolute guest path for p (relative to the current directory). */
static long absolute(const char *p, char *out, size_t size)
{
	size_t n;
	if (p[0] == '/' || libos_cwd[0] != '/')
		n = rt_strlcpy(out, p, size);
	else if (!strcmp(libos_cwd, "/"))
		n = (size_t)rt_snprintf(out, size, "/%s", p);
	else
		n = (size_t)rt_snprintf(out, size, "%s/%s", libos_cwd, p);
	return n < size ? 0 : -ENAMETOOLONG;
}

/* 0 if path is an executable regular file; -ENOENT, -EACCES, ... */
/* "file:" and path, into uri of strlen(path) + 6 bytes: the exec path sizes
 * its buffers to fit, as each page of stack it touches is one more page
 * that a forked child copies. */
static void file_uri(char *uri, const char *path, size_t len)
{
	memcpy(uri, "file:", 5);
	memcpy(uri + 5, path, len + 1);
}

static long check_executable(const char *path)
{
	struct dk_stream_attr attr;
	size_t len = strlen(path);
	if (len >= PATH_MAX_)
		return -ENAMETOOLONG;
	char uri[len + 6];
	file_uri(uri, path, len);
	long rc = libos_errno(dk->DkStreamAttributesQuery(uri, &attr));
	if (rc < 0)
		return rc;
	if (attr.type != DK_STREAM_FILE || !(attr.mode & 0111))
		return -EACCES;
	return 0;
}

static const char *env_get(char **envp, const char *name)
{
	size_t n = strlen(name);
	for (; envp && *envp; envp++)
		if (!strncmp(*envp, name, n) && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

/* PATH search as execvp does it: the first executable match wins; if only
 * non-executable matches exist, -EACCES; otherwise -ENOENT.  *name gets
 * the match as a shell would pass it to execve, *out its absolute form. */
static long path_lookup(const char *prog, char **envp, char *name, char *out, size_t size)
{
	const char *path = env_get(envp, "PATH");
	size_t plen = strlen(prog);
	long err = -ENOENT;
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path;; p++) {
		const char *end = strchr(p, ':');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len + 1 + plen < size) {
			/* An empty entry means the current directory. */
			memcpy(name, p, len);
			if (len)
				name[len++] = '/';
			memcpy(name + len, prog, plen + 1);
			if (absolute(name, out, size) == 0) {
				long rc = check_executable(out);
				if (rc == 0)
					return 0;
				if (rc == -EACCES)
					err = rc;
			}
		}
		if (!end)
			break;
		p = end;
	}
	return err;
}

/* ---- reading headers ------------------------------------------------------- */

struct image { /* the big arrays last (see struct plan) */
	DK_HANDLE h;
	Elf64_Ehdr eh;
	char interp[256];
	Elf64_Phdr ph[MAX_PHDRS];
	char path[PATH_MAX_];
};

static long open_file(const char *path, DK_HANDLE *h)
{
	size_t len = strlen(path);
	if (len >= PATH_MAX_)
		return -ENAMETOOLONG;
	char uri[len + 6];
	file_uri(uri, path, len);
	return libos_errno(dk->DkStreamOpen(uri, DK_ACCESS_READ, DK_CREATE_NEVER, 0, 0, h));
}

static long read_at(DK_HANDLE h, uint64_t off, void *buf, size_t size)
{
	size_t done = 0;
	while (done < size) {
		size_t n = size - done;
		long rc = libos_errno(dk->DkStreamRead(h, off + done, (char *)buf + done, &n));
		if (rc < 0)
			return rc;
		if (!n)
			break;
		done += n;
	}
	return (long)done;
}

/* Checks an ELF image's headers (the PAL checks them again when it maps). */
/* size bytes of im's file at off: from head, its first n bytes, when they
 * are there, else read. */
static long read_part(struct image *im, const char *head, size_t n, uint64_t off, void *buf,
		      size_t size)
{
	if (off > n || size > n - off)
		return read_at(im->h, off, buf, size);
	memcpy(buf, head + off, size);
	return (long)size;
}

/* The ELF headers and interpreter path, which in nearly every file lie in
 * its first HEAD_BYTES (head, n of them, already read). */
static long read_elf(struct image *im, const char *head, size_t head_n, const char **why)
{
	Elf64_Ehdr *eh = &im->eh;
	long n = read_part(im, head, head_n, 0, eh, sizeof(*eh));
	if (n < 0)
		return *why = "cannot read the file", n;
	if ((size_t)n < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return *why = "not an ELF executable", -ENOEXEC;
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != EM_X86_64)
		return *why = "not an x86-64 ELF executable", -ENOEXEC;
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return *why = "not an executable ELF file", -ENOEXEC;
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || !eh->e_phnum || eh->e_phnum > MAX_PHDRS)
		return *why = "bad ELF program headers", -ENOEXEC;
	size_t ph_size = eh->e_phnum * sizeof(Elf64_Phdr);
	n = read_part(im, head, head_n, eh->e_phoff, im->ph, ph_size);
	if (n < 0 || (size_t)n != ph_size)
		return *why = "truncated ELF program headers", -ENOEXEC;
	im->interp[0] = 0;
	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *p = &im->ph[i];
		if (p->p_type != PT_INTERP)
			continue;
		if (p->p_filesz < 2 || p->p_filesz > sizeof(im->interp))
			return *why = "bad ELF interpreter path", -ENOEXEC;
		n = read_part(im, head, head_n, p->p_offset, im->interp, p->p_filesz);
		if (n != (long)p->p_filesz || im->interp[p->p_filesz - 1] != 0)
			return *why = "bad ELF interpreter path", -ENOEXEC;
	}
	return 0;
}

/* ---- messages and failure ------------------------------------------------- */

static const char *errno_text(long err)
{
	switch (-err) {
	case ENOENT: return "No such file or directory";
	case EACCES: return "Permission denied";
	case ENOEXEC: return "Exec format error";
	case ENAMETOOLONG: return "File name too long";
	case ELOOP: return "Too many levels of symbolic links";
	case E2BIG: return "Argument list too long";
	case ENOMEM: return "Cannot allocate memory";
	case ENOTDIR: return "Not a directory";
	case EISDIR: return "Is a directory";
	default: return "cannot execute";
	}
}

static void say(const char *prog, const char *why)
{
	char line[600];
	rt_snprintf(line, sizeof(line), "moat: %s: %s\n", prog, why);
	dk->DkDebugStringPrint(line);
}

__attribute__((noreturn)) static void fatal(const char *prog, const char *why)
{
	say(prog, why);
	dk->DkProcessExit(126);
}

/* ---- the address space ----------------------------------------------------- */

static int elf_prot(uint32_t f)
{
	return (f & PF_R ? PROT_READ : 0) | (f & PF_W ? PROT_WRITE : 0) |
	       (f & PF_X ? PROT_EXEC : 0);
}

/* Records the image's mappings as the PAL made them (see map_segment in
 * pal/linux/loader.c): the file part of each segment, its zero-filled
 * tail, and the reserved gaps between segments. */
static void record_image(const struct image *im, const struct dk_image_info *info)
{
	uint64_t bias = info->base, prev = info->start;
	for (int i = 0; i < im->eh.e_phnum; i++) {
		const Elf64_Phdr *p = &im->ph[i];
		if (p->p_type != PT_LOAD)
			continue;
		int prot = elf_prot(p->p_flags);
		uint64_t start = ALIGN_DOWN(p->p_vaddr, PAGE) + bias;
		uint64_t file_end = ALIGN_UP(p->p_vaddr + p->p_filesz, PAGE) + bias;
		uint64_t mem_end = ALIGN_UP(p->p_vaddr + p->p_memsz, PAGE) + bias;
		uint64_t off = ALIGN_DOWN(p->p_offset, PAGE);
		if (start < prev) { /* shares a page with the previous segment */
			off += prev - start;
			start = prev;
		}
		if (start > prev)
			libos_vma_add(prev, start, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
				      LIBOS_VMA_ANON, NULL, 0);
		if (p->p_filesz && file_end > start) {
			libos_vma_add(start, file_end, prot, MAP_PRIVATE, LIBOS_VMA_FILE,
				      im->path, off);
			start = file_end;
		}
		if (mem_end > start)
			libos_vma_add(start, mem_end, prot, MAP_PRIVATE | MAP_ANONYMOUS,
				      LIBOS_VMA_ANON, NULL, 0);
		if (mem_end > prev)
			prev = mem_end;
	}
	if (info->end > prev)
		libos_vma_add(prev, info->end, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			      LIBOS_VMA_ANON, NULL, 0);
}

/* Out of line: its message buffer stays off the stack of every exec. */
__attribute__((noinline, cold, noreturn)) static void map_failed(const struct image *im,
								  const char *prog, long rc)
{
	char why[PATH_MAX_ + 64];
	rt_snprintf(why, sizeof(why), "cannot map %s: %s", im->path, errno_text(rc));
	fatal(prog, why);
}

/* Into info, on the caller's stack: in a forked child the plan's pages
 * stay the parent's, not copies of their own (see libos_execve). */
static void map_image(const struct image *im, const char *prog, struct dk_image_info *info)
{
	long rc = libos_errno(dk->DkStreamMapPeBinary(im->h, NULL, info));
	if (rc < 0)
		map_failed(im, prog, rc);
	dk->DkObjectClose(im->h);
	record_image(im, info);
}

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

/* Linux's value for AT_MINSIGSTKSZ: the signal frame with the XSAVE area of
 * the enabled features (leaf 0xd: ebx), 944 bytes of rt_sigframe and
 * alignment around it (1776 with AVX); and AT_HWCAP (leaf 1: edx).  Asked of
 * the CPU once per process: under a hypervisor every cpuid exits to it
 * (about 6 us measured here), and execve would pay four of them. */
static void cpu_facts(uint64_t *minsig, uint64_t *hwcap)
{
	static uint64_t min_sigstack, hwcap1;
	if (!min_sigstack) {
		uint32_t r[4];
		cpuid(0, 0, r);
		uint32_t max_leaf = r[0];
		cpuid(1, 0, r);
		hwcap1 = r[3];
		min_sigstack = 512 + 944; /* FXSAVE only */
		if (max_leaf >= 0xd && (r[2] & (1u << 27))) { /* OSXSAVE */
			cpuid(0xd, 0, r);
			min_sigstack = r[1] + 944ull;
		}
	}
	*minsig = min_sigstack;
	*hwcap = hwcap1;
}

/* Maps the stack and writes the initial frame; returns rsp. */
static uint64_t build_stack(const struct args *a, const char *execfn,
			    const struct dk_image_info *prog, const struct dk_image_info *interp)
{
	void *mem = NULL;
	if (dk->DkVirtualMemoryAlloc(&mem, STACK_SIZE + PAGE, DK_MEM_RESERVE, DK_PROT_NONE) < 0)
		fatal(execfn, "cannot allocate the stack");
	uint64_t lo = (uint64_t)mem + PAGE, top = lo + STACK_SIZE;
	void *commit = (void *)lo;
	if (dk->DkVirtualMemoryAlloc(&commit, STACK_SIZE, DK_MEM_COMMIT,
				     DK_PROT_READ | DK_PROT_WRITE) < 0)
		fatal(execfn, "cannot allocate the stack");
	libos_vma_add((uint64_t)mem, lo, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, LIBOS_VMA_ANON,
		      NULL, 0);
	libos_vma_add(lo, top, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN,
		      LIBOS_VMA_STACK, "[stack]", 0);

	/* Strings at the top, in Linux's order: argv, envp, then the file name,
	 * then an 8-byte end marker. */
	char *p = (char *)top - sizeof(uint64_t);
	memset(p, 0, sizeof(uint64_t));
	size_t l = strlen(execfn) + 1;
	p -= l;
	char *execfn_u = memcpy(p, execfn, l);
	p -= a->bytes; /* then argv and envp strings, in order, as they are in a */
	char *strings = a->bytes ? memcpy(p, a->strings, a->bytes) : p;
	static const char platform[] = "x86_64";
	p -= sizeof(platform);
	char *platform_u = memcpy(p, platform, sizeof(platform));
	p = (char *)ALIGN_DOWN((uint64_t)p, 16);
	p -= 16;
	char *random_u = p;
	/* (The program text's identity for the trap reports, patch.c, from
	 * bytes of its own: AT_RANDOM's are glibc's stack canary and pointer
	 * guard, and the reports are shared with other processes.) */
	uint64_t random[3];
	if (dk->DkRandomBitsRead(random, sizeof(random)) < 0)
		fatal(execfn, "no random bytes for AT_RANDOM");
	memcpy(random_u, random, 16);
	libos_patch_new_text(random[2]);

	/* The auxiliary vector, in Linux's order. */
	uint64_t aux[LIBOS_AUXV_WORDS];
	int na = 0;
#define AUX(k, v) (aux[na++] = (k), aux[na++] = (uint64_t)(v))
	uint64_t vdso = libos_vdso_base();
	if (vdso)
		AUX(AT_SYSINFO_EHDR, vdso);
	uint64_t minsig, hwcap;
	cpu_facts(&minsig, &hwcap);
	AUX(AT_MINSIGSTKSZ, minsig);
	AUX(AT_HWCAP, hwcap);
	AUX(AT_PAGESZ, PAGE);
	AUX(AT_CLKTCK, 100);
	AUX(AT_PHDR, prog->phdr);
	AUX(AT_PHENT, prog->phent);
	AUX(AT_PHNUM, prog->phnum);
	AUX(AT_BASE, interp ? interp->base : 0);
	AUX(AT_FLAGS, 0);
	AUX(AT_ENTRY, prog->entry);
	AUX(AT_UID, libos_proc.uid);
	AUX(AT_EUID, libos_proc.uid);
	AUX(AT_GID, libos_proc.gid);
	AUX(AT_EGID, libos_proc.gid);
	AUX(AT_SECURE, 0);
	AUX(AT_RANDOM, random_u);
	AUX(AT_HWCAP2, 0);
	AUX(AT_EXECFN, execfn_u);
	AUX(AT_PLATFORM, platform_u);
	AUX(AT_NULL, 0);
#undef AUX
	memcpy(libos_auxv, aux, (size_t)na * 8);
	libos_auxv_words = (size_t)na;

	size_t words = 1 + (size_t)a->argc + 1 + (size_t)a->envc + 1 + (size_t)na;
	uint64_t *sp = (uint64_t *)ALIGN_DOWN((uint64_t)p - words * 8, 16);
	uint64_t *w = sp;
	*w++ = (uint64_t)a->argc;
	char **uargv = (char **)w;
	for (int i = 0; i < a->argc; i++)
		*w++ = (uint64_t)(strings + (a->argv[i] - a->strings));
	*w++ = 0;
	char **uenvp = (char **)w;
	for (int i = 0; i < a->envc; i++)
		*w++ = (uint64_t)(strings + (a->envp[i] - a->strings));
	*w++ = 0;
	memcpy(w, aux, (size_t)na * 8);

	libos_proc.argv = uargv;
	libos_proc.envp = uenvp;
	libos_process_exec_publish();
	return (uint64_t)sp;
}

/* ---- exec --------------------------------------------------------------------- */

/* Everything exec checks before it changes anything.  On error, *why says
 * what went wrong for the "moat: PROG: ..." message.  About 20 KiB, mostly
 * room for paths and headers that are rarely full: plan_exec clears only
 * what is read before it is written, and the small fields come first, so
 * that an exec touches few of its pages (in a forked child, each page
 * written is one more the host copies). */
struct plan {
	bool has_interp;
	bool not_found;           /* the program itself does not exist (status 127) */
	struct args args;
	char head[HEAD_BYTES];    /* the first bytes of a file: #! line, ELF headers */
	struct image prog, interp;
	char execfn[PATH_MAX_];   /* the program as named (the script, not its interpreter) */
};

/* The plan run_plan ran, in this process (its handles closed, its arguments
 * freed): on the page an exec writes anyway. */
static struct plan *plan_ran LIBOS_FORK_HOT;

static void plan_release(struct plan *pl)
{
	if (pl->prog.h)
		dk->DkObjectClose(pl->prog.h);
	if (pl->has_interp && pl->interp.h) /* interp is untouched without one */
		dk->DkObjectClose(pl->interp.h);
	pl->prog.h = DK_HANDLE_NONE;
	pl->has_interp = false;
	args_free(&pl->args);
}

/* Parses "#!interp [arg]" in line (n bytes); 0, or -ENOEXEC. */
static long parse_shebang(char *line, size_t n, char **interp, char **arg)
{
	/* No newline in the first 256 bytes is fine if the interpreter's
	 * name ends inside them (as Linux 5.0 and later decide). */
	char *end = line;
	while (end < line + n && *end != '\n')
		end++;
	*end = 0;
	char *p = line + 2;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return -ENOEXEC;
	*interp = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (p == end && end == line + n && n == SCRIPT_LINE)
		return -ENOEXEC; /* the interpreter's name may be cut short */
	*arg = NULL;
	if (*p) {
		*p++ = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		char *t = end;
		while (t > p && (t[-1] == ' ' || t[-1] == '\t' || t[-1] == '\r'))
			*--t = 0;
		if (*p)
			*arg = p;
	}
	return 0;
}

static long plan_exec(struct plan *pl, const char *prog, bool search, bool user, char **argv,
		      char **envp, const char **why)
{
	/* path: the file to run, in its absolute form, as pl->prog.path; name:
	 * as execve was given it (argv of scripts, AT_EXECFN), as pl->execfn,
	 * then each interpreter's (shorter than a #! line).  Buffers of the
	 * plan's, not the stack's: see file_uri. */
	char *path = pl->prog.path, *name = pl->execfn, iname[SCRIPT_LINE + 1];
	long rc, head_n = 0;
	if (pl == plan_ran) /* the exec it made has let go of all */
		plan_ran = NULL;
	else if (pl->prog.h || pl->args.mem) /* a vfork parent's last plan, let go of now */
		plan_release(pl);
	pl->has_interp = pl->not_found = false;
	memset(&pl->args, 0, sizeof(pl->args));
	pl->prog.h = DK_HANDLE_NONE;
	*why = NULL;
	if (!*prog) {
		pl->not_found = true;
		return -ENOENT;
	}
	if (!search || strchr(prog, '/')) {
		rc = rt_strlcpy(name, prog, PATH_MAX_) < PATH_MAX_ ? 0 : -ENAMETOOLONG;
		if (rc == 0)
			rc = absolute(prog, path, PATH_MAX_);
		if (rc == 0)
			rc = check_executable(path);
	} else {
		rc = path_lookup(prog, envp, name, path, PATH_MAX_);
		if (rc == -ENOENT)
			*why = "command not found";
	}
	if (rc < 0) {
		pl->not_found = rc == -ENOENT;
		return rc;
	}
	rc = args_build(&pl->args, NULL, 0, argv, 0, envp, user);
	if (rc < 0)
		return rc;

	/* Scripts: each level replaces argv[0] by "interp [arg] name". */
	for (int depth = 0;; depth++) {
		rc = open_file(path, &pl->prog.h);
		if (rc < 0)
			return rc;
		char *line = pl->head;
		head_n = read_at(pl->prog.h, 0, line, HEAD_BYTES);
		if (head_n < 0)
			return head_n;
		if (head_n < 2 || line[0] != '#' || line[1] != '!')
			break;
		long n = head_n < SCRIPT_LINE ? head_n : SCRIPT_LINE;
		dk->DkObjectClose(pl->prog.h);
		pl->prog.h = DK_HANDLE_NONE;
		if (depth == MAX_SCRIPT_DEPTH)
			return *why = "too many levels of #! interpreters", -ELOOP;
		char *interp, *arg;
		line[n] = 0;
		if (parse_shebang(line, (size_t)n, &interp, &arg) < 0)
			return *why = "bad #! line", -ENOEXEC;
		const char *prefix[3];
		int np = 0;
		prefix[np++] = interp;
		if (arg)
			prefix[np++] = arg;
		prefix[np++] = name;
		struct args next;
		rc = args_build(&next, prefix, np, pl->args.argv, 1, pl->args.envp, false);
		if (rc < 0)
			return rc;
		args_free(&pl->args);
		pl->args = next;
		rc = absolute(interp, path, PATH_MAX_);
		if (rc == 0)
			rc = check_executable(path);
		if (rc < 0) {
			static char msg[PATH_MAX_ + 64];
			rt_snprintf(msg, sizeof(msg), "bad interpreter %s: %s", interp,
				    errno_text(rc));
			*why = msg;
			return rc;
		}
		rt_strlcpy(iname, interp, sizeof(iname));
		name = iname;
	}

	rc = read_elf(&pl->prog, pl->head, (size_t)head_n, why);
	if (rc < 0)
		return rc;
	if (pl->prog.interp[0]) {
		pl->has_interp = true;
		pl->interp.h = DK_HANDLE_NONE;
		rc = absolute(pl->prog.interp, pl->interp.path, sizeof(pl->interp.path));
		if (rc == 0)
			rc = open_file(pl->interp.path, &pl->interp.h);
		if (rc == 0)
			rc = head_n = read_at(pl->interp.h, 0, pl->head, HEAD_BYTES);
		if (rc >= 0)
			rc = read_elf(&pl->interp, pl->head, (size_t)head_n, why);
		if (rc == 0 && pl->interp.interp[0])
			*why = "the ELF interpreter has an interpreter itself", rc = -ELIBBAD;
		if (rc < 0) {
			static char msg[PATH_MAX_ + 64];
			rt_snprintf(msg, sizeof(msg), "cannot load the ELF interpreter %s: %s",
				    pl->prog.interp, *why ? *why : errno_text(rc));
			*why = msg;
			return rc == -ENOENT ? rc : -ELIBBAD;
		}
	}
	return 0;
}

/* Maps everything and enters the program.  Past the point of no return.
 * It writes nothing of the plan (in a forked child, each page written is
 * one more the host copies): what it lets go of, the plan's handles and
 * arguments, it marks gone in plan_ran instead. */
__attribute__((noreturn)) static void run_plan(struct plan *pl)
{
	struct dk_image_info prog, interp;
	bool has_interp = pl->has_interp;
	plan_ran = pl;
	map_image(&pl->prog, pl->execfn, &prog);
	if (has_interp)
		map_image(&pl->interp, pl->execfn, &interp);
	libos_brk_start = ALIGN_UP(prog.end, PAGE);
	bool short_path = strlen(pl->prog.path) < sizeof(exe_short);
	libos_proc.exe = short_path ? exe_short : exe_path;
	rt_strlcpy(libos_proc.exe, pl->prog.path, short_path ? sizeof(exe_short) : sizeof(exe_path));

	struct libos_regs regs;
	memset(&regs, 0, sizeof(regs));
	regs.rsp = build_stack(&pl->args, pl->execfn, &prog, has_interp ? &interp : NULL);
	regs.rip = has_interp ? interp.entry : prog.entry;
	regs.rflags = 0x202;
	struct args args = pl->args;
	args_free(&args);
	/* From execve: this system call never returns to its handler. */
	struct libos_thread *t = libos_current();
	if (t)
		t->in_syscall = 0;
	libos_return_to_app(&regs);
}

/* The execve handler's own (process.c) replaces this. */
__attribute__((weak)) long libos_exec_point_of_no_return(void)
{
	return 0;
}

long libos_execve(const char *path, char **argv, char **envp)
{
	/* Big (two sets of headers): one exec at a time.  Page-aligned: an exec
	 * writes its first pages only, and a forked child that runs it none. */
	static struct plan pl __attribute__((aligned(4096)));
	const char *why;
	long rc = plan_exec(&pl, path, false, true, argv, envp, &why);
	if (rc < 0) {
		plan_release(&pl);
		return rc;
	}
	rc = libos_exec_point_of_no_return();
	if (rc > 0) /* a vfork parent resumed: its child execs */
		return rc; /* (the plan's handles and arguments are let go at the
			    * next exec: writing them now would copy the pages
			    * while the child still shares them) */
	if (rc < 0) {
		plan_release(&pl);
		return rc;
	}
	run_plan(&pl);
}

void libos_exec(const char *prog, char **argv, char **envp)
{
	static struct plan pl;
	const char *why;
	libos_patch_start();
	long rc = plan_exec(&pl, prog, true, false, argv, envp, &why);
	if (rc < 0) {
		plan_release(&pl);
		say(prog, why ? why : errno_text(rc));
		dk->DkProcessExit(pl.not_found ? 127 : 126);
	}
	run_plan(&pl);
}
