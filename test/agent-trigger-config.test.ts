// Subscription.{i}.TriggerConfigSettings (TP-469 1.93/1.94): the list is
// parsed and checked when a controller writes it, and becomes one typed
// SetParameterValues when the subscription fires.
import t from "tap";
import { configParameterList, parseTriggerConfigSettings, triggerConfigTask } from "../src/agent/notify/trigger-config.js";

t.test("TriggerConfigSettings: Name=Value entries, quoted strings unquoted, malformed lists refused", async (t) => {
  t.same(parseTriggerConfigSettings('Device.WiFi.SSID.2.SSID="guest, 5G",Device.WiFi.Radio.1.Channel=11'), undefined, "a comma inside quotes is a list separator: the first entry is malformed");
  t.same(parseTriggerConfigSettings('Device.WiFi.SSID.2.SSID="guest",Device.WiFi.Radio.1.Channel=11'), [
    { name: "Device.WiFi.SSID.2.SSID", value: "guest" },
    { name: "Device.WiFi.Radio.1.Channel", value: "11" },
  ]);
  t.same(parseTriggerConfigSettings(""), [], "empty: nothing to configure");
  t.equal(parseTriggerConfigSettings("Device.WiFi.SSID.2.SSID"), undefined, "no =");
  t.equal(parseTriggerConfigSettings("WiFi.SSID.2.SSID=x"), undefined, "not under Device.");
  t.equal(parseTriggerConfigSettings("Device.WiFi.SSID.*.SSID=x"), undefined, "no wildcards: a parameter path");
  t.equal(parseTriggerConfigSettings(Array.from({ length: 17 }, (_, i) => `Device.X.P${i}=1`).join(",")), undefined, "at most 16 entries (TR-181 maxItems)");
});

t.test("the SetParameterValues list is typed from the TR-181 schema; Device.LocalAgent. settings are left out", async (t) => {
  const settings = parseTriggerConfigSettings("Device.WiFi.Radio.1.Channel=11,Device.WiFi.SSID.2.Enable=true,Device.X_ACME.Foo=bar,Device.LocalAgent.Subscription.1.Enable=false") ?? [];
  t.same(configParameterList(settings), [
    { name: "Device.WiFi.Radio.1.Channel", value: "11", type: "xsd:unsignedInt" },
    { name: "Device.WiFi.SSID.2.Enable", value: "true", type: "xsd:boolean" },
    { name: "Device.X_ACME.Foo", value: "bar", type: "xsd:string" },
  ]);
});

t.test("the task sends one SetParameterValues and reports the fault code, 0 on success", async (t) => {
  const codes: number[] = [];
  const list = [{ name: "Device.WiFi.SSID.2.SSID", value: "x", type: "xsd:string" }];
  const ok = triggerConfigTask(list, (c) => codes.push(c), () => t.fail("not abandoned"));
  t.same(ok.next([]), [{ method: "SetParameterValues", parameterList: list, parameterKey: "" }]);
  t.equal(ok.next([{ ok: true, response: { method: "SetParameterValuesResponse", status: 0 } }]), undefined);
  const refused = triggerConfigTask(list, (c) => codes.push(c), () => t.fail("not abandoned"));
  refused.next([]);
  refused.next([{ ok: false, fault: { faultCode: 9003, faultString: "Invalid arguments", setParameterValuesFaults: [] } }]);
  t.same(codes, [0, 9003]);
});
