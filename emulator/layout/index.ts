/** Builders for descriptor tables, TSS images, page tables and physical memory images. */
export * from './bytes.ts';
export * from './descriptors.ts';
export * from './tss.ts';
export * from './paging.ts';
export * from './gdt.ts';
export * from './memory-image.ts';
