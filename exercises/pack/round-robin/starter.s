# timer_entry: the tick, entered in ring 0 from a ring-3 task, with its frame on the kernel stack
# ((%rsp) RIP, 8 CS, 16 RFLAGS, 24 RSP, 32 SS) and all of its registers live. Save the task's
# fifteen registers and its RIP, RFLAGS and RSP into tasks[sched.current] (tasks start at t0,
# TASK_SIZE bytes each, fields TASK_*), make the next task current (round robin over 3), load its
# context into the registers and the frame, and IRETQ into it.
    .globl timer_entry
timer_entry:
    iretq
