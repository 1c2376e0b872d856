// TLS material for the three transports (issue 5): the CWMP endpoint (HTTPS),
// the MQTT client (mqtts://) and the WebSocket MTP (wss://). A configured
// value is either the PEM text itself (typically from an environment variable,
// CWMP2USP_CWMP__TLS__KEY="-----BEGIN …") or the path of a file holding it
// (a mounted secret). Read once at start; the PEM text is never logged and
// never appears in an error message.
import { readFileSync } from "node:fs";

export interface ClientTlsSpec {
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  rejectUnauthorized: boolean;
}

export interface ServerTlsSpec {
  cert: string;
  key: string;
  ca?: string | undefined;
  requestClientCert: boolean;
}

export interface ClientTls {
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
}

export interface ServerTls {
  cert: string;
  key: string;
  ca?: string;
  requestClientCert: boolean;
}

export class TlsConfigError extends Error {}

const PEM_MARKER = "-----BEGIN ";

/** The PEM text of a configured value; `key` names the setting in errors. */
export function readPem(value: string, key: string): string {
  if (value.includes(PEM_MARKER)) return value;
  let text: string;
  try {
    text = readFileSync(value, "utf8");
  } catch (err) {
    throw new TlsConfigError(`${key}: cannot read ${value}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (!text.includes(PEM_MARKER)) throw new TlsConfigError(`${key}: ${value} holds no PEM data`);
  return text;
}

export function loadClientTls(spec: ClientTlsSpec, key: string): ClientTls {
  return {
    ...(spec.ca !== undefined ? { ca: readPem(spec.ca, `${key}.ca`) } : {}),
    ...(spec.cert !== undefined ? { cert: readPem(spec.cert, `${key}.cert`) } : {}),
    ...(spec.key !== undefined ? { key: readPem(spec.key, `${key}.key`) } : {}),
    rejectUnauthorized: spec.rejectUnauthorized,
  };
}

export function loadServerTls(spec: ServerTlsSpec, key: string): ServerTls {
  return {
    cert: readPem(spec.cert, `${key}.cert`),
    key: readPem(spec.key, `${key}.key`),
    ...(spec.ca !== undefined ? { ca: readPem(spec.ca, `${key}.ca`) } : {}),
    requestClientCert: spec.requestClientCert,
  };
}

/** Every TLS setting of a configuration, read at once before anything starts,
 * so a missing or unreadable file stops the gateway before it opens a socket. */
export interface GatewayTls {
  cwmp?: ServerTls;
  mqtt?: ClientTls;
  websocketServer?: ServerTls;
  /** By controller endpoint id. */
  websocketClients: Map<string, ClientTls>;
}

export interface GatewayTlsConfig {
  cwmp: { tls?: ServerTlsSpec | undefined };
  mqtt: { tls?: ClientTlsSpec | undefined };
  websocket: { tls?: ServerTlsSpec | undefined };
  controllers: { endpointId: string; websocket?: { tls?: ClientTlsSpec | undefined } | undefined }[];
}

export function loadGatewayTls(config: GatewayTlsConfig): GatewayTls {
  const websocketClients = new Map<string, ClientTls>();
  config.controllers.forEach((c, i) => {
    const spec = c.websocket?.tls;
    if (spec !== undefined) websocketClients.set(c.endpointId, loadClientTls(spec, `controllers.${i}.websocket.tls`));
  });
  return {
    ...(config.cwmp.tls !== undefined ? { cwmp: loadServerTls(config.cwmp.tls, "cwmp.tls") } : {}),
    ...(config.mqtt.tls !== undefined ? { mqtt: loadClientTls(config.mqtt.tls, "mqtt.tls") } : {}),
    ...(config.websocket.tls !== undefined ? { websocketServer: loadServerTls(config.websocket.tls, "websocket.tls") } : {}),
    websocketClients,
  };
}
