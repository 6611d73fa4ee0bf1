/*
 * Copies that may fault.  The PAL's SIGSEGV/SIGBUS handler checks whether
 * the faulting instruction lies between pal_usercopy_start and
 * pal_usercopy_end and, if so, resumes at pal_usercopy_fault, which makes
 * the copy return -1.  No syscall here.
 */
	.text
	.globl pal_usercopy_start, pal_usercopy_end, pal_usercopy_fault
	.hidden pal_usercopy_start, pal_usercopy_end, pal_usercopy_fault
pal_usercopy_start:

/* long pal_usercopy(dst, src, n): 0 or -1 */
	.globl pal_usercopy
	.hidden pal_usercopy
	.type pal_usercopy, @function
pal_usercopy:
	mov %rdx, %rcx
	rep movsb
	xor %eax, %eax
	ret
	.size pal_usercopy, .-pal_usercopy

/* long pal_userstrnlen(s, max): length (max if no NUL within max) or -1 */
	.globl pal_userstrnlen
	.hidden pal_userstrnlen
	.type pal_userstrnlen, @function
pal_userstrnlen:
	xor %eax, %eax
1:	cmp %rsi, %rax
	je 2f
	cmpb $0, (%rdi,%rax)
	je 2f
	inc %rax
	jmp 1b
2:	ret
	.size pal_userstrnlen, .-pal_userstrnlen

pal_usercopy_fault:
	mov $-1, %rax
	ret
pal_usercopy_end:

	.section .note.GNU-stack, "", @progbits
