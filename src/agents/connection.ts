/**
 * The connection to the NATS server, shared by the agent and the recorder: the settings turned into
 * client options (credentials and TLS, never logged), reconnecting forever with a growing pause, and
 * every change of the connection's state logged without credentials.
 */
import { readFileSync } from "node:fs";
import {
  connect,
  credsAuthenticator,
  type NatsConnection,
  type NodeConnectionOptions,
} from "@nats-io/transport-node";
import type { NatsSettings } from "../config/nats.ts";
import type { Logger } from "../log.ts";

/** The pause between reconnect attempts grows to this (ms). */
const MAX_RECONNECT_PAUSE_MS = 5_000;

/** Client options for `settings`; `name` is what the server's monitoring shows for the client. */
export function connectionOptions(
  settings: NatsSettings,
  name: string,
  backoff = { attempt: 0 },
): NodeConnectionOptions {
  const o: NodeConnectionOptions = {
    servers: settings.servers,
    name,
    // The broker being away is expected (a restart, a link down): wait for it, never give up.
    waitOnFirstConnect: true,
    maxReconnectAttempts: -1,
    reconnectDelayHandler: () => Math.min(250 * 2 ** Math.min(backoff.attempt++, 5), MAX_RECONNECT_PAUSE_MS),
    pingInterval: 10_000,
    maxPingOut: 3,
  };
  const auth = settings.auth;
  if (auth?.kind === "user") {
    o.user = auth.user;
    o.pass = auth.password;
  } else if (auth?.kind === "token") o.token = auth.token;
  else if (auth?.kind === "creds") {
    const file = auth.file;
    o.authenticator = credsAuthenticator(() => readFileSync(file));
  }
  if (settings.tls) o.tls = { ...settings.tls };
  return o;
}

/**
 * Connects (waiting as long as the server is away) and logs the connection's life: disconnects,
 * reconnects, errors. Rejects only when the server refuses us (wrong credentials).
 */
export async function connectNats(
  settings: NatsSettings,
  name: string,
  log: Logger,
): Promise<NatsConnection> {
  const backoff = { attempt: 0 };
  const nc = await connect(connectionOptions(settings, name, backoff));
  log.info({ server: nc.getServer() }, "connected to NATS");
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === "disconnect") log.warn({ server: s.server }, "NATS connection lost; reconnecting");
      else if (s.type === "reconnect") {
        backoff.attempt = 0;
        log.info({ server: s.server }, "NATS connection back");
      } else if (s.type === "error") log.error({ err: s.error }, "NATS connection error");
    }
  })().catch(() => {});
  return nc;
}

/**
 * Closes `nc`: drains it (what is buffered is sent, e.g. the last acknowledgements) when the server
 * answers within `ms`, closes it at once otherwise (the server is away: nothing would be sent).
 */
export async function closeNats(nc: NatsConnection, ms = 2_000): Promise<void> {
  if (nc.isClosed()) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    nc.drain().catch(() => {}),
    new Promise((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
  if (!nc.isClosed()) await nc.close().catch(() => {});
}
