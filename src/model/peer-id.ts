/**
 * Marked peer ids, as Telegram clients print them: users are positive, basic groups `-id`,
 * channels and supergroups `-100…id` (`-1000000000000 - id`). One number names one peer, so the
 * store, the config and the log posts all speak in marked ids.
 */

/** The offset Telegram's clients add to channel ids to mark them. */
const CHANNEL_MARK = 1_000_000_000_000;

/** What kind of peer a marked id names. */
export type PeerKind = "user" | "chat" | "channel";

/** Marked id of a channel or supergroup from its bare id. */
export function markChannel(bareId: number): number {
  return -(CHANNEL_MARK + bareId);
}

/** Marked id of a basic group from its bare id. */
export function markChat(bareId: number): number {
  return -bareId;
}

/** Which kind of peer a marked id names. */
export function peerKindOf(markedId: number): PeerKind {
  if (markedId > 0) return "user";
  return markedId <= -CHANNEL_MARK ? "channel" : "chat";
}

/** The bare id (as Telegram's API objects carry it) of a marked id. */
export function bareIdOf(markedId: number): number {
  const kind = peerKindOf(markedId);
  if (kind === "user") return markedId;
  return kind === "channel" ? -markedId - CHANNEL_MARK : -markedId;
}

/** Where the log chat is: a marked id, or `me` (Saved Messages). */
export type LogChatTarget = { kind: "self" } | { kind: "peer"; peerId: number };

function parseId(raw: string): number | null {
  const s = raw.trim();
  if (!/^-?\d+$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) && n !== 0 ? n : null;
}

/** Parses `LOG_CHAT_ID`: `me`/`self`, or a marked id such as `-1001234567890`. */
export function parseLogChat(raw: string, fail: (problem: string) => Error): LogChatTarget {
  const s = raw.trim();
  if (/^(me|self)$/i.test(s)) return { kind: "self" };
  const id = parseId(s);
  if (id === null) {
    throw fail(`expected a chat id such as -1001234567890 or "me", got "${raw}"`);
  }
  return { kind: "peer", peerId: id };
}

/**
 * Ids whose chats and senders are never logged. A marked id matches that peer only; a bare
 * positive id matches the user, the basic group and the channel with that id, because users of the
 * Python logger wrote ids either way.
 */
export class IgnoredIds {
  readonly #marked: ReadonlySet<number>;
  readonly #bare: ReadonlySet<number>;

  constructor(marked: Iterable<number>, bare: Iterable<number>) {
    this.#marked = new Set(marked);
    this.#bare = new Set(bare);
  }

  /** Whether a peer (by marked id) is ignored. */
  has(markedId: number | null | undefined): boolean {
    if (markedId === null || markedId === undefined) return false;
    return this.#marked.has(markedId) || this.#bare.has(bareIdOf(markedId));
  }

  get size(): number {
    return this.#marked.size + this.#bare.size;
  }
}

/**
 * Parses `IGNORED_IDS`: a JSON-style list (`[123, -100456]`) as the Python logger took it, or
 * ids separated by commas or spaces. Negative ids are marked; positive ids are matched both as a
 * user id and as a bare group/channel id.
 */
export function parseIgnoredIds(raw: string, fail: (problem: string) => Error): IgnoredIds {
  const s = raw.trim().replace(/^\[/, "").replace(/\]$/, "");
  const marked: number[] = [];
  const bare: number[] = [];
  for (const part of s.split(/[\s,]+/)) {
    if (part === "") continue;
    const id = parseId(part.replace(/^"|"$/g, ""));
    if (id === null)
      throw fail(`"${part}" is not a chat or user id (expected e.g. 123456 or -1001234567890)`);
    if (id < 0) marked.push(id);
    else {
      marked.push(id);
      bare.push(id);
    }
  }
  return new IgnoredIds(marked, bare);
}
