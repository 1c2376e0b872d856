// USP Set translated to one atomic CWMP SetParameterValues, against an
// in-memory fake CPE. Covers every row of the allow_partial/required truth
// table (usp.md §2), the CWMP fault → USP code mapping, and the RPC sequence.
import t from "tap";
import type { Request, SetResp, UspError } from "../src/usp/messages.js";
import type { UspReply } from "../src/translate/plan.js";
import { planRequest } from "../src/translate/index.js";
import { FakeCpe, context, describe, p, run, type Tree } from "./fixtures/translate-cpe.js";

const u = "xsd:unsignedInt";
const b = "xsd:boolean";
const mtu = (v: string): number => (Number(v) > 1500 ? 9007 : 0);

function tree(): Tree {
  return {
    "Device.DeviceInfo.Manufacturer": p("ACME"),
    "Device.DeviceInfo.ProvisioningCode": p("", "xsd:string", true),
    "Device.Time.Enable": p("false", b, true),
    "Device.Time.NTPServer1": p("pool.ntp.org", "xsd:string", true),
    "Device.Time.Status": p("Disabled"),
    "Device.IP.Interface.1.Enable": p("true", b, true),
    "Device.IP.Interface.1.Name": p("eth0"),
    "Device.IP.Interface.1.MaxMTUSize": p("1500", u, true, mtu),
    "Device.IP.Interface.2.Enable": p("true", b, true),
    "Device.IP.Interface.2.Name": p("wan"),
    "Device.IP.Interface.2.MaxMTUSize": p("1500", u, true, mtu),
  };
}

type Setting = [param: string, value: string, required: boolean];
const setReq = (allowPartial: boolean, objs: [string, Setting[]][]): Request => ({
  type: "set",
  set: {
    allowPartial,
    updateObjs: objs.map(([objPath, s]) => ({
      objPath,
      paramSettings: s.map(([param, value, required]) => ({ param, value, required })),
    })),
  },
});

function exec(req: Request, profile = {}): { reply: UspReply; rpcs: string[]; cpe: FakeCpe } {
  const cpe = new FakeCpe(tree());
  const { reply } = run(req, context(profile), cpe);
  return { reply, rpcs: cpe.log.map(describe), cpe };
}

function setResp(reply: UspReply): SetResp {
  if (reply.kind !== "response" || reply.response.type !== "setResp") throw new Error(`not a SetResp: ${JSON.stringify(reply)}`);
  return reply.response.setResp;
}
function errorOf(reply: UspReply): UspError {
  if (reply.kind !== "error") throw new Error(`not an Error: ${JSON.stringify(reply)}`);
  return reply.error;
}

const TIME = "Device.Time.";

for (const allowPartial of [true, false]) {
  t.test(`R-SET truth table (allow_partial=${allowPartial}) no required params, none failed → oper_success, no param_errs`, async (t) => {
    const { reply, rpcs } = exec(setReq(allowPartial, [[TIME, [["NTPServer1", "ntp.example", false]]]]));
    t.same(rpcs, ["GPN Device.Time. true", "GPV Device.Time.NTPServer1", 'SPV Device.Time.NTPServer1=ntp.example key=""']);
    t.same(setResp(reply).updatedObjResults, [
      {
        requestedPath: TIME,
        operStatus: {
          type: "operSuccess",
          updatedInstResults: [{ affectedPath: TIME, paramErrs: [], updatedParams: { NTPServer1: "ntp.example" } }],
        },
      },
    ]);
  });

  t.test(`R-SET truth table (allow_partial=${allowPartial}) no required params, other failed → oper_success with param_errs`, async (t) => {
    const { reply, rpcs, cpe } = exec(
      setReq(allowPartial, [[TIME, [["NTPServer1", "ntp.example", false], ["Status", "Enabled", false]]]]),
    );
    t.same(rpcs, ["GPN Device.Time. true", "GPV Device.Time.NTPServer1", 'SPV Device.Time.NTPServer1=ntp.example key=""'], "read-only Status never sent");
    t.same(setResp(reply).updatedObjResults[0]?.operStatus, {
      type: "operSuccess",
      updatedInstResults: [
        {
          affectedPath: TIME,
          paramErrs: [{ param: "Status", errCode: 7013, errMsg: "Device.Time.Status is not writable" }],
          updatedParams: { NTPServer1: "ntp.example" },
        },
      ],
    });
    t.equal(cpe.params.get("Device.Time.NTPServer1")?.value, "ntp.example");
  });

  t.test(`R-SET truth table (allow_partial=${allowPartial}) required params, none failed → oper_success`, async (t) => {
    const { reply } = exec(setReq(allowPartial, [[TIME, [["Enable", "true", true], ["NTPServer1", "x", false]]]]));
    const st = setResp(reply).updatedObjResults[0]?.operStatus;
    t.same(st, {
      type: "operSuccess",
      updatedInstResults: [{ affectedPath: TIME, paramErrs: [], updatedParams: { Enable: "true", NTPServer1: "x" } }],
    });
  });

  t.test(`R-SET truth table (allow_partial=${allowPartial}) required ok, other failed in the SPV → retried without it`, async (t) => {
    const { reply, rpcs, cpe } = exec(
      setReq(allowPartial, [["Device.IP.Interface.1.", [["Enable", "false", true], ["MaxMTUSize", "9000", false]]]]),
    );
    t.same(rpcs, [
      "GPN Device.IP.Interface.1. true",
      "GPV Device.IP.Interface.1.Enable,Device.IP.Interface.1.MaxMTUSize",
      'SPV Device.IP.Interface.1.Enable=false,Device.IP.Interface.1.MaxMTUSize=9000 key=""',
      'SPV Device.IP.Interface.1.Enable=false key=""',
    ]);
    t.same(setResp(reply).updatedObjResults[0]?.operStatus, {
      type: "operSuccess",
      updatedInstResults: [
        {
          affectedPath: "Device.IP.Interface.1.",
          paramErrs: [{ param: "MaxMTUSize", errCode: 7012, errMsg: "CPE fault 9007: Invalid parameter value" }],
          updatedParams: { Enable: "false" },
        },
      ],
    });
    t.equal(cpe.params.get("Device.IP.Interface.1.Enable")?.value, "false");
    t.equal(cpe.params.get("Device.IP.Interface.1.MaxMTUSize")?.value, "1500");
  });
}

t.test("R-SET truth table (allow_partial=true) required failed → oper_failure 7021; other objects still applied", async (t) => {
  const { reply, rpcs, cpe } = exec(
    setReq(true, [
      ["Device.IP.Interface.1.", [["MaxMTUSize", "9000", true]]],
      [TIME, [["Enable", "true", true]]],
    ]),
  );
  t.same(rpcs.slice(-2), [
    'SPV Device.IP.Interface.1.MaxMTUSize=9000,Device.Time.Enable=true key=""',
    'SPV Device.Time.Enable=true key=""',
  ]);
  t.same(setResp(reply).updatedObjResults, [
    {
      requestedPath: "Device.IP.Interface.1.",
      operStatus: {
        type: "operFailure",
        errCode: 7021,
        errMsg: "Required parameter failed: MaxMTUSize",
        updatedInstFailures: [
          {
            affectedPath: "Device.IP.Interface.1.",
            paramErrs: [{ param: "MaxMTUSize", errCode: 7012, errMsg: "CPE fault 9007: Invalid parameter value" }],
          },
        ],
      },
    },
    {
      requestedPath: TIME,
      operStatus: { type: "operSuccess", updatedInstResults: [{ affectedPath: TIME, paramErrs: [], updatedParams: { Enable: "true" } }] },
    },
  ]);
  t.equal(cpe.params.get("Device.Time.Enable")?.value, "true");
});

t.test("R-SET truth table (allow_partial=false) required failed → Error 7021 with param_errs, nothing applied", async (t) => {
  const { reply, rpcs, cpe } = exec(
    setReq(false, [
      ["Device.IP.Interface.1.", [["MaxMTUSize", "9000", true]]],
      [TIME, [["Enable", "true", true]]],
    ]),
  );
  t.equal(rpcs.filter((r) => r.startsWith("SPV")).length, 1, "no SPV after the failure");
  const e = errorOf(reply);
  t.equal(e.errCode, 7021);
  t.same(e.paramErrs, [
    { paramPath: "Device.IP.Interface.1.MaxMTUSize", errCode: 7012, errMsg: "CPE fault 9007: Invalid parameter value" },
  ]);
  t.equal(cpe.params.get("Device.Time.Enable")?.value, "false", "atomic: nothing applied");
});

t.test("allow_partial=false with a required failure known before sending → Error, no SPV at all", async (t) => {
  const { reply, rpcs } = exec(setReq(false, [[TIME, [["Status", "x", true], ["Enable", "true", true]]]]));
  t.notOk(rpcs.some((r) => r.startsWith("SPV")));
  const e = errorOf(reply);
  t.equal(e.errCode, 7021);
  t.same(e.paramErrs, [{ paramPath: "Device.Time.Status", errCode: 7013, errMsg: "Device.Time.Status is not writable" }]);
});

t.test("7010 unknown parameter, 7011 bad lexical form, 7013 read-only: checked before the SPV", async (t) => {
  const { reply, rpcs } = exec(
    setReq(true, [
      [
        "Device.IP.Interface.2.",
        [
          ["Bogus", "1", false],
          ["Enable", "maybe", false],
          ["MaxMTUSize", "-1", false],
          ["Name", "x", false],
          ["Bad Name", "x", false],
        ],
      ],
    ]),
  );
  t.notOk(rpcs.some((r) => r.startsWith("SPV")), "nothing left to write");
  const st = setResp(reply).updatedObjResults[0]?.operStatus;
  t.equal(st?.type, "operSuccess");
  if (st?.type !== "operSuccess") return;
  t.same(
    st.updatedInstResults[0]?.paramErrs.map((e) => [e.param, e.errCode]),
    [
      ["Bogus", 7010],
      ["Enable", 7011],
      ["MaxMTUSize", 7011],
      ["Name", 7013],
      ["Bad Name", 7010],
    ],
  );
  t.same(st.updatedInstResults[0]?.updatedParams, {});
});

t.test("TR-069 A.3.2.1 per-param SPV faults map 9005→7010, 9006→7011, 9007→7012, 9008→7013", async (t) => {
  const req = setReq(true, [[TIME, [["Enable", "true", false], ["NTPServer1", "a", false]]]]);
  const codes = [9005, 9006, 9007, 9008];
  for (const code of codes) {
    const cpe = new FakeCpe(tree());
    const ctx = context();
    cpe.inject = (r) =>
      r.method === "SetParameterValues" && r.parameterList.length === 2
        ? { faultCode: 9003, faultString: "Invalid arguments", setParameterValuesFaults: [{ parameterName: "Device.Time.Enable", faultCode: code, faultString: "x" }] }
        : undefined;
    const { reply } = run(req, ctx, cpe);
    const st = setResp(reply).updatedObjResults[0]?.operStatus;
    if (st?.type !== "operSuccess") {
      t.fail("expected operSuccess");
      continue;
    }
    t.same(st.updatedInstResults[0]?.paramErrs, [{ param: "Enable", errCode: { 9005: 7010, 9006: 7011, 9007: 7012, 9008: 7013 }[code], errMsg: `CPE fault ${code}: x` }]);
    t.same(st.updatedInstResults[0]?.updatedParams, { NTPServer1: "a" });
  }
});

t.test("SPV fault without per-param detail fails every object in it (mapped code)", async (t) => {
  for (const allowPartial of [true, false]) {
    const cpe = new FakeCpe(tree());
    cpe.inject = (r) => (r.method === "SetParameterValues" ? { faultCode: 9002, faultString: "Internal error", setParameterValuesFaults: [] } : undefined);
    const { reply } = run(setReq(allowPartial, [[TIME, [["Enable", "true", false]]], ["Device.DeviceInfo.", [["Nope", "x", false]]]]), context(), cpe);
    t.equal(cpe.log.filter((r) => r.method === "SetParameterValues").length, 1, "not retried");
    if (!allowPartial) {
      t.same(errorOf(reply), { errCode: 7003, errMsg: "CPE fault 9002: Internal error", paramErrs: [] });
      continue;
    }
    const res = setResp(reply).updatedObjResults;
    t.same(res[0]?.operStatus, { type: "operFailure", errCode: 7003, errMsg: "CPE fault 9002: Internal error", updatedInstFailures: [] });
    t.equal(res[1]?.operStatus.type, "operSuccess", "an object with nothing in the SPV is unaffected");
  }
});

t.test("R-SET.2a wildcard Set: every instance in one SPV, one UpdatedInstanceResult each", async (t) => {
  const { reply, rpcs } = exec(setReq(false, [["Device.IP.Interface.*.", [["Enable", "false", true]]]]));
  t.same(rpcs, [
    "GPN Device.IP.Interface. true",
    "GPN Device.IP.Interface.1. true",
    "GPN Device.IP.Interface.2. true",
    "GPV Device.IP.Interface.1.Enable,Device.IP.Interface.2.Enable",
    'SPV Device.IP.Interface.1.Enable=false,Device.IP.Interface.2.Enable=false key=""',
  ]);
  const st = setResp(reply).updatedObjResults[0]?.operStatus;
  t.same(st, {
    type: "operSuccess",
    updatedInstResults: [
      { affectedPath: "Device.IP.Interface.1.", paramErrs: [], updatedParams: { Enable: "false" } },
      { affectedPath: "Device.IP.Interface.2.", paramErrs: [], updatedParams: { Enable: "false" } },
    ],
  });
});

t.test("R-MSG.4a search Set matching nothing → oper_success with no results, no SPV", async (t) => {
  const { reply, rpcs } = exec(setReq(false, [['Device.IP.Interface.[Name=="nope"].', [["Enable", "false", true]]]]));
  t.notOk(rpcs.some((r) => r.startsWith("SPV")));
  t.same(setResp(reply).updatedObjResults[0]?.operStatus, { type: "operSuccess", updatedInstResults: [] });
});

t.test("nonexistent instance → 7016, path outside the model → 7026, bad syntax → 7008", async (t) => {
  const { reply, rpcs } = exec(
    setReq(true, [
      ["Device.IP.Interface.99.", [["Enable", "true", false]]],
      ["Device.Nope.1.", [["Enable", "true", false]]],
      ["Device.IP.Interface.{i}.", [["Enable", "true", false]]],
      ["Device.Time.Enable", [["Enable", "true", false]]],
    ]),
  );
  t.notOk(rpcs.some((r) => r.startsWith("SPV")));
  t.same(
    setResp(reply).updatedObjResults.map((r) => (r.operStatus.type === "operFailure" ? r.operStatus.errCode : 0)),
    [7016, 7026, 7008, 7026],
  );
  const strict = exec(setReq(false, [[TIME, [["Enable", "true", true]]], ["Device.IP.Interface.99.", [["Enable", "true", false]]]]));
  t.equal(errorOf(strict.reply).errCode, 7016, "allow_partial=false: Error");
  t.notOk(strict.rpcs.some((r) => r.startsWith("SPV")), "nothing sent");
});

t.test("quirk: booleanLiteral '1' writes booleans as 1/0 (genieacs#228)", async (t) => {
  const { reply, rpcs } = exec(setReq(true, [[TIME, [["Enable", "true", true]]]]), { booleanLiteral: "1" });
  t.equal(rpcs.at(-1), 'SPV Device.Time.Enable=1 key=""');
  const st = setResp(reply).updatedObjResults[0]?.operStatus;
  t.same(st?.type === "operSuccess" ? st.updatedInstResults[0]?.updatedParams : undefined, { Enable: "1" });
});

t.test("known names and types are reused across transactions: the second Set is one SPV", async (t) => {
  const cpe = new FakeCpe(tree());
  const ctx = context();
  ctx.model.learnFromInform([{ name: "Device.Time.NTPServer1", value: "", type: "xsd:string" }]);
  run(setReq(true, [[TIME, [["NTPServer1", "a", true]]]]), ctx, cpe);
  t.same(cpe.log.map(describe), ["GPN Device.Time. true", 'SPV Device.Time.NTPServer1=a key=""'], "type from Inform: no GPV");
  cpe.log.length = 0;
  run(setReq(true, [[TIME, [["NTPServer1", "b", true]]]]), ctx, cpe);
  t.same(cpe.log.map(describe), ['SPV Device.Time.NTPServer1=b key=""']);
});

t.test("a request type the gateway does not translate yet answers 7001", async (t) => {
  const ctx = context();
  // Register is a USP Service → Broker message a virtual agent never takes.
  const plan = planRequest({ type: "register", register: { allowPartial: false, regPaths: [] } }, ctx);
  t.same(plan, {
    kind: "respond",
    reply: { kind: "error", error: { errCode: 7001, errMsg: "not supported yet by this gateway: register", paramErrs: [] } },
  });
});
