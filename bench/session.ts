// Scenario "session": complete Inform sessions (Inform → InformResponse →
// empty POST → 204) from thousands of devices against the gateway, and the
// same load against a canned-bytes node:http server, the platform ceiling.
import { ChildServer, cpuMs } from "./lib/child.js";
import { benchScript } from "./lib/dist.js";
import { informTemplate } from "./lib/fixtures.js";
import { percentile, type BenchCase, type BenchContext, type CaseResult, type Row } from "./lib/harness.js";
import { runLoad, type LoadResult } from "./lib/loadgen.js";
import { mqttVersion, probeBroker } from "./lib/mqtt.js";
import { acknowledgingController } from "./lib/notify-ack.js";

/** Issue 6 targets for this figure. */
const TARGET_SHARE_OF_CEILING = 0.5;
const TARGET_SESSIONS_PER_S = 2000;

interface Measured {
  load: LoadResult;
  serverCpuMs: number;
  loadGenCpuMs: number;
  warmup: { sessions: number; errors: number; elapsedMs: number };
}

async function measure(server: ChildServer, devices: number, concurrency: number, durationMs: number): Promise<Measured> {
  // Every device informs once first (registration, JIT warm-up), so the timed
  // part sees periodic sessions of known devices, the steady state of a fleet.
  const boot = await runLoad({ acsUrl: server.acsUrl, devices, concurrency, informTemplate: await informTemplate(["0 BOOTSTRAP", "1 BOOT"]) });
  if (boot.sessions === 0) throw new Error(`warm-up failed: ${boot.sampleErrors.join("; ")}`);
  const periodic = await informTemplate(["2 PERIODIC"]);
  const before = await server.stats();
  const ownBefore = process.cpuUsage();
  const load = await runLoad({ acsUrl: server.acsUrl, devices, concurrency, informTemplate: periodic, durationMs });
  const ownAfter = process.cpuUsage();
  const after = await server.stats();
  return {
    load,
    serverCpuMs: cpuMs(before.cpu, after.cpu),
    loadGenCpuMs: cpuMs(ownBefore, ownAfter),
    warmup: { sessions: boot.sessions, errors: boot.errors, elapsedMs: boot.elapsedMs },
  };
}

async function withServer<T>(script: string, args: string[], body: (server: ChildServer) => Promise<T>): Promise<T> {
  const server = await ChildServer.start(benchScript(script), args);
  try {
    return await body(server);
  } finally {
    await server.stop();
  }
}

function summary(m: Measured): Record<string, number> {
  const n = Math.max(1, m.load.sessions);
  return {
    sessionsPerS: (m.load.sessions * 1000) / m.load.elapsedMs,
    p50Ms: percentile(m.load.latenciesMs, 50),
    p99Ms: percentile(m.load.latenciesMs, 99),
    serverCpuMsPerSession: m.serverCpuMs / n,
    loadGenCpuMsPerSession: m.loadGenCpuMs / n,
    errors: m.load.errors,
  };
}

function sessionCase(concurrency: number): BenchCase {
  const name = `session/inform/c${concurrency}`;
  return {
    name,
    async run(ctx: BenchContext): Promise<CaseResult> {
      const devices = ctx.quick ? 2000 : 10_000;
      const durationMs = ctx.quick ? 8000 : 20_000;
      const broker = await probeBroker();
      ctx.log(`${devices} devices, ${concurrency} concurrent sessions, ${durationMs / 1000} s each; MQTT: ${broker || "embedded aedes"}`);
      const base = await withServer("servers/canned.js", [], (s) => measure(s, devices, concurrency, durationMs));
      const runId = `${process.pid}`;
      const ours = await withServer("servers/gateway.js", [broker, runId], async (s) => {
        // A deployed gateway has a controller that acknowledges each agent's OnBoardRequest (notify-ack.ts).
        const controller = await acknowledgingController(s.mqttUrl, runId, mqttVersion(broker));
        try {
          return await measure(s, devices, concurrency, durationMs);
        } finally {
          await controller.close();
        }
      });
      const b = summary(base);
      const o = summary(ours);
      const row = (figure: string, unit: string, key: string, higherIsBetter: boolean): Row => ({
        case: name,
        figure,
        unit,
        ours: o[key] as number,
        baselineName: "canned node:http",
        baseline: b[key] as number,
        higherIsBetter,
      });
      const share = (o["sessionsPerS"] as number) / (b["sessionsPerS"] as number);
      const met = share >= TARGET_SHARE_OF_CEILING && (o["sessionsPerS"] as number) >= TARGET_SESSIONS_PER_S;
      ctx.log(`gateway ${(o["sessionsPerS"] as number).toFixed(0)} sessions/s = ${(share * 100).toFixed(0)}% of the ceiling; target ≥ ${TARGET_SHARE_OF_CEILING * 100}% and ≥ ${TARGET_SESSIONS_PER_S}/s: ${met ? "met" : "missed"}`);
      for (const [label, m] of [["canned", base], ["gateway", ours]] as const) {
        if (m.load.errors > 0 || m.warmup.errors > 0) ctx.log(`${label}: ${m.warmup.errors} warm-up and ${m.load.errors} timed errors, e.g. ${m.load.sampleErrors[0] ?? ""}`);
      }
      return {
        rows: [
          row("throughput", "sessions/s", "sessionsPerS", true),
          row("latency p50", "ms", "p50Ms", false),
          row("latency p99", "ms", "p99Ms", false),
          row("server CPU", "ms/session", "serverCpuMsPerSession", false),
          row("load-generator CPU", "ms/session", "loadGenCpuMsPerSession", false),
        ],
        details: { devices, concurrency, durationMs, broker: broker || "embedded", targetMet: met, gateway: { ...o, warmup: ours.warmup }, canned: { ...b, warmup: base.warmup } },
      };
    },
  };
}

export const sessionCases: BenchCase[] = [sessionCase(200)];
