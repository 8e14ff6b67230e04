/*
 * Runs conformance cases on the host CPU in 64-bit user mode and prints what the silicon did.
 *
 * Input, one case per line:  ID CODE RAX RCX ... R15 RFLAGS DATA [SIMD]
 *   CODE and DATA are hex bytes (DATA may be "-"), registers and RFLAGS are bare hex numbers.
 *   SIMD, when present, is an 832-byte XSAVE image (legacy region, header, YMM_Hi128) loaded with
 *   XRSTOR64 (RFBM = x87|SSE|AVX) just before the case runs.
 * Output, one line per case: ID RAX ... R15 RFLAGS FAULT FAULTRIP DATA [SIMD]
 *   FAULT is a vector mnemonic (#DE, #GP, ...) or "-", FAULTRIP is hex or "-", DATA is the data
 *   page's first len(DATA) bytes (64 when the case had none). SIMD is the same image taken with
 *   XSAVE64 after the case (or from the signal frame after a fault), components whose XSTATE_BV
 *   bit is clear replaced by their initial configuration.
 *
 * With `--xcr0` it prints XCR0 (hex, 0 when the OS has not enabled XSAVE) and exits.
 *
 * The case's code is copied to CODE_ADDR and followed by an absolute jump back into this program.
 * Every GPR (RSP included) and RFLAGS are loaded from the case, so the harness keeps its own
 * state in globals reached RIP-relatively and takes faults on an alternate signal stack.
 *
 * This is user mode with IOPL 0: a POPF in a case cannot change IF (always 1) or IOPL, and Linux
 * runs with CR0.AM set, so a case that sets AC and then accesses memory unaligned takes #AC.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#define CODE_ADDR 0x10000000UL
#define DATA_ADDR 0x20000000UL
#define DATA_SIZE 0x1000UL
#define STACK_TOP 0x30001000UL
#define STACK_SIZE 0x1000UL
#define CODE_SIZE 0x1000UL
#define MAX_CODE (CODE_SIZE - 32)
#define DEFAULT_DATA_OUT 64

/* Slot order matches the case format: rax rcx rdx rbx rsp rbp rsi rdi r8..r15, then rflags. */
enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15, RFLAGS, NSLOTS };

uint64_t case_in[NSLOTS];
uint64_t case_out[NSLOTS];
uint64_t harness_rsp;
uint64_t case_entry = CODE_ADDR;
#define SIMD_SIZE 832
uint8_t simd_in[1024] __attribute__((aligned(64)));
uint8_t simd_out[1024] __attribute__((aligned(64)));
uint64_t simd_on;
uint32_t mxcsr_default = 0x1f80;

void enter_case(void);
void case_return(void);

/* Trampoline: save the callee-saved registers on our stack, load the case's state, jump to it. */
__asm__(
    ".text\n"
    ".globl enter_case\n"
    "enter_case:\n"
    "  push %rbx\n  push %rbp\n  push %r12\n  push %r13\n  push %r14\n  push %r15\n"
    "  mov %rsp, harness_rsp(%rip)\n"
    /* The case's SIMD state first: CMP changes flags, XRSTOR needs EDX:EAX. */
    "  cmpq $0, simd_on(%rip)\n"
    "  je 1f\n"
    "  mov $7, %eax\n  xor %edx, %edx\n"
    "  xrstor64 simd_in(%rip)\n"
    "1:\n"
    "  pushq case_in+128(%rip)\n"
    "  popfq\n"
    "  mov case_in+0(%rip), %rax\n  mov case_in+8(%rip), %rcx\n  mov case_in+16(%rip), %rdx\n"
    "  mov case_in+24(%rip), %rbx\n  mov case_in+40(%rip), %rbp\n  mov case_in+48(%rip), %rsi\n"
    "  mov case_in+56(%rip), %rdi\n  mov case_in+64(%rip), %r8\n  mov case_in+72(%rip), %r9\n"
    "  mov case_in+80(%rip), %r10\n  mov case_in+88(%rip), %r11\n  mov case_in+96(%rip), %r12\n"
    "  mov case_in+104(%rip), %r13\n  mov case_in+112(%rip), %r14\n  mov case_in+120(%rip), %r15\n"
    "  mov case_in+32(%rip), %rsp\n"
    "  jmp *case_entry(%rip)\n"
    /* Reached through the jump appended to the case's code. RSP is saved before any stack use so
       that a case pointing RSP into the data page does not see its bytes overwritten. */
    ".globl case_return\n"
    "case_return:\n"
    "  mov %rax, case_out+0(%rip)\n  mov %rcx, case_out+8(%rip)\n  mov %rdx, case_out+16(%rip)\n"
    "  mov %rbx, case_out+24(%rip)\n  mov %rsp, case_out+32(%rip)\n  mov %rbp, case_out+40(%rip)\n"
    "  mov %rsi, case_out+48(%rip)\n  mov %rdi, case_out+56(%rip)\n  mov %r8, case_out+64(%rip)\n"
    "  mov %r9, case_out+72(%rip)\n  mov %r10, case_out+80(%rip)\n  mov %r11, case_out+88(%rip)\n"
    "  mov %r12, case_out+96(%rip)\n  mov %r13, case_out+104(%rip)\n  mov %r14, case_out+112(%rip)\n"
    "  mov %r15, case_out+120(%rip)\n"
    "  mov harness_rsp(%rip), %rsp\n"
    "  pushfq\n"
    "  popq case_out+128(%rip)\n"
    /* Back to a clean RFLAGS for C code: DF clear (ABI) and AC clear (Linux sets CR0.AM). */
    "  pushq $0x202\n"
    "  popfq\n"
    /* The case's SIMD state, then a clean one for C code (a case may unmask SIMD exceptions). */
    "  cmpq $0, simd_on(%rip)\n"
    "  je 2f\n"
    "  mov $7, %eax\n  xor %edx, %edx\n"
    "  xsave64 simd_out(%rip)\n"
    "  fninit\n"
    "  ldmxcsr mxcsr_default(%rip)\n"
    "2:\n"
    "  pop %r15\n  pop %r14\n  pop %r13\n  pop %r12\n  pop %rbp\n  pop %rbx\n"
    "  ret\n");

static sigjmp_buf fault_jump;
static const char *fault_name;
static uint64_t fault_rip;

static const char *vector_name(int sig, long trapno) {
  switch (trapno) {
    case 0: return "#DE";
    case 3: return "#BP";
    case 4: return "#OF";
    case 6: return "#UD";
    case 12: return "#SS";
    case 13: return "#GP";
    case 14: return "#PF";
    case 16: return "#MF";
    case 17: return "#AC";
    case 19: return "#XM";
  }
  switch (sig) {
    case SIGFPE: return "#DE";
    case SIGILL: return "#UD";
    case SIGTRAP: return "#BP";
    case SIGBUS: return "#AC";
  }
  return "#GP";
}

static void on_fault(int sig, siginfo_t *info, void *context) {
  (void)info;
  /* The case may have left AC set (Linux runs user mode with CR0.AM=1): clear it before C code. */
  __asm__ volatile("pushq $0x202\n popfq" ::: "cc", "memory");
  const greg_t *g = ((ucontext_t *)context)->uc_mcontext.gregs;
  static const int order[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
                                REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15};
  for (int i = 0; i < 16; i++) case_out[i] = (uint64_t)g[order[i]];
  case_out[RFLAGS] = (uint64_t)g[REG_EFL];
  fault_rip = (uint64_t)g[REG_RIP];
  fault_name = vector_name(sig, (long)g[REG_TRAPNO]);
  if (simd_on) {
    /* Linux's signal frame holds the interrupted state in XSAVE standard format (its legacy
       region is the FXSAVE image; the header and extended components follow when sw_reserved
       carries FP_XSTATE_MAGIC1). */
    const uint8_t *fp = (const uint8_t *)((ucontext_t *)context)->uc_mcontext.fpregs;
    uint32_t magic;
    memcpy(&magic, fp + 464, 4);
    memset(simd_out, 0, SIMD_SIZE);
    memcpy(simd_out, fp, magic == 0x46505853U ? SIMD_SIZE : 512);
    if (magic != 0x46505853U) simd_out[512] = 3;
  }
  siglongjmp(fault_jump, 1);
}

/* A component whose XSTATE_BV bit is clear is in its initial configuration (SDM Vol. 1, 13.6). */
static void normalize_simd(uint8_t *img) {
  uint8_t bv = img[512];
  if (!(bv & 1)) {
    memset(img, 0, 24);
    memset(img + 32, 0, 128);
    img[0] = 0x7f;
    img[1] = 0x03;
  }
  if (!(bv & 2)) memset(img + 160, 0, 256);
  if (!(bv & 4)) memset(img + 576, 0, 256);
}

static void die(const char *what, const char *detail) {
  fprintf(stderr, "harness: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  exit(2);
}

static void map_fixed(uint64_t addr, size_t size, int prot, const char *name) {
  void *p = mmap((void *)addr, size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (p == MAP_FAILED || (uint64_t)p != addr) die("cannot map the page at its fixed address", name);
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Parses hex bytes into out; returns the count, or -1 when malformed or longer than max. */
static long parse_bytes(const char *text, uint8_t *out, size_t max) {
  if (strcmp(text, "-") == 0) return 0;
  size_t n = strlen(text);
  if (n % 2 || n / 2 > max) return -1;
  for (size_t i = 0; i < n / 2; i++) {
    int hi = hexval(text[2 * i]), lo = hexval(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return -1;
    out[i] = (uint8_t)(hi << 4 | lo);
  }
  return (long)(n / 2);
}

static int parse_u64(const char *text, uint64_t *out) {
  char *end;
  errno = 0;
  *out = strtoull(text, &end, 16);
  return errno == 0 && end != text && *end == 0;
}

static void put_hex(FILE *f, const uint8_t *bytes, size_t n) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    fputc(digits[bytes[i] >> 4], f);
    fputc(digits[bytes[i] & 15], f);
  }
}

static void print_xcr0(void) {
  uint32_t ecx1, eax, edx;
  __asm__ volatile("cpuid" : "=c"(ecx1), "=a"(eax), "=d"(edx) : "a"(1), "c"(0) : "ebx");
  if (!(ecx1 & (1U << 27))) {
    puts("0");
    return;
  }
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  printf("%lx\n", (unsigned long)eax | (unsigned long)edx << 32);
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--xcr0") == 0) {
    print_xcr0();
    return 0;
  }
  map_fixed(CODE_ADDR, CODE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC, "code");
  map_fixed(DATA_ADDR, DATA_SIZE, PROT_READ | PROT_WRITE, "data");
  map_fixed(STACK_TOP - STACK_SIZE, STACK_SIZE, PROT_READ | PROT_WRITE, "stack");

  stack_t alt = {.ss_sp = malloc(1 << 16), .ss_size = 1 << 16, .ss_flags = 0};
  if (!alt.ss_sp || sigaltstack(&alt, NULL) != 0) die("cannot install the signal stack", NULL);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  const int sigs[] = {SIGFPE, SIGSEGV, SIGILL, SIGBUS, SIGTRAP};
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
    if (sigaction(sigs[i], &sa, NULL) != 0) die("cannot install a signal handler", NULL);

  static char line[1 << 16];
  static uint8_t code[MAX_CODE], data[DATA_SIZE];
  uint8_t *const code_page = (uint8_t *)CODE_ADDR, *const data_page = (uint8_t *)DATA_ADDR;
  uint8_t *const stack_page = (uint8_t *)(STACK_TOP - STACK_SIZE);
  uint64_t back = (uint64_t)(uintptr_t)case_return;
  long lineno = 0;

  while (fgets(line, sizeof line, stdin)) {
    lineno++;
    char where[64];
    snprintf(where, sizeof where, "line %ld", lineno);
    size_t len = strlen(line);
    if (len && line[len - 1] == '\n') line[--len] = 0;
    if (len == 0) continue;

    char *fields[21];
    int nf = 0;
    for (char *tok = strtok(line, " "); tok && nf < 21; tok = strtok(NULL, " ")) fields[nf++] = tok;
    if (nf != 20 && nf != 21) die(where, "expected 20 fields (id code 16 registers rflags data), or 21 with a SIMD image");
    simd_on = nf == 21;
    if (simd_on) {
      memset(simd_in, 0, sizeof simd_in);
      if (parse_bytes(fields[20], simd_in, SIMD_SIZE) != SIMD_SIZE) die(where, "malformed SIMD image");
      /* XSTATE_BV = x87|SSE|AVX and a zero XCOMP_BV: the standard form, every component from the image. */
      memset(simd_in + 512, 0, 64);
      simd_in[512] = 7;
    }
    long code_len = parse_bytes(fields[1], code, MAX_CODE - 14);
    if (code_len < 0) die(where, "malformed or oversized code");
    for (int i = 0; i < 17; i++)
      if (!parse_u64(fields[2 + i], &case_in[i])) die(where, "malformed register value");
    long data_len = parse_bytes(fields[19], data, DATA_SIZE);
    if (data_len < 0) die(where, "malformed or oversized data");

    memset(code_page, 0xcc, CODE_SIZE);
    memcpy(code_page, code, (size_t)code_len);
    /* jmp qword ptr [rip+disp32] through an 8-aligned slot at the end of the page: a case that
       sets RFLAGS.AC (POPF) must not take #AC on the way back. */
    int32_t disp = (int32_t)(CODE_SIZE - 8 - ((uint64_t)code_len + 6));
    const uint8_t jump_back[6] = {0xff, 0x25, (uint8_t)disp, (uint8_t)(disp >> 8), (uint8_t)(disp >> 16), (uint8_t)(disp >> 24)};
    memcpy(code_page + code_len, jump_back, sizeof jump_back);
    memcpy(code_page + CODE_SIZE - 8, &back, 8);
    memset(data_page, 0, DATA_SIZE);
    memcpy(data_page, data, (size_t)data_len);
    memset(stack_page, 0, STACK_SIZE);

    fault_name = NULL;
    if (sigsetjmp(fault_jump, 1) == 0) {
      enter_case();
    } else {
      __asm__ volatile("pushq $0x202\n popfq" ::: "cc", "memory");
    }

    fputs(fields[0], stdout);
    for (int i = 0; i < 16; i++) printf(" %lx", (unsigned long)case_out[i]);
    /* RF (bit 16) is an artefact of fault delivery, not of the case. */
    printf(" %lx", (unsigned long)(case_out[RFLAGS] & ~0x10000UL));
    if (fault_name)
      printf(" %s %lx ", fault_name, (unsigned long)fault_rip);
    else
      fputs(" - - ", stdout);
    put_hex(stdout, data_page, data_len ? (size_t)data_len : DEFAULT_DATA_OUT);
    if (simd_on) {
      normalize_simd(simd_out);
      fputc(' ', stdout);
      put_hex(stdout, simd_out, SIMD_SIZE);
    }
    fputc('\n', stdout);
  }
  return 0;
}
