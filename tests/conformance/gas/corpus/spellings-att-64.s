# Less common spellings GNU as accepts (and a few it rejects), one per line.
# corpus: flat bits=64
movzx (%rax), %eax
movzb (%rax), %eax
movzbw (%rax), %ax
movsx %al, %eax
movsbl %al, %eax
movsxd (%rax), %rax
movslq (%rax), %rax
movzwl %ax, %eax
mov %eax, %rbx
xchg %rax, %rax
xchg %eax, %eax
xchg %ax, %ax
nop
nopl (%rax)
nopw 0(%rax,%rax,1)
test %al, %al
test (%rax), %al
lea (%rax), %ax
bt %eax, (%rax)
btl $3, (%rax)
shl %cl, (%rax)
shll %cl, (%rax)
sar $3, (%rax)
jmp *%rax
jmpq *(%rax)
call *8(%rax)
callq *%rax
movq %rax, %cr0
mov %cr0, %eax
mov %rax, %dr7
push %cs
push %ds
pop %fs
popq %gs
pushw %fs
mov %es, %ax
mov %es, %eax
movw %es, %ax
movl %es, %eax
movq %es, %rax
mov %rax, %es
str %ax
str %eax
str %rax
sldt %rax
smsw %eax
lmsw %ax
lar %ax, %eax
lsl (%rax), %eax
in (%dx), %al
out %al, (%dx)
inb %dx
outb $0x80
inl $0x60
movabs 0x10, %al
movabs %al, 0x10
movabsq $0x10, %rax
mov $0x80000000, %rax
mov $-0x80000000, %rax
movq $0x7fffffff, (%rax)
imul %eax
imul (%rax), %ecx
imul $0x7f, %ecx
imul $0x80, (%rax), %ecx
cmpxchg16b (%rax)
bswap %rax
cwtl
cltq
cqto
ret $0
lret $8
iretw
iretl
sysexitq
sysexitl
ud2a
ud1 %eax, %ebx
ud0 %eax, %ebx
int1
icebp
hlt
pause
rep nop
lock; addl $1, (%rax)
data16 nop
addr32 movsb
rex64 nop
cs nop
ds jmp *%rax
notrack jmp *%rax
jmp *%eax
ljmp *%rax
movw $1, %ds:0x10
mov %fs:0, %rax
mov %gs:(%rax), %rax
mov (%rip), %eax
mov 0(%rip), %eax
mov (,%rax), %eax
mov (,%rax,1), %eax
mov 0x10(,%rax,8), %eax
mov (%rax,%rbx,), %eax
mov %eax, (%eip)
lea 8(%eip), %eax
lea (%rsp,%rsp), %eax
lgs (%rax), %rax
lfs (%rax), %eax
lssw (%rax), %ax
