// The TP-469 bench: simulated TR-181 CPEs → the real gateway (CWMP ACS) →
// the MQTT broker (Mosquitto when it answers) → a test controller, all over
// real sockets. One bench per test file; the helpers below unwrap responses
// so that a case fails on the first field that is not what TR-369 requires.
import { event } from "../../src/sim/cpe.js";
import { startFleet, type Fleet } from "../../src/sim/fleet.js";
import type { Cpe } from "../../src/sim/cpe.js";
import { encodeMsg } from "../../src/usp/encode.js";
import type {
  AddResp,
  CreateObject,
  DeleteResp,
  GetInstancesResp,
  GetResp,
  GetSupportedDMResp,
  Msg,
  Notify,
  Request,
  SetResp,
  UpdateObject,
  UspError,
} from "../../src/usp/messages.js";
import { testBroker, type TestBroker } from "../helpers/broker.js";
import { CR_PASSWORD, CR_USERNAME, startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { TestController, type ReceivedRecord } from "../helpers/usp-controller.js";
import { MqttTap, type TapOptions } from "./mqtt-tap.js";

export const OUI = "00256D";

export interface Bench {
  broker: TestBroker;
  gw: TestGateway;
  controller: TestController;
  fleet: Fleet;
  /** The first CPE, the one the cases talk to. */
  cpe: Cpe;
  agentId: string;
  agentTopic: string;
  /** The MQTT man-in-the-middle the gateway connects through, with `tap`. */
  tap: MqttTap | undefined;
  /** Sends a request to the first CPE's agent and waits for its answer. */
  ask(request: Request): Promise<Msg>;
  stop(): Promise<void>;
}

export interface BenchOptions {
  /** Distinguishes this file's CPEs on a shared broker. */
  serialPrefix: string;
  count?: number;
  gatewayOverrides?: Record<string, unknown>;
  /** Skip the boot Informs (a case boots the CPE itself). */
  noBoot?: boolean;
  /** Put an MqttTap between the gateway and the broker (the controller talks to the broker directly). */
  tap?: TapOptions;
}

export function agentIdOf(cpe: Cpe): string {
  return `os::${OUI}-${cpe.serial}`;
}

export async function startBench(options: BenchOptions): Promise<Bench> {
  const broker = await testBroker();
  const tap = options.tap === undefined ? undefined : await MqttTap.start(broker.url, options.tap);
  const given = options.gatewayOverrides ?? {};
  const overrides = tap === undefined ? given : { ...given, mqtt: { ...(given.mqtt as Record<string, unknown> | undefined), url: tap.url } };
  const gw = await startTestGateway(broker.url, overrides);
  const controller = await TestController.connect(broker.url, gw.controllerId, gw.controllerTopic);
  const fleet = await startFleet({
    acsUrl: gw.gateway.acsUrl,
    count: options.count ?? 1,
    serialPrefix: `${options.serialPrefix}${process.pid}-`,
    oui: OUI,
    crUsername: CR_USERNAME,
    crPassword: CR_PASSWORD,
  });
  const cpe = fleet.cpes[0];
  if (cpe === undefined) throw new Error("fleet has no CPE");
  if (options.noBoot !== true) {
    const booted = await fleet.bootAll();
    const failed = booted.filter((r) => !r.ok);
    if (failed.length > 0) throw new Error(`CPE boot failed: ${JSON.stringify(failed)}`);
  }
  const agentId = agentIdOf(cpe);
  const agentTopic = gw.agentTopic(agentId);
  return {
    broker,
    gw,
    controller,
    fleet,
    cpe,
    agentId,
    agentTopic,
    tap,
    ask: (request) => controller.request(agentId, agentTopic, request),
    stop: async () => {
      await fleet.stop();
      await controller.close();
      await gw.stop();
      await tap?.close();
      await broker.close();
    },
  };
}

// ---- request builders -----------------------------------------------------

export function get(paramPaths: string[], maxDepth = 0): Request {
  return { type: "get", get: { paramPaths, maxDepth } };
}

export function set(allowPartial: boolean, updateObjs: UpdateObject[]): Request {
  return { type: "set", set: { allowPartial, updateObjs } };
}

export function add(allowPartial: boolean, createObjs: CreateObject[]): Request {
  return { type: "add", add: { allowPartial, createObjs } };
}

export function del(allowPartial: boolean, objPaths: string[]): Request {
  return { type: "delete", delete: { allowPartial, objPaths } };
}

export function getInstances(objPaths: string[], firstLevelOnly: boolean): Request {
  return { type: "getInstances", getInstances: { objPaths, firstLevelOnly } };
}

/** A param_settings entry. */
export function p(param: string, value: string, required = true): { param: string; value: string; required: boolean } {
  return { param, value, required };
}

// ---- response unwrapping: throws (so the case fails) on the wrong kind ----

function response<T>(msg: Msg, type: string, msgType: string, pick: (r: Extract<Msg["body"], { kind: "response" }>["response"]) => T | undefined): T {
  const body = msg.body;
  const picked = body.kind === "response" && body.response.type === type ? pick(body.response) : undefined;
  if (picked === undefined || msg.header.msgType !== msgType) throw new Error(`expected ${msgType}, got ${msg.header.msgType} ${JSON.stringify(body)}`);
  return picked;
}

export const getResp = (msg: Msg): GetResp => response(msg, "getResp", "GET_RESP", (r) => (r.type === "getResp" ? r.getResp : undefined));
export const setResp = (msg: Msg): SetResp => response(msg, "setResp", "SET_RESP", (r) => (r.type === "setResp" ? r.setResp : undefined));
export const addResp = (msg: Msg): AddResp => response(msg, "addResp", "ADD_RESP", (r) => (r.type === "addResp" ? r.addResp : undefined));
export const deleteResp = (msg: Msg): DeleteResp => response(msg, "deleteResp", "DELETE_RESP", (r) => (r.type === "deleteResp" ? r.deleteResp : undefined));
export const instancesResp = (msg: Msg): GetInstancesResp =>
  response(msg, "getInstancesResp", "GET_INSTANCES_RESP", (r) => (r.type === "getInstancesResp" ? r.getInstancesResp : undefined));
export const supportedDmResp = (msg: Msg): GetSupportedDMResp =>
  response(msg, "getSupportedDmResp", "GET_SUPPORTED_DM_RESP", (r) => (r.type === "getSupportedDmResp" ? r.getSupportedDmResp : undefined));

export function errorOf(msg: Msg): UspError {
  if (msg.body.kind !== "error" || msg.header.msgType !== "ERROR") throw new Error(`expected ERROR, got ${msg.header.msgType} ${JSON.stringify(msg.body)}`);
  return msg.body.error;
}

/** The instance numbers of a table on the CPE itself (not via the gateway). */
export function cpeInstances(cpe: Cpe, table: string): string[] {
  return cpe.model
    .children(table)
    .filter((name) => /^\d+\.$/.test(name.slice(table.length)))
    .map((name) => name.slice(table.length, -1));
}

// ---- notifications ----------------------------------------------------------

export function notifyOf(r: ReceivedRecord): Notify | undefined {
  const body = r.msg?.body;
  return body?.kind === "request" && body.request.type === "notify" ? body.request.notify : undefined;
}

export interface SubscriptionSpec {
  id: string;
  notifType: "ValueChange" | "ObjectCreation" | "ObjectDeletion" | "OperationComplete" | "Event";
  referenceList: string;
  notifRetry?: boolean;
  notifExpiration?: number;
}

/** Adds an enabled Device.LocalAgent.Subscription row; returns its instance path. */
export async function subscribe(bench: Bench, spec: SubscriptionSpec): Promise<string> {
  const settings = [
    p("ID", spec.id),
    p("NotifType", spec.notifType),
    p("ReferenceList", spec.referenceList),
    p("NotifRetry", String(spec.notifRetry ?? false)),
    p("Enable", "true"),
  ];
  if (spec.notifExpiration !== undefined) settings.push(p("NotifExpiration", String(spec.notifExpiration)));
  const resp = addResp(await bench.ask(add(false, [{ objPath: "Device.LocalAgent.Subscription.", paramSettings: settings }])));
  const status = resp.createdObjResults[0]?.operStatus;
  if (status?.type !== "operSuccess") throw new Error(`subscription ${spec.id} not created: ${JSON.stringify(resp)}`);
  return status.instantiatedPath;
}

/** Acknowledges a Notify (R-NOT.10). */
export async function notifyResp(bench: Bench, notifyMsgId: string, subscriptionId: string): Promise<void> {
  await bench.controller.sendRecord(bench.agentTopic, {
    version: "1.4",
    toId: bench.agentId,
    fromId: bench.gw.controllerId,
    payloadSecurity: "PLAINTEXT",
    recordType: {
      type: "noSessionContext",
      payload: encodeMsg({
        header: { msgId: notifyMsgId, msgType: "NOTIFY_RESP" },
        body: { kind: "response", response: { type: "notifyResp", notifyResp: { subscriptionId } } },
      }),
    },
  });
}

/** Every Notify the controller got for a subscription id, in arrival order. */
export function notifiesFor(bench: Bench, subscriptionId: string): ReceivedRecord[] {
  return bench.controller.received.filter((r) => notifyOf(r)?.subscriptionId === subscriptionId);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export { event };
