/**
 * The composition of a file agent (`telegram-logger agent`): the agent's own small database (its
 * snapshot and its outbox, nothing else), the file audit recording into the outbox, the watch
 * config followed live, and the publisher that sends the outbox to JetStream once the broker is
 * reachable. The audit starts first and never waits for the broker: while it is away the events
 * wait on disk.
 */

import path from "node:path";
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { closeNats, connectNats } from "../agents/connection.ts";
import { outboxSink } from "../agents/outbox-sink.ts";
import { Publisher, type PublisherStatus } from "../agents/publisher.ts";
import { type Clock, systemClock } from "../clock.ts";
import { type AgentConfig, ConfigError } from "../config.ts";
import { readWatchConfig, watchConfigFile } from "../fswatch/config/config-file.ts";
import type { WatchConfig } from "../fswatch/config/watch-config.ts";
import { FileAudit } from "../fswatch/file-audit.ts";
import type { Logger } from "../log.ts";
import { AgentOutboxStore } from "../store/agent-outbox.ts";
import { ensurePrivateDir, openStore, RUNNING_BUSY_TIMEOUT_MS } from "../store/db.ts";
import { DirStateStore } from "../store/dir-state.ts";
import { FileStateStore } from "../store/file-state.ts";
import { KeyValueStore } from "../store/kv.ts";

/** The pause before connecting again after the server closed the connection for good. */
const RECONNECT_AFTER_CLOSE_MS = 5_000;

/** A running agent. */
export interface Agent {
  readonly audit: FileAudit;
  /** Events not yet acknowledged by the broker. */
  backlog(): number;
  publisher(): PublisherStatus;
  /** Resolves when the file audit has nothing left to do now (the outbox may still be sending). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** What `startAgent` takes. */
export interface AgentOptions {
  config: AgentConfig;
  log: Logger;
  clock?: Clock;
  /** Told when the broker refuses the connection (wrong credentials): the command exits 78. */
  onRefused(err: Error): void;
}

/** Starts the agent; resolves once every watched folder is being watched. */
export async function startAgent(o: AgentOptions): Promise<Agent> {
  const { config, log } = o;
  const clock = o.clock ?? systemClock;
  const watchConfig = readWatchConfig(config.watchConfigFile);
  try {
    ensurePrivateDir(path.dirname(config.dbFile));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ConfigError("DATA_ROOT", `cannot create or use ${config.dataRoot} (${code})`);
  }
  const store = openStore(config.dbFile);
  const outbox = new AgentOutboxStore(store.db, clock.now());
  const publisher = new Publisher({
    agentId: config.nats.agentId,
    outbox,
    transaction: store.transaction,
    log: log.child({ part: "publisher" }),
  });
  const audit = new FileAudit({
    events: outboxSink(outbox, () => publisher.wake()),
    fileState: new FileStateStore(store.db),
    dirState: new DirStateStore(store.db),
    kv: new KeyValueStore(store.db),
    transaction: store.transaction,
    now: () => clock.now(),
    log: log.child({ part: "fswatch" }),
  });
  const ignoredCrm = (c: WatchConfig) => {
    if (c.crmDatabase)
      log.warn({ crmDatabase: c.crmDatabase }, "an agent keeps no CRM copy: database.path is ignored");
  };
  ignoredCrm(watchConfig);
  try {
    await audit.apply(watchConfig);
  } catch (err) {
    await audit.stop();
    store.close();
    throw err;
  }
  store.setBusyTimeout(RUNNING_BUSY_TIMEOUT_MS);
  const configWatcher = watchConfigFile(config.watchConfigFile, () => {
    let edited: WatchConfig;
    try {
      edited = readWatchConfig(config.watchConfigFile);
    } catch (err) {
      audit.rejectEdit((err as Error).message);
      return;
    }
    ignoredCrm(edited);
    audit
      .apply(edited)
      .catch((err: unknown) => log.error({ err }, "the edited watch config could not be applied"));
  });
  log.info({ roots: watchConfig.directories.length, backlog: outbox.backlog() }, "agent started");

  let nc: NatsConnection | undefined;
  let stopped = false;
  const connecting = (async () => {
    for (let first = true; !stopped; first = false) {
      let connection: NatsConnection;
      try {
        connection = await connectNats(config.nats, `telegram-logger agent ${config.nats.agentId}`, log);
      } catch (err) {
        // Refused at start: a configuration error. Refused later (credentials revoked): keep trying.
        if (first) return o.onRefused(err as Error);
        log.error({ err }, "the NATS server refused the agent; the events wait in the outbox");
        await new Promise((r) => setTimeout(r, RECONNECT_AFTER_CLOSE_MS));
        continue;
      }
      nc = connection;
      if (stopped) return connection.close();
      publisher.start(jetstream(connection));
      const closed = await connection.closed();
      if (!stopped)
        log.error({ err: closed }, "the NATS connection was closed by the server; connecting again");
    }
  })();
  void connecting;
  return {
    audit,
    backlog: () => outbox.backlog(),
    publisher: () => publisher.status(),
    idle: () => audit.idle(),
    async stop() {
      stopped = true;
      await configWatcher.close();
      await audit.stop();
      await publisher.stop();
      if (nc) await closeNats(nc);
      await publisher.finished();
      store.close();
      log.info("agent stopped");
    },
  };
}
