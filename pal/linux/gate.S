/*
 * The gate: the only code in a picoprocess with a system call instruction.
 * tools/check-closed-abi verifies that every syscall instruction in the PAL
 * lies in a function named gate_*, and that the library OS and extensions
 * have none at all.
 */
	.text
/* Syscall User Dispatch lets system calls through only from between
 * gate_begin and gate_end: every gate_* function lies there. */
	.globl gate_begin, gate_end
	.hidden gate_begin, gate_end
gate_begin:

/* From a C call (nr, a1, a2, a3, a4, a5) to the system call convention:
 * the number in %rax, the arguments in %rdi %rsi %rdx %r10 %r8. */
.macro SYSV_TO_SYSCALL
	mov %rdi, %rax
	mov %rsi, %rdi
	mov %rdx, %rsi
	mov %rcx, %rdx
	mov %r8, %r10
	mov %r9, %r8
.endm

/* long gate_syscall6(nr, a1, a2, a3, a4, a5, a6) */
	.globl gate_syscall6
	.type gate_syscall6, @function
	.hidden gate_syscall6
gate_syscall6:
	SYSV_TO_SYSCALL
	mov 8(%rsp), %r9
	syscall
	ret
	.size gate_syscall6, .-gate_syscall6

/* long gate_syscall_blocking(nr, a1, a2, a3, a4, a5, int *unseen): a system
 * call that may sleep (a read on a pipe, an accept), ended by a signal
 * like a wait is.  It fails with -EINTR without entering the host when
 * *unseen (the thread's signal_unseen) is set, and the signal handlers
 * send a thread caught between that check and the syscall instruction to
 * gate_blocking_eintr (exception.c): otherwise a signal landing just
 * before the call would not end it, and would wait for the call to return
 * on its own. */
	.globl gate_syscall_blocking, gate_blocking_window, gate_blocking_syscall
	.globl gate_blocking_eintr
	.type gate_syscall_blocking, @function
	.hidden gate_syscall_blocking, gate_blocking_window, gate_blocking_syscall
	.hidden gate_blocking_eintr
gate_syscall_blocking:
	SYSV_TO_SYSCALL
	mov 8(%rsp), %r11		/* unseen (the syscall clobbers %r11 anyway) */
gate_blocking_window:
	cmpl $0, (%r11)
	jne gate_blocking_eintr
gate_blocking_syscall:
	syscall
	ret
gate_blocking_eintr:
	mov $-4, %rax			/* -EINTR */
	ret
	.size gate_syscall_blocking, .-gate_syscall_blocking

/* long gate_clone_thread(flags, stack_top, parent_tid, child_tid, tcb)
 * The tcb pointer is pushed on the child's stack before the call so the
 * child can find it without touching the parent's frame. */
	.globl gate_clone_thread
	.type gate_clone_thread, @function
	.hidden gate_clone_thread
gate_clone_thread:
	sub $16, %rsi
	mov %r8, (%rsi)          /* child's first pop: tcb */
	movq $0, 8(%rsi)
	mov %rcx, %r10           /* child_tid */
	xor %r8d, %r8d           /* tls: unchanged; the PAL uses %gs */
	mov $56, %eax            /* __NR_clone */
	syscall
	test %rax, %rax
	jnz 1f
	/* child: fresh stack, tcb on top */
	xor %ebp, %ebp
	pop %rdi
	and $-16, %rsp
	call pal_thread_entry
	hlt
1:	ret
	.size gate_clone_thread, .-gate_clone_thread

/* void gate_exit_thread_unmap(base, size): after munmap the stack is gone,
 * so nothing here may touch memory. */
	.globl gate_exit_thread_unmap
	.type gate_exit_thread_unmap, @function
	.hidden gate_exit_thread_unmap
gate_exit_thread_unmap:
	mov $11, %eax            /* __NR_munmap */
	syscall
	xor %edi, %edi
	mov $60, %eax            /* __NR_exit */
	syscall
	hlt
	.size gate_exit_thread_unmap, .-gate_exit_thread_unmap

	.globl gate_sigreturn
	.type gate_sigreturn, @function
	.hidden gate_sigreturn
gate_sigreturn:
	mov $15, %eax            /* __NR_rt_sigreturn */
	syscall
	hlt
	.size gate_sigreturn, .-gate_sigreturn
gate_end:

	.section .note.GNU-stack, "", @progbits
