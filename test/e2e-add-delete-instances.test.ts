// End to end over real sockets: USP Add, Delete and GetInstances from a test
// controller, through the MQTT broker and the gateway, to a simulated TR-181
// CPE (src/sim/profiles/tr181-gateway.json), checked against the CPE's own state.
import t from "tap";
import { readParameter, startFleet, type Fleet } from "../src/sim/fleet.js";
import type { GetInstancesResp, Msg, Request } from "../src/usp/messages.js";
import { testBroker } from "./helpers/broker.js";
import { CR_PASSWORD, CR_USERNAME, startTestGateway } from "./helpers/gateway.js";
import { TestController } from "./helpers/usp-controller.js";

const OUI = "00256D";

const broker = await testBroker();
const gw = await startTestGateway(broker.url);
const controller = await TestController.connect(broker.url, gw.controllerId, gw.controllerTopic);
const fleet: Fleet = await startFleet({
  acsUrl: gw.gateway.acsUrl,
  count: 1,
  serialPrefix: `ADI${process.pid}-`,
  oui: OUI,
  crUsername: CR_USERNAME,
  crPassword: CR_PASSWORD,
});
t.teardown(async () => {
  await fleet.stop();
  await controller.close();
  await gw.stop();
  await broker.close();
});

const cpe = fleet.cpes[0];
if (cpe === undefined) throw new Error("fleet has no CPE");
const agentId = `os::${OUI}-${cpe.serial}`;
const agentTopic = gw.agentTopic(agentId);
await fleet.bootAll();

const ask = (request: Request): Promise<Msg> => controller.request(agentId, agentTopic, request);

async function getInstances(objPaths: string[], firstLevelOnly = true): Promise<GetInstancesResp> {
  const msg = await ask({ type: "getInstances", getInstances: { objPaths, firstLevelOnly } });
  if (msg.body.kind !== "response" || msg.body.response.type !== "getInstancesResp") throw new Error(`expected GetInstancesResp, got ${JSON.stringify(msg.body)}`);
  return msg.body.response.getInstancesResp;
}

t.test("TP-469 1.66 GetInstances lists a table's instances with their unique keys", async (t) => {
  const resp = await getInstances(["Device.IP.Interface."]);
  t.same(resp.reqPathResults, [
    {
      requestedPath: "Device.IP.Interface.",
      errCode: 0,
      errMsg: "",
      currInsts: [
        { instantiatedObjPath: "Device.IP.Interface.1.", uniqueKeys: { Alias: "cpe-ip-1", Name: readParameter(cpe, "Device.IP.Interface.1.Name") } },
        { instantiatedObjPath: "Device.IP.Interface.2.", uniqueKeys: { Alias: "cpe-ip-2", Name: readParameter(cpe, "Device.IP.Interface.2.Name") } },
      ],
    },
  ]);
});

t.test("obuspa#156 GetInstances on Device.DeviceInfo. is 7018 Object is not a table", async (t) => {
  const resp = await getInstances(["Device.DeviceInfo."]);
  t.equal(resp.reqPathResults[0]?.errCode, 7018);
  t.same(resp.reqPathResults[0]?.currInsts, []);
});

t.test("TP-469 1.25 R-DEL.1 Delete of a nonexistent instance with allow_partial=false is Error 7016", async (t) => {
  const msg = await ask({ type: "delete", delete: { allowPartial: false, objPaths: ["Device.DNS.Client.Server.99."] } });
  t.equal(msg.header.msgType, "ERROR");
  if (msg.body.kind !== "error") return t.fail(JSON.stringify(msg.body));
  t.equal(msg.body.error.errCode, 7016);
  t.same(msg.body.error.paramErrs.map((e) => [e.paramPath, e.errCode]), [["Device.DNS.Client.Server.99.", 7016]]);
  t.equal(readParameter(cpe, "Device.DNS.Client.Server.2.DNSServer"), "9.9.9.9", "nothing else deleted");
});

t.test("TP-469 1.24 Delete removes the instance on the CPE; GetInstances no longer shows it", async (t) => {
  const msg = await ask({ type: "delete", delete: { allowPartial: false, objPaths: ["Device.DNS.Client.Server.2."] } });
  t.same(msg.body, {
    kind: "response",
    response: {
      type: "deleteResp",
      deleteResp: {
        deletedObjResults: [
          { requestedPath: "Device.DNS.Client.Server.2.", operStatus: { type: "operSuccess", affectedPaths: ["Device.DNS.Client.Server.2."], unaffectedPathErrs: [] } },
        ],
      },
    },
  });
  t.equal(readParameter(cpe, "Device.DNS.Client.Server.2.DNSServer"), undefined, "gone from the CPE");
  const resp = await getInstances(["Device.DNS.Client.Server."]);
  t.same(
    resp.reqPathResults[0]?.currInsts.map((c) => c.instantiatedObjPath),
    ["Device.DNS.Client.Server.1."],
  );
});

t.test("TP-469 1.1 Add creates a NAT.PortMapping on the CPE; GetInstances shows it; Delete removes it", async (t) => {
  const msg = await ask({
    type: "add",
    add: {
      allowPartial: false,
      createObjs: [
        {
          objPath: "Device.NAT.PortMapping.",
          paramSettings: [
            { param: "ExternalPort", value: "8080", required: true },
            { param: "InternalPort", value: "80", required: true },
            { param: "InternalClient", value: "192.168.1.10", required: true },
            { param: "Description", value: "web", required: false },
            { param: "Enable", value: "true", required: false },
          ],
        },
      ],
    },
  });
  t.equal(msg.header.msgType, "ADD_RESP");
  if (msg.body.kind !== "response" || msg.body.response.type !== "addResp") return t.fail(JSON.stringify(msg.body));
  const status = msg.body.response.addResp.createdObjResults[0]?.operStatus;
  if (status?.type !== "operSuccess") return t.fail(JSON.stringify(status));
  const inst = status.instantiatedPath;
  t.match(inst, /^Device\.NAT\.PortMapping\.[1-9][0-9]*\.$/);
  t.same(status.paramErrs, []);
  // Alias: the CPE leaves it empty, the agent assigns cpe-<n> (mapping.md §4.4).
  t.same(status.uniqueKeys, { Alias: `cpe-${/([0-9]+)\.$/.exec(status.instantiatedPath)?.[1] ?? ""}`, RemoteHost: "", ExternalPort: "8080", Protocol: "TCP" }, "R-ADD.5 keys set and assigned");
  t.equal(readParameter(cpe, `${inst}ExternalPort`), "8080", "the real CPE holds the new row");
  t.equal(readParameter(cpe, `${inst}InternalClient`), "192.168.1.10");
  t.equal(readParameter(cpe, `${inst}Enable`), "true");

  const listed = await getInstances(["Device.NAT.PortMapping."]);
  t.same(listed.reqPathResults[0]?.currInsts, [{ instantiatedObjPath: inst, uniqueKeys: status.uniqueKeys }]);

  const del = await ask({ type: "delete", delete: { allowPartial: false, objPaths: [inst] } });
  if (del.body.kind !== "response" || del.body.response.type !== "deleteResp") return t.fail(JSON.stringify(del.body));
  t.same(del.body.response.deleteResp.deletedObjResults[0]?.operStatus, { type: "operSuccess", affectedPaths: [inst], unaffectedPathErrs: [] });
  t.equal(readParameter(cpe, `${inst}ExternalPort`), undefined, "gone from the CPE");
  t.same((await getInstances(["Device.NAT.PortMapping."])).reqPathResults[0]?.currInsts, []);
});

t.test("TP-469 1.3 Add with a bad required param leaves nothing behind (Error 7021, instance deleted again)", async (t) => {
  const msg = await ask({
    type: "add",
    add: {
      allowPartial: false,
      createObjs: [{ objPath: "Device.NAT.PortMapping.", paramSettings: [{ param: "ExternalPort", value: "70000", required: true }] }],
    },
  });
  if (msg.body.kind !== "error") return t.fail(JSON.stringify(msg.body));
  t.equal(msg.body.error.errCode, 7021);
  t.equal(msg.body.error.paramErrs[0]?.errCode, 7012, "the CPE's 9007 (out of range)");
  t.match(msg.body.error.paramErrs[0]?.paramPath, /^Device\.NAT\.PortMapping\.[0-9]+\.ExternalPort$/);
  t.same((await getInstances(["Device.NAT.PortMapping."])).reqPathResults[0]?.currInsts, [], "no PortMapping left on the CPE");
});

t.test("Add to a table the CPE does not allow creating in is 7019; to a single-instance object 7018", async (t) => {
  const msg = await ask({
    type: "add",
    add: {
      allowPartial: true,
      createObjs: [
        { objPath: "Device.IP.Interface.", paramSettings: [] },
        { objPath: "Device.DeviceInfo.", paramSettings: [] },
      ],
    },
  });
  if (msg.body.kind !== "response" || msg.body.response.type !== "addResp") return t.fail(JSON.stringify(msg.body));
  t.same(
    msg.body.response.addResp.createdObjResults.map((r) => (r.operStatus.type === "operFailure" ? r.operStatus.errCode : 0)),
    [7019, 7018],
  );
});
