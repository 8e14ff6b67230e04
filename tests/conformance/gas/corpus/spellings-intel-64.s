# Less common spellings GNU as accepts (and a few it rejects), one per line.
# corpus: flat bits=64
.intel_syntax noprefix
movzx eax, byte ptr [rax]
movzx eax, [rax]
movzx rax, word ptr [rax]
movsx eax, al
movsxd rax, [rax]
mov eax, byte ptr [rax]
mov [rax], eax
mov dword ptr [rax], eax
mov qword ptr [rax], eax
push [rax]
push dword ptr [rax]
push word ptr [rax]
pop [rax]
call [rax]
call qword ptr [rax]
jmp fword ptr [rax]
jmp far ptr [rax]
lgdt [rax]
lgdt fword ptr [rax]
lgdt tbyte ptr [rax]
invlpg [rax]
invlpg byte ptr [rax]
cmpxchg16b [rax]
cmpxchg16b xmmword ptr [rax]
cmpxchg16b oword ptr [rax]
cmpxchg8b qword ptr [rax]
lea rax, [rax+rbx*1]
lea rax, [rbx*2+rax]
lea rax, [rax*2]
lea rax, [rax*1]
mov eax, [rbx+rcx]
mov eax, [rbx+4*rcx]
mov eax, [4*rcx+rbx+8]
mov eax, 8[rbx][rcx*4]
mov eax, [rbx]+8
mov eax, fs:8
mov eax, fs:[8]
mov eax, [fs:8]
mov rax, qword ptr gs:0x28
mov al, [0x10]
mov eax, ds:0x10
mov eax, [rip]
mov eax, [rip+8]
test eax, ebx
test [rax], eax
xchg [rax], eax
xchg eax, [rax]
in al, dx
out dx, al
in eax, 0x60
shl eax, 1
shl eax
shl dword ptr [rax], cl
rol al, 3
imul eax, ebx, 3
imul eax, 3
ret 8
retf
retfq
iretq
iretd
iret
pushfq
popfq
pushf
cdqe
cqo
sysretq
sysretd
movsq
rep stosq
lods al, byte ptr [rsi]
mov cr3, rax
mov rax, dr6
mov ds, ax
mov ax, ds
mov rax, ds
mov word ptr [rax], ds
enter 16, 0
int 3
int3
nop dword ptr [rax]
nop word ptr [rax+rax*1+0]
bt dword ptr [rax], 3
bts qword ptr [rax], 63
setz byte ptr [rax]
setz [rax]
cmovz eax, [rax]
movabs rax, 0x1122334455667788
mov rax, 0x1122334455667788
movabs al, [0x10]
mov eax, offset 8
add eax, -1
and rax, 0xffffffff
and rax, -16
mov eax, 0x100000000
