// Boot! ParameterMap end to end (simulated TR-181 CPE → gateway → Mosquitto →
// two test controllers, Redis store): each controller adds
// Device.LocalAgent.Controller.{i}.BootParameter.{i} rows to its own Controller
// row, the CPE is rebooted with Device.Reboot(), and each controller's Boot!
// carries the values, read from the CPE in its boot session, of the
// parameters its enabled rows name: a full name, a wildcard path, a path under
// Device.LocalAgent. (served by the gateway); a disabled row and an unknown
// path are left out. A TR-098 CPE's map carries the TR-181 names and the
// values a Get returns. The rows are kept in the store and follow their
// Controller when a restarted gateway numbers the Controllers differently.
import t from "tap";
import { Redis } from "ioredis";
import { readParameter, startFleet } from "../src/sim/fleet.js";
import type { Msg, Request } from "../src/usp/messages.js";
import { testBroker, uniquePrefix } from "./helpers/broker.js";
import { CR_PASSWORD, CR_USERNAME, startTestGateway, type TestGateway } from "./helpers/gateway.js";
import { TestController, type ReceivedRecord } from "./helpers/usp-controller.js";
import { add, addResp, del, deleteResp, errorOf, get, getResp, notifyOf, OUI, p, set, setResp } from "./tp469/harness.js";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const keyPrefix = `cwmp2usp-test:${uniquePrefix()}:`;
const store = { type: "redis", url: REDIS_URL, keyPrefix };
const broker = await testBroker();
const first = await startTestGateway(broker.url, { store });
const c1 = { endpointId: first.controllerId, mqttTopic: first.controllerTopic };
const c2 = { endpointId: `proto::ctl2-${uniquePrefix()}`, mqttTopic: `${uniquePrefix()}/controller2` };
await first.stop();
let gw: TestGateway = await startTestGateway(broker.url, { store, mqtt: { agentTopic: first.config.mqtt.agentTopic }, controllers: [c1, c2] });
const controller1 = await TestController.connect(broker.url, c1.endpointId, c1.mqttTopic);
const controller2 = await TestController.connect(broker.url, c2.endpointId, c2.mqttTopic);
const fleet = await startFleet({ acsUrl: gw.gateway.acsUrl, count: 1, serialPrefix: `BP${process.pid}-`, oui: OUI, crUsername: CR_USERNAME, crPassword: CR_PASSWORD });
t.teardown(async () => {
  await fleet.stop();
  await controller1.close();
  await controller2.close();
  await gw.stop();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${keyPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
  await broker.close();
});
await fleet.bootAll();
const cpe = fleet.cpes[0];
if (cpe === undefined) throw new Error("no CPE");
const agentId = `os::${OUI}-${cpe.serial}`;
const topic = gw.agentTopic(agentId);
const ask = (c: TestController, request: Request): Promise<Msg> => c.request(agentId, topic, request);

const ROWS1 = "Device.LocalAgent.Controller.1.BootParameter.";
const ROWS2 = "Device.LocalAgent.Controller.2.BootParameter.";

async function addRow(c: TestController, table: string, name: string, enable = "true"): Promise<string> {
  const status = addResp(await ask(c, add(false, [{ objPath: table, paramSettings: [p("ParameterName", name), p("Enable", enable)] }]))).createdObjResults[0]?.operStatus;
  if (status?.type !== "operSuccess") throw new Error(`Add of ${name} failed: ${JSON.stringify(status)}`);
  return status.instantiatedPath;
}

async function subscribeBoot(c: TestController, id: string): Promise<void> {
  addResp(await ask(c, add(false, [{ objPath: "Device.LocalAgent.Subscription.", paramSettings: [p("ID", id), p("Enable", "true"), p("NotifType", "Event"), p("ReferenceList", "Device.Boot!")] }])));
}

function bootFor(c: TestController, subscriptionId: string, commandKey: string): Promise<ReceivedRecord> {
  return c.waitFor((r) => {
    const n = notifyOf(r);
    return n?.subscriptionId === subscriptionId && n.notification.type === "event" && n.notification.event.eventName === "Boot!" && n.notification.event.params.CommandKey === commandKey;
  }, 20_000);
}

function eventParams(r: ReceivedRecord): Record<string, string> {
  const n = notifyOf(r)?.notification;
  if (n?.type !== "event") throw new Error("not an event");
  return n.event.params;
}

let wifi = "";
let disabled = "";

t.test("BootParameter rows: Add on each Controller's own table, Get, Set, Delete; NumberOfEntries; bad values refused", async (t) => {
  const software = await addRow(controller1, ROWS1, "Device.DeviceInfo.SoftwareVersion");
  t.equal(software, `${ROWS1}1.`);
  wifi = await addRow(controller1, ROWS1, "Device.WiFi.SSID.*.SSID");
  disabled = await addRow(controller1, ROWS1, "Device.DeviceInfo.SerialNumber", "false");
  await addRow(controller1, ROWS1, "Device.NoSuchObject.Foo");
  const doomed = await addRow(controller1, ROWS1, "Device.DeviceInfo.ModelName");
  await addRow(controller2, ROWS2, "Device.DeviceInfo.Manufacturer");
  await addRow(controller2, ROWS2, "Device.LocalAgent.EndpointID");

  const duplicate = errorOf(await ask(controller1, add(false, [{ objPath: ROWS1, paramSettings: [p("ParameterName", "Device.DeviceInfo.SoftwareVersion")] }])));
  t.equal(duplicate.errCode, 7025, "ParameterName is a unique key of the Controller's rows");
  t.equal(
    addResp(await ask(controller2, add(false, [{ objPath: ROWS2, paramSettings: [p("ParameterName", "Device.DeviceInfo.SoftwareVersion")] }]))).createdObjResults[0]?.operStatus.type,
    "operSuccess",
    "another Controller may name the same parameter",
  );
  const rows = getResp(await ask(controller1, get([`${ROWS1}3.`, "Device.LocalAgent.Controller.1.BootParameterNumberOfEntries"]))).reqPathResults;
  t.same(rows[0]?.resolvedPathResults, [{ resolvedPath: `${ROWS1}3.`, resultParams: { Alias: "cpe-3", Enable: "false", ParameterName: "Device.DeviceInfo.SerialNumber" } }]);
  t.same(rows[1]?.resolvedPathResults, [{ resolvedPath: "Device.LocalAgent.Controller.1.", resultParams: { BootParameterNumberOfEntries: "5" } }]);

  const deleted = deleteResp(await ask(controller1, del(false, [doomed]))).deletedObjResults[0]?.operStatus;
  t.same(deleted, { type: "operSuccess", affectedPaths: [doomed], unaffectedPathErrs: [] });
  const count = getResp(await ask(controller1, get(["Device.LocalAgent.Controller.1.BootParameterNumberOfEntries"]))).reqPathResults[0]?.resolvedPathResults[0]?.resultParams;
  t.same(count, { BootParameterNumberOfEntries: "4" });

  const updated = setResp(await ask(controller1, set(false, [{ objPath: `${ROWS1}4.`, paramSettings: [p("ParameterName", "Device.NoSuchObject.Bar")] }]))).updatedObjResults[0]?.operStatus;
  t.equal(updated?.type, "operSuccess", "ParameterName is writable");
  const refused = errorOf(await ask(controller1, set(false, [{ objPath: `${ROWS1}4.`, paramSettings: [p("ParameterName", "NotUnderDevice.X")] }])));
  t.equal(refused.errCode, 7021, "a ParameterName outside Device. is refused");
  t.same(refused.paramErrs.map((e) => [e.paramPath, e.errCode]), [[`${ROWS1}4.ParameterName`, 7012]]);
  const notBool = errorOf(await ask(controller1, set(false, [{ objPath: `${ROWS1}4.`, paramSettings: [p("Enable", "maybe")] }])));
  t.equal(notBool.errCode, 7021, "a non-boolean Enable is refused");
  t.same(notBool.paramErrs.map((e) => [e.paramPath, e.errCode]), [[`${ROWS1}4.Enable`, 7011]]);

  const stored = await gw.gateway.store.getAgentRows(agentId, "Device.LocalAgent.Controller.{i}.BootParameter.");
  t.same(
    stored.map((r) => [r.instance, r.values.ControllerEndpointID, r.values.ParameterName, r.values.Enable]),
    [
      [1, c1.endpointId, "Device.DeviceInfo.SoftwareVersion", "true"],
      [2, c1.endpointId, "Device.WiFi.SSID.*.SSID", "true"],
      [3, c1.endpointId, "Device.DeviceInfo.SerialNumber", "false"],
      [4, c1.endpointId, "Device.NoSuchObject.Bar", "true"],
      [1, c2.endpointId, "Device.DeviceInfo.Manufacturer", "true"],
      [2, c2.endpointId, "Device.LocalAgent.EndpointID", "true"],
      [3, c2.endpointId, "Device.DeviceInfo.SoftwareVersion", "false"],
    ],
    "every row is in the store with its Controller's EndpointID",
  );
});

t.test("Device.Reboot(): each controller's Boot! carries its own ParameterMap, read from the CPE", async (t) => {
  await subscribeBoot(controller1, "boot-1");
  await subscribeBoot(controller2, "boot-2");
  const sessions = cpe.log.length;
  const resp = await ask(controller1, { type: "operate", operate: { command: "Device.Reboot()", commandKey: "bp-reboot", sendResp: true, inputArgs: {} } });
  t.equal(resp.body.kind, "response");
  const [boot1, boot2] = await Promise.all([bootFor(controller1, "boot-1", "bp-reboot"), bootFor(controller2, "boot-2", "bp-reboot")]);

  const params1 = eventParams(boot1);
  t.equal(params1.Cause, "RemoteReboot");
  t.equal(params1.FirmwareUpdated, "false");
  const map1 = JSON.parse(params1.ParameterMap ?? "") as Record<string, string>;
  const ssids = Object.keys(map1).filter((k) => k.startsWith("Device.WiFi.SSID."));
  t.ok(ssids.length >= 2, "the wildcard row resolved to every SSID");
  const expected1: Record<string, string> = { "Device.DeviceInfo.SoftwareVersion": readParameter(cpe, "Device.DeviceInfo.SoftwareVersion") ?? "?" };
  for (const k of ssids) {
    t.match(k, /^Device\.WiFi\.SSID\.\d+\.SSID$/);
    expected1[k] = readParameter(cpe, k) ?? "?";
  }
  t.same(map1, expected1, "controller 1: SoftwareVersion and every SSID.*.SSID; the disabled row and the unknown path left out");
  t.equal(map1["Device.WiFi.SSID.1.SSID"], readParameter(cpe, "Device.WiFi.SSID.1.SSID"));

  const params2 = eventParams(boot2);
  t.same(JSON.parse(params2.ParameterMap ?? ""), { "Device.DeviceInfo.Manufacturer": readParameter(cpe, "Device.DeviceInfo.Manufacturer"), "Device.LocalAgent.EndpointID": agentId }, "controller 2: its own rows only");
  t.same(Object.keys(params2).sort(), ["Cause", "CommandKey", "FirmwareUpdated", "ParameterMap"]);

  await cpe.whenIdle();
  const bootSession = cpe.log.slice(sessions).find((s) => s.events.includes("1 BOOT"));
  t.ok(bootSession?.methods.includes("GetParameterValues"), "the values were read in the boot session");
});

t.test("a Boot! without rows, after a disabled row is the only one left: ParameterMap {}", async (t) => {
  t.equal(setResp(await ask(controller2, set(false, [{ objPath: "Device.LocalAgent.Controller.2.BootParameter.*.", paramSettings: [p("Enable", "false")] }]))).updatedObjResults[0]?.operStatus.type, "operSuccess");
  await ask(controller1, { type: "operate", operate: { command: "Device.Reboot()", commandKey: "bp-reboot-2", sendResp: true, inputArgs: {} } });
  const boot2 = await bootFor(controller2, "boot-2", "bp-reboot-2");
  t.equal(eventParams(boot2).ParameterMap, "{}");
  const boot1 = await bootFor(controller1, "boot-1", "bp-reboot-2");
  t.not(eventParams(boot1).ParameterMap, "{}", "controller 1's rows still apply");
});

t.test("a TR-098 CPE (BM632w): the rows name TR-181 paths, read through the mapping", async (t) => {
  const tr098 = await startFleet({ acsUrl: gw.gateway.acsUrl, count: 1, profile: "huawei-bm632w-tr098", serialPrefix: `BP98${process.pid}-`, oui: "202BC1", crUsername: CR_USERNAME, crPassword: CR_PASSWORD });
  t.teardown(() => tr098.stop());
  await tr098.bootAll();
  const device = tr098.cpes[0];
  if (device === undefined) return t.fail("no CPE");
  const agent = `os::202BC1-${device.serial}`;
  const ask98 = (request: Request): Promise<Msg> => controller1.request(agent, topic.replace(agentId, agent), request);
  for (const name of ["Device.DeviceInfo.SoftwareVersion", "Device.WiFi.SSID.*.SSID"]) {
    addResp(await ask98(add(false, [{ objPath: ROWS1, paramSettings: [p("ParameterName", name), p("Enable", "true")] }])));
  }
  addResp(await ask98(add(false, [{ objPath: "Device.LocalAgent.Subscription.", paramSettings: [p("ID", "boot-98"), p("Enable", "true"), p("NotifType", "Event"), p("ReferenceList", "Device.Boot!")] }])));
  const expected = getResp(await ask98(get(["Device.DeviceInfo.SoftwareVersion", "Device.WiFi.SSID.*.SSID"]))).reqPathResults;
  const values: Record<string, string> = {};
  for (const r of expected) for (const res of r.resolvedPathResults) for (const [k, v] of Object.entries(res.resultParams)) values[res.resolvedPath + k] = v;
  t.ok(Object.keys(values).length >= 2, "the CPE has a SoftwareVersion and SSIDs");
  await ask98({ type: "operate", operate: { command: "Device.Reboot()", commandKey: "bp-reboot-98", sendResp: true, inputArgs: {} } });
  const boot = await bootFor(controller1, "boot-98", "bp-reboot-98");
  t.same(JSON.parse(eventParams(boot).ParameterMap ?? ""), values, "the same values a Get returns, under TR-181 names");
  await device.whenIdle();
});

t.test("restarted with the Controllers in the other order, the rows follow their Controller", async (t) => {
  await cpe.whenIdle();
  await gw.stop();
  gw = await startTestGateway(broker.url, { store, mqtt: { agentTopic: first.config.mqtt.agentTopic }, controllers: [c2, c1] });
  // Controller 1 is now Controller.2.
  const rows = getResp(await ask(controller1, get(["Device.LocalAgent.Controller.2.BootParameter.*.ParameterName", "Device.LocalAgent.Controller.1.BootParameter.*.ParameterName"]))).reqPathResults;
  t.same(
    rows[0]?.resolvedPathResults.map((r) => [r.resolvedPath, r.resultParams.ParameterName]),
    [
      [`${ROWS2}1.`, "Device.DeviceInfo.SoftwareVersion"],
      [`${ROWS2}2.`, "Device.WiFi.SSID.*.SSID"],
      [`${ROWS2}3.`, "Device.DeviceInfo.SerialNumber"],
      [`${ROWS2}4.`, "Device.NoSuchObject.Bar"],
    ],
  );
  t.same(
    rows[1]?.resolvedPathResults.map((r) => [r.resolvedPath, r.resultParams.ParameterName]),
    [
      [`${ROWS1}1.`, "Device.DeviceInfo.Manufacturer"],
      [`${ROWS1}2.`, "Device.LocalAgent.EndpointID"],
      [`${ROWS1}3.`, "Device.DeviceInfo.SoftwareVersion"],
    ],
  );
  t.ok(wifi !== "" && disabled !== "");
});
