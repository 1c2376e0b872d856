// Configuration of the WebSocket MTP (issue 3): per-controller client
// settings and the gateway's own server.
import t from "tap";
import { ConfigError, loadConfig } from "../src/config.js";

t.test("WebSocket is off by default; the server keys have the data model's defaults", async (t) => {
  const config = loadConfig();
  t.same(config.websocket, { enabled: false, host: "0.0.0.0", port: 8443, path: "/usp", keepAliveSeconds: 60 });
  t.equal(config.shutdownGraceSeconds, 10);
});

t.test("a controller may be reached over WebSocket only, with R-WS.19 retry defaults", async (t) => {
  const config = loadConfig({ fileText: 'controllers: [{ endpointId: "proto::c", websocket: { url: "wss://ctl.example:8443/usp" } }]' });
  t.same(config.controllers[0], {
    endpointId: "proto::c",
    websocket: { url: "wss://ctl.example:8443/usp", keepAliveSeconds: 60, retryMinimumWaitSeconds: 5, retryIntervalMultiplier: 2000 },
  });
});

t.test("environment variables reach the WebSocket keys", async (t) => {
  const config = loadConfig({
    env: {
      CWMP2USP_WEBSOCKET__ENABLED: "true",
      CWMP2USP_WEBSOCKET__PORT: "9000",
      CWMP2USP_CONTROLLERS: '[{"endpointId":"proto::c","websocket":{"url":"ws://127.0.0.1:1/x"}}]',
    },
  });
  t.equal(config.websocket.enabled, true);
  t.equal(config.websocket.port, 9000);
  t.equal(config.controllers[0]?.websocket?.url, "ws://127.0.0.1:1/x");
});

t.test("bad WebSocket settings name their key", async (t) => {
  const cases: [string, string, RegExp][] = [
    ["no MTP at all", "controllers: [{ endpointId: a }]", /controllers\.0\.mqttTopic: required unless websocket is set/],
    ["http URL", 'controllers: [{ endpointId: a, websocket: { url: "http://x/" } }]', /controllers\.0\.websocket\.url: must be a ws:\/\/ or wss:\/\/ URL/],
    ["multiplier below 1000", 'controllers: [{ endpointId: a, websocket: { url: "ws://x/", retryIntervalMultiplier: 10 } }]', /retryIntervalMultiplier/],
    ["cert without key", 'controllers: [{ endpointId: a, websocket: { url: "wss://x/", tls: { cert: c.pem } } }]', /websocket\.tls\.key: cert and key go together/],
    ["server path", "websocket: { path: usp }", /websocket\.path/],
  ];
  for (const [name, fileText, message] of cases) {
    t.throws(() => loadConfig({ fileText }), { message }, name);
    try {
      loadConfig({ fileText });
    } catch (err) {
      t.ok(err instanceof ConfigError, `${name}: ConfigError`);
    }
  }
});
