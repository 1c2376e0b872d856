import t from "tap";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { digestChallenge, parseAuthorization, parseWwwAuthenticate, basicChallenge, solveDigest, verifyBasic, verifyDigest } from "../src/cwmp/auth.js";
import type { AcsRequest, CwmpBody, CwmpEnvelope, Inform } from "../src/cwmp/rpc.js";
import { decodeEnvelope } from "../src/cwmp/soap-decode.js";
import { encodeEnvelope } from "../src/cwmp/soap-encode.js";
import { sendConnectionRequest } from "../src/cwmp/connection-request.js";
import { readParameter, startFleet, writeParameter, type Fleet, type FleetOptions } from "../src/sim/fleet.js";

// ---- a minimal ACS: InformResponse, then the scripted requests, then 204 ----

interface PostRecord {
  body: CwmpBody | "empty";
  cookie: string | undefined;
  contentType: string | undefined;
  soapAction: string | undefined;
}

interface AcsSession {
  inform: Inform;
  posts: PostRecord[];
  pending: AcsRequest[];
}

interface TestAcsOptions {
  auth?: { type: "digest" | "basic"; username: string; password: string };
  /** Requests to send in this session, chosen from the Inform. */
  script?: (inform: Inform) => AcsRequest[];
  /** Answer every POST with this status instead (failure tests). */
  failWith?: { status: number; body: string };
}

interface TestAcs {
  url: string;
  sessions: AcsSession[];
  waitFor(pred: (s: AcsSession) => boolean, timeoutMs?: number): Promise<AcsSession>;
  close(): Promise<void>;
}

function eventCodes(inform: Inform): string[] {
  return inform.event.map((e) => e.eventCode);
}

function authorized(req: http.IncomingMessage, auth: NonNullable<TestAcsOptions["auth"]>): boolean {
  const parsed = req.headers.authorization === undefined ? undefined : parseAuthorization(req.headers.authorization);
  if (parsed?.scheme === "Basic") return auth.type === "basic" && verifyBasic(parsed, auth);
  if (parsed?.scheme !== "Digest" || auth.type !== "digest" || parsed.username !== auth.username) return false;
  return verifyDigest(parsed, { method: "POST", password: auth.password, realm: "test-acs", nonce: "n0nce" });
}

async function startTestAcs(options: TestAcsOptions = {}): Promise<TestAcs> {
  const sessions: AcsSession[] = [];
  const byCookie = new Map<string, AcsSession>();
  const waiters: Array<() => void> = [];
  const send = (res: http.ServerResponse, id: string, body: CwmpBody, cookie?: string): void => {
    const env: CwmpEnvelope = { cwmpNamespace: "urn:dslforum-org:cwmp-1-0", header: { id }, body };
    const headers: http.OutgoingHttpHeaders = { "Content-Type": 'text/xml; charset="utf-8"' };
    if (cookie !== undefined) headers["Set-Cookie"] = `session=${cookie}; Path=/`;
    res.writeHead(200, headers).end(encodeEnvelope(env));
  };
  const next = (res: http.ServerResponse, session: AcsSession): void => {
    const request = session.pending.shift();
    if (request === undefined) res.writeHead(204).end();
    else send(res, `acs-${session.posts.length}`, request);
  };
  const onPost = (req: http.IncomingMessage, res: http.ServerResponse, text: string): void => {
    if (options.failWith !== undefined) return void res.writeHead(options.failWith.status).end(options.failWith.body);
    const decoded = text === "" ? undefined : decodeEnvelope(text);
    if (decoded !== undefined && !decoded.ok) return void res.writeHead(400).end();
    const record: PostRecord = {
      body: decoded?.envelope.body ?? "empty",
      cookie: req.headers.cookie,
      contentType: req.headers["content-type"],
      soapAction: req.headers.soapaction as string | undefined,
    };
    if (decoded !== undefined && decoded.envelope.body.method === "Inform") {
      if (options.auth !== undefined && !authorized(req, options.auth)) {
        const challenge = options.auth.type === "digest" ? digestChallenge("test-acs", "n0nce") : basicChallenge("test-acs");
        return void res.writeHead(401, { "WWW-Authenticate": challenge }).end();
      }
      const inform = decoded.envelope.body;
      const session: AcsSession = { inform, posts: [record], pending: options.script?.(inform) ?? [] };
      const cookie = `s${sessions.length}`;
      sessions.push(session);
      byCookie.set(cookie, session);
      for (const w of waiters.splice(0)) w();
      return send(res, decoded.envelope.header.id, { method: "InformResponse", maxEnvelopes: 1 }, cookie);
    }
    // Every later POST must carry the cookie (TR-069 §3.4.2).
    const session = byCookie.get(/session=(\w+)/.exec(req.headers.cookie ?? "")?.[1] ?? "");
    if (session === undefined) return void res.writeHead(400).end("no session cookie");
    session.posts.push(record);
    next(res, session);
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => onPost(req, res, Buffer.concat(chunks).toString("utf8")));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/acs`,
    sessions,
    async waitFor(pred, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = sessions.find(pred);
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error("timed out waiting for an ACS session");
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function withFleet(
  t: { teardown(fn: () => unknown): void },
  acsOptions: TestAcsOptions,
  fleetOptions: Partial<FleetOptions> = {},
): Promise<{ acs: TestAcs; fleet: Fleet }> {
  const acs = await startTestAcs(acsOptions);
  const fleet = await startFleet({ acsUrl: acs.url, count: 1, crPort: 0, ...fleetOptions });
  t.teardown(async () => {
    await fleet.stop();
    await acs.close();
  });
  return { acs, fleet };
}

/** GET with one Digest round, like an ACS's Connection Request. */
async function connectionRequest(url: string, username: string, password: string): Promise<number[]> {
  const get = (authorization?: string) =>
    new Promise<{ status: number; challenge: string | undefined }>((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = authorization === undefined ? {} : { Authorization: authorization };
      http
        .get(url, { headers, agent: false }, (res) => {
          res.resume();
          res.on("end", () => resolve({ status: res.statusCode ?? 0, challenge: res.headers["www-authenticate"] }));
        })
        .on("error", reject);
    });
  const first = await get();
  const challenge = first.challenge === undefined ? undefined : parseWwwAuthenticate(first.challenge)[0];
  if (challenge === undefined) return [first.status];
  const target = new URL(url);
  const answer = solveDigest(challenge, { method: "GET", uri: target.pathname, username, password, cnonce: "0123456789abcdef", nc: 1 });
  return [first.status, (await get(answer)).status];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- tests ----

t.test("TR-069 §3.7 a CPE runs a full session: Inform, empty POST, GetParameterValues, 204, with cookies", async (t) => {
  const { acs, fleet } = await withFleet(t, {
    script: () => [{ method: "GetParameterValues", parameterNames: ["Device.DeviceInfo.SoftwareVersion"] }],
  });
  const cpe = fleet.cpes[0]!;
  const result = await cpe.boot();
  t.same(result, { ok: true, events: ["0 BOOTSTRAP", "1 BOOT"], methods: ["GetParameterValues"] });
  const session = acs.sessions[0]!;
  t.same(eventCodes(session.inform), ["0 BOOTSTRAP", "1 BOOT"]);
  t.same(session.inform.deviceId, { manufacturer: "Simulated Networks", oui: "C0FFEE", productClass: "HGW-2000", serialNumber: "SIM000000" });
  t.same(
    session.inform.parameterList.map((p) => p.name),
    fleet.cpes[0]!.model.profile.informParameters,
    "forced inform parameters",
  );
  const crUrl = session.inform.parameterList.find((p) => p.name === "Device.ManagementServer.ConnectionRequestURL")?.value;
  t.equal(crUrl, `http://127.0.0.1:${fleet.connectionRequestPort}/SIM000000`);
  const [, empty, response] = session.posts;
  t.equal(empty?.body, "empty");
  t.equal(empty?.contentType, undefined, "TR-069 §3.4.1 no Content-Type on the empty POST");
  t.equal(empty?.soapAction, undefined, "no SOAPAction on the empty POST");
  t.equal(response?.soapAction, "", "SOAPAction present and empty on a response");
  t.ok(session.posts.slice(1).every((p) => p.cookie === "session=s0"), "cookie returned on every POST");
  t.match(response?.body, {
    method: "GetParameterValuesResponse",
    parameterList: [{ name: "Device.DeviceInfo.SoftwareVersion", value: "4.2.7-sim", type: "xsd:string" }],
  });
  t.same(cpe.log.at(-1)?.methods, ["GetParameterValues"]);

  const again = await cpe.inform([{ eventCode: "2 PERIODIC", commandKey: "" }]);
  t.same(again.events, ["2 PERIODIC"], "0 BOOTSTRAP only until acknowledged");
});

t.test("quirk: emptyPostContentType sends Content-Type on the empty POST like genieacs-sim", async (t) => {
  const { acs, fleet } = await withFleet(t, {}, { quirks: { emptyPostContentType: true } });
  await fleet.cpes[0]!.boot();
  t.match(acs.sessions[0]?.posts[1], { body: "empty", contentType: /text\/xml/ });
});

t.test("TR-069 §3.4.4 the CPE answers a Digest challenge, and Basic when challenged with Basic", async (t) => {
  for (const type of ["digest", "basic"] as const) {
    const { acs, fleet } = await withFleet(t, { auth: { type, username: "cpe-user", password: "s3cret" } }, { acsUsername: "cpe-user", acsPassword: "s3cret" });
    const result = await fleet.cpes[0]!.boot();
    t.equal(result.ok, true, type);
    t.equal(acs.sessions.length, 1);
  }
});

t.test("TR-069 §3.7.1.4 a second 401 fails the session cleanly and events are retained", async (t) => {
  const { acs, fleet } = await withFleet(t, { auth: { type: "digest", username: "cpe-user", password: "right" } }, { acsUsername: "cpe-user", acsPassword: "wrong" });
  const cpe = fleet.cpes[0]!;
  const result = await cpe.boot();
  t.equal(result.ok, false);
  t.match(result.error, /401/);
  t.equal(acs.sessions.length, 0);
  writeParameter(cpe, "Device.ManagementServer.Password", "right");
  const retry = await cpe.inform([]);
  t.same(retry.events, ["0 BOOTSTRAP", "1 BOOT"], "failed session's events re-sent");
  t.equal(acs.sessions[0]?.inform.retryCount, 1, "RetryCount counts the failed attempt");
});

t.test("TR-069 §3.7.1.4 HTTP 5xx, malformed XML and a dead ACS end the session without crashing", async (t) => {
  const { fleet } = await withFleet(t, { failWith: { status: 500, body: "" } });
  t.match(await fleet.cpes[0]!.boot(), { ok: false, error: /HTTP 500/ });
  const bad = await withFleet(t, { failWith: { status: 200, body: "<not-soap" } });
  t.match(await bad.fleet.cpes[0]!.boot(), { ok: false, error: /malformed SOAP/ });
  const dead = await startFleet({ acsUrl: "http://127.0.0.1:1/", count: 1 });
  t.teardown(() => dead.stop());
  t.match(await dead.cpes[0]!.boot(), { ok: false, error: /ECONNREFUSED/ });
});

t.test("TR-069 §3.2.2 a Digest-authenticated Connection Request starts a 6 CONNECTION REQUEST session", async (t) => {
  const { acs, fleet } = await withFleet(t, {});
  const cpe = fleet.cpes[0]!;
  await cpe.boot();
  const url = readParameter(cpe, "Device.ManagementServer.ConnectionRequestURL")!;
  t.same(await connectionRequest(url, "SIM000000", "SIM000000-cr"), [401, 200]);
  const session = await acs.waitFor((s) => eventCodes(s.inform).includes("6 CONNECTION REQUEST"));
  t.same(eventCodes(session.inform), ["6 CONNECTION REQUEST"]);
});

t.test("interop: the gateway's sendConnectionRequest wakes a simulated CPE", async (t) => {
  const { acs, fleet } = await withFleet(t, {}, { crUsername: "cr-user", crPassword: (serial) => `pw-${serial}` });
  const cpe = fleet.cpes[0]!;
  await cpe.boot();
  const url = readParameter(cpe, "Device.ManagementServer.ConnectionRequestURL")!;
  t.match(await sendConnectionRequest(url, { username: "cr-user", password: "pw-SIM000000" }, { timeoutMs: 2000 }), { ok: true });
  await acs.waitFor((s) => eventCodes(s.inform).includes("6 CONNECTION REQUEST"));
  t.match(await sendConnectionRequest(url, { username: "cr-user", password: "nope" }, { timeoutMs: 2000 }), {
    ok: false,
    reason: "auth-failed",
  });
});

t.test("TR-069 §3.2.2 a Connection Request with a wrong password gets 401 and no session", async (t) => {
  const { acs, fleet } = await withFleet(t, {});
  const cpe = fleet.cpes[0]!;
  await cpe.boot();
  const url = readParameter(cpe, "Device.ManagementServer.ConnectionRequestURL")!;
  t.same(await connectionRequest(url, "SIM000000", "guess"), [401, 401]);
  t.same(await connectionRequest(`http://127.0.0.1:${fleet.connectionRequestPort}/NOPE`, "x", "y"), [404]);
  await sleep(200);
  t.equal(acs.sessions.length, 1, "only the boot session");
});

t.test("TR-069 §3.2.2 a Connection Request during a session runs right after it", async (t) => {
  let fired: Promise<number[]> | undefined;
  const { acs, fleet } = await withFleet(t, {
    script: (inform) => {
      if (!eventCodes(inform).includes("1 BOOT")) return [];
      const cpe = fleet.cpes[0]!;
      fired = connectionRequest(readParameter(cpe, "Device.ManagementServer.ConnectionRequestURL")!, "SIM000000", "SIM000000-cr");
      return [{ method: "GetRPCMethods" }];
    },
  });
  await fleet.cpes[0]!.boot();
  t.same(await fired, [401, 200]);
  const session = await acs.waitFor((s) => eventCodes(s.inform).includes("6 CONNECTION REQUEST"));
  t.ok(session);
});

t.test("TR-069 A.3.2.8 Reboot leads to an Inform with 1 BOOT and M Reboot carrying the CommandKey", async (t) => {
  const { acs, fleet } = await withFleet(t, {
    script: (inform) => (eventCodes(inform).includes("0 BOOTSTRAP") ? [{ method: "Reboot", commandKey: "rb-42" }] : []),
  });
  const cpe = fleet.cpes[0]!;
  await cpe.boot();
  const session = await acs.waitFor((s) => eventCodes(s.inform).includes("M Reboot"));
  t.same(session.inform.event, [
    { eventCode: "1 BOOT", commandKey: "" },
    { eventCode: "M Reboot", commandKey: "rb-42" },
  ]);
  await cpe.whenIdle();
  t.same(cpe.log.map((s) => s.methods), [["Reboot"], []]);
});

t.test("TR-069 A.4.1.6 FactoryReset leads to 0 BOOTSTRAP + 1 BOOT with factory values", async (t) => {
  const { acs, fleet } = await withFleet(t, {
    script: (inform) =>
      eventCodes(inform).includes("2 PERIODIC")
        ? [
            { method: "SetParameterValues", parameterList: [{ name: "Device.WiFi.SSID.1.SSID", value: "Changed", type: "xsd:string" }], parameterKey: "k1" },
            { method: "FactoryReset" },
          ]
        : [],
  });
  const cpe = fleet.cpes[0]!;
  await cpe.boot();
  await cpe.inform([{ eventCode: "2 PERIODIC", commandKey: "" }]);
  await cpe.whenIdle();
  t.same(eventCodes(acs.sessions.at(-1)!.inform), ["0 BOOTSTRAP", "1 BOOT"]);
  t.equal(readParameter(cpe, "Device.WiFi.SSID.1.SSID"), "SimNet");
  t.equal(readParameter(cpe, "Device.ManagementServer.ConnectionRequestUsername"), "SIM000000", "device credentials survive");
});

t.test("SetParameterValues over the wire changes what the CPE holds; faults travel as SOAP Faults", async (t) => {
  const { acs, fleet } = await withFleet(t, {
    script: () => [
      { method: "SetParameterValues", parameterList: [{ name: "Device.WiFi.Radio.1.Channel", value: "11", type: "xsd:unsignedInt" }], parameterKey: "pk" },
      { method: "SetParameterValues", parameterList: [{ name: "Device.WiFi.Radio.1.Channel", value: "999", type: "xsd:unsignedInt" }], parameterKey: "bad" },
    ],
  });
  const cpe = fleet.cpes[0]!;
  t.same((await cpe.boot()).methods, ["SetParameterValues", "SetParameterValues"]);
  t.equal(readParameter(cpe, "Device.WiFi.Radio.1.Channel"), "11");
  t.equal(readParameter(cpe, "Device.ManagementServer.ParameterKey"), "pk");
  const posts = acs.sessions[0]!.posts;
  t.match(posts[2]?.body, { method: "SetParameterValuesResponse", status: 0 });
  t.match(posts[3]?.body, {
    method: "Fault",
    fault: { faultCode: 9003, setParameterValuesFaults: [{ parameterName: "Device.WiFi.Radio.1.Channel", faultCode: 9007 }] },
  });
});

t.test("quirk: reuseStaleCookie re-sends the previous session's cookie on the next Inform", async (t) => {
  const { acs, fleet } = await withFleet(t, {}, { quirks: { reuseStaleCookie: true } });
  const cpe = fleet.cpes[0]!;
  await cpe.boot();
  await cpe.inform([{ eventCode: "2 PERIODIC", commandKey: "" }]);
  t.equal(acs.sessions[0]?.posts[0]?.cookie, undefined);
  t.equal(acs.sessions[1]?.posts[0]?.cookie, "session=s0");
  const plain = await withFleet(t, {});
  await plain.fleet.cpes[0]!.boot();
  await plain.fleet.cpes[0]!.inform([{ eventCode: "2 PERIODIC", commandKey: "" }]);
  t.equal(plain.acs.sessions[1]?.posts[0]?.cookie, undefined, "session cookies end with the session by default");
});

t.test("TR-069 §3.2.1 periodic informs when enabled", async (t) => {
  const { acs, fleet } = await withFleet(t, {}, { periodicInform: true });
  writeParameter(fleet.cpes[0]!, "Device.ManagementServer.PeriodicInformInterval", "1");
  await fleet.bootAll();
  const session = await acs.waitFor((s) => eventCodes(s.inform).includes("2 PERIODIC"), 3000);
  t.same(eventCodes(session.inform), ["2 PERIODIC"]);
});

t.test("50 CPEs boot in one process", async (t) => {
  const { acs, fleet } = await withFleet(t, {}, { count: 50, serialPrefix: "BULK", serialStart: 100 });
  const results = await fleet.bootAll({ concurrency: 10 });
  t.equal(results.filter((r) => r.ok).length, 50);
  t.equal(new Set(acs.sessions.map((s) => s.inform.deviceId.serialNumber)).size, 50);
  t.ok(fleet.get("BULK000149"), "serials follow prefix and start");
  t.equal(fleet.cpes[0]!.model.profile, fleet.cpes[49]!.model.profile, "one compiled profile shared");
});
