// Vendor overlays (DESIGN decision 6, issue 4): one YAML file per vendor or
// model in mappings/vendors/, matched by the Inform DeviceId's OUI and,
// optionally, ProductClass. An overlay sets the CPE quirk flags the planners
// read (translate/plan.ts DeviceProfile) and carries rule overrides for the
// TR-098 mapping engine, which interprets them; here they are only checked to
// be a list of objects with a string `id`.
//
// Read and validated once at start-up; a broken file stops start-up with a
// message naming the file and the offending key, like the configuration
// (src/config.ts), so a typo never silently turns a quirk off.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { ConfigError } from "../config.js";
import { DEFAULT_PROFILE, type DeviceProfile } from "../translate/plan.js";

/** A rule override, for the TR-098 mapping engine to interpret. */
export type OverlayRule = { id: string } & Record<string, unknown>;

export interface VendorOverlay {
  /** The file it was read from, for messages and logs. */
  file: string;
  /** OUI in upper case (TR-069 DeviceIdStruct: six hexadecimal digits). */
  oui: string;
  /** Absent: every ProductClass of the OUI. */
  productClass: string | undefined;
  /** The quirk flags the file sets, and only those. */
  quirks: Partial<DeviceProfile>;
  /** DEFAULT_PROFILE with the file's quirks applied: what the planners get. */
  profile: DeviceProfile;
  rules: OverlayRule[];
}

/** A vendor overlay file is missing, unreadable or invalid. A ConfigError,
 * so the CLI reports it like a bad configuration and exits. */
export class VendorOverlayError extends ConfigError {}

// YAML reads `booleanLiteral: 1` as a number and `true` as a boolean; both
// mean the literal the operator wrote.
const literal = z.preprocess((v) => (v === 1 || v === true ? String(v) : v), z.enum(["true", "1"]));

// `quirks:` with every flag under it commented out reads as null: nothing set.
const orAbsent = <T extends z.ZodTypeAny>(schema: T) => z.preprocess((v) => v ?? undefined, schema);

const overlaySchema = z
  .object({
    match: z
      .object({
        oui: z.string().regex(/^[0-9A-Fa-f]{6}$/, "must be six hexadecimal digits (the Inform DeviceId OUI)"),
        productClass: z.string().min(1).optional(),
      })
      .strict(),
    quirks: orAbsent(
      z
        .object({
          partialPathGpv: z.boolean().optional(),
          gpvBatchSize: z.number().int().min(1).max(10_000).optional(),
          booleanLiteral: literal.optional(),
        })
        .strict()
        .default({}),
    ),
    rules: orAbsent(z.array(z.object({ id: z.string().min(1) }).passthrough()).default([])),
  })
  .strict();

/** Parses and validates one overlay file's text; `file` names it in errors. */
export function parseOverlay(text: string, file: string): VendorOverlay {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new VendorOverlayError(`vendor overlay ${file} is not valid YAML: ${(err as Error).message}`);
  }
  const parsed = overlaySchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".") || "(root)"}: ${issue.message}`);
    throw new VendorOverlayError(`invalid vendor overlay ${file}:\n${lines.join("\n")}`);
  }
  const { match, quirks, rules } = parsed.data;
  // Only the flags the file names: an absent key keeps the default.
  const set = Object.fromEntries(Object.entries(quirks).filter(([, v]) => v !== undefined)) as Partial<DeviceProfile>;
  return {
    file,
    oui: match.oui.toUpperCase(),
    productClass: match.productClass,
    quirks: set,
    profile: Object.freeze({ ...DEFAULT_PROFILE, ...set }),
    rules: rules as OverlayRule[],
  };
}

/** Every overlay in `dir` (files ending .yaml or .yml), in file-name order. */
export function readOverlayDir(dir: string): VendorOverlay[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    throw new VendorOverlayError(`cannot read vendor overlay directory ${dir}: ${(err as Error).message}`);
  }
  return names
    .filter((n) => /\.ya?ml$/i.test(n))
    .sort()
    .map((n) => {
      const file = join(dir, n);
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch (err) {
        throw new VendorOverlayError(`cannot read vendor overlay ${file}: ${(err as Error).message}`);
      }
      return parseOverlay(text, file);
    });
}

/** mappings/vendors/ of this package, from src/vendors/ or dist/vendors/ (two
 * levels down) or dist/src/vendors/ (three), as translate/schema.ts finds mappings/. */
export function shippedOverlayDir(): string {
  const candidates = ["../../mappings/vendors", "../../../mappings/vendors"].map((rel) => fileURLToPath(new URL(rel, import.meta.url)));
  const found = candidates.find((d) => existsSync(d));
  if (found === undefined) throw new VendorOverlayError(`vendor overlays not found; looked in ${candidates.join(", ")}`);
  return found;
}

const keyOf = (oui: string, productClass: string | undefined): string => `${oui.toUpperCase()}\u0000${productClass ?? ""}`;

/** The overlays in force, indexed by what they match. */
export class VendorOverlays {
  private readonly byMatch = new Map<string, VendorOverlay>();

  /** Later overlays replace earlier ones with the same match (an operator's
   * directory after the shipped one); within one directory a second file with
   * the same match is an error, since which one wins would be an accident. */
  constructor(groups: VendorOverlay[][]) {
    for (const group of groups) {
      const seen = new Map<string, string>();
      for (const overlay of group) {
        const key = keyOf(overlay.oui, overlay.productClass);
        const other = seen.get(key);
        if (other !== undefined) {
          const what = overlay.productClass === undefined ? `OUI ${overlay.oui}` : `OUI ${overlay.oui} ProductClass ${overlay.productClass}`;
          throw new VendorOverlayError(`vendor overlays ${other} and ${overlay.file} both match ${what}`);
        }
        seen.set(key, overlay.file);
        this.byMatch.set(key, overlay);
      }
    }
  }

  /** The shipped overlays, then those of each of `extraDirs`. */
  static load(extraDirs: readonly string[] = []): VendorOverlays {
    return new VendorOverlays([shippedOverlayDir(), ...extraDirs].map(readOverlayDir));
  }

  get size(): number {
    return this.byMatch.size;
  }

  /** Every overlay in force (their rule overrides are checked at start-up). */
  all(): VendorOverlay[] {
    return [...this.byMatch.values()];
  }

  /** The most specific overlay for a device: OUI and ProductClass, else OUI alone. */
  match(oui: string, productClass: string): VendorOverlay | undefined {
    return this.byMatch.get(keyOf(oui, productClass)) ?? this.byMatch.get(keyOf(oui, undefined));
  }

}
