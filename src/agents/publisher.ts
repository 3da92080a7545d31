/**
 * Publishes the agent's outbox to JetStream, oldest first: each event on `audit.fs.<agent>` with
 * `Nats-Msg-Id` = `<agent>:<seq>`, removed from the outbox only after the server's acknowledgement.
 * A window of events is in flight at once (the client pipelines them on one connection); when one
 * fails, the ones before it are removed and the rest are sent again after a pause: the message id
 * (within the stream's duplicate window) and the recorder's receipts (beyond it) keep a resend from
 * being stored twice. While the broker is away nothing is removed, so nothing is lost.
 */
import { hostname } from "node:os";
import type { JetStreamClient } from "@nats-io/jetstream";
import type { Logger } from "../log.ts";
import { RetryPolicy } from "../retry-policy.ts";
import type { AgentOutboxStore } from "../store/agent-outbox.ts";
import { encodeMessage, messageIdOf, STREAM, subjectOf } from "./wire.ts";

/** Events in flight at once. */
const WINDOW = 512;
/** How long an acknowledgement may take before the event is sent again. */
const ACK_TIMEOUT_MS = 10_000;
/** How often an idle publisher looks at the outbox without being woken. */
const IDLE_POLL_MS = 1_000;

/** What the publisher works with. */
export interface PublisherDeps {
  agentId: string;
  outbox: AgentOutboxStore;
  transaction: <T>(fn: () => T) => T;
  log: Logger;
  host?: string;
}

/** Figures for status and tests. */
export interface PublisherStatus {
  connected: boolean;
  /** Events acknowledged since the start. */
  published: number;
  /** Acknowledgements that said the server already had the event. */
  duplicates: number;
  lastError: string | null;
}

/** The outbox → JetStream loop of one agent. */
export class Publisher {
  readonly #d: PublisherDeps;
  readonly #subject: string;
  readonly #host: string;
  readonly #policy = new RetryPolicy({ firstPauseMs: 200, maxPauseMs: 5_000 });
  #js: JetStreamClient | undefined;
  #stopped = false;
  #wake: (() => void) | undefined;
  #stopping: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  readonly #status: PublisherStatus = { connected: false, published: 0, duplicates: 0, lastError: null };

  constructor(deps: PublisherDeps) {
    this.#d = deps;
    this.#subject = subjectOf(deps.agentId);
    this.#host = deps.host ?? hostname();
  }

  /** Starts publishing through `js` (once connected). */
  start(js: JetStreamClient): void {
    this.#js = js;
    this.#status.connected = true;
    this.#loop ??= this.#run();
  }

  /** Something was queued: look now instead of at the next poll. */
  wake(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }

  status(): PublisherStatus {
    return { ...this.#status };
  }

  /**
   * Stops sending; waits at most `ms` for the window in flight (with the broker away, its
   * acknowledgements may not come: closing the connection then fails them, and `finished` resolves).
   * What is not acknowledged stays in the outbox.
   */
  async stop(ms = 3_000): Promise<void> {
    this.#stopped = true;
    this.#stopping?.();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#loop, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }

  /** Resolves when the loop has ended (after `stop`, once the window in flight is settled). */
  async finished(): Promise<void> {
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      const rows = this.#d.outbox.head(WINDOW);
      if (rows.length === 0) {
        await this.#idle();
        continue;
      }
      const js = this.#js!;
      const sent = rows.map((r) =>
        js.publish(
          this.#subject,
          encodeMessage(
            { agent: this.#d.agentId, host: this.#host, seq: r.seq, recordedAt: r.recordedAt },
            r.event,
          ),
          {
            msgID: messageIdOf(this.#d.agentId, r.seq),
            timeout: ACK_TIMEOUT_MS,
            expect: { streamName: STREAM },
          },
        ),
      );
      const acks = await Promise.allSettled(sent);
      let done = 0;
      while (done < acks.length && acks[done]!.status === "fulfilled") done++;
      if (done > 0) {
        const first = rows[0]!.seq;
        const last = rows[done - 1]!.seq;
        this.#d.transaction(() => this.#d.outbox.remove(first, last));
        this.#status.published += done;
        for (let i = 0; i < done; i++)
          if ((acks[i] as PromiseFulfilledResult<{ duplicate: boolean }>).value.duplicate)
            this.#status.duplicates++;
      }
      if (done === acks.length) {
        if (this.#policy.failing) this.#d.log.info({ backlog: this.#d.outbox.backlog() }, "publishing again");
        this.#policy.succeeded();
        this.#status.lastError = null;
        continue;
      }
      const err = (acks[done] as PromiseRejectedResult).reason as Error;
      this.#status.lastError = err.message;
      const retryInMs = this.#policy.logFailure(
        this.#d.log,
        err,
        "publishing to JetStream failed; the events stay in the outbox",
        { backlog: this.#d.outbox.backlog() },
      );
      // New events do not cut the pause short: the broker is what we wait for.
      await this.#idle(retryInMs, false);
    }
  }

  /** Waits `ms`, or until woken (`wake`, when `wakeable`; `stop` always). */
  #idle(ms = IDLE_POLL_MS, wakeable = true): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = undefined;
        this.#stopping = undefined;
        resolve();
      }, ms);
      const early = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        this.#stopping = undefined;
        resolve();
      };
      if (wakeable) this.#wake = early;
      this.#stopping = early;
    });
  }
}
