// `npm start` on a machine with no broker: the gateway starts its embedded
// aedes broker, which speaks MQTT 3.1.1 only, and must serve controllers there.
import t from "tap";
import { pino } from "pino";
import { loadConfig } from "../src/config.js";
import { startGateway } from "../src/gateway.js";
import { startFleet } from "../src/sim/fleet.js";
import { uniquePrefix } from "./helpers/broker.js";
import { TestController } from "./helpers/usp-controller.js";

t.test("with no mqtt.url the embedded broker is used over MQTT 3.1.1 and a Get works end to end", async (t) => {
  const prefix = uniquePrefix();
  const config = loadConfig({
    fileText: JSON.stringify({
      cwmp: { host: "127.0.0.1", port: 0, connectionRequest: { username: "cr", password: "pw" } },
      // Default MQTT version (5) on purpose: the gateway must step down for aedes.
      mqtt: { embedded: { host: "127.0.0.1", port: 0 }, agentTopic: `${prefix}/agent/{endpointId}` },
      controllers: [{ endpointId: `proto::${prefix}`, mqttTopic: `${prefix}/controller` }],
      ops: { enabled: false },
    }),
  });
  const gateway = await startGateway(config, pino({ level: "silent" }));
  t.teardown(() => gateway.stop());
  t.match(gateway.mqttUrl, /^mqtt:\/\/127\.0\.0\.1:\d+$/);
  t.not(gateway.mqttUrl, "mqtt://127.0.0.1:1883", "an ephemeral port, not a broker already running");
  const controller = await TestController.connect(gateway.mqttUrl, `proto::${prefix}`, `${prefix}/controller`, 4);
  const fleet = await startFleet({ acsUrl: gateway.acsUrl, count: 1, serialPrefix: `EMB${process.pid}-`, oui: "00256D", crUsername: "cr", crPassword: "pw" });
  t.teardown(async () => {
    await fleet.stop();
    await controller.close();
  });
  await fleet.bootAll();
  const cpe = fleet.cpes[0];
  if (cpe === undefined) return t.fail("no CPE");
  const agentId = `os::00256D-${cpe.serial}`;
  const connect = await controller.waitFor((r) => r.record.fromId === agentId && r.record.recordType.type === "mqttConnect");
  t.same(connect.record.recordType, { type: "mqttConnect", version: "V3_1_1", subscribedTopic: `${prefix}/agent/${agentId}` });
  const msg = await controller.request(agentId, `${prefix}/agent/${agentId}`, { type: "get", get: { paramPaths: ["Device.DeviceInfo.SerialNumber"], maxDepth: 0 } });
  if (msg.body.kind !== "response" || msg.body.response.type !== "getResp") return t.fail(JSON.stringify(msg.body));
  t.equal(msg.body.response.getResp.reqPathResults[0]?.resolvedPathResults[0]?.resultParams.SerialNumber, cpe.serial);
});
