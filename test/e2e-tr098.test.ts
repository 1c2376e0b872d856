// Issue 4 end to end: a simulated Huawei BM632w (TR-098, built from the real
// device's dump) behind the gateway, managed by a USP controller with TR-181
// paths only: Get, Set, Add/Delete of port mappings, GetInstances,
// GetSupportedDM, IPPing(), Reboot(), ValueChange; the controller never sees
// an InternetGatewayDevice. path, and instance numbers survive a reboot that
// reorders the CPE's own instances.
import t from "tap";
import { readParameter, startFleet, writeParameter, type Fleet } from "../src/sim/fleet.js";
import type { Notify, Request } from "../src/usp/messages.js";
import { testBroker } from "./helpers/broker.js";
import { CR_PASSWORD, CR_USERNAME, startTestGateway } from "./helpers/gateway.js";
import { TestController, type ReceivedRecord } from "./helpers/usp-controller.js";
import { body, operate, uspClient } from "./helpers/usp-client.js";

const OUI = "202BC1";
const IGD_PM = "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.PortMapping.";
const IGD_WLAN = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.";

const broker = await testBroker();
const gw = await startTestGateway(broker.url);
const controller = await TestController.connect(broker.url, gw.controllerId, gw.controllerTopic);
const fleet: Fleet = await startFleet({
  acsUrl: gw.gateway.acsUrl,
  count: 1,
  profile: "huawei-bm632w-tr098",
  serialPrefix: `TR098${process.pid}-`,
  oui: OUI,
  crUsername: CR_USERNAME,
  crPassword: CR_PASSWORD,
  renumberOnReboot: [IGD_PM, "InternetGatewayDevice.LANDevice.1.Hosts.Host."],
});
t.teardown(async () => {
  await fleet.stop();
  await controller.close();
  await gw.stop();
  await broker.close();
});
const cpe = fleet.cpes[0];
if (cpe === undefined) throw new Error("no CPE");
await fleet.bootAll();
const agentId = `os::${OUI}-${cpe.serial}`;
const topic = gw.agentTopic(agentId);
/** Every message the controller got from this agent, checked for TR-098 paths at the end. */
const seen: string[] = [];

const usp = uspClient(controller, agentId, topic, (msg) => seen.push(JSON.stringify(msg)));
const { ask, get, subscribe } = usp;
const addPortMapping = (externalPort: string, client: string): Promise<string> => usp.addPortMapping(externalPort, { client });

function notifyOf(r: ReceivedRecord): Notify | undefined {
  const b = r.msg?.body;
  return b?.kind === "request" && b.request.type === "notify" ? b.request.notify : undefined;
}

/** ExternalPort by instance path, for every port mapping. */
const portMappings = (): Promise<Map<string, string>> => usp.column("Device.NAT.PortMapping.", "ExternalPort");

t.test("the TR-098 CPE is an agent: DeviceInfo read through TR-181 paths", async (t) => {
  const info = await get("Device.DeviceInfo.");
  t.equal(info["Device.DeviceInfo.SoftwareVersion"], readParameter(cpe, "InternetGatewayDevice.DeviceInfo.SoftwareVersion"));
  t.equal(info["Device.DeviceInfo.ManufacturerOUI"], OUI);
  t.equal(info["Device.DeviceInfo.ModelName"], "BM632w");
  t.equal(info["Device.DeviceInfo.FirmwareImage.1.Version"], info["Device.DeviceInfo.SoftwareVersion"], "FirmwareImage.1 is synthesized from SoftwareVersion");
  t.equal(info["Device.DeviceInfo.ActiveFirmwareImage"], "Device.DeviceInfo.FirmwareImage.1");
});

t.test("Wi-Fi: one WLANConfiguration is a Radio, an SSID and an AccessPoint; values transformed", async (t) => {
  const wifi = await get("Device.WiFi.");
  t.equal(wifi["Device.WiFi.SSID.1.SSID"], readParameter(cpe, `${IGD_WLAN}SSID`));
  t.equal(wifi["Device.WiFi.SSID.1.LowerLayers"], "Device.WiFi.Radio.1");
  t.equal(wifi["Device.WiFi.SSID.1.Status"], "Up", "the CPE's lower-case \"up\" becomes the TR-181 enumeration");
  t.equal(wifi["Device.WiFi.AccessPoint.1.SSIDReference"], "Device.WiFi.SSID.1");
  t.equal(wifi["Device.WiFi.Radio.1.OperatingStandards"], "b,g,n", "Standard \"b/g/n\" as a TR-181 list");
  t.equal(wifi["Device.WiFi.Radio.1.OperatingFrequencyBand"], "2.4GHz");
  t.equal(wifi["Device.WiFi.AccessPoint.1.Security.ModeEnabled"], "WPA-WPA2-Personal", "the vendor overlay reads Huawei's BeaconType WPAWPA2");
  t.equal(wifi["Device.WiFi.RadioNumberOfEntries"], "1");
  t.equal(wifi["Device.WiFi.AccessPoint.1.AssociatedDeviceNumberOfEntries"], "3");
});

t.test("Set: SSID, a value transform (Security.ModeEnabled) and a boolean the CPE types as unsignedInt", async (t) => {
  const msg = await ask({
    type: "set",
    set: {
      allowPartial: false,
      updateObjs: [
        { objPath: "Device.WiFi.SSID.1.", paramSettings: [{ param: "SSID", value: "usp-managed", required: true }] },
        { objPath: "Device.WiFi.AccessPoint.1.Security.", paramSettings: [{ param: "ModeEnabled", value: "WPA2-Personal", required: true }] },
        { objPath: "Device.NAT.InterfaceSetting.1.", paramSettings: [{ param: "Enable", value: "false", required: true }] },
      ],
    },
  });
  const results = body(msg, "setResp").setResp.updatedObjResults;
  t.equal(results.length, 3);
  t.ok(results.every((r) => r.operStatus.type === "operSuccess"), JSON.stringify(results));
  t.equal(readParameter(cpe, `${IGD_WLAN}SSID`), "usp-managed", "the CPE holds the TR-098 value");
  t.equal(readParameter(cpe, `${IGD_WLAN}BeaconType`), "11i", "WPA2-Personal is BeaconType 11i");
  t.equal(readParameter(cpe, `${IGD_WLAN}IEEE11iAuthenticationMode`), "PSKAuthentication");
  t.equal(readParameter(cpe, "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.NATEnabled"), "0", "NATEnabled is xsd:unsignedInt on this CPE");
  const back = await get("Device.WiFi.AccessPoint.1.Security.ModeEnabled");
  t.equal(back["Device.WiFi.AccessPoint.1.Security.ModeEnabled"], "WPA2-Personal", "read back through USP unchanged");
  t.equal((await get("Device.NAT.InterfaceSetting.1.Enable"))["Device.NAT.InterfaceSetting.1.Enable"], "false");
});

t.test("DNS.Client.Server rows are the items of the WAN connection's DNSServers list; a Set rewrites that one item", async (t) => {
  const wan = "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.";
  const [first, second] = (readParameter(cpe, `${wan}DNSServers`) ?? "").split(",");
  const dns = await get("Device.DNS.Client.");
  t.equal(dns["Device.DNS.Client.ServerNumberOfEntries"], "2");
  t.equal(dns["Device.DNS.Client.Server.1.DNSServer"], first);
  t.equal(dns["Device.DNS.Client.Server.2.DNSServer"], second);
  t.equal(dns["Device.DNS.Client.Server.2.Interface"], "Device.IP.Interface.1");
  const msg = await ask({
    type: "set",
    set: { allowPartial: false, updateObjs: [{ objPath: "Device.DNS.Client.Server.2.", paramSettings: [{ param: "DNSServer", value: "9.9.9.9", required: true }] }] },
  });
  t.match(body(msg, "setResp").setResp.updatedObjResults[0]?.operStatus, { type: "operSuccess" });
  t.equal(readParameter(cpe, `${wan}DNSServers`), `${first},9.9.9.9`, "the CPE's list with the second item replaced");
  const add = await ask({ type: "add", add: { allowPartial: false, createObjs: [{ objPath: "Device.DNS.Client.Server.", paramSettings: [] }] } });
  t.match(add.body, { kind: "error" }, "rows of a TR-098 list cannot be added");
});

t.test("Set errors: read-only parameter 7200-class error, unknown parameter", async (t) => {
  const msg = await ask({
    type: "set",
    set: { allowPartial: false, updateObjs: [{ objPath: "Device.DeviceInfo.", paramSettings: [{ param: "SoftwareVersion", value: "x", required: true }] }] },
  });
  t.match(msg.body, { kind: "error" });
  t.equal(readParameter(cpe, "InternetGatewayDevice.DeviceInfo.SoftwareVersion") === "x", false, "nothing written");
});

t.test("Add/Delete of port mappings go to the CPE's TR-098 PortMapping table; GetInstances lists them", async (t) => {
  const inst = await addPortMapping("8080", "192.168.1.10");
  t.match(inst, /^Device\.NAT\.PortMapping\.\d+\.$/);
  t.equal(readParameter(cpe, `${IGD_PM}1.ExternalPort`), "8080", "the CPE holds the row in its own table");
  t.equal(readParameter(cpe, `${IGD_PM}1.PortMappingProtocol`), "TCP");
  t.equal(readParameter(cpe, `${IGD_PM}1.PortMappingEnabled`), "true");
  const row = await get(inst);
  t.equal(row[`${inst}InternalClient`], "192.168.1.10");
  t.equal(row[`${inst}Interface`], "Device.IP.Interface.1", "the WAN connection it hangs under, as a TR-181 reference");
  const listed = body(await ask({ type: "getInstances", getInstances: { objPaths: ["Device.NAT.PortMapping."], firstLevelOnly: true } }), "getInstancesResp");
  t.same(listed.getInstancesResp.reqPathResults[0]?.currInsts.map((c) => c.instantiatedObjPath), [inst]);
  t.match(listed.getInstancesResp.reqPathResults[0]?.currInsts[0]?.uniqueKeys, { ExternalPort: "8080", Protocol: "TCP" });

  const del = body(await ask({ type: "delete", delete: { allowPartial: false, objPaths: [inst] } }), "deleteResp");
  t.match(del.deleteResp.deletedObjResults[0]?.operStatus, { type: "operSuccess" });
  t.equal(readParameter(cpe, `${IGD_PM}1.ExternalPort`), undefined, "gone from the CPE");
  const again = await addPortMapping("9090", "192.168.1.11");
  t.not(again, inst, "R-ARC.8 a deleted row's number is not given out again");
  await ask({ type: "delete", delete: { allowPartial: false, objPaths: [again] } });
});

t.test("an Add naming the port mapping's WAN Interface succeeds; another Interface is refused (the TR-098 row hangs under its connection)", async (t) => {
  const pm = (iface: string): Request => ({
    type: "add",
    add: {
      allowPartial: false,
      createObjs: [
        {
          objPath: "Device.NAT.PortMapping.",
          paramSettings: [
            { param: "ExternalPort", value: "7070", required: true },
            { param: "InternalPort", value: "70", required: true },
            { param: "Protocol", value: "UDP", required: true },
            { param: "InternalClient", value: "192.168.1.70", required: true },
            { param: "Interface", value: iface, required: true },
          ],
        },
      ],
    },
  });
  const ok = body(await ask(pm("Device.IP.Interface.1")), "addResp").addResp.createdObjResults[0]?.operStatus;
  if (ok?.type !== "operSuccess") return t.fail(JSON.stringify(ok));
  t.equal((await get(`${ok.instantiatedPath}Interface`))[`${ok.instantiatedPath}Interface`], "Device.IP.Interface.1");
  const lan = await ask(pm("Device.IP.Interface.2"));
  t.match(lan.body, { kind: "error" }, "the LAN interface cannot hold a TR-098 port mapping");
  t.equal([1, 2, 3, 4, 5, 6].filter((i) => readParameter(cpe, `${IGD_PM}${i}.ExternalPort`) === "7070").length, 1, "the refused Add left no row on the CPE");
  await ask({ type: "delete", delete: { allowPartial: false, objPaths: [ok.instantiatedPath] } });
});

t.test("GetSupportedDM reports TR-181 objects the CPE really has, and no TR-098 path", async (t) => {
  const msg = await ask({ type: "getSupportedDm", getSupportedDm: { objPaths: ["Device.NAT."], firstLevelOnly: false, returnCommands: true, returnEvents: true, returnParams: true, returnUniqueKeySets: true } });
  const text = JSON.stringify(msg.body);
  t.match(text, /Device\.NAT\.PortMapping\.\{i\}\./);
  t.notMatch(text, /InternetGatewayDevice/);
});

t.test("IPPing() runs on the CPE's IPPingDiagnostics and completes with output args", async (t) => {
  await subscribe("tr098-ping", "OperationComplete", "Device.IP.Diagnostics.");
  const msg = await ask(operate("Device.IP.Diagnostics.IPPing()", "tr098-ping-1", { Host: "127.0.0.1", ProtocolVersion: "IPv4", NumberOfRepetitions: "2", Timeout: "1000", DataBlockSize: "64" }));
  const result = body(msg, "operateResp").operateResp.operationResults[0]?.result;
  t.match(result, { type: "reqObjPath" }, JSON.stringify(result));
  const done = await controller.waitFor((x) => {
    const n = notifyOf(x)?.notification;
    return n?.type === "operComplete" && n.operComplete.commandKey === "tr098-ping-1";
  }, 30_000);
  seen.push(JSON.stringify(done.msg));
  const n = notifyOf(done)?.notification;
  if (n?.type !== "operComplete") return t.fail("no OperationComplete");
  t.match(n.operComplete.result, { type: "reqOutputArgs", outputArgs: { Status: "Complete", SuccessCount: "2", FailureCount: "0" } });
});

t.test("IP.Interface.{i}.Reset() is the TR-098 connection's Reset parameter set true", async (t) => {
  const wan = "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.";
  t.equal(readParameter(cpe, `${wan}Reset`), "false");
  const msg = await ask(operate("Device.IP.Interface.1.Reset()", "tr098-reset"));
  t.same(body(msg, "operateResp").operateResp.operationResults, [{ executedCommand: "Device.IP.Interface.1.Reset()", result: { type: "reqOutputArgs", outputArgs: {} } }]);
  t.equal(readParameter(cpe, `${wan}Reset`), "true", "SetParameterValues Reset=true reached the CPE");
  const lan = await ask(operate("Device.IP.Interface.2.Reset()", "tr098-reset-lan"));
  t.match(lan.body, { kind: "error", error: { errCode: 7026 } }, "the LAN interface has no Reset on a TR-098 CPE");
});

t.test("ValueChange on a mapped parameter: the CPE's change arrives under its TR-181 path", async (t) => {
  await subscribe("tr098-vc", "ValueChange", "Device.WiFi.SSID.1.SSID");
  // Wait for the gateway to set active notification on the CPE's WLANConfiguration.1.SSID.
  for (let i = 0; i < 100 && cpe.model.attribute(`${IGD_WLAN}SSID`).notification !== 2; i++) await new Promise((r) => setTimeout(r, 100));
  t.equal(cpe.model.attribute(`${IGD_WLAN}SSID`).notification, 2, "active notification set on the TR-098 parameter");
  writeParameter(cpe, `${IGD_WLAN}SSID`, "changed-on-cpe");
  const r = await controller.waitFor((x) => notifyOf(x)?.subscriptionId === "tr098-vc", 30_000);
  seen.push(JSON.stringify(r.msg));
  t.same(notifyOf(r)?.notification, { type: "valueChange", valueChange: { paramPath: "Device.WiFi.SSID.1.SSID", paramValue: "changed-on-cpe" } });
});

t.test("Reboot(): Boot! follows; instance numbers survive a reboot that reverses the CPE's own rows", async (t) => {
  const a = await addPortMapping("1001", "192.168.1.21");
  const b = await addPortMapping("1002", "192.168.1.22");
  const hostsBefore = await get("Device.Hosts.Host.");
  const cpeRowOf = (port: string): number | undefined => [1, 2, 3, 4, 5, 6].find((i) => readParameter(cpe, `${IGD_PM}${i}.ExternalPort`) === port);
  const rowBefore = cpeRowOf("1001");
  await subscribe("tr098-boot", "Event", "Device.Boot!");
  body(await ask(operate("Device.Reboot()", "tr098-reboot")), "operateResp");
  const boot = await controller.waitFor((x) => {
    const n = notifyOf(x)?.notification;
    return n?.type === "event" && n.event.eventName === "Boot!" && n.event.params.CommandKey === "tr098-reboot";
  }, 30_000);
  t.ok(boot, "Boot! with the command_key");
  await cpe.whenIdle();
  t.not(cpeRowOf("1001"), rowBefore, "the CPE renumbered its own PortMapping rows at the reboot");
  const pm = await portMappings();
  t.equal(pm.get(a), "1001", `${a} is still the 1001 mapping`);
  t.equal(pm.get(b), "1002", `${b} is still the 1002 mapping`);
  const hostsAfter = await get("Device.Hosts.Host.");
  for (const [k, v] of Object.entries(hostsBefore)) if (k.endsWith(".PhysAddress")) t.equal(hostsAfter[k], v, `${k} keeps its host`);
});

t.test("the controller never saw an InternetGatewayDevice. path", async (t) => {
  for (const m of seen) t.notMatch(m, /InternetGatewayDevice\./);
});
