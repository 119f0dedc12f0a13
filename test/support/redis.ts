// Tests start their own redis-server on 127.0.0.1 and a free port (see fleet/local-redis.ts).
export { ensureRedisServer, freePort, startRedis, type TestRedis } from "../../fleet/local-redis.js";
