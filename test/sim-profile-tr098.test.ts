// The TR-098 simulator profile of the real Huawei BM632w
// (src/sim/profiles/huawei-bm632w-tr098.json): what it keeps of the device's
// dump (genieacs-sim, MIT), and the drift check: the committed file must be
// exactly what scripts/generate-sim-profile.ts makes of the dump and the
// TR-098 XML. CI has neither file, so there the check says plainly that it
// did not run.
import { readFileSync } from "node:fs";
import t from "tap";
import { PROFILE_FILE, SOURCE_CSV, csvFields, findSources, generateProfile, sourceCandidates } from "../scripts/generate-sim-profile.js";
import { loadProfile, type CompiledProfile } from "../src/sim/profile.js";

const committed = readFileSync(PROFILE_FILE, "utf8");
const IGD = "InternetGatewayDevice.";
const PORT_MAPPING = `${IGD}WANDevice.{i}.WANConnectionDevice.{i}.WANIPConnection.{i}.PortMapping.{i}.`;

function profile(): CompiledProfile {
  const loaded = loadProfile("huawei-bm632w-tr098");
  if (!loaded.ok) throw new Error(loaded.error);
  return loaded.profile;
}

t.test("CSV fields: quoted commas and doubled quotes", async (t) => {
  t.same(csvFields('DeviceID.Manufacturer,false,false,"Huawei Technologies Co., Ltd.",xsd:string'), ["DeviceID.Manufacturer", "false", "false", "Huawei Technologies Co., Ltd.", "xsd:string"]);
  t.same(csvFields('a,"say ""hi""",'), ["a", 'say "hi"', ""]);
});

t.test("the committed profile compiles: 1,002 nodes (the dump's 1,006 rows less the 4 DeviceID ones)", async (t) => {
  const p = profile();
  t.equal(p.root, IGD);
  t.equal(p.tree.nodes.size, 1002);
  t.same(p.deviceId, { manufacturer: "Huawei Technologies Co., Ltd.", oui: "202BC1", productClass: "BM632w", serialNumber: "8KA8WA1151100043" });
  t.equal(p.identity.serialNumber, undefined, "the Inform serial is not in the tree: DeviceInfo.SerialNumber is 0");
  t.equal(p.managementServer, `${IGD}ManagementServer.`);
  t.equal(p.quirks.booleanLiteral, "true");
});

t.test("the device's quirks are kept as it sent them", async (t) => {
  const nodes = profile().tree.nodes;
  const wan = `${IGD}WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.`;
  const wlan = `${IGD}LANDevice.1.WLANConfiguration.1.`;
  t.match(nodes.get(`${wan}NATEnabled`), { kind: "param", type: "unsignedInt", writable: true, value: "1" });
  t.match(nodes.get(`${wlan}Status`), { type: "string", writable: false, value: "up" });
  t.match(nodes.get(`${wlan}Standard`), { type: "string", writable: true, value: "b/g/n" });
  t.match(nodes.get(`${IGD}DeviceInfo.SerialNumber`), { type: "string", value: "0" });
  t.match(nodes.get(`${IGD}ManagementServer.ConnectionRequestPassword`), { hidden: true, value: "" });
  t.match(nodes.get(`${IGD}DeviceInfo.UpTime`), { type: "unsignedInt", dynamic: "uptime" });
  t.match(nodes.get(`${IGD}X_HUAWEI_FireWall.`), { kind: "object", writable: true, table: false }, "a writable non-table object, as reported");
  t.match(nodes.get(`${wan}PortMapping.`), { kind: "object", writable: true, table: true }, "empty but addable");
  t.match(nodes.get(`${IGD}LANDevice.1.Hosts.Host.3.`), { kind: "object", writable: false, instance: true });
});

t.test("a new PortMapping row has TR-098's nine parameters, types and defaults", async (t) => {
  const table = profile().tables.get(PORT_MAPPING);
  t.equal(table?.writable, true);
  const defaults = Object.fromEntries((table?.defaults ?? []).map(([rel, def]) => [rel, [def.type, def.writable, def.value]]));
  t.same(defaults, {
    PortMappingEnabled: ["boolean", true, "false"],
    PortMappingLeaseDuration: ["unsignedInt", true, "0"],
    RemoteHost: ["string", true, ""],
    ExternalPort: ["unsignedInt", true, "0"],
    ExternalPortEndRange: ["unsignedInt", true, "0"],
    InternalPort: ["unsignedInt", true, "0"],
    PortMappingProtocol: ["string", true, "TCP"],
    InternalClient: ["string", true, ""],
    PortMappingDescription: ["string", true, ""],
  });
  const protocol = table?.defaults.find(([rel]) => rel === "PortMappingProtocol")?.[1];
  t.same(protocol?.enumeration, ["TCP", "UDP"]);
});

t.test("every row of the dump is in the profile with its writability, type and value", async (t) => {
  const sources = findSources();
  if (sources === undefined) {
    t.comment(`dump comparison NOT RUN: ${SOURCE_CSV} is not present (looked in ${sourceCandidates().csv.join(", ")})`);
    return;
  }
  const nodes = profile().tree.nodes;
  const rows = readFileSync(sources.csv, "utf8").split(/\r?\n/).slice(1).filter((l) => l !== "").map(csvFields);
  const differences: string[] = [];
  let compared = 0;
  for (const [path = "", object, writable, value, type] of rows) {
    if (path.startsWith("DeviceID.")) continue;
    compared += 1;
    const node = nodes.get(object === "true" ? `${path}.` : path);
    if (node === undefined) differences.push(`${path}: missing`);
    else if (node.writable !== (writable === "true")) differences.push(`${path}: writable ${node.writable}`);
    else if (node.kind === "param" && (`xsd:${node.type}` !== type || node.value !== value)) differences.push(`${path}: ${node.type} "${node.value}"`);
  }
  t.equal(compared, 1002);
  t.same(differences, [`${IGD}ManagementServer.ConnectionRequestPassword: string ""`], "only the secured password (set per device at run time) differs");
});

t.test("drift check: the committed profile is what the generator makes of the dump and the TR-098 XML", async (t) => {
  const sources = findSources();
  if (sources === undefined) {
    const c = sourceCandidates();
    t.comment(`drift check NOT RUN: the dump or the TR-098 XML is not present (looked in ${[...c.csv, ...c.xml].join(", ")}); the committed profile was not compared with its sources`);
    return;
  }
  const fresh = generateProfile(readFileSync(sources.csv), readFileSync(sources.xml));
  if (fresh === committed) {
    t.pass(`src/sim/profiles/huawei-bm632w-tr098.json matches ${sources.csv}`);
    return;
  }
  const a = fresh.split("\n");
  const b = committed.split("\n");
  const line = a.findIndex((l, i) => l !== b[i]);
  t.fail(`src/sim/profiles/huawei-bm632w-tr098.json differs from the generator's output (first at line ${line + 1}); run npm run generate:sim-profile`, {
    expected: a[line]?.slice(0, 300),
    actual: b[line]?.slice(0, 300),
  });
});
