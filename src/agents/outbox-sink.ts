/**
 * The file agent's `EventSink`: the file audit records each event into the local outbox, inside
 * the transaction that changes the snapshot, so an event is on disk exactly when its change is.
 */
import type { AgentOutboxStore } from "../store/agent-outbox.ts";
import type { EventSink, NewEvent } from "../store/events.ts";

/** Records into `outbox`; `queued` is told after each add (the publisher wakes up). */
export function outboxSink(outbox: AgentOutboxStore, queued: () => void): EventSink {
  return {
    record(e: NewEvent, recordedAt: number): number {
      const seq = outbox.add(e, recordedAt);
      queued();
      return seq;
    },
  };
}
