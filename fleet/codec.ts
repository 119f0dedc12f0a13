// Binary payloads of fleet jobs: a 16-byte header then raw little-endian column bytes (f64, then i32 columns),
// stored as Redis string values beside the BullMQ job (job data is JSON, so the numbers never go through it).
//
// Header (little-endian): u32 magic "P2PF" | u8 version | u8 kind | u16 f64 column count | u32 elements per
// column | u16 i32 column count | u16 reserved. Column c of an f64 frame starts at byte 16 + 8·c·count.

/** What a frame holds. */
export const FrameKind = {
  /** Black-Scholes inputs: type (±1, NaN when invalid), spot, strike, expiry, vol, rate, dividend. */
  blackScholesInput: 1,
  /** Black-Scholes outputs: price, delta, gamma, vega, theta, rho. */
  blackScholesOutput: 2,
  /** Implied-vol inputs: type, price, spot, strike, expiry, rate, dividend. */
  impliedVolInput: 3,
  /** Implied-vol outputs: vol (f64) then status and iterations (i32). */
  impliedVolOutput: 4,
  /** Monte Carlo block accumulators as returned by runMonteCarloBlocks (one f64 column). */
  monteCarloBlocks: 5,
} as const;
export type FrameKindCode = (typeof FrameKind)[keyof typeof FrameKind];

const MAGIC = 0x46503250; // "P2PF" read as a little-endian u32
const VERSION = 1;
/** Header bytes; a multiple of 8 so f64 columns stay aligned in a fresh buffer. */
export const HEADER_BYTES = 16;

// Typed arrays use the host's byte order; every platform Node and browsers run on today is little-endian.
// A big-endian host would misread frames, so refuse to run there rather than return wrong numbers.
const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A frame that failed to decode (corrupt, truncated, another version or the wrong kind). */
export class FrameError extends Error {
  constructor(message: string) {
    super(`pool2peer fleet: ${message}`);
    this.name = "FrameError";
  }
}

/** A decoded frame: views into one aligned buffer. */
export interface Frame {
  kind: FrameKindCode;
  /** Elements per column. */
  count: number;
  /** f64 columns, each `count` long. */
  f64: Float64Array[];
  /** i32 columns, each `count` long. */
  i32: Int32Array[];
}

/** A frame being written: fill the column views, then send `bytes`. */
export interface FrameWriter {
  bytes: Uint8Array;
  f64: Float64Array[];
  i32: Int32Array[];
}

/** Allocates a frame of `f64Columns` + `i32Columns` columns of `count` elements and writes its header. */
export function allocateFrame(kind: FrameKindCode, count: number, f64Columns: number, i32Columns = 0): FrameWriter {
  if (!hostIsLittleEndian) throw new FrameError("frames are little-endian and this host is big-endian");
  const bytes = new Uint8Array(HEADER_BYTES + count * (8 * f64Columns + 4 * i32Columns));
  const header = new DataView(bytes.buffer);
  header.setUint32(0, MAGIC, true);
  header.setUint8(4, VERSION);
  header.setUint8(5, kind);
  header.setUint16(6, f64Columns, true);
  header.setUint32(8, count, true);
  header.setUint16(12, i32Columns, true);
  const f64: Float64Array[] = [];
  const i32: Int32Array[] = [];
  for (let c = 0; c < f64Columns; c++) f64.push(new Float64Array(bytes.buffer, HEADER_BYTES + 8 * c * count, count));
  const intBase = HEADER_BYTES + 8 * f64Columns * count;
  for (let c = 0; c < i32Columns; c++) i32.push(new Int32Array(bytes.buffer, intBase + 4 * c * count, count));
  return { bytes, f64, i32 };
}

/** Encodes f64 columns of equal length (e.g. Monte Carlo accumulators, or a column per output). */
export function encodeF64Columns(kind: FrameKindCode, columns: readonly Float64Array[], i32Columns: readonly Int32Array[] = []): Uint8Array {
  const count = columns[0]?.length ?? i32Columns[0]?.length ?? 0;
  const frame = allocateFrame(kind, count, columns.length, i32Columns.length);
  columns.forEach((column, c) => {
    if (column.length !== count) throw new FrameError(`column ${c} has ${column.length} elements, expected ${count}`);
    frame.f64[c]!.set(column);
  });
  i32Columns.forEach((column, c) => {
    if (column.length !== count) throw new FrameError(`int column ${c} has ${column.length} elements, expected ${count}`);
    frame.i32[c]!.set(column);
  });
  return frame.bytes;
}

/**
 * Decodes a frame and checks it is of `kind` with the expected column counts. Bytes from a socket may sit
 * at an unaligned offset of a pooled buffer: those are copied once into an aligned buffer.
 */
export function decodeFrame(bytes: Uint8Array, kind: FrameKindCode, f64Columns: number, i32Columns = 0): Frame {
  if (!hostIsLittleEndian) throw new FrameError("frames are little-endian and this host is big-endian");
  if (bytes.byteLength < HEADER_BYTES) throw new FrameError(`frame of ${bytes.byteLength} bytes is shorter than its header`);
  const header = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  if (header.getUint32(0, true) !== MAGIC) throw new FrameError("not a pool2peer frame (bad magic)");
  const version = header.getUint8(4);
  if (version !== VERSION) throw new FrameError(`frame version ${version}, this build reads version ${VERSION}`);
  const foundKind = header.getUint8(5);
  if (foundKind !== kind) throw new FrameError(`frame of kind ${foundKind}, expected ${kind}`);
  const columns = header.getUint16(6, true);
  const count = header.getUint32(8, true);
  const intColumns = header.getUint16(12, true);
  if (columns !== f64Columns || intColumns !== i32Columns) {
    throw new FrameError(`frame has ${columns}+${intColumns} columns, expected ${f64Columns}+${i32Columns}`);
  }
  const expected = HEADER_BYTES + count * (8 * columns + 4 * intColumns);
  if (bytes.byteLength !== expected) throw new FrameError(`frame is ${bytes.byteLength} bytes, its header says ${expected}`);
  const aligned = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  const base = aligned.byteOffset;
  const f64: Float64Array[] = [];
  const i32: Int32Array[] = [];
  for (let c = 0; c < columns; c++) f64.push(new Float64Array(aligned.buffer, base + HEADER_BYTES + 8 * c * count, count));
  const intBase = base + HEADER_BYTES + 8 * columns * count;
  for (let c = 0; c < intColumns; c++) i32.push(new Int32Array(aligned.buffer, intBase + 4 * c * count, count));
  return { kind: foundKind as FrameKindCode, count, f64, i32 };
}
