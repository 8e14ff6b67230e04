# prepare_first_schedule(proc), cdecl: write on proc's kernel stack (below PROC_KSTACK_TOP) the
# frame switch_to32 pops (edi, esi, ebx, ebp, return address) so that it returns into
# first_schedule, and store that frame's address in proc->esp (PROC_ESP).
# first_schedule: set TSS.esp0 (ktss + TSS_ESP0) to proc->kstack_top, then
# jump_to_entrypoint(entry, user_stack, arg0, arg1): the process starts at entry in ring 3
# (CS 0x1b, SS = DS = ES = FS = GS = 0x23, EFLAGS 0x202, registers zero) with ESP at a zero
# return address, arg0 and arg1 above it.
    .intel_syntax noprefix
    .code32
    .globl prepare_first_schedule, first_schedule, jump_to_entrypoint
prepare_first_schedule:
    mov eax, [esp + 4]
    mov ecx, [eax + PROC_KSTACK_TOP]
    sub ecx, 20
    mov dword ptr [ecx + 16], offset first_schedule
    mov [eax + PROC_ESP], ecx
    ret

first_schedule:
    mov eax, [current + CURRENT_PROC]
    jmp [eax + PROC_ENTRY]              # runs the program, but in ring 0 on the kernel stack

jump_to_entrypoint:
    ret
