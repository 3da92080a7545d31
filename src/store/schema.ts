/**
 * The SQLite schema, as drizzle tables. `drizzle-kit generate` turns changes here into SQL
 * migrations under `drizzle/` (committed); they are applied at start by `openStore`.
 *
 * Conventions: times are integer milliseconds since the epoch (UTC); Telegram peer ids are
 * "marked" ids (users positive, basic groups `-id`, channels `-100…id`), which fit in a JS number;
 * 64-bit values that may not (access hashes, random ids) are stored as decimal text.
 * Documented for users in docs/schema.md.
 */
import { index, integer, primaryKey, real, sql, sqliteTable, text, uniqueIndex } from "./orm.ts";

/** One row per (chat, message) the account has seen; never removed by a deletion, only marked. */
export const messages = sqliteTable(
  "messages",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    chatId: integer("chat_id").notNull(),
    messageId: integer("message_id").notNull(),
    /** `user`, `bot`, `self` (Saved Messages), `group`, `supergroup`, `channel`. */
    chatType: text("chat_type").notNull(),
    senderId: integer("sender_id"),
    /** When Telegram says the message was sent. */
    date: integer("date").notNull(),
    editDate: integer("edit_date"),
    text: text("text").notNull().default(""),
    /** Formatting entities as JSON (`[{type, offset, length, url?, userId?, language?, documentId?}]`). */
    entities: text("entities"),
    /** Media metadata as JSON (`{kind, fileName, mimeType, size, ttlSeconds, ...}`); never the object. */
    media: text("media"),
    groupedId: text("grouped_id"),
    replyToMessageId: integer("reply_to_message_id"),
    /** Forward header as JSON, when the message is a forward. */
    forward: text("forward"),
    outgoing: integer("outgoing", { mode: "boolean" }).notNull().default(false),
    noforwards: integer("noforwards", { mode: "boolean" }).notNull().default(false),
    selfDestructing: integer("self_destructing", { mode: "boolean" }).notNull().default(false),
    /** Auto-delete timer of the message in seconds (`ttl_period`). */
    ttlPeriod: integer("ttl_period"),
    deletedAt: integer("deleted_at"),
    /** `deleted`, `auto_delete` (timer), `own` (the owner deleted it), as decided at deletion. */
    deletionKind: text("deletion_kind"),
    revisionCount: integer("revision_count").notNull().default(0),
    recordedAt: integer("recorded_at").notNull(),
  },
  (t) => [
    uniqueIndex("messages_chat_message").on(t.chatId, t.messageId),
    // Private chats and basic groups share one id sequence per account: deletions there carry
    // only message ids, so they are looked up by id among non-channel chats.
    index("messages_non_channel_message_id").on(t.messageId).where(sql`chat_id > -1000000000000`),
    index("messages_type_date").on(t.chatType, t.date),
  ],
);

/** Every version of every edited message: version 0 is the original, then one per edit. */
export const messageRevisions = sqliteTable(
  "message_revisions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    messageRowId: integer("message_row_id")
      .notNull()
      .references(() => messages.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    text: text("text").notNull(),
    entities: text("entities"),
    media: text("media"),
    editDate: integer("edit_date"),
    recordedAt: integer("recorded_at").notNull(),
  },
  (t) => [uniqueIndex("message_revisions_version").on(t.messageRowId, t.version)],
);

/**
 * Counts per chat, kept by triggers on `messages` and `media_files` (drizzle/0006_chat_stats.sql) in
 * the same statement as the rows they count, so they are never stale: the UI's chat list reads a
 * row per chat instead of counting 1,000,000 messages (3 s) on every view. The "last" message is
 * the chat's highest message id (ids grow with time in a chat).
 */
export const chatStats = sqliteTable("chat_stats", {
  chatId: integer("chat_id").primaryKey(),
  /** `messages.chat_type` of the chat's newest message. */
  chatType: text("chat_type").notNull(),
  messages: integer("messages").notNull(),
  /** Messages marked deleted. */
  deleted: integer("deleted").notNull(),
  /** Messages with at least one edit (`revision_count > 0`). */
  edited: integer("edited").notNull(),
  /** Messages whose file is kept: `media_files.status` `stored` (buffer) or `vaulted`. */
  mediaKept: integer("media_kept").notNull(),
  lastMessageId: integer("last_message_id").notNull(),
  /** `date` of the message `last_message_id`: the chat's last activity. */
  lastDate: integer("last_date").notNull(),
});

/** Users, basic groups and channels seen, with access hashes, so posts can mention and link them. */
export const peers = sqliteTable("peers", {
  peerId: integer("peer_id").primaryKey(),
  /** `user`, `bot`, `group`, `supergroup`, `channel`. */
  type: text("type").notNull(),
  accessHash: text("access_hash"),
  username: text("username"),
  /** A user's first + last name, or a chat's title. */
  name: text("name").notNull().default(""),
  isSelf: integer("is_self", { mode: "boolean" }).notNull().default(false),
  noforwards: integer("noforwards", { mode: "boolean" }).notNull().default(false),
  updatedAt: integer("updated_at").notNull(),
});

/** The unified audit trail: Telegram, file-system and system events alike. */
export const events = sqliteTable(
  "events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    occurredAt: integer("occurred_at").notNull(),
    recordedAt: integer("recorded_at").notNull(),
    /** `telegram`, `fs`, `system`. */
    source: text("source").notNull(),
    /** `message.deleted`, `message.edited`, `feed.failed`, `file.created`, ... */
    type: text("type").notNull(),
    /** `success`, `error`, `warning`, `skipped`, `pending`. */
    status: text("status").notNull(),
    chatId: integer("chat_id"),
    messageId: integer("message_id"),
    path: text("path"),
    project: text("project"),
    username: text("username"),
    fileSize: integer("file_size"),
    checksum: text("checksum"),
    details: text("details"),
    error: text("error"),
    durationMs: integer("duration_ms"),
    correlationId: text("correlation_id"),
  },
  (t) => [
    index("events_occurred_at").on(t.occurredAt),
    index("events_type_status").on(t.type, t.status),
    index("events_correlation").on(t.correlationId),
    // One per filter of the web UI's events list, each with the time after it: the newest rows of
    // one value come in order from the index, so a page reads its rows and no more. Partial where a
    // value is so common that reading the time index finds it at once (`success`, `fs`) or where
    // the column is empty for other sources: a write updates only the indexes its row is in.
    // (chat_id, occurred_at, message_id) also finds a message's events (the former events_chat).
    index("events_chat_time").on(t.chatId, t.occurredAt, t.messageId).where(sql`chat_id IS NOT NULL`),
    index("events_source_time").on(t.source, t.occurredAt).where(sql`source <> 'fs'`),
    index("events_type_time").on(t.type, t.occurredAt),
    index("events_status_time").on(t.status, t.occurredAt).where(sql`status <> 'success'`),
    index("events_path_time").on(t.path, t.occurredAt).where(sql`path IS NOT NULL`),
    index("events_project_time").on(t.project, t.occurredAt).where(sql`project IS NOT NULL`),
    index("events_username_time").on(t.username, t.occurredAt).where(sql`username IS NOT NULL`),
  ],
);

/**
 * Log-chat posts waiting, sent, failed or folded into another post. One row is one logical post,
 * which may go out as several Telegram messages (split at 4096 UTF-16 units); part `i` is sent with
 * random id `random_id + i`, so a resend after a crash is de-duplicated by Telegram.
 */
export const outbox = sqliteTable(
  "outbox",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** `message.deleted`, `message.edited`, `deletions.folded`, `deletions.folded_media`, ... */
    kind: text("kind").notNull(),
    /** `pending`, `sent`, `failed`, `folded`. */
    status: text("status").notNull().default("pending"),
    randomId: text("random_id").notNull(),
    text: text("text").notNull(),
    entities: text("entities"),
    /** What the post is about in a few words (the chat's name), for folded summaries. */
    topic: text("topic"),
    /** A file sent with the post, as JSON (`PostAttachment` in src/model/post.ts). */
    attachment: text("attachment"),
    partsSent: integer("parts_sent").notNull().default(0),
    /** A message in the log chat this post answers (the restricted-link saver replies to requests). */
    replyTo: integer("reply_to"),
    notBefore: integer("not_before").notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    foldedInto: integer("folded_into"),
    eventId: integer("event_id"),
    correlationId: text("correlation_id"),
    createdAt: integer("created_at").notNull(),
    sentAt: integer("sent_at"),
  },
  (t) => [index("outbox_status_due").on(t.status, t.notBefore), index("outbox_folded_into").on(t.foldedInto)],
);

/** Small key/value state: update state (pts/date), self id, schema notes. */
export const kv = sqliteTable("kv", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * The file behind a message's media: whether it was kept, where, and why not. Buffer files are
 * named at random (`blob`) and shared between messages with the same content (`sha256`); a
 * deleted message's file moves to the vault (`vault_file`).
 */
export const mediaFiles = sqliteTable(
  "media_files",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    messageRowId: integer("message_row_id")
      .notNull()
      .references(() => messages.id, { onDelete: "cascade" }),
    /** `pending`, `stored`, `vaulted`, `skipped`, `failed`, `purged`. */
    status: text("status").notNull(),
    /** Why the file is not kept: `too_large`, `policy`, `expired`, `no_file`, or the download error. */
    reason: text("reason"),
    size: integer("size"),
    sha256: text("sha256"),
    blob: text("blob"),
    vaultFile: text("vault_file"),
    attempts: integer("attempts").notNull().default(0),
    /** When a self-destructing media was posted (it is posted once: opened, expired or deleted). */
    postedAt: integer("posted_at"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("media_files_message").on(t.messageRowId),
    index("media_files_status").on(t.status),
    index("media_files_sha256").on(t.sha256),
  ],
);

/**
 * File audit: the last known state of every audited file under every watched root (the snapshot).
 * A reconcile scan compares the folder with it; events are written in the same transaction as the
 * snapshot change, so the two never disagree.
 */
export const fileState = sqliteTable(
  "file_state",
  {
    /** The watched root, an absolute path as configured. */
    root: text("root").notNull(),
    /** Path relative to the root, `/`-separated. */
    rel: text("rel").notNull(),
    /** `file` or `symlink` (links are recorded, never followed). */
    kind: text("kind").notNull(),
    size: integer("size").notNull(),
    /** Modification time in ms, with the file system's sub-millisecond part. */
    mtimeMs: real("mtime_ms").notNull(),
    ino: integer("ino").notNull(),
    uid: integer("uid"),
    /** sha256 (hex) when the root computes checksums. */
    checksum: text("checksum"),
    /** Last text content of an important file (up to `max_diff_bytes`), for the next diff. */
    content: text("content"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.root, t.rel] }), index("file_state_inode").on(t.root, t.ino)],
);

/**
 * File audit: the inode of every audited folder under every watched root. A folder keeps its inode
 * when renamed, so this is how a renamed folder is recognised as one rename (with every file in it)
 * rather than as a rename per file. Refreshed by every reconcile scan.
 */
export const dirState = sqliteTable(
  "dir_state",
  {
    /** The watched root, an absolute path as configured. */
    root: text("root").notNull(),
    /** Folder path relative to the root, `/`-separated (never empty: the root itself is not kept). */
    rel: text("rel").notNull(),
    ino: integer("ino").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.root, t.rel] }), index("dir_state_inode").on(t.root, t.ino)],
);

/** File audit: one row per watched root, so a new root gets a baseline and an unmounted one is noticed. */
export const watchRoots = sqliteTable("watch_roots", {
  root: text("root").primaryKey(),
  /** When the first (baseline) scan finished; null until then. */
  baselineAt: integer("baseline_at"),
  lastScanAt: integer("last_scan_at"),
  /** `online` or `offline`. */
  status: text("status").notNull().default("online"),
  /** Whether the root was a mount point when last seen online (an unmounted one is offline). */
  mountPoint: integer("mount_point", { mode: "boolean" }).notNull().default(false),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * A file agent's outbox (only the agent's own database uses it): each event the agent's file audit
 * records, written in the same transaction as its snapshot change, until the broker acknowledges it.
 * `seq` never repeats (AUTOINCREMENT, started at the creation time in microseconds): the message id
 * `<agent>:<seq>` and the recorder's receipt stay unique even after the agent's data is wiped.
 */
export const agentOutbox = sqliteTable("agent_outbox", {
  seq: integer("seq").primaryKey({ autoIncrement: true }),
  /** The event as the agent's file audit recorded it (`NewEvent` as JSON). */
  event: text("event").notNull(),
  /** When the agent recorded it. */
  recordedAt: integer("recorded_at").notNull(),
});

/**
 * Which agent events the recorder has stored (`agent`, `seq`) and as which `events` row: a
 * redelivery, even beyond JetStream's duplicate window, finds its receipt and stores nothing.
 */
export const agentReceipts = sqliteTable(
  "agent_receipts",
  {
    agentId: text("agent_id").notNull(),
    seq: integer("seq").notNull(),
    eventId: integer("event_id").notNull(),
    recordedAt: integer("recorded_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.agentId, t.seq] })],
);
