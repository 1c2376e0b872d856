// USP Delete translated to CWMP DeleteObject against the fake CPE: every path
// checked before the first DeleteObject (CWMP cannot undo one), allow_partial
// both ways, R-DEL.1 / R-DEL.2a, and the exact RPC sequences.
import t from "tap";
import type { DeleteResp, Request, UnaffectedPathError, UspError } from "../src/usp/messages.js";
import type { UspReply } from "../src/translate/plan.js";
import { foldDelete } from "../src/translate/delete.js";
import { FakeCpe, context, describe, p, run, type FakeTable, type Tree } from "./fixtures/translate-cpe.js";

const u = "xsd:unsignedInt";

function tree(): Tree {
  return {
    "Device.DeviceInfo.Manufacturer": p("ACME"),
    "Device.IP.Interface.1.Name": p("eth0"),
    "Device.IP.Interface.1.IPv4Address.1.IPAddress": p("192.168.1.1", "xsd:string", true),
    "Device.IP.Interface.1.IPv4Address.2.IPAddress": p("10.0.0.1", "xsd:string", true),
    "Device.NAT.PortMapping.1.ExternalPort": p("80", u, true),
    "Device.NAT.PortMapping.1.Enable": p("true", "xsd:boolean", true),
    "Device.NAT.PortMapping.2.ExternalPort": p("443", u, true),
    "Device.NAT.PortMapping.2.Enable": p("false", "xsd:boolean", true),
    "Device.NAT.PortMapping.4.ExternalPort": p("8080", u, true),
    "Device.NAT.PortMapping.4.Enable": p("true", "xsd:boolean", true),
  };
}

// IP.Interface rows are fixed (DeleteObject not allowed); PortMapping and
// IPv4Address rows can be deleted.
const tables: Record<string, FakeTable> = {
  "Device.IP.Interface.{i}.": { defaults: {}, writable: false },
  "Device.NAT.PortMapping.{i}.": { defaults: {} },
  "Device.IP.Interface.{i}.IPv4Address.{i}.": { defaults: {} },
};

const del = (allowPartial: boolean, objPaths: string[]): Request => ({ type: "delete", delete: { allowPartial, objPaths } });

function exec(req: Request, cpe = new FakeCpe(tree(), [], tables)): { reply: UspReply; rpcs: string[]; cpe: FakeCpe } {
  const { reply } = run(req, context(), cpe);
  return { reply, rpcs: cpe.log.map(describe), cpe };
}

function deleteResp(reply: UspReply): DeleteResp {
  if (reply.kind !== "response" || reply.response.type !== "deleteResp") throw new Error(`not a DeleteResp: ${JSON.stringify(reply)}`);
  return reply.response.deleteResp;
}
function errorOf(reply: UspReply): UspError {
  if (reply.kind !== "error") throw new Error(`not an Error: ${JSON.stringify(reply)}`);
  return reply.error;
}
const success = (affectedPaths: string[], unaffectedPathErrs: UnaffectedPathError[] = []): { type: "operSuccess"; affectedPaths: string[]; unaffectedPathErrs: UnaffectedPathError[] } => ({
  type: "operSuccess",
  affectedPaths,
  unaffectedPathErrs,
});
const exists = (cpe: FakeCpe, obj: string): boolean => [...cpe.params.keys()].some((k) => k.startsWith(obj));

for (const allowPartial of [false, true]) {
  t.test(`TP-469 1.24 (allow_partial=${allowPartial}) an existing instance: listed, then one DeleteObject`, async (t) => {
    const { reply, rpcs, cpe } = exec(del(allowPartial, ["Device.NAT.PortMapping.2."]));
    t.same(rpcs, ["GPN Device.NAT.PortMapping. true", 'DeleteObject Device.NAT.PortMapping.2. key=""']);
    t.same(deleteResp(reply).deletedObjResults, [{ requestedPath: "Device.NAT.PortMapping.2.", operStatus: success(["Device.NAT.PortMapping.2."]) }]);
    t.notOk(exists(cpe, "Device.NAT.PortMapping.2."), "gone from the CPE");
    t.ok(exists(cpe, "Device.NAT.PortMapping.1."));
  });

  t.test(`TP-469 1.34 (allow_partial=${allowPartial}) wildcard: every instance, each in affected_paths`, async (t) => {
    const { reply, cpe } = exec(del(allowPartial, ["Device.NAT.PortMapping.*."]));
    t.same(deleteResp(reply).deletedObjResults[0]?.operStatus, success(["Device.NAT.PortMapping.1.", "Device.NAT.PortMapping.2.", "Device.NAT.PortMapping.4."]));
    t.notOk(exists(cpe, "Device.NAT.PortMapping."));
  });
}

t.test("allow_partial=false sends DeleteObjects one per round, allow_partial=true all in one round", async (t) => {
  const strict = exec(del(false, ["Device.NAT.PortMapping.*."]));
  const loose = exec(del(true, ["Device.NAT.PortMapping.*."]));
  const deletes = ['DeleteObject Device.NAT.PortMapping.1. key=""', 'DeleteObject Device.NAT.PortMapping.2. key=""', 'DeleteObject Device.NAT.PortMapping.4. key=""'];
  t.same(strict.rpcs, ["GPN Device.NAT.PortMapping. true", ...deletes]);
  t.same(loose.rpcs, strict.rpcs);
  const rounds = (req: Request): number => run(req, context(), new FakeCpe(tree(), [], tables)).rounds;
  t.equal(rounds(del(false, ["Device.NAT.PortMapping.*."])), 4, "list + 3 single DeleteObject rounds");
  t.equal(rounds(del(true, ["Device.NAT.PortMapping.*."])), 2, "list + 1 round of 3 DeleteObjects");
});

t.test("TP-469 1.35 search expression: only the matching instances", async (t) => {
  const { reply, cpe } = exec(del(false, ["Device.NAT.PortMapping.[Enable==true]."]));
  t.same(deleteResp(reply).deletedObjResults[0]?.operStatus, success(["Device.NAT.PortMapping.1.", "Device.NAT.PortMapping.4."]));
  t.ok(exists(cpe, "Device.NAT.PortMapping.2."));
});

t.test("TP-469 1.33 unique-key addressing", async (t) => {
  const { reply } = exec(del(false, ["Device.NAT.PortMapping.[ExternalPort==443]."]));
  t.same(deleteResp(reply).deletedObjResults[0]?.operStatus, success(["Device.NAT.PortMapping.2."]));
});

t.test("TP-469 1.25 R-DEL.1 allow_partial=false, nonexistent instance → Error 7016, nothing deleted", async (t) => {
  const { reply, rpcs } = exec(del(false, ["Device.NAT.PortMapping.1.", "Device.NAT.PortMapping.3."]));
  t.same(rpcs, ["GPN Device.NAT.PortMapping. true"], "checked before any DeleteObject");
  t.same(errorOf(reply), {
    errCode: 7016,
    errMsg: "Object does not exist: Device.NAT.PortMapping.3.",
    paramErrs: [{ paramPath: "Device.NAT.PortMapping.3.", errCode: 7016, errMsg: "Object does not exist: Device.NAT.PortMapping.3." }],
  });
});

t.test("TP-469 1.29 R-DEL.2a allow_partial=true, nonexistent instance → oper_success with empty affected_paths", async (t) => {
  const { reply, rpcs } = exec(del(true, ["Device.NAT.PortMapping.3."]));
  t.same(rpcs, ["GPN Device.NAT.PortMapping. true"]);
  t.same(deleteResp(reply).deletedObjResults, [{ requestedPath: "Device.NAT.PortMapping.3.", operStatus: success([]) }]);
});

t.test("TP-469 1.90 R-DEL.2a search matching nothing → oper_success with empty affected_paths", async (t) => {
  const { reply } = exec(del(false, ["Device.NAT.PortMapping.[ExternalPort==1]."]));
  t.same(deleteResp(reply).deletedObjResults[0]?.operStatus, success([]));
});

t.test("TP-469 1.26/1.28 allow_partial=false, invalid object among several → Error 7026, nothing deleted", async (t) => {
  const { reply, rpcs, cpe } = exec(del(false, ["Device.NAT.PortMapping.1.", "Device.Nope.1."]));
  t.notOk(rpcs.some((r) => r.startsWith("DeleteObject")));
  const e = errorOf(reply);
  t.equal(e.errCode, 7026);
  t.same(e.paramErrs.map((x) => [x.paramPath, x.errCode]), [["Device.Nope.1.", 7026]]);
  t.ok(exists(cpe, "Device.NAT.PortMapping.1."));
});

t.test("TP-469 1.30/1.31/1.32 allow_partial=true: each path on its own", async (t) => {
  const { reply, cpe } = exec(del(true, ["Device.Nope.1.", "Device.NAT.PortMapping.1.", "Device.NAT.PortMapping.9."]));
  t.same(deleteResp(reply).deletedObjResults, [
    { requestedPath: "Device.Nope.1.", operStatus: { type: "operFailure", errCode: 7026, errMsg: "Device.Nope.1. is not in the data model" } },
    { requestedPath: "Device.NAT.PortMapping.1.", operStatus: success(["Device.NAT.PortMapping.1."]) },
    { requestedPath: "Device.NAT.PortMapping.9.", operStatus: success([]) },
  ]);
  t.notOk(exists(cpe, "Device.NAT.PortMapping.1."));
});

t.test("R-DEL.1 non-instance paths: a table 7024, a single-instance object 7018, bad syntax 7008", async (t) => {
  const { reply, rpcs } = exec(del(true, ["Device.NAT.PortMapping.", "Device.DeviceInfo.", "Device.NAT.PortMapping.1.Enable", "Device..1."]));
  t.notOk(rpcs.some((r) => r.startsWith("DeleteObject")));
  t.same(
    deleteResp(reply).deletedObjResults.map((r) => (r.operStatus.type === "operFailure" ? r.operStatus.errCode : 0)),
    [7024, 7018, 7008, 7008],
  );
});

t.test("TR-069 A.3.2.3 an instance the CPE lists as not writable is not deletable: 7024 before sending", async (t) => {
  const strict = exec(del(false, ["Device.IP.Interface.1."]));
  t.same(strict.rpcs, ["GPN Device.IP.Interface. true"]);
  t.same(errorOf(strict.reply).paramErrs, [
    { paramPath: "Device.IP.Interface.1.", errCode: 7024, errMsg: "Delete failure: the CPE does not allow deleting Device.IP.Interface.1." },
  ]);
  const loose = exec(del(true, ["Device.IP.Interface.1."]));
  t.same(deleteResp(loose.reply).deletedObjResults[0]?.operStatus, {
    type: "operFailure",
    errCode: 7024,
    errMsg: "Delete failure: the CPE does not allow deleting Device.IP.Interface.1.",
  });
});

t.test("nested instance path: each table on the way is checked", async (t) => {
  const ok = exec(del(false, ["Device.IP.Interface.1.IPv4Address.2."]));
  t.same(ok.rpcs, ["GPN Device.IP.Interface. true", "GPN Device.IP.Interface.1.IPv4Address. true", 'DeleteObject Device.IP.Interface.1.IPv4Address.2. key=""']);
  const missing = exec(del(false, ["Device.IP.Interface.7.IPv4Address.1."]));
  t.equal(errorOf(missing.reply).errCode, 7016, "the parent instance does not exist");
});

t.test("allow_partial=false: a CPE fault stops the message; what was deleted is reported", async (t) => {
  const cpe = new FakeCpe(tree(), [], tables);
  cpe.inject = (r) =>
    r.method === "DeleteObject" && r.objectName === "Device.NAT.PortMapping.2." ? { faultCode: 9002, faultString: "Internal error", setParameterValuesFaults: [] } : undefined;
  const { reply, rpcs } = exec(del(false, ["Device.NAT.PortMapping.*."]), cpe);
  t.same(rpcs.slice(1), ['DeleteObject Device.NAT.PortMapping.1. key=""', 'DeleteObject Device.NAT.PortMapping.2. key=""'], "4 is never sent");
  t.same(errorOf(reply), {
    errCode: 7003,
    errMsg: "CPE fault 9002: Internal error (already deleted, cannot be undone: Device.NAT.PortMapping.1.)",
    paramErrs: [{ paramPath: "Device.NAT.PortMapping.2.", errCode: 7003, errMsg: "CPE fault 9002: Internal error" }],
  });
  t.ok(exists(cpe, "Device.NAT.PortMapping.4."));
});

t.test("allow_partial=true: a CPE fault on one instance is an unaffected_path_err; a non-Delete code becomes 7024", async (t) => {
  const cpe = new FakeCpe(tree(), [], tables);
  cpe.inject = (r) =>
    r.method === "DeleteObject" && r.objectName === "Device.NAT.PortMapping.2." ? { faultCode: 9008, faultString: "read only", setParameterValuesFaults: [] } : undefined;
  const { reply } = exec(del(true, ["Device.NAT.PortMapping.*.", "Device.NAT.PortMapping.2."]), cpe);
  t.same(deleteResp(reply).deletedObjResults, [
    {
      requestedPath: "Device.NAT.PortMapping.*.",
      operStatus: success(["Device.NAT.PortMapping.1.", "Device.NAT.PortMapping.4."], [
        { unaffectedPath: "Device.NAT.PortMapping.2.", errCode: 7024, errMsg: "CPE fault 9008: read only" },
      ]),
    },
    { requestedPath: "Device.NAT.PortMapping.2.", operStatus: { type: "operFailure", errCode: 7024, errMsg: "CPE fault 9008: read only" } },
  ]);
});

t.test("a wildcard over many instances still finishes within MAX_PLAN_ROUNDS (chunks after 8)", async (t) => {
  const big: Tree = {};
  for (let i = 1; i <= 30; i++) big[`Device.NAT.PortMapping.${i}.Enable`] = p("true", "xsd:boolean", true);
  const cpe = new FakeCpe(big, [], tables);
  const { reply, rounds } = run(del(false, ["Device.NAT.PortMapping.*."]), context(), cpe);
  t.equal(deleteResp(reply).deletedObjResults[0]?.operStatus.type, "operSuccess");
  t.ok(rounds <= 9, `${rounds} rounds`);
  t.equal(cpe.params.size, 0);
});

t.test("the next transaction sees the deletion (model forgets deleted instances)", async (t) => {
  const cpe = new FakeCpe(tree(), [], tables);
  const ctx = context();
  run(del(false, ["Device.NAT.PortMapping.1."]), ctx, cpe);
  t.ok(ctx.model.knows("Device.NAT.PortMapping.1."), "kept during its own transaction");
  const again = run(del(false, ["Device.NAT.PortMapping.1."]), ctx, cpe);
  t.notOk(ctx.model.knows("Device.NAT.PortMapping.1."));
  t.equal(errorOf(again.reply).errCode, 7016);
  const get = run({ type: "get", get: { paramPaths: ["Device.NAT.PortMapping.*.Enable"], maxDepth: 0 } }, ctx, cpe);
  if (get.reply.kind !== "response" || get.reply.response.type !== "getResp") throw new Error("no GetResp");
  t.same(
    get.reply.response.getResp.reqPathResults[0]?.resolvedPathResults.map((r) => r.resolvedPath),
    ["Device.NAT.PortMapping.2.", "Device.NAT.PortMapping.4."],
  );
});

t.test("foldDelete reports unresolved paths as 7003 without sending anything", async (t) => {
  const ctx = context();
  ctx.model.beginTransaction();
  t.same(foldDelete({ allowPartial: true, objPaths: ["Device.NAT.PortMapping.1."] }, ctx).deletedObjResults[0]?.operStatus, {
    type: "operFailure",
    errCode: 7003,
    errMsg: "the CPE gave no usable answer",
  });
});
