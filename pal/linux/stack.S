/* void pal_linux_run_on_stack(void *sp, void (*fn)(void *), void *arg):
 * leaves the current stack for good.  No system call here. */
	.text
	.globl pal_linux_run_on_stack
	.hidden pal_linux_run_on_stack
	.type pal_linux_run_on_stack, @function
pal_linux_run_on_stack:
	mov %rdi, %rsp
	and $-16, %rsp
	mov %rdx, %rdi
	call *%rsi
	hlt
	.size pal_linux_run_on_stack, .-pal_linux_run_on_stack

	.section .note.GNU-stack, "", @progbits
