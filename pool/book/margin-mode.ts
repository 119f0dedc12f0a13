// Margin mode of the peer book: with a MarginLedger in the book's options, peers trade from their margin accounts.
// Orders escrow nothing in the book; a match is a "match" event in the book's log (the order's size goes down) and a
// trade in the margin ledger (premium from the buyer's cash to the writer's, positions in both accounts), so a writer
// posts only its portfolio margin, not full collateral. Every order and every fill is checked first against the
// accounts' initial margin at a fresh price, counting what the submission has already matched and what its owner has
// resting on the book: a maker whose account no longer carries its order is passed over, a taker whose account no
// longer carries the next fill stops matching there. The margin trades run at the end of the submission, after every
// check that can refuse it, and inside MarginLedger.atomically with the book's append: when the book's store refuses
// the events, the margin trades are undone, so the book and the ledger change together. Positions then settle in the
// margin ledger.
import { PoolError } from "../errors.js";
import type { SeriesRef } from "../events.js";
import type { MarginLedger } from "../margin/ledger.js";
import type { MarginMarket } from "../margin/portfolio.js";
import type { MarginPosition, MarginSeries } from "../margin/account.js";
import { mulDiv, pow10 } from "../units.js";
import type { BookSide } from "./events.js";
import type { BookState } from "./state.js";

/** The margin-ledger series of a book series. */
export function marginSeriesOf(s: SeriesRef): MarginSeries {
  return { type: s.type, strike: s.strike, expiry: s.expiry };
}

/** Premium of a match in margin mode: ⌈price · size / 10^sizeDecimals⌉ (the margin ledger's trade amount). */
export function matchAmount(price: bigint, size: bigint, sizeDecimals: number): bigint {
  return mulDiv(price, size, pow10(sizeDecimals), "up");
}

/** One submission's margin checks and pending trades. */
export class MarginSubmission {
  private readonly market: MarginMarket;
  private readonly extra = new Map<string, { positions: MarginPosition[]; cash: bigint }>();
  private readonly trades: { buyer: string; seller: string; series: MarginSeries; size: bigint; price: bigint }[] = [];

  constructor(private readonly ledger: MarginLedger, private readonly state: BookState, private readonly sizeDecimals: number) {
    this.market = ledger.market(true);
  }

  /** What `account` has resting on the book, as positions and premium it would pay. */
  private resting(account: string): { positions: MarginPosition[]; cash: bigint } {
    const positions: MarginPosition[] = [];
    let cash = 0n;
    for (const o of this.state.orders.values()) {
      if (o.owner !== account) continue;
      positions.push({ series: marginSeriesOf(o.series), size: o.side === "buy" ? o.size : -o.size });
      if (o.side === "buy") cash -= matchAmount(o.price, o.size, this.sizeDecimals);
    }
    return { positions, cash };
  }

  /** Whether `account` carries what this submission gave it plus `positions` and `cash`, and its resting orders. */
  carries(account: string, positions: MarginPosition[], cash: bigint, field: string): boolean {
    const sofar = this.extra.get(account) ?? { positions: [], cash: 0n };
    const rest = this.resting(account);
    try {
      this.ledger.checkCarries(account, this.market, [...rest.positions, ...sofar.positions, ...positions], rest.cash + sofar.cash + cash, field);
      return true;
    } catch (e) {
      if (e instanceof PoolError && e.code === "INSUFFICIENT_COLLATERAL") return false;
      throw e;
    }
  }

  /** Checks both sides of a match; when both carry it, records it for execution. Returns "ok" or the side that does not carry it. */
  match(buyer: string, seller: string, series: SeriesRef, size: bigint, price: bigint, makerSide: BookSide): "ok" | "buyer" | "seller" {
    const s = marginSeriesOf(series);
    const amount = matchAmount(price, size, this.sizeDecimals);
    const maker = makerSide === "sell" ? seller : buyer;
    // The maker's resting order is part of its resting positions already: only the cash and the direction change.
    const buyerOk = this.carries(buyer, maker === buyer ? [] : [{ series: s, size }], -(maker === buyer ? 0n : amount), "buyer");
    const sellerOk = this.carries(seller, maker === seller ? [] : [{ series: s, size: -size }], amount, "seller");
    if (!buyerOk) return "buyer";
    if (!sellerOk) return "seller";
    for (const [who, size1, cash] of [[buyer, size, -amount], [seller, -size, amount]] as const) {
      const e = this.extra.get(who) ?? { positions: [], cash: 0n };
      if (who !== maker) e.positions.push({ series: s, size: size1 });
      e.cash += cash;
      this.extra.set(who, e);
    }
    this.trades.push({ buyer, seller, series: s, size, price });
    return "ok";
  }

  /** Whether a taker may rest an order of `size` at `price` on top of what it matched (it becomes a resting order). */
  canRest(owner: string, side: BookSide, series: SeriesRef, size: bigint, price: bigint): boolean {
    const cash = side === "buy" ? -matchAmount(price, size, this.sizeDecimals) : 0n;
    return this.carries(owner, [{ series: marginSeriesOf(series), size: side === "buy" ? size : -size }], cash, side === "buy" ? "funds" : "size");
  }

  /** Runs the recorded trades in the margin ledger (after every check of the submission has passed). */
  execute(): void {
    for (const t of this.trades) this.ledger.trade(t.buyer, t.seller, { series: t.series, size: t.size, price: t.price });
  }
}
