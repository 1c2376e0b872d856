// Scenario "memory": N devices register (one Inform each), then sit idle.
// Figures per device are deltas against the same process before any device,
// after forced GC. The reference is the canned server keeping each device's
// raw Inform bytes (what a registry that stores nothing smarter would hold).
import { connectAsync } from "mqtt";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { ChildServer, cpuMs, type ProcessStats } from "./lib/child.js";
import { benchScript, fromDist } from "./lib/dist.js";
import { informTemplate } from "./lib/fixtures.js";
import type { BenchCase, BenchContext, CaseResult, Row } from "./lib/harness.js";
import { runLoad } from "./lib/loadgen.js";
import { benchTopics, mqttVersion, probeBroker } from "./lib/mqtt.js";
import { notifyAcknowledger } from "./lib/notify-ack.js";

type UspDecode = typeof import("../src/usp/decode.js");

const CONCURRENCY = 200;
/** Waiting for the last MQTTConnect records after the last Inform. */
const ONLINE_TIMEOUT_MS = 120_000;
/** Between the last agent online (or Inform answered) and the idle window. */
const SETTLE_MS = 5000;

interface FleetFigures {
  rssPerDevice: number;
  heapPerDevice: number;
  registerS: number;
  onlineS: number;
  agentsOnline: number;
  idleCpuMsPerS: number;
  errors: number;
  empty: ProcessStats["memory"];
  loaded: ProcessStats["memory"];
}

/** Counts the agents whose MQTTConnect record reached the controller topic
 * (distinct from_id: an agent may announce itself more than once) and, as a
 * controller, acknowledges their OnBoardRequests (notify-ack.ts); returns a
 * function that resolves when `n` have (or the timeout passes) with the time. */
async function watchAgentsOnline(mqttUrl: string, runId: string, version: 4 | 5): Promise<{ until: (n: number, timeoutMs: number) => Promise<{ count: number; at: number }>; close: () => Promise<void> }> {
  const { decodeRecord } = await fromDist<UspDecode>("usp/decode.js");
  const client = await connectAsync(mqttUrl, { clientId: `cwmp2usp-bench-watch-${runId}`, protocolVersion: version });
  const topic = benchTopics(runId).controllerTopic;
  // Over 3.1.1 the records come on the /reply-to= level below the topic.
  await client.subscribeAsync([topic, `${topic}/+`], { qos: 0 });
  const online = new Set<string>();
  let count = 0;
  let lastAt = 0;
  const acknowledge = await notifyAcknowledger(client, runId);
  client.on("message", (_topic, payload) => {
    const r = decodeRecord(new Uint8Array(payload));
    if (r.ok) acknowledge(r.record);
    if (!r.ok || r.record.recordType.type !== "mqttConnect" || online.has(r.record.fromId)) return;
    online.add(r.record.fromId);
    count = online.size;
    lastAt = performance.now();
  });
  return {
    async until(n, timeoutMs) {
      const end = performance.now() + timeoutMs;
      while (count < n && performance.now() < end) await sleep(20);
      return { count, at: lastAt };
    },
    close: () => client.endAsync(),
  };
}

async function fleet(ctx: BenchContext, kind: "gateway" | "canned", devices: number, idleMs: number): Promise<FleetFigures> {
  const broker = await probeBroker();
  const runId = `${process.pid}-${kind}-${devices}`;
  const server = await ChildServer.start(benchScript(`servers/${kind}.js`), kind === "gateway" ? [broker, runId] : ["--remember"]);
  try {
    await sleep(500);
    const empty = await server.stats(true);
    const watch = kind === "gateway" ? await watchAgentsOnline(server.mqttUrl, runId, mqttVersion(broker)) : undefined;
    const start = performance.now();
    const load = await runLoad({ acsUrl: server.acsUrl, devices, concurrency: CONCURRENCY, informTemplate: await informTemplate(["0 BOOTSTRAP", "1 BOOT"]) });
    const registerS = (performance.now() - start) / 1000;
    const online = watch === undefined ? { count: load.sessions, at: performance.now() } : await watch.until(devices, ONLINE_TIMEOUT_MS);
    await watch?.close();
    if (online.count < devices) ctx.log(`${kind}: only ${online.count} of ${devices} agents announced on MQTT`);
    if (load.errors > 0) ctx.log(`${kind}: ${load.errors} failed sessions, e.g. ${load.sampleErrors[0] ?? ""}`);
    // Let the registration's tail settle (the gateway is still answering
    // NotifyResps and publishing for a few seconds after the last agent is
    // online), then measure an idle window. No forced GC at its start: the
    // collector's helper threads would sweep the heap during the window and
    // count as idle CPU (process.cpuUsage covers every thread).
    await sleep(SETTLE_MS);
    const idleStart = await server.stats(false);
    await sleep(idleMs);
    // CPU first: the forced GC for the memory figure must not count as idle work.
    const idleCpu = await server.stats(false);
    const idleEnd = await server.stats(true);
    return {
      rssPerDevice: (idleEnd.memory.rss - empty.memory.rss) / devices,
      heapPerDevice: (idleEnd.memory.heapUsed - empty.memory.heapUsed) / devices,
      registerS,
      onlineS: (online.at - start) / 1000,
      agentsOnline: online.count,
      idleCpuMsPerS: cpuMs(idleStart.cpu, idleCpu.cpu) / (idleMs / 1000),
      errors: load.errors,
      empty: empty.memory,
      loaded: idleEnd.memory,
    };
  } finally {
    await server.stop();
  }
}

function memoryCase(devices: number, fullOnly: boolean): BenchCase {
  const name = `memory/idle/${devices / 1000}k`;
  return {
    name,
    fullOnly,
    async run(ctx): Promise<CaseResult> {
      const idleMs = ctx.quick ? 3000 : 10_000;
      ctx.log(`${devices} devices, ${CONCURRENCY} concurrent Informs, idle window ${idleMs / 1000} s`);
      const base = await fleet(ctx, "canned", devices, idleMs);
      const ours = await fleet(ctx, "gateway", devices, idleMs);
      const baselineName = "canned + raw Inform kept";
      const row = (figure: string, unit: string, o: number, b: number | null, label = baselineName): Row => ({ case: name, figure, unit, ours: o, baselineName: label, baseline: b, higherIsBetter: false });
      return {
        rows: [
          row("RSS per device", "KB", ours.rssPerDevice / 1024, base.rssPerDevice / 1024),
          row("heap per device", "KB", ours.heapPerDevice / 1024, base.heapPerDevice / 1024),
          row("all agents online on MQTT", "s", ours.onlineS, base.registerS, "canned: all Informs answered"),
          row("idle CPU", "ms/s", ours.idleCpuMsPerS, base.idleCpuMsPerS),
        ],
        details: { devices, concurrency: CONCURRENCY, idleMs, gateway: ours, canned: base },
      };
    },
  };
}

export const memoryCases: BenchCase[] = [memoryCase(10_000, false), memoryCase(100_000, true)];
