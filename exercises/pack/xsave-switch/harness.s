# 64-bit ring 0 with XSAVE enabled: CR4.OSFXSR, OSXMMEXCPT and OSXSAVE set, XCR0 = the case's
# (x87 and SSE, or x87, SSE and AVX). Thread B's vector registers are put in place and saved with
# XSAVE into B's area, as if B had run before; then thread A's are loaded and A calls
# switch_fpu(&ta, &tb). B records its registers and switches back; A records its own.
# The SSE and AVX moves are written as bytes (the comments say which instruction).
    .globl _start

load_xmm_b:
    .byte 0xf3, 0xf, 0x6f, 0x4, 0x25
    .long bin + 0                # movdqu bin + 0, %xmm0
    .byte 0xf3, 0xf, 0x6f, 0xc, 0x25
    .long bin + 32                # movdqu bin + 32, %xmm1
    .byte 0xf3, 0xf, 0x6f, 0x14, 0x25
    .long bin + 64                # movdqu bin + 64, %xmm2
    .byte 0xf3, 0xf, 0x6f, 0x1c, 0x25
    .long bin + 96                # movdqu bin + 96, %xmm3
    .byte 0xf3, 0xf, 0x6f, 0x24, 0x25
    .long bin + 128                # movdqu bin + 128, %xmm4
    .byte 0xf3, 0xf, 0x6f, 0x2c, 0x25
    .long bin + 160                # movdqu bin + 160, %xmm5
    .byte 0xf3, 0xf, 0x6f, 0x34, 0x25
    .long bin + 192                # movdqu bin + 192, %xmm6
    .byte 0xf3, 0xf, 0x6f, 0x3c, 0x25
    .long bin + 224                # movdqu bin + 224, %xmm7
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x4, 0x25
    .long bin + 256                # movdqu bin + 256, %xmm8
    .byte 0xf3, 0x44, 0xf, 0x6f, 0xc, 0x25
    .long bin + 288                # movdqu bin + 288, %xmm9
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x14, 0x25
    .long bin + 320                # movdqu bin + 320, %xmm10
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x1c, 0x25
    .long bin + 352                # movdqu bin + 352, %xmm11
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x24, 0x25
    .long bin + 384                # movdqu bin + 384, %xmm12
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x2c, 0x25
    .long bin + 416                # movdqu bin + 416, %xmm13
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x34, 0x25
    .long bin + 448                # movdqu bin + 448, %xmm14
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x3c, 0x25
    .long bin + 480                # movdqu bin + 480, %xmm15
    ret
load_ymm_b:
    .byte 0xc5, 0xfe, 0x6f, 0x4, 0x25
    .long bin + 0                # vmovdqu bin + 0, %ymm0
    .byte 0xc5, 0xfe, 0x6f, 0xc, 0x25
    .long bin + 32                # vmovdqu bin + 32, %ymm1
    .byte 0xc5, 0xfe, 0x6f, 0x14, 0x25
    .long bin + 64                # vmovdqu bin + 64, %ymm2
    .byte 0xc5, 0xfe, 0x6f, 0x1c, 0x25
    .long bin + 96                # vmovdqu bin + 96, %ymm3
    .byte 0xc5, 0xfe, 0x6f, 0x24, 0x25
    .long bin + 128                # vmovdqu bin + 128, %ymm4
    .byte 0xc5, 0xfe, 0x6f, 0x2c, 0x25
    .long bin + 160                # vmovdqu bin + 160, %ymm5
    .byte 0xc5, 0xfe, 0x6f, 0x34, 0x25
    .long bin + 192                # vmovdqu bin + 192, %ymm6
    .byte 0xc5, 0xfe, 0x6f, 0x3c, 0x25
    .long bin + 224                # vmovdqu bin + 224, %ymm7
    .byte 0xc5, 0x7e, 0x6f, 0x4, 0x25
    .long bin + 256                # vmovdqu bin + 256, %ymm8
    .byte 0xc5, 0x7e, 0x6f, 0xc, 0x25
    .long bin + 288                # vmovdqu bin + 288, %ymm9
    .byte 0xc5, 0x7e, 0x6f, 0x14, 0x25
    .long bin + 320                # vmovdqu bin + 320, %ymm10
    .byte 0xc5, 0x7e, 0x6f, 0x1c, 0x25
    .long bin + 352                # vmovdqu bin + 352, %ymm11
    .byte 0xc5, 0x7e, 0x6f, 0x24, 0x25
    .long bin + 384                # vmovdqu bin + 384, %ymm12
    .byte 0xc5, 0x7e, 0x6f, 0x2c, 0x25
    .long bin + 416                # vmovdqu bin + 416, %ymm13
    .byte 0xc5, 0x7e, 0x6f, 0x34, 0x25
    .long bin + 448                # vmovdqu bin + 448, %ymm14
    .byte 0xc5, 0x7e, 0x6f, 0x3c, 0x25
    .long bin + 480                # vmovdqu bin + 480, %ymm15
    ret
load_xmm_a:
    .byte 0xf3, 0xf, 0x6f, 0x4, 0x25
    .long ain + 0                # movdqu ain + 0, %xmm0
    .byte 0xf3, 0xf, 0x6f, 0xc, 0x25
    .long ain + 32                # movdqu ain + 32, %xmm1
    .byte 0xf3, 0xf, 0x6f, 0x14, 0x25
    .long ain + 64                # movdqu ain + 64, %xmm2
    .byte 0xf3, 0xf, 0x6f, 0x1c, 0x25
    .long ain + 96                # movdqu ain + 96, %xmm3
    .byte 0xf3, 0xf, 0x6f, 0x24, 0x25
    .long ain + 128                # movdqu ain + 128, %xmm4
    .byte 0xf3, 0xf, 0x6f, 0x2c, 0x25
    .long ain + 160                # movdqu ain + 160, %xmm5
    .byte 0xf3, 0xf, 0x6f, 0x34, 0x25
    .long ain + 192                # movdqu ain + 192, %xmm6
    .byte 0xf3, 0xf, 0x6f, 0x3c, 0x25
    .long ain + 224                # movdqu ain + 224, %xmm7
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x4, 0x25
    .long ain + 256                # movdqu ain + 256, %xmm8
    .byte 0xf3, 0x44, 0xf, 0x6f, 0xc, 0x25
    .long ain + 288                # movdqu ain + 288, %xmm9
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x14, 0x25
    .long ain + 320                # movdqu ain + 320, %xmm10
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x1c, 0x25
    .long ain + 352                # movdqu ain + 352, %xmm11
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x24, 0x25
    .long ain + 384                # movdqu ain + 384, %xmm12
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x2c, 0x25
    .long ain + 416                # movdqu ain + 416, %xmm13
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x34, 0x25
    .long ain + 448                # movdqu ain + 448, %xmm14
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x3c, 0x25
    .long ain + 480                # movdqu ain + 480, %xmm15
    ret
load_ymm_a:
    .byte 0xc5, 0xfe, 0x6f, 0x4, 0x25
    .long ain + 0                # vmovdqu ain + 0, %ymm0
    .byte 0xc5, 0xfe, 0x6f, 0xc, 0x25
    .long ain + 32                # vmovdqu ain + 32, %ymm1
    .byte 0xc5, 0xfe, 0x6f, 0x14, 0x25
    .long ain + 64                # vmovdqu ain + 64, %ymm2
    .byte 0xc5, 0xfe, 0x6f, 0x1c, 0x25
    .long ain + 96                # vmovdqu ain + 96, %ymm3
    .byte 0xc5, 0xfe, 0x6f, 0x24, 0x25
    .long ain + 128                # vmovdqu ain + 128, %ymm4
    .byte 0xc5, 0xfe, 0x6f, 0x2c, 0x25
    .long ain + 160                # vmovdqu ain + 160, %ymm5
    .byte 0xc5, 0xfe, 0x6f, 0x34, 0x25
    .long ain + 192                # vmovdqu ain + 192, %ymm6
    .byte 0xc5, 0xfe, 0x6f, 0x3c, 0x25
    .long ain + 224                # vmovdqu ain + 224, %ymm7
    .byte 0xc5, 0x7e, 0x6f, 0x4, 0x25
    .long ain + 256                # vmovdqu ain + 256, %ymm8
    .byte 0xc5, 0x7e, 0x6f, 0xc, 0x25
    .long ain + 288                # vmovdqu ain + 288, %ymm9
    .byte 0xc5, 0x7e, 0x6f, 0x14, 0x25
    .long ain + 320                # vmovdqu ain + 320, %ymm10
    .byte 0xc5, 0x7e, 0x6f, 0x1c, 0x25
    .long ain + 352                # vmovdqu ain + 352, %ymm11
    .byte 0xc5, 0x7e, 0x6f, 0x24, 0x25
    .long ain + 384                # vmovdqu ain + 384, %ymm12
    .byte 0xc5, 0x7e, 0x6f, 0x2c, 0x25
    .long ain + 416                # vmovdqu ain + 416, %ymm13
    .byte 0xc5, 0x7e, 0x6f, 0x34, 0x25
    .long ain + 448                # vmovdqu ain + 448, %ymm14
    .byte 0xc5, 0x7e, 0x6f, 0x3c, 0x25
    .long ain + 480                # vmovdqu ain + 480, %ymm15
    ret
store_xmm_b:
    .byte 0xf3, 0xf, 0x7f, 0x4, 0x25
    .long bseen + 0                # movdqu %xmm0, bseen + 0
    .byte 0xf3, 0xf, 0x7f, 0xc, 0x25
    .long bseen + 32                # movdqu %xmm1, bseen + 32
    .byte 0xf3, 0xf, 0x7f, 0x14, 0x25
    .long bseen + 64                # movdqu %xmm2, bseen + 64
    .byte 0xf3, 0xf, 0x7f, 0x1c, 0x25
    .long bseen + 96                # movdqu %xmm3, bseen + 96
    .byte 0xf3, 0xf, 0x7f, 0x24, 0x25
    .long bseen + 128                # movdqu %xmm4, bseen + 128
    .byte 0xf3, 0xf, 0x7f, 0x2c, 0x25
    .long bseen + 160                # movdqu %xmm5, bseen + 160
    .byte 0xf3, 0xf, 0x7f, 0x34, 0x25
    .long bseen + 192                # movdqu %xmm6, bseen + 192
    .byte 0xf3, 0xf, 0x7f, 0x3c, 0x25
    .long bseen + 224                # movdqu %xmm7, bseen + 224
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x4, 0x25
    .long bseen + 256                # movdqu %xmm8, bseen + 256
    .byte 0xf3, 0x44, 0xf, 0x7f, 0xc, 0x25
    .long bseen + 288                # movdqu %xmm9, bseen + 288
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x14, 0x25
    .long bseen + 320                # movdqu %xmm10, bseen + 320
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x1c, 0x25
    .long bseen + 352                # movdqu %xmm11, bseen + 352
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x24, 0x25
    .long bseen + 384                # movdqu %xmm12, bseen + 384
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x2c, 0x25
    .long bseen + 416                # movdqu %xmm13, bseen + 416
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x34, 0x25
    .long bseen + 448                # movdqu %xmm14, bseen + 448
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x3c, 0x25
    .long bseen + 480                # movdqu %xmm15, bseen + 480
    ret
store_ymm_b:
    .byte 0xc5, 0xfe, 0x7f, 0x4, 0x25
    .long bseen + 0                # vmovdqu %ymm0, bseen + 0
    .byte 0xc5, 0xfe, 0x7f, 0xc, 0x25
    .long bseen + 32                # vmovdqu %ymm1, bseen + 32
    .byte 0xc5, 0xfe, 0x7f, 0x14, 0x25
    .long bseen + 64                # vmovdqu %ymm2, bseen + 64
    .byte 0xc5, 0xfe, 0x7f, 0x1c, 0x25
    .long bseen + 96                # vmovdqu %ymm3, bseen + 96
    .byte 0xc5, 0xfe, 0x7f, 0x24, 0x25
    .long bseen + 128                # vmovdqu %ymm4, bseen + 128
    .byte 0xc5, 0xfe, 0x7f, 0x2c, 0x25
    .long bseen + 160                # vmovdqu %ymm5, bseen + 160
    .byte 0xc5, 0xfe, 0x7f, 0x34, 0x25
    .long bseen + 192                # vmovdqu %ymm6, bseen + 192
    .byte 0xc5, 0xfe, 0x7f, 0x3c, 0x25
    .long bseen + 224                # vmovdqu %ymm7, bseen + 224
    .byte 0xc5, 0x7e, 0x7f, 0x4, 0x25
    .long bseen + 256                # vmovdqu %ymm8, bseen + 256
    .byte 0xc5, 0x7e, 0x7f, 0xc, 0x25
    .long bseen + 288                # vmovdqu %ymm9, bseen + 288
    .byte 0xc5, 0x7e, 0x7f, 0x14, 0x25
    .long bseen + 320                # vmovdqu %ymm10, bseen + 320
    .byte 0xc5, 0x7e, 0x7f, 0x1c, 0x25
    .long bseen + 352                # vmovdqu %ymm11, bseen + 352
    .byte 0xc5, 0x7e, 0x7f, 0x24, 0x25
    .long bseen + 384                # vmovdqu %ymm12, bseen + 384
    .byte 0xc5, 0x7e, 0x7f, 0x2c, 0x25
    .long bseen + 416                # vmovdqu %ymm13, bseen + 416
    .byte 0xc5, 0x7e, 0x7f, 0x34, 0x25
    .long bseen + 448                # vmovdqu %ymm14, bseen + 448
    .byte 0xc5, 0x7e, 0x7f, 0x3c, 0x25
    .long bseen + 480                # vmovdqu %ymm15, bseen + 480
    ret
store_xmm_a:
    .byte 0xf3, 0xf, 0x7f, 0x4, 0x25
    .long aseen + 0                # movdqu %xmm0, aseen + 0
    .byte 0xf3, 0xf, 0x7f, 0xc, 0x25
    .long aseen + 32                # movdqu %xmm1, aseen + 32
    .byte 0xf3, 0xf, 0x7f, 0x14, 0x25
    .long aseen + 64                # movdqu %xmm2, aseen + 64
    .byte 0xf3, 0xf, 0x7f, 0x1c, 0x25
    .long aseen + 96                # movdqu %xmm3, aseen + 96
    .byte 0xf3, 0xf, 0x7f, 0x24, 0x25
    .long aseen + 128                # movdqu %xmm4, aseen + 128
    .byte 0xf3, 0xf, 0x7f, 0x2c, 0x25
    .long aseen + 160                # movdqu %xmm5, aseen + 160
    .byte 0xf3, 0xf, 0x7f, 0x34, 0x25
    .long aseen + 192                # movdqu %xmm6, aseen + 192
    .byte 0xf3, 0xf, 0x7f, 0x3c, 0x25
    .long aseen + 224                # movdqu %xmm7, aseen + 224
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x4, 0x25
    .long aseen + 256                # movdqu %xmm8, aseen + 256
    .byte 0xf3, 0x44, 0xf, 0x7f, 0xc, 0x25
    .long aseen + 288                # movdqu %xmm9, aseen + 288
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x14, 0x25
    .long aseen + 320                # movdqu %xmm10, aseen + 320
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x1c, 0x25
    .long aseen + 352                # movdqu %xmm11, aseen + 352
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x24, 0x25
    .long aseen + 384                # movdqu %xmm12, aseen + 384
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x2c, 0x25
    .long aseen + 416                # movdqu %xmm13, aseen + 416
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x34, 0x25
    .long aseen + 448                # movdqu %xmm14, aseen + 448
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x3c, 0x25
    .long aseen + 480                # movdqu %xmm15, aseen + 480
    ret
store_ymm_a:
    .byte 0xc5, 0xfe, 0x7f, 0x4, 0x25
    .long aseen + 0                # vmovdqu %ymm0, aseen + 0
    .byte 0xc5, 0xfe, 0x7f, 0xc, 0x25
    .long aseen + 32                # vmovdqu %ymm1, aseen + 32
    .byte 0xc5, 0xfe, 0x7f, 0x14, 0x25
    .long aseen + 64                # vmovdqu %ymm2, aseen + 64
    .byte 0xc5, 0xfe, 0x7f, 0x1c, 0x25
    .long aseen + 96                # vmovdqu %ymm3, aseen + 96
    .byte 0xc5, 0xfe, 0x7f, 0x24, 0x25
    .long aseen + 128                # vmovdqu %ymm4, aseen + 128
    .byte 0xc5, 0xfe, 0x7f, 0x2c, 0x25
    .long aseen + 160                # vmovdqu %ymm5, aseen + 160
    .byte 0xc5, 0xfe, 0x7f, 0x34, 0x25
    .long aseen + 192                # vmovdqu %ymm6, aseen + 192
    .byte 0xc5, 0xfe, 0x7f, 0x3c, 0x25
    .long aseen + 224                # vmovdqu %ymm7, aseen + 224
    .byte 0xc5, 0x7e, 0x7f, 0x4, 0x25
    .long aseen + 256                # vmovdqu %ymm8, aseen + 256
    .byte 0xc5, 0x7e, 0x7f, 0xc, 0x25
    .long aseen + 288                # vmovdqu %ymm9, aseen + 288
    .byte 0xc5, 0x7e, 0x7f, 0x14, 0x25
    .long aseen + 320                # vmovdqu %ymm10, aseen + 320
    .byte 0xc5, 0x7e, 0x7f, 0x1c, 0x25
    .long aseen + 352                # vmovdqu %ymm11, aseen + 352
    .byte 0xc5, 0x7e, 0x7f, 0x24, 0x25
    .long aseen + 384                # vmovdqu %ymm12, aseen + 384
    .byte 0xc5, 0x7e, 0x7f, 0x2c, 0x25
    .long aseen + 416                # vmovdqu %ymm13, aseen + 416
    .byte 0xc5, 0x7e, 0x7f, 0x34, 0x25
    .long aseen + 448                # vmovdqu %ymm14, aseen + 448
    .byte 0xc5, 0x7e, 0x7f, 0x3c, 0x25
    .long aseen + 480                # vmovdqu %ymm15, aseen + 480
    ret

# load(b = rbx): the vector registers of B (rbx = 1) or A (rbx = 0), as wide as XCR0 allows
load:
    testb $4, xcr + XCR_XCR0
    jnz 2f
    testq %rbx, %rbx
    jz load_xmm_a
    jmp load_xmm_b
2:  testq %rbx, %rbx
    jz load_ymm_a
    jmp load_ymm_b

_start:
    movq %cr4, %rax
    orq $0x40600, %rax                  # OSFXSR, OSXMMEXCPT, OSXSAVE
    movq %rax, %cr4
    movl xcr + XCR_XCR0, %eax
    xorl %edx, %edx
    xorl %ecx, %ecx
    xsetbv
    movl $1, %ebx
    call load
    movl $-1, %eax
    movl $-1, %edx
    xsave tb + THREAD_FPU               # B's state, as B left it
    xorl %ebx, %ebx
    call load
    movq $ta, %rdi
    movq $tb, %rsi
    call switch_fpu
    testb $4, xcr + XCR_XCR0
    jnz 3f
    call store_xmm_b
    jmp 4f
3:  call store_ymm_b
4:  movq $tb, %rdi
    movq $ta, %rsi
    call switch_fpu
    testb $4, xcr + XCR_XCR0
    jnz 5f
    call store_xmm_a
    hlt
5:  call store_ymm_a
    hlt
