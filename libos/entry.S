/*
 * The library OS's entries from and returns to the application.
 *
 * LibOsExceptionDispatch (syscall.c) turns a trapped system call (or a
 * raised exception that should become a signal) into a struct libos_regs
 * frame at the top of the thread's library OS stack, and resumes the thread
 * here, in normal context, with %rsp = %rdi = the frame (16-byte aligned).
 *
 * struct libos_regs, by offset:
 *   0 r15  8 r14  16 r13  24 r12  32 r11  40 r10  48 r9  56 r8
 *   64 rdi 72 rsi 80 rbp 88 rbx 96 rdx 104 rcx 112 rax
 *   120 rflags  128 rip  136 rsp                    (144 bytes)
 * syscall.c checks these offsets with _Static_assert.
 */
	.text

/* void libos_syscall_entry(struct libos_regs *frame): never called, entered. */
	.globl libos_syscall_entry
	.hidden libos_syscall_entry
	.type libos_syscall_entry, @function
libos_syscall_entry:
	cld
	mov %rdi, %rbx			/* callee-saved: the frame */
	call libos_syscall_handle
	mov %rbx, %rdi
	call libos_return_to_app	/* a call, not a jmp: keeps the ABI alignment */
	ud2
	.size libos_syscall_entry, . - libos_syscall_entry

/* void libos_trap_entry(struct libos_regs *frame): the same for a system
 * call that trapped; its site may be rewritten for the fast path. */
	.globl libos_trap_entry
	.hidden libos_trap_entry
	.type libos_trap_entry, @function
libos_trap_entry:
	cld
	mov %rdi, %rbx
	call libos_patch_trapped
	mov %rbx, %rdi
	jmp libos_syscall_entry
	.size libos_trap_entry, . - libos_trap_entry

/* The fast path (patch.c): a rewritten site's trampoline jumps here with
 * %eax = the number, %rcx = the address after the site's syscall
 * instruction (as syscall itself would set it), %r11 free (syscall
 * clobbers it too), every other register the application's.  Builds the
 * same frame the trap's dispatcher builds, at the top of the thread's
 * library OS stack, without touching the application's stack.
 *
 * Until libos_fast_committed the thread still counts as running the
 * application: a signal that lands in here is delivered as if it had
 * come just before the site's syscall instruction (the dispatcher,
 * syscall.c: fast_rewind), and the handler's return executes that
 * instruction, which traps.  So up to there only %r11 (which syscall
 * clobbers), %rsp (saved at the frame's top) and the flags may change.  struct libos_thread offsets: kstack_top 136,
 * app_running 144 (checked in syscall.c). */
	.globl libos_fast_slow
	.hidden libos_fast_slow
libos_fast_slow:
	/* No library OS stack yet (a new thread): take the trap instead. */
	lea -2(%rcx), %r11
	jmp *%r11
	.globl libos_fast_entry
	.hidden libos_fast_entry
	.type libos_fast_entry, @function
libos_fast_entry:
	mov %gs:8, %r11			/* DK_TLS_OFFSET(1): struct libos_thread * */
	test %r11, %r11
	jz libos_fast_slow
	mov 136(%r11), %r11		/* kstack_top */
	test %r11, %r11
	jz libos_fast_slow
	mov %rsp, -8(%r11)		/* frame->rsp */
	lea -8(%r11), %rsp
	.globl libos_fast_on_kstack
	.hidden libos_fast_on_kstack
libos_fast_on_kstack:
	push %rcx			/* rip */
	pushfq
	push %rax
	push %rcx
	push %rdx
	push %rbx
	push %rbp
	push %rsi
	push %rdi
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
	/* %r11, not %rax: a signal here rewinds to the syscall instruction,
	 * which needs the number still in %rax (fast_rewind). */
	mov %gs:8, %r11
	movl $0, 144(%r11)		/* app_running */
	.globl libos_fast_committed
	.hidden libos_fast_committed
libos_fast_committed:
	mov %rsp, %rdi
	jmp libos_syscall_entry
	.size libos_fast_entry, . - libos_fast_entry

/* void libos_signal_entry(struct libos_regs *frame): a raised exception
 * caught the thread in application code; deliver, then go back. */
	.globl libos_signal_entry
	.hidden libos_signal_entry
	.type libos_signal_entry, @function
libos_signal_entry:
	cld
	mov %rdi, %rbx
	call libos_signal_handle
	mov %rbx, %rdi
	call libos_return_to_app
	ud2
	.size libos_signal_entry, . - libos_signal_entry

/* void libos_resume_app(struct libos_regs *frame), noreturn.
 * Stores frame->rip just below the application's red zone (at rsp - 136),
 * reloads every register from the frame, and returns through that slot
 * with `ret $128`, which leaves %rsp exactly at the application's rsp.
 * Nothing at or above rsp - 128 is written. */
	.pushsection libos_resume_text, "ax", @progbits
	.globl libos_resume_app
	.hidden libos_resume_app
	.type libos_resume_app, @function
libos_resume_app:
	mov %rdi, %rsp
	mov 136(%rsp), %rax		/* the application's rsp */
	sub $136, %rax
	mov 128(%rsp), %rcx		/* its rip */
	mov %rcx, (%rax)
	mov %rax, 136(%rsp)
	/* From here on the frame's rsp slot holds rsp - 136 (the exception
	 * dispatcher reads the frame back if a raise lands in this code). */
	.globl libos_resume_adjusted
	.hidden libos_resume_adjusted
libos_resume_adjusted:
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rdi
	pop %rsi
	pop %rbp
	pop %rbx
	pop %rdx
	pop %rcx
	pop %rax
	popfq
	mov 8(%rsp), %rsp		/* skip the rip slot: rsp - 136 */
	ret $128
	.globl libos_resume_end
	.hidden libos_resume_end
libos_resume_end:
	.size libos_resume_app, . - libos_resume_app
	.popsection

/* long libos_usercopy(void *dst, const void *src, size_t n): 0, or -EFAULT
 * if the copy faulted (the dispatcher sends a fault at
 * libos_usercopy_insn to libos_usercopy_fault). */
	.globl libos_usercopy
	.hidden libos_usercopy
	.type libos_usercopy, @function
libos_usercopy:
	mov %rdx, %rcx
	.globl libos_usercopy_insn
	.hidden libos_usercopy_insn
libos_usercopy_insn:
	rep movsb
	xor %eax, %eax
	ret
	.globl libos_usercopy_fault
	.hidden libos_usercopy_fault
libos_usercopy_fault:
	mov $-14, %rax			/* -EFAULT */
	ret
	.size libos_usercopy, . - libos_usercopy

/* The system call table's section exists even with no handler in it, so
 * that __start_libos_syscalls / __stop_libos_syscalls are always defined. */
	.section libos_syscalls, "a", @progbits
	.balign 8

	.section .note.GNU-stack, "", @progbits
