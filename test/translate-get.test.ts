// USP Get translated to CWMP, driven against an in-memory fake CPE. Titles
// cite the TP-469 case / TR-369 requirement they prove; each test checks the
// GetResp field by field and the exact RPC sequence the planner chose.
import t from "tap";
import type { GetResp, Request } from "../src/usp/messages.js";
import type { UspReply } from "../src/translate/plan.js";
import { DeviceModel } from "../src/translate/device-model.js";
import { planGet, foldGet } from "../src/translate/get.js";
import { FakeCpe, context, describe, p, run, type Tree } from "./fixtures/translate-cpe.js";

const u = "xsd:unsignedInt";
const b = "xsd:boolean";

function tree(): Tree {
  return {
    "Device.DeviceInfo.Manufacturer": p("ACME"),
    "Device.DeviceInfo.SoftwareVersion": p("1.2.3"),
    "Device.DeviceInfo.UpTime": p("100", u),
    "Device.DeviceInfo.MemoryStatus.Total": p("1024", u),
    "Device.DeviceInfo.MemoryStatus.Free": p("512", u),
    "Device.DeviceInfo.TemperatureStatus.TemperatureSensor.1.Value": p("41", "xsd:int"),
    "Device.IP.InterfaceNumberOfEntries": p("3", u),
    "Device.IP.Interface.1.Enable": p("true", b, true),
    "Device.IP.Interface.1.Name": p("eth0"),
    "Device.IP.Interface.1.Type": p("Normal"),
    "Device.IP.Interface.1.Stats.ErrorsSent": p("0", u),
    "Device.IP.Interface.1.IPv4Address.1.IPAddress": p("192.168.1.1", "xsd:string", true),
    "Device.IP.Interface.1.IPv4Address.1.AddressingType": p("Static"),
    "Device.IP.Interface.2.Enable": p("0", b, true),
    "Device.IP.Interface.2.Name": p("wan"),
    "Device.IP.Interface.2.Type": p("Normal"),
    "Device.IP.Interface.2.Stats.ErrorsSent": p("5", u),
    "Device.IP.Interface.10.Enable": p("1", b, true),
    "Device.IP.Interface.10.Name": p("lo"),
    "Device.IP.Interface.10.Type": p("Loopback"),
    "Device.IP.Interface.10.Stats.ErrorsSent": p("0", u),
    "Device.NAT.PortMapping.1.Interface": p("Device.IP.Interface.2"),
    "Device.WiFi.SSID.1.LowerLayers": p("Device.WiFi.Radio.1.,Device.WiFi.Radio.2."),
    "Device.WiFi.Radio.1.Channel": p("6", u),
    "Device.WiFi.Radio.2.Channel": p("36", u),
  };
}

function setup(profile: Parameters<typeof context>[0] = {}): { cpe: FakeCpe; ctx: ReturnType<typeof context> } {
  return { cpe: new FakeCpe(tree(), ["Device.Hosts.Host."]), ctx: context(profile) };
}

const get = (paramPaths: string[], maxDepth = 0): Request => ({ type: "get", get: { paramPaths, maxDepth } });

function getResp(reply: UspReply): GetResp {
  if (reply.kind !== "response" || reply.response.type !== "getResp") throw new Error(`not a GetResp: ${JSON.stringify(reply)}`);
  return reply.response.getResp;
}

function ask(paths: string[], maxDepth = 0, profile = {}): { resp: GetResp; rpcs: string[] } {
  const { cpe, ctx } = setup(profile);
  const { reply } = run(get(paths, maxDepth), ctx, cpe);
  return { resp: getResp(reply), rpcs: cpe.log.map(describe) };
}

t.test("TP-469 1.36 R-GET.2: a full parameter path costs exactly one GPV", async (t) => {
  const { resp, rpcs } = ask(["Device.DeviceInfo.SoftwareVersion"]);
  t.same(rpcs, ["GPV Device.DeviceInfo.SoftwareVersion"]);
  t.same(resp.reqPathResults, [
    {
      requestedPath: "Device.DeviceInfo.SoftwareVersion",
      errCode: 0,
      errMsg: "",
      resolvedPathResults: [{ resolvedPath: "Device.DeviceInfo.", resultParams: { SoftwareVersion: "1.2.3" } }],
    },
  ]);
});

t.test("TP-469 1.37 object path: one ResolvedPathResult per object, params relative to it", async (t) => {
  const { resp, rpcs } = ask(["Device.DeviceInfo."]);
  t.same(rpcs, ["GPV Device.DeviceInfo."], "one partial-path GPV");
  const r = resp.reqPathResults[0];
  t.equal(r?.errCode, 0);
  t.same(r?.resolvedPathResults, [
    { resolvedPath: "Device.DeviceInfo.", resultParams: { Manufacturer: "ACME", SoftwareVersion: "1.2.3", UpTime: "100" } },
    { resolvedPath: "Device.DeviceInfo.MemoryStatus.", resultParams: { Total: "1024", Free: "512" } },
    { resolvedPath: "Device.DeviceInfo.TemperatureStatus.TemperatureSensor.1.", resultParams: { Value: "41" } },
  ]);
});

t.test("TP-469 1.38 object instance path returns the instance and its sub-objects", async (t) => {
  const { resp, rpcs } = ask(["Device.IP.Interface.1."]);
  t.same(rpcs, ["GPV Device.IP.Interface.1."]);
  t.same(
    resp.reqPathResults[0]?.resolvedPathResults.map((x) => x.resolvedPath),
    ["Device.IP.Interface.1.", "Device.IP.Interface.1.IPv4Address.1.", "Device.IP.Interface.1.Stats."],
  );
  t.same(resp.reqPathResults[0]?.resolvedPathResults[0]?.resultParams, { Enable: "true", Name: "eth0", Type: "Normal" });
});

t.test("TP-469 1.40 R-ARC.10 wildcard: GPN of the table, then one GPV for all instances", async (t) => {
  const { resp, rpcs } = ask(["Device.IP.Interface.*.Name"]);
  t.same(rpcs, [
    "GPN Device.IP.Interface. true",
    "GPV Device.IP.Interface.1.Name,Device.IP.Interface.2.Name,Device.IP.Interface.10.Name",
  ]);
  t.same(resp.reqPathResults[0]?.resolvedPathResults, [
    { resolvedPath: "Device.IP.Interface.1.", resultParams: { Name: "eth0" } },
    { resolvedPath: "Device.IP.Interface.2.", resultParams: { Name: "wan" } },
    { resolvedPath: "Device.IP.Interface.10.", resultParams: { Name: "lo" } },
  ]);
});

t.test("TP-469 1.41 wildcard object path: GPN, then the instances' partial paths in one GPV", async (t) => {
  const { resp, rpcs } = ask(["Device.IP.Interface.*.Stats."]);
  t.same(rpcs, [
    "GPN Device.IP.Interface. true",
    "GPV Device.IP.Interface.1.Stats.,Device.IP.Interface.2.Stats.,Device.IP.Interface.10.Stats.",
  ]);
  t.same(
    resp.reqPathResults[0]?.resolvedPathResults.map((x) => [x.resolvedPath, x.resultParams["ErrorsSent"]]),
    [
      ["Device.IP.Interface.1.Stats.", "0"],
      ["Device.IP.Interface.2.Stats.", "5"],
      ["Device.IP.Interface.10.Stats.", "0"],
    ],
  );
});

t.test("TP-469 1.39 several paths: one result per path, in request order, batched into one GPV", async (t) => {
  const { resp, rpcs } = ask(["Device.DeviceInfo.UpTime", "Device.DeviceInfo.Manufacturer", "Device.DeviceInfo.UpTime"]);
  t.same(rpcs, ["GPV Device.DeviceInfo.UpTime,Device.DeviceInfo.Manufacturer"], "duplicates asked once");
  t.same(
    resp.reqPathResults.map((r) => [r.requestedPath, r.resolvedPathResults[0]?.resultParams]),
    [
      ["Device.DeviceInfo.UpTime", { UpTime: "100" }],
      ["Device.DeviceInfo.Manufacturer", { Manufacturer: "ACME" }],
      ["Device.DeviceInfo.UpTime", { UpTime: "100" }],
    ],
  );
});

t.test("R-GET.5 max_depth 1: only the object's own parameters", async (t) => {
  const { resp } = ask(["Device.DeviceInfo."], 1);
  t.same(resp.reqPathResults[0]?.resolvedPathResults, [
    { resolvedPath: "Device.DeviceInfo.", resultParams: { Manufacturer: "ACME", SoftwareVersion: "1.2.3", UpTime: "100" } },
  ]);
});

t.test("R-GET.5 max_depth 2: plus first-level sub-objects; 3 adds tables below them", async (t) => {
  const two = ask(["Device.DeviceInfo."], 2).resp.reqPathResults[0]?.resolvedPathResults.map((x) => x.resolvedPath);
  t.same(two, ["Device.DeviceInfo.", "Device.DeviceInfo.MemoryStatus."]);
  const three = ask(["Device.DeviceInfo."], 3).resp.reqPathResults[0]?.resolvedPathResults.map((x) => x.resolvedPath);
  t.same(three, ["Device.DeviceInfo.", "Device.DeviceInfo.MemoryStatus.", "Device.DeviceInfo.TemperatureStatus.TemperatureSensor.1."]);
});

t.test("R-GET.0: unknown parameter, object and instance give 7026 for that path only", async (t) => {
  const { resp } = ask(["Device.DeviceInfo.Nope", "Device.Nope.", "Device.IP.Interface.99.", "Device.DeviceInfo.UpTime"]);
  t.same(
    resp.reqPathResults.map((r) => [r.requestedPath, r.errCode, r.resolvedPathResults.length]),
    [
      ["Device.DeviceInfo.Nope", 7026, 0],
      ["Device.Nope.", 7026, 0],
      ["Device.IP.Interface.99.", 7026, 0],
      ["Device.DeviceInfo.UpTime", 0, 1],
    ],
  );
  t.match(resp.reqPathResults[0]?.errMsg, /Nope/);
});

t.test("7008 for bad syntax, 7026 outside Device., neither costs an RPC", async (t) => {
  const { resp, rpcs } = ask(["Device..X", "Device.IP.Interface.{i}.", "InternetGatewayDevice.DeviceInfo.", "Device.Reboot()"]);
  t.same(rpcs, []);
  t.same(
    resp.reqPathResults.map((r) => r.errCode),
    [7008, 7008, 7026, 7026],
  );
  t.match(resp.reqPathResults[0]?.errMsg, /^Invalid path syntax/);
});

t.test("TP-469 1.42 search expression with && and a relative path through Stats.", async (t) => {
  const { resp, rpcs } = ask(['Device.IP.Interface.[Type=="Normal"&&Stats.ErrorsSent>0].Name']);
  t.same(rpcs, [
    "GPN Device.IP.Interface. true",
    "GPV Device.IP.Interface.1.Type,Device.IP.Interface.1.Stats.ErrorsSent,Device.IP.Interface.2.Type,Device.IP.Interface.2.Stats.ErrorsSent,Device.IP.Interface.10.Type,Device.IP.Interface.10.Stats.ErrorsSent",
    "GPV Device.IP.Interface.2.Name",
  ]);
  t.same(resp.reqPathResults[0]?.resolvedPathResults, [{ resolvedPath: "Device.IP.Interface.2.", resultParams: { Name: "wan" } }]);
});

t.test("unique-key addressing and typed booleans ([Enable==true] matches 1 and true)", async (t) => {
  const key = ask(['Device.IP.Interface.[Name=="lo"].Type']).resp.reqPathResults[0];
  t.same(key?.resolvedPathResults, [{ resolvedPath: "Device.IP.Interface.10.", resultParams: { Type: "Loopback" } }]);
  const on = ask(["Device.IP.Interface.[Enable==true].Name"]).resp.reqPathResults[0];
  t.same(on?.resolvedPathResults.map((x) => x.resolvedPath), ["Device.IP.Interface.1.", "Device.IP.Interface.10."]);
  const off = ask(["Device.IP.Interface.[Enable==0].Name"]).resp.reqPathResults[0];
  t.same(off?.resolvedPathResults.map((x) => x.resolvedPath), ["Device.IP.Interface.2."]);
  const str = ask(['Device.IP.Interface.[Enable=="true"].Name']).resp.reqPathResults[0];
  t.same(str?.resolvedPathResults, [], "a string literal never equals a boolean");
});

t.test("R-GET.1a: a search matching 0 instances is empty with err 0; an empty table too", async (t) => {
  const { resp } = ask(['Device.IP.Interface.[Name=="nope"].Name', "Device.Hosts.Host.*.", "Device.Nope.*."]);
  t.same(
    resp.reqPathResults.map((r) => [r.errCode, r.resolvedPathResults.length]),
    [
      [0, 0],
      [0, 0],
      [7026, 0],
    ],
  );
});

t.test("TR-069 A.3.2.2: a batched GPV faulting 9005 is split to find the bad name; the rest answer", async (t) => {
  const { resp, rpcs } = ask(["Device.DeviceInfo.SoftwareVersion", "Device.DeviceInfo.Bogus", "Device.DeviceInfo.UpTime"]);
  t.same(rpcs, [
    "GPV Device.DeviceInfo.SoftwareVersion,Device.DeviceInfo.Bogus,Device.DeviceInfo.UpTime",
    "GPV Device.DeviceInfo.SoftwareVersion",
    "GPV Device.DeviceInfo.Bogus",
    "GPV Device.DeviceInfo.UpTime",
  ]);
  t.same(
    resp.reqPathResults.map((r) => r.errCode),
    [0, 7026, 0],
  );
  t.same(resp.reqPathResults[2]?.resolvedPathResults, [{ resolvedPath: "Device.DeviceInfo.", resultParams: { UpTime: "100" } }]);
});

t.test("quirk: gpvBatchSize splits GPVs (genieacs#150)", async (t) => {
  const { rpcs } = ask(["Device.IP.Interface.*.Type"], 0, { gpvBatchSize: 2 });
  t.same(rpcs, [
    "GPN Device.IP.Interface. true",
    "GPV Device.IP.Interface.1.Type,Device.IP.Interface.2.Type",
    "GPV Device.IP.Interface.10.Type",
  ]);
});

t.test("quirk: partialPathGpv=false expands object paths with GPN first", async (t) => {
  const { resp, rpcs } = ask(["Device.DeviceInfo.MemoryStatus."], 0, { partialPathGpv: false });
  t.same(rpcs, [
    "GPN Device.DeviceInfo.MemoryStatus. false",
    "GPV Device.DeviceInfo.MemoryStatus.Total,Device.DeviceInfo.MemoryStatus.Free",
  ]);
  t.same(resp.reqPathResults[0]?.resolvedPathResults, [
    { resolvedPath: "Device.DeviceInfo.MemoryStatus.", resultParams: { Total: "1024", Free: "512" } },
  ]);
  const depth1 = ask(["Device.DeviceInfo."], 1, { partialPathGpv: false });
  t.same(depth1.rpcs, [
    "GPN Device.DeviceInfo. true",
    "GPV Device.DeviceInfo.Manufacturer,Device.DeviceInfo.SoftwareVersion,Device.DeviceInfo.UpTime",
  ]);
});

t.test("freshness: a Get in a new transaction re-lists the table and sees vanished instances", async (t) => {
  const { cpe, ctx } = setup();
  run(get(["Device.IP.Interface.*.Name"]), ctx, cpe);
  for (const k of [...cpe.params.keys()]) if (k.startsWith("Device.IP.Interface.10.")) cpe.params.delete(k);
  cpe.log.length = 0;
  const { reply } = run(get(["Device.IP.Interface.*.Name"]), ctx, cpe);
  t.same(cpe.log.map(describe), [
    "GPN Device.IP.Interface. true",
    "GPV Device.IP.Interface.1.Name,Device.IP.Interface.2.Name",
  ]);
  t.same(getResp(reply).reqPathResults[0]?.resolvedPathResults.length, 2);
});

t.test("never ask twice: a wildcard and a search on the same table share one GPN", async (t) => {
  const { rpcs } = ask(["Device.IP.Interface.*.Name", 'Device.IP.Interface.[Name=="wan"].Type']);
  t.equal(rpcs.filter((r) => r.startsWith("GPN")).length, 1);
  t.equal(new Set(rpcs).size, rpcs.length);
});

t.test("reference following: Interface+.Name and LowerLayers#*+.Channel", async (t) => {
  const { resp, rpcs } = ask(["Device.NAT.PortMapping.1.Interface+.Name", "Device.WiFi.SSID.1.LowerLayers#*+.Channel"]);
  t.same(rpcs, [
    "GPV Device.NAT.PortMapping.1.Interface,Device.WiFi.SSID.1.LowerLayers",
    "GPV Device.IP.Interface.2.Name,Device.WiFi.Radio.1.Channel,Device.WiFi.Radio.2.Channel",
  ]);
  t.same(resp.reqPathResults[0]?.resolvedPathResults, [{ resolvedPath: "Device.IP.Interface.2.", resultParams: { Name: "wan" } }]);
  t.same(
    resp.reqPathResults[1]?.resolvedPathResults.map((x) => x.resultParams["Channel"]),
    ["6", "36"],
  );
});

t.test("a CPE fault other than 9005 maps to the path's err_code with the CPE's text", async (t) => {
  const { cpe, ctx } = setup();
  cpe.inject = () => ({ faultCode: 9002, faultString: "Internal error", setParameterValuesFaults: [] });
  const { reply } = run(get(["Device.DeviceInfo.UpTime"]), ctx, cpe);
  const r = getResp(reply).reqPathResults[0];
  t.equal(r?.errCode, 7003);
  t.equal(r?.errMsg, "CPE fault 9002: Internal error");
  t.equal(cpe.log.length, 1, "not retried");
});

t.test("planGet is re-entrant and foldGet answers from the model", async (t) => {
  const ctx = context();
  ctx.model.beginTransaction();
  const g = { paramPaths: ["Device.DeviceInfo.UpTime"], maxDepth: 0 };
  const first = planGet(g, ctx);
  t.equal(first.kind, "rpcs");
  t.same(planGet(g, ctx), first, "same answer until outcomes are recorded");
  t.equal(foldGet(g, ctx).reqPathResults[0]?.errCode, 7003, "unresolved path folds to 7003");
  t.ok(ctx.model instanceof DeviceModel);
});
