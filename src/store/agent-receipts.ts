/**
 * The recorder's receipts of agent events (`agent_receipts`): one row per (agent, sequence) stored,
 * written in the same transaction as its `events` row, so a redelivered message stores nothing.
 */
import type { Statement } from "better-sqlite3";
import type { Db } from "./db.ts";

/** Reads and writes `agent_receipts`. Call `claim` inside the caller's transaction. */
export class AgentReceiptStore {
  readonly #claim: Statement<[string, number, number]>;
  readonly #attach: Statement<[number, string, number]>;

  constructor(db: Db) {
    const sqlite = db.$client;
    this.#claim = sqlite.prepare(
      "INSERT OR IGNORE INTO agent_receipts (agent_id, seq, event_id, recorded_at) VALUES (?, ?, 0, ?)",
    );
    this.#attach = sqlite.prepare("UPDATE agent_receipts SET event_id = ? WHERE agent_id = ? AND seq = ?");
  }

  /** Claims (agent, seq): true the first time, false when it was already stored. */
  claim(agentId: string, seq: number, now: number): boolean {
    return this.#claim.run(agentId, seq, now).changes === 1;
  }

  /** Notes which `events` row a claimed (agent, seq) became. */
  attach(agentId: string, seq: number, eventId: number): void {
    this.#attach.run(eventId, agentId, seq);
  }
}
