// TP-469 section 1, the Delete cases (R-DEL.1, R-DEL.2a; reference/usp.md
// §2). Rows are made on the CPE itself before each case, so the cases do not
// depend on one another, and every outcome is checked on the CPE.
import t from "tap";
import type { DeleteResp } from "../src/usp/messages.js";
import { cpeInstances, del, deleteResp, errorOf, startBench } from "./tp469/harness.js";

const bench = await startBench({ serialPrefix: "TPD" });
t.teardown(() => bench.stop());
const { cpe } = bench;

const DNS = "Device.DNS.Client.Server.";
const NAT = "Device.NAT.PortMapping.";
/** Codes a Delete's Error may carry (reference/usp.md §2). */
const DELETE_CODES = [7000, 7001, 7002, 7003, 7004, 7005, 7006, 7007, 7008, 7015, 7016, 7018, 7024, 7026];

/** A row made on the CPE directly (as if by its own web UI); its instance path. */
function row(table: string, values: Record<string, string> = {}): string {
  const path = `${table}${cpe.model.addInstance(table)}.`;
  for (const [rel, v] of Object.entries(values)) cpe.model.setValue(path + rel, v);
  return path;
}
const exists = (instance: string): boolean => cpe.model.node(instance) !== undefined;

const deleted = (requestedPath: string, affectedPaths: string[]): DeleteResp["deletedObjResults"][number] => ({
  requestedPath,
  operStatus: { type: "operSuccess", affectedPaths, unaffectedPathErrs: [] },
});

t.test("TP-469 1.24 Delete message with allow partial false, valid object instance", async (t) => {
  const a = row(DNS);
  const resp = deleteResp(await bench.ask(del(false, [a])));
  t.same(resp.deletedObjResults, [deleted(a, [a])]);
  t.notOk(exists(a), "gone from the CPE");
});

t.test("TP-469 1.25 Delete message with allow partial false, object instance doesn't exist", async (t) => {
  const before = cpeInstances(cpe, DNS);
  const error = errorOf(await bench.ask(del(false, [`${DNS}99.`])));
  t.equal(error.errCode, 7016, "R-DEL.1: 7016 Object does not exist");
  t.same(error.paramErrs.map((e) => [e.paramPath, e.errCode]), [[`${DNS}99.`, 7016]]);
  t.same(cpeInstances(cpe, DNS), before, "nothing deleted");
});

t.test("TP-469 1.26 Delete message with allow partial false, invalid object", async (t) => {
  const error = errorOf(await bench.ask(del(false, ["Device.DNS.Client.NoSuchTable.1."])));
  t.ok(DELETE_CODES.includes(error.errCode), `err_code ${error.errCode}`);
  t.equal(error.errCode, 7026, "7026 Invalid path");
  t.same(error.paramErrs.map((e) => [e.paramPath, e.errCode]), [["Device.DNS.Client.NoSuchTable.1.", 7026]]);
});

t.test("TP-469 1.27 Delete message with allow partial false, multiple objects", async (t) => {
  const [a, b] = [row(DNS), row(NAT)];
  const resp = deleteResp(await bench.ask(del(false, [a, b])));
  t.same(resp.deletedObjResults, [deleted(a, [a]), deleted(b, [b])]);
  t.notOk(exists(a));
  t.notOk(exists(b));
});

t.test("TP-469 1.28 Delete message with allow partial false, multiple objects, invalid object", async (t) => {
  const a = row(DNS);
  const error = errorOf(await bench.ask(del(false, [a, "Device.NAT.NoSuchTable.1."])));
  t.equal(error.errCode, 7026);
  t.same(error.paramErrs.map((e) => [e.paramPath, e.errCode]), [["Device.NAT.NoSuchTable.1.", 7026]]);
  t.ok(exists(a), "the valid instance is not deleted either");
});

t.test("TP-469 1.29 Delete message with allow partial true, object instance doesn't exist", async (t) => {
  const before = cpeInstances(cpe, DNS);
  const resp = deleteResp(await bench.ask(del(true, [`${DNS}99.`])));
  t.same(resp.deletedObjResults, [deleted(`${DNS}99.`, [])], "R-DEL.2a success with no affected paths");
  t.same(cpeInstances(cpe, DNS), before);
});

t.test("TP-469 1.30 Delete message with allow partial true, invalid object", async (t) => {
  const resp = deleteResp(await bench.ask(del(true, ["Device.DNS.Client.NoSuchTable.1."])));
  t.equal(resp.deletedObjResults.length, 1);
  t.equal(resp.deletedObjResults[0]?.requestedPath, "Device.DNS.Client.NoSuchTable.1.");
  const status = resp.deletedObjResults[0]?.operStatus;
  t.equal(status?.type, "operFailure");
  if (status?.type === "operFailure") {
    t.equal(status.errCode, 7026);
    t.not(status.errMsg, "");
  }
});

t.test("TP-469 1.31 Delete message with allow partial true, multiple objects, invalid object", async (t) => {
  const a = row(DNS);
  const resp = deleteResp(await bench.ask(del(true, [a, "Device.NAT.NoSuchTable.1."])));
  t.equal(resp.deletedObjResults.length, 2);
  t.same(resp.deletedObjResults[0], deleted(a, [a]));
  t.equal(resp.deletedObjResults[1]?.requestedPath, "Device.NAT.NoSuchTable.1.");
  t.match(resp.deletedObjResults[1]?.operStatus, { type: "operFailure", errCode: 7026 });
  t.notOk(exists(a), "the valid instance is deleted");
});

t.test("TP-469 1.32 Delete message with allow partial true, multiple objects, object doesn't exist", async (t) => {
  const a = row(NAT);
  const resp = deleteResp(await bench.ask(del(true, [a, `${NAT}99.`])));
  t.same(resp.deletedObjResults, [deleted(a, [a]), deleted(`${NAT}99.`, [])]);
  t.notOk(exists(a));
});

t.test("TP-469 1.33 Delete message with unique key addressing", async (t) => {
  const a = row(DNS, { Alias: "tp-1-33", DNSServer: "10.1.33.1" });
  const b = row(DNS, { Alias: "tp-1-33-keep", DNSServer: "10.1.33.2" });
  const path = `${DNS}[Alias=="tp-1-33"].`;
  const resp = deleteResp(await bench.ask(del(false, [path])));
  t.same(resp.deletedObjResults, [deleted(path, [a])], "affected_paths names the instance by number");
  t.notOk(exists(a));
  t.ok(exists(b), "the other row stays");
});

t.test("TP-469 1.34 Delete message with wildcard search path, valid objects", async (t) => {
  const rows = [row(NAT), row(NAT), row(NAT)];
  t.same(cpeInstances(cpe, NAT).length, 3, "three PortMapping rows to begin with");
  const resp = deleteResp(await bench.ask(del(false, [`${NAT}*.`])));
  t.equal(resp.deletedObjResults.length, 1);
  t.equal(resp.deletedObjResults[0]?.requestedPath, `${NAT}*.`);
  const status = resp.deletedObjResults[0]?.operStatus;
  t.equal(status?.type, "operSuccess");
  if (status?.type === "operSuccess") {
    t.same([...status.affectedPaths].sort(), [...rows].sort(), "every instance is named");
    t.same(status.unaffectedPathErrs, []);
  }
  t.same(cpeInstances(cpe, NAT), [], "the table is empty");
});

t.test("TP-469 1.35 Delete message with search expression search path", async (t) => {
  const lan = { Interface: "Device.IP.Interface.2" };
  const dropped = [row(DNS, { DNSServer: "10.1.35.1", ...lan }), row(DNS, { DNSServer: "10.1.35.2", ...lan })];
  const kept = row(DNS, { DNSServer: "10.1.35.3", Interface: "Device.IP.Interface.1" });
  const path = `${DNS}[Interface=="Device.IP.Interface.2"].`;
  const resp = deleteResp(await bench.ask(del(false, [path])));
  t.equal(resp.deletedObjResults[0]?.requestedPath, path);
  const status = resp.deletedObjResults[0]?.operStatus;
  t.equal(status?.type, "operSuccess");
  if (status?.type === "operSuccess") t.same([...status.affectedPaths].sort(), [...dropped].sort());
  for (const gone of dropped) t.notOk(exists(gone), `${gone} deleted`);
  t.ok(exists(kept), "the row the expression excludes stays");
  t.ok(exists(`${DNS}1.`) && exists(`${DNS}2.`), "the CPE's own rows (on Interface.1) stay");
});

t.test("TP-469 1.90 Delete message with search expression that matches no objects", async (t) => {
  const before = cpeInstances(cpe, DNS);
  const path = `${DNS}[DNSServer=="203.0.113.99"].`;
  const resp = deleteResp(await bench.ask(del(false, [path])));
  t.same(resp.deletedObjResults, [deleted(path, [])], "R-DEL.2a success with no affected paths");
  t.same(cpeInstances(cpe, DNS), before);
});
