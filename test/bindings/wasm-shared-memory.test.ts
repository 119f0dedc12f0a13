// The worker pool's shared-memory twin of a build (bindings/wasm.ts sharedMemoryTwin): the module's own memory
// section swapped for an import of a shared memory, every other section kept byte for byte.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileWasmCore, importsMemory, loadWasmCore, sharedMemoryTwin, sharedWasmMemory, SHARED_MEMORY_PAGES } from "../../bindings/wasm.js";

const build = (name: string) => new Uint8Array(readFileSync(new URL(`../../build/pool2peer.${name}.wasm`, import.meta.url)));

/** The sections of a module: id and body bytes, in order (enough of the binary format for this test). */
function sections(bytes: Uint8Array): { id: number; body: Uint8Array }[] {
  const out: { id: number; body: Uint8Array }[] = [];
  for (let at = 8; at < bytes.length; ) {
    const id = bytes[at++]!;
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++]!;
      size += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) break;
    }
    out.push({ id, body: bytes.subarray(at, at + size) });
    at += size;
  }
  return out;
}

describe("sharedMemoryTwin", () => {
  for (const name of ["simd", "scalar"]) {
    it(`${name}: imports one shared memory of the build's initial size and keeps every other section as it is`, async () => {
      const original = build(name);
      const twin = sharedMemoryTwin(original);
      const a = sections(original);
      const b = sections(twin);
      expect(a.map((s) => s.id)).toContain(5);
      expect(b.map((s) => s.id)).not.toContain(5);
      // Same sections, in the same order, except memory (5) out and import (2) in.
      expect(b.filter((s) => s.id !== 2)).toEqual(a.filter((s) => s.id !== 5));
      const module = await WebAssembly.compile(twin);
      expect(WebAssembly.Module.imports(module)).toEqual([{ module: "env", name: "memory", kind: "memory" }]);
      expect(importsMemory(module)).toBe(true);
      expect(WebAssembly.Module.exports(module)).toEqual(WebAssembly.Module.exports(await WebAssembly.compile(original)));
      // It links only to a shared memory within its maximum.
      await expect(WebAssembly.instantiate(module, { env: { memory: new WebAssembly.Memory({ initial: 16 }) } })).rejects.toThrow();
      const tooLarge = new WebAssembly.Memory({ initial: 16, maximum: SHARED_MEMORY_PAGES.maximum + 1, shared: true });
      await expect(WebAssembly.instantiate(module, { env: { memory: tooLarge } })).rejects.toThrow();
      // And prices exactly as the build it came from, in a memory another thread could share.
      const memory = sharedWasmMemory();
      const shared = await loadWasmCore({ module, memory });
      const plain = await loadWasmCore({ module: await WebAssembly.compile(original) });
      expect(shared.sharedMemory).toBe(true);
      expect(shared.exports.memory.buffer).toBe(memory.buffer);
      expect(plain.sharedMemory).toBe(false);
      for (const core of [shared, plain]) {
        const p = core.reserve(13 * 4 * 8);
        const column = (c: number) => core.f64(p + c * 32, 4);
        [[1, -1, 1, -1], [100, 100, 80, 120], [95, 105, 100, 100], [0.5, 1, 2, 0.1], [0.2, 0.3, 0.25, 0.6], [0.03, 0.03, 0, -0.01], [0, 0.02, 0, 0]].forEach((v, c) => column(c).set(v));
        expect(core.exports.blackScholesBatch(4, ...Array.from({ length: 13 }, (_, c) => p + c * 32) as [number, number, number, number, number, number, number, number, number, number, number, number, number])).toBe(0);
      }
      const outputs = (core: typeof shared) => Array.from(core.f64(core.reserve(13 * 4 * 8) + 7 * 32, 24));
      expect(outputs(shared)).toEqual(outputs(plain));
      expect(await compileWasmCore({ simd: name === "simd", sharedMemory: true })).toBeInstanceOf(WebAssembly.Module);
    });
  }

  it("refuses bytes that are not a module, or a module that already imports", () => {
    expect(() => sharedMemoryTwin(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))).toThrow(/not a WebAssembly module/);
    expect(() => sharedMemoryTwin(sharedMemoryTwin(build("scalar")))).toThrow(/already imports/);
    // A module without a memory: (module) is just the header.
    expect(() => sharedMemoryTwin(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))).toThrow(/exactly one memory/);
  });
});
