// Time source of a pool: unix seconds. Expiries are timestamps; years = seconds / SECONDS_PER_YEAR.

/** Seconds in the year used to turn time to expiry into years (365 days, ACT/365). */
export const SECONDS_PER_YEAR = 365 * 24 * 3600;

/** A clock giving the current time in unix seconds. */
export interface Clock {
  now(): number;
}

/** A clock set by hand (tests, simulations, replays). */
export class ManualClock implements Clock {
  private seconds: number;

  /** @param startSeconds unix seconds */
  constructor(startSeconds: number) {
    if (!Number.isFinite(startSeconds)) throw new RangeError("ManualClock: start must be finite seconds");
    this.seconds = startSeconds;
  }

  now(): number {
    return this.seconds;
  }

  /** Moves the clock to `seconds` (never backwards). */
  set(seconds: number): void {
    if (!(seconds >= this.seconds)) throw new RangeError("ManualClock: time cannot go backwards");
    this.seconds = seconds;
  }

  /** Moves the clock forward by `seconds` ≥ 0. */
  advance(seconds: number): void {
    this.set(this.seconds + seconds);
  }
}

/** The wall clock (Date.now() in seconds). */
export const systemClock: Clock = { now: () => Math.floor(Date.now() / 1000) };

/** Years from `now` to `expiry` (both unix seconds); negative after expiry. */
export function yearsBetween(now: number, expiry: number): number {
  return (expiry - now) / SECONDS_PER_YEAR;
}
