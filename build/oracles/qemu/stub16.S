# Loads the state that QEMU's gdbstub cannot set: GDTR, IDTR, LDTR, TR and MSRs.
# Runs in real mode with CS = DS = this page; parameters at offset 0x800:
#   0x800 GDTR (limit16, base32)   0x808 IDTR (limit16, base32)
#   0x810 LDTR selector            0x812 TR selector
#   0x814 MSR count                0x820 MSRs: (index32, low32, high32) each
# Ends on the HLT labelled done, where the runner has placed a breakpoint.
.code16
  lgdtl 0x800
  lidtl 0x808
  mov %cr0, %eax
  or $1, %eax
  mov %eax, %cr0
  mov 0x810, %ax
  lldt %ax
  mov 0x812, %ax
  ltr %ax
  mov 0x814, %bp
  mov $0x820, %bx
1:
  test %bp, %bp
  jz done
  mov (%bx), %ecx
  mov 4(%bx), %eax
  mov 8(%bx), %edx
  wrmsr
  add $12, %bx
  dec %bp
  jmp 1b
done:
  hlt
