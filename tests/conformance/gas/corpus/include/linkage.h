/* Symbol and section helpers in the style of a kernel's linkage header. */
#ifndef KERNEL_LINKAGE_H
#define KERNEL_LINKAGE_H

#define ALIGN .p2align 4, 0x90
#define ENTRY(name) .globl name; ALIGN; name:
#define END(name) .size name, . - name
#define SYM_FUNC_START(name) ENTRY(name) .type name, @function
#define __KERNEL_CS 0x10
#define __KERNEL_DS 0x18
#define GLUE(a, b) a##b
#define STR(x) #x

#endif
