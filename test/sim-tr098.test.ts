// The simulated Huawei BM632w (TR-098, InternetGatewayDevice.) through real
// CWMP sessions over HTTP against a small test ACS: Inform, Connection
// Request, GetParameterNames/Values, SetParameterValues type checks,
// Add/DeleteObject on the port mapping table, IPPing diagnostics, active
// notification, Reboot with rows renumbered, FactoryReset.
import t from "tap";
import { spawn } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { AcsRequest, ParameterValue, RpcOutcome, SetParameterValues } from "../src/cwmp/rpc.js";
import { sendConnectionRequest } from "../src/cwmp/connection-request.js";
import { createDeviceModel, executeRpc } from "../src/sim/data-model.js";
import { loadProfile } from "../src/sim/profile.js";
import { readParameter, startFleet, writeParameter, type Fleet, type FleetOptions } from "../src/sim/fleet.js";
import { runCli } from "./helpers/cli.js";
import { eventCodes, startSessionAcs, type RecordedSession, type Script, type SessionAcs } from "./helpers/session-acs.js";

const IGD = "InternetGatewayDevice.";
const WAN_IP = `${IGD}WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.`;
const PORT_MAPPING = `${WAN_IP}PortMapping.`;
const HOSTS = `${IGD}LANDevice.1.Hosts.Host.`;
const PING = `${IGD}IPPingDiagnostics.`;

/** Serials that reproduce the real device's, 8KA8WA1151100043, for the first CPE. */
const REAL_SERIAL: Partial<FleetOptions> = { serialPrefix: "8KA8WA1151100", serialStart: 43, serialDigits: 3 };

async function start(
  t: { teardown(fn: () => unknown): void },
  script: Script,
  options: Partial<FleetOptions> = {},
): Promise<{ acs: SessionAcs; fleet: Fleet }> {
  const acs = await startSessionAcs(script);
  const fleet = await startFleet({ acsUrl: acs.url, count: 1, profile: "huawei-bm632w-tr098", ...REAL_SERIAL, ...options });
  t.teardown(async () => {
    await fleet.stop();
    await acs.close();
  });
  return { acs, fleet };
}

function spv(values: Record<string, [string, string]>, parameterKey = ""): SetParameterValues {
  return { method: "SetParameterValues", parameterList: Object.entries(values).map(([name, [value, type]]) => ({ name, value, type })), parameterKey };
}

function gpv(...parameterNames: string[]): AcsRequest {
  return { method: "GetParameterValues", parameterNames };
}

function valuesOf(outcome: RpcOutcome | undefined): ParameterValue[] {
  if (outcome?.ok !== true || outcome.response.method !== "GetParameterValuesResponse") throw new Error(`expected a GetParameterValuesResponse, got ${JSON.stringify(outcome)}`);
  return outcome.response.parameterList;
}

function valueMap(outcome: RpcOutcome | undefined): Record<string, string> {
  return Object.fromEntries(valuesOf(outcome).map((p) => [p.name, p.value]));
}

function hasEvent(code: string): (s: RecordedSession) => boolean {
  return (s) => eventCodes(s.inform).includes(code);
}

t.test("Inform: the BM632w's DeviceId and the TR-098 forced parameters, field by field; each CPE has its own serial", async (t) => {
  const { acs, fleet } = await start(t, () => [], { count: 2 });
  await fleet.bootAll();
  const [first, second] = [...acs.sessions].sort((a, b) => a.inform.deviceId.serialNumber.localeCompare(b.inform.deviceId.serialNumber));
  const crBase = `http://127.0.0.1:${fleet.connectionRequestPort}`;
  t.same(first?.inform.deviceId, { manufacturer: "Huawei Technologies Co., Ltd.", oui: "202BC1", productClass: "BM632w", serialNumber: "8KA8WA1151100043" });
  t.same(second?.inform.deviceId, { manufacturer: "Huawei Technologies Co., Ltd.", oui: "202BC1", productClass: "BM632w", serialNumber: "8KA8WA1151100044" });
  t.same(eventCodes(first!.inform), ["0 BOOTSTRAP", "1 BOOT"]);
  t.same(first?.inform.parameterList, [
    { name: `${IGD}DeviceSummary`, value: "InternetGatewayDevice:1.1[](Baseline:1, EthernetLAN:1, WiFiLAN:1, WIMAXWAN:1, Bridging:1, Time:1, IPPing:1", type: "xsd:string" },
    { name: `${IGD}DeviceInfo.SpecVersion`, value: "1", type: "xsd:string" },
    { name: `${IGD}DeviceInfo.HardwareVersion`, value: "40501", type: "xsd:string" },
    { name: `${IGD}DeviceInfo.SoftwareVersion`, value: "V100R001IRQC56B017", type: "xsd:string" },
    { name: `${IGD}DeviceInfo.ProvisioningCode`, value: "", type: "xsd:string" },
    { name: `${IGD}ManagementServer.ConnectionRequestURL`, value: `${crBase}/8KA8WA1151100043`, type: "xsd:string" },
    { name: `${IGD}ManagementServer.ParameterKey`, value: "", type: "xsd:string" },
    { name: `${WAN_IP}ExternalIPAddress`, value: "172.3.89.139", type: "xsd:string" },
  ]);
  t.equal(second?.inform.parameterList[5]?.value, `${crBase}/8KA8WA1151100044`, "each CPE has its own Connection Request URL");
  t.equal(readParameter(fleet.cpes[0]!, `${IGD}DeviceInfo.SerialNumber`), "0", "DeviceInfo.SerialNumber stays the device's 0");
});

t.test("Connection Request at the URL reported under InternetGatewayDevice.ManagementServer. starts a 6 CONNECTION REQUEST session", async (t) => {
  const { acs, fleet } = await start(t, () => [], { crUsername: "cr-user", crPassword: (serial) => `pw-${serial}` });
  const cpe = fleet.cpes[0]!;
  await cpe.boot();
  const url = acs.sessions[0]?.inform.parameterList.find((p) => p.name === `${IGD}ManagementServer.ConnectionRequestURL`)?.value ?? "";
  t.match(await sendConnectionRequest(url, { username: "cr-user", password: "pw-8KA8WA1151100043" }, { timeoutMs: 2000 }), { ok: true });
  const session = await acs.waitFor(hasEvent("6 CONNECTION REQUEST"));
  t.same(eventCodes(session.inform), ["6 CONNECTION REQUEST"]);
  t.match(await sendConnectionRequest(url, { username: "cr-user", password: "wrong" }, { timeoutMs: 2000 }), { ok: false });
});

t.test("GetParameterNames and partial-path GetParameterValues answer with the device's tree, quirks included", async (t) => {
  const { acs, fleet } = await start(t, () => [
    gpv(`${IGD}LANDevice.1.Hosts.`),
    gpv(`${WAN_IP}NATEnabled`, `${IGD}LANDevice.1.WLANConfiguration.1.Status`, `${IGD}LANDevice.1.WLANConfiguration.1.Standard`),
    { method: "GetParameterNames", parameterPath: PORT_MAPPING, nextLevel: false },
    { method: "GetParameterNames", parameterPath: `${IGD}X_HUAWEI_FireWall.`, nextLevel: true },
    gpv(`${IGD}NoSuchObject.`),
  ]);
  await fleet.cpes[0]!.boot();
  const [hosts, quirks, gpnTable, gpnFirewall, unknown] = (await acs.waitFor(hasEvent("1 BOOT"))).outcomes.map((o) => o.outcome);
  const hostValues = valuesOf(hosts);
  t.equal(hostValues.length, 6 * 8 + 1, "6 hosts of 8 parameters and HostNumberOfEntries");
  t.same(hostValues.find((p) => p.name === `${HOSTS}1.MACAddress`), { name: `${HOSTS}1.MACAddress`, value: "40:B0:FA:9C:4A:50", type: "xsd:string" });
  t.same(hostValues.find((p) => p.name === `${HOSTS}1.LeaseTimeRemaining`), { name: `${HOSTS}1.LeaseTimeRemaining`, value: "65444", type: "xsd:int" });
  t.same(hostValues.find((p) => p.name === `${IGD}LANDevice.1.Hosts.HostNumberOfEntries`)?.value, "6");
  t.same(valuesOf(quirks), [
    { name: `${WAN_IP}NATEnabled`, value: "1", type: "xsd:unsignedInt" },
    { name: `${IGD}LANDevice.1.WLANConfiguration.1.Status`, value: "up", type: "xsd:string" },
    { name: `${IGD}LANDevice.1.WLANConfiguration.1.Standard`, value: "b/g/n", type: "xsd:string" },
  ]);
  t.same(gpnTable, { ok: true, response: { method: "GetParameterNamesResponse", parameterList: [{ name: PORT_MAPPING, writable: true }] } }, "the empty table is addable");
  t.same(gpnFirewall, {
    ok: true,
    response: {
      method: "GetParameterNamesResponse",
      parameterList: [
        { name: `${IGD}X_HUAWEI_FireWall.CurrentLevel`, writable: true },
        { name: `${IGD}X_HUAWEI_FireWall.FilterMode.`, writable: true },
      ],
    },
  }, "NextLevel=true: the vendor object's direct children");
  t.match(unknown, { ok: false, fault: { faultCode: 9005 } });
});

t.test("SetParameterValues: a value of the wrong type is 9006 and changes nothing; a good one persists across sessions", async (t) => {
  const { acs, fleet } = await start(t, (_inform, index) =>
    index === 0
      ? [spv({ [`${WAN_IP}NATEnabled`]: ["true", "xsd:unsignedInt"], [`${IGD}Time.NTPServer1`]: ["ntp.example.net", "xsd:string"] }, "k1"), spv({ [`${WAN_IP}NATEnabled`]: ["0", "xsd:unsignedInt"] }, "k2")]
      : [gpv(`${WAN_IP}NATEnabled`, `${IGD}Time.NTPServer1`, `${IGD}ManagementServer.ParameterKey`)],
  );
  const cpe = fleet.cpes[0]!;
  await cpe.boot();
  const [bad, good] = acs.sessions[0]!.outcomes.map((o) => o.outcome);
  t.same(bad, {
    ok: false,
    fault: {
      faultCode: 9003,
      faultString: "Invalid arguments",
      setParameterValuesFaults: [{ parameterName: `${WAN_IP}NATEnabled`, faultCode: 9006, faultString: "Invalid parameter type" }],
    },
  });
  t.same(good, { ok: true, response: { method: "SetParameterValuesResponse", status: 0 } });
  cpe.connectionRequest();
  const next = await acs.waitFor(hasEvent("6 CONNECTION REQUEST"));
  t.same(valueMap(next.outcomes[0]?.outcome), {
    [`${WAN_IP}NATEnabled`]: "0",
    [`${IGD}Time.NTPServer1`]: "clock.fmt.he.net",
    [`${IGD}ManagementServer.ParameterKey`]: "k2",
  });
});

t.test("AddObject/DeleteObject on WANIPConnection.1.PortMapping.: TR-098 rows, PortMappingNumberOfEntries follows, numbers never reused", async (t) => {
  const row = `${PORT_MAPPING}1.`;
  const { acs, fleet } = await start(t, () => [
    { method: "AddObject", objectName: PORT_MAPPING, parameterKey: "add1" },
    gpv(row, `${WAN_IP}PortMappingNumberOfEntries`),
    spv({ [`${row}ExternalPort`]: ["8080", "xsd:unsignedInt"], [`${row}InternalClient`]: ["192.168.1.5", "xsd:string"], [`${row}PortMappingEnabled`]: ["1", "xsd:boolean"] }),
    spv({ [`${row}PortMappingProtocol`]: ["ICMP", "xsd:string"] }),
    gpv(`${row}ExternalPort`, `${row}PortMappingEnabled`),
    { method: "DeleteObject", objectName: row, parameterKey: "del1" },
    gpv(`${WAN_IP}PortMappingNumberOfEntries`),
    { method: "DeleteObject", objectName: row, parameterKey: "del2" },
    { method: "AddObject", objectName: PORT_MAPPING, parameterKey: "add2" },
    { method: "DeleteObject", objectName: `${HOSTS}1.`, parameterKey: "del3" },
  ]);
  await fleet.cpes[0]!.boot();
  const [added, fresh, set, badEnum, readBack, deleted, count, deletedAgain, addedAgain, hostDelete] = (await acs.waitFor(hasEvent("1 BOOT"))).outcomes.map((o) => o.outcome);
  t.same(added, { ok: true, response: { method: "AddObjectResponse", instanceNumber: 1, status: 0 } });
  t.same(valuesOf(fresh), [
    { name: `${row}PortMappingEnabled`, value: "false", type: "xsd:boolean" },
    { name: `${row}PortMappingLeaseDuration`, value: "0", type: "xsd:unsignedInt" },
    { name: `${row}RemoteHost`, value: "", type: "xsd:string" },
    { name: `${row}ExternalPort`, value: "0", type: "xsd:unsignedInt" },
    { name: `${row}ExternalPortEndRange`, value: "0", type: "xsd:unsignedInt" },
    { name: `${row}InternalPort`, value: "0", type: "xsd:unsignedInt" },
    { name: `${row}PortMappingProtocol`, value: "TCP", type: "xsd:string" },
    { name: `${row}InternalClient`, value: "", type: "xsd:string" },
    { name: `${row}PortMappingDescription`, value: "", type: "xsd:string" },
    { name: `${WAN_IP}PortMappingNumberOfEntries`, value: "1", type: "xsd:unsignedInt" },
  ]);
  t.same(set, { ok: true, response: { method: "SetParameterValuesResponse", status: 0 } });
  t.match(badEnum, { ok: false, fault: { faultCode: 9003, setParameterValuesFaults: [{ parameterName: `${row}PortMappingProtocol`, faultCode: 9007 }] } }, "TR-098 enumeration TCP/UDP");
  t.same(valueMap(readBack), { [`${row}ExternalPort`]: "8080", [`${row}PortMappingEnabled`]: "true" });
  t.same(deleted, { ok: true, response: { method: "DeleteObjectResponse", status: 0 } });
  t.same(valueMap(count), { [`${WAN_IP}PortMappingNumberOfEntries`]: "0" });
  t.match(deletedAgain, { ok: false, fault: { faultCode: 9005 } }, "the row is gone");
  t.match(addedAgain, { ok: true, response: { instanceNumber: 2 } }, "instance numbers are not reused");
  t.match(hostDelete, { ok: false, fault: { faultCode: 9003 } }, "Hosts.Host is not writable on this device");
});

t.test("IPPingDiagnostics: DiagnosticsState=Requested runs after the session, then 8 DIAGNOSTICS COMPLETE with the results", async (t) => {
  const { acs, fleet } = await start(t, (inform) => {
    if (eventCodes(inform).includes("0 BOOTSTRAP")) {
      return [spv({ [`${PING}Host`]: ["127.0.0.1", "xsd:string"], [`${PING}NumberOfRepetitions`]: ["4", "xsd:unsignedInt"], [`${PING}DiagnosticsState`]: ["Requested", "xsd:string"] })];
    }
    return eventCodes(inform).includes("8 DIAGNOSTICS COMPLETE") ? [gpv(PING)] : [];
  });
  await fleet.cpes[0]!.boot();
  const session = await acs.waitFor(hasEvent("8 DIAGNOSTICS COMPLETE"));
  t.same(eventCodes(session.inform), ["8 DIAGNOSTICS COMPLETE"]);
  const values = valueMap(session.outcomes[0]?.outcome);
  t.match(values, {
    [`${PING}DiagnosticsState`]: "Complete",
    [`${PING}Host`]: "127.0.0.1",
    [`${PING}SuccessCount`]: "4",
    [`${PING}FailureCount`]: "0",
  });
  t.ok(Number(values[`${PING}SuccessCount`]) > 0, "SuccessCount > 0");
  t.ok(Number(values[`${PING}MinimumResponseTime`]) <= Number(values[`${PING}MaximumResponseTime`]));
  t.equal(Object.keys(values).length, 12, "only the dump's 12 IPPing parameters: no TR-181 extras");
});

t.test("active notification on a TR-098 parameter: a change on the CPE starts a 4 VALUE CHANGE session carrying it", async (t) => {
  const ssid = `${IGD}LANDevice.1.WLANConfiguration.1.SSID`;
  const { acs, fleet } = await start(t, (inform) =>
    eventCodes(inform).includes("0 BOOTSTRAP")
      ? [{ method: "SetParameterAttributes", parameterList: [{ name: ssid, notificationChange: true, notification: 2, accessListChange: false, accessList: [] }] }]
      : [],
  );
  const cpe = fleet.cpes[0]!;
  await cpe.boot();
  t.match(acs.sessions[0]?.outcomes[0]?.outcome, { ok: true, response: { method: "SetParameterAttributesResponse" } });
  t.ok(writeParameter(cpe, ssid, "Lena-5G"));
  const session = await acs.waitFor(hasEvent("4 VALUE CHANGE"));
  t.same(session.inform.parameterList.at(-1), { name: ssid, value: "Lena-5G", type: "xsd:string" });
});

t.test("Reboot with renumberOnReboot: M Reboot + 1 BOOT, and Hosts.Host. and PortMapping. rows come back in reverse order", async (t) => {
  const { acs, fleet } = await start(
    t,
    (inform) => {
      if (eventCodes(inform).includes("0 BOOTSTRAP")) {
        return [
          { method: "AddObject", objectName: PORT_MAPPING, parameterKey: "" },
          { method: "AddObject", objectName: PORT_MAPPING, parameterKey: "" },
          spv({ [`${PORT_MAPPING}1.ExternalPort`]: ["1001", "xsd:unsignedInt"], [`${PORT_MAPPING}2.ExternalPort`]: ["1002", "xsd:unsignedInt"] }),
          { method: "Reboot", commandKey: "reboot-1" },
        ];
      }
      return eventCodes(inform).includes("M Reboot") ? [gpv(HOSTS, PORT_MAPPING)] : [];
    },
    { renumberOnReboot: [HOSTS, PORT_MAPPING] },
  );
  await fleet.cpes[0]!.boot();
  const session = await acs.waitFor(hasEvent("M Reboot"));
  t.same(session.inform.event, [
    { eventCode: "1 BOOT", commandKey: "" },
    { eventCode: "M Reboot", commandKey: "reboot-1" },
  ]);
  const values = valueMap(session.outcomes[0]?.outcome);
  t.equal(values[`${HOSTS}1.MACAddress`], "20:10:7a:08:4d:43", "the dump's Host.6 is now Host.1");
  t.equal(values[`${HOSTS}1.AddressSource`], "Static", "with its other values");
  t.equal(values[`${HOSTS}6.MACAddress`], "40:B0:FA:9C:4A:50", "the dump's Host.1 is now Host.6");
  t.equal(values[`${HOSTS}6.HostName`], "android-d87bf88d22e66acf");
  t.equal(values[`${PORT_MAPPING}1.ExternalPort`], "1002");
  t.equal(values[`${PORT_MAPPING}2.ExternalPort`], "1001");
  t.equal(Object.keys(values).filter((n) => n.startsWith(HOSTS)).length, 6 * 8, "no row lost or doubled");
});

t.test("Reboot without the option keeps the rows' numbers; the option refuses a path that is no table", async (t) => {
  const { acs, fleet } = await start(t, (inform) =>
    eventCodes(inform).includes("0 BOOTSTRAP") ? [{ method: "Reboot", commandKey: "" }] : eventCodes(inform).includes("M Reboot") ? [gpv(`${HOSTS}1.MACAddress`)] : [],
  );
  await fleet.cpes[0]!.boot();
  t.same(valueMap((await acs.waitFor(hasEvent("M Reboot"))).outcomes[0]?.outcome), { [`${HOSTS}1.MACAddress`]: "40:B0:FA:9C:4A:50" });
  await t.rejects(
    startFleet({ acsUrl: acs.url, count: 1, profile: "huawei-bm632w-tr098", renumberOnReboot: [`${IGD}DeviceInfo.`] }),
    /renumberOnReboot: InternetGatewayDevice\.DeviceInfo\. is not a table of profile huawei-bm632w-tr098/,
  );
});

t.test("FactoryReset: 0 BOOTSTRAP + 1 BOOT and the dump's values again", async (t) => {
  const { acs, fleet } = await start(t, (_inform, index) =>
    index === 0 ? [spv({ [`${WAN_IP}NATEnabled`]: ["0", "xsd:unsignedInt"] }), { method: "FactoryReset" }] : [gpv(`${WAN_IP}NATEnabled`)],
  );
  await fleet.cpes[0]!.boot();
  const session = await acs.waitFor((s) => s !== acs.sessions[0] && hasEvent("0 BOOTSTRAP")(s));
  t.same(eventCodes(session.inform), ["0 BOOTSTRAP", "1 BOOT"]);
  t.same(valueMap(session.outcomes[0]?.outcome), { [`${WAN_IP}NATEnabled`]: "1" });
});

t.test("cwmp2usp sim --profile huawei-bm632w-tr098 runs the BM632w against an ACS; a --renumber-on-reboot path that is no table is refused", async (t) => {
  const acs = await startSessionAcs(() => []);
  t.teardown(() => acs.close());
  const loader = process.execArgv.filter((a) => a.includes("@tapjs/typescript"));
  const args = ["src/cli.ts", "sim", "--acs", acs.url, "--profile", "huawei-bm632w-tr098", "--serial-prefix", "BM", "--renumber-on-reboot", HOSTS];
  const child = spawn(process.execPath, [...loader, ...args], { cwd: new URL("..", import.meta.url).pathname, stdio: "ignore" });
  const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
  t.teardown(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  const session = await acs.waitFor(() => true, 30_000);
  t.same(session.inform.deviceId, { manufacturer: "Huawei Technologies Co., Ltd.", oui: "202BC1", productClass: "BM632w", serialNumber: "BM000000" });
  t.equal(session.inform.parameterList[0]?.name, `${IGD}DeviceSummary`);
  child.kill("SIGTERM");
  t.equal(await exited, 0, "stops cleanly on SIGTERM");
  const refused = await runCli(["sim", "--acs", acs.url, "--profile", "huawei-bm632w-tr098", "--renumber-on-reboot", `${IGD}DeviceInfo.`], { from: "src", timeoutMs: 30_000 });
  t.equal(refused.code, 1);
  t.match(refused.stderr, "renumberOnReboot: InternetGatewayDevice.DeviceInfo. is not a table of profile huawei-bm632w-tr098");
});

t.test("reverseRows: rows keep their values and attributes under their new numbers; numbering goes on after the last row", async (t) => {
  const loaded = loadProfile("huawei-bm632w-tr098");
  if (!loaded.ok) throw new Error(loaded.error);
  const dm = createDeviceModel(loaded.profile, { serialNumber: "S1" });
  const attribute = { name: `${HOSTS}1.Active`, notificationChange: true, notification: 1, accessListChange: false, accessList: [] };
  t.match(executeRpc(dm, { method: "SetParameterAttributes", parameterList: [attribute] }), { ok: true });
  dm.setValue(`${HOSTS}2.HostName`, "renamed");
  t.ok(dm.reverseRows(HOSTS));
  t.equal(dm.value(`${HOSTS}6.MACAddress`), "40:B0:FA:9C:4A:50");
  t.equal(dm.attribute(`${HOSTS}6.Active`).notification, 1, "the attribute moved with its row");
  t.equal(dm.attribute(`${HOSTS}1.Active`).notification, 0, "and left the old name");
  t.equal(dm.value(`${HOSTS}5.HostName`), "renamed", "a changed value moved with its row");
  t.equal(dm.value(`${IGD}LANDevice.1.Hosts.HostNumberOfEntries`), "6");
  t.equal(dm.reverseRows(`${IGD}DeviceInfo.`), false, "not a table");
  t.ok(dm.reverseRows(PORT_MAPPING), "an empty table is fine");
  t.match(executeRpc(dm, { method: "AddObject", objectName: PORT_MAPPING, parameterKey: "" }), { ok: true, response: { instanceNumber: 1 } });
});

t.test("PeriodicInformEnable reads false unless the fleet informs periodically (the dump says true)", async (t) => {
  const { acs, fleet } = await start(t, () => [gpv(`${IGD}ManagementServer.PeriodicInformEnable`)]);
  await fleet.cpes[0]!.boot();
  t.same(valueMap(acs.sessions[0]?.outcomes[0]?.outcome), { [`${IGD}ManagementServer.PeriodicInformEnable`]: "false" });
});

t.test("firmware Download: the CPE fetches the image, reboots (rows renumbered) and informs 1 BOOT + 7 TRANSFER COMPLETE + M Download with the new SoftwareVersion", async (t) => {
  const fetched: string[] = [];
  const files = http.createServer((req, res) => {
    fetched.push(req.url ?? "");
    res.writeHead(200, { "Content-Type": "application/octet-stream" }).end(Buffer.alloc(2048, 1));
  });
  await new Promise<void>((resolve) => files.listen(0, "127.0.0.1", resolve));
  t.teardown(() => new Promise<void>((resolve) => files.close(() => resolve())));
  const url = `http://127.0.0.1:${(files.address() as AddressInfo).port}/images/bm632w-2.1.7.bin`;
  const { acs, fleet } = await start(
    t,
    (inform) => {
      if (eventCodes(inform).includes("0 BOOTSTRAP")) {
        const download: AcsRequest = { method: "Download", commandKey: "fw-1", fileType: "1 Firmware Upgrade Image", url, username: "", password: "", fileSize: 2048, targetFileName: "", delaySeconds: 0, successUrl: "", failureUrl: "" };
        return [download];
      }
      return eventCodes(inform).includes("M Download") ? [gpv(`${HOSTS}1.MACAddress`)] : [];
    },
    { renumberOnReboot: [HOSTS] },
  );
  await fleet.cpes[0]!.boot();
  const done = await acs.waitFor(hasEvent("M Download"));
  t.same(done.inform.event, [
    { eventCode: "1 BOOT", commandKey: "" },
    { eventCode: "7 TRANSFER COMPLETE", commandKey: "" },
    { eventCode: "M Download", commandKey: "fw-1" },
  ]);
  t.match(done.cpeRequests, [{ method: "TransferComplete", commandKey: "fw-1", faultStruct: { faultCode: 0 } }]);
  t.same(done.inform.parameterList.find((p) => p.name === `${IGD}DeviceInfo.SoftwareVersion`), { name: `${IGD}DeviceInfo.SoftwareVersion`, value: "2.1.7", type: "xsd:string" });
  t.same(valueMap(done.outcomes[0]?.outcome), { [`${HOSTS}1.MACAddress`]: "20:10:7a:08:4d:43" }, "the firmware reboot renumbered Hosts.Host. too");
  t.same(fetched, ["/images/bm632w-2.1.7.bin"]);
});

t.test("2 PERIODIC every ManagementServer.PeriodicInformInterval when the fleet informs periodically", async (t) => {
  const ms = `${IGD}ManagementServer.`;
  const { acs, fleet } = await start(
    t,
    (inform) => (eventCodes(inform).includes("0 BOOTSTRAP") ? [spv({ [`${ms}PeriodicInformInterval`]: ["1", "xsd:unsignedInt"] })] : [gpv(`${ms}PeriodicInformEnable`)]),
    { periodicInform: true },
  );
  await fleet.bootAll();
  const periodic = await acs.waitFor(hasEvent("2 PERIODIC"), 5000);
  t.same(eventCodes(periodic.inform), ["2 PERIODIC"]);
  t.same(valueMap(periodic.outcomes[0]?.outcome), { [`${ms}PeriodicInformEnable`]: "true" });
});
