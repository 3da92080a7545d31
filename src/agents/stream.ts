/**
 * The `AUDIT` stream and the recorder's durable consumer, created by the recorder when missing.
 * Limits (docs/agents.md): events are kept 7 days and at most 8 GiB, on file storage; when the
 * stream is full it refuses new events (`discard: new`) instead of dropping old ones, so an agent
 * keeps them in its outbox and tries again: a backlog is delayed, never lost. A stream that already
 * exists with other settings is reported and left as it is (an operator may have sized it on purpose).
 */
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiError,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from "@nats-io/jetstream";
import { nanos } from "@nats-io/transport-node";
import { RECORDER_CONSUMER, STREAM, STREAM_SUBJECTS } from "./wire.ts";

const DAY_MS = 86_400_000;
/** How long the stream keeps an event. */
export const STREAM_MAX_AGE_MS = 7 * DAY_MS;
/** The most the stream holds. */
export const STREAM_MAX_BYTES = 8 * 1024 ** 3;
/** How long the server remembers a message id to drop a resend. */
export const DUPLICATE_WINDOW_MS = 2 * 60_000;
/** How long the recorder has to store and acknowledge a message before it comes again. */
export const ACK_WAIT_MS = 30_000;
/** The most messages handed to the recorder and not yet acknowledged. */
export const MAX_ACK_PENDING = 20_000;

/** The stream as the recorder creates it. */
export const STREAM_CONFIG: Partial<StreamConfig> & { name: string } = {
  name: STREAM,
  subjects: [STREAM_SUBJECTS],
  storage: StorageType.File,
  retention: RetentionPolicy.Limits,
  discard: DiscardPolicy.New,
  max_age: nanos(STREAM_MAX_AGE_MS),
  max_bytes: STREAM_MAX_BYTES,
  duplicate_window: nanos(DUPLICATE_WINDOW_MS),
  num_replicas: 1,
};

/** Settings compared with an existing stream (replicas may differ: a cluster chooses them). */
const COMPARED = [
  "subjects",
  "storage",
  "retention",
  "discard",
  "max_age",
  "max_bytes",
  "duplicate_window",
] as const;

/** What `ensureStream` found. */
export interface StreamCheck {
  created: boolean;
  /** The settings that differ from ours, as `name: theirs (ours)`; empty when they agree. */
  differences: string[];
}

const NOT_FOUND = 10059;

/** Creates the stream when missing; otherwise compares its settings with ours and changes nothing. */
export async function ensureStream(jsm: JetStreamManager): Promise<StreamCheck> {
  let existing: StreamConfig;
  try {
    existing = (await jsm.streams.info(STREAM)).config;
  } catch (err) {
    if (!(err instanceof JetStreamApiError && err.code === NOT_FOUND)) throw err;
    await jsm.streams.add(STREAM_CONFIG);
    return { created: true, differences: [] };
  }
  const differences: string[] = [];
  for (const key of COMPARED) {
    const theirs = JSON.stringify(existing[key]);
    const ours = JSON.stringify(STREAM_CONFIG[key]);
    if (theirs !== ours) differences.push(`${key}: ${theirs} (ours ${ours})`);
  }
  return { created: false, differences };
}

/** Creates (or finds, when it has the same settings) the recorder's durable pull consumer. */
export async function ensureRecorderConsumer(jsm: JetStreamManager): Promise<void> {
  await jsm.consumers.add(STREAM, {
    durable_name: RECORDER_CONSUMER,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: STREAM_SUBJECTS,
    ack_wait: nanos(ACK_WAIT_MS),
    max_ack_pending: MAX_ACK_PENDING,
  });
}
