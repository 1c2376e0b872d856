// USP GetSupportedDM translated to CWMP GetParameterNames against the fake
// CPE, combined with the generated TR-181 schema. Titles cite the TP-469 case
// or TR-369 rule they prove; replies are checked field by field against the
// GetSupportedDMResp shapes of usp.md §1.2, and the exact RPC sequence.
import t from "tap";
import type { GetSupportedDM, GetSupportedDMResp, Request, SupportedObjectResult, SupportedParamResult } from "../src/usp/messages.js";
import type { UspReply } from "../src/translate/plan.js";
import { DeviceModel } from "../src/translate/device-model.js";
import { DATA_MODEL_INST_URI, foldGetSupportedDm } from "../src/translate/supported-dm.js";
import { TR181 } from "../src/translate/schema.js";
import { FakeCpe, context, describe, p, run, type Tree } from "./fixtures/translate-cpe.js";

const s = "xsd:string";
const b = "xsd:boolean";
const u = "xsd:unsignedInt";

function tree(): Tree {
  return {
    "Device.RootDataModelVersion": p("2.19"),
    "Device.DeviceInfo.Manufacturer": p("ACME"),
    "Device.DeviceInfo.SoftwareVersion": p("1.2.3"),
    "Device.DeviceInfo.X_ACME_Debug": p("0", u, true),
    "Device.ManagementServer.URL": p("http://acs.example/", s, true),
    "Device.WiFi.SSIDNumberOfEntries": p("2", u),
    "Device.WiFi.SSID.1.Enable": p("true", b, true),
    "Device.WiFi.SSID.1.Alias": p("cpe-1", s, true),
    "Device.WiFi.SSID.1.Name": p("wl0"),
    "Device.WiFi.SSID.1.LowerLayers": p("Device.WiFi.Radio.1."),
    "Device.WiFi.SSID.1.BSSID": p("00:11:22:33:44:55"),
    "Device.WiFi.SSID.1.SSID": p("Home", s, true),
    "Device.WiFi.SSID.1.Stats.BytesSent": p("1", "xsd:unsignedLong"),
    "Device.WiFi.SSID.2.Enable": p("false", b, true),
    "Device.WiFi.SSID.2.Alias": p("cpe-2", s, true),
    "Device.WiFi.SSID.2.Name": p("wl1"),
    "Device.WiFi.SSID.2.BSSID": p("00:11:22:33:44:56"),
    "Device.WiFi.SSID.2.SSID": p("Home-5G", s, true),
    "Device.WiFi.SSID.2.X_ACME_Band": p("5GHz"),
    "Device.WiFi.SSID.2.Stats.BytesSent": p("2", "xsd:unsignedLong"),
    "Device.WiFi.AccessPoint.1.Alias": p("cpe-ap-1", s, true),
    "Device.WiFi.AccessPoint.1.SSIDReference": p("Device.WiFi.SSID.1.", s, true),
    "Device.WiFi.AccessPoint.1.Security.KeyPassphrase": p("", s, true),
    "Device.IP.Interface.1.Name": p("eth0"),
    "Device.IP.Interface.1.IPv4Address.1.IPAddress": p("192.168.1.1", s, true),
    "Device.X_ACME_Table.1.Foo": p("x", "xsd:int", true),
  };
}

// Writable flags of objects (TR-069 A.3.2.3): declared tables are addable
// unless writable is false, instances deletable unless their table says no.
const TABLES = {
  "Device.WiFi.SSID.{i}.": { defaults: {} },
  "Device.WiFi.AccessPoint.{i}.": { defaults: {} },
  "Device.IP.Interface.{i}.": { defaults: {}, writable: false },
  "Device.X_ACME_Table.{i}.": { defaults: {} },
};

const ALL = { firstLevelOnly: false, returnCommands: true, returnEvents: true, returnParams: true, returnUniqueKeySets: true };
const NONE = { firstLevelOnly: false, returnCommands: false, returnEvents: false, returnParams: false, returnUniqueKeySets: false };

function resp(reply: UspReply): GetSupportedDMResp {
  if (reply.kind !== "response" || reply.response.type !== "getSupportedDmResp") throw new Error(`not a GetSupportedDMResp: ${JSON.stringify(reply)}`);
  return reply.response.getSupportedDmResp;
}

function ask(objPaths: string[], flags: Omit<GetSupportedDM, "objPaths"> = ALL, model = new DeviceModel()): { resp: GetSupportedDMResp; rpcs: string[] } {
  const cpe = new FakeCpe(tree(), ["Device.Hosts.Host."], TABLES);
  const request: Request = { type: "getSupportedDm", getSupportedDm: { objPaths, ...flags } };
  const { reply } = run(request, context({}, model), cpe);
  return { resp: resp(reply), rpcs: cpe.log.map(describe) };
}

function objs(r: GetSupportedDMResp, i = 0): SupportedObjectResult[] {
  return r.reqObjResults[i]?.supportedObjs ?? [];
}

function obj(r: GetSupportedDMResp, path: string, i = 0): SupportedObjectResult | undefined {
  return objs(r, i).find((o) => o.supportedObjPath === path);
}

const param = (paramName: string, access: SupportedParamResult["access"], valueType: SupportedParamResult["valueType"], valueChange: SupportedParamResult["valueChange"] = "VALUE_CHANGE_ALLOWED"): SupportedParamResult => ({
  paramName,
  access,
  valueType,
  valueChange,
});

const SSID_ROW: SupportedObjectResult = {
  supportedObjPath: "Device.WiFi.SSID.{i}.",
  access: "OBJ_ADD_DELETE",
  isMultiInstance: true,
  supportedCommands: [],
  supportedEvents: [],
  supportedParams: [
    param("Enable", "PARAM_READ_WRITE", "PARAM_BOOLEAN"),
    param("Alias", "PARAM_READ_WRITE", "PARAM_STRING"), // writeOnceReadOnly
    param("Name", "PARAM_READ_ONLY", "PARAM_STRING"),
    param("LowerLayers", "PARAM_READ_ONLY", "PARAM_STRING"), // readWrite in TR-181, not on this CPE
    param("BSSID", "PARAM_READ_ONLY", "PARAM_STRING"),
    param("SSID", "PARAM_READ_WRITE", "PARAM_STRING"),
    param("X_ACME_Band", "PARAM_READ_ONLY", "PARAM_UNKNOWN", "VALUE_CHANGE_UNKNOWN"),
  ],
  divergentPaths: [],
  uniqueKeySets: [{ keyNames: ["Alias"] }, { keyNames: ["Name"] }, { keyNames: ["BSSID"] }],
};

const SSID_STATS: SupportedObjectResult = {
  supportedObjPath: "Device.WiFi.SSID.{i}.Stats.",
  access: "OBJ_READ_ONLY",
  isMultiInstance: false,
  supportedCommands: [{ commandName: "Reset()", inputArgNames: [], outputArgNames: [], commandType: "CMD_SYNC" }],
  supportedEvents: [],
  supportedParams: [param("BytesSent", "PARAM_READ_ONLY", "PARAM_UNSIGNED_LONG", "VALUE_CHANGE_WILL_IGNORE")],
  divergentPaths: [],
  uniqueKeySets: [],
};

t.test("TP-469 1.72 a table in supported form, all options: one object per supported path, every field", async (t) => {
  const { resp: r, rpcs } = ask(["Device.WiFi.SSID.{i}."]);
  t.same(rpcs, ["GPN Device.WiFi.SSID. false", "GPN Device.WiFi. true"], "the table's subtree, then its own Writable flag");
  t.same(r.reqObjResults, [
    { reqObjPath: "Device.WiFi.SSID.{i}.", errCode: 0, errMsg: "", dataModelInstUri: "urn:broadband-forum-org:tr-181-2-19-1-usp", supportedObjs: [SSID_ROW, SSID_STATS] },
  ]);
  t.equal(DATA_MODEL_INST_URI, TR181.spec);
});

t.test("usp.md §1.2 notes: the final {i}. may be left out; an instantiated path of an existing instance works alike", async (t) => {
  for (const path of ["Device.WiFi.SSID.", "Device.WiFi.SSID.2.", "Device.WiFi.SSID.*."]) {
    const { resp: r } = ask([path]);
    t.equal(r.reqObjResults[0]?.reqObjPath, path);
    t.equal(r.reqObjResults[0]?.errCode, 0, path);
    t.same(objs(r), [SSID_ROW, SSID_STATS], path);
  }
  const { resp: r } = ask(["Device.WiFi.SSID.2.Stats."]);
  t.same(objs(r), [SSID_STATS], "a sub-object of an instance");
});

t.test("TR-369 GetSupportedDM: an instantiated path must name an existing object (7016), {i} cannot be followed by an instance (7008)", async (t) => {
  const { resp: r } = ask(["Device.WiFi.SSID.7.", "Device.WiFi.SSID.{i}.1.", "Device.WiFi..SSID."]);
  t.same(
    r.reqObjResults.map((x) => [x.reqObjPath, x.errCode, x.dataModelInstUri, x.supportedObjs]),
    [
      ["Device.WiFi.SSID.7.", 7016, "", []],
      ["Device.WiFi.SSID.{i}.1.", 7008, "", []],
      ["Device.WiFi..SSID.", 7008, "", []],
    ],
  );
  t.match(r.reqObjResults[0]?.errMsg, /Device\.WiFi\.SSID\.7\./);
});

t.test("TP-469 1.73 first_level_only, all options: the object in full, its immediate children without details", async (t) => {
  const { resp: r, rpcs } = ask(["Device.WiFi."], { ...ALL, firstLevelOnly: true });
  t.same(rpcs, ["GPN Device.WiFi. false"]);
  t.same(
    objs(r).map((o) => o.supportedObjPath),
    ["Device.WiFi.", "Device.WiFi.AccessPoint.{i}.", "Device.WiFi.SSID.{i}."],
    "Stats and Security are two levels down",
  );
  const wifi = obj(r, "Device.WiFi.");
  t.same(wifi?.supportedParams, [param("SSIDNumberOfEntries", "PARAM_READ_ONLY", "PARAM_UNSIGNED_INT")], "only what the CPE has");
  t.same(
    wifi?.supportedCommands.map((c) => [c.commandName, c.commandType, c.inputArgNames, c.outputArgNames.slice(0, 2)]),
    [
      ["NeighboringWiFiDiagnostic()", "CMD_ASYNC", [], ["Status", "Result.{i}.Radio"]],
      ["Reset()", "CMD_SYNC", [], []],
    ],
  );
  t.same(obj(r, "Device.WiFi.SSID.{i}."), { ...SSID_ROW, supportedParams: [] }, "access, multi-instance and unique keys, nothing else");
  t.same(obj(r, "Device.WiFi.AccessPoint.{i}.")?.uniqueKeySets, [{ keyNames: ["Alias"] }, { keyNames: ["SSIDReference"] }]);
});

t.test("TP-469 1.74 first_level_only, no options: paths, access and multi-instance only", async (t) => {
  const { resp: r } = ask(["Device.WiFi."], { ...NONE, firstLevelOnly: true });
  t.same(objs(r), [
    { supportedObjPath: "Device.WiFi.", access: "OBJ_READ_ONLY", isMultiInstance: false, supportedCommands: [], supportedEvents: [], supportedParams: [], divergentPaths: [], uniqueKeySets: [] },
    { supportedObjPath: "Device.WiFi.AccessPoint.{i}.", access: "OBJ_ADD_DELETE", isMultiInstance: true, supportedCommands: [], supportedEvents: [], supportedParams: [], divergentPaths: [], uniqueKeySets: [] },
    { supportedObjPath: "Device.WiFi.SSID.{i}.", access: "OBJ_ADD_DELETE", isMultiInstance: true, supportedCommands: [], supportedEvents: [], supportedParams: [], divergentPaths: [], uniqueKeySets: [] },
  ]);
});

t.test("TP-469 1.75 several objects: one req_obj_result per path in request order, one GPN each", async (t) => {
  const { resp: r, rpcs } = ask(["Device.DeviceInfo.", "Device.WiFi."], { ...ALL, firstLevelOnly: true });
  t.same(rpcs, ["GPN Device.DeviceInfo. false", "GPN Device.WiFi. false"]);
  t.same(
    r.reqObjResults.map((x) => [x.reqObjPath, x.errCode, x.supportedObjs[0]?.supportedObjPath]),
    [
      ["Device.DeviceInfo.", 0, "Device.DeviceInfo."],
      ["Device.WiFi.", 0, "Device.WiFi."],
    ],
  );
  t.same(obj(r, "Device.DeviceInfo.")?.supportedParams, [
    param("Manufacturer", "PARAM_READ_ONLY", "PARAM_STRING"),
    param("SoftwareVersion", "PARAM_READ_ONLY", "PARAM_STRING"),
    param("X_ACME_Debug", "PARAM_READ_WRITE", "PARAM_UNKNOWN", "VALUE_CHANGE_UNKNOWN"),
  ]);
});

t.test("TP-469 1.76 root object: the CPE's whole tree in one GPN, plus the gateway's Device.LocalAgent.", async (t) => {
  const { resp: r, rpcs } = ask(["Device."]);
  t.same(rpcs, ["GPN Device. false"]);
  const paths = objs(r).map((o) => o.supportedObjPath);
  t.equal(paths[0], "Device.");
  for (const p of ["Device.DeviceInfo.", "Device.WiFi.SSID.{i}.Stats.", "Device.IP.Interface.{i}.IPv4Address.{i}.", "Device.X_ACME_Table.{i}.", "Device.LocalAgent.", "Device.LocalAgent.Controller.{i}.", "Device.Hosts.Host.{i}."]) {
    t.ok(paths.includes(p), p);
  }
  t.notOk(paths.includes("Device.ManagementServer."), "the CWMP management server is not part of the USP model (mapping.md MS-1)");
  t.notOk(paths.includes("Device.WiFi.Radio.{i}."), "only what the CPE has");
  t.equal(paths.length, new Set(paths).size, "each supported path once");
  t.same(obj(r, "Device.")?.supportedParams, [param("RootDataModelVersion", "PARAM_READ_ONLY", "PARAM_STRING")]);
});

t.test("TP-469 1.97 root object, commands: sync and async with their argument names", async (t) => {
  const { resp: r } = ask(["Device."], { ...NONE, firstLevelOnly: true, returnCommands: true });
  const cmds = obj(r, "Device.")?.supportedCommands ?? [];
  t.same(
    cmds.find((c) => c.commandName === "Reboot()"),
    { commandName: "Reboot()", inputArgNames: ["Cause", "Reason"], outputArgNames: [], commandType: "CMD_SYNC" },
  );
  t.equal(cmds.find((c) => c.commandName === "SelfTestDiagnostics()")?.commandType, "CMD_ASYNC");
  t.same(obj(r, "Device.")?.supportedEvents, [], "return_events false");
});

t.test("TP-469 1.98 root object, events: Boot! with its arguments", async (t) => {
  const { resp: r } = ask(["Device."], { ...NONE, firstLevelOnly: true, returnEvents: true });
  t.same(obj(r, "Device.")?.supportedEvents, [{ eventName: "Boot!", argNames: ["CommandKey", "Cause", "Reason", "FirmwareUpdated", "ParameterMap"] }]);
});

t.test("TP-469 1.99 unique_key_sets: a key set counts only where the CPE has all its parameters", async (t) => {
  const { resp: r } = ask(["Device.IP."], { ...NONE, returnUniqueKeySets: true });
  t.same(obj(r, "Device.IP.Interface.{i}.")?.uniqueKeySets, [{ keyNames: ["Name"] }], "no Alias on this CPE");
  t.same(obj(r, "Device.IP.Interface.{i}.IPv4Address.{i}.")?.uniqueKeySets, [], "neither Alias nor SubnetMask");
});

t.test("access: the schema's, narrowed by the CPE's Writable flags (AddObject on the table, DeleteObject on instances)", async (t) => {
  const { resp: r } = ask(["Device.IP.", "Device.X_ACME_Table."], NONE);
  t.equal(obj(r, "Device.IP.Interface.{i}.")?.access, "OBJ_READ_ONLY", "TR-181 readWrite, but the CPE allows neither");
  t.equal(obj(r, "Device.IP.Interface.{i}.IPv4Address.{i}.")?.access, "OBJ_DELETE_ONLY", "instances deletable, table not addable");
  t.same(obj(r, "Device.X_ACME_Table.{i}.", 1), {
    supportedObjPath: "Device.X_ACME_Table.{i}.",
    access: "OBJ_ADD_DELETE",
    isMultiInstance: true,
    supportedCommands: [],
    supportedEvents: [],
    supportedParams: [],
    divergentPaths: [],
    uniqueKeySets: [],
  }, "a vendor table: the CPE's word alone");
});

t.test("parameters: secured values are write-only; vendor parameters carry the CWMP type once one was seen", async (t) => {
  const { resp: r } = ask(["Device.WiFi.AccessPoint.{i}.Security."]);
  t.same(obj(r, "Device.WiFi.AccessPoint.{i}.Security.")?.supportedParams, [param("KeyPassphrase", "PARAM_WRITE_ONLY", "PARAM_STRING")]);
  const model = new DeviceModel();
  model.learnFromInform([{ name: "Device.DeviceInfo.X_ACME_Debug", value: "0", type: u }]);
  const { resp: typed } = ask(["Device.DeviceInfo."], ALL, model);
  t.same(
    obj(typed, "Device.DeviceInfo.")?.supportedParams.find((x) => x.paramName === "X_ACME_Debug"),
    param("X_ACME_Debug", "PARAM_READ_WRITE", "PARAM_UNSIGNED_INT", "VALUE_CHANGE_UNKNOWN"),
  );
});

t.test("a table without instances: its rows as the schema describes them (CWMP cannot list an empty row)", async (t) => {
  const { resp: r } = ask(["Device.Hosts."], { ...NONE, returnParams: true, returnUniqueKeySets: true });
  const host = obj(r, "Device.Hosts.Host.{i}.");
  t.same(
    host?.supportedParams.map((x) => x.paramName),
    TR181.object("Device.Hosts.Host.{i}.")?.params.map((x) => x.name),
  );
  t.equal(host?.access, "OBJ_READ_ONLY");
  t.same(host?.uniqueKeySets, [{ keyNames: ["PhysAddress"] }]);
  t.ok(obj(r, "Device.Hosts.Host.{i}.IPv4Address.{i}."), "and what lies below the rows");
  t.same(obj(r, "Device.Hosts.")?.supportedParams, [], "the CPE has no Hosts parameter");
});

t.test("Device.LocalAgent. is answered from the schema without any CWMP RPC", async (t) => {
  const { resp: r, rpcs } = ask(["Device.LocalAgent.", "Device.LocalAgent.Controller.1."], { ...ALL, firstLevelOnly: true });
  t.same(rpcs, []);
  t.same(obj(r, "Device.LocalAgent.")?.supportedEvents.map((e) => e.eventName), ["Periodic!", "WakeUp!", "TransferComplete!"]);
  t.same(obj(r, "Device.LocalAgent.Controller.{i}.")?.uniqueKeySets, [{ keyNames: ["EndpointID"] }, { keyNames: ["Alias"] }]);
  const ctrl = obj(r, "Device.LocalAgent.Controller.{i}.", 1);
  t.equal(ctrl?.access, "OBJ_ADD_DELETE");
  t.same(ctrl?.supportedCommands.map((c) => c.commandName), ["AddMyCertificate()", "SendOnBoardRequest()"], "in the XML's order");
  t.equal(ctrl?.supportedParams.length, TR181.object("Device.LocalAgent.Controller.{i}.")?.params.length);
});

t.test("Device.MQTT. is the gateway's MQTT client: its served part from the schema, no broker, the client not addable", async (t) => {
  const { resp: r, rpcs } = ask(["Device.MQTT.", "Device.MQTT.Broker.{i}."], ALL);
  t.same(rpcs, []);
  t.same(
    objs(r).map((o) => [o.supportedObjPath, o.access]),
    [
      ["Device.MQTT.", "OBJ_READ_ONLY"],
      ["Device.MQTT.Capabilities.", "OBJ_READ_ONLY"],
      ["Device.MQTT.Client.{i}.", "OBJ_READ_ONLY"],
      ["Device.MQTT.Client.{i}.Subscription.{i}.", "OBJ_ADD_DELETE"],
    ],
  );
  t.equal(r.reqObjResults[1]?.errCode, 7026, "the broker is not supported");
  const root = ask(["Device."], { ...ALL, firstLevelOnly: true }).resp;
  t.ok(objs(root).some((o) => o.supportedObjPath === "Device.MQTT."), "listed under Device. too");
});

t.test("TP-469 1.105 1.106 1.107 a command, an event or a parameter path: its object with just that element", async (t) => {
  const { resp: r } = ask(["Device.IP.Diagnostics.IPPing()", "Device.Boot!", "Device.WiFi.SSID.{i}.SSID", "Device.WiFi.SSID.1.Stats.BytesSent"], NONE);
  const [ping, boot, ssid, bytes] = r.reqObjResults;
  t.equal(ping?.errCode, 7026, "this CPE has no Device.IP.Diagnostics.");
  t.same(boot?.supportedObjs, [
    { supportedObjPath: "Device.", access: "OBJ_READ_ONLY", isMultiInstance: false, supportedCommands: [], supportedEvents: [{ eventName: "Boot!", argNames: ["CommandKey", "Cause", "Reason", "FirmwareUpdated", "ParameterMap"] }], supportedParams: [], divergentPaths: [], uniqueKeySets: [] },
  ]);
  t.same(ssid?.supportedObjs.map((o) => [o.supportedObjPath, o.supportedParams]), [["Device.WiFi.SSID.{i}.", [param("SSID", "PARAM_READ_WRITE", "PARAM_STRING")]]]);
  t.same(bytes?.supportedObjs.map((o) => [o.supportedObjPath, o.supportedParams]), [["Device.WiFi.SSID.{i}.Stats.", [param("BytesSent", "PARAM_READ_ONLY", "PARAM_UNSIGNED_LONG", "VALUE_CHANGE_WILL_IGNORE")]]]);
  const { resp: cmd } = ask(["Device.Reboot()", "Device.Nope()", "Device.DeviceInfo.Nope"], NONE);
  t.same(cmd.reqObjResults[0]?.supportedObjs[0]?.supportedCommands, [{ commandName: "Reboot()", inputArgNames: ["Cause", "Reason"], outputArgNames: [], commandType: "CMD_SYNC" }]);
  t.same(cmd.reqObjResults.slice(1).map((x) => x.errCode), [7026, 7026]);
});

t.test("TP-469 1.77 an unsupported object is 7026 for that path only", async (t) => {
  const { resp: r } = ask(["Device.Nope.", "Device.ManagementServer.", "InternetGatewayDevice.", "Device.WiFi.SSID.{i}.Nope.", "Device.DeviceInfo."], NONE);
  t.same(
    r.reqObjResults.map((x) => [x.reqObjPath, x.errCode, x.dataModelInstUri, x.supportedObjs.length]),
    [
      ["Device.Nope.", 7026, "", 0],
      ["Device.ManagementServer.", 7026, "", 0],
      ["InternetGatewayDevice.", 7026, "", 0],
      ["Device.WiFi.SSID.{i}.Nope.", 7026, "", 0],
      ["Device.DeviceInfo.", 0, DATA_MODEL_INST_URI, 1],
    ],
  );
});

t.test("a CWMP fault other than 9005 is mapped for that path (9002 → 7003)", async (t) => {
  const cpe = new FakeCpe(tree(), [], TABLES);
  cpe.inject = (req) => (req.method === "GetParameterNames" && req.parameterPath === "Device.WiFi." ? { faultCode: 9002, faultString: "Internal error", setParameterValuesFaults: [] } : undefined);
  const { reply } = run({ type: "getSupportedDm", getSupportedDm: { objPaths: ["Device.WiFi.", "Device.DeviceInfo."], ...NONE } }, context(), cpe);
  t.same(
    resp(reply).reqObjResults.map((x) => [x.reqObjPath, x.errCode]),
    [
      ["Device.WiFi.", 7003],
      ["Device.DeviceInfo.", 0],
    ],
  );
});

t.test("foldGetSupportedDm before any answer: 7003 for paths still unknown, LocalAgent answered", async (t) => {
  const r = foldGetSupportedDm({ objPaths: ["Device.WiFi.", "Device.LocalAgent."], ...NONE }, context());
  t.same(
    r.reqObjResults.map((x) => [x.reqObjPath, x.errCode]),
    [
      ["Device.WiFi.", 7003],
      ["Device.LocalAgent.", 0],
    ],
  );
});
