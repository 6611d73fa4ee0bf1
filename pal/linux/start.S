/* Process entry: the kernel starts the static-pie PAL here with the initial
 * stack (argc, argv, envp, auxv) at %rsp. */
	.text
	.globl _start
	.type _start, @function
_start:
	xor %ebp, %ebp
	mov %rsp, %rdi
	and $-16, %rsp
	call pal_linux_main
	hlt
	.size _start, .-_start

	.section .note.GNU-stack, "", @progbits
