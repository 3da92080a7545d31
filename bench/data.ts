/**
 * Realistic Telegram data for the benchmarks, built from a seeded random source: a "world" of
 * peers (users, basic groups, supergroups, broadcast channels), message texts of 20–300 chars
 * (some with formatting entities), the update containers Telegram pushes for new messages, and
 * a fast SQL fill of a large `messages` table.
 */

import { performance } from "node:perf_hooks";
import bigInt from "big-integer";
import { Api } from "telegram";
import { BinaryReader } from "telegram/extensions/index.js";
import { openStore } from "../src/store/db.ts";
import { PeerStore } from "../src/store/peers.ts";
import { entitiesJson, entitiesToStored } from "../src/telegram/entities.ts";
import { peerInfoOf } from "../src/telegram/message-map.ts";
import { channel, chat, shortChatMessage, shortMessage, updates, user } from "../test/support/tl-factory.ts";
import { intBetween, pick, type Rng } from "./support.ts";

// ---------------------------------------------------------------- texts

const WORDS = (
  "the a to and of in is it for on that this with you we be are have not at can will meeting " +
  "tomorrow today deploy release server build please check link file photo sounds good thanks " +
  "привет как дела завтра встреча hola gracias 🙂 👍 🎉 ok yes no maybe later report invoice " +
  "дякую зустріч їжа є ґанок сьогодні її квітень звіт будь ласка добре " +
  "client project deadline review merge branch ticket call me back at 10:30 price total"
).split(" ");

/** A formatting entity in the plain form the generators use (UTF-16 offsets, like Telegram). */
export interface PlainEntity {
  kind: "bold" | "italic" | "code" | "url" | "mention";
  offset: number;
  length: number;
}

/** A message text of 20–300 characters (mostly short, as chats are), with entities ~25 % of the time. */
export function messageText(rng: Rng, tag: string): { text: string; entities: PlainEntity[] } {
  const r = rng();
  const target =
    r < 0.6 ? intBetween(rng, 20, 80) : r < 0.9 ? intBetween(rng, 80, 200) : intBetween(rng, 200, 300);
  const words: string[] = [];
  let len = tag.length;
  while (len < target) {
    const w = pick(rng, WORDS);
    words.push(w);
    len += w.length + 1;
  }
  let text = `${words.join(" ")} ${tag}`;
  if (text.length > 300) text = `${text.slice(0, 299 - tag.length)} ${tag}`;
  const entities: PlainEntity[] = [];
  if (rng() < 0.25) {
    let offset = 0;
    for (const w of words) {
      if (offset + w.length > text.length - tag.length) break;
      if (rng() < 0.15)
        entities.push({ kind: pick(rng, ["bold", "italic", "code"] as const), offset, length: w.length });
      offset += w.length + 1;
    }
    if (rng() < 0.3) {
      const url = " https://example.org/x";
      entities.push({ kind: "url", offset: text.length + 1, length: url.length - 1 });
      text += url;
    }
    if (rng() < 0.3) {
      entities.push({ kind: "mention", offset: text.length + 1, length: 6 });
      text += " @alice";
    }
  }
  return { text, entities };
}

/** The TL entities for plain ones. */
export function apiEntities(entities: readonly PlainEntity[]): Api.TypeMessageEntity[] {
  return entities.map((e) => {
    const at = { offset: e.offset, length: e.length };
    if (e.kind === "bold") return new Api.MessageEntityBold(at);
    if (e.kind === "italic") return new Api.MessageEntityItalic(at);
    if (e.kind === "code") return new Api.MessageEntityCode(at);
    if (e.kind === "url") return new Api.MessageEntityUrl(at);
    return new Api.MessageEntityMention(at);
  });
}

// ---------------------------------------------------------------- world

/** The peers messages come from: private chats, basic groups, supergroups, broadcast channels. */
export interface World {
  selfId: number;
  /** The account itself, as containers of outgoing messages name it (matches the fixture's self). */
  self: Api.User;
  users: Api.User[];
  groups: Api.Chat[];
  supergroups: Api.Channel[];
  channels: Api.Channel[];
}

/** Ids stay clear of the fixture's self (100) and log channel (1_999_000_111). */
export function buildWorld(
  counts = { users: 300, groups: 40, supergroups: 60, channels: 20 },
  selfId = 100,
): World {
  const users = Array.from({ length: counts.users }, (_, i) =>
    user({
      id: 200_000 + i,
      firstName: `User${i}`,
      lastName: i % 3 ? "Doe" : undefined,
      username: i % 2 ? `user${i}` : undefined,
      bot: i % 50 === 49,
    }),
  );
  const groups = Array.from({ length: counts.groups }, (_, i) =>
    chat({ id: 300_000 + i, title: `Group ${i}` }),
  );
  const supergroups = Array.from({ length: counts.supergroups }, (_, i) =>
    channel({
      id: 1_500_000_000 + i,
      title: `Supergroup ${i}`,
      megagroup: true,
      username: i % 2 ? `sg${i}` : undefined,
    }),
  );
  const channels = Array.from({ length: counts.channels }, (_, i) =>
    channel({ id: 1_600_000_000 + i, title: `Channel ${i}`, megagroup: false, username: `ch${i}` }),
  );
  const self = user({ id: selfId, firstName: "Owner", username: "owner", self: true });
  return { selfId, self, users, groups, supergroups, channels };
}

/** Where a generated message lives, and its text: what deletions and checks need. */
export interface GeneratedMessage {
  kind: "private" | "group" | "supergroup" | "channel";
  /** Bare peer id (user, chat or channel id as TL objects carry it). */
  peerId: number;
  messageId: number;
  text: string;
}

/** A batch of update containers plus what they carry. */
export interface Generated {
  containers: Api.TypeUpdates[];
  messages: GeneratedMessage[];
  /** Where the update sequences stand after these containers; later updates continue from it. */
  pts: PtsSequence;
}

/**
 * `pts` as Telegram numbers updates: one sequence for the account (private chats, basic groups),
 * one per channel, each update moving it by its `ptsCount`. Containers with consistent `pts` do not
 * trip the app's gap detection (catch-up), as a healthy connection would not. The account
 * sequence starts after 1, the offline server's `updates.GetState`.
 */
export class PtsSequence {
  #account = 1;
  readonly #channels = new Map<number, number>();
  account(count = 1): number {
    this.#account += count;
    return this.#account;
  }
  channel(channelId: number, count = 1): number {
    const next = (this.#channels.get(channelId) ?? 0) + count;
    this.#channels.set(channelId, next);
    return next;
  }
}

/**
 * Builds containers the way Telegram sends new messages: private and basic-group text as the short
 * forms (`UpdateShortMessage`/`UpdateShortChatMessage`) most of the time, else `Updates` with the
 * sender and chat; supergroups and channels as `Updates{UpdateNewChannelMessage × 1–4, users, chats}`.
 * Mix by message: 35 % private, 15 % basic groups, 35 % supergroups, 15 % channels; ~10 % outgoing.
 * Private and basic-group ids share one account-wide sequence; each channel has its own.
 */
export function generateNewMessages(world: World, rng: Rng, count: number): Generated {
  const pts = new PtsSequence();
  const containers: Api.TypeUpdates[] = [];
  const messages: GeneratedMessage[] = [];
  let accountId = 100_000;
  const channelIds = new Map<number, number>();
  const now = Math.floor(Date.now() / 1000);
  let n = 0;
  const nextText = () => messageText(rng, `[m${(n++).toString(36)}]`); // unique, never a prefix of another
  while (messages.length < count) {
    const r = rng();
    // Container odds chosen so that messages (channel containers carry ~1.45) split 35/15/35/15.
    if (r < 0.593) {
      // Private chat or basic group: one message per container.
      const isPrivate = r < 0.415;
      const from = pick(rng, world.users);
      const out = rng() < 0.1;
      const { text, entities } = nextText();
      const id = ++accountId;
      const short = rng() < 0.7;
      const date = now - intBetween(rng, 0, 3600);
      const group = isPrivate ? undefined : pick(rng, world.groups);
      messages.push(
        group
          ? { kind: "group", peerId: group.id.toJSNumber(), messageId: id, text }
          : { kind: "private", peerId: from.id.toJSNumber(), messageId: id, text },
      );
      if (short) {
        const common = { id, text, out, entities: apiEntities(entities), date };
        const container = group
          ? shortChatMessage({ ...common, fromId: out ? world.selfId : from.id, chatId: group.id })
          : shortMessage({ ...common, userId: from.id });
        container.pts = pts.account();
        containers.push(container);
      } else {
        const peer = group ? new Api.PeerChat({ chatId: group.id }) : new Api.PeerUser({ userId: from.id });
        const sender = out ? selfPeer(world) : new Api.PeerUser({ userId: from.id });
        const m = newMessage(id, peer, sender, text, entities, date, out);
        containers.push(
          updates([new Api.UpdateNewMessage({ message: m, pts: pts.account(), ptsCount: 1 })], {
            users: out ? [from, world.self] : [from],
            chats: group ? [group] : [],
          }),
        );
      }
      continue;
    }
    // Supergroup or broadcast channel: 1–4 messages of one chat per container.
    const isSuper = r < 0.878;
    const ch = pick(rng, isSuper ? world.supergroups : world.channels);
    const chId = ch.id.toJSNumber();
    const k = Math.min(count - messages.length, rng() < 0.7 ? 1 : rng() < 0.66 ? 2 : intBetween(rng, 3, 4));
    const list: Api.TypeUpdate[] = [];
    const users = new Set<Api.User>();
    for (let i = 0; i < k; i++) {
      const { text, entities } = nextText();
      const id = (channelIds.get(chId) ?? 0) + 1;
      channelIds.set(chId, id);
      const from = isSuper ? pick(rng, world.users) : undefined;
      if (from) users.add(from);
      const m = newMessage(
        id,
        new Api.PeerChannel({ channelId: ch.id }),
        from && new Api.PeerUser({ userId: from.id }),
        text,
        entities,
        now - intBetween(rng, 0, 3600),
        false,
        !isSuper,
      );
      list.push(new Api.UpdateNewChannelMessage({ message: m, pts: pts.channel(chId), ptsCount: 1 }));
      messages.push({ kind: isSuper ? "supergroup" : "channel", peerId: chId, messageId: id, text });
    }
    containers.push(updates(list, { users: [...users], chats: [ch] }));
  }
  return { containers, messages, pts };
}

function selfPeer(world: World): Api.PeerUser {
  return new Api.PeerUser({ userId: bigInt(world.selfId) });
}

function newMessage(
  id: number,
  peerId: Api.TypePeer,
  fromId: Api.TypePeer | undefined,
  text: string,
  entities: readonly PlainEntity[],
  date: number,
  out: boolean,
  post = false,
): Api.Message {
  return new Api.Message({
    id,
    peerId,
    fromId,
    date,
    message: text,
    entities: entities.length ? apiEntities(entities) : undefined,
    out: out || undefined,
    post: post || undefined,
  });
}

/** Number of inner updates (= messages) in a container. */
export function updatesIn(container: Api.TypeUpdates): number {
  return container instanceof Api.Updates || container instanceof Api.UpdatesCombined
    ? container.updates.length
    : 1;
}

/** Serializes and parses a container back, as the network layer hands it to GramJS. */
export function viaBytes<T extends Api.TypeUpdates>(container: T): T {
  return new BinaryReader(container.getBytes()).tgReadObject() as T;
}

// ---------------------------------------------------------------- a big database

/** One message to delete: `channelId` (bare) for channel deletions, null for id-only ones. */
export interface Target {
  channelId: number | null;
  chatId: number;
  messageId: number;
}

/**
 * Fills the database `file` (created and migrated by `openStore`) with `rows` message rows in time
 * order over a year, straight through SQL: 35 % private chats, 15 % basic groups (one account-wide
 * id sequence), 35 % supergroups, 15 % channels (an id sequence each); peers rows for the world.
 * Returns a picker of distinct stored messages (alternately id-only and channel ones).
 */
export interface FillOptions {
  /**
   * A text of its own for every row (tagged `m<row in base 36>`), instead of cycling through 4096:
   * what a search index over the texts needs to be measured on (its size, rare words).
   */
  uniqueTexts?: boolean;
}

export function fillMessages(
  file: string,
  world: World,
  rng: Rng,
  rows: number,
  options: FillOptions = {},
): { pick(n: number): Target[]; ms: number } {
  const store = openStore(file);
  const peers = new PeerStore(store.db);
  const now = Date.now();
  for (const e of [...world.users, ...world.groups, ...world.supergroups, ...world.channels]) {
    peers.remember(peerInfoOf(e, world.selfId)!, now);
  }
  store.sqlite.pragma("cache_size = -262144"); // the fill only; the app runs with its own settings
  const storedText = (r: Rng, tag: string) => {
    const t = messageText(r, tag);
    return {
      text: t.text,
      entities: t.entities.length ? entitiesJson(entitiesToStored(apiEntities(t.entities))) : null,
    };
  };
  const pool = Array.from({ length: 4096 }, (_, i) => storedText(rng, `p${i}`));
  const insert = store.sqlite.prepare(
    "INSERT INTO messages (chat_id, message_id, chat_type, sender_id, date, text, entities, outgoing, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const channelLast = new Map<number, number>();
  let accountLast = 0;
  const start = now - 365 * 86_400_000;
  const t0 = performance.now();
  const chunk = store.sqlite.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const r = rng();
      const date = Math.round(start + (i * (now - start)) / rows);
      const { text, entities } = options.uniqueTexts
        ? storedText(rng, `m${i.toString(36)}`)
        : pool[i % pool.length]!;
      const from = pick(rng, world.users);
      let out = rng() < 0.1 ? 1 : 0;
      let chatId: number, id: number, type: string, sender: number | null;
      if (r < 0.5) {
        id = ++accountLast; // private chats and basic groups share the account's id sequence
        const inGroup = r >= 0.35;
        chatId = inGroup ? -pick(rng, world.groups).id.toJSNumber() : from.id.toJSNumber();
        type = inGroup ? "group" : from.bot ? "bot" : "user";
        sender = out ? world.selfId : from.id.toJSNumber();
      } else {
        const isSuper = r < 0.85;
        const bare = pick(rng, isSuper ? world.supergroups : world.channels).id.toJSNumber();
        id = (channelLast.get(bare) ?? 0) + 1;
        channelLast.set(bare, id);
        chatId = -(1e12 + bare);
        type = isSuper ? "supergroup" : "channel";
        sender = isSuper ? from.id.toJSNumber() : null;
        out = 0;
      }
      insert.run(chatId, id, type, sender, date, text, entities, out, date);
    }
  });
  for (let i = 0; i < rows; i += 50_000) chunk.immediate(i, Math.min(rows, i + 50_000));
  const fillMs = performance.now() - t0;
  store.close();
  const taken = new Set<string>();
  const channels = [...channelLast];
  const pickTargets = (n: number): Target[] => {
    const out: Target[] = [];
    while (out.length < n) {
      const [bare, last] = out.length % 2 === 0 ? [null, accountLast] : pick(rng, channels);
      const messageId = 1 + Math.floor(rng() * last);
      if (taken.has(`${bare}/${messageId}`)) continue;
      taken.add(`${bare}/${messageId}`);
      out.push({ channelId: bare, chatId: bare === null ? 0 : -(1e12 + bare), messageId });
    }
    return out.sort(() => rng() - 0.5);
  };
  return { ms: fillMs, pick: pickTargets };
}
