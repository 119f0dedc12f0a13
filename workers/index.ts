// Public surface of the worker pool.
export {
  createPricingPool,
  DEFAULT_CHUNK_OPTIONS,
  WorkerCrashError,
  type CallOptions,
  type MicroBatchOptions,
  type PricingPool,
  type PricingPoolOptions,
} from "./pool.js";
