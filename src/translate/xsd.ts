// Lexical checks of Set values against the parameter's xsd type (TR-106
// Appendix I.4 forms, which USP values share, R-ENC.6), done before the SPV so
// a malformed value is a 7011 for that parameter instead of failing the whole
// atomic SetParameterValues on the CPE.
import { baseType, parseBoolean } from "./expression.js";

export type Checked = { ok: true; value: string } | { ok: false; errMsg: string };

const INT_RANGES: Readonly<Record<string, [bigint, bigint]>> = {
  int: [-(2n ** 31n), 2n ** 31n - 1n],
  unsignedInt: [0n, 2n ** 32n - 1n],
  long: [-(2n ** 63n), 2n ** 63n - 1n],
  unsignedLong: [0n, 2n ** 64n - 1n],
};

const DATE_TIME = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$/;

/** The value to write for `type`, or why it is not a valid `type` lexical
 * form. Booleans are rewritten with the profile's literal (genieacs#228:
 * some CPEs only accept "1"/"0"). Unknown types pass unchanged. */
export function checkValue(value: string, type: string, booleanLiteral: "true" | "1"): Checked {
  const t = baseType(type) ?? "string";
  const bad = (): Checked => ({ ok: false, errMsg: `"${value}" is not a valid ${t}` });
  if (t === "boolean") {
    const b = parseBoolean(value);
    if (b === undefined) return bad();
    return { ok: true, value: booleanLiteral === "1" ? (b ? "1" : "0") : b ? "true" : "false" };
  }
  const range = INT_RANGES[t];
  if (range !== undefined) {
    if (!/^[+-]?[0-9]+$/.test(value)) return bad();
    const n = BigInt(value);
    return n < range[0] || n > range[1] ? bad() : { ok: true, value };
  }
  switch (t) {
    case "decimal":
      return /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$/.test(value) ? { ok: true, value } : bad();
    case "dateTime":
      return DATE_TIME.test(value) ? { ok: true, value } : bad();
    case "base64": {
      const v = value.replace(/\s+/g, "");
      return v.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(v) ? { ok: true, value } : bad();
    }
    case "hexBinary":
      return /^([0-9A-Fa-f]{2})*$/.test(value) ? { ok: true, value } : bad();
    default:
      return { ok: true, value };
  }
}
