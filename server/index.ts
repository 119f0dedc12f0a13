/**
 * `pool2peer serve`: the pool over HTTP and WebSocket, and its client (Node only). docs/serve.md.
 * @module pool2peer/serve
 */
// Public surface of `pool2peer serve` (Node only; import "pool2peer/serve"): start a server, or build one around a
// PoolService of your own; the client, its signing helpers and the feed interface. docs/serve.md.
import "../bindings/global-types.js"; // global types the declarations name (WebAssembly, Symbol.asyncDispose) for hosts without them
export { buildServer, type App, type ServerOptions, type ServerParts } from "./app.js";
export { startServer, type RunningServer, type StartOptions } from "./start.js";
export { PoolService, type OracleUpdate } from "./service.js";
export { checkServeConfig, loadServeConfig, ConfigError, ServeConfigSchema, type ServeConfig, type FeedConfig } from "./config.js";
export { openServiceLog, type ServiceLog, type ServiceRecord, type StoredPrint } from "./persistence.js";
export { feedOf, ManualFeed, SimulatedFeed, type OracleFeed } from "./feed.js";
export { ServeClient, ServeError, keySigner, type ClientSession, type PersonalSigner } from "./client.js";
export { sessionMessage, requestPayload, signRequest, SESSION_HEADER, NONCE_HEADER, SIGNATURE_HEADER, type SessionGrant } from "./auth/signing.js";
export { addressOf, addressOfSecret, personalMessageHash, recoverPersonalSigner, signPersonalMessage, ADDRESS_PATTERN } from "./auth/eip191.js";
