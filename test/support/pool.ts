// Shared pool fixtures: a USDC put pool (or an ETH call pool) on the real pricer, a manual clock and oracle, and the
// check that a rejected operation is a PoolError naming its code and field and changes nothing.
import { expect } from "vitest";
import type { Pricer } from "../../bindings/index.js";
import { ManualClock, ManualOracle, OptionPool, PoolError, type OracleSnapshot, type PoolConfig, type PoolParams } from "../../pool/index.js";

export const T0 = 1_767_225_600; // 2026-01-01T00:00:00Z
export const DAY = 86_400;
export const USDC = 1_000_000n;
export const ETH = 10n ** 18n;

export interface PoolFixture {
  pool: OptionPool;
  clock: ManualClock;
  oracle: ManualOracle;
  config: PoolConfig;
}

/** A pool at T0, spot 2000, base vol 0.6: "quote" (USDC, writes puts) or "base" (ETH, writes calls). */
export function makePool(
  pricer: Pricer,
  options: { kind?: "quote" | "base"; params?: Partial<PoolParams>; spot?: number; oracle?: Partial<OracleSnapshot>; config?: Partial<PoolConfig> } = {},
): PoolFixture {
  const kind = options.kind ?? "quote";
  const clock = new ManualClock(T0);
  const oracle = new ManualOracle({ spot: options.spot ?? 2000, timestamp: T0, baseVol: 0.6, ...options.oracle });
  const config: PoolConfig = {
    collateral: kind, decimals: kind === "quote" ? 6 : 18, sizeDecimals: 2, pricer, oracle, clock, params: options.params, ...options.config,
  };
  return { pool: new OptionPool(config), clock, oracle, config };
}

/** Moves the clock to `to` printing `spot` (and the other fields carried over) every `step` seconds from `from`. */
export function printEvery(f: Pick<PoolFixture, "clock" | "oracle">, from: number, to: number, step: number, update: Partial<OracleSnapshot>): void {
  for (let t = from; t <= to; t += step) {
    f.clock.set(Math.max(f.clock.now(), t));
    f.oracle.push({ ...update, timestamp: t });
  }
}

/** Runs `op`; expects a PoolError with `code` and `field`; checks that the ledger and its log did not change. */
export function expectRejected(pool: OptionPool, op: () => unknown, code: string, field?: string): PoolError {
  const before = JSON.stringify(pool.snapshot());
  const seq = pool.seq;
  let caught: unknown;
  try {
    op();
  } catch (e) {
    caught = e;
  }
  expect(caught, "the operation must be refused").toBeInstanceOf(PoolError);
  const e = caught as PoolError;
  expect(e.code, e.message).toBe(code);
  if (field !== undefined) expect(e.field, e.message).toBe(field);
  expect(JSON.stringify(pool.snapshot())).toBe(before);
  expect(pool.seq).toBe(seq);
  return e;
}

/** The documented bound (docs/pool-safety.md, docs/defences.md) on an attacker's gain in an LP attack: deposit·1e-8 + 2 base units. */
export function attackBound(deposit: bigint): bigint {
  return deposit / 100_000_000n + 2n;
}
