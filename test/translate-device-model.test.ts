// DeviceModel and recordOutcomes: persistent vs per-transaction knowledge.
import t from "tap";
import type { AcsRequest, RpcOutcome } from "../src/cwmp/rpc.js";
import { DeviceModel, recordOutcomes } from "../src/translate/device-model.js";

const gpn = (parameterPath: string, nextLevel: boolean): AcsRequest => ({ method: "GetParameterNames", parameterPath, nextLevel });
const gpv = (...parameterNames: string[]): AcsRequest => ({ method: "GetParameterValues", parameterNames });
const names = (...list: [string, boolean][]): RpcOutcome => ({
  ok: true,
  response: { method: "GetParameterNamesResponse", parameterList: list.map(([name, writable]) => ({ name, writable })) },
});
const values = (...list: [string, string, string][]): RpcOutcome => ({
  ok: true,
  response: { method: "GetParameterValuesResponse", parameterList: list.map(([name, value, type]) => ({ name, value, type })) },
});
const fault = (faultCode: number): RpcOutcome => ({ ok: false, fault: { faultCode, faultString: "f", setParameterValuesFaults: [] } });

t.test("GPN NextLevel=false: CPEs omitting intermediate objects still give complete child lists", async (t) => {
  const m = new DeviceModel();
  recordOutcomes(m, [gpn("Device.IP.", false)], [names(["Device.IP.Interface.1.Enable", true], ["Device.IP.Interface.1.Stats.Bytes", false])]);
  t.same(m.children("Device.IP."), ["Interface."]);
  t.same(m.children("Device.IP.Interface."), ["1."]);
  t.same(m.children("Device.IP.Interface.1."), ["Enable", "Stats."]);
  t.equal(m.writable("Device.IP.Interface.1.Enable"), true);
  t.equal(m.listState("Device.IP.Interface.1.Stats.", true).kind, "listed", "subtree listing covers descendants");
  recordOutcomes(m, [gpn("Device.NAT.", false)], [names(["Device.NAT.PortMapping.", true], ["Device.NAT.PortMapping.1.A", true])]);
  t.equal(m.writable("Device.NAT.PortMapping."), true, "an object listed before its children keeps its flag");
  t.same(m.children("Device.NAT."), ["PortMapping."]);
});

t.test("values and listings are per transaction; names and types persist", async (t) => {
  const m = new DeviceModel();
  recordOutcomes(m, [gpn("Device.Time.", true), gpv("Device.Time.Enable")], [names(["Device.Time.Enable", true]), values(["Device.Time.Enable", "1", "xsd:boolean"])]);
  t.same(m.valueState("Device.Time.Enable"), { kind: "value", value: "1" });
  m.beginTransaction();
  t.same(m.valueState("Device.Time.Enable"), { kind: "unknown" });
  t.equal(m.listState("Device.Time.", true).kind, "unknown", "instance lists must be fresh");
  t.ok(m.isListed("Device.Time."), "but the persistent listing remains");
  t.equal(m.typeOf("Device.Time.Enable"), "xsd:boolean");
  t.equal(m.writable("Device.Time.Enable"), true);
});

t.test("a re-listing drops vanished instances and their subtrees", async (t) => {
  const m = new DeviceModel();
  recordOutcomes(m, [gpn("Device.X.", true), gpn("Device.X.2.", true)], [names(["Device.X.1.", true], ["Device.X.2.", true]), names(["Device.X.2.A", false])]);
  t.ok(m.knows("Device.X.2.A"));
  m.beginTransaction();
  recordOutcomes(m, [gpn("Device.X.", true)], [names(["Device.X.1.", true])]);
  t.same(m.children("Device.X."), ["1."]);
  t.notOk(m.knows("Device.X.2.A"));
  t.notOk(m.isListed("Device.X.2."));
});

t.test("9005: single name absent for the transaction and forgotten; batch faults mark names to split", async (t) => {
  const m = new DeviceModel();
  m.learnFromInform([{ name: "Device.A.B", value: "x", type: "xsd:string" }]);
  recordOutcomes(m, [gpv("Device.A.B", "Device.A.C"), gpv("Device.A.B")], [fault(9005), fault(9005)]);
  t.ok(m.mustAskAlone("Device.A.C"));
  t.same(m.valueState("Device.A.B"), { kind: "absent" });
  t.notOk(m.knows("Device.A.B"));
  t.ok(m.attempted(gpv("Device.A.B", "Device.A.C")));
  m.beginTransaction();
  t.notOk(m.mustAskAlone("Device.A.C"));
  t.notOk(m.attempted(gpv("Device.A.B")));
});

t.test("a GPV that silently omits a name marks it absent (SimulaTR69#10)", async (t) => {
  const m = new DeviceModel();
  recordOutcomes(m, [gpv("Device.A.B", "Device.A.C")], [values(["Device.A.B", "1", "xsd:int"])]);
  t.same(m.valueState("Device.A.C"), { kind: "absent" });
});

t.test("invalidate: a prefix or everything (0 BOOTSTRAP)", async (t) => {
  const m = new DeviceModel();
  recordOutcomes(m, [gpn("Device.", false)], [names(["Device.A.X", true], ["Device.B.Y", true])]);
  m.invalidate("Device.A.");
  t.notOk(m.knows("Device.A.X"));
  t.ok(m.knows("Device.B.Y"));
  t.notOk(m.isListed("Device."), "parent child list no longer complete");
  m.invalidate("");
  t.notOk(m.knows("Device.B.Y"));
  t.same(m.children("Device.B."), undefined);
});
