/**
 * The file agent's outbox (`agent_outbox`): events waiting for the broker's acknowledgement. The
 * agent's file audit adds rows inside its snapshot transactions; the publisher reads them in `seq`
 * order and removes each only once the broker has acknowledged it.
 */
import type { Statement } from "better-sqlite3";
import type { Db } from "./db.ts";
import type { NewEvent } from "./events.ts";

/** A waiting event: its sequence number, the event as JSON, when the agent recorded it. */
export interface OutboxEvent {
  seq: number;
  event: string;
  recordedAt: number;
}

/**
 * Where a new outbox starts counting: the current time in microseconds. An agent whose data folder
 * was wiped starts above every number it used before, so `<agent>:<seq>` never names two events.
 */
function firstSeq(now: number): bigint {
  return BigInt(Math.trunc(now)) * 1000n;
}

/** Reads and writes `agent_outbox`. Call `add` inside the caller's transaction. */
export class AgentOutboxStore {
  readonly #add: Statement<[string, number]>;
  readonly #head: Statement<[number, number], OutboxEvent>;
  readonly #remove: Statement<[number, number]>;
  readonly #count: Statement<[], { n: number }>;

  constructor(db: Db, now: number) {
    const sqlite = db.$client;
    const started = sqlite.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'agent_outbox'").get();
    if (started === undefined)
      sqlite.prepare("INSERT INTO sqlite_sequence (name, seq) VALUES ('agent_outbox', ?)").run(firstSeq(now));
    this.#add = sqlite.prepare("INSERT INTO agent_outbox (event, recorded_at) VALUES (?, ?) RETURNING seq");
    this.#head = sqlite.prepare(
      "SELECT seq, event, recorded_at AS recordedAt FROM agent_outbox WHERE seq > ? ORDER BY seq LIMIT ?",
    );
    this.#remove = sqlite.prepare("DELETE FROM agent_outbox WHERE seq >= ? AND seq <= ?");
    this.#count = sqlite.prepare("SELECT count(*) AS n FROM agent_outbox");
  }

  /** Queues `event`; returns its sequence number. */
  add(event: NewEvent, recordedAt: number): number {
    const row = this.#add.get(JSON.stringify(event), recordedAt) as { seq: number };
    return row.seq;
  }

  /** Up to `limit` waiting events after `afterSeq`, oldest first. */
  head(limit: number, afterSeq = 0): OutboxEvent[] {
    return this.#head.all(afterSeq, limit);
  }

  /** Removes the events from `first` to `last` (acknowledged by the broker). */
  remove(first: number, last: number): void {
    this.#remove.run(first, last);
  }

  /** How many events wait. */
  backlog(): number {
    return this.#count.get()!.n;
  }
}
