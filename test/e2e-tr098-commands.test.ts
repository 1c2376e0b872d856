// Issue 4 beyond the basic path: a controller managing the simulated Huawei
// BM632w (TR-098) through TR-181 paths gets
//   - the errors it would get from a TR-181 CPE (a TR-181 CPE behind the same
//     gateway answers the same requests for comparison), and a 7012-class
//     error for a value the TR-098 CPE cannot represent;
//   - GetInstances with unique keys, the vendor-extension object
//     Device.X_CWMP2USP_TR098. (writable where the CPE's parameter is,
//     read-only under ManagementServer);
//   - ObjectCreation/ObjectDeletion for port mappings it adds and deletes;
//   - FirmwareImage.1.Download() (the CPE fetches from a local HTTP server,
//     reboots, TransferComplete closes the command), Reboot() and
//     FactoryReset(), instance numbers staying with rows whose key survives.
import http from "node:http";
import type { AddressInfo } from "node:net";
import t from "tap";
import { Redis } from "ioredis";
import { readParameter, startFleet, type Fleet } from "../src/sim/fleet.js";
import type { Msg, Notify, Request } from "../src/usp/messages.js";
import { testBroker, uniquePrefix } from "./helpers/broker.js";
import { CR_PASSWORD, CR_USERNAME, startTestGateway } from "./helpers/gateway.js";
import { TestController, type ReceivedRecord } from "./helpers/usp-controller.js";
import { body, operate, uspClient } from "./helpers/usp-client.js";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const keyPrefix = `cwmp2usp-test:${uniquePrefix()}:`;
const OUI = "202BC1";
const IGD = "InternetGatewayDevice.";
const IGD_PM = `${IGD}WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.PortMapping.`;
const IGD_HOSTS = `${IGD}LANDevice.1.Hosts.Host.`;
const IGD_WLAN = `${IGD}LANDevice.1.WLANConfiguration.1.`;
const EXT = "Device.X_CWMP2USP_TR098.";

const broker = await testBroker();
const gw = await startTestGateway(broker.url, { store: { type: "redis", url: REDIS_URL, keyPrefix } });
const controller = await TestController.connect(broker.url, gw.controllerId, gw.controllerTopic);
const fleet: Fleet = await startFleet({
  acsUrl: gw.gateway.acsUrl,
  count: 1,
  profile: "huawei-bm632w-tr098",
  serialPrefix: `T98C${process.pid}-`,
  oui: OUI,
  crUsername: CR_USERNAME,
  crPassword: CR_PASSWORD,
  renumberOnReboot: [IGD_PM, IGD_HOSTS],
});
/** A TR-181 CPE behind the same gateway: what a controller gets from it is the reference. */
const tr181Fleet: Fleet = await startFleet({ acsUrl: gw.gateway.acsUrl, count: 1, serialPrefix: `T181C${process.pid}-`, oui: "00256D", crUsername: CR_USERNAME, crPassword: CR_PASSWORD });
t.teardown(async () => {
  await fleet.stop();
  await tr181Fleet.stop();
  await controller.close();
  await gw.stop();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${keyPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
  await broker.close();
});
await fleet.bootAll();
await tr181Fleet.bootAll();
const cpe = fleet.cpes[0];
const cpe181 = tr181Fleet.cpes[0];
if (cpe === undefined || cpe181 === undefined) throw new Error("no CPE");
const agentId = `os::${OUI}-${cpe.serial}`;
const agent181 = `os::00256D-${cpe181.serial}`;

function ask(request: Request, agent = agentId): Promise<Msg> {
  return controller.request(agent, gw.agentTopic(agent), request, 30_000);
}


function errorOf(msg: Msg): { errCode: number; errMsg: string; paramErrs: { paramPath: string; errCode: number; errMsg: string }[] } {
  if (msg.body.kind !== "error") throw new Error(`expected an Error, got ${JSON.stringify(msg.body)}`);
  return msg.body.error;
}

const usp = uspClient(controller, agentId, gw.agentTopic(agentId));
const { column, subscribe } = usp;

/** A Get of `path` on this test's TR-098 agent, or on another one. */
async function get(path: string, agent = agentId): Promise<Record<string, string>> {
  return agent === agentId ? usp.get(path) : uspClient(controller, agent, gw.agentTopic(agent)).get(path);
}

function set(objPath: string, param: string, value: string, agent = agentId): Promise<Msg> {
  return ask({ type: "set", set: { allowPartial: false, updateObjs: [{ objPath, paramSettings: [{ param, value, required: true }] }] } }, agent);
}

function notifyOf(r: ReceivedRecord): Notify | undefined {
  const b = r.msg?.body;
  return b?.kind === "request" && b.request.type === "notify" ? b.request.notify : undefined;
}



const addPortMapping = (externalPort: string): Promise<string> => usp.addPortMapping(externalPort, { internalPort: "22", protocol: "UDP", client: "192.168.1.40" });

const bootWith = (match: (params: Record<string, string>) => boolean) => (x: ReceivedRecord): boolean => {
  const n = notifyOf(x)?.notification;
  return n?.type === "event" && n.event.eventName === "Boot!" && match(n.event.params);
};

// ---- errors: the same answers as from a TR-181 CPE ----------------------------

t.test("Add on a table the CPE cannot add to (Device.WiFi.SSID.) is the error a TR-181 CPE's read-only table gives", async (t) => {
  const add = (agent: string): Promise<Msg> =>
    ask({ type: "add", add: { allowPartial: false, createObjs: [{ objPath: "Device.WiFi.SSID.", paramSettings: [{ param: "SSID", value: "x", required: true }] }] } }, agent);
  const reference = errorOf(await add(agent181));
  const got = errorOf(await add(agentId));
  t.equal(got.errCode, reference.errCode, `TR-098 ${got.errCode} (${got.errMsg}), TR-181 ${reference.errCode} (${reference.errMsg})`);
  t.equal(got.errCode, 7019, "7019 Object not creatable");
  t.same(await column("Device.WiFi.SSID.", "SSID").then((m) => [...m.keys()]), ["Device.WiFi.SSID.1."], "nothing was created");
});

t.test("Delete of an instance that does not exist, or that the CPE may not delete, answers as for a TR-181 CPE", async (t) => {
  const del = (path: string, agent: string): Promise<Msg> => ask({ type: "delete", delete: { allowPartial: false, objPaths: [path] } }, agent);
  const missing = await del("Device.NAT.PortMapping.99.", agentId);
  t.same(missing.body, (await del("Device.NAT.PortMapping.99.", agent181)).body);
  t.match(errorOf(missing), { errCode: 7016, paramErrs: [{ paramPath: "Device.NAT.PortMapping.99.", errCode: 7016 }] });
  const fixed = errorOf(await del("Device.WiFi.SSID.1.", agentId));
  const reference = errorOf(await del("Device.WiFi.SSID.1.", agent181));
  t.equal(fixed.errCode, reference.errCode, `TR-098 ${fixed.errMsg}, TR-181 ${reference.errMsg}`);
  t.same(
    fixed.paramErrs.map((p) => [p.paramPath, p.errCode]),
    [["Device.WiFi.SSID.1.", 7024]],
    "7024 Object not deletable",
  );
  t.equal(readParameter(cpe, `${IGD_WLAN}SSID`) !== undefined, true, "the CPE still has its WLANConfiguration");
});

t.test("Set of a read-only parameter (Device.DeviceInfo.SoftwareVersion) is the TR-181 CPE's error, and nothing is written", async (t) => {
  const before = readParameter(cpe, `${IGD}DeviceInfo.SoftwareVersion`);
  const reference = errorOf(await set("Device.DeviceInfo.", "SoftwareVersion", "9.9.9", agent181));
  const got = errorOf(await set("Device.DeviceInfo.", "SoftwareVersion", "9.9.9"));
  t.equal(got.errCode, reference.errCode);
  t.same(
    got.paramErrs.map((p) => [p.paramPath, p.errCode]),
    reference.paramErrs.map((p) => [p.paramPath, p.errCode]),
  );
  t.same(got.paramErrs.map((p) => [p.paramPath, p.errCode]), [["Device.DeviceInfo.SoftwareVersion", 7013]], "7013 Parameter read-only");
  t.equal(readParameter(cpe, `${IGD}DeviceInfo.SoftwareVersion`), before);
});

t.test("Set of a value the TR-098 CPE cannot represent (WPA3-Personal) is a 7012-class error; the CPE keeps its setting", async (t) => {
  const beacon = readParameter(cpe, `${IGD_WLAN}BeaconType`);
  const got = errorOf(await set("Device.WiFi.AccessPoint.1.Security.", "ModeEnabled", "WPA3-Personal"));
  t.same(got.paramErrs.map((p) => [p.paramPath, p.errCode]), [["Device.WiFi.AccessPoint.1.Security.ModeEnabled", 7012]], JSON.stringify(got));
  t.equal(readParameter(cpe, `${IGD_WLAN}BeaconType`), beacon);
  t.equal((await get("Device.WiFi.AccessPoint.1.Security.ModeEnabled"))["Device.WiFi.AccessPoint.1.Security.ModeEnabled"], "WPA-WPA2-Personal");
});

t.test("Get of an unknown path: the same per-path error as from a TR-181 CPE", async (t) => {
  const getResult = async (agent: string) =>
    body(await ask({ type: "get", get: { paramPaths: ["Device.DeviceInfo.NoSuchThing", "Device.NoSuchObject."], maxDepth: 0 } }, agent), "getResp").getResp.reqPathResults.map((r) => [
      r.requestedPath,
      r.errCode,
      r.resolvedPathResults.length,
    ]);
  const got = await getResult(agentId);
  t.same(got, await getResult(agent181));
  t.same(got, [
    ["Device.DeviceInfo.NoSuchThing", 7026, 0],
    ["Device.NoSuchObject.", 7026, 0],
  ]);
});

t.test("Add of a port mapping whose unique key a row already has is 7025 (TP-469 1.88), and the CPE gets no row", async (t) => {
  const first = await addPortMapping("6001");
  const cpeRows = (): number => [1, 2, 3, 4].filter((i) => readParameter(cpe, `${IGD_PM}${i}.ExternalPort`) !== undefined).length;
  const before = cpeRows();
  const duplicate = {
    objPath: "Device.NAT.PortMapping.",
    paramSettings: [
      { param: "ExternalPort", value: "6001", required: true },
      { param: "Protocol", value: "UDP", required: true },
      { param: "InternalClient", value: "192.168.1.41", required: true },
    ],
  };
  const got = errorOf(await ask({ type: "add", add: { allowPartial: false, createObjs: [duplicate] } }));
  t.match(got, { errCode: 7025, errMsg: new RegExp(first.replaceAll(".", "\\.")) });
  t.equal(cpeRows(), before, "no AddObject reached the CPE");
  body(await ask({ type: "delete", delete: { allowPartial: false, objPaths: [first] } }), "deleteResp");
});

// ---- reads beyond the rules ----------------------------------------------------

t.test("GetInstances of Device.Hosts.Host. carries the unique key PhysAddress of each of the CPE's hosts", async (t) => {
  const r = body(await ask({ type: "getInstances", getInstances: { objPaths: ["Device.Hosts.Host."], firstLevelOnly: true } }), "getInstancesResp").getInstancesResp.reqPathResults[0];
  t.equal(r?.errCode, 0);
  const macs = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => readParameter(cpe, `${IGD_HOSTS}${i}.MACAddress`)).filter((m): m is string => m !== undefined);
  t.equal(r?.currInsts.length, macs.length, "one instance per CPE host");
  const keys = (r?.currInsts ?? []).map((c) => c.uniqueKeys.PhysAddress?.toLowerCase());
  t.same([...keys].sort(), macs.map((m) => m.toLowerCase()).sort(), "PhysAddress is each host's MACAddress");
  for (const c of r?.currInsts ?? []) t.match(c.instantiatedObjPath, /^Device\.Hosts\.Host\.\d+\.$/);
});

t.test(`the vendor extension ${EXT}: writable where the CPE's parameter is, read-only under ManagementServer`, async (t) => {
  const telnet = `${EXT}DeviceInfo.X_HUAWEI_ServiceManage.TelnetEnable`;
  const ext = await get(EXT);
  t.equal(ext[telnet], "true", "a Huawei X_ parameter no rule maps is mirrored with its value");
  t.notOk(Object.keys(ext).some((k) => k.startsWith(`${EXT}DeviceInfo.SoftwareVersion`)), "a mapped parameter is not mirrored");
  body(await set(`${EXT}DeviceInfo.X_HUAWEI_ServiceManage.`, "TelnetEnable", "false"), "setResp");
  t.equal(readParameter(cpe, `${IGD}DeviceInfo.X_HUAWEI_ServiceManage.TelnetEnable`), "false", "written to the CPE's own parameter");
  t.equal((await get(telnet))[telnet], "false");

  const sslCert = `${EXT}ManagementServer.X_HUAWEI_SSLCertEnable`;
  t.equal(ext[sslCert], "false", "ManagementServer is readable");
  const refused = errorOf(await set(`${EXT}ManagementServer.`, "X_HUAWEI_SSLCertEnable", "true"));
  t.same(refused.paramErrs.map((p) => [p.paramPath, p.errCode]), [[sslCert, 7013]], "the gateway owns the ACS settings: read-only though the CPE's is writable");
  t.equal(readParameter(cpe, `${IGD}ManagementServer.X_HUAWEI_SSLCertEnable`), "false");

  const badType = errorOf(await set(`${EXT}DeviceInfo.X_HUAWEI_ServiceManage.`, "TelnetPort", "twenty-three"));
  t.same(badType.paramErrs.map((p) => [p.paramPath, p.errCode]), [[`${EXT}DeviceInfo.X_HUAWEI_ServiceManage.TelnetPort`, 7011]], "checked against the CPE's own type (int)");
});

t.test(`a vendor table the CPE lets the ACS add to is a table under ${EXT} too: Add, GetInstances, Delete`, async (t) => {
  const table = `${EXT}X_HUAWEI_FireWall.FilterMode.1.IpFilter.`;
  const cpeTable = `${IGD}X_HUAWEI_FireWall.FilterMode.1.IpFilter.`;
  const added = body(
    await ask({ type: "add", add: { allowPartial: false, createObjs: [{ objPath: table, paramSettings: [{ param: "DestIPEnd", value: "10.0.0.9", required: true }] }] } }),
    "addResp",
  ).addResp.createdObjResults[0]?.operStatus;
  if (added?.type !== "operSuccess") return t.fail(JSON.stringify(added));
  const n = /\.(\d+)\.$/.exec(added.instantiatedPath)?.[1] ?? "";
  t.equal(added.instantiatedPath, `${table}${n}.`, "the CPE's own instance number: a mirror keeps the CPE's paths");
  t.equal(readParameter(cpe, `${cpeTable}${n}.DestIPEnd`), "10.0.0.9");
  const listed = body(await ask({ type: "getInstances", getInstances: { objPaths: [table], firstLevelOnly: true } }), "getInstancesResp").getInstancesResp.reqPathResults[0];
  t.same(listed?.currInsts.map((c) => c.instantiatedObjPath), [added.instantiatedPath]);
  const del = body(await ask({ type: "delete", delete: { allowPartial: false, objPaths: [added.instantiatedPath] } }), "deleteResp").deleteResp.deletedObjResults[0];
  t.same(del?.operStatus, { type: "operSuccess", affectedPaths: [added.instantiatedPath], unaffectedPathErrs: [] });
  t.equal(readParameter(cpe, `${cpeTable}${n}.DestIPEnd`), undefined, "gone from the CPE");
});

// ---- notifications of the gateway's own Add/Delete ------------------------------------

t.test("ObjectCreation and ObjectDeletion on Device.NAT.PortMapping. for the rows a controller adds and deletes", async (t) => {
  await subscribe("pm-created", "ObjectCreation", "Device.NAT.PortMapping.");
  await subscribe("pm-deleted", "ObjectDeletion", "Device.NAT.PortMapping.");
  const inst = await addPortMapping("3001");
  const created = notifyOf(await controller.waitFor((x) => notifyOf(x)?.subscriptionId === "pm-created", 15_000));
  t.same(created?.notification, { type: "objCreation", objCreation: { objPath: inst, uniqueKeys: { ExternalPort: "3001", Protocol: "UDP", RemoteHost: "" } } }, JSON.stringify(created));
  body(await ask({ type: "delete", delete: { allowPartial: false, objPaths: [inst] } }), "deleteResp");
  const deleted = notifyOf(await controller.waitFor((x) => notifyOf(x)?.subscriptionId === "pm-deleted", 15_000));
  t.same(deleted?.notification, { type: "objDeletion", objDeletion: { objPath: inst } });
});

// ---- commands ---------------------------------------------------------------------

await subscribe("boot", "Event", "Device.Boot!");

t.test("FirmwareImage.1.Download(): the CPE fetches the image and reboots; TransferComplete closes the command; Boot! says FirmwareUpdated", async (t) => {
  const fetched: string[] = [];
  const files = http.createServer((req, res) => {
    fetched.push(req.url ?? "");
    res.writeHead(200, { "Content-Type": "application/octet-stream" }).end(Buffer.alloc(4096, 7));
  });
  await new Promise<void>((resolve) => files.listen(0, "127.0.0.1", resolve));
  t.teardown(() => new Promise<void>((resolve) => files.close(() => resolve())));
  const url = `http://127.0.0.1:${(files.address() as AddressInfo).port}/fw/bm632w-3.0.1.bin`;
  await subscribe("fw-done", "OperationComplete", "Device.DeviceInfo.FirmwareImage.");

  // AutoActivate=false needs an image slot (TR-069 file type 6), which TR-098 has not.
  const sessions = cpe.log.length;
  const stored = body(await ask(operate("Device.DeviceInfo.FirmwareImage.1.Download()", "fw-stored", { URL: url, AutoActivate: "false" })), "operateResp").operateResp.operationResults;
  t.match(stored, [{ executedCommand: "Device.DeviceInfo.FirmwareImage.1.Download()", result: { type: "cmdFailure", errCode: 7027, errMsg: /slot/ } }]);
  await cpe.whenIdle();
  t.notOk(cpe.log.slice(sessions).some((s) => s.methods.includes("Download")), "no Download reached the CPE");

  const started = body(await ask(operate("Device.DeviceInfo.FirmwareImage.1.Download()", "fw-1", { URL: url, AutoActivate: "true", FileSize: "4096" })), "operateResp").operateResp.operationResults;
  t.match(started, [{ executedCommand: "Device.DeviceInfo.FirmwareImage.1.Download()", result: { type: "reqObjPath", reqObjPath: /^Device\.LocalAgent\.Request\.\d+$/ } }]);
  const done = notifyOf(await controller.waitFor((x) => notifyOf(x)?.subscriptionId === "fw-done", 30_000));
  t.same(done?.notification, {
    type: "operComplete",
    operComplete: { objPath: "Device.DeviceInfo.FirmwareImage.1.", commandName: "Download()", commandKey: "fw-1", result: { type: "reqOutputArgs", outputArgs: {} } },
  });
  const boot = notifyOf(await controller.waitFor(bootWith((p) => p.FirmwareUpdated === "true"), 30_000));
  t.match(boot?.notification, { type: "event", event: { objPath: "Device.", eventName: "Boot!", params: { Cause: "LocalReboot", FirmwareUpdated: "true" } } });
  t.same(fetched, ["/fw/bm632w-3.0.1.bin"], "the CPE fetched the image from the URL given");
  t.equal(readParameter(cpe, `${IGD}DeviceInfo.SoftwareVersion`), "3.0.1");
  const info = await get("Device.DeviceInfo.");
  t.equal(info["Device.DeviceInfo.SoftwareVersion"], "3.0.1");
  t.equal(info["Device.DeviceInfo.FirmwareImage.1.Version"], "3.0.1");
});

t.test("Device.Reboot(): Boot! with RemoteReboot and the command_key", async (t) => {
  body(await ask(operate("Device.Reboot()", "tr098-reboot-2")), "operateResp");
  const boot = notifyOf(await controller.waitFor(bootWith((p) => p.CommandKey === "tr098-reboot-2"), 30_000));
  t.same(boot?.notification, { type: "event", event: { objPath: "Device.", eventName: "Boot!", params: { CommandKey: "tr098-reboot-2", Cause: "RemoteReboot", FirmwareUpdated: "false", ParameterMap: "{}" } } });
});

t.test("Device.FactoryReset(): Boot! with RemoteFactoryReset; hosts keep their numbers, port mappings are gone and their numbers are not given out again", async (t) => {
  // A reboot first, so that the CPE's own Hosts rows are reversed and the reset puts them back.
  body(await ask(operate("Device.Reboot()", "before-reset")), "operateResp");
  await controller.waitFor(bootWith((p) => p.CommandKey === "before-reset"), 30_000);
  await cpe.whenIdle();
  const mac = readParameter(cpe, `${IGD_HOSTS}1.MACAddress`);
  const hostRowOf = (m: string | undefined): number | undefined => [1, 2, 3, 4, 5, 6, 7, 8].find((i) => readParameter(cpe, `${IGD_HOSTS}${i}.MACAddress`) === m);
  const kept = await addPortMapping("4001");
  const hostsBefore = await column("Device.Hosts.Host.", "PhysAddress");
  const results = body(await ask(operate("Device.FactoryReset()", "reset-1")), "operateResp").operateResp.operationResults;
  t.same(results, [{ executedCommand: "Device.FactoryReset()", result: { type: "reqOutputArgs", outputArgs: {} } }]);
  const boot = notifyOf(await controller.waitFor(bootWith((p) => p.Cause === "RemoteFactoryReset"), 30_000));
  t.match(boot?.notification, { type: "event", event: { eventName: "Boot!", params: { Cause: "RemoteFactoryReset" } } });
  await cpe.whenIdle();
  t.not(hostRowOf(mac), 1, `the reset CPE numbers host ${mac ?? "?"} differently`);
  t.same(Object.fromEntries(await column("Device.Hosts.Host.", "PhysAddress")), Object.fromEntries(hostsBefore), "every host keeps its number");
  t.same([...(await column("Device.NAT.PortMapping.", "ExternalPort")).keys()], [], "the reset CPE has no port mapping");
  const fresh = await addPortMapping("4002");
  const number = (p: string): number => Number(/\.(\d+)\.$/.exec(p)?.[1]);
  t.ok(number(fresh) > number(kept), `${fresh} is a number never given out (${kept} was the last)`);
});
