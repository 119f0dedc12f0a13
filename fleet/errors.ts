// Errors of the fleet backend besides PricingInputError (which keeps its class, field and index across it).

/** Redis could not be reached, or stayed unreachable longer than `connectTimeoutMs` during a call. */
export class FleetConnectionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(`pool2peer fleet: ${message}`, options);
    this.name = "FleetConnectionError";
  }
}

/** No job of a call finished within `progressTimeoutMs`: usually no `pool2peer worker` is serving the queue. */
export class FleetTimeoutError extends Error {
  constructor(message: string) {
    super(`pool2peer fleet: ${message}`);
    this.name = "FleetTimeoutError";
  }
}

/** A job failed for good on the workers (after its retries) for a reason other than invalid input. */
export class FleetJobError extends Error {
  /** Job index within the call. */
  readonly job: number;
  constructor(job: number, reason: string) {
    super(`pool2peer fleet: job ${job} failed on the workers: ${reason}`);
    this.name = "FleetJobError";
    this.job = job;
  }
}
