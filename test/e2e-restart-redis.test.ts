// A gateway restart with the Redis store loses nothing: agents announce
// themselves again at start without waiting for Informs, and requests queued
// before the restart still run and get their one answer.
import { randomUUID } from "node:crypto";
import t from "tap";
import { Redis } from "ioredis";
import { readParameter, startFleet } from "../src/sim/fleet.js";
import { RedisStore } from "../src/store/redis.js";
import { testBroker, uniquePrefix } from "./helpers/broker.js";
import { CR_PASSWORD, CR_USERNAME, startTestGateway } from "./helpers/gateway.js";
import { TestController } from "./helpers/usp-controller.js";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const keyPrefix = `cwmp2usp-test:${uniquePrefix()}:`;
const broker = await testBroker();
t.teardown(async () => {
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${keyPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
  await broker.close();
});

t.test("restart with Redis: agents come back online and queued requests run", async (t) => {
  const store = { type: "redis", url: REDIS_URL, keyPrefix };
  const first = await startTestGateway(broker.url, { store });
  const port = Number(new URL(first.gateway.acsUrl).port);
  const topics = { controllerId: first.controllerId, controllerTopic: first.controllerTopic, agentTopic: first.config.mqtt.agentTopic };
  const fleet = await startFleet({ acsUrl: first.gateway.acsUrl, count: 1, serialPrefix: `RST${process.pid}-`, oui: "00256D", crUsername: CR_USERNAME, crPassword: CR_PASSWORD });
  t.teardown(() => fleet.stop());
  await fleet.bootAll();
  const cpe = fleet.cpes[0];
  if (cpe === undefined) return t.fail("no CPE");
  const agentId = `os::00256D-${cpe.serial}`;
  await first.stop();

  // While the gateway is down, a request sits in the store as if accepted just before the stop.
  const direct = new RedisStore({ url: REDIS_URL, keyPrefix });
  await direct.connect();
  const msgId = `queued-${randomUUID()}`;
  await direct.enqueueRequest({
    requestId: randomUUID(),
    endpointId: agentId,
    controllerId: topics.controllerId,
    msgId,
    request: { type: "get", get: { paramPaths: ["Device.DeviceInfo.SerialNumber"], maxDepth: 0 } },
    replyTo: { mtp: "mqtt", topic: topics.controllerTopic },
    recordVersion: "1.4",
    receivedAt: Date.now(),
    deadline: Date.now() + 30_000,
  });
  await direct.close();

  const controller = await TestController.connect(broker.url, topics.controllerId, topics.controllerTopic);
  t.teardown(() => controller.close());
  const second = await startTestGateway(broker.url, {
    store,
    cwmp: { port },
    mqtt: { agentTopic: topics.agentTopic },
    controllers: [{ endpointId: topics.controllerId, mqttTopic: topics.controllerTopic }],
  });
  t.teardown(() => second.stop());

  const connect = await controller.waitFor((r) => r.record.fromId === agentId && r.record.recordType.type === "mqttConnect");
  t.equal(connect.record.toId, topics.controllerId, "R-MTP.6 the agent announces itself at start, before any Inform");
  const reply = await controller.waitFor((r) => r.msg?.header.msgId === msgId, 15_000);
  const body = reply.msg?.body;
  if (body?.kind !== "response" || body.response.type !== "getResp") return t.fail(JSON.stringify(body));
  t.equal(body.response.getResp.reqPathResults[0]?.resolvedPathResults[0]?.resultParams.SerialNumber, readParameter(cpe, "Device.DeviceInfo.SerialNumber"));
  t.equal(controller.countFor(msgId), 1);
});
