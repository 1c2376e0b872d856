// Software modules on the simulated CPE (TR-069 A.4.1.14 ChangeDUState,
// A.3.3.4 DUStateChangeComplete; TR-181 Device.SoftwareModules.).
import t from "tap";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { AcsRequest, DUStateChangeComplete, OperationStruct } from "../src/cwmp/rpc.js";
import { startFleet, readParameter, type Fleet } from "../src/sim/fleet.js";
import { eventCodes, startSessionAcs, type RecordedSession, type SessionAcs } from "./helpers/session-acs.js";

const SM = "Device.SoftwareModules.";
const UUID = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";

/** The boot session and each "6 CONNECTION REQUEST" session run the next
 * step; DU STATE CHANGE COMPLETE sessions only deliver results. */
async function withCpe(t: { teardown(fn: () => unknown): void }, steps: AcsRequest[][]): Promise<{ acs: SessionAcs; fleet: Fleet }> {
  const queue = [...steps];
  const acs = await startSessionAcs((inform) => {
    const codes = eventCodes(inform);
    return codes.includes("0 BOOTSTRAP") || codes.includes("6 CONNECTION REQUEST") ? (queue.shift() ?? []) : [];
  });
  const fleet = await startFleet({ acsUrl: acs.url, count: 1, crPort: 0 });
  t.teardown(async () => {
    await fleet.stop();
    await acs.close();
  });
  return { acs, fleet };
}

function change(commandKey: string, ...operations: OperationStruct[]): AcsRequest {
  return { method: "ChangeDUState", operations, commandKey };
}

async function completion(acs: SessionAcs, commandKey: string): Promise<{ session: RecordedSession; rpc: DUStateChangeComplete }> {
  const session = await acs.waitFor((s) => s.cpeRequests.some((r) => r.method === "DUStateChangeComplete" && r.commandKey === commandKey));
  const rpc = session.cpeRequests.find((r): r is DUStateChangeComplete => r.method === "DUStateChangeComplete" && r.commandKey === commandKey);
  if (rpc === undefined) throw new Error("no DUStateChangeComplete");
  return { session, rpc };
}

t.test("TR-069 A.4.1.14 install, update and uninstall a DU; each ends with 11 DU STATE CHANGE COMPLETE + M ChangeDUState", async (t) => {
  const { acs, fleet } = await withCpe(t, [
    [change("inst", { type: "Install", url: "sim://ok/apps/weather-1.0.2.tar", uuid: UUID, executionEnvRef: `${SM}ExecEnv.1` })],
    [change("upd", { type: "Update", uuid: UUID, url: "sim://ok/apps/weather-1.1.0.tar" })],
    [change("rm", { type: "Uninstall", uuid: UUID })],
  ]);
  const cpe = fleet.cpes[0]!;
  await cpe.boot();
  t.match(acs.sessions[0]?.outcomes[0]?.outcome, { ok: true, response: { method: "ChangeDUStateResponse" } });
  const installed = await completion(acs, "inst");
  t.same(installed.session.inform.event, [
    { eventCode: "11 DU STATE CHANGE COMPLETE", commandKey: "" },
    { eventCode: "M ChangeDUState", commandKey: "inst" },
  ]);
  t.match(installed.rpc.results, [
    {
      uuid: UUID,
      deploymentUnitRef: `${SM}DeploymentUnit.1`,
      version: "1.0.2",
      currentState: "Installed",
      resolved: true,
      executionUnitRefList: `${SM}ExecutionUnit.1`,
      fault: { faultCode: 0 },
    },
  ]);
  t.equal(readParameter(cpe, `${SM}DeploymentUnit.1.Name`), "weather");
  t.equal(readParameter(cpe, `${SM}DeploymentUnit.1.Status`), "Installed");
  t.equal(readParameter(cpe, `${SM}DeploymentUnit.1.ExecutionEnvRef`), `${SM}ExecEnv.1`);
  t.equal(readParameter(cpe, `${SM}ExecutionUnitNumberOfEntries`), "1");

  await cpe.whenIdle();
  await cpe.inform([{ eventCode: "6 CONNECTION REQUEST", commandKey: "" }]);
  const updated = await completion(acs, "upd");
  t.match(updated.rpc.results, [{ uuid: UUID, version: "1.1.0", currentState: "Installed", fault: { faultCode: 0 } }]);
  t.equal(readParameter(cpe, `${SM}ExecutionUnit.1.Version`), "1.1.0");

  await cpe.whenIdle();
  await cpe.inform([{ eventCode: "6 CONNECTION REQUEST", commandKey: "" }]);
  const removed = await completion(acs, "rm");
  t.match(removed.rpc.results, [{ uuid: UUID, currentState: "Uninstalled", deploymentUnitRef: `${SM}DeploymentUnit.1`, fault: { faultCode: 0 } }]);
  t.equal(readParameter(cpe, `${SM}DeploymentUnitNumberOfEntries`), "0");
  t.equal(readParameter(cpe, `${SM}ExecutionUnitNumberOfEntries`), "0");
});

t.test("TR-069 A.3.3.4 one OpResultStruct per operation, in order, with DU fault codes", async (t) => {
  const files = http.createServer((req, res) => res.writeHead(req.url?.includes("gone") ? 404 : 200).end("pkg"));
  await new Promise<void>((resolve) => files.listen(0, "127.0.0.1", resolve));
  t.teardown(() => new Promise<void>((resolve) => files.close(() => resolve())));
  const base = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  const { acs, fleet } = await withCpe(t, [
    [
      change(
        "batch",
        { type: "Install", url: `${base}/a-2.0.ipk` },
        { type: "Install", url: `${base}/gone-1.0.ipk` },
        { type: "Install", url: "sim://ok/b-1.0.ipk", uuid: "not-a-uuid" },
        { type: "Install", url: "sim://ok/c-1.0.ipk", executionEnvRef: `${SM}ExecEnv.9` },
        { type: "Uninstall", uuid: UUID },
        { type: "Update", url: `${base}/a-1.0.ipk` },
        { type: "Install", url: "ftp://h/d-1.0.ipk" },
      ),
    ],
  ]);
  await fleet.cpes[0]!.boot();
  const { rpc } = await completion(acs, "batch");
  t.same(
    rpc.results.map((r) => [r.currentState, r.fault.faultCode]),
    [
      ["Installed", 0],
      ["Failed", 9016],
      ["Failed", 9022],
      ["Failed", 9023],
      ["Installed", 9028],
      ["Installed", 9030],
      ["Failed", 9013],
    ],
  );
  t.match(rpc.results[0], { uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, version: "2.0" });
  t.match(rpc.results[5], { fault: { faultString: /Downgrade not permitted/ } });
});
