// Public surface of the worker pool.
export {
  createPricingPool,
  isPricingPool,
  DEFAULT_CHUNK_OPTIONS,
  WorkerCrashError,
  type CallOptions,
  type MicroBatchOptions,
  type PricingPool,
  type BlackScholesCallOptions,
  type BlackScholesPriceCallOptions,
  type AmericanCallOptions,
  type PricingPoolOptions,
} from "./pool.js";
export { PoolOptionBatch, MAX_POOL_BATCH } from "./pool-batch.js";
