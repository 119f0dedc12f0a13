// Philox4x32-10 (Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC'11), in
// TypeScript: a counter-based generator, so the normals of path i depend only on (seed, i) and a risk run
// gives the same numbers however its paths are split into blocks or spread over workers.

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product of two uint32 (exact: split into 16-bit halves). */
function mulHi(a: number, b: number): number {
  const aHi = a >>> 16;
  const aLo = a & 0xffff;
  const bHi = b >>> 16;
  const bLo = b & 0xffff;
  const loLo = aLo * bLo;
  const mid1 = aHi * bLo;
  const mid2 = aLo * bHi;
  const carry = ((loLo >>> 16) + (mid1 & 0xffff) + (mid2 & 0xffff)) >>> 16;
  return (aHi * bHi + (mid1 >>> 16) + (mid2 >>> 16) + carry) >>> 0;
}

/**
 * Philox4x32 with 10 rounds: writes the four uint32 outputs for counter `ctr` (4 words) and key (2 words)
 * into `out` (Random123 reference algorithm; known-answer vectors in test/risk.test.ts).
 */
export function philox4x32(ctr: ArrayLike<number>, key0: number, key1: number, out: Uint32Array): void {
  let c0 = ctr[0]! >>> 0;
  let c1 = ctr[1]! >>> 0;
  let c2 = ctr[2]! >>> 0;
  let c3 = ctr[3]! >>> 0;
  let k0 = key0 >>> 0;
  let k1 = key1 >>> 0;
  for (let round = 0; round < 10; round++) {
    const hi0 = mulHi(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulHi(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

const TWO_POW_32 = 4294967296;
const word = new Uint32Array(4);
const counter = [0, 0, 0, 0];

/**
 * Two independent standard normals for path `path` of stream `seed` (Box-Muller on the 53-bit uniforms built
 * from the four Philox words of counter (path, 0, 0, 0) under key (seed low, seed high)). `out[offset]`,
 * `out[offset + 1]` receive them.
 */
export function pathNormals(seed: number, path: number, out: Float64Array, offset: number): void {
  counter[0] = path >>> 0;
  counter[1] = Math.floor(path / TWO_POW_32) >>> 0;
  philox4x32(counter, seed >>> 0, Math.floor(seed / TWO_POW_32) >>> 0, word);
  // 53-bit uniforms in (0, 1]: never 0, so the logarithm is finite.
  const u1 = ((word[0]! >>> 5) * 67108864 + (word[1]! >>> 6) + 1) / 9007199254740992;
  const u2 = ((word[2]! >>> 5) * 67108864 + (word[3]! >>> 6)) / 9007199254740992;
  const r = Math.sqrt(-2 * Math.log(u1));
  const t = 2 * Math.PI * u2;
  out[offset] = r * Math.cos(t);
  out[offset + 1] = r * Math.sin(t);
}
