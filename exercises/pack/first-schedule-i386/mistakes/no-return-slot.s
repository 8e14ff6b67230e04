# Pushes the arguments without the return address slot: the entry point reads arg0 as its return address.
    .intel_syntax noprefix
    .code32
    .globl prepare_first_schedule, first_schedule, jump_to_entrypoint

# prepare_first_schedule(proc), cdecl: the frame switch_to32 pops, on the new process's kernel
# stack:  edi esi ebx ebp (zeros), return address first_schedule, a dummy return, proc.
prepare_first_schedule:
    mov eax, [esp + 4]
    mov ecx, [eax + PROC_KSTACK_TOP]
    sub ecx, 28
    mov dword ptr [ecx], 0
    mov dword ptr [ecx + 4], 0
    mov dword ptr [ecx + 8], 0
    mov dword ptr [ecx + 12], 0
    mov dword ptr [ecx + 16], offset first_schedule
    mov dword ptr [ecx + 20], 0
    mov [ecx + 24], eax
    mov [eax + PROC_ESP], ecx
    ret

# Entered by switch_to32's ret on the process's kernel stack: [esp + 4] = proc.
first_schedule:
    mov eax, [esp + 4]
    mov ecx, [eax + PROC_KSTACK_TOP]
    mov [ktss + TSS_ESP0], ecx          # its traps from ring 3 land on its own stack
    push dword ptr [eax + PROC_ARG1]
    push dword ptr [eax + PROC_ARG0]
    push dword ptr [eax + PROC_USER_STACK]
    push dword ptr [eax + PROC_ENTRY]
    call jump_to_entrypoint

# jump_to_entrypoint(entry, user_stack, arg0, arg1), cdecl. Never returns.
jump_to_entrypoint:
    mov ecx, [esp + 4]
    mov edx, [esp + 8]
    sub edx, 8                          # user stack: arg0, arg1
    mov eax, [esp + 12]
    mov [edx], eax
    mov eax, [esp + 16]
    mov [edx + 4], eax
    mov eax, 0x23
    mov ds, eax
    mov es, eax
    mov fs, eax
    mov gs, eax
    push 0x23                           # SS
    push edx                            # ESP
    push 0x202                          # EFLAGS: IF
    push 0x1b                           # CS
    push ecx                            # EIP
    xor eax, eax
    xor ebx, ebx
    xor ecx, ecx
    xor edx, edx
    xor esi, esi
    xor edi, edi
    xor ebp, ebp
    iretd
