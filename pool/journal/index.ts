/**
 * The durable journal of pool events (Node only). docs/journal.md.
 * @module pool2peer/journal
 */
// Durable journal of pool events (Node only: uses node:fs). Not exported from pool/index.ts, which is bundled
// for browsers; import it from "pool2peer/journal" (package subpath) or pool/journal/index.js.
import "../../bindings/global-types.js"; // global types the declarations name (WebAssembly, Symbol.asyncDispose) for hosts without them
export { JournalError, type JournalErrorCode } from "./errors.js";
export { FileJournal, openJournaledPool, type JournalOptions } from "./file-journal.js";
export type { JournalIO } from "./io.js";
export { readJournal } from "./lines.js";
