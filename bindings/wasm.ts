// The one file that owns the WebAssembly instance, its memory and the typed-array views into it.
// The builds import nothing (a shared-memory twin imports only its memory) and exchange numbers and pointers only,
// so plain WebAssembly.instantiate loads them: no @assemblyscript/loader (deprecated upstream) and no glue.
import "./global-types.js";
import type { CoreExports } from "./kernel/exports.js";
import { wasmBytes } from "./wasm-bytes.js";

export type { CoreExports } from "./kernel/exports.js";

/** Options for loading the core. */
export interface LoadOptions {
  /** Force the SIMD (true) or scalar (false) build; default: SIMD when the host validates it. */
  simd?: boolean;
  /**
   * Load the build's twin that imports a shared memory (for the worker pool: another thread can then read and write
   * the instance's memory directly). Needs SharedArrayBuffer (browsers: cross-origin isolation). Default false.
   */
  sharedMemory?: boolean;
  /** An already compiled module (e.g. sent to a worker); its build is detected from its exports and imports. */
  module?: WebAssembly.Module;
  /** Raw bytes of a build to compile instead of the bundled ones. */
  bytes?: ArrayBuffer | ArrayBufferView;
  /**
   * For a shared-memory build: the memory to run in (zeroed when fresh); default a new one of `sharedWasmMemory()`.
   * Another instance of the same build may run in it already (the worker pool's zero-copy batches): instantiating
   * rewrites only the build's static data, with the same bytes; each instance must then run the Black-Scholes
   * kernel in a work area of its own (`useBlackScholesWorkArea`), and only that kernel.
   */
  memory?: WebAssembly.Memory;
}

/** Pages (64 KiB) of the shared-memory builds' memory: the initial size they declare and their maximum (1 GiB). */
export const SHARED_MEMORY_PAGES = { initial: 16, maximum: 16384 } as const;

/** A new memory for a shared-memory build (zeroed: the builds' data segments leave out zero bytes). */
export function sharedWasmMemory(): WebAssembly.Memory {
  return new WebAssembly.Memory({ ...SHARED_MEMORY_PAGES, shared: true });
}

/** True when `module` is a shared-memory build (it imports its memory). */
export function importsMemory(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.imports(module).some((entry) => entry.kind === "memory");
}

// The smallest module using a v128 instruction: (func (result v128) v128.const i64x2 0 0). Used to detect SIMD.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
]);

/** True when this host can run the SIMD build. */
export function hostSupportsSimd(): boolean {
  return WebAssembly.validate(SIMD_PROBE);
}

/** A loaded core: exports plus helpers to reserve scratch memory and view it. */
export class WasmCore {
  readonly exports: CoreExports;
  readonly module: WebAssembly.Module;
  readonly simd: boolean;
  /** True for a shared-memory build: `exports.memory.buffer` is a SharedArrayBuffer that never detaches. */
  readonly sharedMemory: boolean;
  private buffer: ArrayBufferLike;
  /** Bytes at the start of the scratch area set aside for good by claim(). */
  private claimed = 0;
  /**
   * Counts reserve() calls. Every writer of scratch reserves first, so a caller that reads the same epoch as right
   * after its own reserve knows nobody has reserved (nor written) scratch since: what it left there is still there.
   */
  private reserves = 0;

  constructor(module: WebAssembly.Module, exports: CoreExports) {
    this.module = module;
    this.exports = exports;
    this.simd = exports.simdEnabled() === 1;
    this.buffer = exports.memory.buffer;
    this.sharedMemory = typeof SharedArrayBuffer !== "undefined" && this.buffer instanceof SharedArrayBuffer;
  }

  /**
   * Returns a 16-byte aligned pointer to a scratch region of `bytes` bytes, growing memory if needed.
   * The region is shared by every kernel call; views made before a growth are detached: re-make them.
   */
  reserve(bytes: number): number {
    this.reserves++;
    const pointer = this.exports.reserveScratch(this.claimed + bytes);
    if (pointer === 0) throw new RangeError(`pool2peer: WebAssembly memory cannot grow to ${this.claimed + bytes} bytes`);
    this.buffer = this.exports.memory.buffer;
    return pointer + this.claimed;
  }

  /**
   * Sets aside `bytes` (rounded up to 16) for good and returns their 16-byte aligned pointer: later scratch
   * regions start after them, so nothing else ever writes there (a worker's task regions).
   */
  claim(bytes: number): number {
    const pointer = this.reserve(bytes);
    this.claimed += Math.ceil(bytes / 16) * 16;
    return pointer;
  }

  /** The count of reserve() calls so far (see `reserves`). */
  get scratchEpoch(): number {
    return this.reserves;
  }

  /** A Float64Array view of `length` elements at byte offset `pointer` (valid until memory grows). */
  f64(pointer: number, length: number): Float64Array {
    if (this.buffer !== this.exports.memory.buffer) this.buffer = this.exports.memory.buffer;
    return new Float64Array(this.buffer, pointer, length);
  }

  /** An Int32Array view of `length` elements at byte offset `pointer` (valid until memory grows). */
  i32(pointer: number, length: number): Int32Array {
    if (this.buffer !== this.exports.memory.buffer) this.buffer = this.exports.memory.buffer;
    return new Int32Array(this.buffer, pointer, length);
  }
}

/** Reads an unsigned LEB128 integer at `at`; returns it and the offset after it. */
function readLeb(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  let byte: number;
  do {
    if (at >= bytes.length) throw new Error("pool2peer: truncated WebAssembly module");
    byte = bytes[at++]!;
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}

function writeLeb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return out;
}

/**
 * The shared-memory twin of a build: the same module with its memory section (id 5, `(memory min)`) replaced by an
 * import section (id 2) of `(import "env" "memory" (memory min SHARED_MEMORY_PAGES.maximum shared))`. Every other
 * section is kept byte for byte, so the code and data are the build's own (asc's `--importMemory --sharedMemory
 * --zeroFilledMemory` output differs from its plain build in exactly these two sections). Needs a build with one
 * memory and no imports, as asconfig.json makes them.
 */
export function sharedMemoryTwin(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const header = 8;
  if (bytes.length < header || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new Error("pool2peer: not a WebAssembly module");
  }
  const sections: { id: number; start: number; end: number; body: number }[] = [];
  for (let at = header; at < bytes.length; ) {
    const id = bytes[at]!;
    const [size, body] = readLeb(bytes, at + 1);
    sections.push({ id, start: at, end: body + size, body });
    at = body + size;
  }
  if (sections.some((s) => s.id === 2)) throw new Error("pool2peer: the build already imports something; expected none");
  const memory = sections.filter((s) => s.id === 5);
  if (memory.length !== 1) throw new Error("pool2peer: the build must define exactly one memory section");
  const [count, limitsAt] = readLeb(bytes, memory[0]!.body);
  if (count !== 1 || bytes[limitsAt] !== 0) throw new Error("pool2peer: the build must define one memory without a maximum");
  const [initial] = readLeb(bytes, limitsAt + 1);
  const name = (text: string) => [text.length, ...Array.from(text, (c) => c.charCodeAt(0))];
  // limits flag 3: a maximum follows, and the memory is shared.
  const entry = [1, ...name("env"), ...name("memory"), 0x02, 0x03, ...writeLeb(initial), ...writeLeb(SHARED_MEMORY_PAGES.maximum)];
  const importSection = [0x02, ...writeLeb(entry.length), ...entry];
  const parts: ArrayLike<number>[] = [bytes.subarray(0, header)];
  let inserted = false;
  for (const s of sections) {
    // Known sections are ordered by id (custom sections, id 0, may sit anywhere): the import section goes before
    // the first known section after it.
    if (!inserted && s.id > 2) {
      parts.push(importSection);
      inserted = true;
    }
    if (s.id !== 5) parts.push(bytes.subarray(s.start, s.end));
  }
  if (!inserted) parts.push(importSection);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Compiles one of the bundled WASM builds (SIMD when the host supports it, unless `simd` says otherwise), or
 * `bytes`; with `sharedMemory`, their shared-memory twin (see sharedMemoryTwin).
 */
export async function compileWasmCore(options: Pick<LoadOptions, "simd" | "sharedMemory" | "bytes"> = {}): Promise<WebAssembly.Module> {
  let bytes = options.bytes;
  if (!bytes) {
    const simd = options.simd ?? hostSupportsSimd();
    if (simd && !hostSupportsSimd()) throw new Error("pool2peer: this host does not support WebAssembly SIMD");
    bytes = await wasmBytes(simd);
  }
  if (options.sharedMemory) {
    const view = bytes instanceof Uint8Array ? bytes : ArrayBuffer.isView(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : new Uint8Array(bytes);
    bytes = sharedMemoryTwin(view);
  }
  return WebAssembly.compile(bytes as BufferSource);
}

/** Compiles (or reuses) a WASM build and instantiates it. */
export async function loadWasmCore(options: LoadOptions = {}): Promise<WasmCore> {
  const module = options.module ?? (await compileWasmCore(options));
  const imports: WebAssembly.Imports = importsMemory(module) ? { env: { memory: options.memory ?? sharedWasmMemory() } } : {};
  const instance = await WebAssembly.instantiate(module, imports);
  const exports = instance.exports as unknown as CoreExports & { _initialize?: () => void };
  exports._initialize?.();
  return new WasmCore(module, exports);
}
