// Device.LocalAgent. served by the gateway: the local tree answers CWMP RPCs
// with CPE semantics, and RPCs are routed or split between CPE and gateway.
import t from "tap";
import { buildLocalAgentTree, exportSubscriptions, SUBSCRIPTION_TABLE } from "../src/agent/local-agent/local-agent-model.js";
import { routeRpc } from "../src/agent/local-agent/rpc-route.js";
import type { RpcOutcome } from "../src/cwmp/rpc.js";

const clock = { now: Date.parse("2026-11-24T10:00:00Z") };
const context = {
  endpointId: "os::00256D-SN1",
  softwareVersion: "0.1.0",
  startedAt: clock.now - 90_000,
  now: () => clock.now,
  mtps: [{ protocol: "MQTT" as const, responseTopic: "usp/v1/agent/os::00256D-SN1" }],
  controllers: [{ endpointId: "proto::c1", protocol: "MQTT" as const, topic: "usp/v1/controller/c1" }],
};

function values(outcome: RpcOutcome): Record<string, string> {
  if (!outcome.ok || outcome.response.method !== "GetParameterValuesResponse") throw new Error(JSON.stringify(outcome));
  return Object.fromEntries(outcome.response.parameterList.map((p) => [p.name, p.value]));
}

t.test("LocalAgent:1 / Controllers:1 / MQTTAgent:1 parameters are served from configuration", async (t) => {
  const tree = buildLocalAgentTree(context, []);
  const v = values(tree.execute({ method: "GetParameterValues", parameterNames: ["Device.LocalAgent."] }));
  t.equal(v["Device.LocalAgent.EndpointID"], "os::00256D-SN1");
  t.equal(v["Device.LocalAgent.SoftwareVersion"], "0.1.0");
  t.equal(v["Device.LocalAgent.UpTime"], "90");
  t.equal(v["Device.LocalAgent.SupportedProtocols"], "MQTT");
  t.equal(v["Device.LocalAgent.MTPNumberOfEntries"], "1");
  t.equal(v["Device.LocalAgent.MTP.1.Protocol"], "MQTT");
  t.equal(v["Device.LocalAgent.MTP.1.MQTT.ResponseTopicConfigured"], "usp/v1/agent/os::00256D-SN1");
  t.equal(v["Device.LocalAgent.ControllerNumberOfEntries"], "1");
  t.equal(v["Device.LocalAgent.Controller.1.EndpointID"], "proto::c1");
  t.equal(v["Device.LocalAgent.Controller.1.MTP.1.MQTT.Topic"], "usp/v1/controller/c1");
  t.equal(v["Device.LocalAgent.SubscriptionNumberOfEntries"], "0");
});

t.test("TR-069 A.3.2 semantics: unknown names fault 9005, read-only 9008, bad types 9006, atomic SPV", async (t) => {
  const tree = buildLocalAgentTree(context, []);
  const unknown = tree.execute({ method: "GetParameterValues", parameterNames: ["Device.LocalAgent.EndpointID", "Device.LocalAgent.Nope"] });
  t.same(unknown.ok ? "ok" : unknown.fault.faultCode, 9005);
  const instance = tree.execute({ method: "AddObject", objectName: SUBSCRIPTION_TABLE, parameterKey: "" });
  t.same(instance.ok && instance.response, { method: "AddObjectResponse", instanceNumber: 1, status: 0 });
  const bad = tree.execute({
    method: "SetParameterValues",
    parameterKey: "",
    parameterList: [
      { name: "Device.LocalAgent.Subscription.1.Enable", value: "maybe", type: "xsd:boolean" },
      { name: "Device.LocalAgent.EndpointID", value: "x", type: "xsd:string" },
      { name: "Device.LocalAgent.Subscription.1.NotifType", value: "Sometimes", type: "xsd:string" },
      { name: "Device.LocalAgent.Subscription.1.ID", value: "ok-id", type: "xsd:string" },
    ],
  });
  t.same(bad.ok ? [] : bad.fault.setParameterValuesFaults.map((f) => [f.parameterName, f.faultCode]), [
    ["Device.LocalAgent.Subscription.1.Enable", 9006],
    ["Device.LocalAgent.EndpointID", 9008],
    ["Device.LocalAgent.Subscription.1.NotifType", 9007],
  ]);
  t.equal(tree.value("Device.LocalAgent.Subscription.1.ID"), "cwmp2usp-1", "nothing applied");
  const good = tree.execute({
    method: "SetParameterValues",
    parameterKey: "",
    parameterList: [{ name: "Device.LocalAgent.Subscription.1.Enable", value: "1", type: "xsd:boolean" }],
  });
  t.ok(good.ok);
  t.equal(tree.value("Device.LocalAgent.Subscription.1.Enable"), "true", "booleans stored canonically");
  t.same(tree.execute({ method: "AddObject", objectName: "Device.LocalAgent.Controller.", parameterKey: "" }).ok, false, "controllers come from configuration");
  t.same(tree.execute({ method: "DeleteObject", objectName: "Device.LocalAgent.Controller.1.", parameterKey: "" }).ok, false);
});

t.test("R-ARC.8 subscription rows persist with their instance numbers; numbers are never reused", async (t) => {
  const tree = buildLocalAgentTree(context, []);
  for (let i = 0; i < 3; i++) tree.execute({ method: "AddObject", objectName: SUBSCRIPTION_TABLE, parameterKey: "" });
  tree.execute({ method: "DeleteObject", objectName: `${SUBSCRIPTION_TABLE}3.`, parameterKey: "" });
  tree.execute({ method: "DeleteObject", objectName: `${SUBSCRIPTION_TABLE}1.`, parameterKey: "" });
  const rows = exportSubscriptions(tree);
  t.same(rows.map((r) => r.instance), [2]);
  t.equal(rows[0]?.values.ID, "cwmp2usp-2");
  const restored = buildLocalAgentTree(context, rows);
  const added = restored.execute({ method: "AddObject", objectName: SUBSCRIPTION_TABLE, parameterKey: "" });
  t.same(added.ok && added.response.method === "AddObjectResponse" && added.response.instanceNumber, 3);
});

t.test("GetParameterNames NextLevel semantics on the local tree", async (t) => {
  const tree = buildLocalAgentTree(context, []);
  const next = tree.execute({ method: "GetParameterNames", parameterPath: "Device.LocalAgent.Controller.", nextLevel: true });
  t.same(next.ok && next.response.method === "GetParameterNamesResponse" && next.response.parameterList, [{ name: "Device.LocalAgent.Controller.1.", writable: false }]);
  const full = tree.execute({ method: "GetParameterNames", parameterPath: "Device.LocalAgent.MTP.1.", nextLevel: false });
  t.ok(full.ok && full.response.method === "GetParameterNamesResponse" && full.response.parameterList.some((p) => p.name === "Device.LocalAgent.MTP.1.MQTT.ResponseTopicConfigured"));
  const param = tree.execute({ method: "GetParameterNames", parameterPath: "Device.LocalAgent.EndpointID", nextLevel: true });
  t.same(param.ok ? 0 : param.fault.faultCode, 9003);
});

t.test("RPC routing: LocalAgent paths stay in the gateway, others go to the CPE, Device. spans both", async (t) => {
  t.equal(routeRpc({ method: "GetParameterValues", parameterNames: ["Device.DeviceInfo.UpTime"] }).kind, "remote");
  t.equal(routeRpc({ method: "GetParameterValues", parameterNames: ["Device.LocalAgent.EndpointID"] }).kind, "local");
  t.equal(routeRpc({ method: "AddObject", objectName: SUBSCRIPTION_TABLE, parameterKey: "" }).kind, "local");
  t.equal(routeRpc({ method: "Reboot", commandKey: "" }).kind, "remote");
  const split = routeRpc({ method: "GetParameterValues", parameterNames: ["Device.", "Device.LocalAgent.EndpointID"] });
  if (split.kind !== "split") return t.fail("expected a split");
  t.same(split.remote, { method: "GetParameterValues", parameterNames: ["Device."] });
  t.same(split.local, { method: "GetParameterValues", parameterNames: ["Device.LocalAgent.EndpointID", "Device."] }, "the local tree holds only gateway-served subtrees");
  const remote: RpcOutcome = { ok: true, response: { method: "GetParameterValuesResponse", parameterList: [{ name: "Device.DeviceInfo.UpTime", value: "1", type: "xsd:unsignedInt" }] } };
  const local: RpcOutcome = { ok: true, response: { method: "GetParameterValuesResponse", parameterList: [{ name: "Device.LocalAgent.EndpointID", value: "e", type: "xsd:string" }] } };
  t.same(Object.keys(values(split.merge(remote, local))), ["Device.DeviceInfo.UpTime", "Device.LocalAgent.EndpointID"]);
  const fault: RpcOutcome = { ok: false, fault: { faultCode: 9005, faultString: "x", setParameterValuesFaults: [] } };
  t.same(split.merge(fault, local), fault, "a CPE fault fails the whole GPV");
  const gpn = routeRpc({ method: "GetParameterNames", parameterPath: "Device.", nextLevel: true });
  if (gpn.kind !== "split") return t.fail("expected a split");
  const merged = gpn.merge(
    { ok: true, response: { method: "GetParameterNamesResponse", parameterList: [{ name: "Device.WiFi.", writable: false }] } },
    { ok: true, response: { method: "GetParameterNamesResponse", parameterList: [{ name: "Device.LocalAgent.", writable: false }, { name: "Device.LocalAgent.EndpointID", writable: false }] } },
  );
  t.same(merged.ok && merged.response.method === "GetParameterNamesResponse" && merged.response.parameterList.map((p) => p.name), ["Device.WiFi.", "Device.LocalAgent."], "NextLevel lists only the object");
  const spv = routeRpc({
    method: "SetParameterValues",
    parameterKey: "",
    parameterList: [
      { name: "Device.WiFi.SSID.1.SSID", value: "x", type: "xsd:string" },
      { name: "Device.LocalAgent.Subscription.1.Enable", value: "true", type: "xsd:boolean" },
    ],
  });
  if (spv.kind !== "split") return t.fail("expected a split");
  t.same(spv.merge(fault, { ok: true, response: { method: "SetParameterValuesResponse", status: 0 } }), fault, "the gateway's part follows the CPE's");
});
