/*
 * /proc: this process only (other processes of the sandbox are not
 * visible: ENOENT).  Files are snapshots made at open.
 *
 *   /proc/self -> <pid>, /proc/thread-self -> <pid>/task/<tid>
 *   /proc/<pid>/{exe,cwd,root} (links), fd/ (links: the path, "pipe:[n]",
 *     "socket:[n]", "anon_inode:[...]"), maps, status, stat, statm,
 *     cmdline, environ, auxv, comm, mounts, task/<tid>/{stat,status,comm}
 *   /proc/{cpuinfo,meminfo,stat,uptime,loadavg,mounts,filesystems}
 *   /proc/sys/kernel/{pid_max,ngroups_max,cap_last_cap,random/uuid,
 *     random/boot_id}, /proc/sys/vm/overcommit_memory
 * Opening /proc/self/fd/N opens the file anew (a host file by its path,
 * the other end of a pipe if asked), or shares the open file when there is
 * nothing to reopen.
 */
#include "fs.h"

__attribute__((weak, visibility("hidden"))) void libos_thread_name(int tid, char name[16]);

/* ---- text buffers ----------------------------------------------------------------------- */

struct text {
	char *buf;
	size_t len, cap;
	bool oom;
};

static void tx_add(struct text *t, const char *s, size_t n)
{
	if (t->oom)
		return;
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 1024;
		while (cap < t->len + n + 1)
			cap *= 2;
		char *b = libos_realloc(t->buf, cap);
		if (!b) {
			t->oom = true;
			return;
		}
		t->buf = b;
		t->cap = cap;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = 0;
}

__attribute__((format(printf, 2, 3))) static void tx_printf(struct text *t, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = rt_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	tx_add(t, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

/* ---- names of open files ------------------------------------------------------------------- */

const char *fs_anon_name(struct libos_file *f); /* anon.c */

long fs_file_name(struct libos_file *f, char *buf, size_t size)
{
	struct stat st;
	const char *anon;
	if (f->path)
		return rt_snprintf(buf, size, "%s", f->path);
	if (f->ops == &fs_console_ops)
		return rt_snprintf(buf, size, "/dev/console");
	if ((anon = fs_anon_name(f)))
		return rt_snprintf(buf, size, "%s", anon);
	if (fs_stat_file(f, &st) < 0)
		st.st_mode = 0, st.st_ino = 0;
	if (S_ISSOCK(st.st_mode))
		return rt_snprintf(buf, size, "socket:[%lu]", (unsigned long)st.st_ino);
	if (S_ISFIFO(st.st_mode))
		return rt_snprintf(buf, size, "pipe:[%lu]", (unsigned long)st.st_ino);
	return rt_snprintf(buf, size, "anon_inode:[unknown]");
}

long fs_proc_fd_readlink(int fd, char *buf, size_t size)
{
	struct libos_file *f = libos_fd_get(fd);
	if (!f)
		return -ENOENT;
	long n = fs_file_name(f, buf, size);
	libos_file_put(f);
	return n < (long)size ? n : (long)size;
}

long fs_pipe_reopen(struct libos_file *f, int flags, struct libos_file **out); /* pipe.c */

long fs_proc_fd_open(int fd, int flags, struct libos_file **out)
{
	struct libos_file *f = libos_fd_get(fd);
	long rc;
	if (!f)
		return -ENOENT;
	if (flags & O_PATH) {
		*out = f;
		return 0;
	}
	if (f->path && (f->ops == &fs_host_ops || f->ops == &fs_synth_file_ops ||
			f->ops == &fs_synth_dir_ops || rt_startswith(f->path, "/dev/"))) {
		rc = libos_open_path(f->path, flags & ~O_CREAT, 0, out);
	} else if (f->ops == &fs_console_ops) {
		rc = fs_console_open(fs_console_which(f), flags, out);
	} else if (f->ops == &fs_pipe_ops) {
		rc = fs_pipe_reopen(f, flags, out);
	} else {
		/* Nothing to reopen by: the same open file. */
		libos_file_get(f);
		*out = f;
		rc = 0;
	}
	libos_file_put(f);
	return rc;
}

long fs_proc_fd_stat(int fd, struct stat *st, bool follow)
{
	struct libos_file *f = libos_fd_get(fd);
	if (!f)
		return -ENOENT;
	long rc = 0;
	if (follow)
		rc = fs_stat_file(f, st);
	else
		fs_synth_stat(st, S_IFLNK | 0700, 0x66640000u + (unsigned)fd, 64, 0);
	libos_file_put(f);
	return rc;
}

long fs_proc_fd_dir_open(int flags, const char *path, struct libos_file **out)
{
	size_t n = 0, cap = 64;
	struct fs_dirent *ents = libos_alloc(cap * sizeof(*ents));
	char *names = libos_alloc(cap * 12);
	long rc;
	int fd = 0;
	struct libos_file *f;
	if (!ents || !names) {
		rc = -ENOMEM;
		goto out;
	}
	while ((fd = libos_fd_next(fd, &f)) >= 0) {
		libos_file_put(f);
		if (n == cap) {
			cap *= 2;
			struct fs_dirent *e = libos_realloc(ents, cap * sizeof(*ents));
			char *nm = e ? libos_realloc(names, cap * 12) : NULL;
			if (e)
				ents = e;
			if (!nm) {
				rc = -ENOMEM;
				goto out;
			}
			names = nm;
		}
		rt_snprintf(names + n * 12, 12, "%d", fd);
		ents[n].type = DT_LNK;
		ents[n].ino = 0x66640000u + (unsigned)fd;
		n++;
		fd++;
	}
	for (size_t i = 0; i < n; i++)
		ents[i].name = names + i * 12;
	rc = fs_synth_dir_open(ents, n, flags, path, S_IFDIR | 0500, fs_hash(path), out);
out:
	libos_free(ents);
	libos_free(names);
	return rc;
}

/* ---- generated files ------------------------------------------------------------------------ */

static void comm_of(int tid, char name[16])
{
	name[0] = 0;
	if (libos_thread_name)
		libos_thread_name(tid, name);
	if (!name[0]) {
		const char *e = libos_proc.exe ? libos_proc.exe : "";
		const char *b = strrchr(e, '/');
		rt_strlcpy(name, b ? b + 1 : e, 16);
	}
}

static void vm_totals(uint64_t *size_kb, uint64_t *data_kb)
{
	size_t cap = 16384, len;
	char *buf = NULL;
	*size_kb = *data_kb = 0;
	for (;;) {
		buf = libos_alloc(cap);
		if (!buf)
			return;
		len = libos_vma_format(buf, cap);
		if (len < cap)
			break;
		libos_free(buf);
		cap = len + 4096;
	}
	for (char *p = buf; p < buf + len;) {
		uint64_t s = 0, e = 0;
		char *q = p;
		while ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f'))
			s = s * 16 + (uint64_t)(*q <= '9' ? *q - '0' : *q - 'a' + 10), q++;
		if (*q == '-')
			q++;
		while ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f'))
			e = e * 16 + (uint64_t)(*q <= '9' ? *q - '0' : *q - 'a' + 10), q++;
		if (e > s) {
			*size_kb += (e - s) / 1024;
			if (q[2] == 'w')
				*data_kb += (e - s) / 1024;
		}
		char *nl = strchr(q, '\n');
		if (!nl)
			break;
		p = nl + 1;
	}
	libos_free(buf);
}

static int thread_count(void)
{
	int n = 0;
	libos_lock(&libos_proc.lock);
	for (struct libos_thread *t = libos_proc.threads; t; t = t->next)
		n++;
	libos_unlock(&libos_proc.lock);
	return n ? n : 1;
}

static void gen_status(struct text *t, int tid)
{
	char name[16];
	uint64_t vsz, data;
	struct libos_thread *th = libos_current();
	comm_of(tid, name);
	vm_totals(&vsz, &data);
	uint64_t rss = vsz / 4 > 1024 ? vsz / 4 : vsz;
	unsigned um = libos_proc.umask;
	tx_printf(t, "Name:\t%s\nUmask:\t0%c%c%c\nState:\tR (running)\nTgid:\t%d\nNgid:\t0\n"
		     "Pid:\t%d\nPPid:\t%d\nTracerPid:\t0\n",
		  name, '0' + ((um >> 6) & 7), '0' + ((um >> 3) & 7), '0' + (um & 7), libos_proc.pid,
		  tid, libos_proc.ppid);
	tx_printf(t, "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nFDSize:\t%u\nGroups:\t\n",
		  libos_proc.uid, libos_proc.uid, libos_proc.uid, libos_proc.uid, libos_proc.gid,
		  libos_proc.gid, libos_proc.gid, libos_proc.gid, 64u);
	tx_printf(t, "NStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n", libos_proc.pid, tid,
		  libos_proc.pid, libos_proc.pid);
	tx_printf(t, "VmPeak:\t%8lu kB\nVmSize:\t%8lu kB\nVmLck:\t       0 kB\nVmPin:\t       0 kB\n"
		     "VmHWM:\t%8lu kB\nVmRSS:\t%8lu kB\nRssAnon:\t%8lu kB\nRssFile:\t%8lu kB\n"
		     "RssShmem:\t       0 kB\nVmData:\t%8lu kB\nVmStk:\t     132 kB\n"
		     "VmExe:\t       0 kB\nVmLib:\t       0 kB\nVmPTE:\t       0 kB\nVmSwap:\t       0 kB\n",
		  (unsigned long)vsz, (unsigned long)vsz, (unsigned long)rss, (unsigned long)rss,
		  (unsigned long)(rss / 2), (unsigned long)(rss - rss / 2), (unsigned long)data);
	tx_printf(t, "Threads:\t%d\nSigQ:\t0/63432\nSigPnd:\t%016lx\nShdPnd:\t0000000000000000\n"
		     "SigBlk:\t%016lx\nSigIgn:\t0000000000000000\nSigCgt:\t0000000000000000\n",
		  thread_count(), (unsigned long)(th ? th->sigpending : 0),
		  (unsigned long)(th ? th->sigmask : 0));
	tx_printf(t, "CapInh:\t0000000000000000\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\n"
		     "CapBnd:\t0000000000000000\nCapAmb:\t0000000000000000\nNoNewPrivs:\t1\n"
		     "Seccomp:\t2\nSeccomp_filters:\t1\n");
	tx_printf(t, "Cpus_allowed_list:\t0-%u\nMems_allowed_list:\t0\n"
		     "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n",
		  dk_start->cpu_count ? dk_start->cpu_count - 1 : 0);
}

static uint64_t ticks(uint64_t ns) { return ns / 10000000u; } /* USER_HZ 100 */

static void gen_stat(struct text *t, int tid)
{
	char name[16];
	uint64_t vsz, data;
	comm_of(tid, name);
	vm_totals(&vsz, &data);
	tx_printf(t, "%d (%s) R %d %d %d 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 %d 0 %lu %lu %lu "
		     "18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
		  tid, name, libos_proc.ppid, libos_proc.pid, libos_proc.pid, thread_count(),
		  (unsigned long)ticks(libos_start_ns), (unsigned long)(vsz * 1024),
		  (unsigned long)(vsz / 16));
}

static void gen_strings(struct text *t, char **v)
{
	char s[FS_PATH_MAX];
	for (size_t i = 0; v; i++) {
		char *p;
		if (libos_copy_from_user(&p, &v[i], sizeof(p)) < 0 || !p)
			break;
		long n = libos_copy_str_from_user(s, p, sizeof(s));
		if (n < 0)
			break;
		tx_add(t, s, (size_t)n + 1);
	}
}

static void gen_mounts(struct text *t)
{
	tx_printf(t, "moat / tmpfs ro,nosuid,nodev 0 0\n"
		     "proc /proc proc rw,nosuid,nodev,noexec 0 0\n"
		     "devtmpfs /dev devtmpfs rw,nosuid 0 0\n"
		     "tmpfs /dev/shm tmpfs rw,nosuid,nodev 0 0\n"
		     "sysfs /sys sysfs ro,nosuid,nodev,noexec 0 0\n"
		     "tmpfs /tmp tmpfs rw,nosuid,nodev 0 0\n");
}

static void gen_mountinfo(struct text *t)
{
	tx_printf(t, "20 1 0:20 / / ro,nosuid,nodev - tmpfs moat ro\n"
		     "21 20 0:21 / /proc rw,nosuid,nodev,noexec - proc proc rw\n"
		     "22 20 0:22 / /dev rw,nosuid - devtmpfs devtmpfs rw\n"
		     "23 22 0:23 / /dev/shm rw,nosuid,nodev - tmpfs tmpfs rw\n"
		     "24 20 0:24 / /sys ro,nosuid,nodev,noexec - sysfs sysfs ro\n"
		     "25 20 0:25 / /tmp rw,nosuid,nodev - tmpfs tmpfs rw\n");
}

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static void gen_cpuinfo(struct text *t)
{
	uint32_t r[4], max;
	char vendor[13], brand[49];
	cpuid(0, 0, r);
	max = r[0];
	memcpy(vendor, &r[1], 4);
	memcpy(vendor + 4, &r[3], 4);
	memcpy(vendor + 8, &r[2], 4);
	vendor[12] = 0;
	memset(brand, 0, sizeof(brand));
	cpuid(0x80000000u, 0, r);
	if (r[0] >= 0x80000004u)
		for (uint32_t i = 0; i < 3; i++) {
			cpuid(0x80000002u + i, 0, r);
			memcpy(brand + 16 * i, r, 16);
		}
	uint32_t l1[4] = { 0 }, l7[4] = { 0 }, e1[4] = { 0 };
	cpuid(1, 0, l1);
	if (max >= 7)
		cpuid(7, 0, l7);
	cpuid(0x80000001u, 0, e1);
	static const struct { uint8_t reg, bit, leaf; const char *name; } flags[] = {
		{ 3, 0, 1, "fpu" }, { 3, 1, 1, "vme" }, { 3, 2, 1, "de" }, { 3, 3, 1, "pse" },
		{ 3, 4, 1, "tsc" }, { 3, 5, 1, "msr" }, { 3, 6, 1, "pae" }, { 3, 7, 1, "mce" },
		{ 3, 8, 1, "cx8" }, { 3, 9, 1, "apic" }, { 3, 11, 1, "sep" }, { 3, 12, 1, "mtrr" },
		{ 3, 13, 1, "pge" }, { 3, 14, 1, "mca" }, { 3, 15, 1, "cmov" }, { 3, 16, 1, "pat" },
		{ 3, 17, 1, "pse36" }, { 3, 19, 1, "clflush" }, { 3, 23, 1, "mmx" },
		{ 3, 24, 1, "fxsr" }, { 3, 25, 1, "sse" }, { 3, 26, 1, "sse2" }, { 3, 28, 1, "ht" },
		{ 3, 11, 8, "syscall" }, { 3, 20, 8, "nx" }, { 3, 27, 8, "rdtscp" }, { 3, 29, 8, "lm" },
		{ 2, 0, 1, "pni" }, { 2, 1, 1, "pclmulqdq" }, { 2, 9, 1, "ssse3" }, { 2, 12, 1, "fma" },
		{ 2, 13, 1, "cx16" }, { 2, 19, 1, "sse4_1" }, { 2, 20, 1, "sse4_2" },
		{ 2, 22, 1, "movbe" }, { 2, 23, 1, "popcnt" }, { 2, 25, 1, "aes" },
		{ 2, 26, 1, "xsave" }, { 2, 28, 1, "avx" }, { 2, 29, 1, "f16c" }, { 2, 30, 1, "rdrand" },
		{ 2, 0, 8, "lahf_lm" }, { 2, 5, 8, "abm" }, { 2, 8, 8, "3dnowprefetch" },
		{ 1, 0, 7, "fsgsbase" }, { 1, 3, 7, "bmi1" }, { 1, 5, 7, "avx2" }, { 1, 7, 7, "smep" },
		{ 1, 8, 7, "bmi2" }, { 1, 9, 7, "erms" }, { 1, 16, 7, "avx512f" },
		{ 1, 17, 7, "avx512dq" }, { 1, 18, 7, "rdseed" }, { 1, 19, 7, "adx" },
		{ 1, 20, 7, "smap" }, { 1, 23, 7, "clflushopt" }, { 1, 24, 7, "clwb" },
		{ 1, 28, 7, "avx512cd" }, { 1, 29, 7, "sha_ni" }, { 1, 30, 7, "avx512bw" },
		{ 1, 31, 7, "avx512vl" },
	};
	struct text fl = { 0 };
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		const uint32_t *src = flags[i].leaf == 1 ? l1 : flags[i].leaf == 7 ? l7 : e1;
		if (src[flags[i].reg] & (1u << flags[i].bit)) {
			if (fl.len)
				tx_add(&fl, " ", 1);
			tx_add(&fl, flags[i].name, strlen(flags[i].name));
		}
	}
	unsigned family = (l1[0] >> 8) & 0xf, model = (l1[0] >> 4) & 0xf;
	if (family == 0xf)
		family += (l1[0] >> 20) & 0xff;
	if (family == 6 || family >= 0xf)
		model += ((l1[0] >> 16) & 0xf) << 4;
	unsigned n = dk_start->cpu_count ? dk_start->cpu_count : 1;
	const char *b = brand;
	while (*b == ' ')
		b++;
	for (unsigned c = 0; c < n; c++)
		tx_printf(t, "processor\t: %u\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\n"
			     "model name\t: %s\nstepping\t: %u\ncpu MHz\t\t: 2000.000\n"
			     "cache size\t: 8192 KB\nphysical id\t: 0\nsiblings\t: %u\ncore id\t\t: %u\n"
			     "cpu cores\t: %u\napicid\t\t: %u\nfpu\t\t: yes\nfpu_exception\t: yes\n"
			     "cpuid level\t: %u\nwp\t\t: yes\nflags\t\t: %s\nbogomips\t: 4000.00\n"
			     "clflush size\t: 64\ncache_alignment\t: 64\n"
			     "address sizes\t: 46 bits physical, 48 bits virtual\npower management:\n\n",
			  c, vendor, family, model, b, l1[0] & 0xf, n, c, n, c, max,
			  fl.buf ? fl.buf : "");
	libos_free(fl.buf);
}

static void gen_meminfo(struct text *t)
{
	uint64_t total = dk_start->memory_total ? dk_start->memory_total : (4ull << 30);
	uint64_t kb = total / 1024;
	tx_printf(t, "MemTotal:       %8lu kB\nMemFree:        %8lu kB\nMemAvailable:   %8lu kB\n"
		     "Buffers:               0 kB\nCached:                0 kB\nSwapCached:            0 kB\n"
		     "Active:                0 kB\nInactive:              0 kB\n"
		     "SwapTotal:             0 kB\nSwapFree:              0 kB\n"
		     "Shmem:                 0 kB\nCommitLimit:    %8lu kB\n"
		     "HugePages_Total:       0\nHugePages_Free:        0\nHugepagesize:       2048 kB\n",
		  (unsigned long)kb, (unsigned long)(kb / 2), (unsigned long)(kb * 3 / 4),
		  (unsigned long)kb);
}

static void gen_procstat(struct text *t)
{
	uint64_t mono = fs_now_ns(DK_CLOCK_MONOTONIC), real = fs_now_ns(DK_CLOCK_REALTIME);
	unsigned n = dk_start->cpu_count ? dk_start->cpu_count : 1;
	unsigned long idle = (unsigned long)ticks(mono);
	tx_printf(t, "cpu  0 0 0 %lu 0 0 0 0 0 0\n", idle * n);
	for (unsigned c = 0; c < n; c++)
		tx_printf(t, "cpu%u 0 0 0 %lu 0 0 0 0 0 0\n", c, idle);
	tx_printf(t, "intr 0\nctxt 0\nbtime %lu\nprocesses %d\nprocs_running 1\nprocs_blocked 0\n"
		     "softirq 0 0 0 0 0 0 0 0 0 0 0\n",
		  (unsigned long)((real - mono) / 1000000000u), libos_proc.pid);
}

static void gen_uptime(struct text *t)
{
	uint64_t mono = fs_now_ns(DK_CLOCK_MONOTONIC);
	unsigned n = dk_start->cpu_count ? dk_start->cpu_count : 1;
	uint64_t cs = mono / 10000000u;
	tx_printf(t, "%lu.%02lu %lu.%02lu\n", (unsigned long)(cs / 100), (unsigned long)(cs % 100),
		  (unsigned long)(cs * n / 100), (unsigned long)(cs * n % 100));
}

static void gen_uuid(struct text *t, const uint8_t *src)
{
	uint8_t u[16];
	memcpy(u, src, 16);
	u[6] = (u[6] & 0x0f) | 0x40;
	u[8] = (u[8] & 0x3f) | 0x80;
	tx_printf(t, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x\n", u[0],
		  u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
		  u[14], u[15]);
}

/* ---- the name space -------------------------------------------------------------------------- */

enum node {
	N_ROOT, N_SELF, N_THREAD_SELF, N_PID, N_EXE, N_CWD, N_ROOTLINK, N_FDDIR, N_FD, N_MAPS,
	N_STATUS, N_STAT, N_STATM, N_CMDLINE, N_ENVIRON, N_COMM, N_PMOUNTS, N_TASKDIR, N_TASK,
	N_MOUNTINFO, N_AUXV,
	N_CPUINFO, N_MEMINFO, N_PSTAT, N_UPTIME, N_LOADAVG, N_MOUNTS, N_FILESYSTEMS,
	N_SYSDIR, N_SYSFILE,
};

struct pnode {
	enum node kind;
	int tid;   /* N_PID...: the thread (pid for the process) */
	bool other; /* another process of the sandbox: its record only */
	int fd;
	const char *sys; /* N_SYSFILE / N_SYSDIR: the path below sys/ */
};

static const char *const pid_files[] = { "exe", "cwd", "root", "fd", "maps", "status", "stat",
					 "statm", "cmdline", "environ", "comm", "mounts", "task",
					 "mountinfo", "auxv" };
static const enum node pid_kinds[] = { N_EXE, N_CWD, N_ROOTLINK, N_FDDIR, N_MAPS, N_STATUS,
				       N_STAT, N_STATM, N_CMDLINE, N_ENVIRON, N_COMM, N_PMOUNTS,
				       N_TASKDIR, N_MOUNTINFO, N_AUXV };
static const char *const top_files[] = { "cpuinfo", "meminfo", "stat", "uptime", "loadavg",
					 "mounts", "filesystems", "sys" };
static const enum node top_kinds[] = { N_CPUINFO, N_MEMINFO, N_PSTAT, N_UPTIME, N_LOADAVG,
				       N_MOUNTS, N_FILESYSTEMS, N_SYSDIR };
static const char *const sys_files[] = {
	"kernel", "kernel/pid_max", "kernel/ngroups_max", "kernel/cap_last_cap", "kernel/random",
	"kernel/random/uuid", "kernel/random/boot_id", "kernel/ostype", "vm",
	"vm/overcommit_memory",
};

/* The next component of *s (advancing it); its length. */
static size_t comp(const char **s, char *out, size_t size)
{
	const char *p = *s;
	size_t n = 0;
	while (p[n] && p[n] != '/')
		n++;
	if (n >= size)
		n = size - 1;
	memcpy(out, p, n);
	out[n] = 0;
	*s = p[n] == '/' ? p + n + 1 : p + n;
	return n;
}

static bool number(const char *s, int *v)
{
	uint64_t x;
	const char *e = rt_parse_u64(s, &x);
	if (!e || *e || x > 0x7fffffff || (s[0] == '0' && s[1]))
		return false;
	*v = (int)x;
	return true;
}

static bool is_tid(int tid)
{
	return tid == libos_proc.pid || libos_thread_find(tid) != NULL;
}

static long lookup(const char *rel, struct pnode *n)
{
	char c[256];
	memset(n, 0, sizeof(*n));
	if (!*rel) {
		n->kind = N_ROOT;
		return 0;
	}
	comp(&rel, c, sizeof(c));
	int pid;
	if (!strcmp(c, "self") || !strcmp(c, "thread-self")) {
		bool ts = c[0] == 't';
		if (!*rel) {
			n->kind = ts ? N_THREAD_SELF : N_SELF;
			return 0;
		}
		n->tid = ts ? libos_current()->tid : libos_proc.pid;
	} else if (number(c, &pid)) {
		int pp;
		char none[1];
		size_t nl = 0;
		if (!is_tid(pid) && libos_process_record(pid, &pp, none, &nl) < 0)
			return -ENOENT;
		n->tid = pid;
		n->other = !is_tid(pid);
	} else {
		for (size_t i = 0; i < sizeof(top_files) / sizeof(top_files[0]); i++)
			if (!strcmp(c, top_files[i])) {
				n->kind = top_kinds[i];
				if (n->kind == N_SYSDIR) {
					if (!*rel)
						return 0;
					for (size_t k = 0; k < sizeof(sys_files) / sizeof(sys_files[0]); k++)
						if (!strcmp(rel, sys_files[k])) {
							n->sys = sys_files[k];
							bool d = !strchr(sys_files[k], '/') ||
								 !strcmp(sys_files[k], "kernel/random");
							n->kind = d ? N_SYSDIR : N_SYSFILE;
							return 0;
						}
					return -ENOENT;
				}
				return *rel ? -ENOTDIR : 0;
			}
		return -ENOENT;
	}
	for (;;) {
		n->kind = N_PID;
		if (!*rel)
			return 0;
		comp(&rel, c, sizeof(c));
		size_t i;
		for (i = 0; i < sizeof(pid_files) / sizeof(pid_files[0]); i++)
			if (!strcmp(c, pid_files[i]))
				break;
		if (i == sizeof(pid_files) / sizeof(pid_files[0]))
			return -ENOENT;
		n->kind = pid_kinds[i];
		/* Another process: what its record tells (process.c). */
		if (n->other && n->kind != N_STAT && n->kind != N_STATUS && n->kind != N_CMDLINE &&
		    n->kind != N_COMM)
			return -EACCES;
		if (n->kind == N_FDDIR) {
			if (!*rel)
				return 0;
			comp(&rel, c, sizeof(c));
			if (!number(c, &n->fd) || *rel)
				return -ENOENT;
			struct libos_file *f = libos_fd_get(n->fd);
			if (!f)
				return -ENOENT;
			libos_file_put(f);
			n->kind = N_FD;
			return 0;
		}
		if (n->kind == N_TASKDIR) {
			if (!*rel)
				return 0;
			comp(&rel, c, sizeof(c));
			int tid;
			if (!number(c, &tid) || !is_tid(tid))
				return -ENOENT;
			n->tid = tid;
			continue; /* task/<tid>/... has the same files */
		}
		return *rel ? -ENOTDIR : 0;
	}
}

static bool is_link(enum node k)
{
	return k == N_SELF || k == N_THREAD_SELF || k == N_EXE || k == N_CWD || k == N_ROOTLINK ||
	       k == N_FD;
}

static bool is_dir(const struct pnode *n)
{
	return n->kind == N_ROOT || n->kind == N_PID || n->kind == N_FDDIR || n->kind == N_TASKDIR ||
	       n->kind == N_SYSDIR;
}

static long link_target(const struct pnode *n, char *buf, size_t size)
{
	long len;
	switch (n->kind) {
	case N_SELF:
		len = rt_snprintf(buf, size, "%d", libos_proc.pid);
		break;
	case N_THREAD_SELF:
		len = rt_snprintf(buf, size, "%d/task/%d", libos_proc.pid, libos_current()->tid);
		break;
	case N_EXE:
		len = rt_snprintf(buf, size, "%s", libos_proc.exe ? libos_proc.exe : "");
		break;
	case N_CWD: {
		char cwd[FS_PATH_MAX];
		/* getcwd's copy (vfs.c keeps the lock); a torn read is harmless here */
		rt_strlcpy(cwd, libos_cwd[0] ? libos_cwd : "/", sizeof(cwd));
		len = rt_snprintf(buf, size, "%s", cwd);
		break;
	}
	case N_ROOTLINK:
		len = rt_snprintf(buf, size, "/");
		break;
	case N_FD:
		return fs_proc_fd_readlink(n->fd, buf, size);
	default:
		return -EINVAL;
	}
	return len < (long)size ? len : (long)size - 1;
}

static unsigned node_mode(const struct pnode *n)
{
	if (is_link(n->kind))
		return S_IFLNK | 0777;
	if (is_dir(n))
		return n->kind == N_FDDIR ? S_IFDIR | 0500 : S_IFDIR | 0555;
	if (n->kind == N_ENVIRON || n->kind == N_AUXV)
		return S_IFREG | 0400;
	if (n->kind == N_SYSFILE)
		return S_IFREG | 0644;
	return S_IFREG | 0444;
}

static uint64_t node_ino(const struct pnode *n)
{
	return ((uint64_t)n->kind << 32) ^ ((uint64_t)n->tid << 8) ^ (uint64_t)n->fd ^ 0x70726f63;
}

/* /proc/PID/{stat,status,cmdline,comm} of another process of the sandbox,
 * from the record it published (process.c). */
static long gen_other(const struct pnode *n, struct text *t)
{
	char argv[2048], name[16];
	size_t len = sizeof(argv);
	int ppid = 0;
	if (libos_process_record(n->tid, &ppid, argv, &len) < 0)
		return -ESRCH;
	const char *b = len ? strrchr(argv, '/') : NULL;
	rt_strlcpy(name, len ? (b ? b + 1 : argv) : "", sizeof(name));
	int64_t pg = 0, sid = 0;
	dk->DkProcessIdControl(DK_PID_GROUP_GET, n->tid, 0, &pg);
	dk->DkProcessIdControl(DK_PID_SESSION_GET, n->tid, 0, &sid);
	switch (n->kind) {
	case N_CMDLINE: tx_add(t, argv, len); break;
	case N_COMM: tx_printf(t, "%s\n", name); break;
	case N_STAT:
		tx_printf(t, "%d (%s) S %d %ld %ld 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 0 0 0 "
			     "18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 "
			     "0 0\n",
			  n->tid, name, ppid, (long)pg, (long)sid);
		break;
	case N_STATUS:
		tx_printf(t, "Name:\t%s\nState:\tS (sleeping)\nTgid:\t%d\nPid:\t%d\nPPid:\t%d\n"
			     "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nThreads:\t1\n",
			  name, n->tid, n->tid, ppid, libos_proc.uid, libos_proc.uid, libos_proc.uid,
			  libos_proc.uid, libos_proc.gid, libos_proc.gid, libos_proc.gid,
			  libos_proc.gid);
		break;
	default:
		return -EACCES;
	}
	return t->oom ? -ENOMEM : 0;
}

static long gen(const struct pnode *n, struct text *t)
{
	if (n->other)
		return gen_other(n, t);
	switch (n->kind) {
	case N_MAPS: {
		size_t cap = 16384;
		for (;;) {
			char *b = libos_alloc(cap);
			if (!b)
				return -ENOMEM;
			size_t len = libos_vma_format(b, cap);
			if (len < cap) {
				t->buf = b;
				t->len = len;
				t->cap = cap;
				return 0;
			}
			libos_free(b);
			cap = len + 4096;
		}
	}
	case N_STATUS: gen_status(t, n->tid); break;
	case N_STAT: gen_stat(t, n->tid); break;
	case N_STATM: {
		uint64_t vsz, data;
		vm_totals(&vsz, &data);
		tx_printf(t, "%lu %lu 0 0 0 %lu 0\n", (unsigned long)(vsz / 4),
			  (unsigned long)(vsz / 16), (unsigned long)(data / 4));
		break;
	}
	case N_CMDLINE: gen_strings(t, libos_proc.argv); break;
	case N_ENVIRON: gen_strings(t, libos_proc.envp); break;
	case N_AUXV: tx_add(t, (const char *)libos_auxv, libos_auxv_words * 8); break;
	case N_COMM: {
		char name[16];
		comm_of(n->tid, name);
		tx_printf(t, "%s\n", name);
		break;
	}
	case N_PMOUNTS:
	case N_MOUNTS: gen_mounts(t); break;
	case N_MOUNTINFO: gen_mountinfo(t); break;
	case N_CPUINFO: gen_cpuinfo(t); break;
	case N_MEMINFO: gen_meminfo(t); break;
	case N_PSTAT: gen_procstat(t); break;
	case N_UPTIME: gen_uptime(t); break;
	case N_LOADAVG:
		tx_printf(t, "0.00 0.00 0.00 1/%d %d\n", thread_count(), libos_proc.pid);
		break;
	case N_FILESYSTEMS:
		tx_printf(t, "nodev\tsysfs\nnodev\ttmpfs\nnodev\tproc\nnodev\tdevtmpfs\n"
			     "nodev\tpipefs\nnodev\tanon_inodefs\n\text4\n");
		break;
	case N_SYSFILE:
		if (!strcmp(n->sys, "kernel/pid_max"))
			tx_printf(t, "4194304\n");
		else if (!strcmp(n->sys, "kernel/ngroups_max"))
			tx_printf(t, "65536\n");
		else if (!strcmp(n->sys, "kernel/cap_last_cap"))
			tx_printf(t, "40\n");
		else if (!strcmp(n->sys, "kernel/ostype"))
			tx_printf(t, "Linux\n");
		else if (!strcmp(n->sys, "vm/overcommit_memory"))
			tx_printf(t, "0\n");
		else if (!strcmp(n->sys, "kernel/random/uuid")) {
			uint8_t r[16];
			dk->DkRandomBitsRead(r, sizeof(r));
			gen_uuid(t, r);
		} else if (!strcmp(n->sys, "kernel/random/boot_id")) {
			uint8_t r[16];
			uint64_t id = dk_start->sandbox_id, h = fs_hash("boot") ^ id;
			memcpy(r, &id, 8);
			memcpy(r + 8, &h, 8);
			gen_uuid(t, r);
		}
		break;
	default:
		return -EINVAL;
	}
	if (t->oom)
		return -ENOMEM;
	if (!t->buf)
		tx_add(t, "", 0);
	return t->oom ? -ENOMEM : 0;
}

static long dir_entries(const struct pnode *n, const char *path, int flags, struct libos_file **out)
{
	struct fs_dirent ents[40];
	size_t k = 0;
	switch (n->kind) {
	case N_ROOT: {
		/* Every process of the sandbox (process.c's records), then ours. */
		int pids[256];
		size_t np = libos_process_list(pids, 256);
		struct fs_dirent *e = libos_alloc((np + 16) * sizeof(*e));
		char *nm = libos_alloc((np + 1) * 12);
		long rc = -ENOMEM;
		if (e && nm) {
			size_t m = 0;
			rt_snprintf(nm, 12, "%d", libos_proc.pid);
			e[m++] = (struct fs_dirent){ "self", DT_LNK, 0 };
			e[m++] = (struct fs_dirent){ "thread-self", DT_LNK, 0 };
			e[m++] = (struct fs_dirent){ nm, DT_DIR, 0 };
			for (size_t i = 0; i < np; i++) {
				rt_snprintf(nm + (i + 1) * 12, 12, "%d", pids[i]);
				e[m++] = (struct fs_dirent){ nm + (i + 1) * 12, DT_DIR, 0 };
			}
			for (size_t i = 0; i < sizeof(top_files) / sizeof(top_files[0]); i++)
				e[m++] = (struct fs_dirent){ top_files[i], i == 7 ? DT_DIR : DT_REG, 0 };
			rc = fs_synth_dir_open(e, m, flags, path, S_IFDIR | 0555, node_ino(n), out);
		}
		libos_free(e);
		libos_free(nm);
		return rc;
	}
	case N_PID:
		for (size_t i = 0; i < sizeof(pid_files) / sizeof(pid_files[0]); i++) {
			struct pnode m = { .kind = pid_kinds[i] };
			ents[k++] = (struct fs_dirent){ pid_files[i],
							is_link(m.kind) ? DT_LNK : is_dir(&m) ? DT_DIR : DT_REG, 0 };
		}
		break;
	case N_FDDIR:
		return fs_proc_fd_dir_open(flags, path, out);
	case N_TASKDIR: {
		/* The threads of the process. */
		size_t cap = 16, cnt = 0;
		struct fs_dirent *e = libos_alloc(cap * sizeof(*e));
		char *nm = libos_alloc(cap * 12);
		long rc = -ENOMEM;
		if (!e || !nm)
			goto tfail;
		libos_lock(&libos_proc.lock);
		for (struct libos_thread *t = libos_proc.threads; t && cnt < cap; t = t->next) {
			rt_snprintf(nm + cnt * 12, 12, "%d", t->tid);
			cnt++;
		}
		libos_unlock(&libos_proc.lock);
		if (!cnt) {
			rt_snprintf(nm, 12, "%d", libos_proc.pid);
			cnt = 1;
		}
		for (size_t i = 0; i < cnt; i++)
			e[i] = (struct fs_dirent){ nm + i * 12, DT_DIR, 0 };
		rc = fs_synth_dir_open(e, cnt, flags, path, S_IFDIR | 0555, node_ino(n), out);
tfail:
		libos_free(e);
		libos_free(nm);
		return rc;
	}
	case N_SYSDIR: {
		const char *base = n->sys ? n->sys : "";
		size_t bl = strlen(base);
		for (size_t i = 0; i < sizeof(sys_files) / sizeof(sys_files[0]); i++) {
			const char *s = sys_files[i];
			if (bl && (strncmp(s, base, bl) || s[bl] != '/'))
				continue;
			const char *rest = bl ? s + bl + 1 : s;
			if (strchr(rest, '/'))
				continue;
			bool d = !strcmp(s, "kernel") || !strcmp(s, "vm") || !strcmp(s, "kernel/random");
			ents[k++] = (struct fs_dirent){ rest, d ? DT_DIR : DT_REG, 0 };
		}
		break;
	}
	default:
		return -ENOTDIR;
	}
	return fs_synth_dir_open(ents, k, flags, path, node_mode(n), node_ino(n), out);
}

static long pfs_open(struct fs_path *p, int flags, unsigned mode, struct libos_file **out)
{
	struct pnode n;
	(void)mode;
	long rc = lookup(p->rel, &n);
	if (rc < 0)
		return (rc == -ENOENT && (flags & O_CREAT)) ? -EACCES : rc;
	if ((flags & O_CREAT) && (flags & O_EXCL))
		return -EEXIST;
	if (is_link(n.kind)) {
		if (flags & O_NOFOLLOW)
			return -ELOOP;
		if (n.kind == N_FD)
			return fs_proc_fd_open(n.fd, flags, out);
		char target[FS_PATH_MAX];
		link_target(&n, target, sizeof(target));
		if (n.kind == N_SELF || n.kind == N_THREAD_SELF) {
			char abs[FS_PATH_MAX + 8];
			rt_snprintf(abs, sizeof(abs), "/proc/%s", target);
			return libos_open_path(abs, flags, 0, out);
		}
		return libos_open_path(target, flags, 0, out);
	}
	if (is_dir(&n))
		return dir_entries(&n, p->abs, flags, out);
	if (flags & O_DIRECTORY)
		return -ENOTDIR;
	if ((flags & O_ACCMODE) != O_RDONLY)
		return -EACCES;
	struct text t = { 0 };
	rc = gen(&n, &t);
	if (rc < 0) {
		libos_free(t.buf);
		return rc;
	}
	return fs_synth_file_open(t.buf, t.len, flags, p->abs, node_mode(&n), node_ino(&n), out);
}

static long pfs_stat(struct fs_path *p, struct stat *st, bool follow)
{
	struct pnode n;
	long rc = lookup(p->rel, &n);
	if (rc < 0)
		return rc;
	if (is_link(n.kind) && follow) {
		if (n.kind == N_FD)
			return fs_proc_fd_stat(n.fd, st, true);
		if (n.kind == N_SELF || n.kind == N_THREAD_SELF) {
			fs_synth_stat(st, S_IFDIR | 0555, node_ino(&n), 0, 0);
			return 0;
		}
		char target[FS_PATH_MAX];
		struct fs_path *q = libos_alloc(sizeof(*q));
		if (!q)
			return -ENOMEM;
		link_target(&n, target, sizeof(target));
		rc = fs_resolve_abs(target, q);
		if (rc == 0)
			rc = q->fs->stat ? q->fs->stat(q, st, true) : -ENOENT;
		libos_free(q);
		return rc;
	}
	fs_synth_stat(st, node_mode(&n), node_ino(&n), 0, 0);
	if (n.kind == N_FD)
		st->st_size = 64;
	return 0;
}

static long pfs_readlink(struct fs_path *p, char *buf, size_t size)
{
	struct pnode n;
	long rc = lookup(p->rel, &n);
	if (rc < 0)
		return rc;
	if (!is_link(n.kind))
		return -EINVAL;
	return link_target(&n, buf, size);
}

static long pfs_access(struct fs_path *p, int mode)
{
	struct stat st;
	long rc = pfs_stat(p, &st, true);
	if (rc < 0)
		return rc;
	if ((mode & 2) && !(st.st_mode & 0222))
		return -EACCES;
	if ((mode & 1) && !(st.st_mode & 0111))
		return -EACCES;
	return 0;
}

const struct fs_type fs_proc = {
	.name = "proc",
	.magic = PROC_SUPER_MAGIC,
	.open = pfs_open,
	.stat = pfs_stat,
	.readlink = pfs_readlink,
	.access = pfs_access,
};
