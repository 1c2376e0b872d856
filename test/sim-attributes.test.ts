// Parameter attributes and notifications on the simulated CPE (TR-069
// A.3.2.4, A.3.2.5, §3.2.1).
import t from "tap";
import type { CwmpFault, SetParameterAttributesStruct } from "../src/cwmp/rpc.js";
import { createDeviceModel, executeRpc, type DeviceModel } from "../src/sim/data-model.js";
import { startFleet, writeParameter, type Fleet } from "../src/sim/fleet.js";
import { loadProfile } from "../src/sim/profile.js";
import { eventCodes, startSessionAcs, type Script, type SessionAcs } from "./helpers/session-acs.js";

function device(): DeviceModel {
  const loaded = loadProfile("tr181-gateway");
  if (!loaded.ok) throw new Error(loaded.error);
  return createDeviceModel(loaded.profile, { serialNumber: "SIM0001" });
}

function spa(dm: DeviceModel, ...parameterList: SetParameterAttributesStruct[]) {
  return executeRpc(dm, { method: "SetParameterAttributes", parameterList });
}

function gpa(dm: DeviceModel, ...parameterNames: string[]) {
  return executeRpc(dm, { method: "GetParameterAttributes", parameterNames });
}

function notify(name: string, notification: number): SetParameterAttributesStruct {
  return { name, notificationChange: true, notification, accessListChange: false, accessList: [] };
}

function faultOf(outcome: ReturnType<typeof executeRpc>): CwmpFault | undefined {
  return outcome.ok ? undefined : outcome.fault;
}

t.test("TR-069 A.3.2.4/A.3.2.5 Notification and AccessList per parameter, read back by GetParameterAttributes", async (t) => {
  const dm = device();
  t.match(spa(dm, notify("Device.DeviceInfo.SoftwareVersion", 2)), { ok: true, response: { method: "SetParameterAttributesResponse" } });
  t.match(spa(dm, { name: "Device.DeviceInfo.SoftwareVersion", notificationChange: false, notification: 0, accessListChange: true, accessList: ["Subscriber"] }), { ok: true });
  t.same(gpa(dm, "Device.DeviceInfo.SoftwareVersion"), {
    ok: true,
    response: { method: "GetParameterAttributesResponse", parameterList: [{ name: "Device.DeviceInfo.SoftwareVersion", notification: 2, accessList: ["Subscriber"] }] },
  });
  const other = gpa(dm, "Device.DeviceInfo.HardwareVersion");
  t.match(other, { ok: true, response: { parameterList: [{ notification: 0, accessList: [] }] } }, "default: off, empty AccessList");
});

t.test("TR-069 A.3.2.4 a partial path sets every parameter below it; GetParameterAttributes on a partial path lists them", async (t) => {
  const dm = device();
  t.match(spa(dm, notify("Device.WiFi.SSID.1.", 1)), { ok: true });
  const outcome = gpa(dm, "Device.WiFi.SSID.1.");
  if (!outcome.ok || outcome.response.method !== "GetParameterAttributesResponse") throw new Error("GPA failed");
  t.ok(outcome.response.parameterList.length > 3);
  t.ok(outcome.response.parameterList.every((p) => p.notification === 1 && p.name.startsWith("Device.WiFi.SSID.1.")));
  const ssid2 = gpa(dm, "Device.WiFi.SSID.2.SSID");
  t.match(ssid2, { ok: true, response: { parameterList: [{ notification: 0 }] } }, "other instances untouched");
});

t.test("TR-069 A.3.2.4 9009 for active notification on TR-181 canDeny parameters (UpTime, counters); atomic", async (t) => {
  const dm = device();
  const rejected = spa(dm, notify("Device.DeviceInfo.SoftwareVersion", 2), notify("Device.DeviceInfo.UpTime", 2));
  t.match(faultOf(rejected), { faultCode: 9009, faultString: "Notification request rejected" });
  t.match(gpa(dm, "Device.DeviceInfo.SoftwareVersion"), { ok: true, response: { parameterList: [{ notification: 0 }] } }, "nothing applied");
  t.match(faultOf(spa(dm, notify("Device.IP.Interface.1.Stats.BytesSent", 2))), { faultCode: 9009 });
  t.match(spa(dm, notify("Device.DeviceInfo.UpTime", 1)), { ok: true }, "passive is allowed");
  t.match(spa(dm, notify("Device.DeviceInfo.", 2)), { ok: true }, "partial path: canDeny parameters are skipped");
  t.match(gpa(dm, "Device.DeviceInfo.UpTime", "Device.DeviceInfo.ModelName"), {
    ok: true,
    response: { parameterList: [{ notification: 1 }, { notification: 2 }] },
  });
});

t.test("TR-069 A.3.2.4 faults: 9005 unknown name, 9003 bad Notification or AccessList entry", async (t) => {
  const dm = device();
  t.match(faultOf(spa(dm, notify("Device.Nope.", 1))), { faultCode: 9005 });
  t.match(faultOf(gpa(dm, "Device.Nope")), { faultCode: 9005 });
  t.match(faultOf(spa(dm, notify("Device.DeviceInfo.ModelName", 7))), { faultCode: 9003 });
  t.match(faultOf(spa(dm, { name: "Device.DeviceInfo.ModelName", notificationChange: false, notification: 0, accessListChange: true, accessList: ["Admin"] })), {
    faultCode: 9003,
  });
});

t.test("attributes are per device and gone after a factory reset", async (t) => {
  const a = device();
  const b = createDeviceModel(a.profile, { serialNumber: "SIM0002" });
  spa(a, notify("Device.Time.NTPServer1", 2));
  t.match(gpa(b, "Device.Time.NTPServer1"), { ok: true, response: { parameterList: [{ notification: 0 }] } });
  a.factoryReset();
  t.match(gpa(a, "Device.Time.NTPServer1"), { ok: true, response: { parameterList: [{ notification: 0 }] } });
});

async function withCpe(t: { teardown(fn: () => unknown): void }, script: Script): Promise<{ acs: SessionAcs; fleet: Fleet }> {
  const acs = await startSessionAcs(script);
  const fleet = await startFleet({ acsUrl: acs.url, count: 1, crPort: 0 });
  t.teardown(async () => {
    await fleet.stop();
    await acs.close();
  });
  return { acs, fleet };
}

t.test("TR-069 §3.2.1 active notification: a local change starts a 4 VALUE CHANGE session carrying it; passive ones ride along", async (t) => {
  const { acs, fleet } = await withCpe(t, (inform) =>
    eventCodes(inform).includes("1 BOOT")
      ? [{ method: "SetParameterAttributes", parameterList: [notify("Device.WiFi.SSID.1.SSID", 2), notify("Device.Time.NTPServer1", 1)] }]
      : [],
  );
  const cpe = fleet.cpes[0]!;
  t.match(await cpe.boot(), { ok: true, methods: ["SetParameterAttributes"] });
  writeParameter(cpe, "Device.Time.NTPServer1", "ntp.example.net");
  writeParameter(cpe, "Device.WiFi.SSID.2.SSID", "not-notified");
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.equal(acs.sessions.length, 1, "passive and unnotified changes start no session");
  writeParameter(cpe, "Device.WiFi.SSID.1.SSID", "Renamed");
  const session = await acs.waitFor((s) => eventCodes(s.inform).includes("4 VALUE CHANGE"));
  t.same(eventCodes(session.inform), ["4 VALUE CHANGE"]);
  const list = session.inform.parameterList;
  t.same(list.slice(0, cpe.model.profile.informParameters.length).map((p) => p.name), cpe.model.profile.informParameters, "forced parameters first");
  t.same(
    list.slice(cpe.model.profile.informParameters.length),
    [
      { name: "Device.Time.NTPServer1", value: "ntp.example.net", type: "xsd:string" },
      { name: "Device.WiFi.SSID.1.SSID", value: "Renamed", type: "xsd:string" },
    ],
  );
  await cpe.whenIdle();
  const next = await cpe.inform([{ eventCode: "2 PERIODIC", commandKey: "" }]);
  t.same(next.events, ["2 PERIODIC"], "reported changes are not sent again");
  t.equal(acs.sessions.at(-1)?.inform.parameterList.length, cpe.model.profile.informParameters.length);
});

t.test("TR-069 §3.2.1 changes made by the ACS itself are not notified; an unchanged value is no change", async (t) => {
  const { acs, fleet } = await withCpe(t, (inform, index) =>
    index === 0
      ? [
          { method: "SetParameterAttributes", parameterList: [notify("Device.WiFi.SSID.1.SSID", 2)] },
          { method: "SetParameterValues", parameterList: [{ name: "Device.WiFi.SSID.1.SSID", value: "ByAcs", type: "xsd:string" }], parameterKey: "" },
        ]
      : [],
  );
  const cpe = fleet.cpes[0]!;
  await cpe.boot();
  writeParameter(cpe, "Device.WiFi.SSID.1.SSID", "ByAcs");
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.equal(acs.sessions.length, 1);
});

t.test("TR-069 §3.2.1 DefaultActiveNotificationThrottle: at most one active-notification session per interval", async (t) => {
  const { acs, fleet } = await withCpe(t, (inform) => (eventCodes(inform).includes("1 BOOT") ? [{ method: "SetParameterAttributes", parameterList: [notify("Device.WiFi.SSID.1.SSID", 2)] }] : []));
  const cpe = fleet.cpes[0]!;
  await cpe.boot();
  writeParameter(cpe, "Device.ManagementServer.DefaultActiveNotificationThrottle", "1");
  writeParameter(cpe, "Device.WiFi.SSID.1.SSID", "one");
  await acs.waitFor((s) => eventCodes(s.inform).includes("4 VALUE CHANGE"));
  const first = Date.now();
  writeParameter(cpe, "Device.WiFi.SSID.1.SSID", "two");
  const second = await acs.waitFor((s) => s.inform.parameterList.some((p) => p.value === "two"), 3000);
  t.ok(Date.now() - first >= 700, `second session ${Date.now() - first} ms later`);
  t.same(eventCodes(second.inform), ["4 VALUE CHANGE"]);
});
