// Where the pool hedges: a HedgeVenue quotes a mark, a fee rate, a slippage by size and (perpetuals) a funding rate,
// and executes limit orders idempotently by order id (an order sent twice fills once: after a timeout the hedger
// re-sends the same id instead of risking a double fill). SimulatedVenue is a deterministic venue for tests and
// simulations: its mark is the spot it follows times a seeded basis, its fills pay half the spread plus a
// square-root impact, and seeded outages make it unavailable.
import type { Clock } from "../clock.js";

/** A limit order to the venue. Sizes in whole base units (e.g. ETH), prices in quote per base. */
export interface VenueOrder {
  /** Client order id: the venue fills an id at most once and answers a repeat with the same fill. */
  id: string;
  side: "buy" | "sell";
  size: number;
  /** Buys fill at no more, sells at no less. */
  limitPrice: number;
}

/** A fill of a whole order. */
export interface VenueFill {
  price: number;
  /** The venue's mark when it filled. */
  mark: number;
  /** Fee as a fraction of the fill's notional. */
  feeRate: number;
}

/** Why a venue did not fill: "unavailable" (not received; the same order may be sent again) or "refused" (final). */
export class VenueError extends Error {
  constructor(
    readonly reason: "unavailable" | "refused",
    message: string,
  ) {
    super(message);
    this.name = "VenueError";
  }
}

/** A spot market or a perpetual the pool hedges its delta on. */
export interface HedgeVenue {
  /** Name recorded in the pool's hedge orders (≤ 500 characters). */
  readonly name: string;
  readonly kind: "spot" | "perpetual";
  /** Mark price now (quote per base). Throws VenueError("unavailable") when the venue is down. */
  mark(): number;
  /** Taker fee, fraction of notional. */
  feeRate(): number;
  /** Price impact of a fill of `size` base units, as a fraction of the mark (half spread included). */
  slippage(size: number): number;
  /** Funding (perpetual) or borrow cost (spot), per year as a fraction of notional; > 0 when longs pay. */
  fundingRate(): number;
  /** Executes `order` whole or throws VenueError; idempotent by order id. */
  execute(order: VenueOrder): VenueFill;
}

/** Settings of a SimulatedVenue. */
export interface SimulatedVenueOptions {
  name?: string;
  kind?: "spot" | "perpetual";
  /** The spot the venue follows (e.g. the scenario's price path), quote per base. */
  spot: () => number;
  clock: Clock;
  /** Default 0.0005 (5 bp). */
  feeRate?: number;
  /** Half the bid-ask spread, fraction of mark. Default 0.0002. */
  halfSpread?: number;
  /** Square-root impact: impact · √(size / depth). Default 0.001. */
  impact?: number;
  /** Base units for the impact scale. Default 1000. */
  depth?: number;
  /** Per year, fraction of notional. Default 0.1 (a perpetual's typical positive funding); 0 for spot. */
  fundingRate?: number;
  /** Largest |mark / spot − 1| of the seeded basis, uniform. Default 0.0005. */
  basis?: number;
  /** Probability that the venue is down in a given second (seeded). Default 0. */
  outageProbability?: number;
  seed?: number;
}

/** 32-bit hash of (seed, t, salt) → [0, 1) (a splitmix-style mix: a seeded, stateless per-second draw). */
function draw(seed: number, t: number, salt: number): number {
  let x = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(t | 0, 0xc2b2ae35) ^ Math.imul(salt, 0x27d4eb2f)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b) >>> 0;
  return ((x ^ (x >>> 16)) >>> 0) / 4294967296;
}

/** A deterministic venue: the same seed, spot path and clock give the same marks, outages and fills. */
export class SimulatedVenue implements HedgeVenue {
  readonly name: string;
  readonly kind: "spot" | "perpetual";
  private readonly o: Required<Omit<SimulatedVenueOptions, "name" | "kind">>;
  private readonly fills = new Map<string, VenueFill>();

  constructor(options: SimulatedVenueOptions) {
    this.name = options.name ?? "simulated-perp";
    this.kind = options.kind ?? "perpetual";
    this.o = { feeRate: 0.0005, halfSpread: 0.0002, impact: 0.001, depth: 1000, fundingRate: this.kind === "spot" ? 0 : 0.1, basis: 0.0005, outageProbability: 0, seed: 1, ...options };
    for (const [key, v] of Object.entries(this.o)) if (typeof v === "number" && !(Number.isFinite(v) && v >= (key === "fundingRate" ? -1 : 0))) throw new RangeError(`SimulatedVenue: ${key} must be a finite number ≥ 0, got ${v}`);
  }

  private down(): boolean {
    return draw(this.o.seed, this.o.clock.now(), 2) < this.o.outageProbability;
  }

  mark(): number {
    if (this.down()) throw new VenueError("unavailable", `${this.name} is down`);
    return this.o.spot() * (1 + this.o.basis * (2 * draw(this.o.seed, this.o.clock.now(), 1) - 1));
  }

  feeRate(): number {
    return this.o.feeRate;
  }

  slippage(size: number): number {
    return this.o.halfSpread + this.o.impact * Math.sqrt(Math.abs(size) / this.o.depth);
  }

  fundingRate(): number {
    return this.o.fundingRate;
  }

  execute(order: VenueOrder): VenueFill {
    const done = this.fills.get(order.id);
    if (done) return done;
    const mark = this.mark();
    if (!(order.size > 0) || !Number.isFinite(order.size)) throw new VenueError("refused", `size ${order.size} is not a positive number`);
    const price = mark * (order.side === "buy" ? 1 + this.slippage(order.size) : 1 - this.slippage(order.size));
    if (order.side === "buy" ? price > order.limitPrice : price < order.limitPrice)
      throw new VenueError("refused", `${order.side} ${order.size} would fill at ${price.toFixed(4)}, beyond the limit ${order.limitPrice.toFixed(4)}`);
    const fill = { price, mark, feeRate: this.o.feeRate };
    this.fills.set(order.id, fill);
    return fill;
  }
}
