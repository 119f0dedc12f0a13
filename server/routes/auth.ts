// Opening a session: a single-use challenge, then the account's EIP-191 signature of the grant (auth/sessions.ts).
import type { App, ServerParts } from "../app.js";
import { ChallengeReply, Refusals, SessionBody, SessionReply } from "../schemas.js";

export function registerAuthRoutes(app: App, { sessions }: ServerParts): void {
  app.get("/v1/auth/challenge", {
    schema: { tags: ["auth"], summary: "A single-use challenge to sign into a session grant", response: { 200: ChallengeReply, ...Refusals } },
  }, async () => sessions.challenge());

  app.post("/v1/auth/session", {
    schema: {
      tags: ["auth"], summary: "Opens a session: the account's EIP-191 signature of sessionMessage({ address, challenge, expiresAt })",
      body: SessionBody, response: { 200: SessionReply, ...Refusals },
    },
  }, async (request) => {
    const { signature, ...grant } = request.body;
    const s = sessions.open(grant, signature);
    return { session: s.id, secret: s.key.toString("hex"), account: s.account, admin: s.admin, expiresAt: s.expiresAt };
  });

  app.delete("/v1/auth/session", {
    config: { auth: "account" },
    schema: { tags: ["auth"], summary: "Closes the session the request is signed in", security: [{ session: [] }], response: { 204: { type: "null" }, ...Refusals } },
  }, async (request, reply) => {
    sessions.close(request.session!.id);
    return reply.status(204).send(null);
  });
}
