/**
 * The recorder of remote file agents, when NATS_URL is set: connects (waiting for the broker as
 * long as it takes, without holding up the rest of the service), creates the `AUDIT` stream and
 * the durable consumer when missing (an existing stream with other settings is reported, not
 * changed), then stores the agents' events into `events`. Part of the composition root.
 */
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { closeNats, connectNats } from "../agents/connection.ts";
import { AgentRecorder, type AgentRecorderStatus } from "../agents/recorder-consumer.ts";
import { ensureRecorderConsumer, ensureStream } from "../agents/stream.ts";
import type { Clock } from "../clock.ts";
import type { NatsSettings } from "../config/nats.ts";
import type { Logger } from "../log.ts";
import { RetryPolicy } from "../retry-policy.ts";
import { AgentReceiptStore } from "../store/agent-receipts.ts";
import type { Store } from "../store/db.ts";
import type { EventStore } from "../store/events.ts";

/** The pause before connecting again after the server closed the connection for good. */
const RECONNECT_AFTER_CLOSE_MS = 5_000;

/** The running recorder of agent events. */
export interface AgentRecorderPart {
  status(): AgentRecorderStatus & { connected: boolean };
  stop(): Promise<void>;
}

/** What the recorder is built from. */
export interface AgentRecorderOptions {
  nats: NatsSettings;
  store: Store;
  events: EventStore;
  clock: Clock;
  log: Logger;
}

/** Starts the recorder; returns at once (connecting and setting up continue in the background). */
export function startAgentRecorder(o: AgentRecorderOptions): AgentRecorderPart {
  const log = o.log.child({ part: "agent-recorder" });
  const recorder = new AgentRecorder({
    events: o.events,
    receipts: new AgentReceiptStore(o.store.db),
    transaction: o.store.transaction,
    now: () => o.clock.now(),
    log,
  });
  let nc: NatsConnection | undefined;
  let stopped = false;
  /** Creates what is missing and starts the recorder on `connection`; retries until it works. */
  const setUp = async (connection: NatsConnection) => {
    const policy = new RetryPolicy({ firstPauseMs: 500, maxPauseMs: 10_000 });
    while (!stopped && !connection.isClosed()) {
      try {
        const jsm = await jetstreamManager(connection);
        const check = await ensureStream(jsm);
        if (check.created) log.info("created the AUDIT stream");
        else if (check.differences.length > 0)
          log.warn(
            { differences: check.differences },
            "the AUDIT stream exists with other settings than ours; it is left as it is",
          );
        await ensureRecorderConsumer(jsm);
        recorder.start(jsm.jetstream());
        log.info("recording agent events");
        return;
      } catch (err) {
        const ms = policy.logFailure(log, err, "setting up the AUDIT stream failed; trying again");
        await new Promise((r) => setTimeout(r, ms).unref());
      }
    }
  };
  // Connects, sets up, and connects again whenever the server closes the connection for good
  // (credentials refused or revoked): an error in the log, never a crash of the service.
  const running = (async () => {
    while (!stopped) {
      let connection: NatsConnection;
      try {
        connection = await connectNats(o.nats, "telegram-logger recorder", log);
      } catch (err) {
        log.error({ err }, "the NATS server refused the recorder; agent events are not recorded meanwhile");
        await new Promise((r) => setTimeout(r, RECONNECT_AFTER_CLOSE_MS).unref());
        continue;
      }
      nc = connection;
      if (stopped) {
        await connection.close();
        break;
      }
      await setUp(connection);
      const closed = await connection.closed();
      if (!stopped)
        log.error({ err: closed }, "the NATS connection was closed by the server; connecting again");
    }
  })();
  return {
    status: () => ({ ...recorder.status(), connected: nc !== undefined && !nc.isClosed() }),
    async stop() {
      stopped = true;
      await recorder.stop();
      if (nc) await closeNats(nc);
      void running;
    },
  };
}
