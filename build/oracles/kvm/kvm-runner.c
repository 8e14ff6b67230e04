/*
 * Runs switchyard scenarios on /dev/kvm. Reads scenarios in a line format on stdin (written by
 * tests/conformance/system/oracles/kvm.ts, which also computes the segment caches from the
 * descriptor tables) and prints each result in a line format on stdout. One VM per scenario.
 *
 * Input, one scenario:            Output:
 *   ram SIZE                        stop hlt|triple-fault|limit|oracle-error [message]
 *   timeout_ms N                    reg NAME VALUE      (rax..r15, rip, rflags)
 *   mem ADDR HEX                    seg NAME SEL BASE LIMIT TYPE S DPL P DB L G AVL UNUSABLE
 *   reg NAME VALUE                  cr NAME VALUE       (cr0 cr2 cr3 cr4 efer)
 *   seg NAME SEL BASE LIMIT TYPE S DPL P DB L G AVL UNUSABLE
 *   cr NAME VALUE                   table gdt|idt BASE LIMIT
 *   table gdt|idt BASE LIMIT        msr INDEX VALUE
 *   msr INDEX VALUE                 mem ADDR HEX
 *   dump ADDR LEN                   end
 *   run
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>

#define MAX_DUMPS 64
#define MAX_MSRS 32

static const char *reg_names[18] = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8",
                                    "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip", "rflags"};
static const char *seg_names[8] = {"cs", "ds", "es", "fs", "gs", "ss", "tr", "ldtr"};

struct scenario {
  uint64_t ram;
  long timeout_ms;
  struct kvm_regs regs;
  struct kvm_segment segs[8];
  uint64_t cr0, cr2, cr3, cr4, efer;
  struct kvm_dtable gdt, idt;
  uint32_t msr_index[MAX_MSRS];
  uint64_t msr_value[MAX_MSRS];
  int nmsr;
  uint64_t dump_addr[MAX_DUMPS], dump_len[MAX_DUMPS];
  int ndump;
  uint8_t *mem;
  char error[256];
};

static int kvm_fd = -1;
static struct kvm_cpuid2 *cpuid;
static volatile sig_atomic_t timed_out;

static void on_alarm(int sig) {
  (void)sig;
  timed_out = 1;
}

static __u64 *reg_slot(struct kvm_regs *r, int i) {
  __u64 *slots[18] = {&r->rax, &r->rbx, &r->rcx, &r->rdx, &r->rsi, &r->rdi, &r->rbp, &r->rsp, &r->r8,
                         &r->r9,  &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15, &r->rip, &r->rflags};
  return slots[i];
}

static struct kvm_segment *seg_slot(struct kvm_sregs *s, int i) {
  struct kvm_segment *slots[8] = {&s->cs, &s->ds, &s->es, &s->fs, &s->gs, &s->ss, &s->tr, &s->ldt};
  return slots[i];
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static void fail(struct scenario *s, const char *what) {
  if (!s->error[0]) snprintf(s->error, sizeof s->error, "%s: %s", what, strerror(errno));
}

/* Returns 1 when a scenario was read, 0 at end of input. */
static int read_scenario(struct scenario *s) {
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  int got = 0;
  memset(s, 0, sizeof *s);
  s->ram = 0x400000;
  s->timeout_ms = 2000;
  while ((n = getline(&line, &cap, stdin)) > 0) {
    if (line[n - 1] == '\n') line[--n] = 0;
    char key[16] = {0};
    if (sscanf(line, "%15s", key) != 1) continue;
    got = 1;
    if (!strcmp(key, "run")) break;
    if (!strcmp(key, "ram")) {
      sscanf(line, "ram %lx", &s->ram);
      s->mem = mmap(NULL, s->ram, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      if (s->mem == MAP_FAILED) { s->mem = NULL; fail(s, "mmap guest RAM"); }
    } else if (!strcmp(key, "timeout_ms")) {
      sscanf(line, "timeout_ms %ld", &s->timeout_ms);
    } else if (!strcmp(key, "mem")) {
      uint64_t addr;
      int off = 0;
      if (sscanf(line, "mem %lx %n", &addr, &off) < 1 || !s->mem) continue;
      const char *h = line + off;
      size_t len = strlen(h) / 2;
      if (addr + len > s->ram) { snprintf(s->error, sizeof s->error, "memory entry at 0x%lx beyond RAM", addr); continue; }
      for (size_t i = 0; i < len; i++) s->mem[addr + i] = (uint8_t)(hexval(h[2 * i]) << 4 | hexval(h[2 * i + 1]));
    } else if (!strcmp(key, "reg")) {
      char name[16];
      uint64_t v;
      sscanf(line, "reg %15s %lx", name, &v);
      for (int i = 0; i < 18; i++) if (!strcmp(name, reg_names[i])) *reg_slot(&s->regs, i) = v;
    } else if (!strcmp(key, "seg")) {
      char name[16];
      unsigned sel, type, sflag, dpl, p, db, l, g, avl, unusable;
      uint64_t base;
      unsigned limit;
      sscanf(line, "seg %15s %x %lx %x %x %x %x %x %x %x %x %x %x", name, &sel, &base, &limit, &type, &sflag, &dpl, &p, &db,
             &l, &g, &avl, &unusable);
      for (int i = 0; i < 8; i++) {
        if (strcmp(name, seg_names[i])) continue;
        struct kvm_segment *k = &s->segs[i];
        k->selector = sel; k->base = base; k->limit = limit; k->type = type; k->s = sflag; k->dpl = dpl;
        k->present = p; k->db = db; k->l = l; k->g = g; k->avl = avl; k->unusable = unusable;
      }
    } else if (!strcmp(key, "cr")) {
      char name[16];
      uint64_t v;
      sscanf(line, "cr %15s %lx", name, &v);
      if (!strcmp(name, "cr0")) s->cr0 = v;
      else if (!strcmp(name, "cr2")) s->cr2 = v;
      else if (!strcmp(name, "cr3")) s->cr3 = v;
      else if (!strcmp(name, "cr4")) s->cr4 = v;
      else if (!strcmp(name, "efer")) s->efer = v;
    } else if (!strcmp(key, "table")) {
      char name[16];
      uint64_t base;
      unsigned limit;
      sscanf(line, "table %15s %lx %x", name, &base, &limit);
      struct kvm_dtable *t = !strcmp(name, "gdt") ? &s->gdt : &s->idt;
      t->base = base; t->limit = limit;
    } else if (!strcmp(key, "msr") && s->nmsr < MAX_MSRS) {
      sscanf(line, "msr %x %lx", &s->msr_index[s->nmsr], &s->msr_value[s->nmsr]);
      s->nmsr++;
    } else if (!strcmp(key, "dump") && s->ndump < MAX_DUMPS) {
      sscanf(line, "dump %lx %lx", &s->dump_addr[s->ndump], &s->dump_len[s->ndump]);
      s->ndump++;
    }
  }
  free(line);
  return got;
}

static void print_segment(const char *name, const struct kvm_segment *k) {
  printf("seg %s %x %llx %x %x %x %x %x %x %x %x %x %x\n", name, k->selector, (unsigned long long)k->base, k->limit, k->type,
         k->s, k->dpl, k->present, k->db, k->l, k->g, k->avl, k->unusable);
}

static void run_scenario(struct scenario *s) {
  int vm = -1, vcpu = -1;
  struct kvm_run *run = NULL;
  size_t run_size = 0;
  const char *stop = NULL;
  char detail[200] = {0};

  if (s->error[0]) goto out;
  if (!s->mem) { snprintf(s->error, sizeof s->error, "no ram line"); goto out; }
  vm = ioctl(kvm_fd, KVM_CREATE_VM, 0);
  if (vm < 0) { fail(s, "KVM_CREATE_VM"); goto out; }
  struct kvm_userspace_memory_region region = {.slot = 0, .guest_phys_addr = 0, .memory_size = s->ram,
                                               .userspace_addr = (uint64_t)(uintptr_t)s->mem};
  if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) { fail(s, "KVM_SET_USER_MEMORY_REGION"); goto out; }
  vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
  if (vcpu < 0) { fail(s, "KVM_CREATE_VCPU"); goto out; }
  if (ioctl(vcpu, KVM_SET_CPUID2, cpuid) < 0) { fail(s, "KVM_SET_CPUID2"); goto out; }
  run_size = (size_t)ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
  run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
  if (run == MAP_FAILED) { run = NULL; fail(s, "mmap kvm_run"); goto out; }

  struct kvm_sregs sregs;
  if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0) { fail(s, "KVM_GET_SREGS"); goto out; }
  for (int i = 0; i < 8; i++) *seg_slot(&sregs, i) = s->segs[i];
  sregs.cr0 = s->cr0; sregs.cr2 = s->cr2; sregs.cr3 = s->cr3; sregs.cr4 = s->cr4; sregs.efer = s->efer;
  sregs.gdt = s->gdt; sregs.idt = s->idt;
  if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0) { fail(s, "KVM_SET_SREGS"); goto out; }
  if (ioctl(vcpu, KVM_SET_REGS, &s->regs) < 0) { fail(s, "KVM_SET_REGS"); goto out; }
  if (s->nmsr) {
    struct { struct kvm_msrs h; struct kvm_msr_entry e[MAX_MSRS]; } m;
    memset(&m, 0, sizeof m);
    m.h.nmsrs = s->nmsr;
    for (int i = 0; i < s->nmsr; i++) { m.e[i].index = s->msr_index[i]; m.e[i].data = s->msr_value[i]; }
    int r = ioctl(vcpu, KVM_SET_MSRS, &m);
    if (r != s->nmsr) { snprintf(s->error, sizeof s->error, "KVM_SET_MSRS set %d of %d (first refused: 0x%x)", r, s->nmsr, r >= 0 && r < s->nmsr ? s->msr_index[r] : 0); goto out; }
  }

  timed_out = 0;
  struct itimerval t = {.it_value = {.tv_sec = s->timeout_ms / 1000, .tv_usec = (s->timeout_ms % 1000) * 1000}};
  setitimer(ITIMER_REAL, &t, NULL);
  for (;;) {
    int r = ioctl(vcpu, KVM_RUN, 0);
    if (r < 0 && errno == EINTR) {
      if (timed_out) { stop = "limit"; break; }
      continue;
    }
    if (r < 0) { fail(s, "KVM_RUN"); break; }
    if (run->exit_reason == KVM_EXIT_HLT) { stop = "hlt"; break; }
    if (run->exit_reason == KVM_EXIT_SHUTDOWN) { stop = "triple-fault"; break; }
    if (run->exit_reason == KVM_EXIT_INTR) { if (timed_out) { stop = "limit"; break; } continue; }
    if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR) {
      snprintf(s->error, sizeof s->error, "KVM_EXIT_INTERNAL_ERROR suberror %u", run->internal.suberror);
      break;
    }
    if (run->exit_reason == KVM_EXIT_FAIL_ENTRY) {
      snprintf(s->error, sizeof s->error, "KVM_EXIT_FAIL_ENTRY reason 0x%llx",
               (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
      break;
    }
    if (run->exit_reason == KVM_EXIT_IO) {
      snprintf(s->error, sizeof s->error, "unexpected port I/O at port 0x%x", run->io.port);
      break;
    }
    if (run->exit_reason == KVM_EXIT_MMIO) {
      snprintf(s->error, sizeof s->error, "access to unbacked physical address 0x%llx", (unsigned long long)run->mmio.phys_addr);
      break;
    }
    snprintf(s->error, sizeof s->error, "unexpected KVM exit reason %u", run->exit_reason);
    break;
  }
  struct itimerval zero = {0};
  setitimer(ITIMER_REAL, &zero, NULL);
  if (!stop) goto out;

  struct kvm_regs regs;
  if (ioctl(vcpu, KVM_GET_REGS, &regs) < 0 || ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0) { stop = NULL; fail(s, "KVM_GET_REGS/SREGS"); goto out; }
  printf("stop %s\n", stop);
  for (int i = 0; i < 18; i++) printf("reg %s %llx\n", reg_names[i], (unsigned long long)*reg_slot(&regs, i));
  for (int i = 0; i < 8; i++) print_segment(seg_names[i], seg_slot(&sregs, i));
  printf("cr cr0 %llx\ncr cr2 %llx\ncr cr3 %llx\ncr cr4 %llx\ncr efer %llx\n", (unsigned long long)sregs.cr0,
         (unsigned long long)sregs.cr2, (unsigned long long)sregs.cr3, (unsigned long long)sregs.cr4, (unsigned long long)sregs.efer);
  printf("table gdt %llx %x\ntable idt %llx %x\n", (unsigned long long)sregs.gdt.base, sregs.gdt.limit,
         (unsigned long long)sregs.idt.base, sregs.idt.limit);
  {
    static const uint32_t want[] = {0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084, 0xc0000100, 0xc0000101, 0xc0000102, 0x174, 0x175, 0x176};
    struct { struct kvm_msrs h; struct kvm_msr_entry e[10]; } m;
    memset(&m, 0, sizeof m);
    m.h.nmsrs = 10;
    for (int i = 0; i < 10; i++) m.e[i].index = want[i];
    int r = ioctl(vcpu, KVM_GET_MSRS, &m);
    for (int i = 0; i < r; i++) printf("msr %x %llx\n", m.e[i].index, (unsigned long long)m.e[i].data);
  }
  for (int i = 0; i < s->ndump; i++) {
    printf("mem %lx ", s->dump_addr[i]);
    for (uint64_t j = 0; j < s->dump_len[i]; j++) {
      uint64_t a = s->dump_addr[i] + j;
      printf("%02x", a < s->ram ? s->mem[a] : 0xff);
    }
    printf("\n");
  }
out:
  if (!stop) printf("stop oracle-error %s\n", s->error[0] ? s->error : "unknown failure");
  (void)detail;
  printf("end\n");
  fflush(stdout);
  if (run) munmap(run, run_size);
  if (vcpu >= 0) close(vcpu);
  if (vm >= 0) close(vm);
  if (s->mem) munmap(s->mem, s->ram);
}

int main(void) {
  kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (kvm_fd < 0) { perror("open /dev/kvm"); return 2; }
  if (ioctl(kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) { fprintf(stderr, "unexpected KVM API version\n"); return 2; }
  int n = 100;
  cpuid = calloc(1, sizeof *cpuid + n * sizeof(struct kvm_cpuid_entry2));
  cpuid->nent = n;
  if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid) < 0) { perror("KVM_GET_SUPPORTED_CPUID"); return 2; }
  struct sigaction sa = {.sa_handler = on_alarm};
  sigaction(SIGALRM, &sa, NULL);
  struct scenario s;
  while (read_scenario(&s)) run_scenario(&s);
  return 0;
}
