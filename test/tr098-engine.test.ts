// The TR-098 mapping engine's pure parts (issue 4): stable instance numbers
// (instance-map.ts, alone and through the view), the transforms of
// mapping.md §4.2–4.3 both ways (transforms.ts, and through the RPC mapper
// where a write becomes one TR-098 SetParameterValues or a fault), the rules'
// shape and validation errors naming the rule (rules.ts, validate.ts,
// mapping.ts), vendor overrides (overlayRules), and a gateway that refuses to
// start on a broken rule in an operator's overlay directory.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t, { type Test } from "tap";
import { parse as parseYaml } from "yaml";
import type { ParameterValue, RpcOutcome } from "../src/cwmp/rpc.js";
import { splitPath } from "../src/translate/device-model.js";
import { templateOf } from "../src/translate/unique-keys.js";
import { allocate, reconcile, release, type CandidateRow, type InstanceMapState } from "../src/translate/tr098/instance-map.js";
import { findMappingFile, loadRules } from "../src/translate/tr098/mapping.js";
import { mapRpc } from "../src/translate/tr098/rpc-map.js";
import { overlayRules, rulesFileSchema } from "../src/translate/tr098/rules.js";
import { TR098 } from "../src/translate/tr098/schema.js";
import { TRANSFORMS, type SourceValues } from "../src/translate/tr098/transforms.js";
import { buildView, type Tr098Snapshot } from "../src/translate/tr098/view.js";
import { testBroker } from "./helpers/broker.js";
import { startTestGateway } from "./helpers/gateway.js";

const RULES = loadRules();

function tempDir(t: Test, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "cwmp2usp-tr098-engine-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A TR-098 snapshot holding `values` (types and writability from the TR-098
 * schema, every object above them listed, tables the ACS may add to writable). */
function snapshot(values: Record<string, string>, notWritable: readonly string[] = []): Tr098Snapshot {
  const vals = new Map<string, { value: string; type: string }>();
  const writable = new Map<string, boolean>();
  for (const [name, value] of Object.entries(values)) {
    const [obj, leaf] = splitPath(name);
    const p = TR098.object(templateOf(obj))?.paramsByName.get(leaf);
    if (p === undefined) throw new Error(`${name} is not in the TR-098 schema`);
    vals.set(name, { value, type: p.xsdType });
    writable.set(name, p.access === "readWrite" && !notWritable.includes(name));
    for (let o = obj; o !== ""; o = splitPath(o)[0]) {
      const table = TR098.object(`${templateOf(o)}{i}.`);
      writable.set(o, table !== undefined && table.access === "OBJ_ADD_DELETE");
    }
  }
  return { values: vals, writable };
}

/** SourceValues over a record, as the view passes a row's values to a transform. */
const from = (values: Record<string, string>): SourceValues => (src) => values[src];

function transform(name: string): NonNullable<ReturnType<typeof TRANSFORMS.get>> {
  const fn = TRANSFORMS.get(name);
  if (fn === undefined) throw new Error(`no transform ${name}`);
  return fn;
}

/** A TR-181 SetParameterValues through the mapper: the TR-098 parameters sent, or the fault. */
function mapSet(snap: Tr098Snapshot, list: { name: string; value: string }[], booleanLiteral: "true" | "1" = "true"): { sent: Record<string, string> } | { fault: RpcOutcome } {
  const view = buildView(snap, RULES, {});
  const parameterList: ParameterValue[] = list.map((p) => ({ ...p, type: view.params.get(p.name)?.type ?? "xsd:string" }));
  const mapped = mapRpc({ method: "SetParameterValues", parameterList, parameterKey: "k" }, view, snap, { booleanLiteral });
  if (mapped.kind === "answer") return { fault: mapped.outcome };
  if (mapped.rpc.method !== "SetParameterValues") throw new Error(`sent ${mapped.rpc.method}`);
  return { sent: Object.fromEntries(mapped.rpc.parameterList.map((p) => [p.name, p.value])) };
}

// ---- instance-map.ts ----------------------------------------------------------------------

const PM_TABLE = "Device.NAT.PortMapping.";
const PM = "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.PortMapping.";
const cand = (key: string, path: string): CandidateRow => ({ rule: "NAT.PortMapping", key, path });

t.test("reconcile: renumbered CPE rows keep their TR-181 numbers by natural key", async (t) => {
  const state: InstanceMapState = {};
  const first = reconcile(state, PM_TABLE, [cand("a", `${PM}1.`), cand("b", `${PM}2.`), cand("c", `${PM}3.`)]);
  t.same(first, { numbers: [1, 2, 3], changed: true });
  t.same(reconcile(state, PM_TABLE, [cand("a", `${PM}1.`), cand("b", `${PM}2.`), cand("c", `${PM}3.`)]), { numbers: [1, 2, 3], changed: false }, "nothing moved: nothing to save");
  // The CPE rebooted and numbered its rows the other way round.
  const after = reconcile(state, PM_TABLE, [cand("c", `${PM}1.`), cand("b", `${PM}2.`), cand("a", `${PM}3.`)]);
  t.same(after.numbers, [3, 2, 1], "each row keeps its number, wherever the CPE put it");
  t.equal(after.changed, true, "the new TR-098 paths are saved");
  t.same(state[PM_TABLE]?.rows.map((r) => [r.n, r.key, r.path]), [[1, "a", `${PM}3.`], [2, "b", `${PM}2.`], [3, "c", `${PM}1.`]]);
});

t.test("reconcile: a row whose key values were edited keeps its number by its TR-098 path", async (t) => {
  const state: InstanceMapState = {};
  reconcile(state, PM_TABLE, [cand("a", `${PM}1.`), cand("b", `${PM}2.`)]);
  const r = reconcile(state, PM_TABLE, [cand("a", `${PM}1.`), cand("b-edited", `${PM}2.`)]);
  t.same(r.numbers, [1, 2]);
  t.equal(state[PM_TABLE]?.rows[1]?.key, "b-edited", "the new key is remembered for the next renumbering");
  t.same(reconcile(state, PM_TABLE, [cand("b-edited", `${PM}1.`), cand("a", `${PM}2.`)]).numbers, [2, 1], "and matches by it");
});

t.test("reconcile: a key several rows share identifies none of them; they keep their numbers by path", async (t) => {
  const state: InstanceMapState = {};
  reconcile(state, PM_TABLE, [cand("same", `${PM}1.`), cand("same", `${PM}2.`)]);
  t.same(reconcile(state, PM_TABLE, [cand("same", `${PM}2.`), cand("same", `${PM}1.`)]).numbers, [2, 1]);
});

t.test("reconcile: the numbers of deleted rows never come back", async (t) => {
  const state: InstanceMapState = {};
  reconcile(state, PM_TABLE, [cand("a", `${PM}1.`), cand("b", `${PM}2.`), cand("c", `${PM}3.`)]);
  // Row c vanished from the CPE (deleted locally, or by a factory reset).
  const gone = reconcile(state, PM_TABLE, [cand("a", `${PM}1.`), cand("b", `${PM}2.`)]);
  t.same(gone, { numbers: [1, 2], changed: true });
  // A new row, even at c's old TR-098 path and with c's key, is a new row.
  t.same(reconcile(state, PM_TABLE, [cand("a", `${PM}1.`), cand("b", `${PM}2.`), cand("c", `${PM}3.`)]).numbers, [1, 2, 4]);
  // Deleted through USP.
  release(state, PM_TABLE, 4);
  release(state, "Device.Unknown.", 1); // nothing to forget: no throw
  t.same(reconcile(state, PM_TABLE, [cand("a", `${PM}1.`), cand("b", `${PM}2.`), cand("d", `${PM}4.`)]).numbers, [1, 2, 5]);
  t.equal(state[PM_TABLE]?.next, 6);
});

t.test("allocate: a row created by AddObject gets the next number, then is matched by its path", async (t) => {
  const state: InstanceMapState = {};
  reconcile(state, PM_TABLE, [cand("a", `${PM}1.`), cand("b", `${PM}2.`)]);
  release(state, PM_TABLE, 2);
  const n = allocate(state, PM_TABLE, "NAT.PortMapping", `${PM}7.`);
  t.equal(n, 3, "never a released number");
  t.same(state[PM_TABLE]?.rows.at(-1), { n: 3, rule: "NAT.PortMapping", key: null, path: `${PM}7.` }, "its key is not known yet");
  const r = reconcile(state, PM_TABLE, [cand("a", `${PM}1.`), cand("new", `${PM}7.`)]);
  t.same(r.numbers, [1, 3], "the next read finds it by path");
  t.equal(state[PM_TABLE]?.rows.find((x) => x.n === 3)?.key, "new", "and learns its key");
  t.equal(allocate({}, "Device.Fresh.", "r", "X.1."), 1, "a table never seen starts at 1");
});

t.test("the view keeps port mapping numbers across a CPE renumbering, an edited key, a deletion and an addition", async (t) => {
  const pm = (i: number, port: string): Record<string, string> => ({
    [`${PM}${i}.ExternalPort`]: port,
    [`${PM}${i}.PortMappingProtocol`]: "TCP",
    [`${PM}${i}.RemoteHost`]: "",
    [`${PM}${i}.InternalClient`]: "192.168.1.10",
  });
  const wan = { "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.Enable": "true" };
  const state: InstanceMapState = {};
  const portOf = (snap: Tr098Snapshot): Record<string, string> => {
    const view = buildView(snap, RULES, state);
    return Object.fromEntries([...view.params].filter(([n]) => /^Device\.NAT\.PortMapping\.\d+\.ExternalPort$/.test(n)).map(([n, p]) => [n.split(".")[3] as string, p.value]));
  };
  t.same(portOf(snapshot({ ...wan, ...pm(1, "80"), ...pm(2, "443"), ...pm(3, "22") })), { 1: "80", 2: "443", 3: "22" });
  t.same(portOf(snapshot({ ...wan, ...pm(1, "22"), ...pm(2, "80"), ...pm(3, "443") })), { 1: "80", 2: "443", 3: "22" }, "renumbered by the CPE");
  t.same(portOf(snapshot({ ...wan, ...pm(1, "22"), ...pm(2, "8080"), ...pm(3, "443") })), { 1: "8080", 2: "443", 3: "22" }, "an edited key keeps the number by path");
  t.same(portOf(snapshot({ ...wan, ...pm(1, "22"), ...pm(3, "443") })), { 2: "443", 3: "22" }, "deleted");
  t.same(portOf(snapshot({ ...wan, ...pm(1, "22"), ...pm(3, "443"), ...pm(4, "25") })), { 2: "443", 3: "22", 4: "25" }, "a new row takes a number never given out");
});

t.test("a command's output table (TraceRoute RouteHops) is numbered 1..n at every read, with no gaps and nothing kept", async (t) => {
  const TR = "InternetGatewayDevice.TraceRouteDiagnostics.";
  const hops = (n: number): Record<string, string> =>
    Object.fromEntries([[`${TR}DiagnosticsState`, "Complete"], ...Array.from({ length: n }, (_, i) => [`${TR}RouteHops.${i + 1}.HopHost`, `hop${i + 1}.example`])]);
  const state: InstanceMapState = {};
  const rows = (n: number): string[] => {
    const view = buildView(snapshot(hops(n)), RULES, state);
    t.equal(view.instanceMapChanged, false, "nothing to save");
    return [...view.objects.keys()].filter((o) => /^Device\.IP\.Diagnostics\.TraceRoute\.RouteHops\.\d+\.$/.test(o));
  };
  const numbered = (n: number): string[] => Array.from({ length: n }, (_, i) => `Device.IP.Diagnostics.TraceRoute.RouteHops.${i + 1}.`);
  t.same(rows(5), numbered(5));
  t.same(rows(3), numbered(3), "a shorter run");
  t.same(rows(5), numbered(5), "a longer one again: 4 and 5, not 6 and 7");
  t.same(Object.keys(state).filter((k) => k.includes("RouteHops")), [], "nothing kept in the instance map");
});

// ---- transforms.ts: Wi-Fi security (mapping.md §4.2) ------------------------------------------

t.test("§4.2 read: BeaconType and the mode parameters → ModeEnabled and EncryptionMode", async (t) => {
  const mode = transform("wifi-mode-enabled");
  const enc = transform("wifi-encryption-mode");
  const rows: [Record<string, string>, string, string, string][] = [
    [{ BeaconType: "None" }, "None", "", "None: no station can associate"],
    [{ BeaconType: "Basic", BasicEncryptionModes: "None", BasicAuthenticationMode: "None" }, "None", "", "open"],
    [{ BeaconType: "Basic", BasicEncryptionModes: "WEPEncryption", BasicAuthenticationMode: "None", WEPEncryptionLevel: "40-bit" }, "WEP-64", "", "WEP, active level 40-bit"],
    [{ BeaconType: "Basic", BasicEncryptionModes: "WEPEncryption", BasicAuthenticationMode: "SharedAuthentication", WEPEncryptionLevel: "104-bit" }, "WEP-128", "", "WEP shared key, 104-bit"],
    [{ BeaconType: "Basic", BasicEncryptionModes: "WEPEncryption", WEPEncryptionLevel: "Disabled,40-bit,104-bit", WEPKeyIndex: "2", "WEPKey.2.WEPKey": "0102030405" }, "WEP-64", "", "the active key's length decides"],
    [{ BeaconType: "Basic", BasicEncryptionModes: "WEPEncryption", WEPEncryptionLevel: "Disabled,40-bit,104-bit", "WEPKey.1.WEPKey": "" }, "WEP-128", "", "unreadable key, both lengths supported"],
    [{ BeaconType: "Basic", BasicEncryptionModes: "WEPEncryption", BasicAuthenticationMode: "EAPAuthentication" }, "None", "", "dynamic WEP (802.1X) has no TR-181 value"],
    [{ BeaconType: "WPA", WPAAuthenticationMode: "PSKAuthentication", WPAEncryptionModes: "TKIPEncryption" }, "WPA-Personal", "TKIP", "WPA PSK"],
    [{ BeaconType: "WPA", WPAAuthenticationMode: "EAPAuthentication", WPAEncryptionModes: "TKIPandAESEncryption" }, "WPA-Enterprise", "TKIP,AES", "WPA EAP"],
    [{ BeaconType: "11i", IEEE11iAuthenticationMode: "PSKAuthentication", IEEE11iEncryptionModes: "AESEncryption" }, "WPA2-Personal", "AES", "11i PSK"],
    [{ BeaconType: "11i", IEEE11iAuthenticationMode: "EAPAuthentication", IEEE11iEncryptionModes: "AESEncryption" }, "WPA2-Enterprise", "AES", "11i EAP"],
    [{ BeaconType: "11i", IEEE11iAuthenticationMode: "EAPandPSKAuthentication", IEEE11iEncryptionModes: "WEPandAESEncryption" }, "WPA2-Enterprise", "AES", "EAP and PSK: lossy, Enterprise; WEPand… dropped"],
    [{ BeaconType: "WPAand11i", WPAAuthenticationMode: "PSKAuthentication", IEEE11iAuthenticationMode: "PSKAuthentication", WPAEncryptionModes: "TKIPEncryption", IEEE11iEncryptionModes: "AESEncryption" }, "WPA-WPA2-Personal", "TKIP,AES", "the union of both lists"],
    [{ BeaconType: "WPAand11i", WPAAuthenticationMode: "EAPAuthentication", IEEE11iAuthenticationMode: "EAPAuthentication", WPAEncryptionModes: "AESEncryption", IEEE11iEncryptionModes: "AESEncryption" }, "WPA-WPA2-Enterprise", "AES", "EAP on both"],
    [{ BeaconType: "BasicandWPA", WPAAuthenticationMode: "PSKAuthentication", WPAEncryptionModes: "TKIPEncryption" }, "WPA-Personal", "TKIP", "WEP + WPA mixed: the WPA part, lossy"],
    [{ BeaconType: "Basicand11i", IEEE11iAuthenticationMode: "PSKAuthentication", IEEE11iEncryptionModes: "AESEncryption" }, "WPA2-Personal", "AES", "WEP + 11i mixed: the 11i part"],
    [{ BeaconType: "BasicandWPAand11i", WPAAuthenticationMode: "PSKAuthentication", IEEE11iAuthenticationMode: "PSKAuthentication", WPAEncryptionModes: "TKIPEncryption", IEEE11iEncryptionModes: "AESEncryption" }, "WPA-WPA2-Personal", "TKIP,AES", "WEP + WPA + 11i"],
  ];
  for (const [values, wantMode, wantEnc, what] of rows) {
    t.equal(mode.read(from(values)), wantMode, `${what}: ModeEnabled`);
    t.equal(enc.read(from(values)), wantEnc, `${what}: EncryptionMode`);
  }
  t.equal(mode.read(from({})), undefined, "no BeaconType: no ModeEnabled");
  t.equal(mode.read(from({ BeaconType: "Bogus" })), undefined, "an unknown BeaconType gives no value rather than a wrong one");
  t.equal(enc.read(from({})), undefined);
});

t.test("§4.2 write: each ModeEnabled is one set of TR-098 values; what TR-098 cannot hold is an error", async (t) => {
  const mode = transform("wifi-mode-enabled");
  const write = (value: string, current: Record<string, string> = {}): unknown => mode.write?.(value, from(current));
  t.same(write("None"), { set: { BeaconType: "Basic", BasicEncryptionModes: "None", BasicAuthenticationMode: "None" } });
  t.same(write("WEP-64"), { set: { BeaconType: "Basic", BasicEncryptionModes: "WEPEncryption", BasicAuthenticationMode: "None", WEPEncryptionLevel: "40-bit" } });
  t.same(write("WEP-128"), { set: { BeaconType: "Basic", BasicEncryptionModes: "WEPEncryption", BasicAuthenticationMode: "None", WEPEncryptionLevel: "104-bit" } });
  t.match(write("WEP-64", { "WEPKey.1.WEPKey": "0102030405060708090a0b0c0d" }), { error: /WEP-64 needs a 5-byte WEP key.*26 characters/ }, "the active key says 104-bit");
  t.same(write("WPA-Personal"), { set: { BeaconType: "WPA", WPAAuthenticationMode: "PSKAuthentication", WPAEncryptionModes: "TKIPEncryption" } }, "TKIP by default");
  t.same(write("WPA-Enterprise", { WPAEncryptionModes: "AESEncryption" }), { set: { BeaconType: "WPA", WPAAuthenticationMode: "EAPAuthentication", WPAEncryptionModes: "AESEncryption" } }, "the encryption in place kept");
  t.same(write("WPA2-Personal"), { set: { BeaconType: "11i", IEEE11iAuthenticationMode: "PSKAuthentication", IEEE11iEncryptionModes: "AESEncryption" } }, "AES by default");
  t.same(write("WPA2-Enterprise"), { set: { BeaconType: "11i", IEEE11iAuthenticationMode: "EAPAuthentication", IEEE11iEncryptionModes: "AESEncryption" } });
  t.same(write("WPA-WPA2-Personal"), { set: { BeaconType: "WPAand11i", WPAAuthenticationMode: "PSKAuthentication", IEEE11iAuthenticationMode: "PSKAuthentication" } });
  t.same(write("WPA-WPA2-Enterprise"), { set: { BeaconType: "WPAand11i", WPAAuthenticationMode: "EAPAuthentication", IEEE11iAuthenticationMode: "EAPAuthentication" } });
  for (const unrepresentable of ["WPA3-Personal", "WPA3-Personal-Transition", "WPA3-Enterprise", "OWE"]) {
    t.match(write(unrepresentable), { error: new RegExp(`${unrepresentable} cannot be represented on a TR-098 CPE`) });
  }
  t.notMatch(transform("wifi-modes-supported").read(from({ BeaconType: "11i" })), /WPA3|OWE/, "ModesSupported offers only what TR-098 can hold");
  // Every value ModesSupported offers reads back as itself after its write.
  for (const m of (transform("wifi-modes-supported").read(from({ BeaconType: "11i" })) ?? "").split(",")) {
    const w = write(m) as { set: Record<string, string> };
    const key: Record<string, string> = m === "WEP-64" ? { WEPEncryptionLevel: "40-bit" } : {};
    t.equal(mode.read(from({ ...key, ...w.set })), m, `${m} written then read`);
  }
});

t.test("§4.2 write of EncryptionMode goes to the list(s) of the active BeaconType; AES-CCM and the like are errors", async (t) => {
  const enc = transform("wifi-encryption-mode");
  const write = (value: string, current: Record<string, string>): unknown => enc.write?.(value, from(current));
  t.same(write("TKIP,AES", { BeaconType: "11i" }), { set: { IEEE11iEncryptionModes: "TKIPandAESEncryption" } });
  t.same(write("TKIP", { BeaconType: "WPA" }), { set: { WPAEncryptionModes: "TKIPEncryption" } });
  t.same(write("AES", { BeaconType: "WPAand11i" }), { set: { WPAEncryptionModes: "AESEncryption", IEEE11iEncryptionModes: "AESEncryption" } });
  t.match(write("AES-CCM", { BeaconType: "11i" }), { error: /AES-CCM has no TR-098 counterpart/ });
  t.match(write("TKIP,WEP-64", { BeaconType: "11i" }), { error: /WEP-64 has no TR-098 counterpart/ });
  // Open and WEP APs read EncryptionMode as empty: a write there would not read back.
  t.match(write("AES", { BeaconType: "Basic", BasicEncryptionModes: "None" }), { error: /EncryptionMode applies to the WPA modes; this AP's ModeEnabled is None/ });
  t.match(write("AES", { BeaconType: "Basic", BasicEncryptionModes: "WEPEncryption", WEPEncryptionLevel: "104-bit" }), { error: /ModeEnabled is WEP-128/ });
  t.match(write("AES", { BeaconType: "None" }), { error: /ModeEnabled is None/ });
});

// A standard TR-098 AP: WEPEncryptionLevel is the read-only list of supported lengths.
const WLAN = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.";
const AP = "Device.WiFi.AccessPoint.1.";
const wlan = (values: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(values).map(([k, v]) => [WLAN + k, v]));
const STANDARD_AP = wlan({
  Enable: "true",
  SSIDAdvertisementEnabled: "true",
  Channel: "6",
  Standard: "g",
  BeaconType: "11i",
  BasicEncryptionModes: "None",
  BasicAuthenticationMode: "None",
  WPAEncryptionModes: "TKIPEncryption",
  WPAAuthenticationMode: "PSKAuthentication",
  IEEE11iEncryptionModes: "AESEncryption",
  IEEE11iAuthenticationMode: "PSKAuthentication",
  WEPEncryptionLevel: "Disabled,40-bit,104-bit",
  "WEPKey.1.WEPKey": "",
  "WPS.DevicePassword": "",
});

t.test("through the mapper: one SetParameterValues per Set, never a read-only TR-098 parameter; unrepresentable modes are faults", async (t) => {
  const snap = snapshot(STANDARD_AP);
  t.equal(buildView(snap, RULES, {}).params.get(`${AP}Security.ModeEnabled`)?.writable, true, "writable though WEPEncryptionLevel is not");
  t.same(mapSet(snap, [{ name: `${AP}Security.ModeEnabled`, value: "WEP-128" }]), {
    sent: wlan({ BeaconType: "Basic", BasicEncryptionModes: "WEPEncryption", BasicAuthenticationMode: "None" }),
  });
  const withKey = mapSet(snap, [
    { name: `${AP}Security.WEPKey`, value: "0102030405" },
    { name: `${AP}Security.ModeEnabled`, value: "WEP-128" },
  ]);
  t.match(withKey, { fault: { ok: false, fault: { faultCode: 9003, setParameterValuesFaults: [{ parameterName: `${AP}Security.ModeEnabled`, faultCode: 9007, faultString: /WEP-128 needs a 13-byte WEP key/ }] } } }, "a mode the key in the same Set contradicts");
  t.same(mapSet(snap, [{ name: `${AP}Security.WEPKey`, value: "0102030405" }, { name: `${AP}Security.ModeEnabled`, value: "WEP-64" }]), {
    sent: wlan({ "WEPKey.1.WEPKey": "0102030405", BeaconType: "Basic", BasicEncryptionModes: "WEPEncryption", BasicAuthenticationMode: "None" }),
  });
  const wpa3 = mapSet(snap, [{ name: `${AP}Security.ModeEnabled`, value: "WPA3-Personal" }, { name: `${AP}SSIDAdvertisementEnabled`, value: "false" }]);
  t.match(wpa3, { fault: { ok: false, fault: { faultCode: 9003, setParameterValuesFaults: [{ parameterName: `${AP}Security.ModeEnabled`, faultCode: 9007 }] } } }, "nothing of the Set is sent");
  // ModeEnabled and EncryptionMode in one Set, in either order: the encryption lands in the new mode's list.
  const want = wlan({ BeaconType: "WPA", WPAAuthenticationMode: "PSKAuthentication", WPAEncryptionModes: "TKIPandAESEncryption" });
  t.same(mapSet(snap, [{ name: `${AP}Security.ModeEnabled`, value: "WPA-Personal" }, { name: `${AP}Security.EncryptionMode`, value: "TKIP,AES" }]), { sent: want });
  const reversed = mapSet(snap, [{ name: `${AP}Security.EncryptionMode`, value: "TKIP,AES" }, { name: `${AP}Security.ModeEnabled`, value: "WPA-Personal" }]);
  t.match(reversed, { sent: want }, "EncryptionMode first");
  // On an open AP, EncryptionMode alone is refused; with a WPA mode in the same Set, in either order, it goes through.
  const open = snapshot({ ...STANDARD_AP, [`${WLAN}BeaconType`]: "Basic" });
  t.match(mapSet(open, [{ name: `${AP}Security.EncryptionMode`, value: "AES" }]), { fault: { fault: { setParameterValuesFaults: [{ parameterName: `${AP}Security.EncryptionMode`, faultCode: 9007 }] } } });
  const wpa2 = wlan({ BeaconType: "11i", IEEE11iAuthenticationMode: "PSKAuthentication", IEEE11iEncryptionModes: "TKIPEncryption" });
  t.same(mapSet(open, [{ name: `${AP}Security.EncryptionMode`, value: "TKIP" }, { name: `${AP}Security.ModeEnabled`, value: "WPA2-Personal" }]), { sent: wpa2 });
  t.same(mapSet(open, [{ name: `${AP}Security.ModeEnabled`, value: "WPA2-Personal" }, { name: `${AP}Security.EncryptionMode`, value: "TKIP" }]), { sent: wpa2 });
  t.match(mapSet(snap, [{ name: `${AP}Security.EncryptionMode`, value: "AES" }, { name: `${AP}Security.ModeEnabled`, value: "None" }]), { fault: { fault: { setParameterValuesFaults: [{ parameterName: `${AP}Security.EncryptionMode`, faultCode: 9007 }] } } }, "a Set that contradicts itself");
});

t.test("through the mapper on a CPE that reports the active WEP level and spells WPA+WPA2 its own way (BM632w overlay)", async (t) => {
  const overlay = parseYaml(readFileSync(findMappingFile("vendors/202BC1-BM632w.yaml"), "utf8")) as { rules: Record<string, unknown>[] };
  const rules = loadRules(overlay.rules);
  const standard = snapshot({ ...STANDARD_AP, [`${WLAN}BeaconType`]: "WPAWPA2", [`${WLAN}WEPEncryptionLevel`]: "104-bit" });
  // The BM632w lists WEPEncryptionLevel as writable (its dump), unlike TR-098.
  const snap: Tr098Snapshot = { values: standard.values, writable: new Map([...standard.writable, [`${WLAN}WEPEncryptionLevel`, true]]) };
  const view = buildView(snap, rules, {});
  t.equal(view.params.get(`${AP}Security.ModeEnabled`)?.value, "WPA-WPA2-Personal", "WPAWPA2 read as WPAand11i");
  const mapped = mapRpc({ method: "SetParameterValues", parameterList: [{ name: `${AP}Security.ModeEnabled`, value: "WEP-64", type: "xsd:string" }], parameterKey: "" }, view, snap, { booleanLiteral: "true" });
  t.ok(mapped.kind === "send" && mapped.rpc.method === "SetParameterValues");
  if (mapped.kind === "send" && mapped.rpc.method === "SetParameterValues") {
    t.same(Object.fromEntries(mapped.rpc.parameterList.map((p) => [p.name, p.value]))[`${WLAN}WEPEncryptionLevel`], "40-bit", "its active level is written");
  }
  const back = mapRpc({ method: "SetParameterValues", parameterList: [{ name: `${AP}Security.ModeEnabled`, value: "WPA-WPA2-Personal", type: "xsd:string" }], parameterKey: "" }, view, snap, { booleanLiteral: "true" });
  t.ok(back.kind === "send" && back.rpc.method === "SetParameterValues" && back.rpc.parameterList.some((p) => p.name === `${WLAN}BeaconType` && p.value === "WPAWPA2"), "written back in the CPE's spelling");
});

t.test("through the mapper: a TR-181 value the CPE's declared type cannot hold is refused before anything is sent", async (t) => {
  const snap = snapshot({ ...STANDARD_AP, [`${WLAN}TransmitPower`]: "100" });
  t.same(mapSet(snap, [{ name: "Device.WiFi.Radio.1.TransmitPower", value: "50" }]), { sent: { [`${WLAN}TransmitPower`]: "50" } });
  // TR-181 TransmitPower -1 means automatic; TR-098's is an unsignedInt 0..100.
  t.match(mapSet(snap, [{ name: "Device.WiFi.Radio.1.TransmitPower", value: "-1" }, { name: `${AP}SSIDAdvertisementEnabled`, value: "false" }]), {
    fault: { ok: false, fault: { faultCode: 9003, setParameterValuesFaults: [{ parameterName: "Device.WiFi.Radio.1.TransmitPower", faultCode: 9007, faultString: 'Invalid parameter value "-1"' }] } },
  });
  // A flag the CPE declares as unsignedInt gets 1/0, which fits.
  const nat = snapshot({ "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.NATEnabled": "1" });
  const typed: Tr098Snapshot = { values: new Map([...nat.values].map(([k, v]) => [k, { ...v, type: "xsd:unsignedInt" }])), writable: nat.writable };
  t.same(mapSet(typed, [{ name: "Device.NAT.InterfaceSetting.1.Enable", value: "false" }]), { sent: { "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.NATEnabled": "0" } });
});

t.test("references to a LAN IP interface name its IPInterface both ways (refAs), never the LANDevice", async (t) => {
  const LAN = "InternetGatewayDevice.LANDevice.1.";
  const WANIP = "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1";
  const ping = (iface: string): Record<string, string> => ({ "InternetGatewayDevice.IPPingDiagnostics.Interface": iface, "InternetGatewayDevice.IPPingDiagnostics.Host": "" });
  const values = { [`${LAN}LANHostConfigManagement.IPInterface.1.IPInterfaceIPAddress`]: "192.168.1.1", [`${WANIP}.Enable`]: "true" };
  const snap = snapshot({ ...values, ...ping(`${LAN}LANHostConfigManagement.IPInterface.1`) });
  const view = buildView(snap, RULES, {});
  const lanRow = [...view.objects].find(([, o]) => o.row?.rule.id === "IP.Interface.LAN")?.[0].slice(0, -1);
  t.match(lanRow, /^Device\.IP\.Interface\.\d+$/);
  t.equal(view.params.get("Device.IP.Diagnostics.IPPing.Interface")?.value, lanRow, "read: the IP.Interface row, not its IPv4Address");
  t.same(mapSet(snap, [{ name: "Device.IP.Diagnostics.IPPing.Interface", value: lanRow ?? "" }]), { sent: { "InternetGatewayDevice.IPPingDiagnostics.Interface": `${LAN}LANHostConfigManagement.IPInterface.1` } }, "write: the IPInterface");
  const wanRow = [...view.objects].find(([, o]) => o.row?.rule.id === "IP.Interface.WANIP")?.[0].slice(0, -1) ?? "";
  t.same(mapSet(snap, [{ name: "Device.IP.Diagnostics.IPPing.Interface", value: wanRow }]), { sent: { "InternetGatewayDevice.IPPingDiagnostics.Interface": WANIP } }, "a WAN row is its connection");
  t.match(mapSet(snap, [{ name: "Device.IP.Diagnostics.IPPing.Interface", value: "Device.IP.Interface.99" }]), { fault: { fault: { setParameterValuesFaults: [{ faultCode: 9007 }] } } }, "no such row");
  // A LAN without IPInterface has nothing a TR-098 reference could name.
  const bare = snapshot({ [`${LAN}LANHostConfigManagement.DHCPServerEnable`]: "true", ...ping("") });
  const bareLan = [...buildView(bare, RULES, {}).objects].find(([, o]) => o.row?.rule.id === "IP.Interface.LAN")?.[0].slice(0, -1) ?? "";
  t.match(mapSet(bare, [{ name: "Device.IP.Diagnostics.IPPing.Interface", value: bareLan }]), { fault: { fault: { setParameterValuesFaults: [{ parameterName: "Device.IP.Diagnostics.IPPing.Interface", faultCode: 9007 }] } } });
});

t.test("AutoChannelEnable is writable only where the CPE has TR-098 AutoChannelEnable (Channel 0 alone reads, cannot be written)", async (t) => {
  const without = buildView(snapshot(wlan({ Channel: "0", Standard: "g" })), RULES, {});
  t.same(without.params.get("Device.WiFi.Radio.1.AutoChannelEnable"), { value: "true", writable: false, type: "xsd:boolean", bind: without.params.get("Device.WiFi.Radio.1.AutoChannelEnable")?.bind }, "read from Channel 0, not writable");
  const snap = snapshot(wlan({ Channel: "6", Standard: "g", AutoChannelEnable: "false" }));
  t.equal(buildView(snap, RULES, {}).params.get("Device.WiFi.Radio.1.AutoChannelEnable")?.writable, true);
  t.same(mapSet(snap, [{ name: "Device.WiFi.Radio.1.AutoChannelEnable", value: "true" }], "1"), { sent: wlan({ AutoChannelEnable: "1" }) }, "the CPE's boolean literal");
});

// ---- transforms.ts: NTP, standards, WPS PIN -----------------------------------------------------

t.test("NTP servers: joined on read, split on write, too many servers is an error", async (t) => {
  const ntp = transform("ntp-servers");
  t.equal(ntp.read(from({ NTPServer1: "a.example", NTPServer2: "", NTPServer3: "c.example" })), "a.example,c.example", "empty slots skipped");
  t.equal(ntp.read(from({})), undefined, "no NTPServer1: no value");
  const five = { NTPServer1: "x", NTPServer2: "x", NTPServer3: "x", NTPServer4: "x", NTPServer5: "x" };
  t.same(ntp.write?.("a.example, b.example", from(five)), { set: { NTPServer1: "a.example", NTPServer2: "b.example", NTPServer3: "", NTPServer4: "", NTPServer5: "" } }, "the slots left are cleared");
  t.same(ntp.write?.("", from(five)), { set: { NTPServer1: "", NTPServer2: "", NTPServer3: "", NTPServer4: "", NTPServer5: "" } });
  t.match(ntp.write?.("a,b,c,d,e,f", from(five)), { error: "this CPE holds at most 5 NTP servers" });
  t.match(ntp.write?.("a,b,c", from({ NTPServer1: "", NTPServer2: "" })), { error: "this CPE holds at most 2 NTP servers" }, "counted on the CPE");
  // Through the mapper on a CPE with two servers.
  const snap = snapshot({ "InternetGatewayDevice.Time.Enable": "true", "InternetGatewayDevice.Time.NTPServer1": "a", "InternetGatewayDevice.Time.NTPServer2": "" });
  t.same(mapSet(snap, [{ name: "Device.Time.Client.1.Servers", value: "x.example,y.example" }]), { sent: { "InternetGatewayDevice.Time.NTPServer1": "x.example", "InternetGatewayDevice.Time.NTPServer2": "y.example" } });
  t.match(mapSet(snap, [{ name: "Device.Time.Client.1.Servers", value: "x,y,z" }]), { fault: { fault: { setParameterValuesFaults: [{ parameterName: "Device.Time.Client.1.Servers", faultCode: 9007, faultString: "this CPE holds at most 2 NTP servers" }] } } });
});

t.test("Standard → OperatingStandards (and the band from the channel)", async (t) => {
  const std = transform("wifi-operating-standards");
  const cases: [string, string, string | undefined][] = [
    ["g", "6", "b,g"],
    ["g-only", "6", "g"],
    ["b", "1", "b"],
    ["a", "36", "a"],
    ["n", "6", "b,g,n"],
    ["n", "36", "a,n"],
    ["b/g/n", "6", "b,g,n"],
    ["802.11bgn", "6", "b,g,n"],
    ["a/n/ac", "36", "a,n,ac"],
    ["ac", "36", "ac"],
    ["zz", "6", undefined],
  ];
  for (const [standard, channel, want] of cases) t.equal(std.read(from({ Standard: standard, Channel: channel })), want, `${standard} on channel ${channel}`);
  t.equal(std.read(from({ Channel: "6" })), undefined, "no Standard: no value");
  t.equal(std.write, undefined, "read-only: TR-098 Standard is read-only");
  t.equal(transform("wifi-frequency-band").read(from({ Channel: "149" })), "5GHz");
  t.equal(transform("wifi-frequency-band").read(from({ Channel: "11" })), "2.4GHz");
});

t.test("WPS PIN ⇄ DevicePassword: zero padding both ways", async (t) => {
  const pin = transform("wps-pin");
  const read = (v: string | undefined): string | undefined => pin.read(from(v === undefined ? {} : { "WPS.DevicePassword": v }));
  t.equal(read("12345670"), "12345670");
  t.equal(read("1234565"), "01234565", "an 8-digit PIN that lost its leading zero");
  t.equal(read("123"), "00000123", "3 digits that pad to a valid 8-digit PIN (checksum 3)");
  t.equal(read("1234"), "1234", "a 4-digit PIN: 00001234 fails the checksum");
  t.equal(read("42"), "0042", "a 4-digit PIN with leading zeros");
  t.equal(read(""), "", "secured: reads empty");
  t.equal(read("0"), "", "no PIN");
  t.equal(read(undefined), undefined);
  t.same(pin.write?.("01234565", from({})), { set: { "WPS.DevicePassword": "1234565" } });
  t.same(pin.write?.("1234", from({})), { set: { "WPS.DevicePassword": "1234" } });
  for (const bad of ["12345", "1234567a", "", "123456789"]) t.match(pin.write?.(bad, from({})), { error: "WPS PIN must be 4 or 8 digits" }, JSON.stringify(bad));
});

// ---- rules: shape, validation, overrides --------------------------------------------------------

/** The message loadRules throws for a rules file, or "" when it loads. */
function loadError(t: Test, yaml: string, overrides: Record<string, unknown>[] = []): string {
  const dir = tempDir(t, { "rules.yaml": `extensionObject: X_CWMP2USP_TR098\n${yaml}` });
  try {
    loadRules(overrides, join(dir, "rules.yaml"));
    return "";
  } catch (err) {
    return (err as Error).message;
  }
}

const TIME_RULE = `
  - id: Time
    tr181: Device.Time.
    from: [InternetGatewayDevice.Time.]
    params: {Enable: Enable}`;

t.test("a sound rules file loads; every broken rule is named, with what is wrong", async (t) => {
  t.equal(loadError(t, `objects:${TIME_RULE}\n`), "");
  const cases: [string, string, RegExp][] = [
    ["unknown TR-181 parameter", `objects:${TIME_RULE.replace("{Enable: Enable}", "{Enabel: Enable}")}`, /rule Time: TR-181 parameter Device\.Time\.Enabel is not in Device:2/],
    ["unknown TR-098 parameter", `objects:${TIME_RULE.replace("{Enable: Enable}", "{Enable: Enabel}")}`, /rule Time: TR-098 parameter InternetGatewayDevice\.Time\.Enabel is not in InternetGatewayDevice:1\.14/],
    ["unknown TR-098 object", `objects:${TIME_RULE.replace("[InternetGatewayDevice.Time.]", "[InternetGatewayDevice.Tim.]")}`, /rule Time: TR-098 object InternetGatewayDevice\.Tim\. is not in/],
    ["unknown ref", `objects:${TIME_RULE.replace("{Enable: Enable}", "{Enable: {ref: Nowhere}}")}`, /rule Time: Enable refers to unknown rule Nowhere/],
    [
      "parent declared after child",
      `objects:\n  - {id: Client, parent: Time, tr181: "Device.Time.Client.{i}.", from: ["."], params: {Enable: {fn: any-true, src: [Enable]}}}${TIME_RULE}`,
      /rule Client: parent Time is not declared before it/,
    ],
    ["a refAs that is no TR-098 object", `objects:${TIME_RULE}\n    refAs: .Nope.{i}.`, /rule Time: refAs: TR-098 object InternetGatewayDevice\.Time\.Nope\.\{i\}\. is not in/],
    ["a relative source without parent", `objects:\n  - {id: Client, tr181: "Device.Time.Client.{i}.", from: [".Client."]}`, /rule Client: a relative source needs a parent rule/],
    ["a TR-181 path without its dot", `objects:${TIME_RULE.replace("Device.Time.", "Device.Time")}`, /rule Time: objects\.0\.tr181: a TR-181 object path ending in a dot/],
    ["an unknown key in a rule", `objects:${TIME_RULE}\n    primry: true`, /rule Time: objects\.0: Unrecognized key\(s\) in object: 'primry'/],
    ["the same id twice", `objects:${TIME_RULE}${TIME_RULE}`, /rule Time: the id is used twice/],
    ["not YAML", "objects: [", /not valid YAML/],
  ];
  for (const [what, yaml, want] of cases) t.match(loadError(t, yaml), want, what);
  const two = loadError(t, `objects:${TIME_RULE.replace("{Enable: Enable}", "{Enable: Enabel, Status: Statu}")}`);
  t.match(two, /2 broken rule\(s\):\n {2}rule Time: .*Enabel.*\n {2}rule Time: .*Statu/, "every problem listed, not just the first");
});

t.test("the shipped rules: every rule compiles and names what it feeds", async (t) => {
  t.ok(RULES.objects.length >= 45);
  for (const rule of RULES.objects) {
    if (rule.parent !== undefined) t.ok(RULES.objects.indexOf(rule.parent) < RULES.objects.indexOf(rule), `${rule.id}: parent first`);
  }
  t.equal(RULES.extensionObject, "X_CWMP2USP_TR098");
});

t.test("overlayRules: params replaced or removed (null), other fields replaced, new rules appended, the base untouched", async (t) => {
  const base = rulesFileSchema.parse(parseYaml(readFileSync(findMappingFile("tr098/rules.yaml"), "utf8")));
  const before = JSON.stringify(base);
  const merged = overlayRules(base, [
    { id: "Time", params: { LocalTimeZone: null, Enable: { src: "Enable", readOnly: true } } },
    { id: "HTTPAccess", from: ["InternetGatewayDevice.UserInterface.LocalAccess."] },
    { id: "X.Extra", tr181: "Device.UserInterface.", from: ["InternetGatewayDevice.UserInterface."], params: { ISPName: "ISPName" } },
  ]);
  t.equal(JSON.stringify(base), before, "the shipped rules are not changed for other devices");
  const time = merged.objects.find((o) => o.id === "Time");
  const { LocalTimeZone: _removed, ...kept } = base.objects.find((o) => o.id === "Time")?.params ?? {};
  t.same(time?.params, { ...kept, Enable: { src: "Enable", readOnly: true } });
  t.notOk(Object.hasOwn(time?.params ?? {}, "LocalTimeZone"), "removed, not set to undefined");
  t.same(merged.objects.find((o) => o.id === "HTTPAccess")?.from, ["InternetGatewayDevice.UserInterface.LocalAccess."]);
  t.equal(merged.objects.at(-1)?.id, "X.Extra", "a new rule goes last");
  t.equal(merged.objects.length, base.objects.length + 1);
  t.throws(() => overlayRules(base, [{ params: {} }]), /a rule override has no string id/);

  const rules = loadRules([{ id: "Time", params: { LocalTimeZone: null, Enable: { src: "Enable", readOnly: true } } }]);
  t.notOk(rules.byId.get("Time")?.params.has("LocalTimeZone"));
  t.match(rules.byId.get("Time")?.params.get("Enable"), { kind: "src", src: "Enable", readOnly: true });
  t.ok(RULES.byId.get("Time")?.params.has("LocalTimeZone"), "loading an overlay leaves the shipped rules whole");

  t.throws(() => loadRules([{ id: "Time", params: { Enable: "NoSuchParam" } }]), /rule Time: TR-098 parameter InternetGatewayDevice\.Time\.NoSuchParam is not in/, "a broken override is named");
  t.throws(() => loadRules([{ id: "Time", parent: "Later" }]), /rule Time: parent Later is not declared before it/);
  t.throws(() => loadRules([{ id: "New" }]), /rule New: objects\.\d+\.tr181: Required/, "a new rule needs the whole shape");
});

t.test("the gateway does not start with a broken rule in an operator's overlay directory, and says which", async (t) => {
  const dir = tempDir(t, { "AB12CD.yaml": "match: {oui: AB12CD}\nrules:\n  - id: Time\n    params: {Enable: NoSuchParam}\n" });
  const broker = await testBroker();
  t.teardown(() => broker.close());
  await t.rejects(startTestGateway(broker.url, { vendorOverlayDirs: [dir] }), {
    message: new RegExp(`^vendor overlay ${join(dir, "AB12CD.yaml").replace(/[.]/g, "\\.")}: .*1 broken rule\\(s\\):\\n {2}rule Time: TR-098 parameter InternetGatewayDevice\\.Time\\.NoSuchParam is not in`),
  });
  // A sound override in the same place starts (and is stopped again).
  const good = tempDir(t, { "AB12CD.yaml": "match: {oui: AB12CD}\nrules:\n  - id: Time\n    params: {LocalTimeZone: null}\n" });
  const gw = await startTestGateway(broker.url, { vendorOverlayDirs: [good] });
  await gw.stop();
  t.pass("a sound overlay starts");
});
