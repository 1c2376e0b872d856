// Device.LocalAgent. of one virtual agent (TR-181 2.19 USP, profiles
// LocalAgent:1, Controllers:1, Subscriptions:1, MQTTAgent:1, MQTTController:2),
// built from the gateway's configuration plus the agent's persisted rows.
// CWMP CPEs have no such object: the gateway is the agent here (DESIGN 8).
import { LocalTree, type LocalParam } from "./local-tree.js";
import { addBootParameterTable } from "./boot-parameters.js";
import { addMqttClient, MQTT_SUBSCRIPTIONS, type MqttClientView } from "./mqtt-client-model.js";
import { parseTriggerConfigSettings, TRIGGER_ACTIONS, type TriggerAction } from "../notify/trigger-config.js";

export const LOCAL_AGENT_ROOT = "Device.LocalAgent.";
export const SUBSCRIPTION_TABLE = "Device.LocalAgent.Subscription.";
export const REQUEST_TABLE = "Device.LocalAgent.Request.";
export const CONTROLLER_TABLE = "Device.LocalAgent.Controller.";

export interface LocalAgentContext {
  endpointId: string;
  /** The gateway's version: LocalAgent.SoftwareVersion is the agent software, not the CPE firmware. */
  softwareVersion: string;
  startedAt: number;
  now: () => number;
  /** MTPs the agent listens on, e.g. { protocol: "MQTT", responseTopic }. */
  mtps: AgentMtp[];
  controllers: {
    endpointId: string;
    protocol: "MQTT" | "WebSocket";
    topic?: string;
    /** Every MTP of the controller, one Controller.{i}.MTP.{i} row each; when
     * absent, the one that `protocol` and `topic` describe. */
    mtps?: ControllerMtp[];
  }[];
  /** The gateway's MQTT client, served as Device.MQTT.Client.1 (mqtt-client-model.ts). */
  mqttClient?: MqttClientView;
}

/** One Device.LocalAgent.MTP.{i}. */
export interface AgentMtp {
  protocol: "MQTT" | "WebSocket";
  responseTopic?: string;
  /** The gateway's WebSocket server (R-WS.6): MTP.{i}.WebSocket.*. */
  websocket?: { port: number; path: string; encrypted: boolean; keepAliveSeconds: number };
}

/** One Device.LocalAgent.Controller.{i}.MTP.{i}. */
export type ControllerMtp =
  | { protocol: "MQTT"; topic: string }
  | {
      protocol: "WebSocket";
      /** The controller's WebSocket server the agent connects to (R-WS.5); absent
       * when the controller connects to the gateway's server instead. */
      url?: string;
      keepAliveSeconds: number;
      retryMinimumWaitSeconds: number;
      retryIntervalMultiplier: number;
    };

/** One persisted Subscription row: its instance number and writable values. */
export interface SubscriptionRow {
  instance: number;
  values: Record<string, string>;
}

export const NOTIF_TYPES = ["ValueChange", "ObjectCreation", "ObjectDeletion", "OperationComplete", "Event"];
/** Stored with a row beside its parameters: the EndpointID of the Recipient
 * Controller, because Controller rows are numbered in configuration order
 * and a changed configuration renumbers them. */
const RECIPIENT_ENDPOINT = "RecipientEndpointID";

export const SUBSCRIPTION_PERSISTED = ["Alias", "Enable", "ID", "Recipient", "NotifType", "ReferenceList", "Persistent", "TimeToLive", "NotifRetry", "NotifExpiration", "CreationDate", "TriggerAction", "TriggerConfigSettings"];

const ro = (type: string, value: string | (() => string)): LocalParam => ({ type, writable: false, value });
const rw = (type: string, value: string, validate?: (v: string) => number | undefined): LocalParam => ({
  type,
  writable: true,
  value,
  validate: validate ?? validatorFor(type),
});

/** `mqttSubscriptions`: the Device.MQTT.Client.1.Subscription rows controllers added, persisted. */
export function buildLocalAgentTree(ctx: LocalAgentContext, subscriptions: SubscriptionRow[], mqttSubscriptions: SubscriptionRow[] = []): LocalTree {
  const tree = new LocalTree("Device.");
  tree.addObject(LOCAL_AGENT_ROOT);
  const count = (table: string) => (): string => String(tree.rows(table).length);
  const p = (rel: string, param: LocalParam): void => tree.addParam(LOCAL_AGENT_ROOT + rel, param);
  p("EndpointID", ro("xsd:string", ctx.endpointId));
  p("SoftwareVersion", ro("xsd:string", ctx.softwareVersion));
  p("UpTime", ro("xsd:unsignedInt", () => String(Math.max(0, Math.floor((ctx.now() - ctx.startedAt) / 1000)))));
  p("SupportedProtocols", ro("xsd:string", [...new Set(ctx.mtps.map((m) => m.protocol))].join(",")));
  p("MaxSubscriptionChangeAdoptionTime", ro("xsd:unsignedInt", "1"));
  p("MTPNumberOfEntries", ro("xsd:unsignedInt", count("Device.LocalAgent.MTP.")));
  p("ControllerNumberOfEntries", ro("xsd:unsignedInt", count(CONTROLLER_TABLE)));
  p("SubscriptionNumberOfEntries", ro("xsd:unsignedInt", count(SUBSCRIPTION_TABLE)));
  p("RequestNumberOfEntries", ro("xsd:unsignedInt", count(REQUEST_TABLE)));
  addMtps(tree, ctx);
  addControllers(tree, ctx);
  if (ctx.mqttClient !== undefined) {
    addMqttClient(tree, ctx.mqttClient);
    for (const row of mqttSubscriptions) {
      tree.createRow(MQTT_SUBSCRIPTIONS, row.instance);
      for (const [rel, value] of Object.entries(row.values)) tree.setValue(`${MQTT_SUBSCRIPTIONS}${row.instance}.${rel}`, value);
    }
  }
  addSubscriptionTable(tree, ctx, subscriptions);
  // Rows are made by async Operate commands only (R-OPR.0), see requestRow().
  tree.defineTable(REQUEST_TABLE, {
    writable: false,
    params: {
      Alias: (i) => ro("xsd:string", `cpe-${i}`),
      Originator: () => ro("xsd:string", ""),
      Command: () => ro("xsd:string", ""),
      CommandKey: () => ro("xsd:string", ""),
      Status: () => ro("xsd:string", "Requested"),
    },
  });
  return tree;
}

/** TR-181 Device.LocalAgent.Request.{i}.Status. */
export type RequestStatus = "Requested" | "Active" | "Canceling" | "Canceled" | "Success" | "Error";

/** One Device.LocalAgent.Request.{i}: an async command being executed. */
export interface RequestRow {
  instance: number;
  /** Endpoint id of the controller that sent the Operate. */
  originator: string;
  /** The concrete command path, e.g. "Device.IP.Diagnostics.IPPing()". */
  command: string;
  /** The controller's command_key. */
  commandKey: string;
  status: RequestStatus;
}

/** Adds (or restores) a Request row with its own instance number. */
export function addRequestRow(tree: LocalTree, row: RequestRow): void {
  tree.createRow(REQUEST_TABLE, row.instance);
  const path = `${REQUEST_TABLE}${row.instance}.`;
  tree.setValue(`${path}Originator`, row.originator);
  tree.setValue(`${path}Command`, row.command);
  tree.setValue(`${path}CommandKey`, row.commandKey);
  tree.setValue(`${path}Status`, row.status);
}

export function hasRequestRow(tree: LocalTree, instance: number): boolean {
  return tree.value(`${REQUEST_TABLE}${instance}.Status`) !== undefined;
}

export function setRequestStatus(tree: LocalTree, instance: number, status: RequestStatus): void {
  tree.setValue(`${REQUEST_TABLE}${instance}.Status`, status);
}

/** R-OPR.0: the row goes once the command is complete (success or failure). */
export function removeRequestRow(tree: LocalTree, instance: number): void {
  tree.removeRow(`${REQUEST_TABLE}${instance}.`);
}

function addMtps(tree: LocalTree, ctx: LocalAgentContext): void {
  tree.defineTable("Device.LocalAgent.MTP.", { writable: false, params: {} });
  ctx.mtps.forEach((mtp, index) => {
    const row = `Device.LocalAgent.MTP.${tree.createRow("Device.LocalAgent.MTP.", index + 1)}.`;
    tree.addParam(`${row}Alias`, ro("xsd:string", `cpe-${index + 1}`));
    tree.addParam(`${row}Enable`, ro("xsd:boolean", "true"));
    tree.addParam(`${row}Status`, ro("xsd:string", "Up"));
    tree.addParam(`${row}Protocol`, ro("xsd:string", mtp.protocol));
    if (mtp.protocol === "MQTT") {
      tree.addObject(`${row}MQTT.`);
      if (ctx.mqttClient !== undefined) tree.addParam(`${row}MQTT.Reference`, ro("xsd:string", "Device.MQTT.Client.1"));
      tree.addParam(`${row}MQTT.ResponseTopicConfigured`, ro("xsd:string", mtp.responseTopic ?? ""));
      tree.addParam(`${row}MQTT.ResponseTopicDiscovered`, ro("xsd:string", mtp.responseTopic ?? ""));
      tree.addParam(`${row}MQTT.PublishQoS`, ro("xsd:unsignedInt", "1"));
    }
    if (mtp.protocol === "WebSocket") {
      const ws = mtp.websocket;
      tree.addObject(`${row}WebSocket.`);
      tree.addParam(`${row}WebSocket.Interfaces`, ro("xsd:string", ""));
      tree.addParam(`${row}WebSocket.Port`, ro("xsd:unsignedInt", String(ws?.port ?? 0)));
      tree.addParam(`${row}WebSocket.Path`, ro("xsd:string", ws?.path ?? ""));
      tree.addParam(`${row}WebSocket.EnableEncryption`, ro("xsd:boolean", String(ws?.encrypted ?? false)));
      tree.addParam(`${row}WebSocket.KeepAliveInterval`, ro("xsd:unsignedInt", String(ws?.keepAliveSeconds ?? 0)));
    }
  });
}

function addControllers(tree: LocalTree, ctx: LocalAgentContext): void {
  tree.defineTable(CONTROLLER_TABLE, { writable: false, params: {} });
  const agentMtpRow = (protocol: AgentMtp["protocol"]): string => {
    const index = ctx.mtps.findIndex((m) => m.protocol === protocol);
    return index < 0 ? "" : `Device.LocalAgent.MTP.${index + 1}`;
  };
  ctx.controllers.forEach((controller, index) => {
    const row = `${CONTROLLER_TABLE}${tree.createRow(CONTROLLER_TABLE, index + 1)}.`;
    const mtps: ControllerMtp[] =
      controller.mtps ??
      (controller.protocol === "MQTT"
        ? [{ protocol: "MQTT", topic: controller.topic ?? "" }]
        : [{ protocol: "WebSocket", keepAliveSeconds: 60, retryMinimumWaitSeconds: 5, retryIntervalMultiplier: 2000 }]);
    tree.addParam(`${row}Alias`, ro("xsd:string", `cpe-${index + 1}`));
    tree.addParam(`${row}EndpointID`, ro("xsd:string", controller.endpointId));
    tree.addParam(`${row}Enable`, ro("xsd:boolean", "true"));
    tree.addParam(`${row}AssignedRole`, ro("xsd:string", ""));
    tree.addParam(`${row}PeriodicNotifInterval`, ro("xsd:unsignedInt", "86400"));
    // TR-181 defaults for the Notify retry schedule (R-NOT.*): 5 s, ×2.
    tree.addParam(`${row}USPNotifRetryMinimumWaitInterval`, ro("xsd:unsignedInt", "5"));
    tree.addParam(`${row}USPNotifRetryIntervalMultiplier`, ro("xsd:unsignedInt", "2000"));
    // OnBoardRequest control (R-NOT.5, TP-469 1.101-1.103), read by
    // agent-notifications.ts; stored per agent by on-boarding.ts.
    tree.addParam(`${row}OnBoardingComplete`, rw("xsd:boolean", "false"));
    tree.addParam(`${row}OnBoardingRestartTime`, rw("xsd:unsignedInt", "0"));
    tree.addParam(`${row}MTPNumberOfEntries`, ro("xsd:unsignedInt", String(mtps.length)));
    tree.defineTable(`${row}MTP.`, { writable: false, params: {} });
    mtps.forEach((m, i) => {
      const mtp = `${row}MTP.${tree.createRow(`${row}MTP.`, i + 1)}.`;
      tree.addParam(`${mtp}Alias`, ro("xsd:string", `cpe-${i + 1}`));
      tree.addParam(`${mtp}Enable`, ro("xsd:boolean", "true"));
      tree.addParam(`${mtp}Protocol`, ro("xsd:string", m.protocol));
      if (m.protocol === "MQTT") {
        tree.addObject(`${mtp}MQTT.`);
        tree.addParam(`${mtp}MQTT.Topic`, ro("xsd:string", m.topic));
        tree.addParam(`${mtp}MQTT.AgentMTPReference`, ro("xsd:string", agentMtpRow("MQTT")));
      } else {
        addControllerWebSocket(tree, `${mtp}WebSocket.`, m);
      }
    });
    // Added, set and deleted by controllers (boot-parameters.ts).
    addBootParameterTable(tree, row);
  });
}

/** Controller.{i}.MTP.{i}.WebSocket.: where the agent connects (R-WS.5), from the controller's URL. */
function addControllerWebSocket(tree: LocalTree, path: string, m: Extract<ControllerMtp, { protocol: "WebSocket" }>): void {
  const url = m.url === undefined ? undefined : new URL(m.url);
  const secure = url?.protocol === "wss:";
  tree.addObject(path);
  tree.addParam(`${path}Host`, ro("xsd:string", url?.hostname ?? ""));
  tree.addParam(`${path}Port`, ro("xsd:unsignedInt", url === undefined ? "0" : url.port !== "" ? url.port : secure ? "443" : "80"));
  tree.addParam(`${path}Path`, ro("xsd:string", url === undefined ? "" : `${url.pathname}${url.search}`));
  tree.addParam(`${path}IsEncrypted`, ro("xsd:boolean", String(secure)));
  tree.addParam(`${path}KeepAliveInterval`, ro("xsd:unsignedInt", String(m.keepAliveSeconds)));
  tree.addParam(`${path}SessionRetryMinimumWaitInterval`, ro("xsd:unsignedInt", String(m.retryMinimumWaitSeconds)));
  tree.addParam(`${path}SessionRetryIntervalMultiplier`, ro("xsd:unsignedInt", String(m.retryIntervalMultiplier)));
}

function addSubscriptionTable(tree: LocalTree, ctx: LocalAgentContext, rows: SubscriptionRow[]): void {
  tree.defineTable(SUBSCRIPTION_TABLE, {
    writable: true,
    params: {
      // Unique keys the controller does not supply are assigned (R-ADD.5).
      Alias: (i) => rw("xsd:string", `cpe-${i}`),
      Enable: () => rw("xsd:boolean", "false"),
      ID: (i) => rw("xsd:string", `cwmp2usp-${i}`, (v) => (v === "" || v.length > 64 ? 9007 : undefined)),
      Recipient: () => ro("xsd:string", ""),
      NotifType: () => rw("xsd:string", "", (v) => (v === "" || NOTIF_TYPES.includes(v) ? undefined : 9007)),
      ReferenceList: () => rw("xsd:string", ""),
      Persistent: () => rw("xsd:boolean", "false"),
      TimeToLive: () => rw("xsd:unsignedInt", "0"),
      NotifRetry: () => rw("xsd:boolean", "false"),
      NotifExpiration: () => rw("xsd:unsignedInt", "0"),
      // TP-469 1.93/1.94; applied by agent-notifications.ts (trigger-config.ts).
      TriggerAction: () => rw("xsd:string", "Notify", (v) => (TRIGGER_ACTIONS.includes(v as TriggerAction) ? undefined : 9007)),
      TriggerConfigSettings: () => rw("xsd:string", "", (v) => (parseTriggerConfigSettings(v) === undefined ? 9007 : undefined)),
      CreationDate: () => ro("xsd:dateTime", new Date(ctx.now()).toISOString().replace(/\.\d{3}Z$/, "Z")),
    },
  });
  for (const row of rows) {
    tree.createRow(SUBSCRIPTION_TABLE, row.instance);
    for (const [rel, value] of Object.entries(row.values)) tree.setValue(`${SUBSCRIPTION_TABLE}${row.instance}.${rel}`, value);
    // Recipient follows its Controller to its row in today's configuration,
    // and is left empty when that Controller is no longer configured (the
    // row is then removed, see hasRecipient). Rows stored before the
    // EndpointID was kept keep their Recipient path.
    const endpoint = row.values[RECIPIENT_ENDPOINT];
    if (endpoint !== undefined && endpoint !== "") tree.setValue(`${SUBSCRIPTION_TABLE}${row.instance}.Recipient`, controllerRowOf(tree, endpoint) ?? "");
  }
}

/** "Device.LocalAgent.Controller.2" for a configured Controller, else undefined. */
export function controllerRowOf(tree: LocalTree, endpointId: string): string | undefined {
  const instance = tree.rows(CONTROLLER_TABLE).find((i) => tree.value(`${CONTROLLER_TABLE}${i}.EndpointID`) === endpointId);
  return instance === undefined ? undefined : `${CONTROLLER_TABLE}${instance}`;
}

/** TR-181 Subscription.Recipient is a strong reference to a Controller row:
 * a row whose Controller is not configured (any more) has no one to notify
 * and is removed (TP-469 1.78). */
export function hasRecipient(tree: LocalTree, instance: number): boolean {
  const recipient = tree.value(`${SUBSCRIPTION_TABLE}${instance}.Recipient`) ?? "";
  return recipient !== "" && tree.value(`${recipient}.EndpointID`) !== undefined;
}

/** The Subscription rows worth keeping across gateway restarts. */
export function exportSubscriptions(tree: LocalTree): SubscriptionRow[] {
  return tree.rows(SUBSCRIPTION_TABLE).map((instance) => {
    const values: Record<string, string> = {};
    for (const rel of SUBSCRIPTION_PERSISTED) values[rel] = tree.value(`${SUBSCRIPTION_TABLE}${instance}.${rel}`) ?? "";
    values[RECIPIENT_ENDPOINT] = tree.value(`${values.Recipient ?? ""}.EndpointID`) ?? "";
    return { instance, values };
  });
}

/** TR-106 lexical checks: 9006 for a value of the wrong type (TR-069 fault table). */
function validatorFor(type: string): ((v: string) => number | undefined) | undefined {
  switch (type) {
    case "xsd:boolean":
      return (v) => (/^(true|false|1|0)$/i.test(v) ? undefined : 9006);
    case "xsd:unsignedInt":
      return (v) => (/^\d+$/.test(v) && Number(v) <= 0xffffffff ? undefined : 9006);
    default:
      return undefined;
  }
}
