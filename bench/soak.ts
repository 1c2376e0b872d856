// Scenario "soak" (issue 6 §5): mixed load on one gateway for 10 minutes
// (--quick: 45 s): paced Inform sessions from the load generator, and a USP
// controller sending Gets and Sets that each need a Connection Request. The
// gateway's RSS and event-loop delay (monitorEventLoopDelay in its process,
// lib/child.ts) are sampled every 10 s. Targets: RSS growth after warm-up
// < 5%, event-loop delay p99 < 50 ms. Memory compares the gateway with
// itself (after warm-up against the end). For the loop delay the baseline is
// an idle Node process (servers/canned.ts, sent nothing) sampled at the same
// moments: on shared cores a process waiting for a CPU shows the wait as
// loop delay, so the idle process measures the machine and the difference
// what the gateway's own work adds.
import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { performance } from "node:perf_hooks";
import { ChildServer, type ProcessStats } from "./lib/child.js";
import { benchScript } from "./lib/dist.js";
import { informTemplate } from "./lib/fixtures.js";
import { percentile, type BenchCase, type CaseResult, type Row } from "./lib/harness.js";
import { runLoad } from "./lib/loadgen.js";
import { mqttVersion, probeBroker } from "./lib/mqtt.js";
import { gatewaySide, runPhase, startFleetFor } from "./lib/roundtrip.js";

const TARGET_RSS_GROWTH = 0.05;
const TARGET_LOOP_P99_MS = 50;
const SAMPLE_MS = 10_000;
/** Inform sessions per second: a steady load well under the ceiling that
 * session/inform measures, so the soak sees a busy gateway, not a backlog. */
const SESSIONS_PER_S = 300;
const SESSION_DEVICES = 2000;
const USP_AGENTS = 200;
const USP_WORKERS = 4;

interface Sample {
  atS: number;
  rssMB: number;
  heapMB: number;
  loopP50Ms: number;
  loopP99Ms: number;
  loopMaxMs: number;
  /** Other tenants of the 2 cores show up as loop delay too. */
  loadAvg1: number;
}

function sampleOf(stats: ProcessStats, atS: number): Sample {
  const mb = (b: number): number => b / 2 ** 20;
  return { atS, rssMB: mb(stats.memory.rss), heapMB: mb(stats.memory.heapUsed), loopP50Ms: stats.loopDelay.p50, loopP99Ms: stats.loopDelay.p99, loopMaxMs: stats.loopDelay.max, loadAvg1: os.loadavg()[0] ?? 0 };
}

export const soakCases: BenchCase[] = [
  {
    name: "soak/mixed",
    async run(ctx): Promise<CaseResult> {
      const durationMs = ctx.quick ? 45_000 : 600_000;
      const warmupMs = ctx.quick ? 15_000 : 60_000;
      const broker = await probeBroker();
      const runId = `${process.pid}-soak`;
      const gw = await ChildServer.start(benchScript("servers/gateway.js"), [broker, runId]);
      const idle = await ChildServer.start(benchScript("servers/canned.js"));
      try {
        const fleet = await startFleetFor(gw.acsUrl, USP_AGENTS, "SOAK");
        const controller = await gatewaySide(gw, runId, fleet, mqttVersion(broker));
        // Every session device registers once, so the soak runs on a known fleet.
        await runLoad({ acsUrl: gw.acsUrl, devices: SESSION_DEVICES, concurrency: 50, informTemplate: await informTemplate(["0 BOOTSTRAP", "1 BOOT"]) });
        ctx.log(`${durationMs / 1000} s: ${SESSIONS_PER_S} Inform sessions/s over ${SESSION_DEVICES} devices + ${USP_WORKERS} controller loops (3 Gets : 1 Set, each via Connection Request) over ${USP_AGENTS} agents; warm-up ${warmupMs / 1000} s`);
        await gw.stats(); // resets the loop-delay histograms
        await idle.stats();
        const start = performance.now();
        const samples: Sample[] = [];
        const idleSamples: Sample[] = [];
        // Raw RSS follows the heap's capacity, which V8 grows under load and
        // gives back only after a full GC, so growth is read after two forced
        // full GCs under load, at the first tick after warm-up and one tick
        // before the end: heap right away (live objects), RSS at the next
        // tick (V8 returns pages to the OS a few seconds after the GC).
        const collected: Sample[] = [];
        const settled: Sample[] = [];
        const warmTick = Math.ceil(warmupMs / SAMPLE_MS) * SAMPLE_MS;
        const lastTick = Math.floor((durationMs - 1) / SAMPLE_MS) * SAMPLE_MS - SAMPLE_MS;
        let running = true;
        const sampler = (async () => {
          for (let next = SAMPLE_MS; running; next += SAMPLE_MS) {
            await sleep(Math.max(0, start + next - performance.now()));
            if (!running) break;
            const atS = Math.round((performance.now() - start) / 1000);
            const [g, i] = await Promise.all([gw.stats(), idle.stats()]);
            const s = sampleOf(g, atS);
            samples.push(s);
            idleSamples.push(sampleOf(i, atS));
            if (next === warmTick + SAMPLE_MS || next === lastTick + SAMPLE_MS) settled.push(s);
            if (next === warmTick || next === lastTick) collected.push(sampleOf(await gw.stats(true), atS));
            ctx.log(`t=${s.atS}s RSS ${s.rssMB.toFixed(1)} MB, heap ${s.heapMB.toFixed(1)} MB, loop delay p99 ${s.loopP99Ms.toFixed(1)} ms (max ${s.loopMaxMs.toFixed(1)}; idle process p99 ${(idleSamples[idleSamples.length - 1] as Sample).loopP99Ms.toFixed(1)}); load avg ${s.loadAvg1.toFixed(1)}`);
          }
        })();
        const [sessions, usp] = await Promise.all([
          runLoad({ acsUrl: gw.acsUrl, devices: SESSION_DEVICES, concurrency: 50, informTemplate: await informTemplate(["2 PERIODIC"]), durationMs, ratePerS: SESSIONS_PER_S }),
          runPhase(controller, "mixed", { workers: USP_WORKERS, burst: 1, durationMs, qos: 0 }),
        ]);
        running = false;
        await sampler;
        await controller.close();

        const [afterWarmup, last] = collected;
        const [rssFirst, rssLast] = settled;
        if (afterWarmup === undefined || last === undefined || rssFirst === undefined || rssLast === undefined) throw new Error("soak: the run ended before the last sample");
        const growth = (rssLast.rssMB - rssFirst.rssMB) / rssFirst.rssMB;
        const heapGrowth = (last.heapMB - afterWarmup.heapMB) / afterWarmup.heapMB;
        const windowP99 = samples.map((s) => s.loopP99Ms).sort((a, b) => a - b);
        const worstP99 = windowP99[windowP99.length - 1] as number;
        const idleP99 = idleSamples.map((s) => s.loopP99Ms).sort((a, b) => a - b);
        const rssMet = growth < TARGET_RSS_GROWTH;
        const loopMet = worstP99 < TARGET_LOOP_P99_MS;
        const elapsedS = (performance.now() - start) / 1000;
        ctx.log(
          `RSS 10 s after a forced GC ${rssFirst.rssMB.toFixed(1)} MB at ${rssFirst.atS} s → ${rssLast.rssMB.toFixed(1)} MB at ${rssLast.atS} s: ${(growth * 100).toFixed(1)}% (target < 5%: ${rssMet ? "met" : "missed"}); heap after forced GC ${afterWarmup.heapMB.toFixed(1)} → ${last.heapMB.toFixed(1)} MB (${(heapGrowth * 100).toFixed(1)}%); peak raw RSS ${Math.max(...samples.map((x) => x.rssMB)).toFixed(1)} MB; ` +
            `event-loop delay p99, worst 10-s window ${worstP99.toFixed(1)} ms (target < 50 ms: ${loopMet ? "met" : "missed"}; an idle Node process on the same cores: ${(idleP99[idleP99.length - 1] as number).toFixed(1)} ms)`,
        );
        if (sessions.errors > 0 || usp.errors > 0) ctx.log(`errors: ${sessions.errors} sessions (${sessions.sampleErrors[0] ?? ""}), ${usp.errors} USP requests (${usp.sampleError})`);
        const row = (figure: string, unit: string, ours: number): Row => ({ case: "soak/mixed", figure, unit, ours, baselineName: "– (gateway against itself)", baseline: null, higherIsBetter: false });
        const loopRow = (figure: string, ours: number, baseline: number): Row => ({ ...row(figure, "ms", ours), baselineName: "idle Node process, same moments", baseline });
        return {
          rows: [
            row("RSS growth after warm-up (10 s after a forced GC)", "%", growth * 100),
            row("heap growth after warm-up (forced GC)", "%", heapGrowth * 100),
            loopRow("event-loop delay p99, worst window", worstP99, idleP99[idleP99.length - 1] as number),
            loopRow("event-loop delay p99, median window", percentile(windowP99, 50), percentile(idleP99, 50)),
            { ...row("Inform sessions", "sessions/s", sessions.sessions / elapsedS), higherIsBetter: true },
            { ...row("USP requests (via CR)", "requests/s", usp.requests / elapsedS), higherIsBetter: true },
            row("USP request latency p99", "ms", percentile(usp.firstMs, 99)),
          ],
          details: { durationMs, warmupMs, sessionsPerSTarget: SESSIONS_PER_S, samples, idleProcessSamples: idleSamples, afterForcedGc: collected, rssAfterGcSettled: settled, rssGrowth: growth, heapGrowth, worstLoopP99Ms: worstP99, targetsMet: { rss: rssMet, loop: loopMet }, sessionErrors: sessions.errors, uspErrors: usp.errors },
        };
      } finally {
        await gw.stop();
        await idle.stop();
      }
    },
  },
];
