// PoolError: every rejected pool operation throws one, naming what was wrong and which field caused it.
// A rejected operation has appended no event and changed no state.

/** Why a pool operation was rejected. */
export type PoolErrorCode =
  | "INVALID_INPUT"
  | "INSUFFICIENT_SHARES"
  | "INSUFFICIENT_LIQUIDITY"
  | "MAX_UTILIZATION"
  | "WRONG_OPTION_TYPE"
  | "STRIKE_OUT_OF_BOUNDS"
  | "EXPIRY_OUT_OF_BOUNDS"
  | "TOO_CLOSE_TO_EXPIRY"
  | "STALE_ORACLE"
  | "ORACLE_MOVING"
  | "SLIPPAGE"
  | "INSUFFICIENT_POSITION"
  | "NOT_EXPIRED"
  | "NOTHING_TO_SETTLE"
  | "NOTHING_TO_CLAIM"
  | "UNKNOWN_WITHDRAWAL"
  | "REPLAY_MISMATCH"
  // the log: schema, hash chain and MAC (events.ts, ledger-chain.ts)
  | "INVALID_EVENT"
  | "TAMPERED"
  // settlement (settlement.ts)
  | "SETTLEMENT_PENDING"
  | "SETTLEMENT_PRICE_KNOWN"
  | "WITHDRAWALS_PAUSED"
  // the commit mechanism: a nested operation, an async result overtaken by the ledger, an unexpected failure
  | "REENTRANT_CALL"
  | "LEDGER_MOVED"
  | "INTERNAL_ERROR"
  // the event store (pool/store): an append or snapshot it refused; the operation is not installed
  | "STORE_FAILED"
  // peer book and manipulation defences (pool/book)
  | "UNKNOWN_SERIES"
  | "EXPIRED"
  | "INSUFFICIENT_COLLATERAL"
  | "UNKNOWN_ORDER"
  | "TRADING_PAUSED"
  | "HOLDING_PERIOD"
  // risk (pool/risk)
  | "RISK_LIMIT"
  | "STALE_GREEKS"
  // hedging (pool/hedge): the venue's mark too far from the oracle, the venue down, a fill breaking its limit, free
  // liquidity unable to post the margin (and pay the fee and realised loss) of the smallest order
  | "HEDGE_PRICE_DEVIATION"
  | "HEDGE_MARGIN_SHORTFALL"
  | "HEDGE_VENUE_UNAVAILABLE"
  | "HEDGE_VENUE_FAULT"
  // the vol surface (pool/surface-guard)
  | "VOL_SURFACE_REFUSED";

/**
 * Thrown by OptionPool for a rejected operation. `code` says why, `field` names the input
 * (or the pool quantity) responsible. Nothing was changed when it is thrown.
 * @example
 * try { pool.deposit("alice", 0n) } catch (e) { if (e instanceof PoolError) console.log(e.code, e.field) } // INVALID_INPUT assets
 */
export class PoolError extends Error {
  readonly code: PoolErrorCode;
  readonly field: string;

  constructor(code: PoolErrorCode, field: string, problem: string, options?: { cause?: unknown }) {
    super(`${code} (${field}): ${problem}`, options);
    this.name = "PoolError";
    this.code = code;
    this.field = field;
  }
}

/** Throws INVALID_INPUT naming `field` unless `ok`. */
export function check(ok: boolean, field: string, problem: string): asserts ok {
  if (!ok) throw new PoolError("INVALID_INPUT", field, problem);
}
