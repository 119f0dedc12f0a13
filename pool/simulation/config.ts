// The scenario config of `pool2peer simulate` (JSON; default-scenario.json is the documented example, printed by
// `pool2peer simulate --template`) and its validation against config-schema.ts: a bad field throws a RangeError
// naming it ("scenario config: attacker.attacks[1].day must be <= 60, got 61").
import type { Static } from "typebox";
import { ATTACK_SCHEMAS, BAND_SCHEMAS, schemaError, ScenarioConfigSchema } from "./config-schema.js";

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

/** Checks a parsed config (config-schema.ts, then what the schema cannot say); throws a RangeError naming the field. */
export function checkScenarioConfig(c: ScenarioConfig): ScenarioConfig {
  const bad = (problem: string): never => {
    throw new RangeError(`scenario config: ${problem}`);
  };
  const problem = schemaError(ScenarioConfigSchema, c);
  if (problem) bad(problem);
  c.attacker?.attacks.forEach((a, i) => {
    const branch = schemaError(ATTACK_SCHEMAS[a.kind]!, a, `/attacker/attacks/${i}`);
    if (branch) bad(branch);
    if (a.day > c.days) bad(`attacker.attacks[${i}].day must be <= days (${c.days}), got ${a.day}`);
    if ((a.kind === "hit-and-run" || a.kind === "oracle-spike") && a.spotMove === 0) bad(`attacker.attacks[${i}].spotMove must not be 0`);
  });
  if (c.hedge) {
    const branch = schemaError(BAND_SCHEMAS[c.hedge.band.kind]!, c.hedge.band, "/hedge/band");
    if (branch) bad(branch);
  }
  if (c.smile && c.smile.eta * (1 + Math.abs(c.smile.rho)) > 2) bad(`smile.eta must be <= 2 / (1 + |rho|) = ${2 / (1 + Math.abs(c.smile.rho))} (no static arbitrage), got ${c.smile.eta}`);
  if (c.traders.minDays > c.traders.maxDays) bad(`traders.minDays must be <= traders.maxDays, got ${c.traders.minDays} > ${c.traders.maxDays}`);
  if (c.peers && c.peers.takers.ordersPerDay > 0 && c.peers.takers.count === 0) bad("peers.takers.count must be >= 1 when ordersPerDay > 0");
  const a = c.attacker;
  if (a && (c.lps.some((lp) => lp.name === a.name) || /^(trader|maker|taker)\d+$/.test(a.name) || a.name === "treasury"))
    bad(`attacker.name must differ from the LPs, traders, peers and treasury, got "${a.name}"`);
  return c;
}

// The interfaces above document the fields; the schema checks them: each must accept what the other does.
type SchemaShape = Static<typeof ScenarioConfigSchema>;
type Assert<T extends true> = T;
export type ConfigMatchesSchema = Assert<Omit<ScenarioConfig, "attacker" | "hedge"> extends Omit<SchemaShape, "attacker" | "hedge"> ? (Omit<SchemaShape, "attacker" | "hedge"> extends Omit<ScenarioConfig, "attacker" | "hedge"> ? true : false) : false>;
