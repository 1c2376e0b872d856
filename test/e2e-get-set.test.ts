// End to end over real sockets: simulated TR-181 CPEs → gateway (CWMP ACS) →
// MQTT broker (Mosquitto when running) → a USP controller.
import t from "tap";
import { readParameter, startFleet, type Fleet } from "../src/sim/fleet.js";
import type { Msg } from "../src/usp/messages.js";
import { testBroker } from "./helpers/broker.js";
import { CR_PASSWORD, CR_USERNAME, startTestGateway } from "./helpers/gateway.js";
import { TestController } from "./helpers/usp-controller.js";

const OUI = "00256D";

const broker = await testBroker();
const gw = await startTestGateway(broker.url);
const controller = await TestController.connect(broker.url, gw.controllerId, gw.controllerTopic);
const fleet: Fleet = await startFleet({
  acsUrl: gw.gateway.acsUrl,
  count: 3,
  serialPrefix: `E2E${process.pid}-`,
  oui: OUI,
  crUsername: CR_USERNAME,
  crPassword: CR_PASSWORD,
});
t.teardown(async () => {
  await fleet.stop();
  await controller.close();
  await gw.stop();
  await broker.close();
});

const cpe = fleet.cpes[0];
if (cpe === undefined) throw new Error("fleet has no CPE");
const agentId = `os::${OUI}-${cpe.serial}`;
const agentTopic = gw.agentTopic(agentId);
const booted = await fleet.bootAll({ concurrency: 3 });

function getResp(msg: Msg): NonNullable<Extract<Msg["body"], { kind: "response" }>["response"] & { type: "getResp" }>["getResp"] {
  if (msg.body.kind !== "response" || msg.body.response.type !== "getResp") throw new Error(`expected GetResp, got ${JSON.stringify(msg.body)}`);
  return msg.body.response.getResp;
}

t.test("the CPEs informed and completed their boot sessions", async (t) => {
  t.equal(booted.length, 3);
  t.ok(booted.every((r) => r.ok), JSON.stringify(booted.filter((r) => !r.ok)));
});

t.test("R-MTP.6 each new agent sends an MQTTConnect record to the controller", async (t) => {
  for (const device of fleet.cpes) {
    const eid = `os::${OUI}-${device.serial}`;
    const received = await controller.waitFor((r) => r.record.fromId === eid && r.record.recordType.type === "mqttConnect");
    t.equal(received.record.toId, gw.controllerId);
    t.equal(received.record.version, "1.4");
    t.same(received.record.recordType, { type: "mqttConnect", version: "V5", subscribedTopic: gw.agentTopic(eid) });
    t.equal(received.topic, gw.controllerTopic);
    t.equal(received.contentType, "usp.msg", "R-MQTT.27 Content Type usp.msg");
    t.equal(received.responseTopic, gw.agentTopic(eid), "R-MQTT.23 Response Topic is the agent's own topic");
  }
});

t.test("TP-469 1.36 Get with a full parameter path reads the value from the CPE", async (t) => {
  const msg = await controller.request(agentId, agentTopic, { type: "get", get: { paramPaths: ["Device.DeviceInfo.SoftwareVersion"], maxDepth: 0 } });
  t.equal(msg.header.msgType, "GET_RESP");
  t.same(getResp(msg).reqPathResults, [
    {
      requestedPath: "Device.DeviceInfo.SoftwareVersion",
      errCode: 0,
      errMsg: "",
      resolvedPathResults: [{ resolvedPath: "Device.DeviceInfo.", resultParams: { SoftwareVersion: readParameter(cpe, "Device.DeviceInfo.SoftwareVersion") } }],
    },
  ]);
});

t.test("Get with an object path returns one result per object, params relative", async (t) => {
  const msg = await controller.request(agentId, agentTopic, { type: "get", get: { paramPaths: ["Device.DeviceInfo."], maxDepth: 1 } });
  const result = getResp(msg).reqPathResults[0];
  t.equal(result?.errCode, 0);
  const own = result?.resolvedPathResults.find((r) => r.resolvedPath === "Device.DeviceInfo.");
  t.equal(own?.resultParams.SerialNumber, cpe.serial);
  t.equal(own?.resultParams.ManufacturerOUI, OUI);
  t.ok(result?.resolvedPathResults.every((r) => r.resolvedPath === "Device.DeviceInfo."), "max_depth 1: own parameters only");
});

t.test("Get with a wildcard returns every instance", async (t) => {
  const msg = await controller.request(agentId, agentTopic, { type: "get", get: { paramPaths: ["Device.WiFi.SSID.*.SSID"], maxDepth: 0 } });
  const results = getResp(msg).reqPathResults[0]?.resolvedPathResults ?? [];
  t.same(
    results.map((r) => r.resolvedPath),
    ["Device.WiFi.SSID.1.", "Device.WiFi.SSID.2."],
  );
  t.equal(results[0]?.resultParams.SSID, readParameter(cpe, "Device.WiFi.SSID.1.SSID"));
});

t.test("R-GET.0 a path that matches nothing gets 7026 for that path only", async (t) => {
  const msg = await controller.request(agentId, agentTopic, {
    type: "get",
    get: { paramPaths: ["Device.DeviceInfo.NoSuchParam", "Device.DeviceInfo.Manufacturer"], maxDepth: 0 },
  });
  const [bad, good] = getResp(msg).reqPathResults;
  t.equal(bad?.errCode, 7026);
  t.same(bad?.resolvedPathResults, []);
  t.equal(good?.errCode, 0);
  t.equal(good?.resolvedPathResults[0]?.resultParams.Manufacturer, readParameter(cpe, "Device.DeviceInfo.Manufacturer"));
});

t.test("Set writes through to the CPE and Get reads it back", async (t) => {
  const msg = await controller.request(agentId, agentTopic, {
    type: "set",
    set: { allowPartial: false, updateObjs: [{ objPath: "Device.WiFi.SSID.1.", paramSettings: [{ param: "SSID", value: "cwmp2usp-e2e", required: true }] }] },
  });
  t.equal(msg.header.msgType, "SET_RESP");
  t.same(msg.body, {
    kind: "response",
    response: {
      type: "setResp",
      setResp: {
        updatedObjResults: [
          {
            requestedPath: "Device.WiFi.SSID.1.",
            operStatus: { type: "operSuccess", updatedInstResults: [{ affectedPath: "Device.WiFi.SSID.1.", paramErrs: [], updatedParams: { SSID: "cwmp2usp-e2e" } }] },
          },
        ],
      },
    },
  });
  t.equal(readParameter(cpe, "Device.WiFi.SSID.1.SSID"), "cwmp2usp-e2e", "the real CPE holds the new value");
  const back = await controller.request(agentId, agentTopic, { type: "get", get: { paramPaths: ["Device.WiFi.SSID.1.SSID"], maxDepth: 0 } });
  t.equal(getResp(back).reqPathResults[0]?.resolvedPathResults[0]?.resultParams.SSID, "cwmp2usp-e2e");
});

t.test("Set of a read-only parameter with allow_partial=false is an Error with param_errs, nothing written", async (t) => {
  const before = readParameter(cpe, "Device.DeviceInfo.Manufacturer");
  const msg = await controller.request(agentId, agentTopic, {
    type: "set",
    set: { allowPartial: false, updateObjs: [{ objPath: "Device.DeviceInfo.", paramSettings: [{ param: "Manufacturer", value: "x", required: true }] }] },
  });
  t.equal(msg.body.kind, "error");
  if (msg.body.kind !== "error") return;
  t.equal(msg.body.error.errCode, 7021);
  t.equal(msg.body.error.paramErrs[0]?.paramPath, "Device.DeviceInfo.Manufacturer");
  t.equal(msg.body.error.paramErrs[0]?.errCode, 7013);
  t.equal(readParameter(cpe, "Device.DeviceInfo.Manufacturer"), before);
});

t.test("Set with an invalid value maps the CPE's 9007 to 7012", async (t) => {
  const msg = await controller.request(agentId, agentTopic, {
    type: "set",
    set: { allowPartial: true, updateObjs: [{ objPath: "Device.WiFi.Radio.1.", paramSettings: [{ param: "OperatingFrequencyBand", value: "60GHz", required: true }] }] },
  });
  if (msg.body.kind !== "response" || msg.body.response.type !== "setResp") return t.fail(JSON.stringify(msg.body));
  const status = msg.body.response.setResp.updatedObjResults[0]?.operStatus;
  t.equal(status?.type, "operFailure");
  if (status?.type !== "operFailure") return;
  t.equal(status.updatedInstFailures[0]?.paramErrs[0]?.errCode, 7012);
});

t.test("R-MSG.9 concurrent requests to several agents each get exactly one answer", async (t) => {
  const sent: { msgId: string }[] = [];
  for (const device of fleet.cpes) {
    const eid = `os::${OUI}-${device.serial}`;
    for (let i = 0; i < 3; i++) {
      sent.push({ msgId: await controller.send(eid, gw.agentTopic(eid), { type: "get", get: { paramPaths: ["Device.DeviceInfo.UpTime"], maxDepth: 0 } }) });
    }
  }
  for (const { msgId } of sent) await controller.waitFor((r) => r.msg?.header.msgId === msgId);
  await new Promise((resolve) => setTimeout(resolve, 300));
  for (const { msgId } of sent) t.equal(controller.countFor(msgId), 1, `${msgId} answered once`);
});

t.test("GetSupportedProtocol is answered by the gateway", async (t) => {
  const msg = await controller.request(agentId, agentTopic, { type: "getSupportedProtocol", getSupportedProtocol: { controllerSupportedProtocolVersions: "1.4" } });
  t.same(msg.body, { kind: "response", response: { type: "getSupportedProtocolResp", getSupportedProtocolResp: { agentSupportedProtocolVersions: "1.0,1.1,1.2,1.3,1.4" } } });
});

t.test("R-MTP.5 a Record for an unknown agent is ignored", async (t) => {
  const msgId = await controller.send("os::000000-NOBODY", gw.agentTopic("os::000000-NOBODY"), { type: "get", get: { paramPaths: ["Device."], maxDepth: 0 } });
  const probe = await controller.request(agentId, agentTopic, { type: "get", get: { paramPaths: ["Device.DeviceInfo.UpTime"], maxDepth: 0 } });
  t.equal(probe.header.msgType, "GET_RESP", "the gateway still serves");
  t.equal(controller.countFor(msgId), 0);
});

t.test("a Record from an endpoint that is not a configured controller gets no service", async (t) => {
  const stranger = await TestController.connect(broker.url, "proto::stranger", `${gw.controllerTopic}-stranger`);
  t.teardown(() => stranger.close());
  const msgId = await stranger.send(agentId, agentTopic, { type: "get", get: { paramPaths: ["Device.DeviceInfo.UpTime"], maxDepth: 0 } });
  const probe = await controller.request(agentId, agentTopic, { type: "get", get: { paramPaths: ["Device.DeviceInfo.UpTime"], maxDepth: 0 } });
  t.equal(probe.header.msgType, "GET_RESP", "configured controllers are still served");
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.equal(stranger.countFor(msgId), 0, "no answer to the stranger");
});

t.test("a garbage MQTT payload is dropped and the gateway keeps serving", async (t) => {
  await controller.publishRaw(agentTopic, Buffer.from("this is not a USP record"));
  await controller.publishRaw(agentTopic, Buffer.alloc(0));
  await controller.publishRaw(agentTopic, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]));
  const msg = await controller.request(agentId, agentTopic, { type: "get", get: { paramPaths: ["Device.DeviceInfo.UpTime"], maxDepth: 0 } });
  t.equal(msg.header.msgType, "GET_RESP");
});

t.test("R-MQTT.25 an MQTT 3.1.1 controller is answered on its /reply-to= topic", async (t) => {
  const legacy = await TestController.connect(broker.url, gw.controllerId, `${gw.controllerTopic}-v3`, 4);
  t.teardown(() => legacy.close());
  const msg = await legacy.request(agentId, agentTopic, { type: "get", get: { paramPaths: ["Device.DeviceInfo.Manufacturer"], maxDepth: 0 } });
  t.equal(msg.header.msgType, "GET_RESP");
});

t.test("a controller that sends no reply-to is answered on its configured topic (usp-js style)", async (t) => {
  const msgId = await controller.send(agentId, agentTopic, { type: "get", get: { paramPaths: ["Device.DeviceInfo.Manufacturer"], maxDepth: 0 } }, { noReplyTo: true });
  const reply = await controller.waitFor((r) => r.msg?.header.msgId === msgId);
  t.equal(reply.topic, gw.controllerTopic);
});
