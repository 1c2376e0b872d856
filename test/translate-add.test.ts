// USP Add translated to CWMP AddObject + one atomic SetParameterValues,
// against the fake CPE: the TP-469 Add cases, the allow_partial/required truth
// table (usp.md §2), R-ADD.5 unique keys, deleting what a failed Add created,
// the USP codes for paths that are no (creatable) table, and exact RPCs.
import t from "tap";
import type { AddResp, Request, UspError } from "../src/usp/messages.js";
import type { UspReply } from "../src/translate/plan.js";
import { foldAdd } from "../src/translate/add.js";
import { FakeCpe, context, describe, p, run, type FakeTable, type Tree } from "./fixtures/translate-cpe.js";

const u = "xsd:unsignedInt";
const b = "xsd:boolean";
const port = (v: string): number => (Number(v) > 65535 ? 9007 : 0);

function tree(): Tree {
  return {
    "Device.DeviceInfo.Manufacturer": p("ACME"),
    "Device.NAT.PortMappingNumberOfEntries": p("0", u),
    "Device.IP.Interface.1.Name": p("eth0"),
    "Device.IP.Interface.1.IPv4Address.1.IPAddress": p("192.168.1.1", "xsd:string", true),
    "Device.IP.Interface.2.Name": p("wan"),
  };
}

const tables: Record<string, FakeTable> = {
  "Device.NAT.PortMapping.{i}.": {
    defaults: {
      Enable: p("false", b, true),
      Status: p("Disabled"),
      Alias: p("cpe-pm", "xsd:string", true),
      RemoteHost: p("", "xsd:string", true),
      ExternalPort: p("0", u, true, port),
      InternalPort: p("0", u, true, port),
      Protocol: p("TCP", "xsd:string", true),
      Description: p("", "xsd:string", true, (v) => (v.length > 8 ? 9007 : 0)),
    },
  },
  "Device.IP.Interface.{i}.": { defaults: {}, writable: false },
  "Device.IP.Interface.{i}.IPv4Address.{i}.": { defaults: { IPAddress: p("", "xsd:string", true), Alias: p("", "xsd:string", true) } },
};

const PM = "Device.NAT.PortMapping.";
type Setting = [param: string, value: string, required: boolean];
const addReq = (allowPartial: boolean, objs: [string, Setting[]][]): Request => ({
  type: "add",
  add: { allowPartial, createObjs: objs.map(([objPath, s]) => ({ objPath, paramSettings: s.map(([param, value, required]) => ({ param, value, required })) })) },
});

const EMPTY = [PM, "Device.IP.Interface.2.IPv4Address."];

function exec(req: Request, profile = {}, cpe = new FakeCpe(tree(), EMPTY, tables)): { reply: UspReply; rpcs: string[]; cpe: FakeCpe } {
  const { reply } = run(req, context(profile), cpe);
  return { reply, rpcs: cpe.log.map(describe), cpe };
}
function addResp(reply: UspReply): AddResp {
  if (reply.kind !== "response" || reply.response.type !== "addResp") throw new Error(`not an AddResp: ${JSON.stringify(reply)}`);
  return reply.response.addResp;
}
function errorOf(reply: UspReply): UspError {
  if (reply.kind !== "error") throw new Error(`not an Error: ${JSON.stringify(reply)}`);
  return reply.error;
}
const instances = (cpe: FakeCpe, table: string): string[] =>
  [...cpe.objects()].filter((o) => o.startsWith(table) && /^[0-9]+\.$/.test(o.slice(table.length))).sort();

const WEB: Setting[] = [
  ["ExternalPort", "8080", true],
  ["InternalPort", "80", true],
  ["Enable", "true", false],
];

for (const allowPartial of [false, true]) {
  t.test(`TP-469 ${allowPartial ? "1.2" : "1.1"} allow_partial=${allowPartial}: AddObject, one GPV of the new row, one SPV`, async (t) => {
    const { reply, rpcs, cpe } = exec(addReq(allowPartial, [[PM, WEB]]));
    t.same(rpcs, [
      // ExternalPort is part of a unique key: the rows already there are read first (7025).
      `GPN ${PM} false`,
      `AddObject ${PM} key=""`,
      `GPV ${PM}1.`,
      `SPV ${PM}1.ExternalPort=8080,${PM}1.InternalPort=80,${PM}1.Enable=true key=""`,
    ]);
    t.same(addResp(reply).createdObjResults, [
      {
        requestedPath: PM,
        operStatus: {
          type: "operSuccess",
          instantiatedPath: `${PM}1.`,
          paramErrs: [],
          // R-ADD.5: keys set by the Add, and the ones the CPE assigned.
          uniqueKeys: { Alias: "cpe-pm", RemoteHost: "", ExternalPort: "8080", Protocol: "TCP" },
        },
      },
    ]);
    t.equal(cpe.params.get(`${PM}1.ExternalPort`)?.value, "8080");
    t.equal(cpe.params.get(`${PM}1.Enable`)?.value, "true");
  });
}

t.test("R-ADD.5 unique keys are returned (keys the Controller set win over CPE defaults)", async (t) => {
  const { reply } = exec(addReq(true, [[PM, [["Alias", "web", true], ["Protocol", "UDP", true], ["ExternalPort", "53", true]]]]));
  const st = addResp(reply).createdObjResults[0]?.operStatus;
  t.same(st?.type === "operSuccess" ? st.uniqueKeys : undefined, { Alias: "web", RemoteHost: "", ExternalPort: "53", Protocol: "UDP" });
});

t.test("TP-469 1.3 allow_partial=false: a failed required param deletes the created instance → Error 7021", async (t) => {
  const { reply, rpcs, cpe } = exec(addReq(false, [[PM, [["ExternalPort", "70000", true], ["Enable", "true", false]]]]));
  t.same(rpcs, [
    `GPN ${PM} false`,
    `AddObject ${PM} key=""`,
    `GPV ${PM}1.`,
    `SPV ${PM}1.ExternalPort=70000,${PM}1.Enable=true key=""`,
    `DeleteObject ${PM}1. key=""`,
  ]);
  t.same(errorOf(reply), {
    errCode: 7021,
    errMsg: `${PM}: Required parameter failed: ExternalPort (7012 CPE fault 9007: Invalid parameter value)`,
    paramErrs: [{ paramPath: `${PM}1.ExternalPort`, errCode: 7012, errMsg: "CPE fault 9007: Invalid parameter value" }],
  });
  t.same(instances(cpe, PM), [], "nothing half-made is left");
});

t.test("allow_partial=false: a required param failing the gateway's own checks → no SPV, instance deleted", async (t) => {
  const { reply, rpcs, cpe } = exec(addReq(false, [[PM, [["ExternalPort", "http", true]]]]));
  t.same(rpcs, [`GPN ${PM} false`, `AddObject ${PM} key=""`, `GPV ${PM}1.`, `DeleteObject ${PM}1. key=""`]);
  const e = errorOf(reply);
  t.equal(e.errCode, 7021);
  t.same(e.paramErrs, [{ paramPath: `${PM}1.ExternalPort`, errCode: 7011, errMsg: '"http" is not a valid unsignedInt' }]);
  t.same(instances(cpe, PM), []);
});

t.test("usp.md §1.2: a unique-key param is required even when the Controller says it is not", async (t) => {
  const { reply, cpe } = exec(addReq(true, [[PM, [["ExternalPort", "70000", false]]]]));
  const st = addResp(reply).createdObjResults[0]?.operStatus;
  t.equal(st?.type, "operFailure");
  t.equal(st?.type === "operFailure" ? st.errCode : 0, 7021);
  t.same(instances(cpe, PM), []);
});

t.test("usp.md §2 truth table: a non-required failure is a param_err, the SPV is retried without it", async (t) => {
  const { reply, rpcs, cpe } = exec(addReq(false, [[PM, [["ExternalPort", "8080", true], ["Description", "far too long", false], ["Bogus", "1", false]]]]));
  t.same(rpcs.slice(3), [`SPV ${PM}1.ExternalPort=8080,${PM}1.Description=far too long key=""`, `SPV ${PM}1.ExternalPort=8080 key=""`]);
  t.same(addResp(reply).createdObjResults[0]?.operStatus, {
    type: "operSuccess",
    instantiatedPath: `${PM}1.`,
    paramErrs: [
      { param: "Description", errCode: 7012, errMsg: "CPE fault 9007: Invalid parameter value" },
      { param: "Bogus", errCode: 7010, errMsg: `${PM}1.Bogus does not exist` },
    ],
    uniqueKeys: { Alias: "cpe-pm", RemoteHost: "", ExternalPort: "8080", Protocol: "TCP" },
  });
  t.same(instances(cpe, PM), [`${PM}1.`]);
});

t.test("TP-469 1.5 allow_partial=false, several objects: AddObjects in one round, one SPV for all", async (t) => {
  const { reply, rpcs } = exec(addReq(false, [[PM, [["ExternalPort", "80", true]]], [PM, [["ExternalPort", "443", true]]]]));
  t.same(rpcs, [
    `GPN ${PM} false`,
    `AddObject ${PM} key=""`,
    `AddObject ${PM} key=""`,
    `GPV ${PM}1.,${PM}2.`,
    `SPV ${PM}1.ExternalPort=80,${PM}2.ExternalPort=443 key=""`,
  ]);
  t.same(
    addResp(reply).createdObjResults.map((r) => (r.operStatus.type === "operSuccess" ? r.operStatus.instantiatedPath : r.operStatus.errCode)),
    [`${PM}1.`, `${PM}2.`],
  );
});

t.test("TP-469 1.6 allow_partial=false, several objects with an invalid one → Error 7026, the valid one deleted again", async (t) => {
  const { reply, rpcs, cpe } = exec(addReq(false, [[PM, [["ExternalPort", "80", true]]], ["Device.Nope.", []]]));
  t.same(rpcs, [`GPN ${PM} false`, `AddObject ${PM} key=""`, 'AddObject Device.Nope. key=""', "GPN Device.Nope. true", `GPV ${PM}1.`, `DeleteObject ${PM}1. key=""`]);
  t.same(errorOf(reply), { errCode: 7026, errMsg: "Device.Nope.: Device.Nope. is not in the data model", paramErrs: [] });
  t.same(instances(cpe, PM), []);
});

t.test("TP-469 1.7 allow_partial=false, required fails in one of several → both deleted, Error 7021", async (t) => {
  const { reply, cpe } = exec(addReq(false, [[PM, [["ExternalPort", "80", true]]], [PM, [["ExternalPort", "99999", true]]]]));
  t.equal(errorOf(reply).errCode, 7021);
  t.same(errorOf(reply).paramErrs.map((e) => e.paramPath), [`${PM}2.ExternalPort`]);
  t.same(instances(cpe, PM), []);
});

t.test("TP-469 1.8 allow_partial=true, required param of invalid type → oper_failure 7021, instance deleted", async (t) => {
  const { reply, cpe } = exec(addReq(true, [[PM, [["Enable", "maybe", true]]]]));
  t.same(addResp(reply).createdObjResults, [
    { requestedPath: PM, operStatus: { type: "operFailure", errCode: 7021, errMsg: 'Required parameter failed: Enable (7011 "maybe" is not a valid boolean)' } },
  ]);
  t.same(instances(cpe, PM), []);
});

t.test("TP-469 1.9 allow_partial=true, several objects: the failing one is deleted, the others stay", async (t) => {
  const { reply, rpcs, cpe } = exec(addReq(true, [[PM, [["ExternalPort", "80", true]]], [PM, [["ExternalPort", "99999", true]]], [PM, [["ExternalPort", "443", true]]]]));
  t.same(rpcs.slice(-3), [
    `SPV ${PM}1.ExternalPort=80,${PM}2.ExternalPort=99999,${PM}3.ExternalPort=443 key=""`,
    `SPV ${PM}1.ExternalPort=80,${PM}3.ExternalPort=443 key=""`,
    `DeleteObject ${PM}2. key=""`,
  ]);
  t.same(
    addResp(reply).createdObjResults.map((r) => [r.operStatus.type, r.operStatus.type === "operSuccess" ? r.operStatus.instantiatedPath : r.operStatus.errCode]),
    [
      ["operSuccess", `${PM}1.`],
      ["operFailure", 7021],
      ["operSuccess", `${PM}3.`],
    ],
  );
  t.same(instances(cpe, PM), [`${PM}1.`, `${PM}3.`]);
});

t.test("TP-469 1.10 unique-key addressing in the parent part of the path", async (t) => {
  const { reply, cpe } = exec(addReq(false, [['Device.IP.Interface.[Name=="wan"].IPv4Address.', [["IPAddress", "10.1.1.1", true]]]]));
  const st = addResp(reply).createdObjResults[0]?.operStatus;
  // The CPE left Alias empty: the agent assigns one starting with "cpe-" (mapping.md §4.4).
  t.same(st, { type: "operSuccess", instantiatedPath: "Device.IP.Interface.2.IPv4Address.1.", paramErrs: [], uniqueKeys: { Alias: "cpe-1", IPAddress: "10.1.1.1" } });
  t.equal(cpe.params.get("Device.IP.Interface.2.IPv4Address.1.IPAddress")?.value, "10.1.1.1");
  t.equal(cpe.params.get("Device.IP.Interface.2.IPv4Address.1.Alias")?.value, "cpe-1");
});

t.test("an Alias the CPE leaves empty is assigned cpe-<n> in the same SPV; one the Controller gives is kept", async (t) => {
  const path = 'Device.IP.Interface.[Name=="wan"].IPv4Address.';
  const { rpcs } = exec(addReq(false, [[path, [["IPAddress", "10.1.1.2", true]]]]));
  t.equal(
    rpcs.find((r) => r.startsWith("SPV")),
    'SPV Device.IP.Interface.2.IPv4Address.1.IPAddress=10.1.1.2,Device.IP.Interface.2.IPv4Address.1.Alias=cpe-1 key=""',
  );
  const given = exec(addReq(false, [[path, [["IPAddress", "10.1.1.3", true], ["Alias", "lan-2", true]]]]));
  t.equal(given.cpe.params.get("Device.IP.Interface.2.IPv4Address.1.Alias")?.value, "lan-2");
});

t.test("a CPE refusing the assigned Alias: the SPV is retried without it, the Add succeeds with the empty Alias", async (t) => {
  const cpe = new FakeCpe(tree(), EMPTY, tables);
  cpe.inject = (r) =>
    r.method === "SetParameterValues" && r.parameterList.some((pv) => pv.name.endsWith(".Alias"))
      ? { faultCode: 9003, faultString: "Invalid arguments", setParameterValuesFaults: [{ parameterName: "Device.IP.Interface.2.IPv4Address.1.Alias", faultCode: 9007, faultString: "Invalid parameter value" }] }
      : undefined;
  const { reply, rpcs } = exec(addReq(false, [['Device.IP.Interface.[Name=="wan"].IPv4Address.', [["IPAddress", "10.1.1.4", true]]]]), {}, cpe);
  t.same(rpcs.filter((r) => r.startsWith("SPV")), [
    'SPV Device.IP.Interface.2.IPv4Address.1.IPAddress=10.1.1.4,Device.IP.Interface.2.IPv4Address.1.Alias=cpe-1 key=""',
    'SPV Device.IP.Interface.2.IPv4Address.1.IPAddress=10.1.1.4 key=""',
  ]);
  t.same(addResp(reply).createdObjResults[0]?.operStatus, { type: "operSuccess", instantiatedPath: "Device.IP.Interface.2.IPv4Address.1.", paramErrs: [], uniqueKeys: { Alias: "", IPAddress: "10.1.1.4" } });
});

t.test("TP-469 1.95 search path in the parent: one instance and one CreatedObjectResult per matched table", async (t) => {
  const { reply } = exec(addReq(true, [["Device.IP.Interface.*.IPv4Address.", []]]));
  t.same(
    addResp(reply).createdObjResults.map((r) => [r.requestedPath, r.operStatus.type === "operSuccess" ? r.operStatus.instantiatedPath : ""]),
    [
      ["Device.IP.Interface.*.IPv4Address.", "Device.IP.Interface.1.IPv4Address.2."],
      ["Device.IP.Interface.*.IPv4Address.", "Device.IP.Interface.2.IPv4Address.1."],
    ],
  );
});

t.test("R-MSG.4a a search path matching no table: an empty oper_success, nothing created", async (t) => {
  const { reply, rpcs } = exec(addReq(false, [['Device.IP.Interface.[Name=="nope"].IPv4Address.', []]]));
  t.notOk(rpcs.some((r) => r.startsWith("AddObject")));
  t.same(addResp(reply).createdObjResults[0]?.operStatus, { type: "operSuccess", instantiatedPath: "", paramErrs: [], uniqueKeys: {} });
});

t.test("paths that are no creatable table: 7018 instance / single object, 7019 read-only table, 7026, 7008", async (t) => {
  const { reply, rpcs } = exec(
    addReq(true, [
      [`${PM}1.`, []],
      ["Device.DeviceInfo.", []],
      ["Device.IP.Interface.", []],
      ["Device.Nope.", []],
      ["Device.NAT.PortMapping", []],
      ["Device..", []],
    ]),
  );
  t.same(rpcs, [
    'AddObject Device.DeviceInfo. key=""',
    'AddObject Device.IP.Interface. key=""',
    'AddObject Device.Nope. key=""',
    "GPN Device.DeviceInfo. true",
    "GPN Device.IP. true",
    "GPN Device.Nope. true",
  ]);
  t.same(
    addResp(reply).createdObjResults.map((r) => (r.operStatus.type === "operFailure" ? [r.operStatus.errCode, r.operStatus.errMsg] : [])),
    [
      [7018, `Object is not a table: ${PM}1. addresses instances`],
      [7018, "Object is not a table: Device.DeviceInfo."],
      [7019, "Attempt to create non-creatable object: Device.IP.Interface. (CPE fault 9003: Invalid arguments)"],
      [7026, "Device.Nope. is not in the data model"],
      [7008, "Add takes a table path ending in '.'"],
      [7008, "Invalid path syntax: expected a name at 7"],
    ],
  );
});

t.test("a single-instance object known from the Inform is 7018 without an AddObject", async (t) => {
  const cpe = new FakeCpe(tree(), EMPTY, tables);
  const ctx = context();
  ctx.model.learnFromInform([{ name: "Device.DeviceInfo.Manufacturer", value: "ACME", type: "xsd:string" }]);
  const { reply } = run(addReq(false, [["Device.DeviceInfo.", []]]), ctx, cpe);
  t.same(cpe.log, []);
  t.equal(errorOf(reply).errCode, 7018);
});

t.test("AddObject faults without a better code: 9004 → 7005, unknown → 7017", async (t) => {
  for (const [fault, code] of [
    [9004, 7005],
    [9850, 7017],
  ] as const) {
    const cpe = new FakeCpe(tree(), EMPTY, tables);
    cpe.inject = (r) => (r.method === "AddObject" ? { faultCode: fault, faultString: "no", setParameterValuesFaults: [] } : undefined);
    const { reply, rpcs } = exec(addReq(false, [[PM, WEB]]), {}, cpe);
    t.same(rpcs, [`GPN ${PM} false`, `AddObject ${PM} key=""`]);
    t.equal(errorOf(reply).errCode, code, `${fault}`);
  }
});

t.test("an SPV fault without per-parameter detail fails every instance with a write; all deleted again", async (t) => {
  const cpe = new FakeCpe(tree(), EMPTY, tables);
  cpe.inject = (r) => (r.method === "SetParameterValues" ? { faultCode: 9002, faultString: "Internal error", setParameterValuesFaults: [] } : undefined);
  const { reply, cpe: after } = exec(addReq(true, [[PM, WEB], [PM, []]]), {}, cpe);
  t.same(
    addResp(reply).createdObjResults.map((r) => (r.operStatus.type === "operFailure" ? r.operStatus.errCode : r.operStatus.instantiatedPath)),
    [7003, `${PM}2.`],
  );
  t.same(instances(after, PM), [`${PM}2.`]);
});

t.test("a created instance that cannot be deleted again is reported in err_msg", async (t) => {
  const cpe = new FakeCpe(tree(), EMPTY, tables);
  cpe.inject = (r) => (r.method === "DeleteObject" ? { faultCode: 9001, faultString: "Request denied", setParameterValuesFaults: [] } : undefined);
  const { reply } = exec(addReq(false, [[PM, [["ExternalPort", "70000", true]]]]), {}, cpe);
  t.match(errorOf(reply).errMsg, `created but could not be deleted again: ${PM}1. (CPE fault 9001: Request denied)`);
});

t.test("quirk: partialPathGpv=false reads the new row with GPN then GPV of its names", async (t) => {
  const { reply, rpcs } = exec(addReq(false, [[PM, [["ExternalPort", "8080", true]]]]), { partialPathGpv: false });
  t.same(rpcs.slice(0, 3), [`GPN ${PM} false`, `AddObject ${PM} key=""`, `GPN ${PM}1. false`]);
  t.ok(rpcs[3]?.startsWith(`GPV ${PM}1.Enable,`));
  t.equal(rpcs[4], `SPV ${PM}1.ExternalPort=8080 key=""`);
  t.equal(addResp(reply).createdObjResults[0]?.operStatus.type, "operSuccess");
});

t.test("the next Get and GetInstances see the new instance (cached table listing dropped)", async (t) => {
  const cpe = new FakeCpe(tree(), EMPTY, tables);
  const ctx = context();
  run({ type: "getInstances", getInstances: { objPaths: [PM], firstLevelOnly: true } }, ctx, cpe);
  run(addReq(false, [[PM, WEB]]), ctx, cpe);
  const gi = run({ type: "getInstances", getInstances: { objPaths: [PM], firstLevelOnly: true } }, ctx, cpe).reply;
  if (gi.kind !== "response" || gi.response.type !== "getInstancesResp") throw new Error("no GetInstancesResp");
  t.same(gi.response.getInstancesResp.reqPathResults[0]?.currInsts.map((c) => c.instantiatedObjPath), [`${PM}1.`]);
  const get = run({ type: "get", get: { paramPaths: [`${PM}*.ExternalPort`], maxDepth: 0 } }, ctx, cpe).reply;
  if (get.kind !== "response" || get.response.type !== "getResp") throw new Error("no GetResp");
  t.same(get.response.getResp.reqPathResults[0]?.resolvedPathResults, [{ resolvedPath: `${PM}1.`, resultParams: { ExternalPort: "8080" } }]);
});

// TP-469 1.88 / error 7025: a row already there with the same unique key.
const WITH_ROW = (): Tree => ({
  ...tree(),
  "Device.NAT.PortMapping.4.Alias": p("web", "xsd:string", true),
  "Device.NAT.PortMapping.4.RemoteHost": p("", "xsd:string", true),
  "Device.NAT.PortMapping.4.ExternalPort": p("8080", u, true),
  "Device.NAT.PortMapping.4.Protocol": p("TCP", "xsd:string", true),
  "Device.NAT.PortMapping.4.Description": p("old", "xsd:string", true),
});

t.test("TP-469 1.88 a key given whole that an existing row has → 7025 before anything is created", async (t) => {
  const cpe = new FakeCpe(WITH_ROW(), ["Device.IP.Interface.2.IPv4Address."], tables);
  const { reply, rpcs } = exec(addReq(false, [[PM, [["Alias", "web", true], ["ExternalPort", "9090", true]]]]), {}, cpe);
  t.same(rpcs, [`GPN ${PM} false`, `GPV ${PM}4.Alias,${PM}4.RemoteHost,${PM}4.ExternalPort,${PM}4.Protocol`], "the rows' keys are read, no AddObject");
  t.same(errorOf(reply), { errCode: 7025, errMsg: `${PM}: Object exists with duplicate key: ${PM}4. has Alias="web"`, paramErrs: [] });
  t.same(instances(cpe, PM), [`${PM}4.`]);
});

t.test("TP-469 1.88 a key completed with the values the CPE assigns → 7025, the new row deleted again", async (t) => {
  // RemoteHost and Protocol are not given: the CPE's defaults ("", TCP) make
  // the key of row 4 (RemoteHost "", ExternalPort 8080, Protocol TCP).
  const cpe = new FakeCpe(WITH_ROW(), ["Device.IP.Interface.2.IPv4Address."], tables);
  const { reply, rpcs } = exec(addReq(true, [[PM, [["ExternalPort", "8080", true]]]]), {}, cpe);
  t.same(rpcs.slice(-1), [`DeleteObject ${PM}5. key=""`]);
  t.notOk(rpcs.some((r) => r.startsWith("SPV")), "nothing is written to the duplicate");
  t.same(addResp(reply).createdObjResults[0]?.operStatus, {
    type: "operFailure",
    errCode: 7025,
    errMsg: `Object exists with duplicate key: ${PM}4. has RemoteHost="", ExternalPort="8080", Protocol="TCP"`,
  });
  t.same(instances(cpe, PM), [`${PM}4.`]);
});

t.test("R-ADD.5 different key values beside an existing row: created", async (t) => {
  const cpe = new FakeCpe(WITH_ROW(), ["Device.IP.Interface.2.IPv4Address."], tables);
  const { reply } = exec(addReq(false, [[PM, [["Alias", "web2", true], ["ExternalPort", "8080", true], ["Protocol", "UDP", true]]]]), {}, cpe);
  t.equal(addResp(reply).createdObjResults[0]?.operStatus.type, "operSuccess");
  t.same(instances(cpe, PM), [`${PM}4.`, `${PM}5.`]);
});

t.test("foldAdd reports what did not get through as 7003, without sending anything", async (t) => {
  const ctx = context();
  ctx.model.beginTransaction();
  const folded = foldAdd({ allowPartial: true, createObjs: [{ objPath: PM, paramSettings: [] }] }, ctx);
  t.same(folded.createdObjResults[0]?.operStatus, { type: "operFailure", errCode: 7003, errMsg: "the CPE gave no usable answer" });
});
