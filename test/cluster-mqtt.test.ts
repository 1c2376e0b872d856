// Several gateway instances on one broker: with mqtt.sharedGroup each
// instance subscribes with "$share/<group>/" (MQTT 5 §4.8.2), so every USP
// Record reaches exactly one of them. Needs Mosquitto (aedes has no shared
// subscriptions); .ci/run starts it.
import t from "tap";
import mqtt from "mqtt";
import { pino } from "pino";
import { loadConfig } from "../src/config.js";
import { startGateway } from "../src/gateway.js";
import { MqttMtp } from "../src/usp/mtp/mqtt.js";
import { testBroker, uniquePrefix } from "./helpers/broker.js";

const RECORDS = 40;

t.test("a shared group splits the agent topics' Records between instances, each Record once", async (t) => {
  const broker = await testBroker();
  t.teardown(() => broker.close());
  if (broker.kind !== "mosquitto") return t.fail("needs Mosquitto on 127.0.0.1:1883 (MQTT 5 shared subscriptions); start it as .ci/run does");
  const prefix = uniquePrefix();
  const received: string[][] = [[], []];
  const mtps = received.map((into) => {
    const mtp = new MqttMtp({ url: broker.url, version: 5, agentTopic: `${prefix}/agent/{endpointId}`, sharedGroup: `g-${prefix}`, logger: pino({ level: "silent" }) });
    mtp.onRecord((bytes) => into.push(Buffer.from(bytes).toString()));
    return mtp;
  });
  await Promise.all(mtps.map((m) => m.start()));
  t.teardown(() => Promise.all(mtps.map((m) => m.stop())));

  const controller = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: `ctl-${prefix}` });
  t.teardown(() => controller.endAsync());
  for (let i = 0; i < RECORDS; i++) {
    // Both forms a controller may use: the plain agent topic and the 3.1.1 reply-to suffix.
    const topic = i % 2 === 0 ? `${prefix}/agent/os::00256D-${i}` : `${prefix}/agent/os::00256D-${i}/reply-to=ctl`;
    await controller.publishAsync(topic, Buffer.from(`record-${i}`), { qos: 1 });
  }
  const deadline = Date.now() + 10_000;
  while (received.flat().length < RECORDS && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  await new Promise((resolve) => setTimeout(resolve, 300)); // duplicates would arrive now

  const all = received.flat().sort();
  t.same(all, Array.from({ length: RECORDS }, (_, i) => `record-${i}`).sort(), "every Record reached exactly one instance");
  t.ok(received.every((r) => r.length > 0), `both instances took some (${received.map((r) => r.length).join("/")})`);
});

t.test("mqtt.sharedGroup is validated: MQTT 5 only, a plain topic level", async (t) => {
  t.throws(() => loadConfig({ fileText: JSON.stringify({ mqtt: { version: "3.1.1", sharedGroup: "g" } }) }), /mqtt\.sharedGroup: needs MQTT 5/);
  t.throws(() => loadConfig({ fileText: JSON.stringify({ mqtt: { sharedGroup: "a/b" } }) }), /mqtt\.sharedGroup: must not contain/);
  t.equal(loadConfig({ env: { CWMP2USP_MQTT__SHAREDGROUP: "cwmp2usp" } }).mqtt.sharedGroup, "cwmp2usp");
});

t.test("the embedded broker has no shared subscriptions: a shared group with it is a start-up error", async (t) => {
  const config = loadConfig({
    fileText: JSON.stringify({ cwmp: { host: "127.0.0.1", port: 0 }, mqtt: { sharedGroup: "g", embedded: { host: "127.0.0.1", port: 0 } }, ops: { enabled: false } }),
  });
  await t.rejects(startGateway(config, pino({ level: "silent" })), /mqtt\.sharedGroup needs an external MQTT 5 broker/);
});
