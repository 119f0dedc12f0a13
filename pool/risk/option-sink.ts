// Options to price, gathered from many series into reused batch columns and priced a block at a time, each result
// written where its caller wants it: how the incremental risk caches price the series that opened (a handful per
// trade, or the whole book after the market moved) without a batch or an output allocation per call.
import type { Greeks, OptionBatch } from "../../bindings/types.js";
import type { RiskPricer } from "./normals.js";

/** Options per pricer call: about what a VaR block holds (var.ts "auto"), cache-sized. */
const BLOCK = 65_536;

/** Which greeks a sink keeps: "price" (one value per option), or "greeks" (delta, gamma, vega, theta: four). */
export type SinkOutput = "price" | "greeks";

/** Gathers options and prices them in blocks of at most 65,536 with a synchronous pricer. */
export class OptionSink {
  private readonly type = new Float64Array(BLOCK);
  private readonly spot = new Float64Array(BLOCK);
  private readonly strike = new Float64Array(BLOCK);
  private readonly years = new Float64Array(BLOCK);
  private readonly vol = new Float64Array(BLOCK);
  /** Runs of consecutive options whose results go to consecutive places of one destination. */
  private readonly runDest: Float64Array[] = [];
  private readonly runAt = new Int32Array(BLOCK);
  private readonly runStart = new Int32Array(BLOCK);
  private readonly runCount = new Int32Array(BLOCK);
  private readonly output: Greeks;
  private count = 0;
  private runs = 0;

  constructor(
    private readonly pricer: RiskPricer,
    private readonly rate: number,
    private readonly dividend: number,
    private readonly keep: SinkOutput,
  ) {
    const column = () => new Float64Array(BLOCK);
    this.output = { price: column(), delta: column(), gamma: column(), vega: column(), theta: column(), rho: column() };
  }

  /**
   * Adds one option (type +1 call / −1 put, spot, strike, years, vol): its price goes to `dest[index]` ("price"), or
   * its delta, gamma, vega, theta to `dest[index … index + 3]` ("greeks"), when the block is priced.
   */
  push(type: number, spot: number, strike: number, years: number, vol: number, dest: Float64Array, index: number): void {
    const i = this.count;
    this.type[i] = type;
    this.spot[i] = spot;
    this.strike[i] = strike;
    this.years[i] = years;
    this.vol[i] = vol;
    this.run(dest, index, i, 1);
  }

  /**
   * Adds spot.length options of one type, strike and years, option j at spot[j] and vol[j] ("price" only): their
   * prices go to dest[index + j].
   */
  pushColumn(type: number, strike: number, years: number, spot: Float64Array, vol: Float64Array, dest: Float64Array, index: number): void {
    for (let done = 0; done < spot.length; ) {
      const i = this.count;
      const take = Math.min(BLOCK - i, spot.length - done);
      this.type.fill(type, i, i + take);
      this.strike.fill(strike, i, i + take);
      this.years.fill(years, i, i + take);
      this.spot.set(spot.subarray(done, done + take), i);
      this.vol.set(vol.subarray(done, done + take), i);
      this.run(dest, index + done, i, take);
      done += take;
    }
  }

  private run(dest: Float64Array, at: number, start: number, count: number): void {
    const r = this.runs++;
    this.runDest[r] = dest;
    this.runAt[r] = at;
    this.runStart[r] = start;
    this.runCount[r] = count;
    this.count += count;
    if (this.count === BLOCK) this.flush();
  }

  /** Prices what is gathered and writes the results. */
  flush(): void {
    const n = this.count;
    if (n === 0) return;
    const sub = (a: Float64Array) => (n === BLOCK ? a : a.subarray(0, n));
    const batch: OptionBatch = { type: sub(this.type), spot: sub(this.spot), strike: sub(this.strike), expiry: sub(this.years), vol: sub(this.vol), rate: this.rate, dividend: this.dividend };
    const o = this.output;
    const out = this.pricer.blackScholes(batch, { price: sub(o.price), delta: sub(o.delta), gamma: sub(o.gamma), vega: sub(o.vega), theta: sub(o.theta), rho: sub(o.rho) });
    for (let r = 0; r < this.runs; r++) {
      const dest = this.runDest[r]!;
      const start = this.runStart[r]!;
      const count = this.runCount[r]!;
      const at = this.runAt[r]!;
      if (this.keep === "price") dest.set(out.price.subarray(start, start + count), at);
      else {
        for (let j = 0; j < count; j++) {
          const i = start + j;
          const d = at + 4 * j;
          dest[d] = out.delta[i]!;
          dest[d + 1] = out.gamma[i]!;
          dest[d + 2] = out.vega[i]!;
          dest[d + 3] = out.theta[i]!;
        }
      }
    }
    this.runDest.length = 0;
    this.runs = 0;
    this.count = 0;
  }
}
