// `cwmp2usp demo` as a user runs it: a child process that must walk through
// the Get, the Set and the Reboot, exit 0 and leave nothing behind. From the
// sources always; from bin/cwmp2usp.js (dist/) when dist is built from them.
import t, { type Test } from "tap";
import { runDemo } from "../src/cli/demo.js";
import { distIsFresh, runCli, type CliRun } from "./helpers/cli.js";

function checkWalkthrough(t: Test, run: CliRun): void {
  t.equal(run.code, 0, run.stderr);
  const out = run.stdout;
  t.match(out, /3 of 3 CPEs informed/);
  t.match(out, /MQTT broker {3}mqtt:\/\/127\.0\.0\.1:\d+ {2}\(embedded\)/);
  t.match(out, /→ Get Device\.DeviceInfo\.SoftwareVersion Device\.WiFi\.SSID\.\*\.SSID\n {3}← GET_RESP/);
  t.match(out, / {7}Device\.WiFi\.SSID\.1\.SSID = SimNet\n/, "the Get's value before the Set");
  t.match(out, /→ Set Device\.WiFi\.SSID\.1\. SSID=cwmp2usp-demo\n {3}← SET_RESP/);
  t.match(out, /→ Get Device\.WiFi\.SSID\.1\.SSID\n {3}← GET_RESP.*\n.*\n {7}Device\.WiFi\.SSID\.1\.SSID = cwmp2usp-demo\n/, "the new value read back");
  t.match(out, /→ Operate Device\.Reboot\(\)/);
  // Operate is issue 3's: either its answer, or the honest USP Error and a note.
  t.match(out, /← (OPERATE_RESP|ERROR)/);
  t.match(out, /← Notify Event Device\.Boot! /, "the Boot! event reaches the controller");
  if (out.includes("← OPERATE_RESP")) t.match(out, /Device\.Boot! CommandKey=demo-reboot Cause=RemoteReboot/, "TR-181 Boot! after a remote Reboot()");
  t.match(out, /^Done\./m);
}

t.test("cwmp2usp demo (from the sources) walks through Get, Set and Reboot and exits 0", async (t) => {
  checkWalkthrough(t, await runCli(["demo"], { from: "src", timeoutMs: 100_000 }));
});

t.test("cwmp2usp demo from bin/cwmp2usp.js (dist/)", { skip: distIsFresh() ? false : "dist/ is older than src/ (run npm run build; CI builds before testing)" }, async (t) => {
  checkWalkthrough(t, await runCli(["demo"], { from: "bin", timeoutMs: 60_000 }));
});

t.test("cwmp2usp demo --count 0 is a usage error", async (t) => {
  let err = "";
  const code = await runDemo(["--count", "0"], { stdout: { write: () => true }, stderr: { write: (s: string) => (err += s) } });
  t.equal(code, 2);
  t.match(err, /usage: cwmp2usp demo/);
});
