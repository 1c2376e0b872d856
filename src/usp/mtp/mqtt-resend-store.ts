// The outgoing packet store handed to mqtt.js (its documented `outgoingStore`
// option): the QoS 1 PUBLISH packets still waiting for their PUBACK.
// mqtt.js replays this store right after each CONNACK, before it reports
// 'connect'. This store makes that replay follow two rules mqtt.js leaves
// to its user:
// - R-MQTT.17, nothing is published on a connection before one of its
//   subscriptions succeeded: the replay first awaits `beforeReplay`, which
//   sends the connection's SUBSCRIBE and resolves once the SUBACK is in;
// - MQTT 5 §3.3.1.1 (3.1.1 likewise), a PUBLISH delivered again carries the
//   DUP flag: mqtt.js replays the packet exactly as it first sent it (DUP 0),
//   and that replay is its only re-delivery (mqttjs/MQTT.js#1181); no option
//   sets DUP, so the store marks the packets it hands back.
// Unlike mqtt.js's own Store it outlives the client's end(): the gateway
// ends the connection itself after a refused SUBSCRIBE (R-MQTT.16) and
// reconnects with the same store, so nothing waiting for a PUBACK is lost.
import { Readable } from "node:stream";
import type { IStore, Packet } from "mqtt";

type Callback = (error?: Error, packet?: Packet) => void;

export class ResendStore implements IStore {
  private readonly inflight = new Map<number, Packet>();

  /** `beforeReplay` resolves to false when the connection has no subscription:
   * the packets then stay here for the next connection. */
  constructor(private readonly beforeReplay: () => Promise<boolean>) {}

  get size(): number {
    return this.inflight.size;
  }

  put(packet: Packet, cb: (error?: Error) => void): this {
    if (packet.messageId !== undefined) this.inflight.set(packet.messageId, packet);
    cb();
    return this;
  }

  /** mqtt.js calls this once per CONNACK (and again if packets arrived while
   * it replayed); every packet read from it goes out on the new connection. */
  createStream(): ReturnType<IStore["createStream"]> {
    // Everything stored was written once: the gateway publishes only while a
    // connection is up and subscribed (MqttMtp.publish waits otherwise).
    const replay = [...this.inflight.values()];
    const stream = new Readable({ objectMode: true, read: () => undefined });
    this.beforeReplay().then(
      (subscribed) => {
        if (subscribed) for (const packet of replay) if (this.inflight.has(packet.messageId ?? -1)) stream.push(withDup(packet));
        stream.push(null);
      },
      () => stream.push(null),
    );
    // A node:stream Readable in object mode reads like the readable-stream one mqtt.js declares.
    return stream as unknown as ReturnType<IStore["createStream"]>;
  }

  del(packet: Pick<Packet, "messageId">, cb: Callback): this {
    const stored = packet.messageId === undefined ? undefined : this.inflight.get(packet.messageId);
    if (stored === undefined) {
      cb(new Error("missing packet"));
      return this;
    }
    this.inflight.delete(packet.messageId as number);
    cb(undefined, stored);
    return this;
  }

  get(packet: Pick<Packet, "messageId">, cb: Callback): this {
    const stored = packet.messageId === undefined ? undefined : this.inflight.get(packet.messageId);
    if (stored === undefined) cb(new Error("missing packet"));
    else cb(undefined, stored);
    return this;
  }

  /** mqtt.js closes its stores when the client ends; this one is kept for the
   * next connection (a packet leaves it on its PUBACK or removeOutgoingMessage()). */
  close(cb: (error?: Error) => void): void {
    cb();
  }
}

function withDup(packet: Packet): Packet {
  return packet.cmd === "publish" ? { ...packet, dup: true } : packet;
}
