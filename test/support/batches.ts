// Random option batches and bit-exact comparison, shared by the worker-pool tests.
import { expect } from "vitest";
import { seededUniform } from "../../bench/inputs.js";

export interface Columns {
  type: Int8Array;
  spot: Float64Array;
  strike: Float64Array;
  expiry: Float64Array;
  vol: Float64Array;
  rate: Float64Array;
  dividend: Float64Array;
}

export function randomBatch(n: number, seed: number): Columns {
  const r = seededUniform(seed);
  const b: Columns = {
    type: new Int8Array(n),
    spot: new Float64Array(n),
    strike: new Float64Array(n),
    expiry: new Float64Array(n),
    vol: new Float64Array(n),
    rate: new Float64Array(n),
    dividend: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    b.type[i] = r() < 0.5 ? 1 : -1;
    b.spot[i] = 50 + 100 * r();
    b.strike[i] = 40 + 120 * r();
    b.expiry[i] = 0.01 + 3 * r();
    b.vol[i] = 0.05 + 0.9 * r();
    b.rate[i] = -0.01 + 0.08 * r();
    b.dividend[i] = 0.04 * r();
  }
  return b;
}

/** First index where two arrays differ in bits (NaN payloads and −0 included), or −1. */
function firstBitDifference(a: Float64Array | Int32Array, b: Float64Array | Int32Array): number {
  if (a.length !== b.length) return -2;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  const width = a.BYTES_PER_ELEMENT;
  for (let k = 0; k < x.length; k++) if (x[k] !== y[k]) return Math.floor(k / width);
  return -1;
}

export function expectSameBits<T extends object>(actual: T, expected: T): void {
  for (const key of Object.keys(expected) as (keyof T)[]) {
    const at = firstBitDifference(actual[key] as Float64Array, expected[key] as Float64Array);
    expect(at, `${String(key)} differs at element ${at}`).toBe(-1);
  }
}
