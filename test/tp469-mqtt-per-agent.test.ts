// TP-469 11.2 with mqtt.connectionMode per-agent (DESIGN decision 2): every
// virtual agent has its own MQTT connection, whose MQTT 5 CONNECT names it in
// the usp-endpoint-id User Property (R-MQTT.13). Two simulated CPEs behind
// one gateway, which reaches the broker through an MqttTap.
import type { IConnectPacket, IPublishPacket } from "mqtt-packet";
import t from "tap";
import { decodeRecord } from "../src/usp/decode.js";
import { agentIdOf, get, getResp, startBench } from "./tp469/harness.js";

const bench = await startBench({ serialPrefix: "TPA", count: 2, tap: {}, gatewayOverrides: { mqtt: { connectionMode: "per-agent" } } });
t.teardown(() => bench.stop());
const tap = bench.tap;
if (tap === undefined) throw new Error("no MQTT tap");
const agents = bench.fleet.cpes.map(agentIdOf);

t.test("TP-469 11.2 MQTT session establishment using a CONNECT packet", async (t) => {
  for (const agentId of agents) {
    const connect = await tap.waitFor((p) => p.dir === "up" && p.packet.cmd === "connect" && p.packet.properties?.userProperties?.["usp-endpoint-id"] === agentId);
    const packet = connect.packet as IConnectPacket;
    t.pass(`${agentId}: its own connection (#${connect.conn}), User Property usp-endpoint-id (R-MQTT.13)`);
    t.equal(packet.protocolVersion, 5, "R-MQTT.1 MQTT 5.0");
    t.equal(packet.protocolId, "MQTT");
    t.equal(packet.clientId, "", "no ClientId configured: the broker assigns one (R-MQTT.9)");
    const connack = await tap.waitFor((p) => p.conn === connect.conn && p.dir === "down" && p.packet.cmd === "connack");
    t.equal(connack.packet.cmd === "connack" ? connack.packet.reasonCode : undefined, 0, "the broker accepted it");
    const subscribe = await tap.waitFor((p) => p.conn === connect.conn && p.dir === "up" && p.packet.cmd === "subscribe");
    const topics = subscribe.packet.cmd === "subscribe" ? subscribe.packet.subscriptions.map((s) => s.topic) : [];
    t.ok(topics.includes(bench.gw.agentTopic(agentId)) && !topics.some((topic) => topic.includes("+") && !topic.startsWith(bench.gw.agentTopic(agentId))), `subscribes its own topic only: ${topics.join(", ")}`);
    const announced = await bench.controller.waitFor((r) => r.record.fromId === agentId && r.record.recordType.type === "mqttConnect");
    t.same(announced.record.recordType, { type: "mqttConnect", version: "V5", subscribedTopic: bench.gw.agentTopic(agentId) }, "announces itself (R-MTP.6)");

    const msg = await bench.controller.request(agentId, bench.gw.agentTopic(agentId), get(["Device.DeviceInfo.SerialNumber"]));
    t.equal(getResp(msg).reqPathResults[0]?.resolvedPathResults[0]?.resultParams.SerialNumber, agentId.split("-").slice(1).join("-"), "answers a Get");
    const reply = tap.packets.find(
      (p) => p.dir === "up" && p.packet.cmd === "publish" && Buffer.from((p.packet as IPublishPacket).payload as Buffer).includes(Buffer.from(msg.header.msgId)),
    );
    t.equal(reply?.conn, connect.conn, "and replies on its own connection");
    const record = reply === undefined ? undefined : decodeRecord(new Uint8Array((reply.packet as IPublishPacket).payload as Buffer));
    t.equal(record?.ok === true ? record.record.fromId : undefined, agentId);
  }
  const clientIds = getResp(await bench.ask(get(["Device.MQTT.Client.1.ClientID", "Device.MQTT.Client.1.Subscription.1.Topic"])));
  const own = tap.packets.find((p) => p.dir === "down" && p.packet.cmd === "connack" && tap.packets.some((c) => c.conn === p.conn && c.packet.cmd === "connect" && c.packet.properties?.userProperties?.["usp-endpoint-id"] === bench.agentId));
  t.equal(
    clientIds.reqPathResults[0]?.resolvedPathResults[0]?.resultParams.ClientID,
    own?.packet.cmd === "connack" ? own.packet.properties?.assignedClientIdentifier : "?",
    "Device.MQTT.Client.1.ClientID is the agent's own connection's",
  );
  t.equal(clientIds.reqPathResults[1]?.resolvedPathResults[0]?.resultParams.Topic, bench.agentTopic, "and Subscription.1.Topic its own topic");
});

t.test("connectionMode per-agent takes neither sharedGroup nor clientId", async (t) => {
  const { loadConfig } = await import("../src/config.js");
  t.throws(() => loadConfig({ fileText: JSON.stringify({ mqtt: { connectionMode: "per-agent", clientId: "x" } }) }), /mqtt\.connectionMode: per-agent/);
  t.throws(() => loadConfig({ fileText: JSON.stringify({ mqtt: { connectionMode: "per-agent", sharedGroup: "g" } }) }), /mqtt\.connectionMode: per-agent/);
  t.equal(loadConfig({}).mqtt.connectionMode, "shared", "shared by default");
});
