/**
 * The durable event store: SQLite in Node, import and export of JSON-lines journals. docs/store.md.
 * @module pool2peer/store
 */
// The durable event store (Node only: SqliteEventStore uses better-sqlite3, the journal import and export node:fs).
// Not exported from pool/index.ts, which is bundled for browsers (it exports the browser-safe parts: MemoryEventStore,
// the codecs, the chain check, StoreError); import this from "pool2peer/store" (package subpath).
import "../../bindings/global-types.js"; // global types the declarations name (WebAssembly, Symbol.asyncDispose) for hosts without them
export type { EventStore, StoredSnapshot } from "./types.js";
export { BOOK_LOG, POOL_LOG, isLogName, type ChainCodec, type EventCodec } from "./codec.js";
export { StoreError, type StoreErrorCode, type StoreErrorPlace } from "./errors.js";
export { MissingDependencyError } from "../../bindings/optional-dependency.js";
export { MemoryEventStore, type MemoryStoreOptions } from "./memory-store.js";
export { SqliteEventStore, type CommitMode, type SqliteStoreOptions } from "./sqlite-store.js";
export { ChainCheck, verifyLog, type ChainStart } from "./chain.js";
export { exportJournal, importJournal, type ImportOptions, type ImportResult } from "./jsonl.js";
export { readLines, type Line } from "./lines.js";
export { genesisHash, type LedgerIdentity, type LedgerName } from "../ledger-chain.js";
