// Peer traders of a scenario on the real PeerBook beside the pool: market makers rest a two-sided quote per series
// around the pool's quote every day (asks under the pool's price, bids under its fee-free premium), takers send
// buy orders through PeerBook.submit (peers at least as good as the pool first, the pool for the rest) and cancel
// any remainder (immediate-or-cancel). Volumes in contracts and whole collateral units.
import type { PeerBook } from "../book/peer-book.js";
import { PoolError } from "../errors.js";
import type { OptionPool, Quote } from "../option-pool.js";
import { pow10 } from "../units.js";
import type { PeersConfig } from "./config.js";

const DAY = 86_400;

/** Running peer-vs-pool volume totals. */
export interface PeerVolume {
  /** Contracts and premium filled between peers. */
  peerContracts: number;
  peerPremium: number;
  /** Contracts and premium the pool filled (direct traders and the part routed from the book). */
  poolContracts: number;
  poolPremium: number;
  /** Of poolContracts, the part routed through the book. */
  routedContracts: number;
  takerOrders: number;
  makerOrders: number;
  /** Orders refused (a PoolError), by code. */
  refused: Record<string, number>;
}

export function emptyVolume(): PeerVolume {
  return { peerContracts: 0, peerPremium: 0, poolContracts: 0, poolPremium: 0, routedContracts: 0, takerOrders: 0, makerOrders: 0, refused: {} };
}

/** Drives makers and takers on one book; `expiries` collects the expiries the pool and the book must settle. */
export class PeerDesk {
  private readonly resting = new Map<string, number[]>();
  private readonly listed = new Set<string>();
  readonly accounts: string[];

  constructor(
    readonly book: PeerBook,
    readonly config: PeersConfig,
    readonly t0: number,
  ) {
    this.accounts = [
      ...Array.from({ length: config.makers.count }, (_, i) => `maker${i}`),
      ...Array.from({ length: config.takers.count }, (_, i) => `taker${i}`),
    ];
  }

  private get pool(): OptionPool {
    return this.book.pool;
  }

  private refuse(volume: PeerVolume, e: unknown): void {
    if (!(e instanceof PoolError)) throw e;
    volume.refused[e.code] = (volume.refused[e.code] ?? 0) + 1;
  }

  /**
   * Peer trading on `day` at the day's `spot`; `uniform` is the scenario's RNG. Returns
   * the day's contracts matched between peers and routed to the pool (also added to `volume`).
   */
  trade(day: number, spot: number, uniform: () => number, volume: PeerVolume, expiries: Set<number>): { peer: number; pool: number } {
    const { makers, takers } = this.config;
    const peerBefore = volume.peerContracts;
    const poolBefore = volume.poolContracts;
    const sd = this.pool.settings.sizeDecimals;
    const scale = pow10(sd);
    const perContract = 10 ** sd;
    // The first weekly expiry at least expiryDays ahead.
    const expiry = this.t0 + Math.ceil((day + makers.expiryDays) / 7) * 7 * DAY;
    const series = [...new Set(makers.moneyness.map((m) => Math.round(spot * m)))].map((strike) => ({ type: "put" as const, strike, expiry }));
    for (const s of series) {
      const key = `${s.strike}@${s.expiry}`;
      if (!this.listed.has(key)) {
        this.book.list(s);
        this.listed.add(key);
      }
    }
    // Makers: yesterday's quotes out, today's in.
    for (let i = 0; i < makers.count; i++) {
      const maker = `maker${i}`;
      for (const id of this.resting.get(maker) ?? []) if (this.book.order(id)) this.book.cancel(maker, id);
      const ids: number[] = [];
      const size = BigInt(Math.max(1, Math.round(makers.contracts * perContract)));
      for (const s of series) {
        let q: Quote;
        try {
          q = this.pool.quote({ ...s, size, side: "buy" });
        } catch (e) {
          this.refuse(volume, e); // no pool quote to quote around (paused, limits): no quote today
          continue;
        }
        const ask = BigInt(Math.ceil((Number(q.total * scale) / Number(size)) * (1 - (makers.askDiscount * (i + 1)) / makers.count)));
        const bid = BigInt(Math.floor((Number(q.premium * scale) / Number(size)) * (1 - makers.bidDiscount)));
        for (const [side, price] of [["sell", ask], ["buy", bid < ask ? bid : ask - 1n]] as const) {
          if (price <= 0n) continue;
          try {
            const r = this.book.submit(maker, { ...s, side, size, limitPrice: price, funds: 10n ** 30n });
            volume.makerOrders++;
            this.count(r.peerFills.reduce((a, f) => a + f.amount, 0n), r.filledByPeers, volume);
            if (r.resting) ids.push(r.resting.id);
          } catch (e) {
            this.refuse(volume, e);
          }
        }
      }
      this.resting.set(maker, ids);
    }
    // Takers: buys routed peers-first, remainder cancelled.
    for (let k = 0; k < takers.ordersPerDay; k++) {
      const taker = `taker${k % takers.count}`;
      const s = series[Math.floor(uniform() * series.length)]!;
      const size = BigInt(1 + Math.floor(uniform() * takers.maxContracts * perContract));
      let limitPrice: bigint | undefined;
      try {
        const q = this.pool.quote({ ...s, size, side: "buy" });
        limitPrice = BigInt(Math.ceil((Number(q.total * scale) / Number(size)) * (1 + takers.slippage)));
      } catch (e) {
        if (!(e instanceof PoolError)) throw e; // the pool cannot quote: a market order, peers only
      }
      try {
        const r = this.book.submit(taker, { ...s, side: "buy", size, ...(limitPrice === undefined ? {} : { limitPrice }), funds: 10n ** 30n });
        volume.takerOrders++;
        if (r.resting) this.book.cancel(taker, r.resting.id);
        const peerPremium = r.peerFills.reduce((a, f) => a + f.amount, 0n);
        this.count(peerPremium, r.filledByPeers, volume);
        if (r.pool && r.filledByPool > 0n) {
          const c = Number(r.filledByPool) / perContract;
          volume.poolContracts += c;
          volume.routedContracts += c;
          volume.poolPremium += Number(r.pool.total) / 10 ** this.pool.settings.decimals;
          expiries.add(s.expiry);
        }
      } catch (e) {
        this.refuse(volume, e);
      }
    }
    expiries.add(expiry);
    return { peer: volume.peerContracts - peerBefore, pool: volume.poolContracts - poolBefore };
  }

  private count(premium: bigint, size: bigint, volume: PeerVolume): void {
    volume.peerContracts += Number(size) / 10 ** this.pool.settings.sizeDecimals;
    volume.peerPremium += Number(premium) / 10 ** this.pool.settings.decimals;
  }

  /** Settles the book's positions expiring at `due` and pays every peer's claimable balance. */
  settle(due: number[]): void {
    for (const e of due) {
      try {
        this.book.settle(e);
      } catch (e2) {
        if (!(e2 instanceof PoolError)) throw e2;
      }
    }
    this.book.expireOrders();
    for (const a of this.accounts) {
      if (this.book.claimableOf(a) > 0n) this.book.claim(a);
      if (this.pool.claimableOf(a) > 0n) this.pool.claim(a);
    }
  }
}
