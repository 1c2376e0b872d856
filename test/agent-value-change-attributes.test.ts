// ValueChange through CWMP active notification: which names get Notification=2,
// and the gateway task that applies changes (TR-069 A.3.2.4).
import t from "tap";
import { GatewayTasks, type GatewayTask } from "../src/agent/gateway-tasks.js";
import { activeNotificationPaths, attributeChanges, attributeTask } from "../src/agent/notify/value-change-attributes.js";
import type { Subscription } from "../src/agent/notify/subscriptions.js";
import type { AcsRequest, RpcOutcome } from "../src/cwmp/rpc.js";

const sub = (notifType: string, refs: string[]): Subscription => ({ instance: 1, id: "s", recipient: "r", notifType, referenceList: refs, notifRetry: false, notifExpiration: 0, triggerAction: "Notify", triggerConfigSettings: "" });
const OK: RpcOutcome = { ok: true, response: { method: "SetParameterAttributesResponse" } as never };
const FAULT = (code: number): RpcOutcome => ({ ok: false, fault: { faultCode: code, faultString: "x", setParameterValuesFaults: [] } });

t.test("ValueChange references become SetParameterAttributes names; other types and LocalAgent paths do not", async (t) => {
  const paths = activeNotificationPaths([
    sub("ValueChange", ["Device.WiFi.SSID.1.SSID", "Device.DeviceInfo.", "Device.WiFi.SSID.*.Enable", "Device.IP.Interface.[Enable==true].Status"]),
    sub("ValueChange", ["Device.LocalAgent.Subscription.1.Enable", "Device.WiFi.SSID.1.SSID"]),
    sub("Event", ["Device.Boot!"]),
  ]);
  t.same(paths, ["Device.DeviceInfo.", "Device.IP.Interface.", "Device.WiFi.SSID.", "Device.WiFi.SSID.1.SSID"], "wildcards and expressions widen to the table; duplicates merge");
});

t.test("changes are the differences both ways", async (t) => {
  t.same(attributeChanges(["a", "b"], ["b", "c"]), { activate: ["c"], deactivate: ["a"] });
  t.same(attributeChanges(["a"], ["a"]), { activate: [], deactivate: [] });
});

function names(rpcs: AcsRequest[] | undefined): [string, number][][] {
  return (rpcs ?? []).map((r) => (r.method === "SetParameterAttributes" ? r.parameterList.map((p) => [p.name, p.notification] as [string, number]) : []));
}

t.test("one SetParameterAttributes for all changes; active set reported", async (t) => {
  let result: string[] = [];
  const task = attributeTask({ activate: ["Device.X.A"], deactivate: ["Device.X.B"] }, ["Device.X.B", "Device.X.C"], (a) => (result = a), () => undefined);
  const first = task.next([]);
  t.same(names(first), [[["Device.X.A", 2], ["Device.X.B", 0]]]);
  const r = first?.[0];
  if (r?.method !== "SetParameterAttributes") return t.fail("not SPA");
  t.same(r.parameterList[0], { name: "Device.X.A", notificationChange: true, notification: 2, accessListChange: false, accessList: [] });
  t.equal(task.next([OK]), undefined);
  t.same(result, ["Device.X.A", "Device.X.C"]);
});

t.test("9009 on the batch: each path is tried alone, the accepted ones stay active", async (t) => {
  let result: string[] = [];
  const task = attributeTask({ activate: ["Device.X.A", "Device.X.UpTime"], deactivate: [] }, [], (a) => (result = a), () => undefined);
  task.next([]);
  const singles = task.next([FAULT(9009)]);
  t.same(names(singles), [[["Device.X.A", 2]], [["Device.X.UpTime", 2]]]);
  t.equal(task.next([OK, FAULT(9009)]), undefined);
  t.same(result, ["Device.X.A"]);
});

t.test("gateway tasks run their rounds before USP work and hand outcomes back", async (t) => {
  const tasks = new GatewayTasks();
  const seen: RpcOutcome[][] = [];
  const task: GatewayTask = {
    label: "two rounds",
    next(outcomes) {
      seen.push(outcomes);
      if (seen.length === 1) return [{ method: "GetRPCMethods" }, { method: "GetRPCMethods" }];
      if (seen.length === 2) return [{ method: "FactoryReset" }];
      return undefined;
    },
  };
  tasks.enqueue("e", task);
  t.equal(tasks.hasQueued("e"), true);
  t.same(tasks.nextRpc("e", "s", undefined), { method: "GetRPCMethods" });
  t.equal(tasks.owns("s"), true);
  t.same(tasks.nextRpc("e", "s", OK), { method: "GetRPCMethods" });
  t.same(tasks.nextRpc("e", "s", FAULT(9002)), { method: "FactoryReset" });
  t.same(seen[1], [OK, FAULT(9002)], "the round's outcomes, in order");
  t.equal(tasks.nextRpc("e", "s", OK), null, "done: USP requests may run");
  t.equal(tasks.owns("s"), false);
  t.equal(tasks.nextRpc("other", "s2", undefined), null);
});

t.test("a task abandoned by its session is told so", async (t) => {
  const tasks = new GatewayTasks();
  let abandoned = false;
  tasks.enqueue("e", { label: "x", next: () => [{ method: "GetRPCMethods" }], abandoned: () => (abandoned = true) });
  tasks.nextRpc("e", "s", undefined);
  tasks.sessionEnded("s");
  t.equal(abandoned, true);
});
