// Routing of a submitted order (buy shown; a sell mirrors it with bids and "pays more" for "better"):
//   1. walk the asks in priority (lowest price, then earliest); before each, price the pool for the size still
//      wanted (r): the ask fills while  ask · r ≤ poolTotal(r) · 10^sizeDecimals  (peers win ties) and, for a
//      limit order, ask ≤ limit;
//   2. the pool fills the rest r at its quote if  poolTotal(r) · 10^sizeDecimals ≤ limit · r  (market: always);
//   3. when the pool cannot or may not (its limits, liquidity, price above the limit), the walk goes on to
//      the remaining asks within the limit; 4. a limit order's remainder rests, a market order's is reported.
// Routing emits the peer events and decides the pool's part; it trades nothing: PeerBook.submit records the pool's
// part and trades it (book/pool-part.ts), and runs the margin trades of margin mode with the book's append.
import type { OptionPool, Quote } from "../option-pool.js";
import { PoolError } from "../errors.js";
import type { SeriesRef } from "../events.js";
import { seriesKey } from "../ledger.js";
import { lockFor } from "../option-types.js";
import { mulDiv, pow10 } from "../units.js";
import type { MarginLedger } from "../margin/ledger.js";
import type { BookOrder, FillReport } from "./book-types.js";
import type { BookEventBody } from "./events.js";
import { MarginSubmission, matchAmount } from "./margin-mode.js";
import type { BookState } from "./state.js";

/** What routing decided: the report so far, the pool's part (its quote, not traded yet), the pending margin trades. */
export interface Route {
  report: FillReport;
  poolPart: Quote | undefined;
  margin: MarginSubmission | undefined;
}

/**
 * The pool's quote for the `r` contracts `trader` still wants, or undefined when the pool cannot take them (its
 * limits, liquidity, oracle; a sell of options the trader does not hold) or its price is beyond the order's limit.
 */
function poolQuoteFor(pool: OptionPool, trader: string, order: BookOrder, series: SeriesRef, r: bigint): Quote | undefined {
  const buy = order.side === "buy";
  const key = seriesKey(series);
  if (!buy && pool.positionsOf(trader).every((p) => seriesKey(p.series) !== key || p.size < r)) return undefined;
  let q: Quote;
  try {
    q = pool.quote({ type: series.type, strike: series.strike, expiry: series.expiry, size: r, side: order.side });
  } catch (e) {
    if (e instanceof PoolError) return undefined; // the pool cannot take it: peers only
    throw e;
  }
  const limit = order.limitPrice;
  if (limit === undefined) return q;
  const scale = pow10(pool.settings.sizeDecimals);
  return (buy ? q.total * scale <= limit * r : q.total * scale >= limit * r) ? q : undefined;
}

/** Rests the `remaining` contracts of a limit order at its limit (escrowed, or carried by margin); returns the escrow. */
function rest(pool: OptionPool, state: BookState, emit: (body: BookEventBody) => void, trader: string, order: BookOrder & { limitPrice: bigint }, series: SeriesRef, remaining: bigint, margin: MarginSubmission | undefined, report: FillReport): bigint {
  const buy = order.side === "buy";
  const limit = order.limitPrice;
  const s = pool.settings;
  // Only the trader's own orders can still cross (everyone else's within the limit has filled): refuse to rest a
  // crossed book rather than trade with oneself.
  const best = state.best(seriesKey(series), buy ? "sell" : "buy");
  if (best !== undefined && (buy ? best.price <= limit : best.price >= limit))
    throw new PoolError("INVALID_INPUT", "limitPrice", "would rest crossing your own resting order");
  if (margin && !margin.canRest(trader, order.side, series, remaining, limit))
    throw new PoolError("INSUFFICIENT_COLLATERAL", "size", `${trader}'s margin account does not carry the resting ${remaining}`);
  const escrow = margin ? 0n : buy ? mulDiv(limit, remaining, pow10(s.sizeDecimals), "up") : lockFor(s, series.type, series.strikeUnits, remaining);
  const id = state.nextOrderId;
  emit({ kind: "place", id, owner: trader, side: order.side, series, price: limit, size: remaining, escrow });
  report.resting = { id, size: remaining, price: limit, escrow };
  return escrow;
}

/**
 * Routes `trader`'s `order` on series `series` over `state` inside the book's running transaction (emitting fills,
 * matches and a resting remainder); throws a PoolError when the order is refused (funds, crossing its own order).
 */
export function routeOrder(pool: OptionPool, marginLedger: MarginLedger | undefined, state: BookState, emit: (body: BookEventBody) => void, trader: string, order: BookOrder, series: SeriesRef): Route {
  const buy = order.side === "buy";
  const key = seriesKey(series);
  const limit = order.limitPrice;
  const s = pool.settings;
  const scale = pow10(s.sizeDecimals);
  const report: FillReport = {
    side: order.side, series, requested: order.size, peerFills: [], pool: undefined, resting: undefined, unfilled: 0n,
    filledByPeers: 0n, filledByPool: 0n, premium: 0n, collateralPosted: 0n,
  };
  const poolQuote = (r: bigint) => poolQuoteFor(pool, trader, order, series, r);
  // Maker worse than the pool's average price per contract for r (peers win ties).
  const worseThanPool = (price: bigint, q: Quote, r: bigint) => (buy ? price * r > q.total * scale : price * r < q.total * scale);
  const withinLimit = (price: bigint) => limit === undefined || (buy ? price <= limit : price >= limit);

  const opposite = buy ? "sell" : "buy";
  let poolPart: Quote | undefined;
  const margin = marginLedger && new MarginSubmission(marginLedger, state, s.sizeDecimals);
  let remaining = order.size;
  let takerWritten = 0n; // cumulative size this taker writes to peers (sell), for exact collateral rounding
  // Best first; the next maker is looked up after each fill, which may have taken the current one off the book.
  for (let m = state.best(key, opposite); m !== undefined; m = state.after(m)) {
    if (remaining === 0n) break;
    if (m.owner === trader) continue; // no self-matching: own orders are skipped, not filled
    if (!withinLimit(m.price)) break;
    const q = poolPart === undefined ? poolQuote(remaining) : undefined;
    if (q && worseThanPool(m.price, q, remaining)) break;
    const size = remaining < m.size ? remaining : m.size;
    if (margin) {
      const carried = margin.match(buy ? trader : m.owner, buy ? m.owner : trader, series, size, m.price, m.side);
      if (carried !== "ok" && (carried === "buyer") === buy) break; // the taker carries no more
      if (carried !== "ok") continue; // this maker no longer carries its order
      const amount = matchAmount(m.price, size, s.sizeDecimals);
      emit({ kind: "match", makerId: m.id, maker: m.owner, taker: trader, makerSide: m.side, series, price: m.price, size, amount });
      report.peerFills.push({ makerId: m.id, maker: m.owner, price: m.price, size, amount, collateral: 0n });
      report.filledByPeers += size;
      report.premium += amount;
      remaining -= size;
      continue;
    }
    // Telescoping on cumulative sizes keeps every order's escrow exact: the pieces sum to the whole.
    const amount = mulDiv(m.price, m.filled + size, scale, "up") - mulDiv(m.price, m.filled, scale, "up");
    const collateral = m.side === "sell"
      ? lockFor(s, series.type, series.strikeUnits, m.filled + size) - lockFor(s, series.type, series.strikeUnits, m.filled)
      : lockFor(s, series.type, series.strikeUnits, takerWritten + size) - lockFor(s, series.type, series.strikeUnits, takerWritten);
    if (m.side === "buy") takerWritten += size;
    emit({ kind: "fill", makerId: m.id, maker: m.owner, taker: trader, makerSide: m.side, series, price: m.price, size, amount, collateral });
    report.peerFills.push({ makerId: m.id, maker: m.owner, price: m.price, size, amount, collateral });
    report.filledByPeers += size;
    report.premium += amount;
    if (!buy) report.collateralPosted += collateral;
    remaining -= size;
  }
  if (remaining > 0n) {
    poolPart = poolQuote(remaining);
    if (poolPart) {
      remaining -= poolPart.size;
      report.filledByPool = poolPart.size;
      report.premium += poolPart.total;
    }
  }
  const restEscrow = remaining > 0n && limit !== undefined ? rest(pool, state, emit, trader, { ...order, limitPrice: limit }, series, remaining, margin, report) : ((report.unfilled = remaining), 0n);
  const needed = margin ? (buy ? poolPart?.total ?? 0n : 0n) : buy ? report.premium + restEscrow : report.collateralPosted + restEscrow;
  if (needed > order.funds) throw new PoolError("INSUFFICIENT_COLLATERAL", "funds", `needs ${needed}, ${order.funds} posted`);
  return { report, poolPart, margin };
}
