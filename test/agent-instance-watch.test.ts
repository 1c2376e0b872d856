// ObjectCreation/ObjectDeletion for changes the CPE makes itself: the
// instance lists of subscribed tables compared session to session.
import t from "tap";
import { instancesIn, InstanceWatch, watchedRoots, diffNotifications, type InstanceDiff } from "../src/agent/notify/instance-watch.js";
import type { Subscription } from "../src/agent/notify/subscriptions.js";
import type { RpcOutcome } from "../src/cwmp/rpc.js";
import { MemoryStore } from "../src/store/memory.js";

const sub = (id: string, notifType: string, refs: string[]): Subscription => ({ instance: 1, id, recipient: "r", notifType, referenceList: refs, notifRetry: false, notifExpiration: 0, triggerAction: "Notify", triggerConfigSettings: "" });
const listing = (names: string[]): RpcOutcome => ({ ok: true, response: { method: "GetParameterNamesResponse", parameterList: names.map((name) => ({ name, writable: true })) } });

t.test("watched roots: tables, wildcards cut to the table, instance references widened to their table", async (t) => {
  t.same(
    watchedRoots([
      sub("a", "ObjectCreation", ["Device.NAT.PortMapping.", "Device.IP.Interface.*.IPv4Address."]),
      sub("b", "ObjectDeletion", ["Device.Hosts.Host.*.", "Device.WiFi.SSID.2."]),
      sub("c", "ValueChange", ["Device.DeviceInfo."]),
      sub("d", "ObjectCreation", ["Device.LocalAgent.Subscription."]),
    ]),
    ["Device.Hosts.Host.", "Device.IP.Interface.", "Device.NAT.PortMapping.", "Device.WiFi.SSID."],
  );
  t.same(instancesIn(listing(["Device.NAT.PortMapping.", "Device.NAT.PortMapping.1.", "Device.NAT.PortMapping.1.Enable", "Device.NAT.PortMapping.4."])), ["Device.NAT.PortMapping.1.", "Device.NAT.PortMapping.4."]);
});

async function run(watch: InstanceWatch, roots: string[], outcomes: RpcOutcome[]): Promise<InstanceDiff> {
  return new Promise((resolve) => {
    const task = watch.task("e", roots, resolve);
    t.same(task.next([]), roots.map((r) => ({ method: "GetParameterNames", parameterPath: r, nextLevel: false })));
    t.equal(task.next(outcomes), undefined);
  });
}

t.test("the first listing sets the baseline; later ones report what changed", async (t) => {
  const watch = new InstanceWatch(new MemoryStore());
  const root = "Device.NAT.PortMapping.";
  t.same(await run(watch, [root], [listing([root, `${root}1.`, `${root}2.`])]), { created: [], deleted: [] });
  t.same(await run(watch, [root], [listing([root, `${root}2.`, `${root}3.`])]), { created: [`${root}3.`], deleted: [`${root}1.`] });
  t.same(await run(watch, [root], [listing([root, `${root}2.`, `${root}3.`])]), { created: [], deleted: [] }, "nothing changed");
  const failed: RpcOutcome = { ok: false, fault: { faultCode: 9002, faultString: "x", setParameterValuesFaults: [] } };
  t.same(await run(watch, [root], [failed]), { created: [], deleted: [] }, "a failed listing keeps the baseline");
  t.same(await run(watch, [root], [listing([root])]), { created: [], deleted: [`${root}2.`, `${root}3.`] });
});

t.test("the gateway's own Add/Delete are folded into the baseline, so they are notified once", async (t) => {
  const watch = new InstanceWatch(new MemoryStore());
  const root = "Device.NAT.PortMapping.";
  await run(watch, [root], [listing([root, `${root}1.`])]);
  await watch.recordOwnChanges("e", { created: [`${root}5.`], deleted: [`${root}1.`] });
  t.same(await run(watch, [root], [listing([root, `${root}5.`])]), { created: [], deleted: [] });
});

t.test("diff notifications go to the subscriptions whose references cover the paths", async (t) => {
  const subs = [sub("c", "ObjectCreation", ["Device.NAT.PortMapping."]), sub("d", "ObjectDeletion", ["Device.NAT.PortMapping.*."]), sub("x", "ObjectCreation", ["Device.Hosts.Host."])];
  const out = diffNotifications(subs, { created: ["Device.NAT.PortMapping.3."], deleted: ["Device.NAT.PortMapping.1."] });
  t.same(out.map((n) => [n.subscription.id, n.kind, n.path]), [["c", "created", "Device.NAT.PortMapping.3."], ["d", "deleted", "Device.NAT.PortMapping.1."]]);
});
