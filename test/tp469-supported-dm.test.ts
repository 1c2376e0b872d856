// TP-469 section 1, the GetSupportedDM cases. The supported objects must be
// those of the CPE's own tree (instance numbers replaced by {i}), typed as
// TR-181 types them, plus Device.LocalAgent. which the gateway serves; the
// CPE's Device.ManagementServer. is not offered (the gateway is its ACS).
import t, { type Test } from "tap";
import type { GetSupportedDMResp, SupportedObjectResult } from "../src/usp/messages.js";
import { startBench, supportedDmResp } from "./tp469/harness.js";

const bench = await startBench({ serialPrefix: "TPSD" });
t.teardown(() => bench.stop());
const { cpe } = bench;

type ReqObjResult = GetSupportedDMResp["reqObjResults"][number];
const ALL = { returnCommands: true, returnEvents: true, returnParams: true, returnUniqueKeySets: true };
const NONE = { returnCommands: false, returnEvents: false, returnParams: false, returnUniqueKeySets: false };

async function gsdm(objPaths: string[], firstLevelOnly: boolean, flags: typeof ALL): Promise<ReqObjResult[]> {
  return supportedDmResp(await bench.ask({ type: "getSupportedDm", getSupportedDm: { objPaths, firstLevelOnly, ...flags } })).reqObjResults;
}

/** The CPE's objects under `root` as supported paths ({i} for instances). */
function cpeObjects(root: string): string[] {
  const out = new Set<string>();
  cpe.model.walk(root, (name) => {
    if (name.endsWith(".") && !name.startsWith("Device.ManagementServer.")) out.add(name.replace(/\.[1-9][0-9]*\./g, ".{i}."));
  });
  // A table is listed as its {i} path only, also while it has no rows.
  const tables = cpe.model.profile.tables;
  return [...new Set([...out].map((p) => (tables.has(`${p}{i}.`) ? `${p}{i}.` : p)))].sort();
}

const paths = (r: ReqObjResult | undefined): string[] => (r?.supportedObjs ?? []).map((o) => o.supportedObjPath).sort();
const obj = (r: ReqObjResult | undefined, path: string): SupportedObjectResult | undefined => r?.supportedObjs.find((o) => o.supportedObjPath === path);
const param = (o: SupportedObjectResult | undefined, name: string): unknown => {
  const p = o?.supportedParams.find((x) => x.paramName === name);
  return p === undefined ? undefined : [p.access, p.valueType];
};
const noDetails = (o: SupportedObjectResult): boolean =>
  o.supportedParams.length === 0 && o.supportedCommands.length === 0 && o.supportedEvents.length === 0 && o.uniqueKeySets.length === 0;
/** The first level below `root`: its own sub-objects, tables as {i}. */
const firstLevel = (root: string): string[] => cpeObjects(root).filter((p) => p === root || /^[A-Za-z0-9]+\.(\{i\}\.)?$/.test(p.slice(root.length)));

function checkHeader(t: Test, r: ReqObjResult | undefined, reqObjPath: string): void {
  t.equal(r?.reqObjPath, reqObjPath);
  t.equal(r?.errCode, 0);
  t.match(r?.dataModelInstUri, /^urn:broadband-forum-org:tr-181-2-\d+/, "data_model_inst_uri names TR-181");
}

t.test("TP-469 1.72 GetSupportedDM using a single object, first_level_only false, all options", async (t) => {
  const [r, ...rest] = await gsdm(["Device.WiFi."], false, ALL);
  t.same(rest, []);
  checkHeader(t, r, "Device.WiFi.");
  t.same(paths(r), cpeObjects("Device.WiFi."), "every object of the CPE's Device.WiFi. subtree");
  const ssid = obj(r, "Device.WiFi.SSID.{i}.");
  t.match(ssid, { access: "OBJ_READ_ONLY", isMultiInstance: true }, "a table the CPE does not let create in");
  t.same(
    ssid?.supportedParams.map((p) => p.paramName).sort(),
    cpe.model.children("Device.WiFi.SSID.1.").filter((n) => !n.endsWith(".")).map((n) => n.slice("Device.WiFi.SSID.1.".length)).sort(),
    "the parameters the CPE has",
  );
  t.same(param(ssid, "SSID"), ["PARAM_READ_WRITE", "PARAM_STRING"]);
  t.same(param(ssid, "Status"), ["PARAM_READ_ONLY", "PARAM_STRING"]);
  t.same(param(ssid, "Enable"), ["PARAM_READ_WRITE", "PARAM_BOOLEAN"]);
  t.same(param(obj(r, "Device.WiFi.Radio.{i}."), "Channel"), ["PARAM_READ_WRITE", "PARAM_UNSIGNED_INT"]);
  t.same(param(obj(r, "Device.WiFi.SSID.{i}.Stats."), "BytesSent"), ["PARAM_READ_ONLY", "PARAM_UNSIGNED_LONG"]);
  t.same(param(obj(r, "Device.WiFi.AccessPoint.{i}.Security."), "KeyPassphrase"), ["PARAM_WRITE_ONLY", "PARAM_STRING"], "a secured parameter is write-only");
  t.same(ssid?.uniqueKeySets.map((k) => k.keyNames), [["Alias"], ["Name"], ["BSSID"]]);
  t.match(obj(r, "Device.WiFi.SSID.{i}.Stats."), { isMultiInstance: false, uniqueKeySets: [] });
  t.same(obj(r, "Device.WiFi.")?.supportedCommands.map((c) => [c.commandName, c.commandType]).sort(), [["NeighboringWiFiDiagnostic()", "CMD_ASYNC"], ["Reset()", "CMD_SYNC"]]);
});

t.test("TP-469 1.73 GetSupportedDM using a single object, first_level_only true, all options", async (t) => {
  const [r] = await gsdm(["Device.WiFi."], true, ALL);
  checkHeader(t, r, "Device.WiFi.");
  t.same(paths(r), firstLevel("Device.WiFi."), "the object and its immediate child objects only");
  t.notOk(paths(r).includes("Device.WiFi.SSID.{i}.Stats."), "nothing two levels down");
  const wifi = obj(r, "Device.WiFi.");
  t.same(wifi?.supportedParams.map((p) => p.paramName).sort(), ["AccessPointNumberOfEntries", "EndPointNumberOfEntries", "RadioNumberOfEntries", "SSIDNumberOfEntries"]);
  t.ok((wifi?.supportedCommands.length ?? 0) > 0, "with its commands");
  t.same(obj(r, "Device.WiFi.Radio.{i}.")?.uniqueKeySets.map((k) => k.keyNames), [["Alias"], ["Name"]]);
});

t.test("TP-469 1.74 GetSupportedDM using a single object, first_level_only true, no options", async (t) => {
  const [r] = await gsdm(["Device.WiFi."], true, NONE);
  checkHeader(t, r, "Device.WiFi.");
  t.same(paths(r), firstLevel("Device.WiFi."));
  t.ok(r !== undefined && r.supportedObjs.every(noDetails), "no parameters, commands, events or unique key sets");
  t.match(obj(r, "Device.WiFi.SSID.{i}."), { access: "OBJ_READ_ONLY", isMultiInstance: true });
});

t.test("TP-469 1.75 GetSupportedDM using multiple objects, first_level_only true, all options", async (t) => {
  const results = await gsdm(["Device.WiFi.", "Device.DNS.Client."], true, ALL);
  t.equal(results.length, 2, "one req_obj_result per requested path, in order");
  checkHeader(t, results[0], "Device.WiFi.");
  checkHeader(t, results[1], "Device.DNS.Client.");
  t.same(paths(results[0]), firstLevel("Device.WiFi."));
  t.same(paths(results[1]), ["Device.DNS.Client.", "Device.DNS.Client.Server.{i}."]);
  t.match(obj(results[1], "Device.DNS.Client.Server.{i}."), { access: "OBJ_ADD_DELETE", isMultiInstance: true });
  t.same(obj(results[1], "Device.DNS.Client.Server.{i}.")?.uniqueKeySets.map((k) => k.keyNames), [["DNSServer"], ["Alias"]]);
});

t.test("TP-469 1.76 GetSupportedDM on root object, all options", async (t) => {
  const [r] = await gsdm(["Device."], false, ALL);
  checkHeader(t, r, "Device.");
  const got = paths(r);
  t.same(cpeObjects("Device.").filter((p) => !got.includes(p)), [], "every object of the CPE's tree");
  t.notOk(got.some((p) => p.startsWith("Device.ManagementServer.")), "not the CPE's ManagementServer (the gateway is its ACS)");
  const subscription = obj(r, "Device.LocalAgent.Subscription.{i}.");
  t.match(subscription, { access: "OBJ_ADD_DELETE", isMultiInstance: true }, "the gateway's own LocalAgent tables");
  t.ok(["ID", "NotifType", "ReferenceList", "Enable"].every((n) => subscription?.supportedParams.some((p) => p.paramName === n)));
  t.same(param(obj(r, "Device.DeviceInfo."), "SoftwareVersion"), ["PARAM_READ_ONLY", "PARAM_STRING"]);
  t.same(param(obj(r, "Device.DeviceInfo."), "UpTime"), ["PARAM_READ_ONLY", "PARAM_UNSIGNED_INT"]);
  t.same(param(obj(r, "Device.NAT.PortMapping.{i}."), "ExternalPort"), ["PARAM_READ_WRITE", "PARAM_UNSIGNED_INT"]);
});

t.test("TP-469 1.77 GetSupportedDM on unsupported object", async (t) => {
  const results = await gsdm(["Device.NoSuchObject.", "Device.WiFi.NoSuchTable.{i}."], false, ALL);
  for (const [i, path] of ["Device.NoSuchObject.", "Device.WiFi.NoSuchTable.{i}."].entries()) {
    t.equal(results[i]?.reqObjPath, path);
    t.equal(results[i]?.errCode, 7026, `${path}: 7026 Invalid path`);
    t.not(results[i]?.errMsg, "");
    t.same(results[i]?.supportedObjs, []);
  }
});

t.test("TP-469 1.97 GetSupportedDM on root object, commands", async (t) => {
  const [r] = await gsdm(["Device."], false, { ...NONE, returnCommands: true });
  checkHeader(t, r, "Device.");
  const command = (o: string, name: string): unknown => obj(r, o)?.supportedCommands.find((c) => c.commandName === name);
  t.same(command("Device.", "Reboot()"), { commandName: "Reboot()", inputArgNames: ["Cause", "Reason"], outputArgNames: [], commandType: "CMD_SYNC" });
  t.same(command("Device.", "FactoryReset()"), { commandName: "FactoryReset()", inputArgNames: ["Cause", "Reason"], outputArgNames: [], commandType: "CMD_SYNC" });
  t.match(command("Device.IP.Diagnostics.", "IPPing()"), { commandType: "CMD_ASYNC" });
  t.ok((obj(r, "Device.IP.Diagnostics.")?.supportedCommands.find((c) => c.commandName === "IPPing()")?.inputArgNames ?? []).includes("Host"), "IPPing() takes Host");
  t.ok((obj(r, "Device.IP.Diagnostics.")?.supportedCommands.find((c) => c.commandName === "IPPing()")?.outputArgNames ?? []).includes("SuccessCount"));
  t.ok(r !== undefined && r.supportedObjs.every((o) => o.supportedParams.length === 0 && o.supportedEvents.length === 0 && o.uniqueKeySets.length === 0), "commands only");
});

t.test("TP-469 1.98 GetSupportedDM on root object, events", async (t) => {
  const [r] = await gsdm(["Device."], false, { ...NONE, returnEvents: true });
  checkHeader(t, r, "Device.");
  t.same(obj(r, "Device.")?.supportedEvents, [{ eventName: "Boot!", argNames: ["CommandKey", "Cause", "Reason", "FirmwareUpdated", "ParameterMap"] }]);
  t.same(obj(r, "Device.LocalAgent.")?.supportedEvents.find((e) => e.eventName === "Periodic!"), { eventName: "Periodic!", argNames: [] });
  t.ok(r !== undefined && r.supportedObjs.every((o) => o.supportedParams.length === 0 && o.supportedCommands.length === 0 && o.uniqueKeySets.length === 0), "events only");
});

t.test("TP-469 1.99 GetSupportedDM, unique_key_sets", async (t) => {
  const [r] = await gsdm(["Device."], false, { ...NONE, returnUniqueKeySets: true });
  checkHeader(t, r, "Device.");
  const keys = (path: string): string[][] | undefined => obj(r, path)?.uniqueKeySets.map((k) => k.keyNames);
  t.same(keys("Device.NAT.PortMapping.{i}."), [["Alias"], ["RemoteHost", "ExternalPort", "Protocol"]]);
  t.same(keys("Device.IP.Interface.{i}."), [["Alias"], ["Name"]]);
  t.same(keys("Device.IP.Interface.{i}.IPv4Address.{i}."), [["Alias"], ["IPAddress", "SubnetMask"]]);
  t.same(keys("Device.DeviceInfo."), [], "single-instance objects have none");
  t.same(keys("Device.IP.Diagnostics.TraceRoute.RouteHops.{i}."), [], "a TR-181 table without unique keys has none");
  t.ok(r !== undefined && r.supportedObjs.every((o) => o.supportedParams.length === 0 && o.supportedCommands.length === 0 && o.supportedEvents.length === 0));
});

t.test("TP-469 1.105 GetSupportedDM on a Command", async (t) => {
  const [r] = await gsdm(["Device.Reboot()"], false, ALL);
  checkHeader(t, r, "Device.Reboot()");
  t.same(r?.supportedObjs, [
    {
      supportedObjPath: "Device.",
      access: "OBJ_READ_ONLY",
      isMultiInstance: false,
      supportedCommands: [{ commandName: "Reboot()", inputArgNames: ["Cause", "Reason"], outputArgNames: [], commandType: "CMD_SYNC" }],
      supportedEvents: [],
      supportedParams: [],
      divergentPaths: [],
      uniqueKeySets: [],
    },
  ], "the command's object with that command only");
});

t.test("TP-469 1.106 GetSupportedDM on an Event", async (t) => {
  const [r] = await gsdm(["Device.Boot!"], false, ALL);
  checkHeader(t, r, "Device.Boot!");
  t.same(r?.supportedObjs, [
    {
      supportedObjPath: "Device.",
      access: "OBJ_READ_ONLY",
      isMultiInstance: false,
      supportedCommands: [],
      supportedEvents: [{ eventName: "Boot!", argNames: ["CommandKey", "Cause", "Reason", "FirmwareUpdated", "ParameterMap"] }],
      supportedParams: [],
      divergentPaths: [],
      uniqueKeySets: [],
    },
  ], "the event's object with that event only");
});

t.test("TP-469 1.107 GetSupportedDM on a Parameter", async (t) => {
  const [r] = await gsdm(["Device.DeviceInfo.SoftwareVersion", "Device.WiFi.SSID.{i}.SSID"], false, ALL);
  checkHeader(t, r, "Device.DeviceInfo.SoftwareVersion");
  t.same(r?.supportedObjs.map((o) => [o.supportedObjPath, o.supportedParams]), [
    ["Device.DeviceInfo.", [{ paramName: "SoftwareVersion", access: "PARAM_READ_ONLY", valueType: "PARAM_STRING", valueChange: "VALUE_CHANGE_ALLOWED" }]],
  ], "the parameter's object with that parameter only");
  const [, ssid] = await gsdm(["Device.DeviceInfo.SoftwareVersion", "Device.WiFi.SSID.{i}.SSID"], false, ALL);
  t.same(ssid?.supportedObjs.map((o) => [o.supportedObjPath, o.supportedParams.map((p) => [p.paramName, p.access, p.valueType])]), [
    ["Device.WiFi.SSID.{i}.", [["SSID", "PARAM_READ_WRITE", "PARAM_STRING"]]],
  ], "also in a table, by its supported path");
});
