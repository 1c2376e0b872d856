// Vendor overlays end to end (issue 4, DESIGN decision 6): simulated TR-181
// CPEs with picky quirks → CWMP tap (records what the gateway sends) →
// gateway → Mosquitto → a USP controller. The overlays, in a directory given
// by `vendorOverlayDirs`, match the CPEs by the OUI and ProductClass of their
// Inform, and the RPCs on the wire follow the matched overlay's flags.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import type { AcsRequest, SetParameterValues } from "../src/cwmp/rpc.js";
import { readParameter, startFleet, type Fleet } from "../src/sim/fleet.js";
import type { Msg } from "../src/usp/messages.js";
import { testBroker } from "./helpers/broker.js";
import { startCwmpTap, type CwmpTap } from "./helpers/cwmp-tap.js";
import { CR_PASSWORD, CR_USERNAME, startTestGateway } from "./helpers/gateway.js";
import { TestController } from "./helpers/usp-controller.js";

const OUI = "AB12CD";
const UNMATCHED_OUI = "00256D";

const overlayDir = mkdtempSync(join(tmpdir(), "cwmp2usp-overlays-"));
// The model-specific overlay: its CPEs take booleans only as 1/0.
writeFileSync(
  join(overlayDir, `${OUI}-StrictBool.yaml`),
  `match: {oui: ${OUI}, productClass: StrictBool}\nquirks: {booleanLiteral: "1"}\nrules: []\n`,
);
// The vendor-wide overlay: no partial-path GetParameterValues, small batches.
writeFileSync(join(overlayDir, `${OUI}.yaml`), `match: {oui: ${OUI}}\nquirks: {partialPathGpv: false, gpvBatchSize: 3}\nrules: []\n`);

const broker = await testBroker();
const gw = await startTestGateway(broker.url, { vendorOverlayDirs: [overlayDir] });
const controller = await TestController.connect(broker.url, gw.controllerId, gw.controllerTopic);

interface Device {
  fleet: Fleet;
  tap: CwmpTap;
  agentId: string;
}

/** One simulated CPE behind its own tap, so each tap's RPCs are that CPE's. */
async function device(name: string, oui: string, productClass: string, quirks: Parameters<typeof startFleet>[0]["quirks"]): Promise<Device> {
  const tap = await startCwmpTap(gw.gateway.acsUrl);
  const fleet = await startFleet({
    acsUrl: tap.url,
    count: 1,
    serialPrefix: `VO${process.pid}${name}-`,
    oui,
    productClass,
    quirks,
    crUsername: CR_USERNAME,
    crPassword: CR_PASSWORD,
  });
  const booted = await fleet.bootAll({ concurrency: 1 });
  if (!booted.every((r) => r.ok)) throw new Error(`${name} did not boot: ${JSON.stringify(booted)}`);
  const cpe = fleet.cpes[0];
  if (cpe === undefined) throw new Error("fleet has no CPE");
  return { fleet, tap, agentId: `os::${oui}-${cpe.serial}` };
}

// Rejects "true" in SetParameterValues with 9007, like the TP-Link TD-W9970 (genieacs#228).
const strictBool = await device("strict", OUI, "StrictBool", { booleanLiteral: "1", strictBooleanLiteral: true });
// Answers a partial-path GetParameterValues with 9005.
const noPartial = await device("nopartial", OUI, "NoPartial", { partialPathGpv: false });
// The same picky CPE under an OUI no overlay matches: the defaults apply.
const unmatched = await device("unmatched", UNMATCHED_OUI, "StrictBool", { booleanLiteral: "1", strictBooleanLiteral: true });

t.teardown(async () => {
  for (const d of [strictBool, noPartial, unmatched]) {
    await d.fleet.stop();
    await d.tap.close();
  }
  await controller.close();
  await gw.stop();
  await broker.close();
  rmSync(overlayDir, { recursive: true, force: true });
});

const cpeOf = (d: Device): NonNullable<Fleet["cpes"][number]> => d.fleet.cpes[0] as NonNullable<Fleet["cpes"][number]>;

function setBoolean(d: Device, value: string): Promise<Msg> {
  return controller.request(d.agentId, gw.agentTopic(d.agentId), {
    type: "set",
    set: { allowPartial: false, updateObjs: [{ objPath: "Device.Time.", paramSettings: [{ param: "Enable", value, required: true }] }] },
  });
}

function rpcsSince(tap: CwmpTap, mark: number): AcsRequest[] {
  return tap.rpcs.slice(mark);
}

const spvs = (rpcs: AcsRequest[]): SetParameterValues[] => rpcs.filter((r): r is SetParameterValues => r.method === "SetParameterValues");

t.test("booleanLiteral \"1\" (OUI+ProductClass overlay): a USP Set of a boolean reaches the CPE as 1 in SetParameterValues", async (t) => {
  // The simulator stores booleans canonically; the literal it reports is its quirk.
  t.equal(readParameter(cpeOf(strictBool), "Device.Time.Enable"), "true", "the CPE starts enabled");
  const mark = strictBool.tap.rpcs.length;
  const msg = await setBoolean(strictBool, "false");
  t.equal(msg.header.msgType, "SET_RESP", JSON.stringify(msg.body));
  if (msg.body.kind !== "response" || msg.body.response.type !== "setResp") return;
  const result = msg.body.response.setResp.updatedObjResults[0];
  t.equal(result?.requestedPath, "Device.Time.");
  t.equal(result?.operStatus.type, "operSuccess");
  const sent = spvs(rpcsSince(strictBool.tap, mark));
  t.equal(sent.length, 1, "one SetParameterValues");
  t.same(sent[0]?.parameterList, [{ name: "Device.Time.Enable", value: "0", type: "xsd:boolean" }], "name, value 0 and xsd:boolean on the wire");
  t.equal(readParameter(cpeOf(strictBool), "Device.Time.Enable"), "false", "the CPE took it");
});

t.test("the same CPE under an OUI without overlay gets \"true\", which it refuses (the control case)", async (t) => {
  const mark = unmatched.tap.rpcs.length;
  const msg = await setBoolean(unmatched, "false");
  const sent = spvs(rpcsSince(unmatched.tap, mark));
  t.equal(sent.length, 1);
  t.same(sent[0]?.parameterList, [{ name: "Device.Time.Enable", value: "false", type: "xsd:boolean" }], "the default literal");
  t.equal(msg.body.kind, "error", "the CPE's 9007 comes back as a USP error");
  if (msg.body.kind === "error") t.equal(msg.body.error.paramErrs[0]?.errCode, 7012, "9007 → 7012 Invalid value");
  t.equal(readParameter(cpeOf(unmatched), "Device.Time.Enable"), "true", "unchanged on the CPE");
});

t.test("partialPathGpv false (OUI-only overlay): a partial-path Get is expanded with GetParameterNames first", async (t) => {
  const mark = noPartial.tap.rpcs.length;
  const msg = await controller.request(noPartial.agentId, gw.agentTopic(noPartial.agentId), { type: "get", get: { paramPaths: ["Device.DeviceInfo."], maxDepth: 1 } });
  t.equal(msg.header.msgType, "GET_RESP", JSON.stringify(msg.body));
  if (msg.body.kind !== "response" || msg.body.response.type !== "getResp") return;
  const result = msg.body.response.getResp.reqPathResults[0];
  t.equal(result?.errCode, 0);
  const own = result?.resolvedPathResults.find((r) => r.resolvedPath === "Device.DeviceInfo.");
  t.equal(own?.resultParams.SerialNumber, cpeOf(noPartial).serial);
  t.equal(own?.resultParams.ManufacturerOUI, OUI);
  const rpcs = rpcsSince(noPartial.tap, mark);
  t.same(rpcs[0], { method: "GetParameterNames", parameterPath: "Device.DeviceInfo.", nextLevel: true }, "names first, one level for max_depth 1");
  const gpvs = rpcs.filter((r) => r.method === "GetParameterValues");
  t.ok(gpvs.length > 0, "then the values");
  for (const gpv of gpvs) {
    t.ok(gpv.parameterNames.every((n) => !n.endsWith(".")), `no partial path asked: ${gpv.parameterNames.join(", ")}`);
    t.ok(gpv.parameterNames.length <= 3, `gpvBatchSize 3: ${gpv.parameterNames.length} names`);
  }
  t.same(rpcs.slice(1).map((r) => r.method), gpvs.map(() => "GetParameterValues"), "nothing else");
  t.ok(gpvs.slice(0, -1).every((g) => g.parameterNames.length === 3), "full batches but the last");
  const asked = gpvs.flatMap((g) => g.parameterNames);
  t.same(
    asked.map((n) => n.slice("Device.DeviceInfo.".length)).sort(),
    Object.keys(own?.resultParams ?? {}).sort(),
    "each parameter GetParameterNames listed is read once, and each is in the reply",
  );
});

t.test("most specific overlay wins: the StrictBool CPE (same OUI) still gets partial-path GetParameterValues", async (t) => {
  const mark = strictBool.tap.rpcs.length;
  const msg = await controller.request(strictBool.agentId, gw.agentTopic(strictBool.agentId), { type: "get", get: { paramPaths: ["Device.DeviceInfo."], maxDepth: 1 } });
  t.equal(msg.header.msgType, "GET_RESP");
  const rpcs = rpcsSince(strictBool.tap, mark);
  t.same(rpcs, [{ method: "GetParameterValues", parameterNames: ["Device.DeviceInfo."] }], "one partial-path GPV: the OUI-only overlay's flags do not apply");
});
