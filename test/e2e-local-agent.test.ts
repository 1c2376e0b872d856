// Device.LocalAgent. end to end: served by the gateway without waking the CPE,
// Subscription rows added, set, read and deleted by a controller and kept in
// the store, and a Get of "Device." returning the CPE's tree and the gateway's.
import t from "tap";
import { startFleet } from "../src/sim/fleet.js";
import type { Msg } from "../src/usp/messages.js";
import { testBroker } from "./helpers/broker.js";
import { CR_PASSWORD, CR_USERNAME, startTestGateway } from "./helpers/gateway.js";
import { TestController } from "./helpers/usp-controller.js";

const broker = await testBroker();
const gw = await startTestGateway(broker.url);
const controller = await TestController.connect(broker.url, gw.controllerId, gw.controllerTopic);
const fleet = await startFleet({ acsUrl: gw.gateway.acsUrl, count: 1, serialPrefix: `LA${process.pid}-`, oui: "00256D", crUsername: CR_USERNAME, crPassword: CR_PASSWORD });
t.teardown(async () => {
  await fleet.stop();
  await controller.close();
  await gw.stop();
  await broker.close();
});
await fleet.bootAll();
const cpe = fleet.cpes[0];
if (cpe === undefined) throw new Error("no CPE");
const agentId = `os::00256D-${cpe.serial}`;
const topic = gw.agentTopic(agentId);

function response(msg: Msg): Extract<Msg["body"], { kind: "response" }>["response"] {
  if (msg.body.kind !== "response") throw new Error(`expected a response, got ${JSON.stringify(msg.body)}`);
  return msg.body.response;
}

t.test("a Get under Device.LocalAgent. is answered by the gateway without a CWMP session", async (t) => {
  const sessionsBefore = cpe.log.length;
  const msg = await controller.request(agentId, topic, { type: "get", get: { paramPaths: ["Device.LocalAgent.EndpointID", "Device.LocalAgent.Controller.*.EndpointID"], maxDepth: 0 } });
  const resp = response(msg);
  if (resp.type !== "getResp") return t.fail(resp.type);
  t.same(resp.getResp.reqPathResults[0]?.resolvedPathResults, [{ resolvedPath: "Device.LocalAgent.", resultParams: { EndpointID: agentId } }]);
  t.same(resp.getResp.reqPathResults[1]?.resolvedPathResults, [{ resolvedPath: "Device.LocalAgent.Controller.1.", resultParams: { EndpointID: gw.controllerId } }]);
  t.equal(cpe.log.length, sessionsBefore, "no CWMP session was needed");
});

t.test("Subscription rows: Add (keys assigned, Recipient set), Set, GetInstances, Delete; persisted in the store", async (t) => {
  const added = response(
    await controller.request(agentId, topic, {
      type: "add",
      add: {
        allowPartial: false,
        createObjs: [
          {
            objPath: "Device.LocalAgent.Subscription.",
            paramSettings: [
              { param: "ID", value: "vc-1", required: true },
              { param: "NotifType", value: "ValueChange", required: true },
              { param: "ReferenceList", value: "Device.WiFi.SSID.1.SSID", required: true },
            ],
          },
        ],
      },
    }),
  );
  if (added.type !== "addResp") return t.fail(added.type);
  const status = added.addResp.createdObjResults[0]?.operStatus;
  if (status?.type !== "operSuccess") return t.fail(JSON.stringify(status));
  t.equal(status.instantiatedPath, "Device.LocalAgent.Subscription.1.");
  t.equal(status.uniqueKeys.ID, "vc-1");
  t.equal(status.uniqueKeys.Alias, "cpe-1", "R-ADD.5 keys not supplied are assigned");

  const set = response(
    await controller.request(agentId, topic, {
      type: "set",
      set: { allowPartial: false, updateObjs: [{ objPath: 'Device.LocalAgent.Subscription.[ID=="vc-1"].', paramSettings: [{ param: "Enable", value: "true", required: true }] }] },
    }),
  );
  t.equal(set.type, "setResp");

  const got = response(await controller.request(agentId, topic, { type: "get", get: { paramPaths: ["Device.LocalAgent.Subscription.1."], maxDepth: 0 } }));
  if (got.type !== "getResp") return t.fail(got.type);
  const params = got.getResp.reqPathResults[0]?.resolvedPathResults[0]?.resultParams ?? {};
  t.equal(params.Enable, "true");
  t.equal(params.NotifType, "ValueChange");
  t.equal(params.Recipient, "Device.LocalAgent.Controller.1", "the creating controller");

  const stored = await gw.gateway.store.getAgentRows(agentId, "Device.LocalAgent.Subscription.");
  t.same(stored.map((r) => [r.instance, r.values.ID, r.values.Enable]), [[1, "vc-1", "true"]]);

  const instances = response(await controller.request(agentId, topic, { type: "getInstances", getInstances: { objPaths: ["Device.LocalAgent.Subscription."], firstLevelOnly: true } }));
  if (instances.type !== "getInstancesResp") return t.fail(instances.type);
  t.same(instances.getInstancesResp.reqPathResults[0]?.currInsts.map((i) => i.instantiatedObjPath), ["Device.LocalAgent.Subscription.1."]);

  const deleted = response(await controller.request(agentId, topic, { type: "delete", delete: { allowPartial: false, objPaths: ["Device.LocalAgent.Subscription.1."] } }));
  if (deleted.type !== "deleteResp") return t.fail(deleted.type);
  t.same(deleted.deleteResp.deletedObjResults[0]?.operStatus, { type: "operSuccess", affectedPaths: ["Device.LocalAgent.Subscription.1."], unaffectedPathErrs: [] });
  t.same(await gw.gateway.store.getAgentRows(agentId, "Device.LocalAgent.Subscription."), []);
});

t.test("a Get of Device.DeviceInfo. and Device.LocalAgent.MTP. in one message mixes CPE and gateway data", async (t) => {
  const msg = await controller.request(agentId, topic, { type: "get", get: { paramPaths: ["Device.DeviceInfo.SerialNumber", "Device.LocalAgent.MTP.1.Protocol"], maxDepth: 0 } });
  const resp = response(msg);
  if (resp.type !== "getResp") return t.fail(resp.type);
  t.equal(resp.getResp.reqPathResults[0]?.resolvedPathResults[0]?.resultParams.SerialNumber, cpe.serial);
  t.equal(resp.getResp.reqPathResults[1]?.resolvedPathResults[0]?.resultParams.Protocol, "MQTT");
});

t.test("a Get of Device. returns the CPE's objects and Device.LocalAgent.", async (t) => {
  const msg = await controller.request(agentId, topic, { type: "get", get: { paramPaths: ["Device."], maxDepth: 0 } });
  const resp = response(msg);
  if (resp.type !== "getResp") return t.fail(resp.type);
  const paths = resp.getResp.reqPathResults[0]?.resolvedPathResults.map((r) => r.resolvedPath) ?? [];
  t.ok(paths.includes("Device.DeviceInfo."), "CPE objects");
  t.ok(paths.includes("Device.LocalAgent."), "gateway objects");
  t.ok(paths.includes("Device.LocalAgent.Controller.1."));
});

t.test("a Set of a read-only LocalAgent parameter gets 7013 in param_errs", async (t) => {
  const msg = await controller.request(agentId, topic, {
    type: "set",
    set: { allowPartial: false, updateObjs: [{ objPath: "Device.LocalAgent.", paramSettings: [{ param: "EndpointID", value: "x", required: true }] }] },
  });
  if (msg.body.kind !== "error") return t.fail(JSON.stringify(msg.body));
  t.equal(msg.body.error.paramErrs[0]?.errCode, 7013);
});
