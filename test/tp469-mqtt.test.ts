// TP-469 section 11, the gateway's MQTT client (TR-369 "MQTT Binding",
// reference/usp.md §4.2). The gateway reaches the broker through an MqttTap,
// so its CONNECT, SUBSCRIBE and PUBLISH packets can be read; the test
// controller talks to the broker directly. The cases that cut the connection
// come last.
import mqtt from "mqtt";
import type { IPublishPacket, Packet } from "mqtt-packet";
import t from "tap";
import { decodeMsg, decodeRecord } from "../src/usp/decode.js";
import { noSessionRecord } from "../src/usp/encode.js";
import { TestController } from "./helpers/usp-controller.js";
import { add, addResp, get, getResp, p, set, setResp, sleep, startBench } from "./tp469/harness.js";
import type { Tapped } from "./tp469/mqtt-tap.js";

let swallowPubacks = false;
const bench = await startBench({ serialPrefix: "TPM", tap: { down: (p) => (swallowPubacks && p.cmd === "puback" ? null : p) } });
t.teardown(() => bench.stop());
const { controller, gw, agentId, agentTopic, broker } = bench;
const tap = bench.tap;
if (tap === undefined) throw new Error("no MQTT tap");

/** MQTT topic filter matching ("+" one level, "#" the rest). */
function matches(filter: string, topic: string): boolean {
  const f = filter.split("/");
  const n = topic.split("/");
  for (let i = 0; i < f.length; i++) {
    if (f[i] === "#") return true;
    if (i >= n.length || (f[i] !== "+" && f[i] !== n[i])) return false;
  }
  return f.length === n.length;
}

const upPublishes = (): (Tapped & { packet: IPublishPacket })[] =>
  tap.packets.filter((p): p is Tapped & { packet: IPublishPacket } => p.dir === "up" && p.packet.cmd === "publish");
const isConnectRecord = (packet: IPublishPacket): boolean => {
  const decoded = decodeRecord(new Uint8Array(packet.payload as Buffer));
  return decoded.ok && decoded.record.recordType.type === "mqttConnect";
};
const firstOnConn = (conn: number, cmd: Packet["cmd"], dir: "up" | "down"): Tapped | undefined =>
  tap.packets.find((p) => p.conn === conn && p.dir === dir && p.packet.cmd === cmd);

t.test("TP-469 11.1 Support of Required MQTT Profiles", async (t) => {
  // MQTTClientCon:1 and MQTTClientSubscribe:1 (R-MQTT.4): the client's connection and subscriptions in the data model.
  const resp = getResp(await bench.ask(get(["Device.MQTT.Client.*.BrokerAddress", "Device.MQTT.Client.*.Subscription.*.Topic", "Device.LocalAgent.MTP.*.MQTT.Reference"])));
  t.same(resp.reqPathResults.map((r) => r.errCode), [0, 0, 0], "every path is supported");
  t.ok(resp.reqPathResults.every((r) => r.resolvedPathResults.length > 0), "and instantiated");
  const client = getResp(await bench.ask(get(["Device.MQTT.Client.1."])));
  const params = client.reqPathResults[0]?.resolvedPathResults.find((r) => r.resolvedPath === "Device.MQTT.Client.1.")?.resultParams ?? {};
  const connect = firstOnConn(1, "connect", "up")?.packet;
  const connack = firstOnConn(1, "connack", "down")?.packet;
  t.match(
    params,
    {
      Enable: "true",
      Status: "Connected",
      ProtocolVersion: "5.0",
      BrokerAddress: "127.0.0.1",
      BrokerPort: new URL(tap.url).port,
      TransportProtocol: "TCP/IP",
      KeepAliveTime: String(connect?.cmd === "connect" ? connect.keepalive : -1),
      ClientID: connack?.cmd === "connack" ? connack.properties?.assignedClientIdentifier : "?",
      ConnectRetryTime: "5",
      ConnectRetryIntervalMultiplier: "2000",
      ConnectRetryMaxInterval: "30720",
    },
    "MQTTClientCon:1 parameters describe the connection on the wire",
  );
  const subscribe = firstOnConn(1, "subscribe", "up")?.packet;
  const topics = getResp(await bench.ask(get(["Device.MQTT.Client.1.Subscription.*.Topic"])));
  const subscribed = topics.reqPathResults[0]?.resolvedPathResults.map((r) => r.resultParams.Topic);
  t.ok(subscribe?.cmd === "subscribe" && subscribe.subscriptions.some((s) => s.topic === subscribed?.[0]), `Subscription.1.Topic ${String(subscribed?.[0])} is in the SUBSCRIBE`);
  const reference = getResp(await bench.ask(get(["Device.LocalAgent.MTP.1.MQTT.Reference"])));
  t.equal(reference.reqPathResults[0]?.resolvedPathResults[0]?.resultParams.Reference, "Device.MQTT.Client.1", "the agent's MQTT MTP refers to it");
});

t.test("TP-469 11.8 MQTT SUBSCRIBE Packet", async (t) => {
  const conn1 = tap.packets.filter((p) => p.conn === 1);
  const connackAt = conn1.findIndex((p) => p.packet.cmd === "connack");
  const subscribeAt = conn1.findIndex((p) => p.packet.cmd === "subscribe");
  const subackAt = conn1.findIndex((p) => p.packet.cmd === "suback");
  const publishAt = conn1.findIndex((p) => p.dir === "up" && p.packet.cmd === "publish");
  t.ok(connackAt >= 0 && subscribeAt > connackAt, "SUBSCRIBE after CONNACK");
  t.ok(subackAt > subscribeAt && publishAt > subackAt, "R-MQTT.17 nothing published before a subscription succeeded");
  const subscribe = conn1[subscribeAt]?.packet;
  const suback = conn1[subackAt]?.packet;
  if (subscribe?.cmd !== "subscribe" || suback?.cmd !== "suback") return t.fail("no SUBSCRIBE/SUBACK");
  const covering = subscribe.subscriptions.filter((s) => matches(s.topic, agentTopic));
  t.equal(covering.length, 1, `one filter covers the agent's topic ${agentTopic}`);
  t.equal(covering[0]?.qos, 1, "QoS 1 requested");
  t.ok(suback.granted.every((g) => typeof g === "number" && g < 0x80), "every filter granted");
});

t.test("TP-469 11.10 MQTT No Topic in CONNACK", async (t) => {
  const connack = firstOnConn(1, "connack", "down")?.packet;
  if (connack?.cmd !== "connack") return t.fail("no CONNACK");
  t.equal(connack.properties?.responseInformation, undefined, "the broker sent no Response Information");
  t.equal(connack.properties?.userProperties?.["subscribe-topic"], undefined, "nor a subscribe-topic");
  const subscribe = firstOnConn(1, "subscribe", "up")?.packet;
  t.ok(subscribe?.cmd === "subscribe" && subscribe.subscriptions.some((s) => matches(s.topic, agentTopic)), "so the agent subscribed to its configured topic");
  const connect = await controller.waitFor((r) => r.record.fromId === agentId && r.record.recordType.type === "mqttConnect");
  t.same(connect.record.recordType, { type: "mqttConnect", version: "V5", subscribedTopic: agentTopic }, "and names it in its MQTTConnect record");
  const configured = getResp(await bench.ask(get(["Device.LocalAgent.MTP.*.MQTT.ResponseTopicConfigured"])));
  t.same(
    configured.reqPathResults[0]?.resolvedPathResults.map((r) => r.resultParams.ResponseTopicConfigured),
    [agentTopic],
    "Device.LocalAgent.MTP.{i}.MQTT.ResponseTopicConfigured is that topic",
  );
});

t.test("TP-469 11.12 MQTT PUBLISH Packet", async (t) => {
  const before = upPublishes().length;
  const msg = await bench.ask(get(["Device.DeviceInfo.SerialNumber"]));
  const published = upPublishes()
    .slice(before)
    .find((p) => {
      const record = decodeRecord(new Uint8Array(p.packet.payload as Buffer));
      return record.ok && record.record.recordType.type === "noSessionContext" && (decodeMsg(record.record.recordType.payload) as { msg?: { header: { msgId: string } } }).msg?.header.msgId === msg.header.msgId;
    });
  if (published === undefined) return t.fail("the GetResp was not seen on the wire");
  const packet = published.packet;
  t.equal(packet.topic, gw.controllerTopic, "published to the request's Response Topic");
  t.equal(packet.qos, 1);
  t.equal(packet.retain, false);
  t.equal(packet.properties?.responseTopic, agentTopic, "R-MQTT.23 the agent's own topic as Response Topic");
  const record = decodeRecord(new Uint8Array(packet.payload as Buffer));
  if (!record.ok) return t.fail(record.error);
  t.match(record.record, { version: "1.4", toId: gw.controllerId, fromId: agentId, payloadSecurity: "PLAINTEXT" }, "R-MQTT.18 the payload is a USP Record");
  t.equal(getResp(msg).reqPathResults[0]?.resolvedPathResults[0]?.resultParams.SerialNumber, bench.cpe.serial);
});

t.test("TP-469 11.13 MQTT QoS", async (t) => {
  const raw = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: `tp469-qos-${process.pid}`, reconnectPeriod: 0 });
  t.teardown(() => raw.endAsync());
  for (const qos of [0, 1] as const) {
    const msgId = `tp469-11.13-qos${qos}`;
    const bytes = noSessionRecord({ toId: agentId, fromId: gw.controllerId, msg: { header: { msgId, msgType: "GET" }, body: { kind: "request", request: get(["Device.DeviceInfo.ModelName"]) } } });
    await raw.publishAsync(agentTopic, Buffer.from(bytes), { qos, properties: { responseTopic: gw.controllerTopic, contentType: "usp.msg" } });
    const reply = await controller.waitFor((r) => r.msg?.header.msgId === msgId);
    t.equal(reply.msg?.header.msgType, "GET_RESP", `a request published with QoS ${qos} is answered`);
  }
  const replies = upPublishes().filter((p) => p.packet.topic === gw.controllerTopic);
  t.ok(replies.length > 0 && replies.every((p) => p.packet.qos === 1), "the agent publishes with QoS 1");
  for (const reply of replies) {
    const id = reply.packet.messageId;
    await tap.waitFor((p) => p.conn === reply.conn && p.dir === "down" && p.packet.cmd === "puback" && p.packet.messageId === id, 3000);
  }
  t.pass("and each is acknowledged (PUBACK)");
});

t.test("TP-469 11.14 MQTT Reply to Topic", async (t) => {
  const elsewhere = await TestController.connect(broker.url, gw.controllerId, `${gw.controllerTopic}/elsewhere`);
  t.teardown(() => elsewhere.close());
  const msgId = await elsewhere.send(agentId, agentTopic, get(["Device.DeviceInfo.HardwareVersion"]), { msgId: "tp469-11.14" });
  const reply = await elsewhere.waitFor((r) => r.msg?.header.msgId === msgId);
  t.equal(reply.topic, `${gw.controllerTopic}/elsewhere`, "R-MQTT.26 the reply goes to the request's Response Topic");
  t.equal(reply.msg?.header.msgType, "GET_RESP");
  await sleep(200);
  t.equal(controller.countFor(msgId), 0, "not to the controller's configured topic");
});

t.test("TP-469 11.15 MQTT 5.0 Content Type", async (t) => {
  const all = upPublishes();
  t.ok(all.length >= 3, `${all.length} PUBLISH packets from the agent so far`);
  t.same(all.filter((p) => p.packet.properties?.contentType !== "usp.msg").map((p) => p.packet.topic), [], 'R-MQTT.27 every one carries Content Type "usp.msg"');
});

t.test("TP-469 11.9 MQTT New Subscription", async (t) => {
  const extraTopic = `${gw.controllerTopic}-extra/${agentId}`;
  const created = addResp(
    await bench.ask(add(false, [{ objPath: "Device.MQTT.Client.1.Subscription.", paramSettings: [p("Topic", extraTopic), p("QoS", "1"), p("Enable", "true")] }])),
  );
  const status = created.createdObjResults[0]?.operStatus;
  if (status?.type !== "operSuccess") return t.fail(`Subscription row not created: ${JSON.stringify(created)}`);
  t.match(status.instantiatedPath, /^Device\.MQTT\.Client\.1\.Subscription\.\d+\.$/);
  const subscribe = await tap.waitFor((q) => q.dir === "up" && q.packet.cmd === "subscribe" && q.packet.subscriptions.some((s) => s.topic === extraTopic));
  t.pass("the connection subscribes to the new topic");
  const suback = await tap.waitFor((q) => q.dir === "down" && q.packet.cmd === "suback" && q.packet.messageId === (subscribe.packet.cmd === "subscribe" ? subscribe.packet.messageId : -1));
  t.ok(suback.packet.cmd === "suback" && suback.packet.granted.every((g) => typeof g === "number" && g < 0x80), "and the broker grants it");
  const row = getResp(await bench.ask(get([`${status.instantiatedPath}Status`])));
  t.equal(row.reqPathResults[0]?.resolvedPathResults[0]?.resultParams.Status, "Subscribed");
  const msgId = await controller.send(agentId, extraTopic, get(["Device.DeviceInfo.Manufacturer"]), { msgId: "tp469-11.9" });
  const reply = await controller.waitFor((r) => r.msg?.header.msgId === msgId);
  t.equal(reply.msg?.header.msgType, "GET_RESP", "a request published to the new topic is answered");

  setResp(await bench.ask(set(false, [{ objPath: status.instantiatedPath, paramSettings: [p("Enable", "false")] }])));
  await tap.waitFor((q) => q.dir === "up" && q.packet.cmd === "unsubscribe" && q.packet.unsubscriptions.includes(extraTopic));
  t.pass("R-MQTT.34: disabling the row UNSUBSCRIBEs");
});

t.test("TP-469 11.7 MQTT Keep Alive", async (t) => {
  const conn = tap.connectionCount;
  setResp(await bench.ask(set(false, [{ objPath: "Device.MQTT.Client.1.", paramSettings: [p("KeepAliveTime", "3")] }])));
  const connect = await tap.waitFor((q) => q.conn > conn && q.dir === "up" && q.packet.cmd === "connect", 10_000);
  t.equal(connect.packet.cmd === "connect" ? connect.packet.keepalive : undefined, 3, "R-MQTT.14: the next CONNECT carries KeepAliveTime");
  const previous = tap.packets.filter((q) => q.conn === conn && q.dir === "up").at(-1);
  t.equal(previous?.packet.cmd, "disconnect", "the old connection was closed with DISCONNECT");
  const ping = await tap.waitFor((q) => q.conn === connect.conn && q.dir === "up" && q.packet.cmd === "pingreq", 10_000);
  const lastBefore = tap.packets.filter((q) => q.conn === connect.conn && q.dir === "up" && q.at < ping.at && q.packet.cmd !== "pingreq").at(-1);
  const idle = (ping.at - (lastBefore?.at ?? connect.at)) / 1000;
  t.ok(idle <= 3.5, `PINGREQ after ${idle.toFixed(1)} s without other packets (KeepAliveTime 3 s)`);
  const value = getResp(await bench.ask(get(["Device.MQTT.Client.1.KeepAliveTime"])));
  t.equal(value.reqPathResults[0]?.resolvedPathResults[0]?.resultParams.KeepAliveTime, "3", "and reads back");
});

t.test("TP-469 11.17 MQTT - Use of Connect Record", async (t) => {
  const initial = await controller.waitFor((r) => r.record.fromId === agentId && r.record.recordType.type === "mqttConnect");
  t.equal(initial.record.toId, gw.controllerId);
  t.equal(initial.topic, gw.controllerTopic, "to the controller's topic");
  t.same(initial.record.recordType, { type: "mqttConnect", version: "V5", subscribedTopic: agentTopic });
  const count = controller.received.filter((r) => r.record.fromId === agentId && r.record.recordType.type === "mqttConnect").length;
  tap.cut();
  await controller.waitFor(
    (r) => r.record.fromId === agentId && r.record.recordType.type === "mqttConnect" && controller.received.filter((x) => x.record.fromId === agentId && x.record.recordType.type === "mqttConnect").indexOf(r) >= count,
    15_000,
  );
  t.pass("R-MTP.6 sent again after the MQTT connection came back");
});

t.test("TP-469 11.4 MQTT 5.0 ClientID", async (t) => {
  // No mqtt.clientId is configured: R-MQTT.8/9 want an empty ClientId in
  // CONNECT and the broker's Assigned Client Identifier kept for later ones.
  const first = firstOnConn(1, "connect", "up")?.packet;
  const connack = firstOnConn(1, "connack", "down")?.packet;
  t.equal(first?.cmd === "connect" ? first.clientId : undefined, "", "an empty ClientId");
  const assigned = connack?.cmd === "connack" ? connack.properties?.assignedClientIdentifier : undefined;
  t.ok(assigned !== undefined && assigned !== "", "the broker assigned one");
  const later = tap.packets.find((p) => p.conn > 1 && p.dir === "up" && p.packet.cmd === "connect")?.packet;
  t.equal(later?.cmd === "connect" ? later.clientId : undefined, assigned, "and it is used on the next connection");
});

t.test("TP-469 11.16 MQTT Connection Retry", async (t) => {
  await tap.waitFor((p) => p.conn === tap.connectionCount && p.packet.cmd === "suback");
  const conn = tap.connectionCount;
  const cutAt = Date.now();
  tap.cut();
  const again = await tap.waitFor((p) => p.conn === conn + 1 && p.packet.cmd === "connect", 15_000);
  const waited = (again.at - cutAt) / 1000;
  // R-MQTT.10 with the TR-181 defaults (ConnectRetryTime 5 s, multiplier
  // 2000): the first retry waits a random time of 5 to 10 s.
  t.ok(waited >= 5 && waited <= 10.5, `first reconnect after ${waited.toFixed(1)} s, within 5-10 s`);
});

t.test("TP-469 11.6 MQTT Message Retry", async (t) => {
  // The connection is idle once the agent's MQTTConnect record on it is acknowledged.
  const conn = tap.connectionCount;
  const announced = await tap.waitFor((p) => p.conn === conn && p.dir === "up" && p.packet.cmd === "publish" && isConnectRecord(p.packet), 15_000);
  const announcedId = (announced.packet as IPublishPacket).messageId;
  await tap.waitFor((p) => p.conn === conn && p.dir === "down" && p.packet.cmd === "puback" && p.packet.messageId === announcedId);
  swallowPubacks = true;
  const msg = await bench.ask(get(["Device.DeviceInfo.ModelNumber"]));
  const sent = upPublishes().find((p) => p.conn === conn && p.packet.topic === gw.controllerTopic && Buffer.from(p.packet.payload as Buffer).includes(Buffer.from(msg.header.msgId)));
  t.ok(sent !== undefined, "the reply went out with QoS 1 and got no PUBACK");
  swallowPubacks = false;
  tap.cut();
  const resent = await tap.waitFor((p) => p.conn === conn + 1 && p.dir === "up" && p.packet.cmd === "publish" && p.packet.messageId === sent?.packet.messageId, 15_000);
  const packet = resent.packet as IPublishPacket;
  t.same(Buffer.from(packet.payload as Buffer), Buffer.from(sent?.packet.payload as Buffer), "the same PUBLISH is delivered again");
  t.equal(packet.dup, true, "MQTT 5 §3.3.1.1: with the DUP flag set");
  const conn2 = tap.packets.filter((p) => p.conn === conn + 1);
  t.ok(
    conn2.findIndex((p) => p.packet.cmd === "suback") < conn2.indexOf(resent),
    "R-MQTT.17 after the new connection's subscription succeeded",
  );
});
