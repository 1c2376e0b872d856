// The CWMP HTTP endpoint: carries bytes between CPE sockets and the Acs.
// Never gates on Content-Type or SOAPAction (CPEs send anything: freeacs#186,
// perl-cwmp#6); a zero-length body in any framing is the empty POST.
import Fastify, { type FastifyHttpsOptions, type FastifyInstance } from "fastify";
import type { Server as HttpsServer } from "node:https";
import type { Logger } from "pino";
import type { Acs } from "./acs.js";

export interface CwmpHttpServerOptions {
  acs: Acs;
  logger: Logger;
  path: string;
  maxBodyBytes: number;
  sessionTimeoutMs: number;
  /** HTTPS (issue 5): PEM text of the certificate and key; with
   * `requestClientCert` a CPE must present a certificate signed by `ca`
   * (TR-069 §3.3 certificate-based CPE authentication). */
  tls?: { cert: string; key: string; ca?: string; requestClientCert: boolean };
}

export function createCwmpHttpServer(options: CwmpHttpServerOptions): FastifyInstance {
  const app = withTls(options.tls, {
    // Requests are logged by the Acs with the device's endpoint id; fastify's
    // own per-request lines would only repeat them without it.
    logger: false,
    bodyLimit: options.maxBodyBytes,
    // The socket lives for the whole session; the session engine's own idle
    // timeout ends abandoned sessions (genieacs-cwmp sets these explicitly too).
    keepAliveTimeout: options.sessionTimeoutMs,
    connectionTimeout: 0,
    requestTimeout: options.sessionTimeoutMs,
  });
  app.setErrorHandler((err: { message: string; statusCode?: number }, request, reply) => {
    // Body too large, broken chunked framing, a bug: log it and refuse this
    // POST only; other CPEs' sessions are untouched.
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    options.logger.warn({ err: err.message, status, url: request.url }, "CWMP request failed");
    return reply.code(status).header("connection", "close").send(`${err.message}\n`);
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_req, body, done) => done(null, body));

  app.route({
    method: ["POST"],
    url: options.path,
    handler: async (request, reply) => {
      const body = typeof request.body === "string" ? request.body : "";
      const answer = await options.acs.handlePost({
        body,
        cookie: request.headers.cookie,
        authorization: request.headers.authorization,
        socket: request.raw.socket,
      });
      reply.code(answer.status).headers(answer.headers);
      if (answer.closeConnection) reply.header("connection", "close");
      return reply.send(answer.body);
    },
  });
  // A CPE that GETs the ACS URL, or any other method, gets 405 (genieacs does the same).
  app.setNotFoundHandler((request, reply) => {
    if (request.url.split("?")[0] === options.path) return reply.code(405).header("allow", "POST").send("only POST is allowed\n");
    return reply.code(404).send("not found\n");
  });
  return app;
}

type ServerOptions = Omit<FastifyHttpsOptions<HttpsServer>, "https">;

/** Fastify over HTTP, or over HTTPS when TLS material is configured. Both
 * carry the same routes; only the listener differs, so the HTTPS instance is
 * handled through the HTTP type the rest of the gateway uses. */
function withTls(tls: CwmpHttpServerOptions["tls"], serverOptions: ServerOptions): FastifyInstance {
  if (tls === undefined) return Fastify(serverOptions);
  const https = {
    cert: tls.cert,
    key: tls.key,
    ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
    requestCert: tls.requestClientCert,
    rejectUnauthorized: tls.requestClientCert,
  };
  return Fastify({ ...serverOptions, https }) as unknown as FastifyInstance;
}
