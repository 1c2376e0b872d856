// Scenario "roundtrip" (issue 6 §2): a USP controller over MQTT sends Gets of
// ten parameters and Sets to many virtual agents; the baseline runs the same
// CWMP RPCs on the same simulated CPEs from a tiny ACS without the gateway.
// `roundtrip/cr`: every request needs a Connection Request (no session open).
// `roundtrip/in-session`: bursts of ten requests per agent; all but the first
// arrive while the CPE is in session, and the step between two answers is the
// in-session cost of one request. The gateway's own cost per translated
// request is printed as the difference of the two sides' p50.
import { ChildServer } from "./lib/child.js";
import { benchScript } from "./lib/dist.js";
import { percentile, type BenchCase, type BenchContext, type CaseResult, type Row } from "./lib/harness.js";
import { probeBroker } from "./lib/mqtt.js";
import { gatewaySide, runPhase, startFleetFor, tinyAcsSide, type Kind, type PhaseResult, type Side } from "./lib/roundtrip.js";

/** Issue 6 target: gateway cost per translated Get, p50, CPE time excluded. */
const TARGET_GET_COST_MS = 1;

interface Phase {
  label: string;
  kind: Kind;
  workers: number;
  burst: number;
}

async function withSides<T>(ctx: BenchContext, devices: number, body: (gateway: Side, tiny: Side, rpcs: Record<Kind, string[]>) => Promise<T>): Promise<T> {
  const broker = await probeBroker();
  const runId = `${process.pid}-rt`;
  const gw = await ChildServer.start(benchScript("servers/gateway.js"), [broker, runId]);
  const acs = await ChildServer.start(benchScript("servers/tiny-acs.js"));
  try {
    const gwFleet = await startFleetFor(gw.acsUrl, devices, "RTG");
    // MQTTConnect records and registration settle before anything is timed.
    await new Promise((r) => setTimeout(r, 500));
    const gateway = await gatewaySide(gw, runId, gwFleet);
    // Which RPCs the gateway sends for each request kind (after one warm-up
    // request each, so the per-device model cache is as in steady state):
    // the tiny ACS then sends exactly those.
    const rpcs = { get: [] as string[], set: [] as string[] };
    for (const kind of ["get", "set"] as const) {
      await gateway.burst(0, kind, 1);
      const cpe = gwFleet.cpes[0];
      if (cpe !== undefined) cpe.log.length = 0;
      await gateway.burst(0, kind, 1);
      rpcs[kind] = cpe?.log.flatMap((s) => s.methods) ?? [];
    }
    ctx.log(`${devices} agents; MQTT: ${broker || "embedded aedes"}; CWMP RPCs per Get: ${rpcs.get.join(", ")}; per Set: ${rpcs.set.join(", ")}`);
    const tiny = await tinyAcsSide(acs, await startFleetFor(acs.acsUrl, devices, "RTT"), rpcs);
    try {
      return await body(gateway, tiny, rpcs);
    } finally {
      await gateway.close();
      await tiny.close();
    }
  } finally {
    await gw.stop();
    await acs.stop();
  }
}

function figures(r: PhaseResult, stepped: boolean): Record<string, number> {
  const lat = stepped ? r.stepMs : r.firstMs;
  return { perS: (r.requests * 1000) / r.elapsedMs, p50: percentile(lat, 50), p99: percentile(lat, 99), errors: r.errors };
}

function roundtripCase(name: string, phases: Phase[], stepped: boolean): BenchCase {
  return {
    name,
    async run(ctx): Promise<CaseResult> {
      const devices = ctx.quick ? 100 : 400;
      const durationMs = ctx.quick ? 3000 : 10_000;
      return withSides(ctx, devices, async (gateway, tiny, rpcs) => {
        const rows: Row[] = [];
        const details: Record<string, unknown> = { devices, durationMs, rpcsPerRequest: rpcs };
        const latencyName = stepped ? "in-session step" : "latency (CR + session)";
        for (const phase of phases) {
          const options = { workers: phase.workers, burst: phase.burst, durationMs };
          // Baseline first, then the gateway, back to back on the same machine state.
          const b = await runPhase(tiny, phase.kind, options);
          const o = await runPhase(gateway, phase.kind, options);
          for (const [label, r] of [["tiny ACS", b], ["gateway", o]] as const) {
            if (r.errors > 0) ctx.log(`${phase.label} ${label}: ${r.errors} failed bursts, e.g. ${r.sampleError}`);
          }
          const fb = figures(b, stepped);
          const fo = figures(o, stepped);
          const c = `${name} ${phase.label}`;
          const row = (figure: string, unit: string, key: string, higherIsBetter: boolean): Row => ({ case: c, figure, unit, ours: fo[key] as number, baselineName: "tiny ACS, same RPCs", baseline: fb[key] as number, higherIsBetter });
          rows.push(row("throughput", "requests/s", "perS", true), row(`${latencyName} p50`, "ms", "p50", false), row(`${latencyName} p99`, "ms", "p99", false));
          const cost = (fo["p50"] as number) - (fb["p50"] as number);
          let verdict = "";
          if (phase.kind === "get" && phase.workers === 1) {
            verdict = `; target ≤ ${TARGET_GET_COST_MS} ms: ${cost <= TARGET_GET_COST_MS ? "met" : "missed"}`;
          }
          ctx.log(`${phase.label}: gateway ${(fo["perS"] as number).toFixed(0)} req/s, p50 ${(fo["p50"] as number).toFixed(2)} ms; tiny ACS ${(fb["perS"] as number).toFixed(0)} req/s, p50 ${(fb["p50"] as number).toFixed(2)} ms; gateway cost per request (p50 difference) ${cost.toFixed(2)} ms${verdict}`);
          details[phase.label] = { options, gateway: fo, tinyAcs: fb, gatewayCostP50Ms: cost };
        }
        return { rows, details };
      });
    },
  };
}

export const roundtripCases: BenchCase[] = [
  roundtripCase(
    "roundtrip/cr",
    [
      { label: "get10 c1", kind: "get", workers: 1, burst: 1 },
      { label: "get10 c32", kind: "get", workers: 32, burst: 1 },
      { label: "set c32", kind: "set", workers: 32, burst: 1 },
    ],
    false,
  ),
  roundtripCase(
    "roundtrip/in-session",
    [
      { label: "get10 c1", kind: "get", workers: 1, burst: 10 },
      { label: "get10 c8", kind: "get", workers: 8, burst: 10 },
      { label: "set c8", kind: "set", workers: 8, burst: 10 },
    ],
    true,
  ),
];
