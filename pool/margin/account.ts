// What a margin account holds: cash collateral in quote base units (bigint) and signed positions in many option
// series (size units: + long, − short). Series are named by type, strike (quote per base) and expiry (unix seconds).
import { PoolError } from "../errors.js";

/** An option series of a margin account. */
export interface MarginSeries {
  type: "call" | "put";
  /** Strike, quote currency per base unit, > 0. */
  strike: number;
  /** Expiry, unix seconds. */
  expiry: number;
}

/** A holding: `size` size units (10^sizeDecimals per contract), + long, − short, never 0 in an account. */
export interface MarginPosition {
  series: MarginSeries;
  size: bigint;
}

/** Decimal scales of the margin ledger: cash in quote base units (10^decimals per quote), sizes in 10^sizeDecimals per contract. */
export interface MarginScales {
  decimals: number;
  sizeDecimals: number;
}

/** The key of a series ("put:1800:1767225600"). */
export function marginSeriesKey(s: MarginSeries): string {
  return `${s.type}:${s.strike}:${s.expiry}`;
}

/** Checks a series; PoolError("INVALID_INPUT") naming `field`. */
export function checkSeries(s: unknown, field: string): asserts s is MarginSeries {
  const x = s as Partial<MarginSeries> | null;
  if (typeof x !== "object" || x === null) throw new PoolError("INVALID_INPUT", field, "must be an object");
  if (x.type !== "call" && x.type !== "put") throw new PoolError("INVALID_INPUT", `${field}.type`, 'must be "call" or "put"');
  if (!(typeof x.strike === "number" && Number.isFinite(x.strike) && x.strike > 0)) throw new PoolError("INVALID_INPUT", `${field}.strike`, "must be a finite number > 0");
  if (!(Number.isSafeInteger(x.expiry) && (x.expiry as number) >= 0)) throw new PoolError("INVALID_INPUT", `${field}.expiry`, "must be integer unix seconds ≥ 0");
}

/** One account: its cash and its positions by series key. */
export class MarginAccount {
  /** Quote base units; negative only transiently as bad debt inside a liquidation or settlement. */
  cash = 0n;
  readonly positions = new Map<string, MarginPosition>();

  /** Adds `size` (signed) of `series`; a position that reaches 0 is removed. */
  add(series: MarginSeries, size: bigint): void {
    const key = marginSeriesKey(series);
    const next = (this.positions.get(key)?.size ?? 0n) + size;
    if (next === 0n) this.positions.delete(key);
    else this.positions.set(key, { series, size: next });
  }

  /** Positions as a list (copies), in key order for determinism. */
  list(): MarginPosition[] {
    return [...this.positions.keys()].sort().map((k) => ({ ...this.positions.get(k)! }));
  }

  get hasShort(): boolean {
    for (const p of this.positions.values()) if (p.size < 0n) return true;
    return false;
  }

  clone(): MarginAccount {
    const a = new MarginAccount();
    a.cash = this.cash;
    for (const [k, p] of this.positions) a.positions.set(k, { ...p });
    return a;
  }
}
