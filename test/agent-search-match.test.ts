// ReferenceList search expressions for ValueChange (TP-469 1.84): which
// reported paths a reference covers, which CPE parameters decide it, how the
// comparisons are evaluated, and the GetParameterValues task that reads them.
import t from "tap";
import type { ParameterValue, RpcOutcome } from "../src/cwmp/rpc.js";
import { conditionNames, conditionsHold, matchReference, readTask } from "../src/agent/notify/search-match.js";

const FIVE = 'Device.WiFi.Radio.[OperatingFrequencyBand=="5GHz"].Channel';

t.test("matchReference: always, never, or if the conditions of the matched instances hold", async (t) => {
  t.same(matchReference("Device.WiFi.Radio.2.Channel", "Device.WiFi.Radio.2.Channel"), { kind: "always" });
  t.same(matchReference("Device.WiFi.Radio.*.Channel", "Device.WiFi.Radio.7.Channel"), { kind: "always" });
  t.same(matchReference("Device.WiFi.", "Device.WiFi.Radio.1.Channel"), { kind: "always" }, "an object reference covers what is below it");
  t.same(matchReference("Device.WiFi.Radio.1.Channel", "Device.WiFi.Radio.2.Channel"), { kind: "never" });
  t.same(matchReference(FIVE, "Device.WiFi.Radio.2.Enable"), { kind: "never" });
  t.same(matchReference(FIVE, "Device.WiFi.Radio.2.Channel.Extra"), { kind: "never" }, "a parameter reference covers that parameter only");
  const m = matchReference(FIVE, "Device.WiFi.Radio.2.Channel");
  t.equal(m.kind, "if");
  if (m.kind !== "if") return;
  t.same(m.conditions.map((c) => c.instance), ["Device.WiFi.Radio.2."]);
  t.same(conditionNames(m.conditions), ["Device.WiFi.Radio.2.OperatingFrequencyBand"]);
});

t.test("nested search expressions and relative paths name every deciding parameter", async (t) => {
  const m = matchReference("Device.WiFi.AccessPoint.[Enable==true].AssociatedDevice.[Stats.BytesSent>100&&Active==true].", "Device.WiFi.AccessPoint.3.AssociatedDevice.4.SignalStrength");
  if (m.kind !== "if") return t.fail(JSON.stringify(m));
  t.same(conditionNames(m.conditions), [
    "Device.WiFi.AccessPoint.3.Enable",
    "Device.WiFi.AccessPoint.3.AssociatedDevice.4.Stats.BytesSent",
    "Device.WiFi.AccessPoint.3.AssociatedDevice.4.Active",
  ]);
  const pv = (name: string, value: string, type: string): [string, ParameterValue] => [name, { name, value, type }];
  const values = new Map([
    pv("Device.WiFi.AccessPoint.3.Enable", "1", "xsd:boolean"),
    pv("Device.WiFi.AccessPoint.3.AssociatedDevice.4.Stats.BytesSent", "150", "xsd:unsignedLong"),
    pv("Device.WiFi.AccessPoint.3.AssociatedDevice.4.Active", "true", "xsd:boolean"),
  ]);
  t.ok(conditionsHold(m.conditions, values), "typed comparisons: boolean 1 is true, numbers numerically");
  values.set(...pv("Device.WiFi.AccessPoint.3.AssociatedDevice.4.Stats.BytesSent", "99", "xsd:unsignedLong"));
  t.notOk(conditionsHold(m.conditions, values), "&&: one false comparison is enough");
  values.delete("Device.WiFi.AccessPoint.3.Enable");
  t.notOk(conditionsHold(m.conditions, values), "an unread parameter does not match");
});

t.test("reference following cannot be checked without more reads: covered as before", async (t) => {
  t.same(matchReference("Device.WiFi.SSID.[LowerLayers+.Status==\"Up\"].Name", "Device.WiFi.SSID.1.Name"), { kind: "always" });
});

t.test("readTask: one GetParameterValues, or one per name when the CPE faults the batch", async (t) => {
  const ok = (list: ParameterValue[]): RpcOutcome => ({ ok: true, response: { method: "GetParameterValuesResponse", parameterList: list } });
  const fault: RpcOutcome = { ok: false, fault: { faultCode: 9005, faultString: "Invalid parameter name", setParameterValuesFaults: [] } };
  let got: Map<string, ParameterValue> | undefined;
  const task = readTask("test", ["A.x", "A.y"], (v) => (got = v), () => t.fail("not abandoned"));
  t.same(task.next([]), [{ method: "GetParameterValues", parameterNames: ["A.x", "A.y"] }]);
  t.same(task.next([fault]), [
    { method: "GetParameterValues", parameterNames: ["A.x"] },
    { method: "GetParameterValues", parameterNames: ["A.y"] },
  ]);
  t.equal(task.next([ok([{ name: "A.x", value: "1", type: "xsd:int" }]), fault]), undefined);
  t.same([...(got?.keys() ?? [])], ["A.x"], "the values that could be read");
});
