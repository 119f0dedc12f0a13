// The scenario config of `pool2peer simulate` (JSON; default-scenario.json is the documented example) and its
// validation: every field is checked and a bad one throws a RangeError naming it ("attacker.attacks[1].day ...").

/** Market makers: each day every maker rests a bid and an ask per quoted series around the pool's quote. */
export interface MakersConfig {
  /** Number of makers (accounts "maker0", "maker1", ...). */
  count: number;
  /** Contracts per resting order. */
  contracts: number;
  /** Ask = the pool's average buy price per contract × (1 − askDiscount·(i + 1)/count) for maker i, in [0, 0.5]. */
  askDiscount: number;
  /** Bid = the pool's fee-free premium per contract × (1 − bidDiscount), in (0, 0.9]. */
  bidDiscount: number;
  /** Quoted strikes as fractions of the day's spot (each in [0.5, 2]). */
  moneyness: number[];
  /** Quoted expiry: the first weekly expiry at least this many days ahead (integer ≥ 1). */
  expiryDays: number;
}

/** Takers: buy orders routed through `PeerBook.submit` (peers first, the pool for the rest), immediate-or-cancel. */
export interface TakersConfig {
  /** Number of takers (accounts "taker0", ...). */
  count: number;
  /** Orders per day over all takers. */
  ordersPerDay: number;
  /** Largest order (contracts). */
  maxContracts: number;
  /** Limit = the pool's average price × (1 + slippage); a market order when the pool cannot quote. In [0, 1]. */
  slippage: number;
}

/** Peer traders beside the pool. */
export interface PeersConfig {
  makers: MakersConfig;
  takers: TakersConfig;
}

/**
 * Hit-and-run: spot moves by `spotMove` (a move the attacker plans or causes; it stays) and 610 s later, while the
 * 1800 s TWAP still lags (inside the oracle-move and deviation limits), the attacker deposits, buys puts at the pool's
 * latest price and redeems every share in the same second. Targets lpConservativeNav (undefended twin: 0).
 */
export interface HitAndRunAttack {
  kind: "hit-and-run";
  day: number;
  /** Whole collateral units deposited. */
  deposit: number;
  /** Relative spot move before the trade, in (−0.5, 0.5), ≠ 0. */
  spotMove: number;
  contracts: number;
  /** Strike / moved spot, in [0.5, 2]. */
  moneyness: number;
  expiryDays: number;
}

/**
 * One-block oracle spike: spot × (1 + spotMove) for `spikeSeconds`, a deposit inside the spike (share price marked
 * at the spike), redemption right after it reverts. Targets the LP oracle guards (the deposit is refused while the
 * print deviates from its average or spot is moving) and the TWAP NAV (undefended twin: navTwapWindowSeconds 0,
 * maxOracleMove 100).
 */
export interface OracleSpikeAttack {
  kind: "oracle-spike";
  day: number;
  deposit: number;
  /** In (−0.9, 1), ≠ 0. */
  spotMove: number;
  spikeSeconds: number;
}

/**
 * One large buy split into `pieces` trades in the same block; gain = what one trade of the same size costs minus
 * what the pieces cost. Targets the accumulated IV impact (undefended twin: ivImpactWindowSeconds 0).
 */
export interface SplitTradeAttack {
  kind: "split-trade";
  day: number;
  contracts: number;
  pieces: number;
  moneyness: number;
  expiryDays: number;
}

export type AttackConfig = HitAndRunAttack | OracleSpikeAttack | SplitTradeAttack;

/** The attacker: one account running its attacks in day order. */
export interface AttackerConfig {
  name: string;
  attacks: AttackConfig[];
}

/** Delta hedging of the pool (pool/hedge/) at a simulated perpetual, after each day's trades. */
export interface ScenarioHedgeConfig {
  /** Band half-width (base units, "fixed") or Whalley-Wilmott risk aversion (per USDC per base unit). */
  band: { kind: "fixed"; halfWidth: number } | { kind: "whalley-wilmott"; riskAversion: number };
  /** The simulated venue's costs (fractions of notional; funding per year). */
  venue: { feeRate: number; halfSpread: number; impact: number; depth: number; fundingRate: number };
  /**
   * The size of the hedger's orders the quotes' hedge fee expects (base units): it prices the venue's slippage
   * (pool/hedge/fee.ts hedgeFeeParams). Both twins charge the fee.
   */
  orderSize: number;
  /** false: the twin without hedging (same fees). */
  enabled: boolean;
}

/** The JSON config of a scenario (see default-scenario.json). Amounts in whole USDC, times in days. */
export interface ScenarioConfig {
  seed: number;
  days: number;
  spot: number;
  vol: number;
  drift: number;
  /** Annualised lognormal vol of the base vol. */
  volOfVol: number;
  /** A crash day: spot × (1 + spotMove), vol × (1 + volMove). */
  crash?: { day: number; spotMove: number; volMove: number };
  /**
   * The oracle's smile (optional; default: the linear skew −0.1 · ln(K/S)): an SSVI surface with power-law φ,
   * ρ in (−1, 1), η > 0, γ in (0, 1/2], η(1 + |ρ|) ≤ 2 (free of static arbitrage, GJ 2014 Remark 4.4).
   */
  smile?: { rho: number; eta: number; gamma: number };
  lps: { name: string; deposit: number; day: number; redeemDay?: number }[];
  traders: { count: number; tradesPerDay: number; maxContracts: number; minDays: number; maxDays: number };
  /** Peer market makers and takers trading through the PeerBook (optional). */
  peers?: PeersConfig;
  /** An attacker and its attacks (optional). */
  attacker?: AttackerConfig;
  risk: { varPaths: number; varHorizonDays: number; greeksEveryDays: number };
  /** Delta hedging (optional; pool/simulation/hedge-twins.ts runs the hedged and unhedged twins). */
  hedge?: ScenarioHedgeConfig;
}

const ATTACK_KINDS = ["hit-and-run", "oracle-spike", "split-trade"] as const;

/** Checks a parsed config; throws a RangeError whose message starts with the offending field. */
export function checkScenarioConfig(c: ScenarioConfig): ScenarioConfig {
  const bad = (field: string, what: string): never => {
    throw new RangeError(`scenario config: ${field} ${what}`);
  };
  const obj = (v: unknown, field: string): void => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) bad(field, "must be an object");
  };
  /** A finite number in [lo, hi] (open ends with `open`), optionally an integer. */
  const num = (v: unknown, field: string, lo: number, hi: number, opts: { int?: boolean; openLo?: boolean; openHi?: boolean } = {}): void => {
    const ok = typeof v === "number" && Number.isFinite(v) && (opts.openLo ? v > lo : v >= lo) && (opts.openHi ? v < hi : v <= hi) && (!opts.int || Number.isInteger(v));
    if (!ok) bad(field, `must be ${opts.int ? "an integer" : "a number"} in ${opts.openLo ? "(" : "["}${lo}, ${hi}${opts.openHi ? ")" : "]"}, got ${JSON.stringify(v)}`);
  };
  const name = (v: unknown, field: string): void => {
    if (typeof v !== "string" || !/^\S.{0,127}$/s.test(v)) bad(field, "must be a non-empty account name (≤ 128 chars)");
  };
  obj(c, "config");
  if (!(Number.isInteger(c.days) && c.days >= 1 && c.days <= 3650)) bad("days", "must be an integer in [1, 3650]");
  if (!(c.spot > 0)) bad("spot", "must be > 0");
  if (!(c.vol > 0)) bad("vol", "must be > 0");
  if (!Number.isInteger(c.seed)) bad("seed", "must be an integer");
  if (c.smile !== undefined) {
    obj(c.smile, "smile");
    num(c.smile.rho, "smile.rho", -1, 1, { openLo: true, openHi: true });
    num(c.smile.gamma, "smile.gamma", 0, 0.5, { openLo: true });
    num(c.smile.eta, "smile.eta", 0, 2 / (1 + Math.abs(c.smile.rho)), { openLo: true });
  }
  if (!Array.isArray(c.lps) || c.lps.length === 0) bad("lps", "must list at least one LP");
  c.lps.forEach((lp, i) => {
    name(lp.name, `lps[${i}].name`);
    if (!(lp.deposit > 0)) bad(`lps[${i}].deposit`, "must be > 0");
  });
  if (!(c.traders?.count >= 1)) bad("traders.count", "must be ≥ 1");
  if (!(c.risk?.varPaths >= 100)) bad("risk.varPaths", "must be ≥ 100");
  if (c.peers !== undefined) {
    obj(c.peers, "peers");
    const m = c.peers.makers;
    obj(m, "peers.makers");
    num(m.count, "peers.makers.count", 0, 100, { int: true });
    num(m.contracts, "peers.makers.contracts", 0, 1e6, { openLo: true });
    num(m.askDiscount, "peers.makers.askDiscount", 0, 0.5);
    num(m.bidDiscount, "peers.makers.bidDiscount", 0, 0.9, { openLo: true });
    if (!Array.isArray(m.moneyness) || m.moneyness.length === 0) bad("peers.makers.moneyness", "must list at least one strike / spot");
    m.moneyness.forEach((x, i) => num(x, `peers.makers.moneyness[${i}]`, 0.5, 2));
    num(m.expiryDays, "peers.makers.expiryDays", 1, 365, { int: true });
    const t = c.peers.takers;
    obj(t, "peers.takers");
    num(t.count, "peers.takers.count", 0, 100, { int: true });
    num(t.ordersPerDay, "peers.takers.ordersPerDay", 0, 1000, { int: true });
    num(t.maxContracts, "peers.takers.maxContracts", 0, 1e6, { openLo: true });
    num(t.slippage, "peers.takers.slippage", 0, 1);
    if (t.ordersPerDay > 0 && t.count === 0) bad("peers.takers.count", "must be ≥ 1 when ordersPerDay > 0");
  }
  if (c.attacker !== undefined) {
    const a = c.attacker;
    obj(a, "attacker");
    name(a.name, "attacker.name");
    if (c.lps.some((lp) => lp.name === a.name) || /^(trader|maker|taker)\d+$/.test(a.name) || a.name === "treasury")
      bad("attacker.name", `must differ from the LPs, traders, peers and treasury, got "${a.name}"`);
    if (!Array.isArray(a.attacks)) bad("attacker.attacks", "must be an array");
    a.attacks.forEach((x, i) => {
      const f = `attacker.attacks[${i}]`;
      obj(x, f);
      if (!ATTACK_KINDS.includes(x.kind)) bad(`${f}.kind`, `must be one of ${ATTACK_KINDS.map((k) => `"${k}"`).join(", ")}, got ${JSON.stringify(x.kind)}`);
      num(x.day, `${f}.day`, 1, c.days, { int: true });
      if (x.kind === "hit-and-run" || x.kind === "oracle-spike") num(x.deposit, `${f}.deposit`, 0, 1e12, { openLo: true });
      if (x.kind === "hit-and-run") {
        num(x.spotMove, `${f}.spotMove`, -0.5, 0.5, { openLo: true, openHi: true });
        if (x.spotMove === 0) bad(`${f}.spotMove`, "must not be 0");
      }
      if (x.kind === "oracle-spike") {
        num(x.spotMove, `${f}.spotMove`, -0.9, 1, { openLo: true, openHi: true });
        if (x.spotMove === 0) bad(`${f}.spotMove`, "must not be 0");
        num(x.spikeSeconds, `${f}.spikeSeconds`, 1, 3600, { int: true });
      }
      if (x.kind === "hit-and-run" || x.kind === "split-trade") {
        num(x.contracts, `${f}.contracts`, 0, 1e6, { openLo: true });
        num(x.moneyness, `${f}.moneyness`, 0.5, 2);
        num(x.expiryDays, `${f}.expiryDays`, 1, 365, { int: true });
      }
      if (x.kind === "split-trade") num(x.pieces, `${f}.pieces`, 2, 1000, { int: true });
    });
  }
  if (c.hedge !== undefined) {
    const h = c.hedge;
    obj(h, "hedge");
    if (typeof h.enabled !== "boolean") bad("hedge.enabled", "must be true or false");
    num(h.orderSize, "hedge.orderSize", 0, 1e9);
    obj(h.venue, "hedge.venue");
    num(h.venue.feeRate, "hedge.venue.feeRate", 0, 0.1);
    num(h.venue.halfSpread, "hedge.venue.halfSpread", 0, 0.1);
    num(h.venue.impact, "hedge.venue.impact", 0, 1);
    num(h.venue.depth, "hedge.venue.depth", 0, 1e12, { openLo: true });
    num(h.venue.fundingRate, "hedge.venue.fundingRate", -1, 1);
    obj(h.band, "hedge.band");
    if (h.band.kind === "fixed") num(h.band.halfWidth, "hedge.band.halfWidth", 0, 1e9);
    else if (h.band.kind === "whalley-wilmott") num(h.band.riskAversion, "hedge.band.riskAversion", 0, 1e9, { openLo: true });
    else bad("hedge.band.kind", 'must be "fixed" or "whalley-wilmott"');
  }
  return c;
}
