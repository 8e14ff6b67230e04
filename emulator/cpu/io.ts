/**
 * The I/O address space and the one device this machine has, a debug console on
 * port 0xE9 (the convention of Bochs and QEMU's debugcon): bytes written there are kept, and
 * reading it returns 0xE9. Every other port reads all ones and discards writes.
 */
const DEBUG_CONSOLE_PORT = 0xe9;

export class IoPorts {
  /** Bytes written to the debug console port, in order. */
  readonly console: number[] = [];

  read(port: number, size: number): number {
    if (port === DEBUG_CONSOLE_PORT && size === 1) return DEBUG_CONSOLE_PORT;
    return size === 4 ? -1 : (1 << (8 * size)) - 1;
  }

  write(port: number, value: number): void {
    if (port === DEBUG_CONSOLE_PORT) this.console.push(value & 0xff);
  }
}
