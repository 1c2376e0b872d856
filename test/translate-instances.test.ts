// USP GetInstances translated to CWMP GetParameterNames (NextLevel=false) and
// one batched GetParameterValues of the unique keys, against the fake CPE.
// Titles cite the TP-469 case / TR-369 rule they prove; each test checks the
// reply field by field and the exact RPC sequence.
import t from "tap";
import type { GetInstancesResp, Request } from "../src/usp/messages.js";
import type { UspReply } from "../src/translate/plan.js";
import { foldGetInstances } from "../src/translate/instances.js";
import { FakeCpe, context, describe, p, run, type Tree } from "./fixtures/translate-cpe.js";

const u = "xsd:unsignedInt";

function tree(): Tree {
  return {
    "Device.DeviceInfo.Manufacturer": p("ACME"),
    "Device.DeviceInfo.MemoryStatus.Total": p("1024", u),
    "Device.IP.InterfaceNumberOfEntries": p("2", u),
    "Device.IP.Interface.1.Alias": p("cpe-ip-1", "xsd:string", true),
    "Device.IP.Interface.1.Name": p("eth0"),
    "Device.IP.Interface.1.Enable": p("true", "xsd:boolean", true),
    "Device.IP.Interface.1.IPv4Address.1.Alias": p("cpe-ipv4-1-1", "xsd:string", true),
    "Device.IP.Interface.1.IPv4Address.1.IPAddress": p("192.168.1.1", "xsd:string", true),
    "Device.IP.Interface.1.IPv4Address.2.Alias": p("cpe-ipv4-1-2", "xsd:string", true),
    "Device.IP.Interface.1.IPv4Address.2.IPAddress": p("10.0.0.1", "xsd:string", true),
    "Device.IP.Interface.2.Name": p("wan"),
    "Device.IP.Interface.2.Enable": p("false", "xsd:boolean", true),
    "Device.NAT.PortMapping.3.RemoteHost": p("", "xsd:string", true),
    "Device.NAT.PortMapping.3.ExternalPort": p("8080", u, true),
    "Device.NAT.PortMapping.3.Protocol": p("TCP", "xsd:string", true),
    "Device.NAT.PortMapping.3.Description": p("web", "xsd:string", true),
  };
}

const gi = (objPaths: string[], firstLevelOnly = false): Request => ({ type: "getInstances", getInstances: { objPaths, firstLevelOnly } });

function resp(reply: UspReply): GetInstancesResp {
  if (reply.kind !== "response" || reply.response.type !== "getInstancesResp") throw new Error(`not a GetInstancesResp: ${JSON.stringify(reply)}`);
  return reply.response.getInstancesResp;
}

function ask(paths: string[], firstLevelOnly = false, profile = {}): { resp: GetInstancesResp; rpcs: string[] } {
  const cpe = new FakeCpe(tree(), ["Device.Hosts.Host."]);
  const { reply } = run(gi(paths, firstLevelOnly), context(profile), cpe);
  return { resp: resp(reply), rpcs: cpe.log.map(describe) };
}

// TR-181 keys of IPv4Address are Alias and (IPAddress, SubnetMask); this CPE
// lacks SubnetMask, so it is left out (TR-369 GetInstancesResp).
const IF1 = { instantiatedObjPath: "Device.IP.Interface.1.", uniqueKeys: { Alias: "cpe-ip-1", Name: "eth0" } };
const IF2 = { instantiatedObjPath: "Device.IP.Interface.2.", uniqueKeys: { Name: "wan" } };
const A11 = { instantiatedObjPath: "Device.IP.Interface.1.IPv4Address.1.", uniqueKeys: { Alias: "cpe-ipv4-1-1", IPAddress: "192.168.1.1" } };
const A12 = { instantiatedObjPath: "Device.IP.Interface.1.IPv4Address.2.", uniqueKeys: { Alias: "cpe-ipv4-1-2", IPAddress: "10.0.0.1" } };

t.test("TP-469 1.66 GetInstances of a table, first_level_only=true: its own instances with unique keys", async (t) => {
  const { resp: r, rpcs } = ask(["Device.IP.Interface."], true);
  t.same(rpcs, [
    "GPN Device.IP.Interface. false",
    "GPV Device.IP.Interface.1.Alias,Device.IP.Interface.1.Name,Device.IP.Interface.2.Name",
  ]);
  t.same(r.reqPathResults, [{ requestedPath: "Device.IP.Interface.", errCode: 0, errMsg: "", currInsts: [IF1, IF2] }]);
});

t.test("TP-469 1.67 first_level_only=false: nested table instances too, in path order", async (t) => {
  const { resp: r, rpcs } = ask(["Device.IP.Interface."]);
  t.equal(rpcs.length, 2, "one GPN, one GPV");
  t.same(r.reqPathResults[0]?.currInsts, [IF1, A11, A12, IF2]);
});

t.test("R-ADD.5 / TR-181 functional keys: NAT.PortMapping reports RemoteHost, ExternalPort, Protocol", async (t) => {
  const { resp: r } = ask(["Device.NAT.PortMapping."]);
  t.same(r.reqPathResults[0]?.currInsts, [
    { instantiatedObjPath: "Device.NAT.PortMapping.3.", uniqueKeys: { RemoteHost: "", ExternalPort: "8080", Protocol: "TCP" } },
  ]);
});

t.test("TP-469 1.68 several paths: one req_path_result each, in request order", async (t) => {
  const { resp: r } = ask(["Device.NAT.PortMapping.", "Device.IP.Interface.1.IPv4Address."], true);
  t.same(
    r.reqPathResults.map((x) => [x.requestedPath, x.currInsts.map((c) => c.instantiatedObjPath)]),
    [
      ["Device.NAT.PortMapping.", ["Device.NAT.PortMapping.3."]],
      ["Device.IP.Interface.1.IPv4Address.", ["Device.IP.Interface.1.IPv4Address.1.", "Device.IP.Interface.1.IPv4Address.2."]],
    ],
  );
});

t.test("TP-469 1.70 wildcard path: the matched instances themselves, and their nested instances", async (t) => {
  const shallow = ask(["Device.IP.Interface.*."], true);
  t.same(shallow.resp.reqPathResults[0]?.currInsts, [IF1, IF2]);
  const deep = ask(["Device.IP.Interface.*."]);
  t.same(deep.resp.reqPathResults[0]?.currInsts, [IF1, A11, A12, IF2]);
  t.same(deep.rpcs.slice(0, 3), ["GPN Device.IP.Interface. true", "GPN Device.IP.Interface.1. false", "GPN Device.IP.Interface.2. false"]);
});

t.test("TP-469 1.71 search expression path: only matching instances", async (t) => {
  const { resp: r } = ask(['Device.IP.Interface.[Name=="wan"].']);
  t.same(r.reqPathResults[0]?.currInsts, [IF2]);
});

t.test("TP-469 1.83 unmatched search expression: success with no instances", async (t) => {
  const { resp: r } = ask(['Device.IP.Interface.[Name=="nope"].']);
  t.same(r.reqPathResults, [{ requestedPath: 'Device.IP.Interface.[Name=="nope"].', errCode: 0, errMsg: "", currInsts: [] }]);
});

t.test("an empty table: success with no instances, no GPV", async (t) => {
  const { resp: r, rpcs } = ask(["Device.Hosts.Host."]);
  t.same(rpcs, ["GPN Device.Hosts.Host. false"]);
  t.same(r.reqPathResults[0], { requestedPath: "Device.Hosts.Host.", errCode: 0, errMsg: "", currInsts: [] });
});

t.test("obuspa#156 a single-instance object is 7018 Object is not a table", async (t) => {
  const { resp: r } = ask(["Device.DeviceInfo.", "Device.IP.Interface.*.IPv4Address."]);
  t.same(r.reqPathResults[0], { requestedPath: "Device.DeviceInfo.", errCode: 7018, errMsg: "Object is not a table: Device.DeviceInfo.", currInsts: [] });
  t.equal(r.reqPathResults[1]?.errCode, 0, "the other path is unaffected");
});

t.test("a known single-instance object is 7018 without asking the CPE again", async (t) => {
  const cpe = new FakeCpe(tree());
  const ctx = context();
  run(gi(["Device.DeviceInfo."]), ctx, cpe);
  cpe.log.length = 0;
  const { reply } = run(gi(["Device.DeviceInfo."]), ctx, cpe);
  t.same(cpe.log, []);
  t.equal(resp(reply).reqPathResults[0]?.errCode, 7018);
});

t.test("R-GET.0-style: a path matching nothing is 7026, bad syntax 7008, a parameter path 7008", async (t) => {
  const { resp: r } = ask(["Device.Nope.", "Device.IP.Interface.9.", "Device.IP.Interface.{i}.", "Device.IP.Interface.1.Name", "Other."]);
  t.same(
    r.reqPathResults.map((x) => x.errCode),
    [7026, 7026, 7008, 7008, 7026],
  );
});

t.test("an addressed instance: itself (first_level_only) or itself and its nested instances", async (t) => {
  t.same(ask(["Device.IP.Interface.1."], true).resp.reqPathResults[0]?.currInsts, [IF1]);
  t.same(ask(["Device.IP.Interface.1."]).resp.reqPathResults[0]?.currInsts, [IF1, A11, A12]);
});

t.test("instance lists are re-read in every transaction (instances come and go)", async (t) => {
  const cpe = new FakeCpe(tree());
  const ctx = context();
  run(gi(["Device.IP.Interface."]), ctx, cpe);
  cpe.params.delete("Device.IP.Interface.2.Name");
  cpe.params.delete("Device.IP.Interface.2.Enable");
  cpe.log.length = 0;
  const { reply } = run(gi(["Device.IP.Interface."], true), ctx, cpe);
  t.same(cpe.log.map(describe)[0], "GPN Device.IP.Interface. false");
  t.same(resp(reply).reqPathResults[0]?.currInsts, [IF1]);
});

t.test("foldGetInstances reports what is still unknown as 7003", async (t) => {
  const ctx = context();
  ctx.model.beginTransaction();
  const folded = foldGetInstances({ objPaths: ["Device.IP.Interface."], firstLevelOnly: false }, ctx);
  t.equal(folded.reqPathResults[0]?.errCode, 7003);
});
