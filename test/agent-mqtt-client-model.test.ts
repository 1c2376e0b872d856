// Device.MQTT.Client.1 in an agent's tree (mqtt-client-model.ts): the shared
// connection's live values, its fixed Subscription.1 and controller-added rows.
import t from "tap";
import { buildLocalAgentTree } from "../src/agent/local-agent/local-agent-model.js";
import { addedSubscriptions, exportMqttSubscriptions, MQTT_SUBSCRIPTIONS, validFilter, type MqttClientView } from "../src/agent/local-agent/mqtt-client-model.js";

const live = { connected: true, keepAlive: 60, clientId: "auto-1" };
const view: MqttClientView = {
  protocolVersion: "5.0",
  brokerAddress: "broker.example",
  brokerPort: 8883,
  transportProtocol: "TLS",
  username: "gw",
  agentFilter: "usp/agent/+",
  connectRetry: { time: 5, intervalMultiplier: 2000, maxInterval: 30720 },
  clientId: () => live.clientId,
  connected: () => live.connected,
  keepAliveTime: () => live.keepAlive,
};
const context = { endpointId: "os::00256D-SN1", softwareVersion: "0.1.0", startedAt: 0, now: () => 0, mtps: [{ protocol: "MQTT" as const }], controllers: [], mqttClient: view };

t.test("Client.1 reads the live connection", async (t) => {
  const tree = buildLocalAgentTree(context, []);
  t.equal(tree.value("Device.MQTT.Client.1.Status"), "Connected");
  t.equal(tree.value("Device.MQTT.Client.1.ClientID"), "auto-1");
  t.equal(tree.value("Device.MQTT.Client.1.TransportProtocol"), "TLS");
  t.equal(tree.value("Device.MQTT.Client.1.Password"), "", "Password reads back empty");
  live.connected = false;
  live.keepAlive = 30;
  live.clientId = "auto-2";
  t.equal(tree.value("Device.MQTT.Client.1.Status"), "Connecting");
  t.equal(tree.value("Device.MQTT.Client.1.KeepAliveTime"), "30");
  t.equal(tree.value("Device.MQTT.Client.1.ClientID"), "auto-2");
  live.connected = true;
  t.equal(tree.value("Device.LocalAgent.MTP.1.MQTT.Reference"), "Device.MQTT.Client.1");
});

t.test("settings are read-only but KeepAliveTime; Subscription.1 stays", async (t) => {
  const tree = buildLocalAgentTree(context, []);
  const spv = (name: string, value: string) => tree.execute({ method: "SetParameterValues", parameterKey: "", parameterList: [{ name, value, type: "xsd:string" }] });
  t.notOk(spv("Device.MQTT.Client.1.BrokerAddress", "x").ok, "BrokerAddress 9008");
  t.ok(spv("Device.MQTT.Client.1.KeepAliveTime", "10").ok);
  t.notOk(spv("Device.MQTT.Client.1.KeepAliveTime", "70000").ok, "above 65535");
  t.notOk(tree.execute({ method: "DeleteObject", objectName: `${MQTT_SUBSCRIPTIONS}1.`, parameterKey: "" }).ok, "the agent-topic subscription cannot be deleted");
  t.equal(tree.value(`${MQTT_SUBSCRIPTIONS}1.Topic`), "usp/agent/+");
});

t.test("added rows: validated, exported, the enabled ones handed to the MTP", async (t) => {
  const tree = buildLocalAgentTree(context, []);
  const added = tree.execute({ method: "AddObject", objectName: MQTT_SUBSCRIPTIONS, parameterKey: "" });
  if (!added.ok || added.response.method !== "AddObjectResponse") return t.fail("no row");
  const row = `${MQTT_SUBSCRIPTIONS}${added.response.instanceNumber}.`;
  t.equal(added.response.instanceNumber, 2);
  t.same(addedSubscriptions(tree), [], "disabled by default");
  const spv = (list: [string, string][]) => tree.execute({ method: "SetParameterValues", parameterKey: "", parameterList: list.map(([n, value]) => ({ name: row + n, value, type: "xsd:string" })) });
  t.notOk(spv([["Topic", "a/#/b"]]).ok, "# only as the last level");
  t.notOk(spv([["QoS", "3"]]).ok, "QoS 0-2");
  t.ok(spv([["Topic", "ctl/+/x"], ["QoS", "1"], ["Enable", "true"]]).ok);
  t.same(addedSubscriptions(tree), [{ topic: "ctl/+/x", qos: 1 }]);
  t.equal(tree.value(`${row}Status`), "Subscribed");
  t.same(exportMqttSubscriptions(tree), [{ instance: 2, values: { Alias: "cpe-2", Enable: "true", Topic: "ctl/+/x", QoS: "1" } }]);
  const rebuilt = buildLocalAgentTree(context, [], exportMqttSubscriptions(tree));
  t.same(addedSubscriptions(rebuilt), [{ topic: "ctl/+/x", qos: 1 }], "restored from the persisted rows");
});

t.test("topic filters (MQTT 5 §4.7.1)", async (t) => {
  for (const ok of ["a", "a/b", "+", "a/+/c", "#", "a/#", "+/+/#"]) t.ok(validFilter(ok), ok);
  for (const bad of ["", "a+", "a/#/b", "a/b#", "+a/b"]) t.notOk(validFilter(bad), JSON.stringify(bad));
});
