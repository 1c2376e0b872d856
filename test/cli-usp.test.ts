// `cwmp2usp usp …`, the lab controller CLI: argument parsing, then every exit
// status against a real gateway, broker and simulated CPE (in-process, and
// once as a child process the way a user runs it).
import t from "tap";
import { parseUspArgs } from "../src/cli/usp-args.js";
import { runUspCli, type CliIo } from "../src/cli/usp-command.js";
import { readParameter, startFleet } from "../src/sim/fleet.js";
import { testBroker } from "./helpers/broker.js";
import { runCli } from "./helpers/cli.js";
import { CR_PASSWORD, CR_USERNAME, startTestGateway } from "./helpers/gateway.js";

t.test("arguments become USP requests", async (t) => {
  const command = (argv: string[]): unknown => {
    const parsed = parseUspArgs(argv);
    return parsed.ok ? parsed.command : parsed.error;
  };
  t.match(command(["get", "os::X-1", "Device.DeviceInfo.", "Device.WiFi.SSID.*.SSID", "--max-depth", "2"]), {
    verb: "get",
    endpointId: "os::X-1",
    request: { type: "get", get: { paramPaths: ["Device.DeviceInfo.", "Device.WiFi.SSID.*.SSID"], maxDepth: 2 } },
    options: { broker: "mqtt://127.0.0.1:1883", controllerId: "proto::controller-1", controllerTopic: "usp/v1/controller/controller-1", agentTopic: "usp/v1/agent/{endpointId}", json: false, mqttVersion: 5 },
  });
  t.same((command(["set", "e", "Device.WiFi.SSID.1.", "SSID=a=b", "Enable=true"]) as { request: unknown }).request, {
    type: "set",
    set: { allowPartial: false, updateObjs: [{ objPath: "Device.WiFi.SSID.1.", paramSettings: [{ param: "SSID", value: "a=b", required: true }, { param: "Enable", value: "true", required: true }] }] },
  }, "allow_partial false, every param required, split at the first =");
  t.same((command(["add", "e", "Device.NAT.PortMapping."]) as { request: unknown }).request, { type: "add", add: { allowPartial: false, createObjs: [{ objPath: "Device.NAT.PortMapping.", paramSettings: [] }] } });
  t.same((command(["delete", "e", "Device.NAT.PortMapping.1."]) as { request: unknown }).request, { type: "delete", delete: { allowPartial: false, objPaths: ["Device.NAT.PortMapping.1."] } });
  t.same((command(["instances", "e", "Device.WiFi.", "--first-level-only"]) as { request: unknown }).request, { type: "getInstances", getInstances: { objPaths: ["Device.WiFi."], firstLevelOnly: true } });
  t.match((command(["supported", "e", "Device."]) as { request: unknown }).request, { type: "getSupportedDm", getSupportedDm: { objPaths: ["Device."], firstLevelOnly: false, returnParams: true, returnCommands: true, returnEvents: true } });
  t.match((command(["operate", "e", "Device.IP.Diagnostics.IPPing()", "Host=10.0.0.1"]) as { request: unknown }).request, {
    type: "operate",
    operate: { command: "Device.IP.Diagnostics.IPPing()", sendResp: true, inputArgs: { Host: "10.0.0.1" } },
  });
  t.match(command(["subscribe", "e", "Event", "Device.Boot!", "--mqtt-version", "3.1.1", "--timeout", "2.5"]), {
    verb: "subscribe",
    notifType: "Event",
    referenceList: "Device.Boot!",
    options: { mqttVersion: 4, timeoutMs: 2500 },
  });
  for (const [argv, error] of [
    [[], /command is required/],
    [["fetch", "e"], /unknown command "fetch"/],
    [["get"], /endpoint id is required/],
    [["get", "e"], /at least one <path>/],
    [["set", "e", "Device.X."], /Param=value/],
    [["set", "e", "Device.X.", "=v"], /not Name=value/],
    [["subscribe", "e", "Boot", "Device."], /notifType must be one of/],
    [["get", "e", "Device.", "--timeout", "0"], /--timeout/],
    [["get", "e", "Device.", "--agent-topic", "agents"], /\{endpointId\}/],
    [["get", "e", "Device.", "--mqtt-version", "4"], /--mqtt-version/],
    [["get", "e", "Device.", "--nope"], /nope/],
  ] as const) {
    t.match(command([...argv]), error, argv.join(" ") || "(nothing)");
  }
});

/** Buffers standing in for stdout and stderr. */
function captureIo(interrupted?: () => Promise<void>): CliIo & { out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    ...(interrupted !== undefined ? { interrupted } : {}),
    out: () => out,
    err: () => err,
  };
}

t.test("usage problems exit 2 without touching the network; --help exits 0", async (t) => {
  const bad = captureIo();
  t.equal(await runUspCli(["get"], bad), 2);
  t.match(bad.err(), /endpoint id is required[\s\S]*usage: cwmp2usp usp/);
  const help = captureIo();
  t.equal(await runUspCli(["--help"], help), 0);
  t.match(help.out(), /^usage: cwmp2usp usp/);
  const unreachable = captureIo();
  t.equal(await runUspCli(["get", "e", "Device.", "--broker", "mqtt://127.0.0.1:1"], unreachable), 2, "no broker");
  t.match(unreachable.err(), /cannot connect to mqtt:\/\/127\.0\.0\.1:1/);
});

t.test("against a gateway with a simulated CPE", async (t) => {
  const broker = await testBroker();
  // aedes speaks MQTT 3.1.1 only; Mosquitto both.
  const version = broker.kind === "aedes" ? "3.1.1" : "5";
  const gw = await startTestGateway(broker.url, { mqtt: { version } });
  const fleet = await startFleet({ acsUrl: gw.gateway.acsUrl, count: 1, serialPrefix: `CLI${process.pid}-`, oui: "00256D", crUsername: CR_USERNAME, crPassword: CR_PASSWORD });
  t.teardown(async () => {
    await fleet.stop();
    await gw.stop();
    await broker.close();
  });
  await fleet.bootAll();
  const cpe = fleet.cpes[0];
  if (cpe === undefined) throw new Error("no CPE");
  const eid = `os::00256D-${cpe.serial}`;
  const common = ["--broker", broker.url, "--controller-id", gw.controllerId, "--controller-topic", gw.controllerTopic, "--agent-topic", gw.config.mqtt.agentTopic, "--mqtt-version", version, "--timeout", "20"];
  const usp = async (...argv: string[]): Promise<{ code: number; out: string; err: string }> => {
    const io = captureIo();
    const code = await runUspCli([...argv, ...common], io);
    return { code, out: io.out(), err: io.err() };
  };

  t.test("get prints one line per value and exits 0", async (t) => {
    const r = await usp("get", eid, "Device.DeviceInfo.SoftwareVersion", "Device.WiFi.SSID.*.SSID");
    t.equal(r.code, 0, r.err);
    t.equal(
      r.out,
      [
        "Device.DeviceInfo.SoftwareVersion",
        `  Device.DeviceInfo.SoftwareVersion = ${readParameter(cpe, "Device.DeviceInfo.SoftwareVersion")}`,
        "Device.WiFi.SSID.*.SSID",
        `  Device.WiFi.SSID.1.SSID = ${readParameter(cpe, "Device.WiFi.SSID.1.SSID")}`,
        `  Device.WiFi.SSID.2.SSID = ${readParameter(cpe, "Device.WiFi.SSID.2.SSID")}`,
        "",
      ].join("\n"),
    );
  });

  t.test("--json prints the USP Msg as parseable JSON", async (t) => {
    const r = await usp("get", eid, "Device.DeviceInfo.SoftwareVersion", "--json");
    t.equal(r.code, 0);
    const msg = JSON.parse(r.out) as { header: { msgType: string }; body: { response: { getResp: { reqPathResults: { resolvedPathResults: { resultParams: Record<string, string> }[] }[] } } } };
    t.equal(msg.header.msgType, "GET_RESP");
    t.equal(msg.body.response.getResp.reqPathResults[0]?.resolvedPathResults[0]?.resultParams.SoftwareVersion, readParameter(cpe, "Device.DeviceInfo.SoftwareVersion"));
  });

  t.test("set changes the CPE's value and prints it", async (t) => {
    const r = await usp("set", eid, "Device.WiFi.SSID.1.", "SSID=from-the-cli");
    t.equal(r.code, 0, r.out + r.err);
    t.equal(r.out, "Device.WiFi.SSID.1.  set\n  Device.WiFi.SSID.1.SSID = from-the-cli\n");
    t.equal(readParameter(cpe, "Device.WiFi.SSID.1.SSID"), "from-the-cli");
  });

  t.test("instances lists the table's rows", async (t) => {
    const r = await usp("instances", eid, "Device.WiFi.SSID.", "--first-level-only");
    t.equal(r.code, 0, r.out + r.err);
    t.match(r.out, /^Device\.WiFi\.SSID\.\n {2}Device\.WiFi\.SSID\.1\./);
  });

  t.test("a USP Error is printed and exits 1", async (t) => {
    // allow_partial=false and a value the CPE refuses: a message-level Error (R-SET truth table).
    const r = await usp("set", eid, "Device.WiFi.Radio.1.", "OperatingFrequencyBand=60GHz");
    t.equal(r.code, 1, r.out + r.err);
    t.match(r.out, /^USP Error 70\d\d: /);
    t.match(r.out, /Device\.WiFi\.Radio\.1\.OperatingFrequencyBand {2}error 70\d\d/);
  });

  t.test("no answer: progress on stderr, a hint, exit 2", async (t) => {
    const io = captureIo();
    const code = await runUspCli(["get", "os::00256D-NOBODY", "Device.", ...common.slice(0, -2), "--timeout", "2.5"], io);
    t.equal(code, 2);
    t.equal(io.out(), "");
    t.match(io.err(), /waiting for the CPE \(Connection Request\)… 1s\n/);
    t.match(io.err(), /no answer from os::00256D-NOBODY within 2\.5 s/);
  });

  t.test("subscribe prints notifications until interrupted, then removes its subscription", async (t) => {
    let stop = (): void => undefined;
    const interrupted = new Promise<void>((resolve) => (stop = resolve));
    const io = captureIo(() => interrupted);
    const running = runUspCli(["subscribe", eid, "Event", "Device.Boot!", ...common], io);
    while (!io.err().includes("subscribed:")) await new Promise((resolve) => setTimeout(resolve, 20));
    t.match(io.err(), /subscribed: Device\.LocalAgent\.Subscription\.\d+\. \(ID cli-[0-9a-f]+, Event Device\.Boot!\)/);
    await cpe.boot();
    while (!io.out().includes("Boot!")) await new Promise((resolve) => setTimeout(resolve, 20));
    stop();
    t.equal(await running, 0);
    t.match(io.out(), /^\d{4}-\d\d-\d\dT[\d:.]+Z {2}Event Device\.Boot! .*Cause=LocalReboot.* \(subscription cli-[0-9a-f]+\)\n$/);
    t.match(io.err(), /unsubscribed: Device\.LocalAgent\.Subscription\.\d+\. deleted/);
  });

  t.test("as a child process: `cwmp2usp usp get …`", async (t) => {
    const r = await runCli(["usp", "get", eid, "Device.DeviceInfo.SoftwareVersion", "--json", ...common], { from: "src", timeoutMs: 60_000 });
    t.equal(r.code, 0, r.stderr);
    t.equal((JSON.parse(r.stdout) as { header: { msgType: string } }).header.msgType, "GET_RESP");
  });
});
