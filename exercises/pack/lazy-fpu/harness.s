# 64-bit ring 0 with XSAVE enabled (CR4.OSFXSR, OSXMMEXCPT, OSXSAVE; XCR0 = the case's), the
# flat GDT and the record IDT, whose vector 7 (#NM) the harness points at nm_handler. Three
# threads: A runs first and owns the FPU; B's and C's states were saved with XSAVE into their
# areas. The schedule: B (touches the FPU or not), C (never), A (touches), B (touches), A
# (touches or not). After each fpu_switch the harness records CR0.TS; each touch records the
# XMM registers the thread finds and gives it new ones. The touch at step 4 also records the
# scratch registers around it (nm_handler must keep them).
# The SSE moves are written as bytes (the comments say which instruction).
    .set RECORD_IDT, 0x2000                # the record IDT of `machine: idt: record`
    .globl _start

load_b:
    .byte 0xf3, 0xf, 0x6f, 0x4, 0x25
    .long bin + 0                # movdqu bin + 0, %xmm0
    .byte 0xf3, 0xf, 0x6f, 0xc, 0x25
    .long bin + 16                # movdqu bin + 16, %xmm1
    .byte 0xf3, 0xf, 0x6f, 0x14, 0x25
    .long bin + 32                # movdqu bin + 32, %xmm2
    .byte 0xf3, 0xf, 0x6f, 0x1c, 0x25
    .long bin + 48                # movdqu bin + 48, %xmm3
    .byte 0xf3, 0xf, 0x6f, 0x24, 0x25
    .long bin + 64                # movdqu bin + 64, %xmm4
    .byte 0xf3, 0xf, 0x6f, 0x2c, 0x25
    .long bin + 80                # movdqu bin + 80, %xmm5
    .byte 0xf3, 0xf, 0x6f, 0x34, 0x25
    .long bin + 96                # movdqu bin + 96, %xmm6
    .byte 0xf3, 0xf, 0x6f, 0x3c, 0x25
    .long bin + 112                # movdqu bin + 112, %xmm7
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x4, 0x25
    .long bin + 128                # movdqu bin + 128, %xmm8
    .byte 0xf3, 0x44, 0xf, 0x6f, 0xc, 0x25
    .long bin + 144                # movdqu bin + 144, %xmm9
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x14, 0x25
    .long bin + 160                # movdqu bin + 160, %xmm10
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x1c, 0x25
    .long bin + 176                # movdqu bin + 176, %xmm11
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x24, 0x25
    .long bin + 192                # movdqu bin + 192, %xmm12
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x2c, 0x25
    .long bin + 208                # movdqu bin + 208, %xmm13
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x34, 0x25
    .long bin + 224                # movdqu bin + 224, %xmm14
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x3c, 0x25
    .long bin + 240                # movdqu bin + 240, %xmm15
    ret
load_a:
    .byte 0xf3, 0xf, 0x6f, 0x4, 0x25
    .long ain + 0                # movdqu ain + 0, %xmm0
    .byte 0xf3, 0xf, 0x6f, 0xc, 0x25
    .long ain + 16                # movdqu ain + 16, %xmm1
    .byte 0xf3, 0xf, 0x6f, 0x14, 0x25
    .long ain + 32                # movdqu ain + 32, %xmm2
    .byte 0xf3, 0xf, 0x6f, 0x1c, 0x25
    .long ain + 48                # movdqu ain + 48, %xmm3
    .byte 0xf3, 0xf, 0x6f, 0x24, 0x25
    .long ain + 64                # movdqu ain + 64, %xmm4
    .byte 0xf3, 0xf, 0x6f, 0x2c, 0x25
    .long ain + 80                # movdqu ain + 80, %xmm5
    .byte 0xf3, 0xf, 0x6f, 0x34, 0x25
    .long ain + 96                # movdqu ain + 96, %xmm6
    .byte 0xf3, 0xf, 0x6f, 0x3c, 0x25
    .long ain + 112                # movdqu ain + 112, %xmm7
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x4, 0x25
    .long ain + 128                # movdqu ain + 128, %xmm8
    .byte 0xf3, 0x44, 0xf, 0x6f, 0xc, 0x25
    .long ain + 144                # movdqu ain + 144, %xmm9
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x14, 0x25
    .long ain + 160                # movdqu ain + 160, %xmm10
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x1c, 0x25
    .long ain + 176                # movdqu ain + 176, %xmm11
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x24, 0x25
    .long ain + 192                # movdqu ain + 192, %xmm12
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x2c, 0x25
    .long ain + 208                # movdqu ain + 208, %xmm13
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x34, 0x25
    .long ain + 224                # movdqu ain + 224, %xmm14
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x3c, 0x25
    .long ain + 240                # movdqu ain + 240, %xmm15
    ret
# touch_b1: the running thread uses the FPU: it records its XMM registers (the first store
# raises #NM while CR0.TS is set) and loads new contents.
touch_b1:
    .byte 0xf3, 0xf, 0x7f, 0x4, 0x25
    .long b1 + 0                # movdqu %xmm0, b1 + 0
    .byte 0xf3, 0xf, 0x7f, 0xc, 0x25
    .long b1 + 16                # movdqu %xmm1, b1 + 16
    .byte 0xf3, 0xf, 0x7f, 0x14, 0x25
    .long b1 + 32                # movdqu %xmm2, b1 + 32
    .byte 0xf3, 0xf, 0x7f, 0x1c, 0x25
    .long b1 + 48                # movdqu %xmm3, b1 + 48
    .byte 0xf3, 0xf, 0x7f, 0x24, 0x25
    .long b1 + 64                # movdqu %xmm4, b1 + 64
    .byte 0xf3, 0xf, 0x7f, 0x2c, 0x25
    .long b1 + 80                # movdqu %xmm5, b1 + 80
    .byte 0xf3, 0xf, 0x7f, 0x34, 0x25
    .long b1 + 96                # movdqu %xmm6, b1 + 96
    .byte 0xf3, 0xf, 0x7f, 0x3c, 0x25
    .long b1 + 112                # movdqu %xmm7, b1 + 112
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x4, 0x25
    .long b1 + 128                # movdqu %xmm8, b1 + 128
    .byte 0xf3, 0x44, 0xf, 0x7f, 0xc, 0x25
    .long b1 + 144                # movdqu %xmm9, b1 + 144
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x14, 0x25
    .long b1 + 160                # movdqu %xmm10, b1 + 160
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x1c, 0x25
    .long b1 + 176                # movdqu %xmm11, b1 + 176
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x24, 0x25
    .long b1 + 192                # movdqu %xmm12, b1 + 192
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x2c, 0x25
    .long b1 + 208                # movdqu %xmm13, b1 + 208
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x34, 0x25
    .long b1 + 224                # movdqu %xmm14, b1 + 224
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x3c, 0x25
    .long b1 + 240                # movdqu %xmm15, b1 + 240
    .byte 0xf3, 0xf, 0x6f, 0x4, 0x25
    .long bnew + 0                # movdqu bnew + 0, %xmm0
    .byte 0xf3, 0xf, 0x6f, 0xc, 0x25
    .long bnew + 16                # movdqu bnew + 16, %xmm1
    .byte 0xf3, 0xf, 0x6f, 0x14, 0x25
    .long bnew + 32                # movdqu bnew + 32, %xmm2
    .byte 0xf3, 0xf, 0x6f, 0x1c, 0x25
    .long bnew + 48                # movdqu bnew + 48, %xmm3
    .byte 0xf3, 0xf, 0x6f, 0x24, 0x25
    .long bnew + 64                # movdqu bnew + 64, %xmm4
    .byte 0xf3, 0xf, 0x6f, 0x2c, 0x25
    .long bnew + 80                # movdqu bnew + 80, %xmm5
    .byte 0xf3, 0xf, 0x6f, 0x34, 0x25
    .long bnew + 96                # movdqu bnew + 96, %xmm6
    .byte 0xf3, 0xf, 0x6f, 0x3c, 0x25
    .long bnew + 112                # movdqu bnew + 112, %xmm7
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x4, 0x25
    .long bnew + 128                # movdqu bnew + 128, %xmm8
    .byte 0xf3, 0x44, 0xf, 0x6f, 0xc, 0x25
    .long bnew + 144                # movdqu bnew + 144, %xmm9
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x14, 0x25
    .long bnew + 160                # movdqu bnew + 160, %xmm10
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x1c, 0x25
    .long bnew + 176                # movdqu bnew + 176, %xmm11
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x24, 0x25
    .long bnew + 192                # movdqu bnew + 192, %xmm12
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x2c, 0x25
    .long bnew + 208                # movdqu bnew + 208, %xmm13
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x34, 0x25
    .long bnew + 224                # movdqu bnew + 224, %xmm14
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x3c, 0x25
    .long bnew + 240                # movdqu bnew + 240, %xmm15
    ret
# touch_a3: the running thread uses the FPU: it records its XMM registers (the first store
# raises #NM while CR0.TS is set) and loads new contents.
touch_a3:
    .byte 0xf3, 0xf, 0x7f, 0x4, 0x25
    .long a3 + 0                # movdqu %xmm0, a3 + 0
    .byte 0xf3, 0xf, 0x7f, 0xc, 0x25
    .long a3 + 16                # movdqu %xmm1, a3 + 16
    .byte 0xf3, 0xf, 0x7f, 0x14, 0x25
    .long a3 + 32                # movdqu %xmm2, a3 + 32
    .byte 0xf3, 0xf, 0x7f, 0x1c, 0x25
    .long a3 + 48                # movdqu %xmm3, a3 + 48
    .byte 0xf3, 0xf, 0x7f, 0x24, 0x25
    .long a3 + 64                # movdqu %xmm4, a3 + 64
    .byte 0xf3, 0xf, 0x7f, 0x2c, 0x25
    .long a3 + 80                # movdqu %xmm5, a3 + 80
    .byte 0xf3, 0xf, 0x7f, 0x34, 0x25
    .long a3 + 96                # movdqu %xmm6, a3 + 96
    .byte 0xf3, 0xf, 0x7f, 0x3c, 0x25
    .long a3 + 112                # movdqu %xmm7, a3 + 112
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x4, 0x25
    .long a3 + 128                # movdqu %xmm8, a3 + 128
    .byte 0xf3, 0x44, 0xf, 0x7f, 0xc, 0x25
    .long a3 + 144                # movdqu %xmm9, a3 + 144
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x14, 0x25
    .long a3 + 160                # movdqu %xmm10, a3 + 160
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x1c, 0x25
    .long a3 + 176                # movdqu %xmm11, a3 + 176
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x24, 0x25
    .long a3 + 192                # movdqu %xmm12, a3 + 192
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x2c, 0x25
    .long a3 + 208                # movdqu %xmm13, a3 + 208
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x34, 0x25
    .long a3 + 224                # movdqu %xmm14, a3 + 224
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x3c, 0x25
    .long a3 + 240                # movdqu %xmm15, a3 + 240
    .byte 0xf3, 0xf, 0x6f, 0x4, 0x25
    .long anew + 0                # movdqu anew + 0, %xmm0
    .byte 0xf3, 0xf, 0x6f, 0xc, 0x25
    .long anew + 16                # movdqu anew + 16, %xmm1
    .byte 0xf3, 0xf, 0x6f, 0x14, 0x25
    .long anew + 32                # movdqu anew + 32, %xmm2
    .byte 0xf3, 0xf, 0x6f, 0x1c, 0x25
    .long anew + 48                # movdqu anew + 48, %xmm3
    .byte 0xf3, 0xf, 0x6f, 0x24, 0x25
    .long anew + 64                # movdqu anew + 64, %xmm4
    .byte 0xf3, 0xf, 0x6f, 0x2c, 0x25
    .long anew + 80                # movdqu anew + 80, %xmm5
    .byte 0xf3, 0xf, 0x6f, 0x34, 0x25
    .long anew + 96                # movdqu anew + 96, %xmm6
    .byte 0xf3, 0xf, 0x6f, 0x3c, 0x25
    .long anew + 112                # movdqu anew + 112, %xmm7
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x4, 0x25
    .long anew + 128                # movdqu anew + 128, %xmm8
    .byte 0xf3, 0x44, 0xf, 0x6f, 0xc, 0x25
    .long anew + 144                # movdqu anew + 144, %xmm9
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x14, 0x25
    .long anew + 160                # movdqu anew + 160, %xmm10
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x1c, 0x25
    .long anew + 176                # movdqu anew + 176, %xmm11
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x24, 0x25
    .long anew + 192                # movdqu anew + 192, %xmm12
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x2c, 0x25
    .long anew + 208                # movdqu anew + 208, %xmm13
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x34, 0x25
    .long anew + 224                # movdqu anew + 224, %xmm14
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x3c, 0x25
    .long anew + 240                # movdqu anew + 240, %xmm15
    ret
# touch_a5: the running thread uses the FPU: it records its XMM registers (the first store
# raises #NM while CR0.TS is set) and loads new contents.
touch_a5:
    .byte 0xf3, 0xf, 0x7f, 0x4, 0x25
    .long a5 + 0                # movdqu %xmm0, a5 + 0
    .byte 0xf3, 0xf, 0x7f, 0xc, 0x25
    .long a5 + 16                # movdqu %xmm1, a5 + 16
    .byte 0xf3, 0xf, 0x7f, 0x14, 0x25
    .long a5 + 32                # movdqu %xmm2, a5 + 32
    .byte 0xf3, 0xf, 0x7f, 0x1c, 0x25
    .long a5 + 48                # movdqu %xmm3, a5 + 48
    .byte 0xf3, 0xf, 0x7f, 0x24, 0x25
    .long a5 + 64                # movdqu %xmm4, a5 + 64
    .byte 0xf3, 0xf, 0x7f, 0x2c, 0x25
    .long a5 + 80                # movdqu %xmm5, a5 + 80
    .byte 0xf3, 0xf, 0x7f, 0x34, 0x25
    .long a5 + 96                # movdqu %xmm6, a5 + 96
    .byte 0xf3, 0xf, 0x7f, 0x3c, 0x25
    .long a5 + 112                # movdqu %xmm7, a5 + 112
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x4, 0x25
    .long a5 + 128                # movdqu %xmm8, a5 + 128
    .byte 0xf3, 0x44, 0xf, 0x7f, 0xc, 0x25
    .long a5 + 144                # movdqu %xmm9, a5 + 144
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x14, 0x25
    .long a5 + 160                # movdqu %xmm10, a5 + 160
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x1c, 0x25
    .long a5 + 176                # movdqu %xmm11, a5 + 176
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x24, 0x25
    .long a5 + 192                # movdqu %xmm12, a5 + 192
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x2c, 0x25
    .long a5 + 208                # movdqu %xmm13, a5 + 208
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x34, 0x25
    .long a5 + 224                # movdqu %xmm14, a5 + 224
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x3c, 0x25
    .long a5 + 240                # movdqu %xmm15, a5 + 240
    .byte 0xf3, 0xf, 0x6f, 0x4, 0x25
    .long anew2 + 0                # movdqu anew2 + 0, %xmm0
    .byte 0xf3, 0xf, 0x6f, 0xc, 0x25
    .long anew2 + 16                # movdqu anew2 + 16, %xmm1
    .byte 0xf3, 0xf, 0x6f, 0x14, 0x25
    .long anew2 + 32                # movdqu anew2 + 32, %xmm2
    .byte 0xf3, 0xf, 0x6f, 0x1c, 0x25
    .long anew2 + 48                # movdqu anew2 + 48, %xmm3
    .byte 0xf3, 0xf, 0x6f, 0x24, 0x25
    .long anew2 + 64                # movdqu anew2 + 64, %xmm4
    .byte 0xf3, 0xf, 0x6f, 0x2c, 0x25
    .long anew2 + 80                # movdqu anew2 + 80, %xmm5
    .byte 0xf3, 0xf, 0x6f, 0x34, 0x25
    .long anew2 + 96                # movdqu anew2 + 96, %xmm6
    .byte 0xf3, 0xf, 0x6f, 0x3c, 0x25
    .long anew2 + 112                # movdqu anew2 + 112, %xmm7
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x4, 0x25
    .long anew2 + 128                # movdqu anew2 + 128, %xmm8
    .byte 0xf3, 0x44, 0xf, 0x6f, 0xc, 0x25
    .long anew2 + 144                # movdqu anew2 + 144, %xmm9
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x14, 0x25
    .long anew2 + 160                # movdqu anew2 + 160, %xmm10
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x1c, 0x25
    .long anew2 + 176                # movdqu anew2 + 176, %xmm11
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x24, 0x25
    .long anew2 + 192                # movdqu anew2 + 192, %xmm12
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x2c, 0x25
    .long anew2 + 208                # movdqu anew2 + 208, %xmm13
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x34, 0x25
    .long anew2 + 224                # movdqu anew2 + 224, %xmm14
    .byte 0xf3, 0x44, 0xf, 0x6f, 0x3c, 0x25
    .long anew2 + 240                # movdqu anew2 + 240, %xmm15
    ret

touch_b4:
    movq gp + GP_RAX, %rax
    movq gp + GP_RCX, %rcx
    movq gp + GP_RDX, %rdx
    movq gp + GP_RSI, %rsi
    movq gp + GP_RDI, %rdi
    movq gp + GP_R8, %r8
    movq gp + GP_R9, %r9
    movq gp + GP_R10, %r10
    movq gp + GP_R11, %r11
    .byte 0xf3, 0xf, 0x7f, 0x4, 0x25
    .long b4 + 0                # movdqu %xmm0, b4 + 0
    .byte 0xf3, 0xf, 0x7f, 0xc, 0x25
    .long b4 + 16                # movdqu %xmm1, b4 + 16
    .byte 0xf3, 0xf, 0x7f, 0x14, 0x25
    .long b4 + 32                # movdqu %xmm2, b4 + 32
    .byte 0xf3, 0xf, 0x7f, 0x1c, 0x25
    .long b4 + 48                # movdqu %xmm3, b4 + 48
    .byte 0xf3, 0xf, 0x7f, 0x24, 0x25
    .long b4 + 64                # movdqu %xmm4, b4 + 64
    .byte 0xf3, 0xf, 0x7f, 0x2c, 0x25
    .long b4 + 80                # movdqu %xmm5, b4 + 80
    .byte 0xf3, 0xf, 0x7f, 0x34, 0x25
    .long b4 + 96                # movdqu %xmm6, b4 + 96
    .byte 0xf3, 0xf, 0x7f, 0x3c, 0x25
    .long b4 + 112                # movdqu %xmm7, b4 + 112
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x4, 0x25
    .long b4 + 128                # movdqu %xmm8, b4 + 128
    .byte 0xf3, 0x44, 0xf, 0x7f, 0xc, 0x25
    .long b4 + 144                # movdqu %xmm9, b4 + 144
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x14, 0x25
    .long b4 + 160                # movdqu %xmm10, b4 + 160
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x1c, 0x25
    .long b4 + 176                # movdqu %xmm11, b4 + 176
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x24, 0x25
    .long b4 + 192                # movdqu %xmm12, b4 + 192
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x2c, 0x25
    .long b4 + 208                # movdqu %xmm13, b4 + 208
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x34, 0x25
    .long b4 + 224                # movdqu %xmm14, b4 + 224
    .byte 0xf3, 0x44, 0xf, 0x7f, 0x3c, 0x25
    .long b4 + 240                # movdqu %xmm15, b4 + 240
    movq %rax, gpseen + GP_RAX
    movq %rcx, gpseen + GP_RCX
    movq %rdx, gpseen + GP_RDX
    movq %rsi, gpseen + GP_RSI
    movq %rdi, gpseen + GP_RDI
    movq %r8, gpseen + GP_R8
    movq %r9, gpseen + GP_R9
    movq %r10, gpseen + GP_R10
    movq %r11, gpseen + GP_R11
    ret

# switch(next = rdi): fpu_switch(next), then TS into seen.ts (rsi = the slot)
switch:
    pushq %rsi
    call fpu_switch
    popq %rsi
    movq %cr0, %rax
    shrq $3, %rax
    andq $1, %rax
    movq %rax, (%rsi)
    ret

_start:
    movw $(nm_handler & 0xffff), RECORD_IDT + 7 * 16
    movw $((nm_handler >> 16) & 0xffff), RECORD_IDT + 7 * 16 + 6
    movq %cr4, %rax
    orq $0x40600, %rax                  # OSFXSR, OSXMMEXCPT, OSXSAVE
    movq %rax, %cr4
    movl sched + SCHED_XCR0, %eax
    xorl %edx, %edx
    xorl %ecx, %ecx
    xsetbv
    call load_b
    movl $-1, %eax
    movl $-1, %edx
    xsave tb + THREAD_FPU
    xsave tc + THREAD_FPU
    call load_a
    movq $ta, percpu + PERCPU_CURRENT
    movq $ta, percpu + PERCPU_FPU_OWNER
    movq $tb, %rdi                      # 1: B
    leaq seen + SEEN_TS1, %rsi
    call switch
    cmpq $0, sched + SCHED_B1
    je 1f
    call touch_b1
1:  movq $tc, %rdi                      # 2: C, which never touches the FPU
    leaq seen + SEEN_TS2, %rsi
    call switch
    movq $ta, %rdi                      # 3: A
    leaq seen + SEEN_TS3, %rsi
    call switch
    call touch_a3
    movq $tb, %rdi                      # 4: B
    leaq seen + SEEN_TS4, %rsi
    call switch
    call touch_b4
    movq $ta, %rdi                      # 5: A
    leaq seen + SEEN_TS5, %rsi
    call switch
    cmpq $0, sched + SCHED_A5
    je 2f
    call touch_a5
2:  movq percpu + PERCPU_FPU_OWNER, %rax
    movq %rax, seen + SEEN_OWNER
    hlt
