// The operations endpoint: Prometheus metrics and health probes, on a port of
// their own so they can be firewalled apart from the CPE-facing ACS port.
import Fastify, { type FastifyInstance } from "fastify";
import type { GatewayMetrics } from "./metrics.js";

export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean>;
}

export function createOpsServer(metrics: GatewayMetrics, readiness: ReadinessCheck[]): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get("/metrics", async (_request, reply) => {
    reply.header("content-type", metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  // Liveness: the process answers HTTP; nothing else is checked so a broker
  // outage never gets the gateway restarted in a loop.
  app.get("/healthz", async () => ({ status: "ok" }));
  // Readiness: the broker and the store answer, so traffic may be sent here.
  app.get("/readyz", async (_request, reply) => {
    const results = await Promise.all(readiness.map(async (r) => [r.name, await r.check().catch(() => false)] as const));
    const ready = results.every(([, ok]) => ok);
    return reply.code(ready ? 200 : 503).send({ status: ready ? "ready" : "not ready", checks: Object.fromEntries(results) });
  });
  return app;
}
