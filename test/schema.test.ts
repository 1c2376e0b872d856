// The generated TR-181 schema (mappings/tr181-schema.json): known facts of
// the Device:2.19 USP model, read back through src/translate/schema.ts, and
// the drift check of both generated schemas, TR-181 and TR-098 (STYLE §2
// mappings/: each committed file must be exactly what
// scripts/generate-schema.ts makes of its BBF XML). CI has no copy of the XML,
// so there the drift check says plainly that it did not run. The TR-098
// schema's facts are in tr098-schema.test.ts.
import { readFileSync, statSync } from "node:fs";
import t from "tap";
import { GENERATOR, TARGETS, TR181_TARGET, findSourceXml, generateSchema, xmlCandidates } from "../scripts/generate-schema.js";
import { TR181, compileSchema, parentSupportedPath, supportedPathOf } from "../src/translate/schema.js";

const committed = readFileSync(TR181_TARGET.schemaFile, "utf8");

function obj(path: string): NonNullable<ReturnType<typeof TR181.object>> {
  const o = TR181.object(path);
  if (o === undefined) throw new Error(`${path} is not in the schema`);
  return o;
}

t.test("header names the generator, the source XML and its sha256", async (t) => {
  const raw = JSON.parse(committed) as Record<string, unknown>;
  t.equal(raw.generatedBy, GENERATOR);
  t.equal(raw.source, TR181_TARGET.sourceXml);
  t.match(raw.sha256, /^[0-9a-f]{64}$/);
  t.equal(raw.model, "Device:2.19");
  t.equal(TR181.spec, "urn:broadband-forum-org:tr-181-2-19-1-usp");
  t.ok(statSync(TR181_TARGET.schemaFile).size < 1_000_000, "compact: well under the 3 MB where gzip would be worth it");
});

t.test("every object of the model, deleted ones left out (BBF index: 809 objects)", async (t) => {
  const all = TR181.subtree("Device.");
  t.equal(all.length, 809);
  t.equal(all.reduce((n, o) => n + o.params.length, 0), 6581, "parameters");
  t.equal(all.reduce((n, o) => n + o.commands.length, 0), 178, "commands");
  t.equal(all.reduce((n, o) => n + o.events.length, 0), 52, "events");
  t.equal(obj("Device.Time.").paramsByName.has("NTPServer1"), false, "NTPServer1 is status=deleted");
  t.equal(obj("Device.LocalAgent.Controller.{i}.").commands.some((c) => c.name === "ScheduleTimer()"), false, "deleted in 2.17");
});

t.test("Device.WiFi.SSID.{i}. is a table with unique keys [Alias], [Name], [BSSID]", async (t) => {
  const ssid = obj("Device.WiFi.SSID.{i}.");
  t.equal(ssid.isMultiInstance, true);
  t.equal(ssid.access, "OBJ_ADD_DELETE", "access readWrite");
  t.same(ssid.uniqueKeys, [["Alias"], ["Name"], ["BSSID"]]);
  t.same(ssid.paramsByName.get("Alias"), { name: "Alias", valueType: "PARAM_STRING", xsdType: "xsd:string", access: "writeOnceReadOnly", notifyCanDeny: false, secured: false });
  t.same(ssid.paramsByName.get("BSSID")?.valueType, "PARAM_STRING", "dataType MACAddress resolves to string");
  t.same(ssid.paramsByName.get("LastChange"), { name: "LastChange", valueType: "PARAM_UNSIGNED_INT", xsdType: "xsd:unsignedInt", access: "readOnly", notifyCanDeny: true, secured: false });
  const stats = obj("Device.WiFi.SSID.{i}.Stats.");
  t.equal(stats.isMultiInstance, false);
  t.equal(stats.access, "OBJ_READ_ONLY");
  t.equal(stats.paramsByName.get("BytesSent")?.valueType, "PARAM_UNSIGNED_LONG", "StatsCounter64 resolves to unsignedLong");
  t.equal(obj("Device.Hosts.Host.{i}.").access, "OBJ_READ_ONLY", "a readOnly table");
});

t.test("Device.DeviceInfo.SoftwareVersion is a read-only string", async (t) => {
  t.same(obj("Device.DeviceInfo.").paramsByName.get("SoftwareVersion"), {
    name: "SoftwareVersion",
    valueType: "PARAM_STRING",
    xsdType: "xsd:string",
    access: "readOnly",
    notifyCanDeny: false,
    secured: false,
  });
  t.equal(obj("Device.WiFi.AccessPoint.{i}.Security.").paramsByName.get("KeyPassphrase")?.secured, true, "syntax secured");
  t.equal(obj("Device.LocalAgent.").paramsByName.get("SupportedProtocols")?.valueType, "PARAM_STRING", "a list<string> is a string");
  t.equal(obj("Device.DOCSIS.DownstreamChannel.{i}.SignalQuality.").paramsByName.get("SignalNoise")?.valueType, "PARAM_INT", "an anonymous restriction of dataType TenthdB (int)");
});

t.test("commands: Device.Reboot() is sync, Device.IP.Diagnostics.IPPing() async with Host input", async (t) => {
  t.same(
    obj("Device.").commands.find((c) => c.name === "Reboot()"),
    { name: "Reboot()", async: false, inputArgs: ["Cause", "Reason"], outputArgs: [] },
  );
  const ping = obj("Device.IP.Diagnostics.").commands.find((c) => c.name === "IPPing()");
  t.equal(ping?.async, true);
  t.same(ping?.inputArgs, ["Interface", "ProtocolVersion", "Host", "NumberOfRepetitions", "Timeout", "DataBlockSize", "DSCP"]);
  t.ok(ping?.outputArgs.includes("SuccessCount"));
  const trace = obj("Device.IP.Diagnostics.").commands.find((c) => c.name === "TraceRoute()");
  t.same(trace?.outputArgs.slice(-4), ["RouteHops.{i}.Host", "RouteHops.{i}.HostAddress", "RouteHops.{i}.ErrorCode", "RouteHops.{i}.RTTimes"], "arguments inside argument objects, named as obuspa registers them");
});

t.test("events: Device.Boot! has CommandKey, Cause, Reason, FirmwareUpdated, ParameterMap", async (t) => {
  t.same(obj("Device.").events, [{ name: "Boot!", args: ["CommandKey", "Cause", "Reason", "FirmwareUpdated", "ParameterMap"] }]);
  t.same(
    obj("Device.LocalAgent.").events.map((e) => e.name),
    ["Periodic!", "WakeUp!", "TransferComplete!"],
  );
});

t.test("supported paths: instances fold to {i}; a table row's parent is the object holding the table", async (t) => {
  t.equal(supportedPathOf("Device.WiFi.SSID.12.Stats."), "Device.WiFi.SSID.{i}.Stats.");
  t.equal(parentSupportedPath("Device.WiFi.SSID.{i}."), "Device.WiFi.");
  t.equal(parentSupportedPath("Device.WiFi.SSID.{i}.Stats."), "Device.WiFi.SSID.{i}.");
  t.equal(parentSupportedPath("Device."), "");
  t.same(
    TR181.childObjects("Device.WiFi.SSID.{i}.").map((o) => o.path),
    ["Device.WiFi.SSID.{i}.Stats."],
  );
  t.equal(TR181.object("Device.WiFi.SSID."), undefined, "tables exist only in their {i} form");
});

t.test("a malformed schema file is refused, not half-read", async (t) => {
  t.throws(() => compileSchema({ objects: { "Device.": { p: { X: "?r" } } } }), /bad code/);
  t.throws(() => compileSchema({ objects: { "Device.": { c: { "X()": { in: [1] } } } } }), /not a list of names/);
});

for (const target of TARGETS) {
  const file = `mappings/${target.schemaFile.split("/").pop()}`;
  t.test(`drift check: the committed ${file} is what the generator makes of ${target.sourceXml}`, async (t) => {
    const xml = findSourceXml(target);
    if (xml === undefined) {
      t.comment(`drift check NOT RUN: ${target.sourceXml} is not present (looked in ${xmlCandidates(target).join(", ")}); ${file} was not compared with its source`);
      return;
    }
    const fresh = generateSchema(readFileSync(xml), target);
    const committedText = readFileSync(target.schemaFile, "utf8");
    if (fresh === committedText) {
      t.pass(`${file} matches ${xml}`);
      return;
    }
    const a = fresh.split("\n");
    const b = committedText.split("\n");
    const line = a.findIndex((l, i) => l !== b[i]);
    t.fail(`${file} differs from the generator's output (first at line ${line + 1}); run npm run generate:schema`, {
      expected: a[line]?.slice(0, 300),
      actual: b[line]?.slice(0, 300),
    });
  });
}

t.test("the generator covers both models, each with its own XML and schema file", async (t) => {
  t.same(TARGETS.map((x) => [x.name, x.sourceXml, x.schemaFile.split("/").slice(-2).join("/")]), [
    ["tr181", "tr-181-2-19-1-usp-full.xml", "mappings/tr181-schema.json"],
    ["tr098", "tr-098-1-8-0-full.xml", "mappings/tr098-schema.json"],
  ]);
});
