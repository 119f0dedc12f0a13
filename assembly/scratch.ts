// One scratch region after the static data (__heap_base), owned by the TypeScript side.
// The runtime is `stub` and no kernel allocates, so nothing else lives above __heap_base.

/** Start of the scratch region, aligned to 16 bytes for v128 loads. */
export function scratchPointer(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

/**
 * Grows linear memory so that `bytes` bytes are usable from scratchPointer().
 * Returns the pointer, or 0 when the memory cannot grow that far.
 * After growth `memory.buffer` is replaced: the caller must re-make every view.
 */
export function reserveScratch(bytes: usize): usize {
  const start = scratchPointer();
  const end = start + bytes;
  const have = (<usize>memory.size()) << 16;
  if (end > have) {
    const pages = <i32>((end - have + 0xffff) >> 16);
    if (memory.grow(pages) < 0) return 0;
  }
  return start;
}
