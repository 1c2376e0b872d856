// Value transforms between TR-098 and TR-181 that are more than an
// enumeration map (which rules.yaml states as data): several TR-098
// parameters behind one TR-181 value (Wi-Fi security, NTP servers), values
// computed from structure (Wi-Fi standards and band), and the row grouping of
// Wi-Fi radios. Rules name them with `fn:` / `group:`; the facts come from
// ../shared/reference/mapping.md §4.2–4.3.

/** TR-098 values to set, by `src` name, or why the value cannot be written. */
export type WriteResult = { set: Record<string, string> } | { error: string };

const set = (values: Record<string, string>): WriteResult => ({ set: values });

/** Reads a TR-098 source by its name as written in the rule's `src` list. */
export type SourceValues = (src: string) => string | undefined;

export interface MultiTransform {
  /** The TR-181 value, or undefined when the CPE lacks what it needs. */
  read(v: SourceValues): string | undefined;
  /** TR-098 values to set (by `src` name) for a TR-181 value, or an error
   * message (the value cannot be represented on a TR-098 CPE: 7012-like). */
  write?(value: string, v: SourceValues): WriteResult;
  /** The sources a write may set, when not all of them: the TR-181 parameter is
   * writable only where the CPE has one of these and lets the ACS write it. */
  writes?: readonly string[];
}

const ENC_TO_181: Record<string, string> = {
  tkipencryption: "TKIP",
  aesencryption: "AES",
  tkipandaesencryption: "TKIP,AES",
  wepandtkipencryption: "TKIP",
  wepandaesencryption: "AES",
  wepandtkipandaesencryption: "TKIP,AES",
};

function encryptionList(v: string | undefined): string[] {
  return (ENC_TO_181[(v ?? "").toLowerCase()] ?? "").split(",").filter((s) => s !== "");
}

function encryptionTo098(modes: string[], fallback: string): string {
  const tkip = modes.includes("TKIP");
  const aes = modes.includes("AES");
  if (tkip && aes) return "TKIPandAESEncryption";
  if (tkip) return "TKIPEncryption";
  if (aes) return "AESEncryption";
  return fallback;
}

const isPsk = (a: string | undefined): boolean => (a ?? "").toLowerCase().startsWith("psk");
const isEap = (a: string | undefined): boolean => (a ?? "").toLowerCase().startsWith("eap");

/** mapping.md §4.2, read side. Sources: BeaconType, BasicEncryptionModes,
 * BasicAuthenticationMode, WPAAuthenticationMode, IEEE11iAuthenticationMode, WEPKeyLength
 * (the last optional: the active WEP key's length in hex digits is not readable, keys read as ""). */
function readModeEnabled(v: SourceValues): string | undefined {
  const beacon = v("BeaconType");
  if (beacon === undefined) return undefined;
  const wpa = v("WPAAuthenticationMode");
  const rsn = v("IEEE11iAuthenticationMode");
  const personal = (a: string | undefined): boolean => !isEap(a) || isPsk(a);
  switch (beacon.toLowerCase()) {
    case "none":
      return "None";
    case "basic": {
      // Dynamic WEP (802.1X) is not WPA-Enterprise: TR-181 has no value for it (§4.2).
      if (isEap(v("BasicAuthenticationMode"))) return "None";
      const enc = (v("BasicEncryptionModes") ?? "").toLowerCase();
      if (enc === "wepencryption") return wepMode(v);
      return "None";
    }
    case "wpa":
    case "basicandwpa":
      return personal(wpa) ? "WPA-Personal" : "WPA-Enterprise";
    case "11i":
    case "basicand11i":
      return isPsk(rsn) ? "WPA2-Personal" : "WPA2-Enterprise";
    case "wpaand11i":
    case "basicandwpaand11i":
      return personal(wpa) && personal(rsn) ? "WPA-WPA2-Personal" : "WPA-WPA2-Enterprise";
    default:
      return undefined;
  }
}

/** WEP-64 or WEP-128 (mapping.md §4.2): the active key's length decides (5 bytes:
 * 10 hex digits or 5 characters). Keys are secured and usually read as "", so
 * WEPEncryptionLevel is the hint: TR-098 makes it the list of the lengths the
 * CPE supports (then 104-bit wins: WEP-64 cannot be told apart), some CPEs
 * (the BM632w) the active one. */
function wepMode(v: SourceValues): string {
  const key = v(`WEPKey.${v("WEPKeyIndex") ?? "1"}.WEPKey`) ?? "";
  if (key.length === 10 || key.length === 5) return "WEP-64";
  if (key.length === 26 || key.length === 13) return "WEP-128";
  const levels = (v("WEPEncryptionLevel") ?? "").split(",").map((s) => s.trim());
  return levels.includes("40-bit") && !levels.includes("104-bit") ? "WEP-64" : "WEP-128";
}

/** mapping.md §4.2, write side: one SetParameterValues carrying every listed parameter. */
function writeModeEnabled(value: string, v: SourceValues): WriteResult {
  const auth = value.endsWith("-Enterprise") ? "EAPAuthentication" : "PSKAuthentication";
  switch (value) {
    case "None":
      return set({ BeaconType: "Basic", BasicEncryptionModes: "None", BasicAuthenticationMode: "None" });
    case "WEP-64":
    case "WEP-128": {
      // The key's length is the truth (wepMode): refuse a mode the active key contradicts.
      const key = v(`WEPKey.${v("WEPKeyIndex") ?? "1"}.WEPKey`) ?? "";
      const lengths = value === "WEP-64" ? [5, 10] : [13, 26];
      if (key !== "" && !lengths.includes(key.length)) return { error: `${value} needs a ${lengths[0] as number}-byte WEP key (Security.WEPKey of ${lengths[1] as number} hex digits); the active key has ${key.length} characters` };
      return set({ BeaconType: "Basic", BasicEncryptionModes: "WEPEncryption", BasicAuthenticationMode: "None", WEPEncryptionLevel: value === "WEP-64" ? "40-bit" : "104-bit" });
    }
    case "WPA-Personal":
    case "WPA-Enterprise":
      return set({ BeaconType: "WPA", WPAAuthenticationMode: auth, WPAEncryptionModes: v("WPAEncryptionModes") ?? "TKIPEncryption" });
    case "WPA2-Personal":
    case "WPA2-Enterprise":
      return set({ BeaconType: "11i", IEEE11iAuthenticationMode: auth, IEEE11iEncryptionModes: v("IEEE11iEncryptionModes") ?? "AESEncryption" });
    case "WPA-WPA2-Personal":
    case "WPA-WPA2-Enterprise":
      return set({ BeaconType: "WPAand11i", WPAAuthenticationMode: auth, IEEE11iAuthenticationMode: auth });
    default:
      return { error: `${value} cannot be represented on a TR-098 CPE (BeaconType has no such mode)` };
  }
}

/** Security.EncryptionMode from the encryption list of the active BeaconType. */
function readEncryptionMode(v: SourceValues): string | undefined {
  const beacon = (v("BeaconType") ?? "").toLowerCase();
  if (beacon === "") return undefined;
  const lists: string[] = [];
  if (beacon.includes("wpa")) lists.push(...encryptionList(v("WPAEncryptionModes")));
  if (beacon.includes("11i")) lists.push(...encryptionList(v("IEEE11iEncryptionModes")));
  return [...new Set(lists)].join(",");
}

function writeEncryptionMode(value: string, v: SourceValues): WriteResult {
  const modes = value.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const bad = modes.find((m) => m !== "TKIP" && m !== "AES");
  if (bad !== undefined) return { error: `EncryptionMode ${bad} has no TR-098 counterpart` };
  const beacon = (v("BeaconType") ?? "").toLowerCase();
  // Open and WEP APs read EncryptionMode as empty (§4.2): a value kept in a WPA
  // list they do not use would not read back.
  if (!beacon.includes("wpa") && !beacon.includes("11i")) return { error: `EncryptionMode applies to the WPA modes; this AP's ModeEnabled is ${readModeEnabled(v) ?? "not WPA"} (set a WPA ModeEnabled in the same Set)` };
  const out: Record<string, string> = {};
  if (beacon.includes("wpa") || !beacon.includes("11i")) out.WPAEncryptionModes = encryptionTo098(modes, v("WPAEncryptionModes") ?? "TKIPEncryption");
  if (beacon.includes("11i")) out.IEEE11iEncryptionModes = encryptionTo098(modes, v("IEEE11iEncryptionModes") ?? "AESEncryption");
  return set(out);
}

/** TR-098 `Standard` ("b", "g", "g-only", "n", and vendor spellings such as "b/g/n") → TR-181 list. */
function standardsOf(standard: string | undefined, channel: string | undefined): string[] | undefined {
  if (standard === undefined) return undefined;
  const five = Number(channel ?? "0") > 14;
  const s = standard.toLowerCase().replace(/^802\.11/, "");
  if (s === "g-only") return ["g"];
  if (s === "g") return ["b", "g"];
  if (s === "n") return five ? ["a", "n"] : ["b", "g", "n"];
  // Vendor lists ("b/g/n", "bgn", "a/n/ac"): keep the letters TR-181 knows, in its order.
  const known = ["a", "b", "g", "n", "ac", "ax", "be"];
  const parts = s.split(/[^a-z]+/).filter((p) => p !== "");
  const items = parts.length > 1 ? parts : (s.match(/ac|ax|be|[abgn]/g) ?? []);
  const out = known.filter((k) => items.includes(k));
  return out.length > 0 ? out : undefined;
}

/** An 8-digit WPS PIN's last digit is the WPS checksum of the first seven. */
function wpsChecksumOk(pin: string): boolean {
  const d = [...pin].map(Number);
  const sum = 3 * ((d[0] ?? 0) + (d[2] ?? 0) + (d[4] ?? 0) + (d[6] ?? 0)) + (d[1] ?? 0) + (d[3] ?? 0) + (d[5] ?? 0);
  return (10 - (sum % 10)) % 10 === d[7];
}

const NTP = ["NTPServer1", "NTPServer2", "NTPServer3", "NTPServer4", "NTPServer5"];

export const TRANSFORMS: ReadonlyMap<string, MultiTransform> = new Map<string, MultiTransform>([
  ["wifi-mode-enabled", { read: readModeEnabled, write: writeModeEnabled }],
  ["wifi-encryption-mode", { read: readEncryptionMode, write: writeEncryptionMode }],
  [
    // What §4.2 says a TR-098 AP can be set to (WPA3 and OWE are not representable).
    "wifi-modes-supported",
    { read: (v) => (v("BeaconType") === undefined ? undefined : "None,WEP-64,WEP-128,WPA-Personal,WPA2-Personal,WPA-WPA2-Personal,WPA-Enterprise,WPA2-Enterprise,WPA-WPA2-Enterprise") },
  ],
  ["wifi-operating-standards", { read: (v) => standardsOf(v("Standard"), v("Channel"))?.join(",") }],
  [
    "wifi-supported-standards",
    { read: (v) => (v("Standard") === undefined ? undefined : Number(v("Channel") ?? "0") > 14 ? "a,n" : "b,g,n") },
  ],
  ["wifi-frequency-band", { read: (v) => (v("Channel") === undefined ? undefined : Number(v("Channel")) > 14 ? "5GHz" : "2.4GHz") }],
  [
    // Channel 0 in TR-098 means automatic; TR-181 Channel is 1..255.
    "wifi-auto-channel",
    {
      writes: ["AutoChannelEnable"],
      read: (v) => {
        const auto = v("AutoChannelEnable");
        if (auto !== undefined) return /^(1|true)$/i.test(auto) ? "true" : "false";
        const ch = v("Channel");
        return ch === undefined ? undefined : ch === "0" ? "true" : "false";
      },
      write: (value, v) => (v("AutoChannelEnable") !== undefined ? set({ AutoChannelEnable: value }) : { error: "this CPE has no AutoChannelEnable" }),
    },
  ],
  [
    // TR-181 WPS.PIN string(8) ⇄ TR-098 WPS.DevicePassword unsignedInt: zero-padded.
    "wps-pin",
    {
      read: (v) => {
        const p = v("WPS.DevicePassword");
        if (p === undefined) return undefined;
        if (p === "" || p === "0") return "";
        // The number lost the PIN's leading zeros: a value of 4 digits or fewer is a
        // 4-digit PIN unless, padded to 8, it ends in its WPS checksum digit.
        const eight = p.padStart(8, "0");
        return p.length <= 4 && !wpsChecksumOk(eight) ? p.padStart(4, "0") : eight;
      },
      write: (value) => (/^\d{4}(\d{4})?$/.test(value) ? set({ "WPS.DevicePassword": String(Number(value)) }) : { error: "WPS PIN must be 4 or 8 digits" }),
    },
  ],
  [
    "ntp-servers",
    {
      read: (v) => {
        if (v("NTPServer1") === undefined) return undefined;
        return NTP.map((n) => v(n) ?? "").filter((s) => s !== "").join(",");
      },
      write: (value, v) => {
        const list = value.split(",").map((s) => s.trim()).filter((s) => s !== "");
        const present = NTP.filter((n) => v(n) !== undefined);
        if (list.length > present.length) return { error: `this CPE holds at most ${present.length} NTP servers` };
        return set(Object.fromEntries(present.map((n, i) => [n, list[i] ?? ""])));
      },
    },
  ],
  [
    // Time.Client.{i}.Enable mirrors Time.Enable (TR-098 has one NTP client).
    "any-true",
    { read: (v) => (v("Enable") === undefined ? undefined : /^(1|true)$/i.test(v("Enable") ?? "") ? "true" : "false") },
  ],
  [
    // Hosts: TR-098 LeaseTimeRemaining (seconds, -1 infinite) has no TR-181 Host
    // counterpart; DHCPClient is set when the address came from DHCP.
    "host-address-source-dhcp",
    { read: (v) => (v("AddressSource") === undefined ? undefined : (v("AddressSource") ?? "").toUpperCase() === "DHCP" ? "true" : "false") },
  ],
]);

/** A group key for rows that form one TR-181 row, or undefined for "alone". */
export type GroupKey = (sourcePath: string, v: SourceValues) => string;

export const GROUPINGS: ReadonlyMap<string, GroupKey> = new Map<string, GroupKey>([
  [
    // mapping.md §5.1: WLANConfiguration rows on the same radio share one
    // WiFi.Radio; without a vendor hint, rows of one LANDevice on the same band.
    "wifi-radio",
    (source, v) => {
      const lan = source.replace(/WLANConfiguration\.\d+\.$/, "");
      const band = Number(v("Channel") ?? "0") > 14 ? "5GHz" : "2.4GHz";
      return `${lan}|${band}`;
    },
  ],
]);

// ---- single-value conversions -------------------------------------------

/** TR-098 CPEs send booleans as 1/0, true/false, even TRUE (mapping.md §7). */
export function canonicalBoolean(v: string): string {
  if (/^(1|true)$/i.test(v.trim())) return "true";
  if (/^(0|false)$/i.test(v.trim())) return "false";
  return v;
}

export function base64ToHex(v: string): string {
  return Buffer.from(v, "base64").toString("hex");
}

export function hexToBase64(v: string): string | undefined {
  if (!/^([0-9a-fA-F]{2})*$/.test(v)) return undefined;
  return Buffer.from(v, "hex").toString("base64");
}

/** value × scale for integer lexical forms; non-numbers pass unchanged. */
export function scaleUp(v: string, scale: number): string {
  return /^-?\d+$/.test(v) ? String(Number(v) * scale) : v;
}

export function scaleDown(v: string, scale: number): string | undefined {
  if (!/^-?\d+$/.test(v)) return undefined;
  return String(Math.round(Number(v) / scale));
}
