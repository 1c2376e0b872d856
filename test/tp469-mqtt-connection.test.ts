// TP-469 section 11, the cases about the MQTT connection itself: a broker
// that refuses the subscription (11.11) and the ClientId kept across a
// gateway restart (11.5), plus TCP_NODELAY on every connection (README §
// Performance). The gateway reaches the broker through an MqttTap that can
// rewrite the broker's SUBACK; its reconnect schedule is shortened
// (mqtt.connectRetryTime 1 s) so the back-off is seen within seconds.
import { Socket } from "node:net";
import type { IDisconnectPacket, ISubackPacket } from "mqtt-packet";
import { Redis } from "ioredis";
import t from "tap";
import { RedisStore } from "../src/store/redis.js";
import { uniquePrefix } from "./helpers/broker.js";
import { startTestGateway } from "./helpers/gateway.js";
import { get, getResp, startBench } from "./tp469/harness.js";
import { MqttTap } from "./tp469/mqtt-tap.js";

// The remote port of every socket asked to send without Nagle's delay
// (read once connected: the call may come while it is still connecting).
const noDelayPorts: number[] = [];
const setNoDelay = Socket.prototype.setNoDelay;
Socket.prototype.setNoDelay = function (this: Socket, noDelay?: boolean): Socket {
  if (noDelay !== false) {
    if (this.remotePort !== undefined) noDelayPorts.push(this.remotePort);
    else this.once("connect", () => noDelayPorts.push(this.remotePort ?? 0));
  }
  return setNoDelay.call(this, noDelay);
};
t.teardown(() => {
  Socket.prototype.setNoDelay = setNoDelay;
});

/** MQTT 5 SUBACK Reason Code 0x87: Not authorized. */
const NOT_AUTHORIZED = 0x87;
let refuseSubscriptions = true;
const bench = await startBench({
  serialPrefix: "TPK",
  tap: { down: (p) => (refuseSubscriptions && p.cmd === "suback" ? ({ ...p, granted: p.granted.map(() => NOT_AUTHORIZED) } as ISubackPacket) : p) },
  gatewayOverrides: { mqtt: { connectRetryTime: 1 } },
});
t.teardown(() => bench.stop());
const tap = bench.tap;
if (tap === undefined) throw new Error("no MQTT tap");

t.test("TP-469 11.11 MQTT Failure to Subscribe", async (t) => {
  t.ok(bench.gw.gateway.acsUrl !== "", "the gateway started although the broker refused its subscription");
  const disconnect1 = await tap.waitFor((p) => p.conn === 1 && p.dir === "up" && p.packet.cmd === "disconnect");
  const conn1 = tap.packets.filter((p) => p.conn === 1 && p.dir === "up").map((p) => p.packet.cmd);
  t.same(conn1, ["connect", "subscribe", "disconnect"], "R-MQTT.16: SUBSCRIBE refused, then DISCONNECT; R-MQTT.17: nothing published");
  t.equal((disconnect1.packet as IDisconnectPacket).reasonCode, 0x80, "DISCONNECT Reason Code 0x80 (Unspecified error)");

  // Retried on the R-MQTT.10 schedule (ConnectRetryTime 1 s, multiplier 2000): 1-2 s, then 2-4 s.
  const connect2 = await tap.waitFor((p) => p.conn === 2 && p.dir === "up" && p.packet.cmd === "connect", 5000);
  const wait1 = (connect2.at - disconnect1.at) / 1000;
  t.ok(wait1 >= 0.9 && wait1 <= 2.5, `first retry after ${wait1.toFixed(2)} s (1-2 s)`);
  const disconnect2 = await tap.waitFor((p) => p.conn === 2 && p.dir === "up" && p.packet.cmd === "disconnect");
  t.notOk(tap.packets.some((p) => p.conn === 2 && p.dir === "up" && p.packet.cmd === "publish"), "still nothing published");
  refuseSubscriptions = false;
  const connect3 = await tap.waitFor((p) => p.conn === 3 && p.dir === "up" && p.packet.cmd === "connect", 8000);
  const wait2 = (connect3.at - disconnect2.at) / 1000;
  t.ok(wait2 >= 1.9 && wait2 <= 4.5, `second retry after ${wait2.toFixed(2)} s (2-4 s)`);

  const announced = await bench.controller.waitFor((r) => r.record.fromId === bench.agentId && r.record.recordType.type === "mqttConnect", 5000);
  t.equal(announced.topic, bench.gw.controllerTopic, "once a subscription is granted the agent announces itself (R-MTP.6)");
  const resp = getResp(await bench.ask(get(["Device.DeviceInfo.SerialNumber"])));
  t.equal(resp.reqPathResults[0]?.resolvedPathResults[0]?.resultParams.SerialNumber, bench.cpe.serial, "and answers requests");
});

t.test("TCP_NODELAY is set on every MQTT connection of the gateway", async (t) => {
  const tapPort = Number(new URL(tap.url).port);
  t.ok(tap.connectionCount >= 3, `${tap.connectionCount} connections so far`);
  t.equal(noDelayPorts.filter((port) => port === tapPort).length, tap.connectionCount, "setNoDelay(true) on the socket of each one");
});

t.test("TP-469 11.5 MQTT ClientID Persistence", async (t) => {
  // A gateway on Redis, restarted: the ClientId the broker assigned to the
  // first connection is the one the restarted gateway connects with (R-MQTT.11).
  const redisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
  const keyPrefix = `cwmp2usp-test:${uniquePrefix()}:`;
  t.teardown(async () => {
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });
  const restartTap = await MqttTap.start(bench.broker.url);
  t.teardown(() => restartTap.close());
  const overrides = { store: { type: "redis", url: redisUrl, keyPrefix } };
  const first = await startTestGateway(restartTap.url, overrides);
  const connect1 = await restartTap.waitFor((p) => p.conn === 1 && p.dir === "up" && p.packet.cmd === "connect");
  const connack1 = await restartTap.waitFor((p) => p.conn === 1 && p.dir === "down" && p.packet.cmd === "connack");
  await first.stop();
  t.equal(connect1.packet.cmd === "connect" ? connect1.packet.clientId : undefined, "", "first start: an empty ClientId (R-MQTT.9)");
  const assigned = connack1.packet.cmd === "connack" ? connack1.packet.properties?.assignedClientIdentifier : undefined;
  t.ok(assigned !== undefined && assigned !== "", `the broker assigned ${String(assigned)}`);

  const second = await startTestGateway(restartTap.url, overrides);
  t.teardown(() => second.stop());
  const connect2 = await restartTap.waitFor((p) => p.conn === 2 && p.dir === "up" && p.packet.cmd === "connect");
  t.equal(connect2.packet.cmd === "connect" ? connect2.packet.clientId : undefined, assigned, "after the restart the same ClientId");
  const connack2 = await restartTap.waitFor((p) => p.conn === 2 && p.dir === "down" && p.packet.cmd === "connack");
  t.equal(connack2.packet.cmd === "connack" ? connack2.packet.reasonCode : undefined, 0, "accepted by the broker");
});

t.test("topics of Device.MQTT.Client.1.Subscription rows are subscribed again after a restart", async (t) => {
  const redisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
  const keyPrefix = `cwmp2usp-test:${uniquePrefix()}:`;
  const direct = new RedisStore({ url: redisUrl, keyPrefix });
  await direct.connect();
  t.teardown(async () => {
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await direct.close();
  });
  // What a gateway that stopped left behind: an agent with two rows a controller added, one disabled.
  const endpointId = `os::00256D-RESUB${process.pid}`;
  await direct.putDevice({
    endpointId,
    deviceId: { manufacturer: "Sim", oui: "00256D", productClass: "HGW", serialNumber: `RESUB${process.pid}` },
    rootObject: "Device.",
    cwmpNamespace: "urn:dslforum-org:cwmp-1-2",
    connectionRequestUrl: "http://127.0.0.1:9/",
    lastInformAt: 0,
    firstSeenAt: 0,
    softwareVersion: "1",
  });
  const wanted = `resub-${process.pid}/extra/#`;
  await direct.putAgentRows(endpointId, "Device.MQTT.Client.1.Subscription.", [
    { instance: 2, values: { Alias: "cpe-2", Enable: "true", Topic: wanted, QoS: "1" } },
    { instance: 3, values: { Alias: "cpe-3", Enable: "false", Topic: `resub-${process.pid}/off`, QoS: "0" } },
  ]);
  const restartTap = await MqttTap.start(bench.broker.url);
  t.teardown(() => restartTap.close());
  const gateway = await startTestGateway(restartTap.url, { store: { type: "redis", url: redisUrl, keyPrefix } });
  t.teardown(() => gateway.stop());
  const subscribe = await restartTap.waitFor((p) => p.dir === "up" && p.packet.cmd === "subscribe" && p.packet.subscriptions.some((s) => s.topic === wanted));
  t.same(subscribe.packet.cmd === "subscribe" ? subscribe.packet.subscriptions.filter((s) => s.topic.startsWith(`resub-${process.pid}`)).map((s) => [s.topic, s.qos]) : [], [[wanted, 1]], "the enabled row's topic, with its QoS; not the disabled one");
});
