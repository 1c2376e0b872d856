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
