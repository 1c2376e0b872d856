// /metrics, /healthz and /readyz after real traffic through the gateway.
import t from "tap";
import { GatewayMetrics } from "../src/ops/metrics.js";
import { createOpsServer } from "../src/ops/ops-server.js";
import { startFleet } from "../src/sim/fleet.js";
import { testBroker } from "./helpers/broker.js";
import { CR_PASSWORD, CR_USERNAME, startTestGateway } from "./helpers/gateway.js";
import { TestController } from "./helpers/usp-controller.js";

t.test("metrics count CWMP sessions, RPCs, faults, Connection Requests and USP messages after traffic", async (t) => {
  const broker = await testBroker();
  const gw = await startTestGateway(broker.url);
  const controller = await TestController.connect(broker.url, gw.controllerId, gw.controllerTopic);
  const fleet = await startFleet({ acsUrl: gw.gateway.acsUrl, count: 1, serialPrefix: `MET${process.pid}-`, oui: "00256D", crUsername: CR_USERNAME, crPassword: CR_PASSWORD });
  t.teardown(async () => {
    await fleet.stop();
    await controller.close();
    await gw.stop();
    await broker.close();
  });
  await fleet.bootAll();
  const cpe = fleet.cpes[0];
  if (cpe === undefined) return t.fail("no CPE");
  const agentId = `os::00256D-${cpe.serial}`;
  const topic = gw.agentTopic(agentId);
  await controller.request(agentId, topic, { type: "get", get: { paramPaths: ["Device.DeviceInfo.UpTime"], maxDepth: 0 } });
  await controller.request(agentId, topic, {
    type: "set",
    set: { allowPartial: true, updateObjs: [{ objPath: "Device.WiFi.Radio.1.", paramSettings: [{ param: "OperatingFrequencyBand", value: "60GHz", required: true }] }] },
  });
  await controller.request(agentId, topic, { type: "getSupportedProtocol", getSupportedProtocol: { controllerSupportedProtocolVersions: "1.4" } });
  await controller.publishRaw(topic, Buffer.from("garbage"));
  await new Promise((resolve) => setTimeout(resolve, 200));

  const response = await fetch(`${gw.gateway.opsUrl}/metrics`);
  t.equal(response.status, 200);
  t.match(response.headers.get("content-type"), /^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  const value = (series: string): number => {
    const line = text.split("\n").find((l) => l.startsWith(`${series} `));
    return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
  };
  t.equal(value('cwmp2usp_usp_requests_total{type="get"}'), 1);
  t.equal(value('cwmp2usp_usp_requests_total{type="set"}'), 1);
  t.equal(value('cwmp2usp_usp_replies_total{type="get",result="response"}'), 1);
  t.equal(value('cwmp2usp_usp_replies_total{type="set",result="response"}'), 1);
  t.equal(value('cwmp2usp_usp_replies_total{type="local",result="response"}'), 1, "GetSupportedProtocol answered locally");
  t.equal(value('cwmp2usp_usp_records_dropped_total{reason="undecodable-record"}'), 1);
  t.equal(value('cwmp2usp_connection_requests_total{outcome="ok"}'), 2, "one Connection Request per request");
  t.equal(value('cwmp2usp_cwmp_informs_total{event="6 CONNECTION REQUEST"}'), 2);
  t.equal(value('cwmp2usp_cwmp_informs_total{event="1 BOOT"}'), 1);
  t.ok(value('cwmp2usp_cwmp_rpcs_total{method="GetParameterValues",result="ok"}') >= 1);
  t.equal(value('cwmp2usp_cwmp_faults_total{method="SetParameterValues",code="9003"}'), 1, "the CPE rejected the Set");
  t.ok(value('cwmp2usp_cwmp_sessions_total{reason="completed"}') >= 3);
  t.equal(value('cwmp2usp_usp_request_duration_seconds_count{type="get"}'), 1);
  t.equal(value("cwmp2usp_usp_requests_pending"), 0);
  t.equal(value("cwmp2usp_cwmp_sessions_open"), 0);

  const health = await fetch(`${gw.gateway.opsUrl}/healthz`);
  t.same([health.status, await health.json()], [200, { status: "ok" }]);
  const ready = await fetch(`${gw.gateway.opsUrl}/readyz`);
  t.same([ready.status, await ready.json()], [200, { status: "ready", checks: { mqtt: true, store: true } }]);
});

t.test("/readyz answers 503 naming the check that fails", async (t) => {
  const app = createOpsServer(new GatewayMetrics({ openSessions: () => 0, pendingRequests: () => 0 }), [
    { name: "mqtt", check: async () => false },
    { name: "store", check: async () => Promise.reject(new Error("down")) },
  ]);
  const response = await app.inject({ method: "GET", url: "/readyz" });
  t.equal(response.statusCode, 503);
  t.same(response.json(), { status: "not ready", checks: { mqtt: false, store: false } });
  await app.close();
});
