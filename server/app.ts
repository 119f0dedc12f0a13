// The HTTP + WebSocket server over one PoolService: fastify with the API's TypeBox schemas (validation, serialisation,
// OpenAPI), signed-request authentication before validation, per-account rate limits after it, Prometheus metrics,
// pino logs, the streams and the browser page. `buildServer` assembles it; the CLI (cli/serve.ts) and the tests start it.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest, type RawReplyDefaultExpression, type RawRequestDefaultExpression, type RawServerDefault } from "fastify";
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import websocket from "@fastify/websocket";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { AuthError, Sessions, type Session } from "./auth/sessions.js";
import { NONCE_HEADER, SESSION_HEADER, SIGNATURE_HEADER } from "./auth/signing.js";
import { errorReply } from "./codec.js";
import { LazyCompiler } from "./lazy-compile.js";
import { Metrics } from "./metrics.js";
import { registerAccountRoutes } from "./routes/account.js";
import { registerAdminRoutes } from "./routes/admin.js";
import { registerAuthRoutes } from "./routes/auth.js";
import { registerPageRoutes } from "./routes/page.js";
import { registerViewRoutes } from "./routes/views.js";
import type { PoolService } from "./service.js";
import { Streams } from "./streams.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The exact body text (what the signature covers). */
    rawBody?: string;
    /** The session of a signed request, once verified. */
    session?: Session;
  }
  interface FastifyContextConfig {
    /** "account": a signed request; "admin": signed by an admin address. */
    auth?: "account" | "admin";
  }
}

/** What a route module gets. */
export interface ServerParts {
  service: PoolService;
  sessions: Sessions;
  streams: Streams;
  metrics: Metrics;
  /** Unix seconds of the server's start. */
  startedAt: number;
  draining: () => boolean;
}

/** The fastify instance with the TypeBox type provider. */
export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/** Options of buildServer. */
export interface ServerOptions {
  service: PoolService;
  /** pino options (default: info level JSON on stdout), or false for no logs. */
  logger?: boolean | { level: string };
  /** Longest body accepted (bytes). Default 64 KiB. */
  bodyLimit?: number;
}

/** Builds the server (not listening yet). */
export async function buildServer(options: ServerOptions): Promise<{ app: App; parts: ServerParts }> {
  const { service } = options;
  // Validators and serializers compile on first use, the rest once listening (lazy-compile.ts): a restart answers sooner.
  const compiler = new LazyCompiler();
  const app = Fastify({
    logger: options.logger ?? { level: "info" }, bodyLimit: options.bodyLimit ?? 65_536, logController: new LogController({ disableRequestLogging: true }),
    schemaController: { compilersFactory: { buildSerializer: compiler.serializerFactory() } },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;
  app.setValidatorCompiler(compiler.validatorCompiler());
  let draining = false;
  const parts: ServerParts = {
    service,
    sessions: new Sessions(new Set(service.config.admins), () => service.clock.now(), { maxSessionSeconds: service.config.maxSessionSeconds ?? 86_400 }),
    streams: new Streams(service, compiler),
    metrics: new Metrics(service),
    startedAt: service.clock.now(),
    draining: () => draining,
  };
  app.addHook("onListen", async () => compiler.warm());
  app.addHook("onClose", async () => {
    draining = true;
    compiler.stop();
    parts.streams.close();
  });

  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    request.rawBody = body as string;
    try {
      done(null, (body as string).length === 0 ? undefined : JSON.parse(body as string, (k, v: unknown) => (k === "__proto__" || k === "constructor" ? undefined : v)));
    } catch (e) {
      done(Object.assign(new Error(`body is not JSON: ${(e as Error).message}`), { statusCode: 400 }), undefined);
    }
  });
  // Signed routes verify the request before validation; the hook is attached to those routes only, so public reads
  // (quotes, health) run no hook of it.
  const verify = (request: FastifyRequest, _reply: unknown, done: (error?: Error) => void) => {
    try {
      const session = parts.sessions.verify({
        method: request.method, url: request.url, body: request.rawBody ?? "",
        session: request.headers[SESSION_HEADER], nonce: request.headers[NONCE_HEADER], signature: request.headers[SIGNATURE_HEADER],
      });
      if (request.routeOptions.config.auth === "admin" && !session.admin) throw new AuthError(403, "NOT_ADMIN", `${session.account} is not an admin`);
      request.session = session;
      done();
    } catch (e) {
      done(e as Error);
    }
  };
  app.addHook("onRoute", (route) => {
    if (!route.config?.auth) return;
    const own = route.preValidation === undefined ? [] : Array.isArray(route.preValidation) ? route.preValidation : [route.preValidation];
    route.preValidation = [verify, ...own] as typeof route.preValidation;
  });
  app.setErrorHandler((error, request, reply) => {
    const mapped = errorReply(error);
    if (mapped) return reply.status(mapped.status).send(mapped.body);
    request.log.error({ err: error }, "unexpected error");
    return reply.status(500).send({ error: "INTERNAL_ERROR", field: "server", message: "unexpected error (logged)" });
  });
  parts.metrics.instrument(app);

  const limit = service.config.rateLimit ?? { max: 600, windowMs: 60_000 };
  await app.register(rateLimit, { global: true, hook: "preHandler", max: limit.max, timeWindow: limit.windowMs, keyGenerator: (r) => r.session?.account ?? r.ip });
  await app.register(swagger, {
    openapi: {
      info: { title: "pool2peer serve", version: "1", description: "An options liquidity pool and its peer book as a service (docs/serve.md)." },
      components: { securitySchemes: { session: { type: "apiKey", in: "header", name: SESSION_HEADER, description: "with x-p2p-nonce and x-p2p-signature: see docs/serve.md" } } },
    },
  });
  await app.register(websocket, { options: { maxPayload: 65_536 } });

  registerAuthRoutes(app, parts);
  registerViewRoutes(app, parts);
  registerAccountRoutes(app, parts);
  registerAdminRoutes(app, parts);
  registerPageRoutes(app);
  parts.streams.register(app);
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  return { app, parts };
}
