// One call of a fleet client in flight: its planned jobs, which of them are outstanding, and its promise.
import type { PricingInputError } from "../bindings/errors.js";
import type { MonteCarloSpec } from "../bindings/montecarlo.js";
import type { FleetJobKind } from "./protocol.js";

/** Options of one call (same as the local pool's CallOptions). */
export interface FleetCallOptions {
  /** Aborts the call: it rejects with `signal.reason`, its waiting jobs are removed, running ones skip. */
  signal?: AbortSignal;
  /** Called as jobs finish with the work done and the total (options, or Monte Carlo paths). */
  onProgress?: (done: number, total: number) => void;
}

/** One planned job of a call. */
export interface PlannedJob {
  index: number;
  start: number;
  count: number;
  /** Work units (options or paths) for progress. */
  units: number;
  /** Input frame of a batch job, made when the job is queued and kept until its result arrives (to resubmit). */
  input: Uint8Array | undefined;
  /** Makes the input frame (batch jobs). */
  encode: (() => Uint8Array) | undefined;
}

/** Places a job's output frame into the call's result; throws on a malformed frame. */
export type PlaceResult = (job: PlannedJob, output: Uint8Array) => void;

/** One call in flight. */
export class FleetCall {
  /** Queued and not yet placed. */
  readonly outstanding = new Set<number>();
  /** Jobs [0, queued) have been queued. */
  queued = 0;
  readonly inputErrors = new Map<number, PricingInputError>();
  lastNewsAt = Date.now();
  lastProgressAt = Date.now();
  auditing = false;
  settled = false;
  done = 0;
  readonly promise: Promise<void>;
  private resolvePromise!: () => void;
  private rejectPromise!: (error: unknown) => void;

  constructor(
    readonly id: string,
    readonly kind: FleetJobKind,
    readonly jobs: PlannedJob[],
    readonly total: number,
    readonly prefix: string,
    readonly place: PlaceResult,
    readonly options: FleetCallOptions,
    readonly spec?: MonteCarloSpec,
  ) {
    this.promise = new Promise<void>((resolve, reject) => {
      this.resolvePromise = resolve;
      this.rejectPromise = reject;
    });
    this.promise.catch(() => {}); // observed by the caller; never an unhandled rejection here
  }

  /** Monte Carlo jobs share one liveness key as input; batch jobs each have their frame. */
  inputKey(index: number): string {
    return this.kind === "monteCarlo" ? `${this.prefix}:live` : `${this.prefix}:in:${index}`;
  }

  outputKey(index: number): string {
    return `${this.prefix}:out:${index}`;
  }

  /** Every job is queued and placed. */
  get complete(): boolean {
    return this.outstanding.size === 0 && this.queued === this.jobs.length;
  }

  resolve(): void {
    if (this.settled) return;
    this.settled = true;
    this.resolvePromise();
  }

  reject(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.rejectPromise(error);
  }
}
