/**
 * Small factories for the TL objects offline Telegram tests need: users, chats, channels, messages,
 * media and the update containers the server pushes. Everything returned is a real `Api.*` object
 * that serializes to the bytes Telegram would send, so it can be pushed through GramJS's own
 * dispatch by `FakeTelegram.push` (see fake-telegram.ts).
 *
 * Ids may be given as `number`, `bigint`, decimal string or `big-integer`; they are converted to
 * `big-integer`, which is what GramJS uses for `long` fields.
 */
import bigInt, { type BigInteger } from "big-integer";
import { Api } from "telegram";

/** Any id a test may write: GramJS wants `big-integer`, tests prefer plain numbers or `bigint`. */
export type Id = number | bigint | string | BigInteger;

/** Converts any accepted id to the `big-integer` GramJS expects for `long` fields. */
export function big(id: Id): BigInteger {
  return bigInt.isInstance(id) ? (id as BigInteger) : bigInt(id.toString());
}

/** An entity or a bare peer: what the message and update factories accept as "where" or "who". */
export type PeerRef = Api.User | Api.Chat | Api.Channel | Api.TypePeer;

/** The `Api.Peer*` for an entity (User → PeerUser, Chat → PeerChat, Channel → PeerChannel). */
export function peerOf(ref: PeerRef): Api.TypePeer {
  if (ref instanceof Api.User) return new Api.PeerUser({ userId: ref.id });
  if (ref instanceof Api.Chat) return new Api.PeerChat({ chatId: ref.id });
  if (ref instanceof Api.Channel) return new Api.PeerChannel({ channelId: ref.id });
  return ref;
}

/** Current Unix time in seconds, the unit of every TL `date` field. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

let ptsCounter = 1000;
/** A fresh, increasing pts, so every update container carries plausible sequence fields. */
export function nextPts(): number {
  ptsCounter += 1;
  return ptsCounter;
}

/** Deterministic-looking access hash derived from the id, so tests need not invent one. */
function defaultHash(id: BigInteger): BigInteger {
  return id.multiply(7919).add(12345);
}

/** A user (or bot) as Telegram sends it in `users` vectors. */
export function user(opts: {
  id: Id;
  firstName: string;
  lastName?: string;
  username?: string;
  bot?: boolean;
  self?: boolean;
  phone?: string;
  accessHash?: Id;
}): Api.User {
  const id = big(opts.id);
  return new Api.User({
    id,
    accessHash: opts.accessHash === undefined ? defaultHash(id) : big(opts.accessHash),
    firstName: opts.firstName,
    lastName: opts.lastName,
    username: opts.username,
    phone: opts.phone,
    bot: opts.bot || undefined,
    // `bot_info_version` shares the `bot` flag bit: a bot without it does not serialize.
    botInfoVersion: opts.bot ? 1 : undefined,
    self: opts.self || undefined,
  });
}

/** A basic group (marked id `-id`). */
export function chat(opts: {
  id: Id;
  title: string;
  noforwards?: boolean;
  participantsCount?: number;
}): Api.Chat {
  return new Api.Chat({
    id: big(opts.id),
    title: opts.title,
    photo: new Api.ChatPhotoEmpty(),
    participantsCount: opts.participantsCount ?? 3,
    date: nowSeconds(),
    version: 1,
    noforwards: opts.noforwards || undefined,
  });
}

/** A supergroup (`megagroup: true`) or broadcast channel (marked id `-100…`). */
export function channel(opts: {
  id: Id;
  title: string;
  megagroup?: boolean;
  username?: string;
  noforwards?: boolean;
  accessHash?: Id;
}): Api.Channel {
  const id = big(opts.id);
  return new Api.Channel({
    id,
    accessHash: opts.accessHash === undefined ? defaultHash(id) : big(opts.accessHash),
    title: opts.title,
    username: opts.username,
    photo: new Api.ChatPhotoEmpty(),
    date: nowSeconds(),
    megagroup: opts.megagroup || undefined,
    broadcast: opts.megagroup ? undefined : true,
    noforwards: opts.noforwards || undefined,
  });
}

/** Reactions written briefly: `[{ emoji: "👍", count: 2 }]`, or a full `Api.MessageReactions`. */
export type ReactionsLike = Api.MessageReactions | { emoji: string; count: number }[];

function reactionsOf(r: ReactionsLike | undefined): Api.MessageReactions | undefined {
  if (r === undefined || r instanceof Api.MessageReactions) return r;
  return new Api.MessageReactions({
    results: r.map(
      (x) =>
        new Api.ReactionCount({ reaction: new Api.ReactionEmoji({ emoticon: x.emoji }), count: x.count }),
    ),
  });
}

/** A message as it appears inside `UpdateNewMessage` / `UpdateEditChannelMessage` / results. */
export function message(opts: {
  id: number;
  peer: PeerRef;
  from?: PeerRef;
  text?: string;
  entities?: Api.TypeMessageEntity[];
  date?: number;
  out?: boolean;
  media?: Api.TypeMessageMedia;
  ttlPeriod?: number;
  noforwards?: boolean;
  editDate?: number;
  reactions?: ReactionsLike;
  groupedId?: Id;
  replyToMsgId?: number;
  post?: boolean;
}): Api.Message {
  return new Api.Message({
    id: opts.id,
    peerId: peerOf(opts.peer),
    fromId: opts.from === undefined ? undefined : peerOf(opts.from),
    date: opts.date ?? nowSeconds(),
    message: opts.text ?? "",
    entities: opts.entities?.length ? opts.entities : undefined,
    out: opts.out || undefined,
    media: opts.media,
    ttlPeriod: opts.ttlPeriod,
    noforwards: opts.noforwards || undefined,
    editDate: opts.editDate,
    reactions: reactionsOf(opts.reactions),
    groupedId: opts.groupedId === undefined ? undefined : big(opts.groupedId),
    replyTo:
      opts.replyToMsgId === undefined
        ? undefined
        : new Api.MessageReplyHeader({ replyToMsgId: opts.replyToMsgId }),
    post: opts.post || undefined,
  });
}

/** Users and chats a container carries so GramJS (and the app) can resolve the peers it mentions. */
export interface Entities {
  users?: Api.TypeUser[];
  chats?: Api.TypeChat[];
}

/** Wraps updates in the `Api.Updates` container the server pushes, with date/seq filled. */
export function updates(list: Api.TypeUpdate[], entities: Entities = {}): Api.Updates {
  return new Api.Updates({
    updates: list,
    users: entities.users ?? [],
    chats: entities.chats ?? [],
    date: nowSeconds(),
    seq: 0,
  });
}

function isChannelMessage(msg: Api.Message): boolean {
  return msg.peerId instanceof Api.PeerChannel;
}

/** A new message: `UpdateNewChannelMessage` for channel peers, else `UpdateNewMessage`, in `Updates`. */
export function newMessageUpdate(msg: Api.Message, entities: Entities = {}): Api.Updates {
  const fields = { message: msg, pts: nextPts(), ptsCount: 1 };
  const update = isChannelMessage(msg)
    ? new Api.UpdateNewChannelMessage(fields)
    : new Api.UpdateNewMessage(fields);
  return updates([update], entities);
}

/**
 * An edit: `UpdateEditChannelMessage` / `UpdateEditMessage` carrying the whole new message. Sets
 * `editDate` to now when the message has none (Telegram always sets it on real edits).
 */
export function editMessageUpdate(msg: Api.Message, entities: Entities = {}): Api.Updates {
  if (msg.editDate === undefined || msg.editDate === null) msg.editDate = nowSeconds();
  const fields = { message: msg, pts: nextPts(), ptsCount: 1 };
  const update = isChannelMessage(msg)
    ? new Api.UpdateEditChannelMessage(fields)
    : new Api.UpdateEditMessage(fields);
  return updates([update], entities);
}

/** Deletion in a private chat or basic group: message ids only, no chat id, in an `UpdateShort`. */
export function deleteMessagesUpdate(ids: number[]): Api.UpdateShort {
  return new Api.UpdateShort({
    update: new Api.UpdateDeleteMessages({ messages: ids, pts: nextPts(), ptsCount: ids.length }),
    date: nowSeconds(),
  });
}

/** Deletion in a channel or supergroup: `UpdateDeleteChannelMessages{channelId, messages}`. */
export function deleteChannelMessagesUpdate(
  channelId: Id,
  ids: number[],
  entities: Entities = {},
): Api.Updates {
  return updates(
    [
      new Api.UpdateDeleteChannelMessages({
        channelId: big(channelId),
        messages: ids,
        pts: nextPts(),
        ptsCount: ids.length,
      }),
    ],
    entities,
  );
}

/** A private text message in the compact form Telegram uses when nothing else is attached. */
export function shortMessage(opts: {
  id: number;
  userId: Id;
  text: string;
  out?: boolean;
  entities?: Api.TypeMessageEntity[];
  date?: number;
  ttlPeriod?: number;
}): Api.UpdateShortMessage {
  return new Api.UpdateShortMessage({
    id: opts.id,
    userId: big(opts.userId),
    message: opts.text,
    out: opts.out || undefined,
    entities: opts.entities?.length ? opts.entities : undefined,
    pts: nextPts(),
    ptsCount: 1,
    date: opts.date ?? nowSeconds(),
    ttlPeriod: opts.ttlPeriod,
  });
}

/** A basic-group text message in compact form (`UpdateShortChatMessage`). */
export function shortChatMessage(opts: {
  id: number;
  fromId: Id;
  chatId: Id;
  text: string;
  out?: boolean;
  entities?: Api.TypeMessageEntity[];
  date?: number;
}): Api.UpdateShortChatMessage {
  return new Api.UpdateShortChatMessage({
    id: opts.id,
    fromId: big(opts.fromId),
    chatId: big(opts.chatId),
    message: opts.text,
    out: opts.out || undefined,
    entities: opts.entities?.length ? opts.entities : undefined,
    pts: nextPts(),
    ptsCount: 1,
    date: opts.date ?? nowSeconds(),
  });
}

/** The full `Api.Message` a compact `UpdateShortMessage`/`UpdateShortChatMessage` stands for. */
export function messageOfShort(
  short: Api.UpdateShortMessage | Api.UpdateShortChatMessage,
  selfId: Id,
): Api.Message {
  const isPrivate = short instanceof Api.UpdateShortMessage;
  const other = isPrivate ? short.userId : short.fromId;
  return message({
    id: short.id,
    peer: isPrivate ? new Api.PeerUser({ userId: short.userId }) : new Api.PeerChat({ chatId: short.chatId }),
    from: new Api.PeerUser({ userId: short.out ? big(selfId) : other }),
    out: !!short.out,
    text: short.message,
    entities: short.entities ?? undefined,
    date: short.date,
    ttlPeriod: short.ttlPeriod ?? undefined,
  });
}

let mediaIdCounter = 5_000_000;
/** A fresh id for documents and photos the tests or the fake create. */
export function nextMediaId(): BigInteger {
  mediaIdCounter += 1;
  return bigInt(mediaIdCounter);
}

/** Options shared by the document factory and `FakeTelegram.documentMedia`. */
export interface DocumentOptions {
  id?: Id;
  size: number;
  mimeType?: string;
  fileName?: string;
  /** Extra attributes (video, audio/voice, sticker, animated...) besides the file name. */
  attributes?: Api.TypeDocumentAttribute[];
  ttlSeconds?: number;
  dcId?: number;
  /** Media flags Telegram sets on the MessageMedia (inferred from `attributes` when omitted). */
  voice?: boolean;
  round?: boolean;
  video?: boolean;
}

/** A `MessageMediaDocument` whose document has the given size (bytes served by the fake). */
export function documentMedia(opts: DocumentOptions): Api.MessageMediaDocument {
  const id = opts.id === undefined ? nextMediaId() : big(opts.id);
  const attributes = [...(opts.attributes ?? [])];
  if (opts.fileName !== undefined)
    attributes.push(new Api.DocumentAttributeFilename({ fileName: opts.fileName }));
  const document = new Api.Document({
    id,
    accessHash: defaultHash(id),
    fileReference: Buffer.from(`ref-${id}`),
    date: nowSeconds(),
    mimeType: opts.mimeType ?? "application/octet-stream",
    size: bigInt(opts.size),
    dcId: opts.dcId ?? 2,
    attributes,
  });
  return mediaOfDocument(document, opts);
}

/**
 * Wraps a document in `MessageMediaDocument` with the kind flags Telegram sets (voice, round, video),
 * inferred from its attributes unless given.
 */
export function mediaOfDocument(
  document: Api.Document,
  opts: { ttlSeconds?: number; voice?: boolean; round?: boolean; video?: boolean } = {},
): Api.MessageMediaDocument {
  const videoAttr = document.attributes.find((a) => a instanceof Api.DocumentAttributeVideo);
  const voiceAttr = document.attributes.some((a) => a instanceof Api.DocumentAttributeAudio && a.voice);
  return new Api.MessageMediaDocument({
    document,
    ttlSeconds: opts.ttlSeconds,
    voice: (opts.voice ?? voiceAttr) || undefined,
    round: (opts.round ?? videoAttr?.roundMessage) || undefined,
    video: (opts.video ?? (videoAttr !== undefined && !videoAttr.roundMessage)) || undefined,
  });
}

/** Options shared by the photo factory and `FakeTelegram.photoMedia`. */
export interface PhotoOptions {
  id?: Id;
  size: number;
  w?: number;
  h?: number;
  ttlSeconds?: number;
  dcId?: number;
}

/** A `MessageMediaPhoto` with one downloadable size ("y") of the given byte size. */
export function photoMedia(opts: PhotoOptions): Api.MessageMediaPhoto {
  const id = opts.id === undefined ? nextMediaId() : big(opts.id);
  const photo = new Api.Photo({
    id,
    accessHash: defaultHash(id),
    fileReference: Buffer.from(`ref-${id}`),
    date: nowSeconds(),
    sizes: [new Api.PhotoSize({ type: "y", w: opts.w ?? 800, h: opts.h ?? 600, size: opts.size })],
    dcId: opts.dcId ?? 2,
  });
  return new Api.MessageMediaPhoto({ photo, ttlSeconds: opts.ttlSeconds });
}
