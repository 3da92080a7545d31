/**
 * What travels from a file agent to the recorder: the subject an agent publishes on, the message id
 * JetStream de-duplicates by, and the message body (the event as the agent's file audit recorded
 * it, with the agent's sequence number and host). One version of the format, checked on decoding.
 */
import { EVENT_STATUSES, type EventSource, type NewEvent } from "../store/events.ts";

/** The stream every agent publishes to. */
export const STREAM = "AUDIT";
/** The subjects of the stream: `audit.fs.<agent>`. */
export const STREAM_SUBJECTS = "audit.fs.>";
/** The recorder's durable pull consumer. */
export const RECORDER_CONSUMER = "recorder";

/** The subject agent `agentId` publishes on. */
export function subjectOf(agentId: string): string {
  return `audit.fs.${agentId}`;
}

/** The agent a subject belongs to (the subject, not the body, is what the server's permissions vouch for). */
export function agentOfSubject(subject: string): string | null {
  const parts = subject.split(".");
  return parts.length === 3 && parts[0] === "audit" && parts[1] === "fs" && parts[2] !== ""
    ? parts[2]!
    : null;
}

/** The `Nats-Msg-Id` of an agent's event: unique per agent and sequence. */
export function messageIdOf(agentId: string, seq: number): string {
  return `${agentId}:${seq}`;
}

/** The sources of the events an agent publishes. */
const AGENT_SOURCES: readonly EventSource[] = ["fs", "system"];

/** An agent's event on the wire. */
export interface AgentEventMessage {
  v: 1;
  agent: string;
  host: string;
  /** The agent's outbox sequence number. */
  seq: number;
  /** When the agent recorded the event (its `occurredAt` is when the agent saw the change). */
  recordedAt: number;
  event: NewEvent;
}

/** The body of an outbox row as published; `eventJson` is the stored event, not parsed again. */
export function encodeMessage(m: Omit<AgentEventMessage, "v" | "event">, eventJson: string): Uint8Array {
  const head = JSON.stringify({ v: 1, agent: m.agent, host: m.host, seq: m.seq, recordedAt: m.recordedAt });
  return Buffer.from(`${head.slice(0, -1)},"event":${eventJson}}`);
}

const isString = (v: unknown): v is string => typeof v === "string";
const isFiniteNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** Decodes a body; throws saying what is wrong with it. */
export function decodeMessage(data: Uint8Array): AgentEventMessage {
  const m = JSON.parse(Buffer.from(data).toString("utf8")) as Partial<AgentEventMessage> | null;
  if (m === null || typeof m !== "object") throw new Error("not an object");
  if (m.v !== 1) throw new Error(`unknown format version ${String(m.v)}`);
  if (!isString(m.agent) || !isString(m.host)) throw new Error("agent or host missing");
  if (!Number.isSafeInteger(m.seq) || !isFiniteNumber(m.recordedAt))
    throw new Error("seq or recordedAt missing");
  const e = m.event;
  if (e === null || typeof e !== "object") throw new Error("event missing");
  // A file agent records file events and its own problems, never another source's events.
  if (!AGENT_SOURCES.includes(e.source)) throw new Error(`not an agent's event source: ${String(e.source)}`);
  if (!(EVENT_STATUSES as readonly string[]).includes(e.status))
    throw new Error(`unknown status ${String(e.status)}`);
  if (!isString(e.type) || !isFiniteNumber(e.occurredAt)) throw new Error("event type or time missing");
  if (e.details !== undefined && e.details !== null && typeof e.details !== "object")
    throw new Error("event details are not an object");
  return m as AgentEventMessage;
}
