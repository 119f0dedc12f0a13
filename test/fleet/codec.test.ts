// Binary frames of the fleet (fleet/codec.ts, fleet/columns.ts), no Redis needed: columns survive a round
// trip bit for bit (NaN, −0, subnormals, ±Infinity), unaligned socket buffers decode, corrupt frames are refused,
// and values a worker must reject stay rejectable after encoding.
import { describe, expect, it } from "vitest";
import { PricingInputError } from "../../bindings/errors.js";
import { allocateFrame, decodeFrame, encodeF64Columns, FrameError, FrameKind, HEADER_BYTES } from "../../fleet/codec.js";
import { decodeOptionBatch, encodeBatchSlice, validateLikePricer } from "../../fleet/columns.js";

const special = Float64Array.from([0, -0, NaN, Infinity, -Infinity, 5e-324, Number.MAX_VALUE, 1 / 3]);

function bits(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

describe("fleet frames", () => {
  it("f64 and i32 columns round-trip bit for bit, with a 16-byte header and 8·n bytes per f64 column (no JSON)", () => {
    const status = Int32Array.from([0, 1, 2, 3, -1, 7, 2147483647, -2147483648]);
    const bytes = encodeF64Columns(FrameKind.impliedVolOutput, [special], [status, status]);
    expect(bytes.byteLength).toBe(HEADER_BYTES + special.length * (8 + 4 + 4));
    const frame = decodeFrame(bytes, FrameKind.impliedVolOutput, 1, 2);
    expect(bits(frame.f64[0]!).equals(bits(special))).toBe(true);
    expect(Array.from(frame.i32[1]!)).toEqual(Array.from(status));
  });

  it("a frame at an odd offset of a larger buffer (as sockets deliver) decodes to the same bits", () => {
    const bytes = encodeF64Columns(FrameKind.monteCarloBlocks, [special]);
    const pooled = new Uint8Array(bytes.byteLength + 3);
    pooled.set(bytes, 3);
    const frame = decodeFrame(pooled.subarray(3), FrameKind.monteCarloBlocks, 1);
    expect(bits(frame.f64[0]!).equals(bits(special))).toBe(true);
  });

  it("corrupt, truncated, wrong-kind and wrong-shape frames throw FrameError instead of returning numbers", () => {
    const good = encodeF64Columns(FrameKind.monteCarloBlocks, [special]);
    const badMagic = good.slice();
    badMagic[0] ^= 0xff;
    const badVersion = good.slice();
    badVersion[4] = 9;
    expect(() => decodeFrame(badMagic, FrameKind.monteCarloBlocks, 1)).toThrow(FrameError);
    expect(() => decodeFrame(badVersion, FrameKind.monteCarloBlocks, 1)).toThrow(/version 9/);
    expect(() => decodeFrame(good.subarray(0, good.length - 8), FrameKind.monteCarloBlocks, 1)).toThrow(/header says/);
    expect(() => decodeFrame(good, FrameKind.blackScholesOutput, 1)).toThrow(/kind/);
    expect(() => decodeFrame(good, FrameKind.monteCarloBlocks, 2)).toThrow(/columns/);
    expect(() => decodeFrame(good.subarray(0, 8), FrameKind.monteCarloBlocks, 1)).toThrow(/shorter/);
    expect(allocateFrame(FrameKind.blackScholesInput, 3, 7).bytes.byteLength).toBe(HEADER_BYTES + 3 * 7 * 8);
  });

  it("a batch slice encodes in kernel order; bad types and non-numbers become values the worker rejects at the same index", () => {
    const batch = {
      type: ["call", "put", "straddle", "call"],
      spot: [100, "101", 102, 103],
      strike: 100,
      expiry: new Float64Array([1, 2, 3, 4]),
      vol: 0.2,
      rate: 0.01,
    } as never;
    const decoded = decodeOptionBatch(encodeBatchSlice("blackScholes", batch, 1, 4));
    expect(Array.from(decoded.type as Int8Array)).toEqual([-1, 0, 1]);
    expect(Array.from(decoded.spot as Float64Array)).toEqual([NaN, 102, 103]); // "101" is not silently 101
    expect(Array.from(decoded.expiry as Float64Array)).toEqual([2, 3, 4]);
    expect(Array.from(decoded.dividend as Float64Array)).toEqual([0, 0, 0]); // documented default
    // Slice starts at element 1 of the whole batch: the first invalid element (type of element 2) is reported there.
    let error: unknown;
    try {
      validateLikePricer("blackScholes", decoded, 1);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PricingInputError);
    expect((error as PricingInputError).field).toBe("type");
    expect((error as PricingInputError).index).toBe(2);
  });
});
