/*
 * The vDSO image (build/vdso.so, from libos/vdso/), embedded in libos.so as
 * read-only data; libos/vdso.c copies it into the application's address
 * space.  The Makefile passes its path as VDSO_PATH.
 */
	.section .rodata.libos_vdso, "a", @progbits
	.balign 4096
	.globl libos_vdso_image
	.hidden libos_vdso_image
libos_vdso_image:
	.incbin VDSO_PATH
	.globl libos_vdso_image_end
	.hidden libos_vdso_image_end
libos_vdso_image_end:
	.byte 0

	.section .note.GNU-stack, "", @progbits
