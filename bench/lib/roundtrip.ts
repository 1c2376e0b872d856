// The two sides of the USP round trip (scenario 2) behind one interface: a
// USP controller over MQTT talking to the gateway's virtual agents, and the
// tiny ACS (servers/tiny-acs.ts) running the same CWMP RPCs on the same kind
// of simulated CPEs. Each side gets its own fleet of simulated CPEs, whose
// Connection Request listener both use.
import mqtt, { type MqttClient } from "mqtt";
import { performance } from "node:perf_hooks";
import type { ChildServer, FromChild } from "./child.js";
import { fromDist } from "./dist.js";
import { REPLY_TO, benchTopics } from "./mqtt.js";
import { notifyAcknowledger } from "./notify-ack.js";

type FleetModule = typeof import("../../src/sim/fleet.js");
type Fleet = Awaited<ReturnType<FleetModule["startFleet"]>>;
type UspEncode = typeof import("../../src/usp/encode.js");
type UspDecode = typeof import("../../src/usp/decode.js");
type SoapEncode = typeof import("../../src/cwmp/soap-encode.js");
type Request = import("../../src/usp/messages.js").Request;

export const OUI = "C0FFEE";
export const CR_CREDENTIALS = { username: "bench-cr", password: "bench-cr-secret" };

/** The Get of issue 6: ten parameters a controller reads together. */
export const GET_NAMES = [
  "Device.DeviceInfo.Manufacturer",
  "Device.DeviceInfo.ModelName",
  "Device.DeviceInfo.SoftwareVersion",
  "Device.DeviceInfo.HardwareVersion",
  "Device.DeviceInfo.SerialNumber",
  "Device.DeviceInfo.UpTime",
  "Device.ManagementServer.URL",
  "Device.ManagementServer.PeriodicInformInterval",
  "Device.WiFi.SSID.1.SSID",
  "Device.WiFi.SSID.2.SSID",
];
const SET_OBJECT = "Device.WiFi.SSID.1.";
const SET_PARAM = "SSID";

export type Kind = "get" | "set";

/** One job for the tiny ACS: a Connection Request to the CPE, then these
 * RPC envelopes in its session; `expect` is the response's method name. */
export interface AcsJob {
  id: number;
  serial: string;
  crUrl: string;
  credentials: { username: string; password: string };
  rpcs: { envelope: string; expect: string }[];
}

export interface Side {
  readonly name: string;
  readonly devices: number;
  /** Sends `burst` requests of `kind` to device `index` at once; resolves
   * with the time (performance.now()) each answer arrived, in send order.
   * `qos`: MQTT QoS of the requests (gateway side only). */
  burst(index: number, kind: Kind, burst: number, qos?: 0 | 1): Promise<number[]>;
  close(): Promise<void>;
}

export async function startFleetFor(acsUrl: string, devices: number, prefix: string): Promise<Fleet> {
  const { startFleet } = await fromDist<FleetModule>("sim/fleet.js");
  const fleet = await startFleet({ acsUrl, count: devices, serialPrefix: prefix, oui: OUI, crUsername: CR_CREDENTIALS.username, crPassword: CR_CREDENTIALS.password, crHost: "127.0.0.1" });
  const booted = await fleet.bootAll({ concurrency: 20 });
  const failed = booted.filter((r) => !r.ok);
  if (failed.length > 0) throw new Error(`${failed.length} CPEs failed to boot: ${failed[0]?.error ?? ""}`);
  // The simulator keeps every session's result; a long run has no use for them.
  for (const cpe of fleet.cpes) cpe.log.length = 0;
  return fleet;
}

/** The controller side: Records to `os::<OUI>-<serial>` over the broker the
 * gateway uses, answers matched by msg_id. */
export async function gatewaySide(server: ChildServer, runId: string, fleet: Fleet, version: 4 | 5): Promise<Side> {
  const { noSessionRecord } = await fromDist<UspEncode>("usp/encode.js");
  const { decodeRecord, decodeMsg, msgTypeForBody } = await fromDist<UspDecode>("usp/decode.js");
  const topics = benchTopics(runId);
  const client: MqttClient = await mqtt.connectAsync(server.mqttUrl, { protocolVersion: version, clientId: `cwmp2usp-bench-ctl-${runId}`, reconnectPeriod: 0 });
  // A controller sends each request as soon as it has it; Nagle's algorithm
  // would hold one behind the previous one's ACK.
  (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
  // The gateway's own records to us carry its topic as a /reply-to= level.
  await client.subscribeAsync([topics.controllerTopic, `${topics.controllerTopic}/+`], { qos: 1 });
  const waiting = new Map<string, (at: number) => void>();
  let errors = 0;
  const acknowledge = await notifyAcknowledger(client, runId);
  client.on("message", (_topic, payload) => {
    const at = performance.now();
    const record = decodeRecord(new Uint8Array(payload));
    if (record.ok) acknowledge(record.record);
    if (!record.ok || record.record.recordType.type !== "noSessionContext") return;
    const msg = decodeMsg(record.record.recordType.payload);
    if (!msg.ok) return;
    const done = waiting.get(msg.msg.header.msgId);
    if (done === undefined) return;
    waiting.delete(msg.msg.header.msgId);
    if (msg.msg.body.kind !== "response") errors += 1;
    done(at);
  });
  let counter = 0;
  const request = (kind: Kind): Request =>
    kind === "get"
      ? { type: "get", get: { paramPaths: GET_NAMES, maxDepth: 0 } }
      : { type: "set", set: { allowPartial: false, updateObjs: [{ objPath: SET_OBJECT, paramSettings: [{ param: SET_PARAM, value: `bench-${counter % 1000}`, required: true }] }] } };
  return {
    name: "gateway",
    devices: fleet.cpes.length,
    async burst(index, kind, n, qos = 0) {
      const serial = (fleet.cpes[index] ?? fleet.cpes[0])?.serial ?? "";
      const agentId = `os::${OUI}-${serial}`;
      const answers: Promise<number>[] = [];
      for (let i = 0; i < n; i++) {
        counter += 1;
        const msgId = `b${counter}`;
        const body = { kind: "request" as const, request: request(kind) };
        const bytes = noSessionRecord({ toId: agentId, fromId: topics.controllerId, msg: { header: { msgId, msgType: msgTypeForBody(body) }, body } });
        answers.push(withTimeout(new Promise<number>((resolve) => waiting.set(msgId, resolve)), 30_000, () => waiting.delete(msgId)));
        const agentTopic = topics.agentTopic.replace("{endpointId}", agentId);
        if (version === 5) void client.publishAsync(agentTopic, Buffer.from(bytes), { qos, properties: { responseTopic: topics.controllerTopic, contentType: "usp.msg" } });
        else void client.publishAsync(`${agentTopic}${REPLY_TO}${topics.controllerTopic.replaceAll("/", "%2F")}`, Buffer.from(bytes), { qos });
      }
      const times = await Promise.all(answers);
      if (errors > 0) throw new Error(`the gateway answered ${errors} request(s) with a USP Error`);
      return times;
    },
    async close() {
      await client.endAsync();
      await fleet.stop();
    },
  };
}

/** The baseline side: jobs to the tiny ACS, the same RPCs the gateway sends
 * for a request of that kind (`rpcsPerRequest`, observed on the gateway side). */
export async function tinyAcsSide(server: ChildServer, fleet: Fleet, rpcsPerRequest: Record<Kind, string[]>): Promise<Side> {
  const { encodeEnvelope } = await fromDist<SoapEncode>("cwmp/soap-encode.js");
  const ns = "urn:dslforum-org:cwmp-1-0";
  const envelopes: Record<string, { envelope: string; expect: string }> = {
    GetParameterValues: {
      envelope: encodeEnvelope({ cwmpNamespace: ns, header: { id: "g" }, body: { method: "GetParameterValues", parameterNames: GET_NAMES } }),
      expect: "GetParameterValuesResponse",
    },
    GetParameterNames: {
      envelope: encodeEnvelope({ cwmpNamespace: ns, header: { id: "n" }, body: { method: "GetParameterNames", parameterPath: SET_OBJECT, nextLevel: true } }),
      expect: "GetParameterNamesResponse",
    },
    GetParameterValuesSet: {
      envelope: encodeEnvelope({ cwmpNamespace: ns, header: { id: "s0" }, body: { method: "GetParameterValues", parameterNames: [SET_OBJECT + SET_PARAM] } }),
      expect: "GetParameterValuesResponse",
    },
    SetParameterValues: {
      envelope: encodeEnvelope({
        cwmpNamespace: ns,
        header: { id: "s" },
        body: { method: "SetParameterValues", parameterList: [{ name: SET_OBJECT + SET_PARAM, value: "bench-tiny", type: "xsd:string" }], parameterKey: "" },
      }),
      expect: "SetParameterValuesResponse",
    },
  };
  const plan = (kind: Kind): { envelope: string; expect: string }[] =>
    rpcsPerRequest[kind].map((m) => {
      const e = envelopes[kind === "set" && m === "GetParameterValues" ? "GetParameterValuesSet" : m];
      if (e === undefined) throw new Error(`tiny ACS cannot send ${m}`);
      return e;
    });
  const jobs = new Map<number, (m: FromChild & { type: "job-rpc" }) => void>();
  server.onMessage((m) => {
    if (m.type === "job-rpc") jobs.get(m.id)?.(m);
  });
  let nextId = 0;
  return {
    name: "tiny ACS",
    devices: fleet.cpes.length,
    burst(index, kind, n) {
      const cpe = fleet.cpes[index] ?? fleet.cpes[0];
      const id = ++nextId;
      const perRequest = plan(kind);
      const rpcs = Array.from({ length: n }, () => perRequest).flat();
      const times: number[] = [];
      return withTimeout(
        new Promise<number[]>((resolve, reject) => {
          jobs.set(id, (m) => {
            if (!m.ok) return reject(new Error(`tiny ACS job failed at RPC ${m.index}`));
            // A request is answered when its last RPC is.
            if ((m.index + 1) % perRequest.length === 0) times.push(performance.now());
            if (m.index === rpcs.length - 1) resolve(times);
          });
          server.post({ type: "job", job: { id, serial: cpe?.serial ?? "", crUrl: `http://127.0.0.1:${fleet.connectionRequestPort}/${cpe?.serial ?? ""}`, credentials: CR_CREDENTIALS, rpcs } satisfies AcsJob });
        }),
        30_000,
        () => jobs.delete(id),
      ).finally(() => jobs.delete(id));
    },
    async close() {
      await fleet.stop();
    },
  };
}

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`no answer within ${ms} ms`));
    }, ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export interface PhaseResult {
  requests: number;
  errors: number;
  sampleError: string;
  elapsedMs: number;
  /** Publish → first answer of each burst, sorted. */
  firstMs: Float64Array;
  /** Answer k − answer k−1 within a burst (k ≥ 2): the in-session step. */
  stepMs: Float64Array;
  /** (last answer − first answer) / (n − 1) of each burst, sorted: the mean
   * in-session step, which two answers leaving in one TCP segment (Nagle on
   * the gateway's MQTT socket) cannot split into a 0 ms and a double step. */
  burstStepMs: Float64Array;
}

/** `workers` closed loops; worker w owns devices w, w+workers, … so a device
 * never has two bursts in flight (as a CPE never has two sessions). */
export async function runPhase(side: Side, kind: Kind | "mixed", options: { workers: number; burst: number; durationMs: number; qos: 0 | 1 }): Promise<PhaseResult> {
  const first: number[] = [];
  const steps: number[] = [];
  const burstSteps: number[] = [];
  let requests = 0;
  let errors = 0;
  let sampleError = "";
  const start = performance.now();
  const deadline = start + options.durationMs;
  const workers = Math.min(options.workers, side.devices);
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let device = w, n = 0; performance.now() < deadline; device += workers, n++) {
        if (device >= side.devices) device = w;
        const t0 = performance.now();
        // "mixed": one Set after every three Gets, as a controller that mostly reads.
        const k: Kind = kind !== "mixed" ? kind : n % 4 === 3 ? "set" : "get";
        try {
          const times = await side.burst(device, k, options.burst, options.qos);
          requests += times.length;
          first.push((times[0] ?? t0) - t0);
          for (let i = 1; i < times.length; i++) steps.push((times[i] as number) - (times[i - 1] as number));
          if (times.length > 1) burstSteps.push(((times.at(-1) as number) - (times[0] as number)) / (times.length - 1));
        } catch (err) {
          errors += 1;
          sampleError ||= err instanceof Error ? err.message : String(err);
        }
      }
    }),
  );
  return { requests, errors, sampleError, elapsedMs: performance.now() - start, firstMs: Float64Array.from(first).sort(), stepMs: Float64Array.from(steps).sort(), burstStepMs: Float64Array.from(burstSteps).sort() };
}
