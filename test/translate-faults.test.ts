// translate/faults.ts: the single CWMP fault → USP code table (usp.md §2),
// checked row by row in both contexts.
import t from "tap";
import { faultMessage, isRecoveredGpvFault, mapFault, uspCodeForFault } from "../src/translate/faults.js";

const rows: [cwmp: number, get: number, set: number][] = [
  [9000, 7001, 7001],
  [9001, 7002, 7002],
  [9002, 7003, 7003],
  [9003, 7004, 7004],
  [9004, 7005, 7005],
  [9005, 7026, 7010],
  [9006, 7000, 7011],
  [9007, 7000, 7012],
  [9008, 7000, 7013],
  [9009, 7000, 7000],
  [9010, 7000, 7000],
  [9850, 7000, 7000],
  [1234, 7000, 7000],
];

t.test("usp.md §2 CWMP fault → USP code table, Get and Set contexts", async (t) => {
  for (const [cwmp, get, set] of rows) {
    t.equal(uspCodeForFault(cwmp, "get"), get, `${cwmp} in Get`);
    t.equal(uspCodeForFault(cwmp, "set"), set, `${cwmp} in Set`);
  }
});

t.test("codes used in Get are ones TR-369 allows for Get (7000-7006, 7008, 7010, 7016, 7026)", async (t) => {
  const allowed = new Set([7000, 7001, 7002, 7003, 7004, 7005, 7006, 7008, 7010, 7016, 7026]);
  for (const [cwmp] of rows) t.ok(allowed.has(uspCodeForFault(cwmp, "get")), `${cwmp}`);
});

t.test("err_msg carries the CPE's fault text", async (t) => {
  t.equal(faultMessage({ faultCode: 9007, faultString: "Value out of range" }), "CPE fault 9007: Value out of range");
  t.equal(faultMessage({ faultCode: 9002, faultString: "  " }), "CPE fault 9002");
  t.same(mapFault({ faultCode: 9008, faultString: "read only" }, "set"), { errCode: 7013, errMsg: "CPE fault 9008: read only" });
});

t.test("TR-069 A.3.2.2: faults on a multi-name GPV are recovered from, single-name ones reported", async (t) => {
  const f = { faultCode: 9005, faultString: "Invalid parameter name", setParameterValuesFaults: [] };
  t.ok(isRecoveredGpvFault(f, 3));
  t.notOk(isRecoveredGpvFault(f, 1));
});
