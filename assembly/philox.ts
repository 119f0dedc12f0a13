// Philox4x32-10 counter-based generator: J. K. Salmon, M. A. Moraes, R. O. Dror, D. E. Shaw,
// "Parallel random numbers: as easy as 1, 2, 3", SC11 (2011); constants and round structure as in Random123.
// A block of four 32-bit words is a pure function of a 128-bit counter and a 64-bit key, so the numbers of
// Monte Carlo path i are philox(counter = (i, …), key = seed) and do not depend on how paths are split.

const PHILOX_M0: u64 = 0xd2511f53;
const PHILOX_M1: u64 = 0xcd9e8d57;
const PHILOX_W0: u32 = 0x9e3779b9;
const PHILOX_W1: u32 = 0xbb67ae85;

/** Output words of the last philox4x32 call (globals: AssemblyScript has no multi-value returns here). */
export let philoxOut0: u32 = 0;
export let philoxOut1: u32 = 0;
export let philoxOut2: u32 = 0;
export let philoxOut3: u32 = 0;

/** Philox4x32 with 10 rounds: each round is two 32×32→64 multiplies, the key is bumped by the Weyl constants. */
// @ts-ignore: decorator
@inline export function philox4x32(c0: u32, c1: u32, c2: u32, c3: u32, k0: u32, k1: u32): void {
  for (let round = 0; round < 10; round++) {
    const p0 = PHILOX_M0 * <u64>c0;
    const p1 = PHILOX_M1 * <u64>c2;
    const n0 = (<u32>(p1 >> 32)) ^ c1 ^ k0;
    const n2 = (<u32>(p0 >> 32)) ^ c3 ^ k1;
    c1 = <u32>p1;
    c3 = <u32>p0;
    c0 = n0;
    c2 = n2;
    k0 += PHILOX_W0;
    k1 += PHILOX_W1;
  }
  philoxOut0 = c0;
  philoxOut1 = c1;
  philoxOut2 = c2;
  philoxOut3 = c3;
}

/** Splatted multipliers and lane offsets (0, 1, 2, 3) of philox4x32x4 (offset 64: the Weyl pair slots are unused). */
const PHILOX_X4_TABLE: usize = memory.data<u32>([
  <u32>PHILOX_M0, <u32>PHILOX_M0, <u32>PHILOX_M0, <u32>PHILOX_M0, <u32>PHILOX_M1, <u32>PHILOX_M1, <u32>PHILOX_M1, <u32>PHILOX_M1,
  PHILOX_W0, PHILOX_W0, PHILOX_W0, PHILOX_W0, PHILOX_W1, PHILOX_W1, PHILOX_W1, PHILOX_W1, 0, 1, 2, 3,
], 16);

/** One Philox output word in i32x4 lanes: hi(x·m) ^ y ^ key (hi: the high 32 bits of the 32×32→64 product). */
// @ts-ignore: decorator
@inline function philoxHi(x: v128, m: v128, y: v128, key: v128): v128 {
  const hi = v128.shuffle<i32>(i64x2.extmul_low_i32x4_u(x, m), i64x2.extmul_high_i32x4_u(x, m), 1, 3, 5, 7);
  return v128.xor(v128.xor(hi, y), key);
}

/** The low 32 bits of x·m in i32x4 lanes (the same extmul pair as philoxHi: the compilers share it). */
// @ts-ignore: decorator
@inline function philoxLo(x: v128, m: v128): v128 {
  return v128.shuffle<i32>(i64x2.extmul_low_i32x4_u(x, m), i64x2.extmul_high_i32x4_u(x, m), 0, 2, 4, 6);
}

/**
 * Round keys of philox4x32x4/x8 for key (k0, k1), splatted: v128 pair r (32 bytes at keys + 32r) holds
 * (k0 + r·W0, k1 + r·W1) in all four lanes, r = 0..9. Written once per key (PHILOX_ROUND_KEYS) so the
 * rounds read their key from memory instead of keeping a key schedule in registers.
 */
export function philoxRoundKeys(k0: u32, k1: u32, keys: usize): void {
  for (let r = 0; r < 10; r++) {
    const p = keys + (<usize>r << 5);
    for (let j = 0; j < 4; j++) {
      store<u32>(p + (<usize>j << 2), k0);
      store<u32>(p + (<usize>j << 2), k1, 16);
    }
    k0 += PHILOX_W0;
    k1 += PHILOX_W1;
  }
}

/** 320 bytes for one key's philoxRoundKeys (16-byte aligned). */
export const PHILOX_ROUND_KEYS: usize = memory.data(320, 16);

// @ts-ignore: decorator
@inline function roundKey0(keys: usize, r: i32): v128 {
  return v128.load(keys + (<usize>r << 5));
}

// @ts-ignore: decorator
@inline function roundKey1(keys: usize, r: i32): v128 {
  return v128.load(keys + (<usize>r << 5), 16);
}

/**
 * Four Philox4x32-10 blocks at once in i32x4 lanes (lane j = counter (c0, c1, c2 + j, c3)), the same integers as
 * four philox4x32 calls under the key whose philoxRoundKeys are at `keys`: both halves of the 32×32→64 products
 * from i64x2.extmul (odd / even i32 lanes). Writes four v128 at out (16-byte aligned): v128 k holds word k of the
 * four blocks (lane j = block j).
 */
// @ts-ignore: decorator
@inline export function philox4x32x4(c0: u32, c1: u32, c2: u32, c3: u32, keys: usize, out: usize): void {
  let x0 = i32x4.splat(c0);
  let x1 = i32x4.splat(c1);
  let x2 = i32x4.add(i32x4.splat(c2), v128.load(PHILOX_X4_TABLE, 64));
  let x3 = i32x4.splat(c3);
  // Multipliers loaded once (a v128.const would be rebuilt from immediates at each use); the ten rounds written
  // out (as a loop, V8 kept a counter, a stack check and register moves per round).
  const m0 = v128.load(PHILOX_X4_TABLE);
  const m1 = v128.load(PHILOX_X4_TABLE, 16);
  let a = x0, b = x2;
  x0 = philoxHi(b, m1, x1, roundKey0(keys, 0)); x2 = philoxHi(a, m0, x3, roundKey1(keys, 0)); x1 = philoxLo(b, m1); x3 = philoxLo(a, m0);
  a = x0; b = x2;
  x0 = philoxHi(b, m1, x1, roundKey0(keys, 1)); x2 = philoxHi(a, m0, x3, roundKey1(keys, 1)); x1 = philoxLo(b, m1); x3 = philoxLo(a, m0);
  a = x0; b = x2;
  x0 = philoxHi(b, m1, x1, roundKey0(keys, 2)); x2 = philoxHi(a, m0, x3, roundKey1(keys, 2)); x1 = philoxLo(b, m1); x3 = philoxLo(a, m0);
  a = x0; b = x2;
  x0 = philoxHi(b, m1, x1, roundKey0(keys, 3)); x2 = philoxHi(a, m0, x3, roundKey1(keys, 3)); x1 = philoxLo(b, m1); x3 = philoxLo(a, m0);
  a = x0; b = x2;
  x0 = philoxHi(b, m1, x1, roundKey0(keys, 4)); x2 = philoxHi(a, m0, x3, roundKey1(keys, 4)); x1 = philoxLo(b, m1); x3 = philoxLo(a, m0);
  a = x0; b = x2;
  x0 = philoxHi(b, m1, x1, roundKey0(keys, 5)); x2 = philoxHi(a, m0, x3, roundKey1(keys, 5)); x1 = philoxLo(b, m1); x3 = philoxLo(a, m0);
  a = x0; b = x2;
  x0 = philoxHi(b, m1, x1, roundKey0(keys, 6)); x2 = philoxHi(a, m0, x3, roundKey1(keys, 6)); x1 = philoxLo(b, m1); x3 = philoxLo(a, m0);
  a = x0; b = x2;
  x0 = philoxHi(b, m1, x1, roundKey0(keys, 7)); x2 = philoxHi(a, m0, x3, roundKey1(keys, 7)); x1 = philoxLo(b, m1); x3 = philoxLo(a, m0);
  a = x0; b = x2;
  x0 = philoxHi(b, m1, x1, roundKey0(keys, 8)); x2 = philoxHi(a, m0, x3, roundKey1(keys, 8)); x1 = philoxLo(b, m1); x3 = philoxLo(a, m0);
  a = x0; b = x2;
  x0 = philoxHi(b, m1, x1, roundKey0(keys, 9)); x2 = philoxHi(a, m0, x3, roundKey1(keys, 9)); x1 = philoxLo(b, m1); x3 = philoxLo(a, m0);
  v128.store(out, x0);
  v128.store(out, x1, 16);
  v128.store(out, x2, 32);
  v128.store(out, x3, 48);
}

/**
 * Eight Philox4x32-10 blocks (counters (c0, c1, c2 + j, c3), j = 0..7) as two interleaved philox4x32x4 chains:
 * one chain is ten dependent rounds of multiply, shuffle and xor (latency-bound, its instructions filled V8's
 * out-of-order window); two give the core independent work. Writes what philox4x32x4(c0, c1, c2, c3, keys, out)
 * and philox4x32x4(c0, c1, c2 + 4, c3, keys, out + 64) write.
 */
// @ts-ignore: decorator
@inline export function philox4x32x8(c0: u32, c1: u32, c2: u32, c3: u32, keys: usize, out: usize): void {
  const lanes = v128.load(PHILOX_X4_TABLE, 64);
  let x0 = i32x4.splat(c0);
  let x1 = i32x4.splat(c1);
  let x2 = i32x4.add(i32x4.splat(c2), lanes);
  let x3 = i32x4.splat(c3);
  let y0 = x0;
  let y1 = x1;
  let y2 = i32x4.add(i32x4.splat(c2 + 4), lanes);
  let y3 = x3;
  const m0 = v128.load(PHILOX_X4_TABLE);
  const m1 = v128.load(PHILOX_X4_TABLE, 16);
  let a = x0, b = x2, c = y0, d = y2;
  x0 = philoxHi(b, m1, x1, roundKey0(keys, 0)); x2 = philoxHi(a, m0, x3, roundKey1(keys, 0)); x1 = philoxLo(b, m1); x3 = philoxLo(a, m0);
  y0 = philoxHi(d, m1, y1, roundKey0(keys, 0)); y2 = philoxHi(c, m0, y3, roundKey1(keys, 0)); y1 = philoxLo(d, m1); y3 = philoxLo(c, m0);
  a = x0; b = x2; c = y0; d = y2;
  x0 = philoxHi(b, m1, x1, roundKey0(keys, 1)); x2 = philoxHi(a, m0, x3, roundKey1(keys, 1)); x1 = philoxLo(b, m1); x3 = philoxLo(a, m0);
  y0 = philoxHi(d, m1, y1, roundKey0(keys, 1)); y2 = philoxHi(c, m0, y3, roundKey1(keys, 1)); y1 = philoxLo(d, m1); y3 = philoxLo(c, m0);
  a = x0; b = x2; c = y0; d = y2;
  x0 = philoxHi(b, m1, x1, roundKey0(keys, 2)); x2 = philoxHi(a, m0, x3, roundKey1(keys, 2)); x1 = philoxLo(b, m1); x3 = philoxLo(a, m0);
  y0 = philoxHi(d, m1, y1, roundKey0(keys, 2)); y2 = philoxHi(c, m0, y3, roundKey1(keys, 2)); y1 = philoxLo(d, m1); y3 = philoxLo(c, m0);
  a = x0; b = x2; c = y0; d = y2;
  x0 = philoxHi(b, m1, x1, roundKey0(keys, 3)); x2 = philoxHi(a, m0, x3, roundKey1(keys, 3)); x1 = philoxLo(b, m1); x3 = philoxLo(a, m0);
  y0 = philoxHi(d, m1, y1, roundKey0(keys, 3)); y2 = philoxHi(c, m0, y3, roundKey1(keys, 3)); y1 = philoxLo(d, m1); y3 = philoxLo(c, m0);
  a = x0; b = x2; c = y0; d = y2;
  x0 = philoxHi(b, m1, x1, roundKey0(keys, 4)); x2 = philoxHi(a, m0, x3, roundKey1(keys, 4)); x1 = philoxLo(b, m1); x3 = philoxLo(a, m0);
  y0 = philoxHi(d, m1, y1, roundKey0(keys, 4)); y2 = philoxHi(c, m0, y3, roundKey1(keys, 4)); y1 = philoxLo(d, m1); y3 = philoxLo(c, m0);
  a = x0; b = x2; c = y0; d = y2;
  x0 = philoxHi(b, m1, x1, roundKey0(keys, 5)); x2 = philoxHi(a, m0, x3, roundKey1(keys, 5)); x1 = philoxLo(b, m1); x3 = philoxLo(a, m0);
  y0 = philoxHi(d, m1, y1, roundKey0(keys, 5)); y2 = philoxHi(c, m0, y3, roundKey1(keys, 5)); y1 = philoxLo(d, m1); y3 = philoxLo(c, m0);
  a = x0; b = x2; c = y0; d = y2;
  x0 = philoxHi(b, m1, x1, roundKey0(keys, 6)); x2 = philoxHi(a, m0, x3, roundKey1(keys, 6)); x1 = philoxLo(b, m1); x3 = philoxLo(a, m0);
  y0 = philoxHi(d, m1, y1, roundKey0(keys, 6)); y2 = philoxHi(c, m0, y3, roundKey1(keys, 6)); y1 = philoxLo(d, m1); y3 = philoxLo(c, m0);
  a = x0; b = x2; c = y0; d = y2;
  x0 = philoxHi(b, m1, x1, roundKey0(keys, 7)); x2 = philoxHi(a, m0, x3, roundKey1(keys, 7)); x1 = philoxLo(b, m1); x3 = philoxLo(a, m0);
  y0 = philoxHi(d, m1, y1, roundKey0(keys, 7)); y2 = philoxHi(c, m0, y3, roundKey1(keys, 7)); y1 = philoxLo(d, m1); y3 = philoxLo(c, m0);
  a = x0; b = x2; c = y0; d = y2;
  x0 = philoxHi(b, m1, x1, roundKey0(keys, 8)); x2 = philoxHi(a, m0, x3, roundKey1(keys, 8)); x1 = philoxLo(b, m1); x3 = philoxLo(a, m0);
  y0 = philoxHi(d, m1, y1, roundKey0(keys, 8)); y2 = philoxHi(c, m0, y3, roundKey1(keys, 8)); y1 = philoxLo(d, m1); y3 = philoxLo(c, m0);
  a = x0; b = x2; c = y0; d = y2;
  x0 = philoxHi(b, m1, x1, roundKey0(keys, 9)); x2 = philoxHi(a, m0, x3, roundKey1(keys, 9)); x1 = philoxLo(b, m1); x3 = philoxLo(a, m0);
  y0 = philoxHi(d, m1, y1, roundKey0(keys, 9)); y2 = philoxHi(c, m0, y3, roundKey1(keys, 9)); y1 = philoxLo(d, m1); y3 = philoxLo(c, m0);
  v128.store(out, x0);
  v128.store(out, x1, 16);
  v128.store(out, x2, 32);
  v128.store(out, x3, 48);
  v128.store(out, y0, 64);
  v128.store(out, y1, 80);
  v128.store(out, y2, 96);
  v128.store(out, y3, 112);
}

/** Maps a 32-bit word to the open interval (0, 1): (x + 0.5)·2⁻³², never 0 or 1 (safe for log and AS241). */
// @ts-ignore: decorator
@inline export function uniformOpen(x: u32): f64 {
  return (<f64>x + 0.5) * 2.3283064365386963e-10;
}

/** Test hook: writes philox4x32-10(counter, key) as four u32 at `out`. */
export function philox4x32Into(c0: u32, c1: u32, c2: u32, c3: u32, k0: u32, k1: u32, out: usize): void {
  philox4x32(c0, c1, c2, c3, k0, k1);
  store<u32>(out, philoxOut0);
  store<u32>(out + 4, philoxOut1);
  store<u32>(out + 8, philoxOut2);
  store<u32>(out + 12, philoxOut3);
}
