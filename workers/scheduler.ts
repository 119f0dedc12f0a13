// The pool's workers and its task queue: each worker runs at most `maxInFlight` tasks at once (the pool gives it
// four, see workers/pool.ts TASKS_IN_FLIGHT, so the next messages are already waiting when a task ends), a call is a set of tasks that settles when all are done or at
// its first failure, and a crashed worker is replaced while the calls it was running reject.
import * as Comlink from "comlink";
import { sharedWasmMemory } from "../bindings/wasm.js";
import { spawnWorker } from "./host.js";
import type { RemoteWorkerApi, SpawnWorker, TaskRegion, WorkerApi, WorkerHandle } from "./protocol.js";

/** A worker died (exit, uncaught error, terminated) while running part of this call. The pool replaced it. */
export class WorkerCrashError extends Error {
  constructor(cause: Error) {
    super(`pool2peer: a pricing worker crashed while running this call; it has been replaced, the call can be retried (${cause.message})`, { cause });
    this.name = "WorkerCrashError";
  }
}

/** Options of one long call. */
export interface CallOptions {
  /** Aborts the call: it rejects with `signal.reason` and its remaining tasks are dropped. */
  signal?: AbortSignal;
  /** Called after each finished task with the work done so far and the total (options, or Monte Carlo paths). */
  onProgress?: (done: number, total: number) => void;
}

/** How the scheduler runs one call (internal to the pool). */
export interface RunOptions extends CallOptions {
  /**
   * Settle a failed or aborted call only once its tasks already sent to workers have ended (a crashed worker's
   * task counts as ended): for tasks that write into the caller's own memory, which must not change after the
   * call has settled.
   */
  drain?: boolean;
}

/**
 * The worker a task runs on: its API and, when the pool shares the workers' memories, that memory and a region of
 * it reserved for this task until the task ends (no other task of the worker touches it meanwhile).
 */
export interface TaskTarget {
  api: RemoteWorkerApi;
  /** The worker's place in the pool, in [0, pool size): a replacement takes the place of the worker it replaces. */
  index: number;
  shared?: { memory: WebAssembly.Memory; region: TaskRegion };
}

/** One unit of work sent to a worker; `units` counts towards progress. */
export interface Task {
  units: number;
  run(target: TaskTarget): Promise<void>;
}

class CallRun {
  settled = false;
  private remaining: number;
  private done = 0;
  /** Tasks sent to a worker and not yet ended. */
  private running = 0;
  /** The failure awaiting the end of running tasks (drain). */
  private pendingFailure: { error: unknown } | undefined;
  private detach: () => void = () => {};

  constructor(
    private readonly total: number,
    taskCount: number,
    private readonly options: RunOptions,
    private readonly resolve: () => void,
    private readonly reject: (error: unknown) => void,
  ) {
    this.remaining = taskCount;
    const signal = options.signal;
    if (signal) {
      const onAbort = (): void => this.fail(signal.reason ?? new Error("pool2peer: the call was aborted"));
      signal.addEventListener("abort", onAbort, { once: true });
      this.detach = () => signal.removeEventListener("abort", onAbort);
    }
    if (taskCount === 0) this.finish();
  }

  /** A task of this call was sent to a worker. */
  taskStarted(): void {
    this.running++;
  }

  /** A task of this call sent to a worker ended (done, failed, or its worker crashed). */
  taskEnded(): void {
    this.running--;
    if (this.running === 0 && this.pendingFailure) {
      const { error } = this.pendingFailure;
      this.pendingFailure = undefined;
      this.reject(error);
    }
  }

  taskDone(units: number): void {
    if (this.settled) return;
    this.done += units;
    this.remaining--;
    if (this.options.onProgress) {
      try {
        this.options.onProgress(this.done, this.total);
      } catch (error) {
        this.fail(error);
        return;
      }
    }
    if (this.remaining === 0) this.finish();
  }

  private finish(): void {
    if (this.settled) return;
    this.settled = true;
    this.detach();
    this.resolve();
  }

  fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.detach();
    if (this.options.drain && this.running > 0) this.pendingFailure = { error };
    else this.reject(error);
  }
}

interface QueuedTask {
  task: Task;
  call: CallRun;
}

interface Slot {
  index: number;
  handle: WorkerHandle;
  api: RemoteWorkerApi;
  ready: boolean;
  dead: boolean;
  inFlight: Set<QueuedTask>;
  /** Shared mode: the worker's memory and its task regions not in use (one per task in flight). */
  memory?: WebAssembly.Memory;
  freeRegions: TaskRegion[];
}

/** How the scheduler runs its workers. */
export interface SchedulerOptions {
  /** The worker script (see PricingPoolOptions.workerUrl). */
  workerUrl?: string | URL;
  /** How a worker is started from the script (default spawnWorker; the tests start workers they can crash). */
  spawn?: SpawnWorker;
  /** Tasks each worker runs at once (default 2: the next message is already waiting when a task ends). */
  maxInFlight?: number;
  /**
   * Share each worker's WASM memory (the module must be a shared-memory build): every worker gets `maxInFlight`
   * task regions of this many options, handed to tasks as they start.
   */
  regionCapacity?: number;
}

/** Consecutive failed starts of a replacement worker before the pool gives up on replacing. */
const MAX_FAILED_STARTS = 3;

/** Starts workers, queues tasks across them, replaces crashed workers. */
export class WorkerScheduler {
  private readonly slots: Slot[] = [];
  private queue: (QueuedTask | undefined)[] = [];
  private head = 0;
  private closed = false;
  private failedStarts = 0;
  private simdReported: boolean | undefined;

  private readonly maxInFlight: number;

  private constructor(
    private readonly module: WebAssembly.Module,
    private readonly options: SchedulerOptions,
  ) {
    this.maxInFlight = options.maxInFlight ?? 2;
  }

  /** Starts `size` workers, each instantiating `module`; resolves when all are ready. */
  static async start(module: WebAssembly.Module, size: number, options: SchedulerOptions = {}): Promise<WorkerScheduler> {
    const scheduler = new WorkerScheduler(module, options);
    try {
      await Promise.all(Array.from({ length: size }, () => scheduler.addSlot()));
    } catch (error) {
      await scheduler.close();
      throw error;
    }
    return scheduler;
  }

  /** Workers currently alive and ready. */
  get readyWorkers(): number {
    return this.slots.filter((s) => s.ready && !s.dead).length;
  }

  /** Whether the workers run the SIMD build (as reported by the first worker). */
  get simd(): boolean {
    return this.simdReported ?? false;
  }

  private async addSlot(): Promise<void> {
    const handle = await (this.options.spawn ?? spawnWorker)(this.options.workerUrl);
    const api = Comlink.wrap<WorkerApi>(handle.endpoint as unknown as Comlink.Endpoint) as unknown as RemoteWorkerApi;
    const capacity = this.options.regionCapacity;
    // A fresh memory per worker (a replacement too): the calling thread keeps it to read and write task regions.
    const memory = capacity === undefined ? undefined : sharedWasmMemory();
    if (this.closed) {
      await handle.terminate();
      return;
    }
    let index = 0;
    while (this.slots.some((s) => s.index === index)) index++;
    const slot: Slot = { index, handle, api, ready: false, dead: false, inFlight: new Set(), memory, freeRegions: [] };
    this.slots.push(slot);
    let startFailure: ((error: Error) => void) | undefined;
    const crashed = new Promise<never>((_, reject) => (startFailure = reject));
    crashed.catch(() => {});
    handle.onCrash((error) => {
      startFailure?.(error);
      this.onCrash(slot, error);
    });
    const shared = memory ? { memory, regions: this.maxInFlight, capacity: capacity! } : undefined;
    const { simd, regions } = await Promise.race([api.init(this.module, shared), crashed]);
    startFailure = undefined;
    slot.freeRegions = regions;
    this.simdReported ??= simd;
    if (slot.dead) return;
    handle.keepAlive(false); // idle until pump() hands it a task
    slot.ready = true;
    this.failedStarts = 0;
    this.pump();
  }

  private onCrash(slot: Slot, error: Error): void {
    if (slot.dead) return;
    slot.dead = true;
    const at = this.slots.indexOf(slot);
    if (at >= 0) this.slots.splice(at, 1);
    if (this.closed) return;
    const crash = new WorkerCrashError(error);
    for (const queued of slot.inFlight) queued.call.fail(crash);
    for (const queued of slot.inFlight) queued.call.taskEnded();
    slot.inFlight.clear();
    this.replace();
  }

  private replace(): void {
    if (this.closed) return;
    this.addSlot().catch((error: unknown) => {
      this.failedStarts++;
      if (this.closed) return;
      if (this.failedStarts < MAX_FAILED_STARTS) this.replace();
      else if (this.readyWorkers === 0) this.failQueued(new Error(`pool2peer: pricing workers keep failing to start: ${String(error)}`));
    });
  }

  private failQueued(error: unknown): void {
    for (let i = this.head; i < this.queue.length; i++) this.queue[i]!.call.fail(error);
    this.queue = [];
    this.head = 0;
  }

  /**
   * Runs a call's tasks across the workers. Resolves when every task is done; rejects at the first failure,
   * a worker crash under one of its tasks, or an abort (tasks not yet sent are dropped).
   */
  run(tasks: Task[], total: number, options: RunOptions = {}): Promise<void> {
    if (this.closed) return Promise.reject(new Error("pool2peer: the pricing pool is closed"));
    if (options.signal?.aborted) return Promise.reject(options.signal.reason ?? new Error("pool2peer: the call was aborted"));
    return new Promise<void>((resolve, reject) => {
      const call = new CallRun(total, tasks.length, options, resolve, reject);
      for (const task of tasks) this.queue.push({ task, call });
      this.pump();
    });
  }

  private pump(): void {
    while (this.head < this.queue.length) {
      let best: Slot | undefined;
      for (const slot of this.slots) {
        if (!slot.ready || slot.dead || slot.inFlight.size >= this.maxInFlight) continue;
        if (!best || slot.inFlight.size < best.inFlight.size) best = slot;
      }
      if (!best) break;
      const queued = this.queue[this.head]!;
      // Release the slot at once: a task's closure can hold a whole batch's buffers (tens of MB), which a consumed
      // queue entry would keep alive until the next compaction.
      this.queue[this.head++] = undefined;
      if (queued.call.settled) continue;
      this.start(best, queued);
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private start(slot: Slot, queued: QueuedTask): void {
    slot.inFlight.add(queued);
    slot.handle.keepAlive(true); // a caller awaits this task: the process must live until it answers
    queued.call.taskStarted();
    // A worker runs at most maxInFlight tasks and has as many regions: one is free.
    const region = slot.memory ? slot.freeRegions.pop() : undefined;
    const target: TaskTarget = { api: slot.api, index: slot.index, shared: slot.memory && region ? { memory: slot.memory, region } : undefined };
    let work: Promise<void>;
    try {
      work = queued.task.run(target);
    } catch (error) {
      work = Promise.reject(error);
    }
    const ended = (): boolean => {
      if (region) slot.freeRegions.push(region);
      const mine = slot.inFlight.delete(queued); // false: the worker crashed meanwhile and the call already failed
      if (slot.inFlight.size === 0 && !slot.dead) slot.handle.keepAlive(false);
      return mine;
    };
    work.then(
      () => {
        if (!ended()) return;
        queued.call.taskDone(queued.task.units);
        queued.call.taskEnded();
        this.pump();
      },
      (error: unknown) => {
        if (!ended()) return;
        queued.call.fail(error);
        queued.call.taskEnded();
        this.pump();
      },
    );
  }

  /** Calls `action` on every live, started worker (e.g. to drop state they hold); its failures are ignored. */
  eachWorker(action: (api: RemoteWorkerApi) => Promise<unknown>): void {
    for (const slot of this.slots) if (slot.ready && !slot.dead) action(slot.api).catch(() => {});
  }

  /** Rejects everything pending and terminates every worker. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const error = new Error("pool2peer: the pricing pool was closed");
    this.failQueued(error);
    const slots = this.slots.splice(0);
    for (const slot of slots) {
      slot.dead = true;
      for (const queued of slot.inFlight) queued.call.fail(error);
      for (const queued of slot.inFlight) queued.call.taskEnded();
      slot.inFlight.clear();
    }
    await Promise.all(slots.map((slot) => slot.handle.terminate()));
  }
}
