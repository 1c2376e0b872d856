// End to end over real sockets: USP GetSupportedDM from a test controller,
// through the MQTT broker and the gateway, to a simulated TR-181 CPE
// (src/sim/profiles/tr181-gateway.json). Expectations are read off the
// simulated CPE's own tree, so the test follows the profile as it changes.
import t from "tap";
import { startFleet, type Fleet } from "../src/sim/fleet.js";
import { getParameterNames } from "../src/sim/data-model.js";
import type { Cpe } from "../src/sim/cpe.js";
import type { GetSupportedDMResp, Msg, Request } from "../src/usp/messages.js";
import { TR181 } from "../src/translate/schema.js";
import { testBroker } from "./helpers/broker.js";
import { CR_PASSWORD, CR_USERNAME, startTestGateway } from "./helpers/gateway.js";
import { TestController } from "./helpers/usp-controller.js";

const OUI = "00256D";

const broker = await testBroker();
const gw = await startTestGateway(broker.url);
const controller = await TestController.connect(broker.url, gw.controllerId, gw.controllerTopic);
const fleet: Fleet = await startFleet({
  acsUrl: gw.gateway.acsUrl,
  count: 1,
  serialPrefix: `GSDM${process.pid}-`,
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
await fleet.bootAll();

const ALL = { firstLevelOnly: false, returnCommands: true, returnEvents: true, returnParams: true, returnUniqueKeySets: true };

async function gsdm(objPaths: string[], flags = ALL): Promise<{ msg: Msg; resp: GetSupportedDMResp }> {
  const request: Request = { type: "getSupportedDm", getSupportedDm: { objPaths, ...flags } };
  const msg = await controller.request(agentId, agentTopic, request);
  if (msg.body.kind !== "response" || msg.body.response.type !== "getSupportedDmResp") throw new Error(`expected GetSupportedDMResp, got ${JSON.stringify(msg.body)}`);
  return { msg, resp: msg.body.response.getSupportedDmResp };
}

/** The simulated CPE's own listing (GetParameterNames, NextLevel=false). */
function cpeNames(device: Cpe, path: string): { name: string; writable: boolean }[] {
  const r = getParameterNames(device.model, { method: "GetParameterNames", parameterPath: path, nextLevel: false });
  if (!("parameterList" in r)) throw new Error(`the simulated CPE has no ${path}`);
  return r.parameterList;
}

t.test("TP-469 1.72 a table: the parameters the CPE has, typed and keyed by the TR-181 schema", async (t) => {
  const { msg, resp } = await gsdm(["Device.WiFi.SSID.{i}."]);
  t.equal(msg.header.msgType, "GET_SUPPORTED_DM_RESP");
  const [result] = resp.reqObjResults;
  t.equal(result?.reqObjPath, "Device.WiFi.SSID.{i}.");
  t.equal(result?.errCode, 0);
  t.equal(result?.dataModelInstUri, "urn:broadband-forum-org:tr-181-2-19-1-usp");
  const listing = cpeNames(cpe, "Device.WiFi.SSID.");
  const rowParams = new Set(listing.flatMap((p) => /^Device\.WiFi\.SSID\.[0-9]+\.([A-Za-z0-9_]+)$/.exec(p.name)?.[1] ?? []));
  const row = result?.supportedObjs.find((o) => o.supportedObjPath === "Device.WiFi.SSID.{i}.");
  t.same(new Set(row?.supportedParams.map((x) => x.paramName)), rowParams, "exactly the CPE's parameters");
  t.equal(row?.isMultiInstance, true);
  // The simulated SSID table refuses AddObject and DeleteObject.
  const addable = listing.some((p) => p.name === "Device.WiFi.SSID." && p.writable);
  const deletable = listing.some((p) => /^Device\.WiFi\.SSID\.[0-9]+\.$/.test(p.name) && p.writable);
  t.equal(row?.access, addable && deletable ? "OBJ_ADD_DELETE" : addable ? "OBJ_ADD_ONLY" : deletable ? "OBJ_DELETE_ONLY" : "OBJ_READ_ONLY");
  const schema = TR181.object("Device.WiFi.SSID.{i}.");
  for (const x of row?.supportedParams ?? []) {
    const sp = schema?.paramsByName.get(x.paramName);
    if (sp !== undefined) t.equal(x.valueType, sp.valueType, `${x.paramName} typed by the schema`);
  }
  t.same(
    row?.supportedParams.find((x) => x.paramName === "SSID"),
    { paramName: "SSID", access: listing.find((p) => p.name === "Device.WiFi.SSID.1.SSID")?.writable === false ? "PARAM_READ_ONLY" : "PARAM_READ_WRITE", valueType: "PARAM_STRING", valueChange: "VALUE_CHANGE_ALLOWED" },
  );
  t.same(row?.uniqueKeySets, [{ keyNames: ["Alias"] }, { keyNames: ["Name"] }, { keyNames: ["BSSID"] }].filter((k) => k.keyNames.every((n) => rowParams.has(n))));
  t.ok(result?.supportedObjs.some((o) => o.supportedObjPath === "Device.WiFi.SSID.{i}.Stats."), "its sub-object");
});

t.test("TP-469 1.76 root object: the CPE's tree with commands and events, plus the gateway's Device.LocalAgent.", async (t) => {
  const { resp } = await gsdm(["Device."]);
  const [result] = resp.reqObjResults;
  t.equal(result?.errCode, 0);
  const paths = (result?.supportedObjs ?? []).map((o) => o.supportedObjPath);
  t.equal(paths[0], "Device.");
  for (const p of ["Device.DeviceInfo.", "Device.IP.Interface.{i}.", "Device.LocalAgent.", "Device.LocalAgent.Subscription.{i}."]) t.ok(paths.includes(p), p);
  t.notOk(paths.includes("Device.ManagementServer."), "CWMP's own management object stays hidden");
  const root = result?.supportedObjs[0];
  t.same(
    root?.supportedCommands.find((c) => c.commandName === "Reboot()"),
    { commandName: "Reboot()", inputArgNames: ["Cause", "Reason"], outputArgNames: [], commandType: "CMD_SYNC" },
  );
  t.same(root?.supportedEvents, [{ eventName: "Boot!", argNames: ["CommandKey", "Cause", "Reason", "FirmwareUpdated", "ParameterMap"] }]);
});

t.test("TP-469 1.73 1.77 first_level_only, and an unsupported object answered 7026 in the same response", async (t) => {
  const { resp } = await gsdm(["Device.DeviceInfo.", "Device.NoSuchThing."], { ...ALL, firstLevelOnly: true });
  const [info, none] = resp.reqObjResults;
  t.equal(info?.errCode, 0);
  const sv = info?.supportedObjs[0]?.supportedParams.find((x) => x.paramName === "SoftwareVersion");
  t.same(sv, { paramName: "SoftwareVersion", access: "PARAM_READ_ONLY", valueType: "PARAM_STRING", valueChange: "VALUE_CHANGE_ALLOWED" });
  for (const child of info?.supportedObjs.slice(1) ?? []) t.same(child.supportedParams, [], `${child.supportedObjPath} without details`);
  t.same(none, { reqObjPath: "Device.NoSuchThing.", errCode: 7026, errMsg: none?.errMsg ?? "", dataModelInstUri: "", supportedObjs: [] });
  t.match(none?.errMsg, /not in the supported data model/);
});
