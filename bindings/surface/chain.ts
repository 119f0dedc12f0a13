// A chain of quotes made ready to fit: validated columns, log-moneyness against each quote's forward, implied
// vols (given, or from prices by Let's Be Rational), weights, and slices grouped by expiry.
import { normalizeNumericBatch, type NumericRule } from "../batch.js";
import { PricingInputError } from "../errors.js";
import { pricerOver } from "../pricer.js";
import { ImpliedVolStatus, type TypeColumn } from "../types.js";
import type { WasmCore } from "../wasm.js";
import type { SliceQuotes } from "./svi-quasi-explicit.js";
import type { FitWeights, VolChain } from "./types.js";

/** The chain's slices in increasing expiry, and how many quotes had no implied vol. */
export interface PreparedChain {
  slices: SliceQuotes[];
  dropped: number;
}

/** The chain's numeric columns as Float64Arrays (absent optional ones as undefined). */
function columns(chain: VolChain): Record<string, Float64Array | undefined> & { expiry: Float64Array; strike: Float64Array } {
  const fields: { field: string; rule: NumericRule; fallback?: number }[] = [
    { field: "expiry", rule: "positive" },
    { field: "strike", rule: "positive" },
  ];
  if ((chain.vol === undefined) === (chain.price === undefined)) throw new PricingInputError("vol", undefined, "give exactly one of vol and price");
  fields.push(chain.vol !== undefined ? { field: "vol", rule: "positive" } : { field: "price", rule: "nonNegative" });
  if (chain.forward !== undefined) fields.push({ field: "forward", rule: "positive" });
  else fields.push({ field: "spot", rule: "positive" });
  fields.push({ field: "rate", rule: "finite", fallback: 0 }, { field: "dividend", rule: "finite", fallback: 0 });
  if (chain.bid !== undefined || chain.ask !== undefined) fields.push({ field: "bid", rule: "nonNegative" }, { field: "ask", rule: "nonNegative" });
  const batch = normalizeNumericBatch(chain, "a chain", fields);
  batch.validate(0, batch.length);
  const out: Record<string, Float64Array | undefined> = {};
  batch.columns.forEach((column) => {
    const values = new Float64Array(batch.length);
    column.copyInto(values, 0, batch.length);
    out[column.field] = values;
  });
  return out as Record<string, Float64Array | undefined> & { expiry: Float64Array; strike: Float64Array };
}

/** Implied vols of prices (NaN where none exists), with the forward standing in for spot when given. */
function impliedVols(core: WasmCore, chain: VolChain, c: Record<string, Float64Array | undefined>, price: Float64Array): Float64Array {
  if (chain.type === undefined) throw new PricingInputError("type", undefined, "is required with price");
  const spot = c.forward ?? c.spot!;
  // With a forward F and rate r: spot = F and dividend = r give F·e^{(r − r)T} = F and the discount e^{−rT}.
  const dividend = c.forward ? c.rate! : c.dividend!;
  const result = pricerOver(core).impliedVol({
    type: chain.type as TypeColumn, price, spot, strike: c.strike!, expiry: c.expiry!, rate: c.rate!, dividend,
  });
  return result.vol.map((v, i) => (result.status[i] === ImpliedVolStatus.ok ? v : NaN));
}

/** Least vega weight, as a fraction of the at-the-money vega. */
const VEGA_WEIGHT_FLOOR = 0.01;

/** Weights on squared vol errors, scaled to mean 1 over the kept quotes. */
function weightsOf(kind: FitWeights, k: Float64Array, vol: Float64Array, years: Float64Array, spread: Float64Array | undefined): Float64Array {
  const weight = new Float64Array(k.length);
  for (let i = 0; i < k.length; i++) {
    if (kind === "uniform") weight[i] = 1;
    else if (kind === "bid-ask") weight[i] = 1 / (spread![i]! * spread![i]!);
    else {
      // Black vega per unit forward and √T over its at-the-money value, φ(d₁)/φ(0) with d₁ = −k/s + s/2,
      // s = σ√T; floored so that deep wings, whose vega underflows, still count.
      const s = vol[i]! * Math.sqrt(years[i]!);
      const d1 = -k[i]! / s + s / 2;
      weight[i] = Math.max(VEGA_WEIGHT_FLOOR, Math.exp(-0.5 * d1 * d1));
    }
  }
  let mean = 0;
  for (const w of weight) mean += w / weight.length;
  return weight.map((w) => w / mean);
}

/** Bid-ask spreads in vol: ask − bid (vol chains) or the difference of their implied vols (price chains). */
function spreads(core: WasmCore, chain: VolChain, c: Record<string, Float64Array | undefined>): Float64Array {
  const { bid, ask } = c;
  if (bid === undefined || ask === undefined) throw new PricingInputError("bid", undefined, 'bid and ask are required with weights "bid-ask"');
  for (let i = 0; i < bid.length; i++) if (!(ask[i]! > bid[i]!)) throw new PricingInputError("ask", i, `must exceed bid (${bid[i]}), got ${ask[i]}`);
  if (c.vol !== undefined) return ask.map((a, i) => a - bid[i]!);
  const high = impliedVols(core, chain, c, ask);
  const low = impliedVols(core, chain, c, bid);
  return high.map((h, i) => h - low[i]!);
}

/**
 * Validates a chain and returns its slices: k = ln(K/F), vols, weights (see FitWeights). Quotes whose price has
 * no implied vol are dropped and counted.
 * @throws PricingInputError naming the field and quote of the first invalid input, or a slice with fewer than
 * `minQuotes` quotes.
 */
export function prepareChain(core: WasmCore, chain: VolChain, weights: FitWeights, minQuotes: number): PreparedChain {
  const c = columns(chain);
  const n = c.expiry.length;
  const forward = c.forward ?? c.spot!.map((s, i) => s * Math.exp((c.rate![i]! - c.dividend![i]!) * c.expiry[i]!));
  const k = c.strike.map((K, i) => Math.log(K / forward[i]!));
  const vol = c.vol ?? impliedVols(core, chain, c, c.price!);
  const spread = weights === "bid-ask" ? spreads(core, chain, c) : undefined;
  const keep = Array.from({ length: n }, (_, i) => i).filter((i) => vol[i]! > 0 && (spread === undefined || spread[i]! > 0));
  const pick = (x: Float64Array) => Float64Array.from(keep, (i) => x[i]!);
  const [kk, vv, tt] = [pick(k), pick(vol), pick(c.expiry)];
  const weight = weightsOf(weights, kk, vv, tt, spread && pick(spread));
  const byExpiry = new Map<number, number[]>();
  keep.forEach((i, j) => byExpiry.set(c.expiry[i]!, [...(byExpiry.get(c.expiry[i]!) ?? []), j]));
  const slices = [...byExpiry.entries()].sort(([a], [b]) => a - b).map(([years, rows]) => {
    if (rows.length < minQuotes) {
      throw new PricingInputError("expiry", keep[rows[0]!], `the slice at ${years} y has ${rows.length} usable quotes; the model needs at least ${minQuotes}`);
    }
    const take = (x: Float64Array) => Float64Array.from(rows, (j) => x[j]!);
    return { years, k: take(kk), vol: take(vv), weight: take(weight) };
  });
  if (slices.length === 0) throw new PricingInputError("vol", undefined, "no quote of the chain has an implied vol");
  return { slices, dropped: n - keep.length };
}
