// TP-469 section 1, the Set cases: the allow_partial/required truth table
// (reference/usp.md §2) end to end, each outcome checked on the CPE itself.
import t from "tap";
import type { SetOperStatus, UpdatedObjectResult } from "../src/usp/messages.js";
import { errorOf, p, set, setResp, startBench } from "./tp469/harness.js";

const bench = await startBench({ serialPrefix: "TPS" });
t.teardown(() => bench.stop());
const { cpe } = bench;
const value = (name: string): string | undefined => cpe.model.value(name);
/** Codes a Set's Error may carry (reference/usp.md §2, Supported Error Codes). */
const SET_CODES = [...Array.from({ length: 17 }, (_, i) => 7000 + i), 7020, 7021, 7026];

const updated = (requestedPath: string, results: [string, Record<string, string>][]): UpdatedObjectResult => ({
  requestedPath,
  operStatus: { type: "operSuccess", updatedInstResults: results.map(([affectedPath, updatedParams]) => ({ affectedPath, paramErrs: [], updatedParams })) },
});

function failure(status: SetOperStatus | undefined): Extract<SetOperStatus, { type: "operFailure" }> {
  if (status?.type !== "operFailure") throw new Error(`expected oper_failure, got ${JSON.stringify(status)}`);
  return status;
}

t.test("TP-469 1.11 Set message with allow partial false, required parameters pass", async (t) => {
  const resp = setResp(await bench.ask(set(false, [{ objPath: "Device.WiFi.SSID.1.", paramSettings: [p("SSID", "tp-1-11")] }])));
  t.same(resp.updatedObjResults, [updated("Device.WiFi.SSID.1.", [["Device.WiFi.SSID.1.", { SSID: "tp-1-11" }]])]);
  t.equal(value("Device.WiFi.SSID.1.SSID"), "tp-1-11", "the CPE holds the new value");
});

t.test("TP-469 1.12 Set message with allow partial true, required parameters pass", async (t) => {
  const resp = setResp(await bench.ask(set(true, [{ objPath: "Device.WiFi.SSID.2.", paramSettings: [p("SSID", "tp-1-12"), p("Enable", "false")] }])));
  t.same(resp.updatedObjResults, [updated("Device.WiFi.SSID.2.", [["Device.WiFi.SSID.2.", { SSID: "tp-1-12", Enable: "false" }]])]);
  t.equal(value("Device.WiFi.SSID.2.SSID"), "tp-1-12");
  t.equal(value("Device.WiFi.SSID.2.Enable"), "false");
});

t.test("TP-469 1.13 Set message with allow partial false, multiple objects", async (t) => {
  const resp = setResp(
    await bench.ask(
      set(false, [
        { objPath: "Device.WiFi.SSID.1.", paramSettings: [p("SSID", "tp-1-13")] },
        { objPath: "Device.WiFi.Radio.2.", paramSettings: [p("Channel", "40")] },
      ]),
    ),
  );
  t.same(resp.updatedObjResults, [
    updated("Device.WiFi.SSID.1.", [["Device.WiFi.SSID.1.", { SSID: "tp-1-13" }]]),
    updated("Device.WiFi.Radio.2.", [["Device.WiFi.Radio.2.", { Channel: "40" }]]),
  ]);
  t.equal(value("Device.WiFi.SSID.1.SSID"), "tp-1-13");
  t.equal(value("Device.WiFi.Radio.2.Channel"), "40");
});

t.test("TP-469 1.14 Set message with allow partial false, required parameters fail", async (t) => {
  const before = value("Device.WiFi.SSID.1.SSID");
  const error = errorOf(await bench.ask(set(false, [{ objPath: "Device.WiFi.SSID.1.", paramSettings: [p("SSID", "tp-1-14"), p("NoSuchParameter", "x")] }])));
  t.ok(SET_CODES.includes(error.errCode), `err_code ${error.errCode} is one a Set may carry`);
  t.same(error.paramErrs.map((e) => [e.paramPath, e.errCode]), [["Device.WiFi.SSID.1.NoSuchParameter", 7010]], "param_errs: 7010 Unsupported parameter");
  t.equal(value("Device.WiFi.SSID.1.SSID"), before, "nothing was written");
});

t.test("TP-469 1.15 Set message with allow partial false, multiple objects, required parameters fail in single object", async (t) => {
  const [ssid, channel] = [value("Device.WiFi.SSID.1.SSID"), value("Device.WiFi.Radio.1.Channel")];
  const error = errorOf(
    await bench.ask(
      set(false, [
        { objPath: "Device.WiFi.SSID.1.", paramSettings: [p("SSID", "tp-1-15")] },
        { objPath: "Device.WiFi.Radio.1.", paramSettings: [p("Channel", "not-a-number")] },
      ]),
    ),
  );
  t.ok(SET_CODES.includes(error.errCode), `err_code ${error.errCode}`);
  t.same(error.paramErrs.map((e) => [e.paramPath, e.errCode]), [["Device.WiFi.Radio.1.Channel", 7011]], "param_errs: 7011 Invalid type");
  t.equal(value("Device.WiFi.SSID.1.SSID"), ssid, "the valid object is not changed either");
  t.equal(value("Device.WiFi.Radio.1.Channel"), channel);
});

t.test("TP-469 1.16 Set message with allow partial true, required parameter fails, multiple objects", async (t) => {
  const band = value("Device.WiFi.Radio.1.OperatingFrequencyBand");
  const resp = setResp(
    await bench.ask(
      set(true, [
        { objPath: "Device.WiFi.SSID.1.", paramSettings: [p("SSID", "tp-1-16")] },
        { objPath: "Device.WiFi.Radio.1.", paramSettings: [p("OperatingFrequencyBand", "60GHz")] },
      ]),
    ),
  );
  t.equal(resp.updatedObjResults.length, 2);
  t.same(resp.updatedObjResults[0], updated("Device.WiFi.SSID.1.", [["Device.WiFi.SSID.1.", { SSID: "tp-1-16" }]]));
  t.equal(resp.updatedObjResults[1]?.requestedPath, "Device.WiFi.Radio.1.");
  const failed = failure(resp.updatedObjResults[1]?.operStatus);
  t.ok(SET_CODES.includes(failed.errCode), `oper_failure err_code ${failed.errCode}`);
  t.same(
    failed.updatedInstFailures.map((f) => [f.affectedPath, f.paramErrs.map((e) => [e.param, e.errCode])]),
    [["Device.WiFi.Radio.1.", [["OperatingFrequencyBand", 7012]]]],
    "updated_inst_failures: 7012 Invalid value",
  );
  t.equal(value("Device.WiFi.SSID.1.SSID"), "tp-1-16", "the other object was updated");
  t.equal(value("Device.WiFi.Radio.1.OperatingFrequencyBand"), band, "the failed one was not");
});

t.test("TP-469 1.17 Set message with allow partial true, non-required parameter fails, multiple parameters", async (t) => {
  const resp = setResp(
    await bench.ask(set(true, [{ objPath: "Device.WiFi.SSID.1.", paramSettings: [p("SSID", "tp-1-17"), p("NoSuchParameter", "x", false), p("Enable", "true", false)] }])),
  );
  t.equal(resp.updatedObjResults[0]?.requestedPath, "Device.WiFi.SSID.1.");
  const status = resp.updatedObjResults[0]?.operStatus;
  t.equal(status?.type, "operSuccess", "a non-required failure does not fail the object");
  if (status?.type !== "operSuccess") return;
  t.equal(status.updatedInstResults.length, 1);
  const result = status.updatedInstResults[0];
  t.equal(result?.affectedPath, "Device.WiFi.SSID.1.");
  t.same(result?.updatedParams, { SSID: "tp-1-17", Enable: "true" });
  t.same(result?.paramErrs.map((e) => [e.param, e.errCode]), [["NoSuchParameter", 7010]], "param_errs names the failed one");
  t.equal(value("Device.WiFi.SSID.1.SSID"), "tp-1-17");
});

t.test("TP-469 1.18 Set message with unique key addressing in path", async (t) => {
  const path = 'Device.WiFi.SSID.[Alias=="cpe-ssid-2"].';
  const resp = setResp(await bench.ask(set(false, [{ objPath: path, paramSettings: [p("SSID", "tp-1-18")] }])));
  t.same(resp.updatedObjResults, [updated(path, [["Device.WiFi.SSID.2.", { SSID: "tp-1-18" }]])], "affected_path is the instance number path");
  t.equal(value("Device.WiFi.SSID.2.SSID"), "tp-1-18");
});

t.test("TP-469 1.19 Set message with wildcard search path, allow partial false, required parameters pass", async (t) => {
  const resp = setResp(await bench.ask(set(false, [{ objPath: "Device.WiFi.AccessPoint.*.", paramSettings: [p("MaxAssociatedDevices", "16")] }])));
  t.same(resp.updatedObjResults, [
    updated("Device.WiFi.AccessPoint.*.", [
      ["Device.WiFi.AccessPoint.1.", { MaxAssociatedDevices: "16" }],
      ["Device.WiFi.AccessPoint.2.", { MaxAssociatedDevices: "16" }],
    ]),
  ]);
  t.equal(value("Device.WiFi.AccessPoint.1.MaxAssociatedDevices"), "16");
  t.equal(value("Device.WiFi.AccessPoint.2.MaxAssociatedDevices"), "16");
});

t.test("TP-469 1.20 Set message with wildcard search path, allow partial false, required parameters fail", async (t) => {
  const before = [value("Device.WiFi.AccessPoint.1.MaxAssociatedDevices"), value("Device.WiFi.AccessPoint.2.MaxAssociatedDevices")];
  const error = errorOf(await bench.ask(set(false, [{ objPath: "Device.WiFi.AccessPoint.*.", paramSettings: [p("MaxAssociatedDevices", "20"), p("NoSuchParameter", "x")] }])));
  t.ok(SET_CODES.includes(error.errCode), `err_code ${error.errCode}`);
  t.same(
    error.paramErrs.map((e) => [e.paramPath, e.errCode]),
    [
      ["Device.WiFi.AccessPoint.1.NoSuchParameter", 7010],
      ["Device.WiFi.AccessPoint.2.NoSuchParameter", 7010],
    ],
  );
  t.same([value("Device.WiFi.AccessPoint.1.MaxAssociatedDevices"), value("Device.WiFi.AccessPoint.2.MaxAssociatedDevices")], before, "no instance changed");
});

t.test("TP-469 1.21 Set message with wildcard search path, allow partial true, required parameters fail", async (t) => {
  const before = [value("Device.WiFi.AccessPoint.1.MaxAssociatedDevices"), value("Device.WiFi.AccessPoint.2.MaxAssociatedDevices")];
  const resp = setResp(await bench.ask(set(true, [{ objPath: "Device.WiFi.AccessPoint.*.", paramSettings: [p("MaxAssociatedDevices", "24"), p("NoSuchParameter", "x")] }])));
  t.equal(resp.updatedObjResults.length, 1);
  t.equal(resp.updatedObjResults[0]?.requestedPath, "Device.WiFi.AccessPoint.*.");
  const failed = failure(resp.updatedObjResults[0]?.operStatus);
  t.ok(SET_CODES.includes(failed.errCode), `oper_failure err_code ${failed.errCode}`);
  t.same(
    failed.updatedInstFailures.map((f) => [f.affectedPath, f.paramErrs.map((e) => [e.param, e.errCode])]),
    [
      ["Device.WiFi.AccessPoint.1.", [["NoSuchParameter", 7010]]],
      ["Device.WiFi.AccessPoint.2.", [["NoSuchParameter", 7010]]],
    ],
    "R-SET.2a the search path fails as a whole",
  );
  t.same([value("Device.WiFi.AccessPoint.1.MaxAssociatedDevices"), value("Device.WiFi.AccessPoint.2.MaxAssociatedDevices")], before);
});

t.test("TP-469 1.22 Set message with search expression search path", async (t) => {
  const channel1 = value("Device.WiFi.Radio.1.Channel");
  const path = 'Device.WiFi.Radio.[OperatingFrequencyBand=="5GHz"].';
  const resp = setResp(await bench.ask(set(false, [{ objPath: path, paramSettings: [p("Channel", "44")] }])));
  t.same(resp.updatedObjResults, [updated(path, [["Device.WiFi.Radio.2.", { Channel: "44" }]])]);
  t.equal(value("Device.WiFi.Radio.2.Channel"), "44");
  t.equal(value("Device.WiFi.Radio.1.Channel"), channel1, "the radio the expression excludes is untouched");
});

t.test("TP-469 1.23 Set message with path that matches no objects", async (t) => {
  const path = 'Device.WiFi.SSID.[Name=="no-such-ssid"].';
  const resp = setResp(await bench.ask(set(false, [{ objPath: path, paramSettings: [p("SSID", "tp-1-23")] }])));
  t.same(resp.updatedObjResults, [{ requestedPath: path, operStatus: { type: "operSuccess", updatedInstResults: [] } }], "R-MSG.4a an empty success");
  t.not(value("Device.WiFi.SSID.1.SSID"), "tp-1-23");
  t.not(value("Device.WiFi.SSID.2.SSID"), "tp-1-23");
});

// Alias is writeOnceReadOnly in TR-181 USP: once assigned it cannot be changed.
t.test("TP-469 1.96 Non-functional Unique Key Immutability", async (t) => {
  const before = value("Device.WiFi.SSID.1.Alias");
  t.equal(before, "cpe-ssid-1", "the CPE assigned an Alias");
  const msg = await bench.ask(set(false, [{ objPath: "Device.WiFi.SSID.1.", paramSettings: [p("Alias", "tp-1-96")] }]));
  t.equal(msg.header.msgType, "ERROR", "changing an assigned non-functional key is refused");
  if (msg.body.kind === "error") t.same(msg.body.error.paramErrs.map((e) => [e.paramPath, e.errCode]), [["Device.WiFi.SSID.1.Alias", 7013]], "7013 non-writeable");
  t.equal(value("Device.WiFi.SSID.1.Alias"), before, "the Alias is unchanged on the CPE");
});

t.test("TP-469 1.104 Set message on WriteOnceReadOnly parameter", async (t) => {
  const before = value("Device.WiFi.AccessPoint.1.Alias");
  const msg = await bench.ask(set(false, [{ objPath: "Device.WiFi.AccessPoint.1.", paramSettings: [p("Alias", "tp-1-104")] }]));
  t.equal(msg.header.msgType, "ERROR");
  if (msg.body.kind === "error") t.same(msg.body.error.paramErrs.map((e) => [e.paramPath, e.errCode]), [["Device.WiFi.AccessPoint.1.Alias", 7013]], "7013 non-writeable");
  t.equal(value("Device.WiFi.AccessPoint.1.Alias"), before);
});
