// Durable journal of pool events (Node only: uses node:fs). Not exported from pool/index.ts, which is bundled
// for browsers; import it from "pool2peer/journal" (package subpath) or pool/journal/index.js.
export { FileJournal, openJournaledPool } from "./file-journal.js";
