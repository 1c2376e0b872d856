// Device.MQTT. of one virtual agent (TR-181 2.19 profiles MQTTClientCon:1 and
// MQTTClientSubscribe:1, R-MQTT.4): the gateway's MQTT client, which serves
// every agent over one connection (DESIGN decision 2). So Client.1 is the same
// connection in every agent's tree: its settings come from the gateway's
// mqtt.* configuration and are read-only, except KeepAliveTime (R-MQTT.14),
// which a controller may change for the whole connection. Subscription.1 is the
// connection's agent-topic filter; rows a controller adds subscribe the shared
// connection to further topics for as long as the row is enabled.
import type { LocalParam, LocalTree } from "./local-tree.js";

export const MQTT_ROOT = "Device.MQTT.";
export const MQTT_CLIENT = "Device.MQTT.Client.1.";
export const MQTT_SUBSCRIPTIONS = "Device.MQTT.Client.1.Subscription.";
export const MQTT_KEEP_ALIVE = `${MQTT_CLIENT}KeepAliveTime`;

/** The live state of the gateway's MQTT client, as the tree shows it. */
export interface MqttClientView {
  protocolVersion: "5.0" | "3.1.1";
  brokerAddress: string;
  brokerPort: number;
  transportProtocol: "TCP/IP" | "TLS";
  username: string;
  /** The filter the connection subscribes for every agent (…/agent/+). */
  agentFilter: string;
  connectRetry: { time: number; intervalMultiplier: number; maxInterval: number };
  clientId(): string;
  connected(): boolean;
  keepAliveTime(): number;
}

/** A controller-added Subscription row, as the MTP needs it. */
export interface MqttTopicSubscription {
  topic: string;
  qos: number;
}

const ro = (type: string, value: string | (() => string)): LocalParam => ({ type, writable: false, value });
const unsignedInt = (max: number) => (v: string): number | undefined => (/^\d+$/.test(v) ? (Number(v) <= max ? undefined : 9007) : 9006);

/** The KeepAliveTime parameter, read from the live client (another agent's controller may have changed it). */
export function keepAliveParam(view: MqttClientView): LocalParam {
  return { type: "xsd:unsignedInt", writable: true, value: () => String(view.keepAliveTime()), validate: unsignedInt(65535) };
}

export function addMqttClient(tree: LocalTree, view: MqttClientView): void {
  const p = (rel: string, param: LocalParam): void => tree.addParam(MQTT_CLIENT + rel, param);
  tree.addObject(MQTT_ROOT);
  tree.addParam(`${MQTT_ROOT}ClientNumberOfEntries`, ro("xsd:unsignedInt", "1"));
  tree.addObject(`${MQTT_ROOT}Capabilities.`);
  tree.addParam(`${MQTT_ROOT}Capabilities.ProtocolVersionsSupported`, ro("xsd:string", "3.1.1,5.0"));
  tree.addParam(`${MQTT_ROOT}Capabilities.TransportProtocolSupported`, ro("xsd:string", "TCP/IP,TLS"));
  tree.addParam(`${MQTT_ROOT}Capabilities.MaxNumberOfClientSubscriptions`, ro("xsd:unsignedInt", "0"));
  tree.defineTable(`${MQTT_ROOT}Client.`, { writable: false, params: {} });
  tree.createRow(`${MQTT_ROOT}Client.`, 1);
  p("Alias", ro("xsd:string", "cpe-1"));
  p("Name", ro("xsd:string", "cwmp2usp"));
  p("Enable", ro("xsd:boolean", "true"));
  p("Status", ro("xsd:string", () => (view.connected() ? "Connected" : "Connecting")));
  p("ProtocolVersion", ro("xsd:string", view.protocolVersion));
  p("BrokerAddress", ro("xsd:string", view.brokerAddress));
  p("BrokerPort", ro("xsd:unsignedInt", String(view.brokerPort)));
  p("TransportProtocol", ro("xsd:string", view.transportProtocol));
  p("CleanSession", ro("xsd:boolean", "true"));
  p("CleanStart", ro("xsd:boolean", "true"));
  p("KeepAliveTime", keepAliveParam(view));
  p("ClientID", ro("xsd:string", () => view.clientId()));
  p("Username", ro("xsd:string", view.username));
  // TR-181: Password reads back empty.
  p("Password", ro("xsd:string", ""));
  p("MessageRetryTime", ro("xsd:unsignedInt", "5"));
  p("ConnectRetryTime", ro("xsd:unsignedInt", String(view.connectRetry.time)));
  p("ConnectRetryIntervalMultiplier", ro("xsd:unsignedInt", String(view.connectRetry.intervalMultiplier)));
  p("ConnectRetryMaxInterval", ro("xsd:unsignedInt", String(view.connectRetry.maxInterval)));
  p("RequestResponseInfo", ro("xsd:boolean", "false"));
  p("ResponseInformation", ro("xsd:string", ""));
  p("SubscriptionNumberOfEntries", ro("xsd:unsignedInt", () => String(tree.rows(MQTT_SUBSCRIPTIONS).length)));
  tree.defineTable(MQTT_SUBSCRIPTIONS, {
    writable: true,
    params: {
      Alias: (i) => ({ type: "xsd:string", writable: true, value: `cpe-${i}` }),
      Enable: () => ({ type: "xsd:boolean", writable: true, value: "false", validate: (v) => (/^(true|false|1|0)$/i.test(v) ? undefined : 9006) }),
      Status: (i) => ro("xsd:string", () => subscriptionStatus(tree, i, view)),
      Topic: () => ({ type: "xsd:string", writable: true, value: "", validate: (v) => (validFilter(v) ? undefined : 9007) }),
      QoS: () => ({ type: "xsd:unsignedInt", writable: true, value: "0", validate: unsignedInt(2) }),
    },
  });
  // Row 1: the subscription the connection always has (R-MQTT.15), not the controller's to change.
  tree.createRow(MQTT_SUBSCRIPTIONS, 1);
  const first = `${MQTT_SUBSCRIPTIONS}1.`;
  tree.addObject(first, false);
  tree.addParam(`${first}Alias`, ro("xsd:string", "cpe-1"));
  tree.addParam(`${first}Enable`, ro("xsd:boolean", "true"));
  tree.addParam(`${first}Topic`, ro("xsd:string", view.agentFilter));
  tree.addParam(`${first}QoS`, ro("xsd:unsignedInt", "1"));
}

/** Enabled rows a controller added (row 1 excluded), for the MTP to subscribe. */
export function addedSubscriptions(tree: LocalTree): MqttTopicSubscription[] {
  return tree
    .rows(MQTT_SUBSCRIPTIONS)
    .filter((i) => i !== 1 && tree.value(`${MQTT_SUBSCRIPTIONS}${i}.Enable`) === "true" && (tree.value(`${MQTT_SUBSCRIPTIONS}${i}.Topic`) ?? "") !== "")
    .map((i) => ({ topic: tree.value(`${MQTT_SUBSCRIPTIONS}${i}.Topic`) ?? "", qos: Number(tree.value(`${MQTT_SUBSCRIPTIONS}${i}.QoS`) ?? "0") }));
}

function subscriptionStatus(tree: LocalTree, instance: number, view: MqttClientView): string {
  if (tree.value(`${MQTT_SUBSCRIPTIONS}${instance}.Enable`) !== "true") return "Unsubscribed";
  return view.connected() ? "Subscribed" : "Subscribing";
}

/** An MQTT topic filter: "+" and "#" only as whole levels, "#" last (MQTT 5 §4.7.1). */
export function validFilter(filter: string): boolean {
  if (filter === "" || filter.length > 65535) return false;
  const levels = filter.split("/");
  return levels.every((level, i) => (level.includes("+") ? level === "+" : true) && (level.includes("#") ? level === "#" && i === levels.length - 1 : true));
}

/** The controller-added rows worth keeping across tree rebuilds and restarts. */
export function exportMqttSubscriptions(tree: LocalTree): { instance: number; values: Record<string, string> }[] {
  return tree
    .rows(MQTT_SUBSCRIPTIONS)
    .filter((i) => i !== 1)
    .map((instance) => {
      const values: Record<string, string> = {};
      for (const rel of ["Alias", "Enable", "Topic", "QoS"]) values[rel] = tree.value(`${MQTT_SUBSCRIPTIONS}${instance}.${rel}`) ?? "";
      return { instance, values };
    });
}

/** The enabled topics of persisted rows (exportMqttSubscriptions), without building a tree. */
export function enabledInRows(rows: { values: Record<string, string> }[]): MqttTopicSubscription[] {
  return rows
    .filter((r) => r.values.Enable === "true" && (r.values.Topic ?? "") !== "")
    .map((r) => ({ topic: r.values.Topic ?? "", qos: Number(r.values.QoS ?? "0") }));
}

/** Does the RPC change the MQTT client's Subscription table? */
export function touchesMqttSubscriptions(rpc: { method: string; objectName?: string; parameterList?: { name: string }[] }): boolean {
  if (rpc.method === "AddObject" || rpc.method === "DeleteObject") return (rpc.objectName ?? "").startsWith(MQTT_SUBSCRIPTIONS);
  if (rpc.method === "SetParameterValues") return (rpc.parameterList ?? []).some((p) => p.name.startsWith(MQTT_SUBSCRIPTIONS));
  return false;
}
