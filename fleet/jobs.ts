// The job side of a fleet client: queues the jobs of its calls, reads the notes workers push as jobs end,
// places results by job index, and audits calls without news (Redis may lose jobs, notes or frames).
import { PricingInputError } from "../bindings/errors.js";
import { FleetCall, type PlannedJob } from "./call.js";
import type { FleetConnection } from "./connection.js";
import { sleep } from "./connection.js";
import { FleetJobError } from "./errors.js";
import { jobId, type FleetJobData, type FleetJobError as JobErrorNote, type FleetNote } from "./protocol.js";

/** How jobs are queued. */
export interface JobSettings {
  /** Attempts per job for failures other than invalid input. */
  attempts: number;
  /** Expiry of frames and notes left in Redis, ms. */
  ttlMs: number;
  /** Jobs of one batch call (resp. Monte Carlo call) queued or running at once. */
  batchInFlight: number;
  mcInFlight: number;
  /** The list workers push this client's notes to. */
  notifyKey: string;
  /** Key prefix of a call id. */
  callKey: (id: string) => string;
}

/** The calls of one client and the jobs they have on the queue. */
export class FleetJobs {
  readonly calls = new Map<string, FleetCall>();
  jobsQueued = 0;
  jobsResubmitted = 0;
  private isClosed = false;
  private waiting: Promise<void> | undefined;

  /** close() was called: no new calls. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Expiry of frames and notes left in Redis, ms. */
  get ttlMs(): number {
    return this.settings.ttlMs;
  }

  constructor(
    private readonly conn: FleetConnection,
    private readonly settings: JobSettings,
  ) {}

  /** Registers a call and queues its first jobs; the call's promise settles when it ends. */
  async start(call: FleetCall): Promise<void> {
    this.calls.set(call.id, call);
    this.waiting ??= this.waitLoop();
    await this.submitMore(call);
  }

  /** Ends the call with `error`: its keys and waiting jobs are removed first. */
  async fail(call: FleetCall, error: unknown): Promise<void> {
    if (call.settled) return;
    await this.cleanup(call, true);
    call.reject(error);
  }

  /** Refuses new calls and rejects the pending ones with `error`. */
  async close(error: Error): Promise<void> {
    this.isClosed = true;
    await Promise.allSettled([...this.calls.values()].map((call) => this.fail(call, error)));
  }

  /** Drops a call without touching Redis (it is unreachable). */
  abandon(call: FleetCall, error: unknown): void {
    call.reject(error);
    this.calls.delete(call.id);
  }

  private async cleanup(call: FleetCall, removeJobs: boolean): Promise<void> {
    this.calls.delete(call.id);
    const drop = call.jobs.flatMap((job) => [call.inputKey(job.index), call.outputKey(job.index)]);
    // Without its input a job that still starts skips itself; waiting jobs are removed outright.
    const removals: Promise<unknown>[] = [this.conn.redis.unlink(...new Set(drop))];
    if (removeJobs) for (const index of call.outstanding) removals.push(this.conn.queue.remove(jobId(call.id, index)));
    await this.conn.bounded(Promise.allSettled(removals), "cleaning up").catch(() => {});
  }

  /** Settles the call once every job is placed, or once the first failing job's predecessors are all done. */
  private check(call: FleetCall): void {
    if (call.settled) return;
    if (call.inputErrors.size > 0) {
      const first = Math.min(...call.inputErrors.keys());
      for (const index of call.outstanding) if (index < first) return;
      void this.fail(call, call.inputErrors.get(first)!);
    } else if (call.complete) {
      call.resolve();
      void this.cleanup(call, false);
    }
  }

  private progress(call: FleetCall, job: PlannedJob): void {
    call.done += job.units;
    call.lastProgressAt = Date.now();
    try {
      call.options.onProgress?.(call.done, call.total);
    } catch (error) {
      void this.fail(call, error);
    }
  }

  private jobData(call: FleetCall, index: number): FleetJobData {
    const job = call.jobs[index]!;
    return {
      v: 1, kind: call.kind, call: call.id, index, start: job.start, count: job.count,
      input: call.inputKey(index), output: call.outputKey(index), notify: this.settings.notifyKey, ttlMs: this.settings.ttlMs,
      ...(call.spec === undefined ? {} : { spec: call.spec }),
    };
  }

  /** Uploads the jobs' inputs, then queues the jobs. */
  async submit(call: FleetCall, indices: number[], again = false): Promise<void> {
    if (indices.length === 0) return;
    if (again) this.jobsResubmitted += indices.length;
    else this.jobsQueued += indices.length;
    const { ttlMs, attempts } = this.settings;
    const pipeline = this.conn.redis.pipeline();
    if (call.kind === "monteCarlo") pipeline.set(call.inputKey(0), "1", "PX", ttlMs);
    for (const index of indices) {
      const job = call.jobs[index]!;
      call.outstanding.add(index);
      if (job.encode && !job.input) job.input = job.encode();
      const input = job.input;
      if (input) pipeline.set(call.inputKey(index), Buffer.from(input.buffer, input.byteOffset, input.byteLength), "PX", ttlMs);
    }
    await this.conn.bounded(pipeline.exec(), "uploading job inputs");
    const jobs = indices.map((index) => ({
      name: call.kind,
      data: this.jobData(call, index),
      opts: { jobId: jobId(call.id, index), attempts, removeOnComplete: true, removeOnFail: { age: ttlMs / 1000 } },
    }));
    await this.conn.bounded(this.conn.queue.addBulk(jobs), "adding jobs");
  }

  /** Queues the call's next jobs while fewer than the in-flight limit are outstanding. */
  private async submitMore(call: FleetCall): Promise<void> {
    const limit = call.kind === "monteCarlo" ? this.settings.mcInFlight : this.settings.batchInFlight;
    const next: number[] = [];
    while (call.queued < call.jobs.length && call.outstanding.size + next.length < limit) next.push(call.queued++);
    await this.submit(call, next);
  }

  /** A job's result is in Redis: place it (or resubmit the job when the frame has vanished). */
  async collect(call: FleetCall, index: number): Promise<void> {
    if (call.settled || !call.outstanding.has(index)) return;
    const bytes = await this.conn.bounded(this.conn.redis.getBuffer(call.outputKey(index)), "reading a job result");
    if (call.settled || !call.outstanding.has(index)) return;
    if (bytes === null) return this.submit(call, [index], true);
    const job = call.jobs[index]!;
    try {
      call.place(job, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (error) {
      return this.fail(call, error);
    }
    call.outstanding.delete(index);
    job.input = undefined;
    job.encode = undefined;
    // Monte Carlo jobs share the call's liveness key as input: it stays until the call ends.
    const done = call.kind === "monteCarlo" ? [call.outputKey(index)] : [call.inputKey(index), call.outputKey(index)];
    void this.conn.redis.unlink(...done).catch(() => {});
    this.progress(call, job);
    if (call.queued < call.jobs.length) await this.submitMore(call).catch((error: unknown) => this.fail(call, error));
    this.check(call);
  }

  jobFailed(call: FleetCall, index: number, reason: JobErrorNote): void {
    if (call.settled || !call.outstanding.has(index)) return;
    if (reason.kind === "input") {
      call.outstanding.delete(index);
      call.inputErrors.set(index, new PricingInputError(reason.field, reason.index, reason.problem));
      this.check(call);
    } else {
      void this.fail(call, new FleetJobError(index, reason.message));
    }
  }

  private async onNote(raw: string): Promise<void> {
    let note: FleetNote;
    try {
      note = JSON.parse(raw) as FleetNote;
    } catch {
      return;
    }
    const call = this.calls.get(note.call);
    if (!call) {
      // A late job of a call that already ended: drop its output frame now rather than at expiry.
      void this.conn.redis.unlink(`${this.settings.callKey(note.call)}:out:${note.index}`).catch(() => {});
      return;
    }
    call.lastNewsAt = Date.now();
    if (note.ok) await this.collect(call, note.index);
    else this.jobFailed(call, note.index, note.error);
  }

  /** One blocking reader per client drains the notes of all its calls. */
  private async waitLoop(): Promise<void> {
    const { blocking, commandMs } = this.conn;
    while (this.calls.size > 0 && !this.closed) {
      try {
        const popped = await this.conn.bounded(blocking.blpop(this.settings.notifyKey, 1), "waiting for job notes", 1000 + commandMs);
        if (popped) await this.onNote(popped[1]).catch(() => {});
      } catch {
        await sleep(100); // Redis away: the watchdog decides when to give up
      }
    }
    this.waiting = undefined;
  }
}
