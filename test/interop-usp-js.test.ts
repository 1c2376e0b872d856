// Interop: the third-party usp-js controller library (npm usp-js 0.5.1)
// manages a simulated CPE through the gateway. usp-js is an MQTT 3.1.1 client
// that sends no reply-to, so the gateway must answer on the controller's
// configured topic (reference/peers.md).
import t from "tap";
import uspModule from "usp-js";
import { readParameter, startFleet } from "../src/sim/fleet.js";
import { testBroker } from "./helpers/broker.js";
import { CR_PASSWORD, CR_USERNAME, startTestGateway } from "./helpers/gateway.js";

// usp-js is CommonJS with `exports.default = connect`.
const connect = uspModule.default;

const broker = await testBroker();
const gw = await startTestGateway(broker.url);
const fleet = await startFleet({ acsUrl: gw.gateway.acsUrl, count: 1, serialPrefix: `UJS${process.pid}-`, oui: "00256D", crUsername: CR_USERNAME, crPassword: CR_PASSWORD });
await fleet.bootAll();
const cpe = fleet.cpes[0];
if (cpe === undefined) throw new Error("no CPE");
const agentId = `os::00256D-${cpe.serial}`;
const brokerUrl = new URL(broker.url);

const usp = await connect({
  host: brokerUrl.hostname,
  port: Number(brokerUrl.port),
  protocol: "mqtt",
  username: "",
  password: "",
  fromId: gw.controllerId,
  toId: agentId,
  publishEndpoint: gw.agentTopic(agentId),
  subscribeEndpoint: gw.controllerTopic,
  reconnectPeriod: 0,
});
t.teardown(async () => {
  await usp.disconnect();
  await fleet.stop();
  await gw.stop();
  await broker.close();
});

t.test("usp-js Get of a parameter returns the CPE's value", async (t) => {
  const value = await usp.get("Device.DeviceInfo.SerialNumber");
  t.equal(value, cpe.serial);
});

t.test("usp-js Get of an object returns its parameters", async (t) => {
  const value = (await usp.get("Device.DeviceInfo.")) as Record<string, unknown>;
  t.equal(value.Manufacturer, readParameter(cpe, "Device.DeviceInfo.Manufacturer"));
  t.equal(value.SerialNumber, cpe.serial);
});

t.test("usp-js Set writes to the CPE (allow_partial and required set on every param)", async (t) => {
  await usp.set("Device.WiFi.SSID.2.SSID", "from-usp-js");
  t.equal(readParameter(cpe, "Device.WiFi.SSID.2.SSID"), "from-usp-js");
  t.equal(await usp.get("Device.WiFi.SSID.2.SSID"), "from-usp-js");
});

t.test("usp-js sees an unknown path as an error", async (t) => {
  await t.rejects(usp.get("Device.DeviceInfo.NoSuchThing"));
});
