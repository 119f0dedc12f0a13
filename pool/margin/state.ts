// State of the margin ledger and the one function that changes it: apply(event). Replay and live operations both go
// through it, so a replayed log rebuilds the identical accounts, fund and auctions.
// Conservation: paid in − paid out = Σ cash + insurance fund; every series' positions sum to zero over the accounts.
import { PoolError } from "../errors.js";
import { mulDiv } from "../units.js";
import { MarginAccount, marginSeriesKey, type MarginPosition } from "./account.js";
import type { AuctionTerms, MarginEvent } from "./events.js";

/** An auction in progress. */
export interface AuctionState {
  terms: AuctionTerms;
  /** Unix seconds of the start. */
  startTime: number;
  /** The account's positions at the start (what fractions refer to). */
  positions: MarginPosition[];
  /** Cumulative fraction taken, ppb. */
  filledPpb: bigint;
  /** The account's cash + mark was below zero at the start: bad debt is pending, withdrawals pause. */
  insolvent: boolean;
}

export class MarginState {
  seq = 0;
  hash: string;
  readonly accounts = new Map<string, MarginAccount>();
  readonly auctions = new Map<string, AuctionState>();
  fund = 0n;
  paidIn = 0n;
  paidOut = 0n;
  /** Bad debt covered by the fund and socialised, cumulative. */
  covered = 0n;
  socialised = 0n;

  constructor(genesis: string) {
    this.hash = genesis;
  }

  account(name: string): MarginAccount {
    let a = this.accounts.get(name);
    if (!a) this.accounts.set(name, (a = new MarginAccount()));
    return a;
  }

  clone(): MarginState {
    const s = new MarginState(this.hash);
    Object.assign(s, { seq: this.seq, fund: this.fund, paidIn: this.paidIn, paidOut: this.paidOut, covered: this.covered, socialised: this.socialised });
    for (const [k, a] of this.accounts) s.accounts.set(k, a.clone());
    for (const [k, x] of this.auctions) s.auctions.set(k, { ...x, positions: x.positions.map((p) => ({ ...p })) });
    return s;
  }

  /** Applies one (verified) event. */
  apply(e: MarginEvent): void {
    switch (e.kind) {
      case "deposit":
        this.account(e.account).cash += e.assets;
        this.paidIn += e.assets;
        break;
      case "withdraw":
        this.account(e.account).cash -= e.assets;
        this.paidOut += e.assets;
        break;
      case "trade": {
        const buyer = this.account(e.buyer);
        const seller = this.account(e.seller);
        buyer.cash -= e.amount;
        seller.cash += e.amount;
        buyer.add(e.series, e.size);
        seller.add(e.series, -e.size);
        break;
      }
      case "fund":
        this.account(e.account).cash -= e.assets;
        this.fund += e.assets;
        break;
      case "auction": {
        const { kind: _k, account, cash, seq: _s, time: _t, hash: _h, mac: _m, ...terms } = e;
        this.auctions.set(account, { terms, startTime: e.time, positions: this.account(account).list(), filledPpb: 0n, insolvent: cash + terms.mark < 0n });
        break;
      }
      case "bid": {
        const a = this.account(e.account);
        const l = this.account(e.liquidator);
        for (const t of e.take) {
          a.add(t.series, -t.size);
          l.add(t.series, t.size);
        }
        a.cash += e.amount - e.penalty;
        l.cash -= e.amount;
        this.fund += e.penalty;
        this.auctions.get(e.account)!.filledPpb = e.filledPpb;
        break;
      }
      case "cover":
        this.fund -= e.amount;
        this.account(e.account).cash += e.amount;
        this.covered += e.amount;
        break;
      case "socialise":
        for (const c of e.charges) this.account(c.account).cash -= c.amount;
        this.account(e.account).cash += e.amount;
        this.socialised += e.amount;
        break;
      case "settle":
        for (const pay of e.payouts) {
          const a = this.account(pay.account);
          a.cash += pay.amount;
          for (const [k, p] of a.positions) if (p.series.expiry === e.expiry) a.positions.delete(k);
        }
        this.fund += e.dust;
        break;
      case "close":
        this.auctions.delete(e.account);
        break;
    }
    this.seq = e.seq;
    this.hash = e.hash;
  }

  /** Σ cash + fund (quote base units). */
  get held(): bigint {
    let sum = this.fund;
    for (const a of this.accounts.values()) sum += a.cash;
    return sum;
  }

  /** Net size of every series over all accounts (each must be 0). */
  netSizes(): Map<string, bigint> {
    const net = new Map<string, bigint>();
    for (const a of this.accounts.values()) for (const p of a.positions.values()) net.set(marginSeriesKey(p.series), (net.get(marginSeriesKey(p.series)) ?? 0n) + p.size);
    return net;
  }
}

/**
 * Bad debt `amount` charged to every account but `bankrupt` with cash > 0, pro rata to cash: each pays
 * ⌊cash · amount / total⌋, and the units left by the rounding go one each to the largest payers (name order on ties),
 * so the charges sum to `amount` exactly. PoolError when the other accounts hold less than `amount`.
 */
export function socialCharges(state: MarginState, bankrupt: string, amount: bigint): { account: string; amount: bigint }[] {
  const payers = [...state.accounts].filter(([k, a]) => k !== bankrupt && a.cash > 0n).sort(([x], [y]) => (x < y ? -1 : 1));
  const total = payers.reduce((s, [, a]) => s + a.cash, 0n);
  if (total < amount) throw new PoolError("INSUFFICIENT_LIQUIDITY", "socialise", `bad debt ${amount} exceeds the ${total} all other accounts hold`);
  const charges = payers.map(([account, a]) => ({ account, amount: mulDiv(a.cash, amount, total, "down"), cash: a.cash }));
  let left = amount - charges.reduce((s, c) => s + c.amount, 0n);
  const byCash = [...charges].sort((x, y) => (x.cash > y.cash ? -1 : x.cash < y.cash ? 1 : x.account < y.account ? -1 : 1));
  for (const c of byCash) {
    if (left === 0n) break;
    if (c.amount < c.cash) {
      c.amount += 1n;
      left -= 1n;
    }
  }
  return charges.filter((c) => c.amount > 0n).map(({ account, amount: a }) => ({ account, amount: a }));
}
