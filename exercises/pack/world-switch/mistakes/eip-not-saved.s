# Saves the guest registers but not where the guest was: the second entry starts it over.
    .intel_syntax noprefix
    .code32
    .globl enter_guest, guest_exit

# enter_guest(vcpu), cdecl: returns when the guest exits.
enter_guest:
    push ebp
    push ebx
    push esi
    push edi
    mov ebx, [esp + 20]
    mov [hostsave + HOST_VCPU], ebx
    sgdt [hostsave + HOST_GDT_LIMIT]        # 6 bytes: limit, then base
    sidt [hostsave + HOST_IDT_LIMIT]
    str word ptr [hostsave + HOST_TR]
    mov eax, cr3
    mov [hostsave + HOST_CR3], eax
    mov word ptr [hostsave + HOST_CS], cs
    mov word ptr [hostsave + HOST_SS], ss
    mov word ptr [hostsave + HOST_DS], ds
    mov word ptr [hostsave + HOST_ES], es
    mov word ptr [hostsave + HOST_FS], fs
    mov word ptr [hostsave + HOST_GS], gs
    mov [hostsave + HOST_ESP], esp
    # The guest's world. Segment registers keep their cached descriptors until reloaded.
    lgdt [ebx + VM_GDT_LIMIT]
    lidt [ebx + VM_IDT_LIMIT]
    movzx ecx, word ptr [ebx + VM_TR]
    and ecx, -8
    add ecx, [ebx + VM_GDT_BASE]
    and byte ptr [ecx + 5], 0xfd            # clear busy: LTR faults on a busy TSS
    ltr word ptr [ebx + VM_TR]
    mov eax, [ebx + VM_CR3]
    mov cr3, eax
    mov eax, 0x23
    mov ds, eax
    mov es, eax
    mov fs, eax
    mov gs, eax
    push 0x23                               # SS
    push dword ptr [ebx + VM_ESP]
    push dword ptr [ebx + VM_EFLAGS]
    push 0x1b                               # CS
    push dword ptr [ebx + VM_EIP]
    mov eax, [ebx + VM_EAX]
    mov ecx, [ebx + VM_ECX]
    mov edx, [ebx + VM_EDX]
    mov esi, [ebx + VM_ESI]
    mov edi, [ebx + VM_EDI]
    mov ebp, [ebx + VM_EBP]
    mov ebx, [ebx + VM_EBX]
    iretd

# The guest's int 0x81: ring 0 on the guest TSS's stack, EIP CS EFLAGS ESP SS on top.
guest_exit:
    push eax
    mov eax, [hostsave + HOST_VCPU]
    mov [eax + VM_EBX], ebx
    mov [eax + VM_ECX], ecx
    mov [eax + VM_EDX], edx
    mov [eax + VM_ESI], esi
    mov [eax + VM_EDI], edi
    mov [eax + VM_EBP], ebp
    pop ecx
    mov [eax + VM_EAX], ecx
    mov ecx, [esp + 8]
    mov [eax + VM_EFLAGS], ecx
    mov ecx, [esp + 12]
    mov [eax + VM_ESP], ecx
    inc dword ptr [eax + VM_EXITS]
    # The host's world, in the reverse order.
    lgdt [hostsave + HOST_GDT_LIMIT]
    lidt [hostsave + HOST_IDT_LIMIT]
    mov eax, [hostsave + HOST_CR3]
    mov cr3, eax
    movzx ecx, word ptr [hostsave + HOST_TR]
    and ecx, -8
    add ecx, [hostsave + HOST_GDT_BASE]
    and byte ptr [ecx + 5], 0xfd
    ltr word ptr [hostsave + HOST_TR]
    mov ss, word ptr [hostsave + HOST_SS]
    mov esp, [hostsave + HOST_ESP]
    mov ds, word ptr [hostsave + HOST_DS]
    mov es, word ptr [hostsave + HOST_ES]
    mov fs, word ptr [hostsave + HOST_FS]
    mov gs, word ptr [hostsave + HOST_GS]
    push dword ptr [hostsave + HOST_CS]
    push offset 1f
    retf                                    # CS from the host's GDT
1:  pop edi
    pop esi
    pop ebx
    pop ebp
    ret
