import t from "tap";
import { ConfigError, loadConfig } from "../src/config.js";

t.test("defaults: CWMP on 7547, embedded broker, memory store, one controller", async (t) => {
  const config = loadConfig();
  t.equal(config.cwmp.host, "0.0.0.0");
  t.equal(config.cwmp.port, 7547);
  t.equal(config.cwmp.auth.type, "none");
  t.same(config.cwmp.connectionRequest, { username: "", password: "", timeoutSeconds: 5 });
  t.equal(config.mqtt.url, undefined, "no url means the embedded broker");
  t.equal(config.mqtt.version, 5);
  t.equal(config.mqtt.agentTopic, "usp/v1/agent/{endpointId}");
  t.same(config.controllers, [{ endpointId: "proto::controller-1", mqttTopic: "usp/v1/controller/controller-1" }]);
  t.same(config.store, { type: "memory", url: "redis://127.0.0.1:6379", keyPrefix: "cwmp2usp:" });
  t.equal(config.requestTimeoutSeconds, 60);
});

t.test("the issue's YAML keys are read exactly", async (t) => {
  const config = loadConfig({
    fileText: `
cwmp: { host: 127.0.0.1, port: 17547, auth: { type: digest, username: acs, password: s3cret },
        connectionRequest: { username: cr, password: crpw } }
mqtt: { url: "mqtt://127.0.0.1:1883", version: 5, agentTopic: "usp/v1/agent/{endpointId}" }
controllers:
  - { endpointId: "proto::controller-1", mqttTopic: "usp/v1/controller/controller-1" }
  - { endpointId: "proto::controller-2", mqttTopic: "ctl/2" }
store: { type: memory }
requestTimeoutSeconds: 30
`,
  });
  t.equal(config.cwmp.host, "127.0.0.1");
  t.equal(config.cwmp.port, 17547);
  t.same(config.cwmp.auth, { type: "digest", username: "acs", password: "s3cret", realm: "cwmp2usp" });
  t.equal(config.cwmp.connectionRequest.username, "cr");
  t.equal(config.mqtt.url, "mqtt://127.0.0.1:1883");
  t.equal(config.controllers.length, 2);
  t.equal(config.controllers[1]?.mqttTopic, "ctl/2");
  t.equal(config.requestTimeoutSeconds, 30);
});

t.test("JSON config files are accepted too", async (t) => {
  const config = loadConfig({ fileText: JSON.stringify({ cwmp: { port: 8000 }, mqtt: { version: "3.1.1" } }) });
  t.equal(config.cwmp.port, 8000);
  t.equal(config.mqtt.version, 4, "3.1.1 is protocol level 4");
});

t.test("environment variables override the file, matched case-insensitively", async (t) => {
  const config = loadConfig({
    fileText: "cwmp: { port: 8000 }",
    env: {
      CWMP2USP_CWMP__PORT: "9000",
      CWMP2USP_MQTT__URL: "mqtt://10.0.0.1:1883",
      CWMP2USP_REQUESTTIMEOUTSECONDS: "15",
      CWMP2USP_CWMP__CONNECTIONREQUEST__USERNAME: "u",
      CWMP2USP_CONTROLLERS__0__MQTTTOPIC: "t0",
      CWMP2USP_CONTROLLERS__0__ENDPOINTID: "proto::c0",
      UNRELATED: "x",
    },
  });
  t.equal(config.cwmp.port, 9000);
  t.equal(config.mqtt.url, "mqtt://10.0.0.1:1883");
  t.equal(config.requestTimeoutSeconds, 15);
  t.equal(config.cwmp.connectionRequest.username, "u");
  t.same(config.controllers, [{ endpointId: "proto::c0", mqttTopic: "t0" }]);
});

t.test("a JSON value in the environment replaces a whole key", async (t) => {
  const config = loadConfig({ env: { CWMP2USP_CONTROLLERS: '[{"endpointId":"proto::x","mqttTopic":"x"}]' } });
  t.same(config.controllers, [{ endpointId: "proto::x", mqttTopic: "x" }]);
});

t.test("errors name the bad key", async (t) => {
  const cases: [string, Parameters<typeof loadConfig>[0], RegExp][] = [
    ["port out of range", { fileText: "cwmp: { port: 70000 }" }, /cwmp\.port/],
    ["unknown auth type", { fileText: "cwmp: { auth: { type: ntlm } }" }, /cwmp\.auth\.type/],
    ["digest without username", { fileText: "cwmp: { auth: { type: digest } }" }, /cwmp\.auth\.username/],
    ["agent topic without placeholder", { fileText: "mqtt: { agentTopic: usp/agent }" }, /mqtt\.agentTopic: must contain \{endpointId\}/],
    ["bad MQTT version", { fileText: "mqtt: { version: 3 }" }, /mqtt\.version/],
    ["unknown top-level key", { fileText: "cwmpp: {}" }, /cwmpp/],
    ["controller without topic", { fileText: "controllers: [{ endpointId: a }]" }, /controllers\.0\.mqttTopic/],
    ["unknown store", { fileText: "store: { type: mongo }" }, /store\.type/],
    ["unknown env key", { env: { CWMP2USP_CWMP__PROT: "1" } }, /CWMP2USP_CWMP__PROT: unknown configuration key "prot"/],
    ["bad env number", { env: { CWMP2USP_CWMP__PORT: "abc" } }, /cwmp\.port/],
    ["not a mapping", { fileText: "- 1\n- 2" }, /mapping/],
    ["broken YAML", { fileText: "cwmp: {" }, /not valid YAML/],
  ];
  for (const [name, input, pattern] of cases) {
    t.throws(() => loadConfig(input), { name: "Error", message: pattern }, name);
    try {
      loadConfig(input);
    } catch (err) {
      t.ok(err instanceof ConfigError, `${name}: ConfigError`);
    }
  }
});

t.test("a missing config file is a clear error", async (t) => {
  t.throws(() => loadConfig({ file: "/nonexistent/cwmp2usp.yaml" }), /cannot read config file \/nonexistent\/cwmp2usp.yaml/);
});
