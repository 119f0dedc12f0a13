// What a fleet client and a fleet worker agree on: the BullMQ queue, the job data (small JSON: kind, ranges,
// Redis keys), the keys of the binary payloads beside each job, and the notes a worker pushes when a job ends.

/** Default BullMQ queue name (a fleet is one queue; run several fleets on one Redis with other names). */
export const DEFAULT_QUEUE = "pool2peer";
/** BullMQ key prefix used by both sides. */
export const BULL_PREFIX = "bull";

/** The work of one job. */
export type FleetJobKind = "blackScholes" | "impliedVol" | "monteCarlo";

/** BullMQ job data (JSON). Numbers travel in the binary frames at `input` / `output`, never here. */
export interface FleetJobData {
  /** Protocol version; a worker refuses (without retry) jobs of another version. */
  v: 1;
  kind: FleetJobKind;
  /** Call id (one client call = many jobs). */
  call: string;
  /** Job index within the call (results are placed by it). */
  index: number;
  /**
   * Batch jobs: element offset of this job in the whole batch (PricingInputError indices are shifted by it).
   * Monte Carlo jobs: first path block.
   */
  start: number;
  /** Batch jobs: options in this job. Monte Carlo jobs: number of path blocks. */
  count: number;
  /** Monte Carlo jobs: the spec as given by the caller (plain JSON values). */
  spec?: unknown;
  /**
   * Key of the input frame (batch jobs) or of the call's liveness marker (Monte Carlo). A worker that finds it
   * missing skips the job: the call was aborted, failed or finished elsewhere.
   */
  input: string;
  /** Key the worker writes the output frame to. */
  output: string;
  /** List the worker pushes a FleetNote to when the job ends (the client blocks on it). */
  notify: string;
  /** Expiry of output frames and notes, ms (so nothing outlives an abandoned call). */
  ttlMs: number;
}

/** Pushed (JSON) by a worker to `FleetJobData.notify` when a job ends for good. */
export type FleetNote =
  | { call: string; index: number; ok: true }
  | { call: string; index: number; ok: false; error: FleetJobError };

/** Why a job failed for good. */
export type FleetJobError =
  | { kind: "input"; field: string; index: number | undefined; problem: string }
  | { kind: "failed"; message: string };

/** Heartbeat written by every worker process (JSON, expires after 3 intervals). */
export interface FleetWorkerInfo {
  id: string;
  host: string;
  pid: number;
  /** Jobs run at once (BullMQ concurrency = local pool threads). */
  concurrency: number;
  /** "pool" when jobs run on the local worker-thread pool, "pricer" on the process's own thread. */
  engine: string;
  simd: boolean;
  startedAt: number;
  /** Epoch ms of this heartbeat. */
  at: number;
  jobsCompleted: number;
  jobsFailed: number;
  /** "running" or "stopping" (SIGTERM received, finishing its jobs). */
  state: "running" | "stopping";
}

/** Keys of one queue's fleet bookkeeping (outside BullMQ's own keys, same prefix). */
export function fleetKeys(queue: string) {
  const base = `${BULL_PREFIX}:${queue}:fleet`;
  return {
    /** Heartbeat key of a worker process. */
    worker: (id: string) => `${base}:worker:${id}`,
    /** SCAN pattern of all heartbeats. */
    workerPattern: `${base}:worker:*`,
    /** Notification list of a client. */
    notify: (client: string) => `${base}:notify:${client}`,
    /** Key prefix of a call's frames. */
    call: (call: string) => `${base}:call:${call}`,
  };
}

/** BullMQ job id of a job (custom ids cannot be integers nor contain ':'). */
export function jobId(call: string, index: number): string {
  return `${call}-${index}`;
}
