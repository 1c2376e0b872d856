// Gateway configuration: built-in defaults, then a YAML/JSON file, then
// environment variables (CWMP2USP_<KEY>__<KEY>…), validated once at start.
// Every failure names the offending key so an operator can fix it at once.
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

const authSchema = z
  .object({
    type: z.enum(["none", "basic", "digest"]).default("none"),
    username: z.string().default(""),
    password: z.string().default(""),
    realm: z.string().default("cwmp2usp"),
  })
  .strict()
  .superRefine((auth, ctx) => {
    if (auth.type !== "none" && auth.username === "") {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["username"], message: `required when auth.type is ${auth.type}` });
    }
  });

/** Booleans also arrive as "true"/"false" strings from the environment. */
const flag = z.preprocess((v) => (v === "false" ? false : v === "true" ? true : v), z.boolean());

/** TLS material (issue 5): the path of a PEM file, or the PEM text itself
 * (e.g. CWMP2USP_CWMP__TLS__KEY="-----BEGIN …"). Read at start by src/tls.ts;
 * a secret: never logged. */
const pem = z.string().min(1);

/** A TLS client (mqtts://, wss://): `ca` to trust, `cert` + `key` to present. */
const clientTlsSchema = z
  .object({
    ca: pem.optional(),
    cert: pem.optional(),
    key: pem.optional(),
    rejectUnauthorized: flag.default(true),
  })
  .strict()
  .superRefine((tls, ctx) => {
    if ((tls.cert === undefined) !== (tls.key === undefined)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: [tls.cert === undefined ? "cert" : "key"], message: "cert and key go together" });
    }
  });

/** A TLS server (HTTPS, wss://); `requestClientCert` requires client
 * certificates signed by `ca` (or the system CAs). */
const serverTlsSchema = z
  .object({
    cert: pem,
    key: pem,
    ca: pem.optional(),
    requestClientCert: flag.default(false),
  })
  .strict();

const port = z.coerce.number().int().min(0).max(65535);

/** A controller's WebSocket server that every agent connects to (R-WS.5). */
const controllerWebSocketSchema = z
  .object({
    url: z
      .string()
      .url()
      .refine((u) => /^wss?:\/\//i.test(u), "must be a ws:// or wss:// URL")
      .optional(),
    /** R-WS.18: Controller.{i}.MTP.{i}.WebSocket.KeepAliveInterval. */
    keepAliveSeconds: z.coerce.number().positive().default(60),
    /** R-WS.19 m and k: SessionRetryMinimumWaitInterval and SessionRetryIntervalMultiplier. */
    retryMinimumWaitSeconds: z.coerce.number().positive().default(5),
    retryIntervalMultiplier: z.coerce.number().int().min(1000).max(65535).default(2000),
    tls: clientTlsSchema.optional(),
  })
  .strict();

const controllerSchema = z
  .object({
    endpointId: z.string().min(1),
    mqttTopic: z.string().min(1).optional(),
    websocket: controllerWebSocketSchema.optional(),
  })
  .strict()
  .superRefine((controller, ctx) => {
    if (controller.mqttTopic === undefined && controller.websocket === undefined) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["mqttTopic"], message: "required unless websocket is set" });
    }
  });

export const configSchema = z
  .object({
    cwmp: z
      .object({
        host: z.string().default("0.0.0.0"),
        port: z.coerce.number().int().min(0).max(65535).default(7547),
        path: z.string().startsWith("/").default("/"),
        auth: authSchema.default({}),
        connectionRequest: z
          .object({
            username: z.string().default(""),
            password: z.string().default(""),
            timeoutSeconds: z.coerce.number().positive().default(5),
          })
          .strict()
          .default({}),
        /** Seconds a CWMP session may sit idle between two POSTs (TR-069 §3.7.1.4 allows the CPE 30 s). */
        sessionTimeoutSeconds: z.coerce.number().positive().default(30),
        /** Largest SOAP body accepted; TR-069 asks for at least 32 KB, GPV responses run to megabytes. */
        maxBodyBytes: z.coerce.number().int().positive().default(4 * 1024 * 1024),
        /** HTTPS for the ACS URL (issue 5); absent = plain HTTP. */
        tls: serverTlsSchema.optional(),
      })
      .strict()
      .default({}),
    mqtt: z
      .object({
        url: z.string().url().optional(),
        // 5 = MQTT 5; 3.1.1 (or its protocol level, 4) = MQTT 3.1.1 (TR-369 R-MQTT.1/2).
        version: z
          .preprocess((v) => (v === "3.1.1" || v === 4 || v === "4" ? 4 : v === "5" ? 5 : v), z.union([z.literal(4), z.literal(5)], {
            errorMap: () => ({ message: 'must be 5 or "3.1.1"' }),
          }))
          .default(5),
        agentTopic: z
          .string()
          .refine((s) => s.includes("{endpointId}"), "must contain {endpointId}")
          .default("usp/v1/agent/{endpointId}"),
        clientId: z.string().optional(),
        /** MQTT 5 shared subscription group ("$share/<group>/<filter>"): with
         * several gateway instances the broker hands each USP Record to one of them. */
        sharedGroup: z.string().regex(/^[^/+#]+$/, "must not contain /, + or #").optional(),
        username: z.string().optional(),
        password: z.string().optional(),
        /** For mqtts:// (R-MQTT.48): CA, client certificate and key. */
        tls: clientTlsSchema.optional(),
        /** R-MQTT.14: Device.MQTT.Client.{i}.KeepAliveTime, seconds (0 turns keep-alive off). */
        keepAliveTime: z.coerce.number().int().min(0).max(65535).default(60),
        /** R-MQTT.10 reconnect schedule: Device.MQTT.Client.{i}.ConnectRetryTime (s),
         * ConnectRetryIntervalMultiplier (thousandths), ConnectRetryMaxInterval (s); TR-181 defaults. */
        connectRetryTime: z.coerce.number().positive().default(5),
        connectRetryIntervalMultiplier: z.coerce.number().int().min(1000).max(65535).default(2000),
        connectRetryMaxInterval: z.coerce.number().positive().default(30720),
        /** DESIGN decision 2: "shared" = one connection for every agent; "per-agent" = a connection per
         * agent, with the usp-endpoint-id CONNECT User Property (R-MQTT.13) and the agent's own ClientId. */
        connectionMode: z.enum(["shared", "per-agent"]).default("shared"),
        embedded: z
          .object({
            host: z.string().default("127.0.0.1"),
            port: z.coerce.number().int().min(0).max(65535).default(1883),
          })
          .strict()
          .default({}),
      })
      .strict()
      .refine((m) => m.sharedGroup === undefined || m.version === 5, { path: ["sharedGroup"], message: "needs MQTT 5 (mqtt.version: 5)" })
      .refine((m) => m.connectionMode === "shared" || (m.sharedGroup === undefined && m.clientId === undefined), {
        path: ["connectionMode"],
        message: "per-agent gives every agent its own connection and ClientId: it takes neither sharedGroup nor clientId",
      })
      .default({}),
    controllers: z.array(controllerSchema).default([
      { endpointId: "proto::controller-1", mqttTopic: "usp/v1/controller/controller-1" },
    ]),
    store: z
      .object({
        type: z.enum(["memory", "redis"]).default("memory"),
        /** Used when type is redis; a password in it is never logged. */
        url: z.string().url().default("redis://127.0.0.1:6379"),
        keyPrefix: z.string().default("cwmp2usp:"),
      })
      .strict()
      .default({}),
    requestTimeoutSeconds: z.coerce.number().positive().default(60),
    /** A request still queued this long, for a CPE with no CWMP session open on
     * any instance, gets another Connection Request (an instance died, or the
     * CPE ignored the first). */
    requestRewakeSeconds: z.coerce.number().positive().default(10),
    /** The gateway's WebSocket server, where controllers open sessions to agents
     * at `<path>/<endpoint id>` (R-WS.6); agents originate sessions to
     * `controllers[].websocket.url` whether or not it is enabled. */
    websocket: z
      .object({
        enabled: flag.default(false),
        host: z.string().default("0.0.0.0"),
        /** Device.LocalAgent.MTP.{i}.WebSocket.Port default. */
        port: port.default(8443),
        path: z.string().startsWith("/").default("/usp"),
        /** R-WS.18: Device.LocalAgent.MTP.{i}.WebSocket.KeepAliveInterval. */
        keepAliveSeconds: z.coerce.number().positive().default(60),
        tls: serverTlsSchema.optional(),
      })
      .strict()
      .default({}),
    /** SIGTERM: running CWMP sessions get this long to finish (issue 5). */
    shutdownGraceSeconds: z.coerce.number().min(0).default(10),
    /** /metrics (Prometheus), /healthz and /readyz. */
    ops: z
      .object({
        enabled: z.preprocess((v) => (v === "false" ? false : v === "true" ? true : v), z.boolean()).default(true),
        host: z.string().default("0.0.0.0"),
        port: z.coerce.number().int().min(0).max(65535).default(9464),
        /** Bearer token of the admin API (/admin/…); absent or "" leaves it disabled. A secret: never logged. */
        adminToken: z.string().optional(),
      })
      .strict()
      .default({}),
    endpointId: z
      .object({
        /** `os` = os::<OUI>-<SerialNumber>, `ops` = ops::<OUI>-<ProductClass>-<SerialNumber> (TR-369 R-ARC.*). */
        scheme: z.enum(["os", "ops"]).default("os"),
      })
      .strict()
      .default({}),
    /** Directories of vendor overlays (CPE quirk flags and TR-098 rule
     * overrides per OUI/ProductClass, format in mappings/README.md), read at
     * start after the shipped mappings/vendors/; an overlay here with the same
     * match as a shipped one replaces it. */
    vendorOverlayDirs: z.array(z.string().min(1)).default([]),
    log: z
      .object({
        level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
      })
      .strict()
      .default({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

const ENV_PREFIX = "CWMP2USP_";

/** Reads and validates the configuration. `env` and `fileText` are injected so
 * tests need neither files nor a real environment. */
export function loadConfig(options: { file?: string; env?: NodeJS.ProcessEnv; fileText?: string } = {}): Config {
  const raw = options.file !== undefined || options.fileText !== undefined ? readConfigFile(options) : {};
  applyEnvironment(raw, options.env ?? {});
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".") || "(root)"}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

function readConfigFile(options: { file?: string; fileText?: string }): Record<string, unknown> {
  let text = options.fileText;
  if (text === undefined) {
    try {
      text = readFileSync(options.file as string, "utf8");
    } catch (err) {
      throw new ConfigError(`cannot read config file ${options.file}: ${(err as Error).message}`);
    }
  }
  let value: unknown;
  try {
    // YAML is a superset of JSON, so one parser reads both.
    value = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`config file ${options.file ?? ""} is not valid YAML/JSON: ${(err as Error).message}`);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw new ConfigError("config file must hold a mapping at the top level");
  return value as Record<string, unknown>;
}

/** CWMP2USP_MQTT__URL=… sets mqtt.url; keys match the schema case-insensitively
 * (env names are upper case, keys are camelCase); numeric segments index arrays
 * (CWMP2USP_CONTROLLERS__0__MQTTTOPIC); a value that is a JSON array or object
 * replaces the whole key (CWMP2USP_CONTROLLERS='[…]'). */
function applyEnvironment(target: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined) continue;
    const segments = name.slice(ENV_PREFIX.length).split("__").filter((s) => s !== "");
    if (segments.length === 0) continue;
    setPath(target, segments, parseEnvValue(value), name);
  }
}

function parseEnvValue(value: string): unknown {
  const trimmed = value.trim();
  if (trimmed.startsWith("[") || trimmed.startsWith("{")) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return value;
    }
  }
  return value;
}

function setPath(target: Record<string, unknown>, segments: string[], value: unknown, envName: string): void {
  let node: Record<string, unknown> | unknown[] = target;
  let shape: z.ZodTypeAny | undefined = configSchema;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string;
    const last = i === segments.length - 1;
    const { key, child } = resolveKey(shape, segment, envName);
    shape = child;
    if (last) {
      (node as Record<string, unknown>)[key] = value;
      return;
    }
    const existing = (node as Record<string, unknown>)[key];
    if (existing === undefined || existing === null || typeof existing !== "object") {
      const next: Record<string, unknown> | unknown[] = /^\d+$/.test(segments[i + 1] as string) ? [] : {};
      (node as Record<string, unknown>)[key] = next;
      node = next;
    } else {
      node = existing as Record<string, unknown>;
    }
  }
}

function unwrap(schema: z.ZodTypeAny | undefined): z.ZodTypeAny | undefined {
  let s = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodOptional || s instanceof z.ZodEffects) {
    s = s instanceof z.ZodEffects ? s.innerType() : s._def.innerType;
  }
  return s;
}

function resolveKey(shape: z.ZodTypeAny | undefined, segment: string, envName: string): { key: string; child: z.ZodTypeAny | undefined } {
  const s = unwrap(shape);
  if (s instanceof z.ZodArray) {
    if (!/^\d+$/.test(segment)) throw new ConfigError(`${envName}: "${segment}" must be an array index`);
    return { key: segment, child: s.element };
  }
  if (s instanceof z.ZodObject) {
    const keys = Object.keys(s.shape as Record<string, unknown>);
    const key = keys.find((k) => k.toLowerCase() === segment.toLowerCase());
    if (key === undefined) throw new ConfigError(`${envName}: unknown configuration key "${segment.toLowerCase()}"`);
    return { key, child: (s.shape as Record<string, z.ZodTypeAny>)[key] };
  }
  throw new ConfigError(`${envName}: "${segment}" goes below a value that has no sub-keys`);
}
