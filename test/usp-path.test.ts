// TR-369 path grammar (usp.md §3 BNF): a table of accepted and rejected paths,
// in the style of genieacs test/path.ts.
import t from "tap";
import { parsePath, type Segment } from "../src/usp/path.js";

const accepted: [string, string, string][] = [
  // [path, kind, compact segments]
  ["Device.", "object", "Device"],
  ["Device.DeviceInfo.SoftwareVersion", "parameter", "Device DeviceInfo SoftwareVersion"],
  ["Device.WiFi.SSID.1.", "object", "Device WiFi SSID #1"],
  ["Device.IP.Interface.*.Type", "parameter", "Device IP Interface * Type"],
  ["Device.IP.Interface.12.IPv4Address.3.IPAddress", "parameter", "Device IP Interface #12 IPv4Address #3 IPAddress"],
  ["Device.Reboot()", "command", "Device Reboot"],
  ["Device.Boot!", "event", "Device Boot"],
  ['Device.IP.Interface.[Name=="eth0"].', "object", 'Device IP Interface [Name=="eth0"]'],
  [
    'Device.NAT.PortMapping.[RemoteHost==""&&ExternalPort==0&&Protocol=="TCP"].',
    "object",
    'Device NAT PortMapping [RemoteHost==""&&ExternalPort==0&&Protocol=="TCP"]',
  ],
  [
    'Device.IP.Interface.[Type=="Normal"&&Stats.ErrorsSent>0].IPv4Address.[AddressingType=="Static"].IPAddress',
    "parameter",
    'Device IP Interface [Type=="Normal"&&Stats.ErrorsSent>0] IPv4Address [AddressingType=="Static"] IPAddress',
  ],
  // R-ARC.9a: whitespace around operators is tolerated.
  ['Device.IP.Interface.[Name == "eth0" && Enable == true].', "object", 'Device IP Interface [Name=="eth0"&&Enable==true]'],
  ["Device.X.[A<=-5&&B>=10&&C!=0&&D~=\"x\"&&E<1&&F>1].", "object", 'Device X [A<=-5&&B>=10&&C!=0&&D~="x"&&E<1&&F>1]'],
  ["Device.IP.Interface.[Enable==1].", "object", "Device IP Interface [Enable==1]"],
  ["Device.NAT.PortMapping.1.Interface+.Name", "parameter", "Device NAT PortMapping #1 Interface +1 Name"],
  ["Device.WiFi.SSID.1.LowerLayers#2+.Name", "parameter", "Device WiFi SSID #1 LowerLayers +2 Name"],
  ["Device.WiFi.SSID.1.LowerLayers#*+.Name", "parameter", "Device WiFi SSID #1 LowerLayers +* Name"],
  [
    'Device.WiFi.AccessPoint.[SSIDReference+.SSID=="MyHome"].AssociatedDevice.*.SignalStrength',
    "parameter",
    'Device WiFi AccessPoint [SSIDReference+.SSID=="MyHome"] AssociatedDevice * SignalStrength',
  ],
  ["Device.X_EXAMPLE-COM_Foo.Bar", "parameter", "Device X_EXAMPLE-COM_Foo Bar"],
  ["Device._private.a1", "parameter", "Device _private a1"],
];

const rejected: [string, string][] = [
  ["", "empty"],
  [".Device.", "must start with a name"],
  ["1.Device.", "must start with a name"],
  ["Device", "needs at least one"],
  ["Device..DeviceInfo.", "expected a name"],
  ["Device.IP.Interface.[].", "empty expression"],
  ["Device.IP.Interface.{i}.", "expected a name"],
  ["Device.IP.Interface.0.", "positive"],
  ["Device.IP.Interface.01.", "positive"],
  ["Device.IP.Interface.1", "expected '.'"],
  ['Device.IP.Interface.[Name=="eth0".', "expected '&&' or ']'"],
  ['Device.IP.Interface.[Name=="eth0"', "unterminated '['"],
  ['Device.IP.Interface.[Name=="eth0].', "unterminated string"],
  ["Device.IP.Interface.[Name=eth0].", "operator"],
  ["Device.IP.Interface.[Name==eth0].", "expected a value"],
  ["Device.IP.Interface.[Name==1||Name==2].", "expected '&&' or ']'"],
  ["Device.IP.Interface.[1==1].", "parameter name"],
  ["Device.Bad Name.", "expected '.'"],
  ["Device.1a.", "expected '.'"],
  ["Device.-a.", "expected a name"],
  ["Device.Reboot(x)", "after '('"],
  ["Device.Boot!x", "after '!'"],
  ["Device.IP.Interface.1.Name+", "expected '.'"],
  ["Device.IP.Interface.1.Name#0+.X", "positive"],
  ["Device.IP.Interface.1.Name+.", "expected a name"],
  ["Device.IP.Interface.*.*.", "expected a name"],
];

function compact(segs: readonly Segment[]): string {
  return segs
    .map((s) => {
      switch (s.kind) {
        case "name":
          return s.name;
        case "instance":
          return `#${s.instance}`;
        case "wildcard":
          return "*";
        case "follow":
          return `+${s.index}`;
        case "search":
          return `[${s.comparisons
            .map((c) => {
              const rel = c.param.map((r) => r.name + (r.follow === null ? "" : "+")).join(".");
              const v = c.value.kind === "string" ? JSON.stringify(c.value.value) : String(c.value.value);
              return `${rel}${c.op}${v}`;
            })
            .join("&&")}]`;
      }
    })
    .join(" ");
}

t.test("TR-369 §Path Names: accepted paths parse to typed segments", async (t) => {
  for (const [s, kind, segs] of accepted) {
    const r = parsePath(s);
    if (!r.ok) {
      t.fail(`${s}: ${r.error}`);
      continue;
    }
    t.equal(r.path.kind, kind, `${s} kind`);
    t.equal(compact(r.path.segments), segs, `${s} segments`);
    t.equal(r.path.isSearch, /[*[]/.test(s), `${s} isSearch`);
  }
});

t.test("TR-369 §Path Names: rejected paths give a syntax error (7008)", async (t) => {
  for (const [s, why] of rejected) {
    const r = parsePath(s);
    t.notOk(r.ok, `${JSON.stringify(s)} rejected`);
    if (!r.ok) t.match(r.error, why, `${JSON.stringify(s)}: ${r.error}`);
  }
});

t.test("string literals decode %22 and %25 (TR-369 search expressions)", async (t) => {
  const r = parsePath('Device.X.[Name=="a%22b%25c%2522"].');
  t.ok(r.ok);
  if (!r.ok) return;
  const seg = r.path.segments[2];
  t.equal(seg?.kind, "search");
  if (seg?.kind === "search") t.same(seg.comparisons[0]?.value, { kind: "string", value: 'a"b%c%22' });
});

t.test("typed literals: numbers, booleans, negative numbers", async (t) => {
  const r = parsePath("Device.X.[A==-3&&B==true&&C==false&&D==0].");
  t.ok(r.ok);
  if (!r.ok || r.path.segments[2]?.kind !== "search") return;
  t.same(
    r.path.segments[2].comparisons.map((c) => c.value),
    [
      { kind: "number", value: -3 },
      { kind: "boolean", value: true },
      { kind: "boolean", value: false },
      { kind: "number", value: 0 },
    ],
  );
});

t.test("parsed paths are immutable and cached by source string", async (t) => {
  const a = parsePath("Device.IP.Interface.*.Name");
  const b = parsePath("Device.IP.Interface.*.Name");
  t.equal(a, b, "same object from the cache");
  t.ok(Object.isFrozen(a));
  if (a.ok) {
    t.ok(Object.isFrozen(a.path.segments));
    t.ok(Object.isFrozen(a.path.segments[0]));
  }
  const bad = parsePath("Device..");
  t.equal(parsePath("Device.."), bad, "errors are cached too");
});

t.test("the cache is bounded", async (t) => {
  const first = parsePath("Device.Cache.Probe0");
  for (let i = 1; i < 5000; i++) parsePath(`Device.Cache.Probe${i}`);
  t.not(parsePath("Device.Cache.Probe0"), first, "oldest entry was evicted and re-parsed");
});
