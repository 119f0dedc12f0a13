// Oracle feeds: where the service's prints come from. A feed calls its sink with spot and vol updates (a vol surface's
// parameters will join them once the pool takes a surface); the service stamps each with its own clock, stores it, and
// runs the keeper. The pool's own guards (staleness, deviation pause, moving-oracle check) judge the prints at trade
// time. "manual": prints come only from the admin route. "simulated": a seeded geometric Brownian motion, for demos.
import type { FeedConfig } from "./config.js";
import type { OracleUpdate } from "./service.js";

/** A source of oracle updates. */
export interface OracleFeed {
  /** Starts calling `sink` with updates; a sink that rejects is the service's to log, the feed goes on. */
  start(sink: (update: OracleUpdate) => Promise<unknown>): void;
  stop(): void;
}

/** Prints only through POST /v1/admin/oracle. */
export class ManualFeed implements OracleFeed {
  start(): void {}
  stop(): void {}
}

/**
 * Spot follows S ← S·exp(−σ²Δt/2 + σ√Δt·z), z standard normal from mulberry32 + Box-Muller (seeded), one step of
 * Δt = intervalMs · speed / 1000 seconds (as years) per print; base vol stays put.
 */
export class SimulatedFeed implements OracleFeed {
  private timer: NodeJS.Timeout | undefined;
  private spot: number;
  private state: number;

  constructor(readonly options: Extract<FeedConfig, { kind: "simulated" }>, startSpot: number) {
    this.spot = startSpot;
    this.state = options.seed >>> 0;
  }

  start(sink: (update: OracleUpdate) => Promise<unknown>): void {
    const years = (this.options.intervalMs / 1000) * (this.options.speed ?? 1) / (365 * 86_400);
    const sigma = this.options.annualVol;
    this.timer = setInterval(() => {
      this.spot *= Math.exp(-0.5 * sigma * sigma * years + sigma * Math.sqrt(years) * this.normal());
      void sink({ spot: this.spot }).catch(() => undefined);
    }, this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** mulberry32: a 32-bit seeded generator, enough for a demo's walk. */
  private uniform(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  private normal(): number {
    const u = 1 - this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.uniform());
  }
}

/** The feed a configuration names. */
export function feedOf(config: FeedConfig, startSpot: number): OracleFeed {
  return config.kind === "simulated" ? new SimulatedFeed(config, startSpot) : new ManualFeed();
}
