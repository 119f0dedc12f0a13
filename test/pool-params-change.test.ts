// Parameter changes as pool events (pool/params-change.ts): a change is a chained, MAC'd paramsChanged event; quotes
// and trades follow it; a full replay and a restart from a snapshot put the same parameters in force at the same seq
// and re-derive every later trade under them; a bad change is refused whole, naming the parameter; a forged change
// in the log is refused on replay.
import { beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Pricer } from "../bindings/index.js";
import { ledgerKeyBytes, sealEvent } from "../pool/ledger-chain.js";
import { MemoryEventStore, OptionPool, PoolError, type PoolEvent } from "../pool/index.js";
import { DAY, T0, USDC, expectRejected, makePool, type PoolFixture } from "./support/pool.js";

const KEY = "ab".repeat(32);
const put = { type: "put" as const, strike: 1900, expiry: T0 + 30 * DAY };
const buy = { ...put, size: 100n, side: "buy" as const, maxCost: 10n ** 12n };
let pricer: Pricer;
beforeAll(async () => {
  pricer = await createPricer();
});

/** A keyed pool that trades, raises its spot fee by an event, and trades again. */
function lived(config: Partial<PoolFixture["config"]> = {}): PoolFixture & { before: bigint; after: bigint } {
  const f = makePool(pricer, { config: { ledgerKey: KEY, ...config } });
  f.pool.deposit("lp", 1_000_000n * USDC);
  f.pool.trade("bob", buy);
  f.clock.set(T0 + 60);
  const before = f.pool.quote({ ...put, size: 100n, side: "buy" }).total;
  f.pool.changeParams({ spotFeeRate: 0.004 }, "fees up for the week");
  const after = f.pool.quote({ ...put, size: 100n, side: "buy" }).total;
  f.clock.set(T0 + 120);
  f.pool.trade("carol", buy);
  return { ...f, before, after };
}

function forged(events: readonly PoolEvent[], changes: string, key: Uint8Array | undefined): PoolEvent[] {
  const last = events.at(-1)!;
  return [...events, sealEvent({ kind: "paramsChanged", changes, reason: "cheaper" }, last.seq + 1, last.time, last.hash, key)];
}

describe("paramsChanged", () => {
  it("is a logged event; quotes follow it; a full replay re-derives the later trades under it to the identical state", () => {
    const { pool, config, before, after } = lived();
    expect(pool.settings.params.spotFeeRate).toBe(0.004);
    expect(after).toBeGreaterThan(before); // the spot fee is 0.004 × spot per contract instead of the default
    const change = pool.events.find((e) => e.kind === "paramsChanged");
    expect(change).toMatchObject({ kind: "paramsChanged", changes: '{"spotFeeRate":0.004}', reason: "fees up for the week" });
    expect(change!.mac).toMatch(/^[0-9a-f]{64}$/);
    const replayed = OptionPool.replay(config, pool.events, { verify: "full" });
    expect(replayed.snapshot()).toEqual(pool.snapshot());
    expect(replayed.settings.params.spotFeeRate).toBe(0.004);
    // Without the change, carol's trade (priced at the new fee) does not re-derive: the event is what makes it valid.
    const without = pool.events.filter((e) => e.kind !== "paramsChanged");
    expect(() => OptionPool.replay(config, without, { verify: "full" })).toThrow(PoolError);
  });

  it("refuses a bad value, an unknown parameter, no change or no reason, naming the field, and changes nothing", () => {
    const { pool } = makePool(pricer, { config: { ledgerKey: KEY } });
    pool.deposit("lp", 1_000_000n * USDC);
    expectRejected(pool, () => pool.changeParams({ spotFeeRate: -1 }, "x"), "INVALID_INPUT", "params.spotFeeRate");
    expectRejected(pool, () => pool.changeParams({ tradingPauseSeconds: 10 ** 9 }, "x"), "INVALID_INPUT", "params.tradingPauseSeconds");
    expectRejected(pool, () => pool.changeParams({ nope: 1 } as never, "x"), "INVALID_INPUT", "params.nope");
    expectRejected(pool, () => pool.changeParams({}, "x"), "INVALID_INPUT", "params");
    expectRejected(pool, () => pool.changeParams({ spotFeeRate: 0.002 }, "  "), "INVALID_INPUT", "reason");
    expect(pool.settings.params.spotFeeRate).not.toBe(0.002);
  });

  it("refuses on replay a change forged without the key, with the wrong key, or edited after it was sealed", () => {
    const { pool, config } = lived();
    const events = pool.events;
    const attempt = (log: PoolEvent[]) => {
      try {
        OptionPool.replay(config, log);
      } catch (e) {
        return (e as PoolError).code;
      }
      return "accepted";
    };
    expect(attempt(forged(events, '{"spotFeeRate":0}', undefined))).toBe("TAMPERED");
    expect(attempt(forged(events, '{"spotFeeRate":0}', ledgerKeyBytes("cd".repeat(32))))).toBe("TAMPERED");
    const edited = events.map((e) => (e.kind === "paramsChanged" ? { ...e, changes: '{"spotFeeRate":0}' } : e));
    expect(attempt(edited)).toBe("TAMPERED");
    expect(attempt(forged(events, '{"spotFeeRate":0.003}', ledgerKeyBytes(KEY)))).toBe("accepted"); // the control: the key holder's change
  });

  it("refuses on replay a change sealed under the key whose values resolveParams refuses, naming the parameter", () => {
    const { pool, config } = lived();
    let caught: unknown;
    try {
      OptionPool.replay(config, forged(pool.events, '{"spotFeeRate":-1}', ledgerKeyBytes(KEY)));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(PoolError);
    expect((caught as PoolError).code).toBe("REPLAY_MISMATCH");
    expect((caught as PoolError).field).toBe("params.spotFeeRate");
    let unsorted: unknown;
    try {
      OptionPool.replay(config, forged(pool.events, '{"spotFeeRate":0.003,"optionPriceFeeRate":0.01}', ledgerKeyBytes(KEY)));
    } catch (e) {
      unsorted = e;
    }
    expect((unsorted as PoolError).field).toBe("changes");
  });

  it("restarts from a snapshot taken after a change with the changed parameters, and lives on as its twin", () => {
    const store = new MemoryEventStore<PoolEvent>();
    const { pool, config, clock } = lived({ store });
    pool.saveSnapshot();
    clock.set(T0 + 180);
    pool.trade("dave", buy);
    const again = OptionPool.open(config, { snapshot: "verified" });
    expect(again.settings.params.spotFeeRate).toBe(0.004);
    expect(again.snapshot()).toEqual(pool.snapshot());
    expect(again.quote({ ...put, size: 100n, side: "buy" })).toEqual(pool.quote({ ...put, size: 100n, side: "buy" }));
  });
});
