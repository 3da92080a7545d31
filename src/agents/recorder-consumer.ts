/**
 * The recorder side: pulls the agents' events from the `AUDIT` stream with the durable consumer
 * and stores each as an `events` row (the agent's own project and username, the agent id, host and
 * sequence in `details`; `occurred_at` when the agent saw the change, `recorded_at` when stored
 * here). A batch is stored in one transaction and acknowledged only after its commit; a receipt per
 * (agent, sequence), written in that transaction, turns any redelivery into a no-op.
 */
import type { JetStreamClient, JsMsg } from "@nats-io/jetstream";
import type { Logger } from "../log.ts";
import { RetryPolicy } from "../retry-policy.ts";
import type { AgentReceiptStore } from "../store/agent-receipts.ts";
import type { EventSink } from "../store/events.ts";
import { agentOfSubject, decodeMessage, RECORDER_CONSUMER, STREAM } from "./wire.ts";

/** Messages pulled at once. */
const BATCH = 1_000;
/** How long one pull waits for a full batch. */
const PULL_EXPIRES_MS = 1_000;

/** What the recorder writes to. */
export interface AgentRecorderDeps {
  events: EventSink;
  receipts: AgentReceiptStore;
  transaction: <T>(fn: () => T) => T;
  now: () => number;
  log: Logger;
  /** Told of each stored event (metrics), after its commit. */
  onStored?: (agentId: string, type: string) => void;
}

/** Figures for status and tests. */
export interface AgentRecorderStatus {
  stored: number;
  /** Messages that were already stored (redeliveries). */
  repeated: number;
  /** Messages that could not be read (refused for good). */
  refused: number;
  lastError: string | null;
}

/** The stream → `events` loop. */
export class AgentRecorder {
  readonly #d: AgentRecorderDeps;
  readonly #policy = new RetryPolicy({ firstPauseMs: 200, maxPauseMs: 5_000 });
  readonly #status: AgentRecorderStatus = { stored: 0, repeated: 0, refused: 0, lastError: null };
  #stopped = false;
  #abandoned = false;
  #js: JetStreamClient | undefined;
  #loop: Promise<void> | undefined;
  #pause: { timer: NodeJS.Timeout; done: () => void } | undefined;

  constructor(deps: AgentRecorderDeps) {
    this.#d = deps;
  }

  /** Starts pulling through `js`; called again with a new connection's client, pulls through that. */
  start(js: JetStreamClient): void {
    this.#js = js;
    this.#loop ??= this.#run();
  }

  status(): AgentRecorderStatus {
    return { ...this.#status };
  }

  /**
   * Stops after the batch in hand is stored and acknowledged, waiting at most `ms` for a pull in
   * flight (with the broker away, a pull may not end on its own: closing the connection ends it).
   */
  async stop(ms = 3_000): Promise<void> {
    this.#stopped = true;
    if (this.#pause) {
      clearTimeout(this.#pause.timer);
      this.#pause.done();
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#loop, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
    // The database closes next: a pull that ends later is left unacknowledged (it comes again).
    this.#abandoned = true;
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      try {
        const consumer = await this.#js!.consumers.get(STREAM, RECORDER_CONSUMER);
        while (!this.#stopped) {
          const batch: JsMsg[] = [];
          let pullFailed: unknown;
          try {
            for await (const m of await consumer.fetch({ max_messages: BATCH, expires: PULL_EXPIRES_MS }))
              batch.push(m);
          } catch (err) {
            // A pull cut short (the broker went away): what arrived is stored all the same.
            pullFailed = err;
          }
          if (this.#abandoned) return;
          if (batch.length > 0) this.#storeOrGiveBack(batch);
          if (pullFailed !== undefined) throw pullFailed;
          this.#policy.succeeded();
          this.#status.lastError = null;
        }
      } catch (err) {
        if (this.#stopped) break;
        this.#status.lastError = (err as Error).message;
        const ms = this.#policy.logFailure(this.#d.log, err, "pulling agent events failed; trying again");
        await new Promise<void>((resolve) => {
          this.#pause = { timer: setTimeout(resolve, ms), done: resolve };
        });
        this.#pause = undefined;
      }
    }
  }

  /** `#store`, or, when that fails, hands the batch back at once (not after the ack wait). */
  #storeOrGiveBack(batch: JsMsg[]): void {
    try {
      this.#store(batch);
    } catch (err) {
      for (const m of batch) {
        try {
          m.nak();
        } catch {
          // The connection is gone: the ack wait brings the message again.
        }
      }
      throw err;
    }
  }

  /** Stores a batch in one transaction, then acknowledges it. */
  #store(batch: JsMsg[]): void {
    const { events, receipts, transaction, now, log } = this.#d;
    const stored: { agent: string; type: string }[] = [];
    const refused = new Set<JsMsg>();
    let repeated = 0;
    transaction(() => {
      const at = now();
      for (const m of batch) {
        const agent = agentOfSubject(m.subject);
        let decoded: ReturnType<typeof decodeMessage>;
        try {
          if (agent === null) throw new Error(`not an agent subject: ${m.subject}`);
          decoded = decodeMessage(m.data);
        } catch (err) {
          log.error(
            { err, subject: m.subject, streamSeq: m.seq },
            "an agent message could not be read; dropped",
          );
          refused.add(m);
          continue;
        }
        if (!receipts.claim(agent, decoded.seq, at)) {
          repeated++;
          continue;
        }
        const e = decoded.event;
        const id = events.record(
          {
            ...e,
            details: { ...(e.details ?? {}), agent, host: decoded.host, agentSeq: decoded.seq },
          },
          at,
        );
        receipts.attach(agent, decoded.seq, id);
        stored.push({ agent, type: e.type });
      }
    });
    // Acknowledged only now: a crash before this line means a redelivery, which the receipts absorb.
    for (const m of batch) {
      if (refused.has(m)) m.term();
      else m.ack();
    }
    this.#status.stored += stored.length;
    this.#status.repeated += repeated;
    this.#status.refused += refused.size;
    for (const s of stored) this.#d.onStored?.(s.agent, s.type);
  }
}
