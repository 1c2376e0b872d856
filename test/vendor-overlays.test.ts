// Vendor overlays (src/vendors/): the file format and its validation, which
// overlay a device gets (most specific wins), the shipped overlays, the
// per-device cache, and that a broken file stops the gateway's start-up with
// a message naming the file and the key.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t, { type Test } from "tap";
import type { DeviceIdStruct } from "../src/cwmp/rpc.js";
import { MemoryStore } from "../src/store/memory.js";
import type { DeviceRecord } from "../src/store/store.js";
import { DEFAULT_PROFILE } from "../src/translate/plan.js";
import { DeviceProfiles } from "../src/vendors/device-profiles.js";
import { VendorOverlayError, VendorOverlays, parseOverlay, readOverlayDir, shippedOverlayDir } from "../src/vendors/overlays.js";
import { ConfigError } from "../src/config.js";
import { testBroker } from "./helpers/broker.js";
import { runCli } from "./helpers/cli.js";
import { startTestGateway } from "./helpers/gateway.js";

function tempDir(t: Test, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "cwmp2usp-vendors-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The message parseOverlay throws for `text`, or "" when it accepts it. */
function errorOf(text: string, file = "x.yaml"): string {
  try {
    parseOverlay(text, file);
    return "";
  } catch (err) {
    if (!(err instanceof VendorOverlayError)) throw err;
    return err.message;
  }
}

t.test("a valid overlay: match, the quirks it names on top of the defaults, rules kept for the mapping engine", async (t) => {
  const overlay = parseOverlay(
    [
      "match:",
      "  oui: 00d09e",
      "  productClass: HG8245",
      "quirks:",
      "  booleanLiteral: '1'",
      "  gpvBatchSize: 16",
      "rules:",
      "  - id: wifi-ssid",
      "    tr098: InternetGatewayDevice.LANDevice.{i}.WLANConfiguration.{i}.SSID",
      "  - id: drop-x-huawei",
      "    drop: true",
    ].join("\n"),
    "vendors/00D09E-HG8245.yaml",
  );
  t.equal(overlay.file, "vendors/00D09E-HG8245.yaml");
  t.equal(overlay.oui, "00D09E", "OUI in upper case");
  t.equal(overlay.productClass, "HG8245");
  t.same(overlay.quirks, { booleanLiteral: "1", gpvBatchSize: 16 }, "only what the file sets");
  t.same(overlay.profile, { partialPathGpv: true, gpvBatchSize: 16, booleanLiteral: "1" });
  t.same(overlay.rules, [
    { id: "wifi-ssid", tr098: "InternetGatewayDevice.LANDevice.{i}.WLANConfiguration.{i}.SSID" },
    { id: "drop-x-huawei", drop: true },
  ], "the rest of each rule is the engine's to interpret");
  t.same(DEFAULT_PROFILE, { partialPathGpv: true, gpvBatchSize: 64, booleanLiteral: "true" }, "the defaults are not changed by an overlay");
});

t.test("quirks and rules may be left out; YAML's 1 and true read as the literals", async (t) => {
  const bare = parseOverlay("match: {oui: 202BC1}\n", "a.yaml");
  t.equal(bare.productClass, undefined);
  t.same(bare.quirks, {});
  t.same(bare.profile, DEFAULT_PROFILE);
  t.same(bare.rules, []);
  t.equal(parseOverlay("match: {oui: 202BC1}\nquirks: {booleanLiteral: 1}\n", "b.yaml").profile.booleanLiteral, "1");
  t.equal(parseOverlay("match: {oui: 202BC1}\nquirks: {booleanLiteral: true}\n", "c.yaml").profile.booleanLiteral, "true");
  t.equal(parseOverlay("match: {oui: 202BC1}\nquirks: {partialPathGpv: false}\n", "d.yaml").profile.partialPathGpv, false);
  const emptied = parseOverlay("match: {oui: 202BC1}\nquirks:\n  # gpvBatchSize: 8\nrules:\n", "e.yaml");
  t.same([emptied.quirks, emptied.rules], [{}, []], "quirks: and rules: with nothing under them");
});

t.test("a broken overlay is refused with the file and the offending key", async (t) => {
  const cases: [string, string, RegExp][] = [
    ["a misspelt quirk", "match: {oui: 202BC1}\nquirks: {partialPathGPV: false}\n", /quirks: Unrecognized key\(s\) in object: 'partialPathGPV'/],
    ["a batch size that is not a number", "match: {oui: 202BC1}\nquirks: {gpvBatchSize: ten}\n", /quirks\.gpvBatchSize: Expected number, received string/],
    ["a batch size of 0", "match: {oui: 202BC1}\nquirks: {gpvBatchSize: 0}\n", /quirks\.gpvBatchSize: Number must be greater than or equal to 1/],
    ["another boolean literal", "match: {oui: 202BC1}\nquirks: {booleanLiteral: yes}\n", /quirks\.booleanLiteral: Invalid enum value/],
    ["an OUI that is not six hex digits", "match: {oui: 202BC}\n", /match\.oui: must be six hexadecimal digits/],
    ["no match", "quirks: {}\n", /match: Required/],
    ["a rule without id", "match: {oui: 202BC1}\nrules: [{tr098: X}]\n", /rules\.0\.id: Required/],
    ["a rule id that is not a string", "match: {oui: 202BC1}\nrules: [{id: 7}]\n", /rules\.0\.id: Expected string, received number/],
    ["rules that are not a list", "match: {oui: 202BC1}\nrules: {id: a}\n", /rules: Expected array, received object/],
    ["an unknown top-level key", "match: {oui: 202BC1}\nquirk: {}\n", /\(root\): Unrecognized key\(s\) in object: 'quirk'/],
    ["a list at the top", "- a\n", /\(root\): Expected object, received array/],
    ["not YAML", "match: {oui: [\n", /is not valid YAML/],
  ];
  for (const [what, text, pattern] of cases) {
    const message = errorOf(text, "mappings/vendors/bad.yaml");
    t.match(message, pattern, what);
    t.match(message, /mappings\/vendors\/bad\.yaml/, `${what}: names the file`);
  }
  t.ok(new VendorOverlayError("x") instanceof ConfigError, "reported like a configuration error");
});

t.test("most specific match wins: OUI and ProductClass, else OUI alone, else none", async (t) => {
  const dir = tempDir(t, {
    "AB12CD.yaml": "match: {oui: AB12CD}\nquirks: {partialPathGpv: false}\n",
    "AB12CD-Model1.yaml": "match: {oui: ab12cd, productClass: Model1}\nquirks: {booleanLiteral: '1'}\n",
    "README.txt": "not an overlay: ignored",
  });
  const overlays = new VendorOverlays([readOverlayDir(dir)]);
  t.equal(overlays.size, 2);
  t.equal(overlays.match("AB12CD", "Model1")?.file, join(dir, "AB12CD-Model1.yaml"));
  t.same(overlays.match("AB12CD", "Model1")?.profile, { ...DEFAULT_PROFILE, booleanLiteral: "1" }, "the model's flags only, not merged with the vendor's");
  t.equal(overlays.match("ab12cd", "Model2")?.file, join(dir, "AB12CD.yaml"), "another model of the vendor; OUI case ignored");
  t.equal(overlays.match("AB12CD", "model1")?.file, join(dir, "AB12CD.yaml"), "ProductClass is matched exactly");
  t.equal(overlays.match("AB12CD", "")?.file, join(dir, "AB12CD.yaml"), "an empty ProductClass");
  t.equal(overlays.match("00256D", "Model1"), undefined, "another vendor");
});

t.test("two overlays with the same match: an error within one directory, a replacement from a later one", async (t) => {
  const a = tempDir(t, { "one.yaml": "match: {oui: AB12CD}\n", "two.yaml": "match: {oui: ab12cd}\n" });
  t.throws(() => new VendorOverlays([readOverlayDir(a)]), { message: `vendor overlays ${join(a, "one.yaml")} and ${join(a, "two.yaml")} both match OUI AB12CD` });
  const shipped = tempDir(t, { "AB12CD.yaml": "match: {oui: AB12CD}\nquirks: {gpvBatchSize: 8}\n" });
  const operator = tempDir(t, { "mine.yaml": "match: {oui: AB12CD}\nquirks: {gpvBatchSize: 2}\n" });
  const overlays = new VendorOverlays([readOverlayDir(shipped), readOverlayDir(operator)]);
  t.equal(overlays.size, 1);
  t.equal(overlays.match("AB12CD", "X")?.profile.gpvBatchSize, 2, "the operator's directory wins");
});

t.test("a broken file in a directory names that file; a missing directory is an error too", async (t) => {
  const dir = tempDir(t, { "a.yaml": "match: {oui: AB12CD}\n", "b.yml": "match: {oui: AB12CD, productClass: M}\nquirks: {gpvBatchSize: -1}\n" });
  t.throws(() => readOverlayDir(dir), { message: new RegExp(`invalid vendor overlay ${join(dir, "b.yml")}:\\n  quirks\\.gpvBatchSize: `) });
  t.throws(() => readOverlayDir(join(dir, "nope")), { message: /cannot read vendor overlay directory .*nope/ });
});

t.test("the shipped overlays load, among them the Huawei BM632w's", async (t) => {
  const overlays = VendorOverlays.load();
  t.ok(overlays.size >= 1);
  const bm632w = overlays.match("202BC1", "BM632w");
  t.equal(bm632w?.file, join(shippedOverlayDir(), "202BC1-BM632w.yaml"));
  t.same(
    bm632w?.rules.map((r) => r.id),
    ["WiFi.AccessPoint"],
    "one rule override: the device's spelling of BeaconType",
  );
  t.same(bm632w?.profile, DEFAULT_PROFILE, "no quirk known for it: its dump reports booleans as true/false");
  t.equal(overlays.match("202BC1", "HG8245"), undefined, "only that model of the vendor");
});

function deviceRecord(endpointId: string, deviceId: DeviceIdStruct): DeviceRecord {
  return { endpointId, deviceId, rootObject: "Device.", cwmpNamespace: "", connectionRequestUrl: "", lastInformAt: 0, firstSeenAt: 0, softwareVersion: "" };
}

t.test("DeviceProfiles: resolved at the Inform, or once from the device registry, then cached", async (t) => {
  const dir = tempDir(t, { "AB12CD.yaml": "match: {oui: AB12CD}\nquirks: {booleanLiteral: '1'}\nrules: [{id: r1}]\n" });
  const overlays = new VendorOverlays([readOverlayDir(dir)]);
  const store = new MemoryStore();
  let reads = 0;
  const counting = { getDevice: (id: string) => ((reads += 1), store.getDevice(id)) };
  const profiles = new DeviceProfiles({ overlays, store: counting, maxCached: 10 });
  const id = { manufacturer: "M", oui: "AB12CD", productClass: "P", serialNumber: "S1" };

  t.equal(profiles.learn("os::AB12CD-S1", id)?.file, join(dir, "AB12CD.yaml"));
  t.equal((await profiles.profileFor("os::AB12CD-S1")).booleanLiteral, "1");
  t.equal(reads, 0, "a device that informed costs no store read");

  await store.putDevice(deviceRecord("os::AB12CD-S2", { ...id, serialNumber: "S2" }));
  t.equal((await profiles.profileFor("os::AB12CD-S2")).booleanLiteral, "1", "a device that informed another instance: from the registry");
  t.same((await profiles.overlayFor("os::AB12CD-S2"))?.rules, [{ id: "r1" }], "its overlay's rules for the mapping engine");
  t.equal(reads, 1, "read once, then cached");

  await store.putDevice(deviceRecord("os::00256D-S3", { ...id, oui: "00256D", serialNumber: "S3" }));
  t.equal(await profiles.profileFor("os::00256D-S3"), DEFAULT_PROFILE, "no overlay: the defaults");
  t.equal(await profiles.profileFor("os::00256D-S3"), DEFAULT_PROFILE);
  t.equal(reads, 2, "a device without overlay is cached too");

  t.equal(await profiles.profileFor("os::unknown"), DEFAULT_PROFILE, "a device never seen: the defaults");
  t.equal(await profiles.profileFor("os::unknown"), DEFAULT_PROFILE);
  t.equal(reads, 4, "and not cached, since it may inform later");

  t.equal(profiles.learn("os::AB12CD-S1", { ...id, oui: "00256D" }), undefined, "a later Inform is matched again");
  t.equal(await profiles.profileFor("os::AB12CD-S1"), DEFAULT_PROFILE);
});

t.test("the gateway does not start with a broken overlay: the error names the file and the key", async (t) => {
  const dir = tempDir(t, { "AB12CD.yaml": "match: {oui: AB12CD}\nquirks: {booleanLiteral: 'TRUE'}\n" });
  const broker = await testBroker();
  t.teardown(() => broker.close());
  await t.rejects(startTestGateway(broker.url, { vendorOverlayDirs: [dir] }), {
    name: "Error",
    message: new RegExp(`invalid vendor overlay ${join(dir, "AB12CD.yaml")}:\\n  quirks\\.booleanLiteral: Invalid enum value`),
  });
});

t.test("cwmp2usp serve with a broken overlay exits 2 with the file and the key, no stack trace", async (t) => {
  const dir = tempDir(t, { "AB12CD-M.yaml": "match: {oui: AB12CD, productClass: M}\nquirks: {gpvBatchSize: many}\n" });
  const run = await runCli(["serve"], { from: "src", timeoutMs: 60_000, env: { CWMP2USP_VENDOROVERLAYDIRS: JSON.stringify([dir]), CWMP2USP_OPS__ENABLED: "false" } });
  t.equal(run.code, 2);
  t.equal(run.stderr, `cwmp2usp: invalid vendor overlay ${join(dir, "AB12CD-M.yaml")}:\n  quirks.gpvBatchSize: Expected number, received string\n`);
});
