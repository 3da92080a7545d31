/**
 * Offline Telegram for tests: a REAL `TelegramClient` whose MTProto senders are replaced by a fake
 * server (GRAMJS-NOTES.md, "Driving it offline"). Every request GramJS builds is parsed back from its
 * bytes, recorded, and answered with real TL bytes, so tests exercise GramJS's own request building,
 * result parsing, upload/download loops, error classes and update dispatch, and assert on what the
 * app actually sent (peer, text, entities, random ids, uploaded bytes).
 */
import type { BigInteger } from "big-integer";
import { Api, Logger, TelegramClient, utils } from "telegram";
import { _handleUpdate } from "telegram/client/updates.js";
import { RPCMessageToError } from "telegram/errors/index.js";
import { BinaryReader } from "telegram/extensions/index.js";
import { LogLevel } from "telegram/extensions/Logger.js";
import type { MTProtoSender } from "telegram/network/index.js";
import { StringSession } from "telegram/sessions/index.js";
import {
  type DocumentOptions,
  type Id,
  documentMedia as makeDocumentMedia,
  photoMedia as makePhotoMedia,
  mediaOfDocument,
  message,
  messageOfShort,
  nextMediaId,
  nowSeconds,
  type PhotoOptions,
  updates,
  user,
} from "./tl-factory.ts";

/** One request as Telegram received it: parsed back from the bytes GramJS produced. */
export interface RecordedRequest<T = Api.AnyRequest> {
  className: string;
  request: T;
  /** The data centre whose sender carried it (downloads may go to other DCs). */
  dcId: number;
  /** The error it was answered with, if any (`RANDOM_ID_DUPLICATE`, `TIMEOUT`, ...). */
  error?: string;
}

/** Request classes the fake answers by itself, for a typed `requestsOf`. Others work untyped. */
export interface KnownRequests {
  "messages.SendMessage": Api.messages.SendMessage;
  "messages.SendMedia": Api.messages.SendMedia;
  "messages.SendMultiMedia": Api.messages.SendMultiMedia;
  "messages.UploadMedia": Api.messages.UploadMedia;
  "messages.GetMessages": Api.messages.GetMessages;
  "messages.GetChats": Api.messages.GetChats;
  "channels.GetMessages": Api.channels.GetMessages;
  "channels.GetChannels": Api.channels.GetChannels;
  "users.GetUsers": Api.users.GetUsers;
  "contacts.ResolveUsername": Api.contacts.ResolveUsername;
  "upload.SaveFilePart": Api.upload.SaveFilePart;
  "upload.SaveBigFilePart": Api.upload.SaveBigFilePart;
  "upload.GetFile": Api.upload.GetFile;
  "updates.GetState": Api.updates.GetState;
  "updates.GetDifference": Api.updates.GetDifference;
  "updates.GetChannelDifference": Api.updates.GetChannelDifference;
}

/** A message the fake server accepted and posted: what a log-chat reader would see. */
export interface DeliveredMessage {
  /** Marked chat id (`utils.getPeerId`): "123" user, "-45" basic group, "-100…" channel. */
  chatId: string;
  /** The input peer exactly as the client sent it. */
  peer: Api.TypeInputPeer;
  id: number;
  message: string;
  entities: Api.TypeMessageEntity[];
  randomId: bigint;
  /** The media as Telegram stored it (document/photo with a fresh id, downloadable again). */
  media?: Api.TypeMessageMedia;
  /** The file bytes behind `media` (reassembled upload, or the referenced file's bytes). */
  uploadedBytes?: Buffer;
  /** Request class that delivered it (`messages.SendMessage`, `messages.SendMedia`, ...). */
  via: string;
  tl: Api.Message;
}

/** Thrown by `handle()` handlers (and the built-in answers) to answer a request with an RPC error. */
export class FakeRpcError extends Error {
  readonly code: number;
  readonly errorMessage: string;
  constructor(code: number, errorMessage: string) {
    super(`${code}: ${errorMessage}`);
    this.code = code;
    this.errorMessage = errorMessage;
  }
}

/** What an answer may be: a TL object, a boolean, or a vector (of TL objects, ints or longs). */
export type Answer =
  | { getBytes(): Buffer }
  | boolean
  | readonly ({ getBytes(): Buffer } | number | BigInteger)[];

/** A custom answer for one request class; gets the request parsed from bytes. */
export type Handler = (
  request: Api.AnyRequest,
  ctx: { dcId: number; telegram: FakeTelegram; builtin: () => Answer },
) => Answer | Promise<Answer>;

/** Options for `createOfflineClient`. */
export interface OfflineClientOptions {
  /** The account the client is logged in as (default id 1000, "Test Owner"). */
  self?: { id?: Id; firstName?: string; lastName?: string; username?: string; accessHash?: Id };
  /** Home data centre (default 2, "at" 127.0.0.1:443: nothing is ever dialled). */
  dcId?: number;
  /** Pre-set `client._selfInputPeer` as if `getMe()` had run. Default false: the app must call it. */
  primeSelf?: boolean;
  /** GramJS's `requestRetries` (default 5, as the library; server errors are retried after 2 s). */
  requestRetries?: number;
}

interface RequestLike {
  className: string;
  getBytes(): Buffer;
  readResult(reader: BinaryReader): unknown;
}
interface Injected {
  kind: "rpc" | "lost";
  className: string;
  remaining: number;
  make: () => Error;
}
interface Item {
  randomId: BigInteger;
  message: string;
  entities: Api.TypeMessageEntity[];
  media?: Api.TypeInputMedia;
}
type Entity = Api.TypeUser | Api.TypeChat;

const MB = 1024 * 1024;

/** Stands in for GramJS's MTProtoSender: the members `invoke`, uploads, downloads and `destroy` use. */
class FakeSender {
  readonly dcId: number;
  userDisconnected = false;
  isConnecting = false;
  isReconnecting = false;
  _disconnected = false;
  _authenticated = true;
  readonly #answer: (request: RequestLike, dcId: number) => Promise<unknown>;
  constructor(answer: (request: RequestLike, dcId: number) => Promise<unknown>, dcId: number) {
    this.#answer = answer;
    this.dcId = dcId;
  }
  /** Where `client.invoke` queues a request state; it then awaits `state.promise`. */
  addStateToQueue(state: {
    request: RequestLike;
    resolve(v: unknown): void;
    reject(e: unknown): void;
  }): void {
    this.#answer(state.request, this.dcId).then(state.resolve, state.reject);
  }
  /** Used directly by uploads (`upload.SaveFilePart`). */
  send(request: RequestLike): Promise<unknown> {
    return this.#answer(request, this.dcId);
  }
  isConnected(): boolean {
    return !this.userDisconnected;
  }
  async disconnect(): Promise<void> {
    this.userDisconnected = true;
    this._disconnected = true;
  }
  reconnect(): void {}
}

/** The fake Telegram server plus the real client wired to it. Build with `createOfflineClient`. */
export class FakeTelegram {
  /** A real GramJS client: use it as production code does (`connect()` is a no-op, already authorized). */
  readonly client: TelegramClient;
  /** The logged-in user (answer to `users.GetUsers([InputUserSelf])`). */
  readonly self: Api.User;
  /** Every request in arrival order, parsed from bytes. */
  readonly requests: RecordedRequest[] = [];
  /** Messages that actually landed (duplicates and injected RPC failures excluded), in order. */
  readonly sent: DeliveredMessage[] = [];
  readonly #homeDc: number;
  readonly #senders = new Map<number, FakeSender>();
  readonly #handlers = new Map<string, Handler>();
  readonly #injected: Injected[] = [];
  readonly #entities = new Map<string, Entity>(); // by marked id
  readonly #messages = new Map<string, Api.Message>(); // "<id>" or "<marked channel id>/<id>"
  readonly #media = new Map<string, Api.Document | Api.Photo>();
  readonly #files = new Map<string, { bytes: Buffer; dcId: number }>();
  readonly #uploads = new Map<string, Map<number, Buffer>>();
  readonly #randomIds = new Set<string>();
  readonly #lastIds = new Map<string, number>();
  #pts = 1;
  #inFlight = 0;

  constructor(options: OfflineClientOptions = {}) {
    const s = options.self ?? {};
    const { id = 1000, firstName = "Test Owner", ...rest } = s;
    this.self = user({ id, firstName, ...rest, self: true });
    this.addEntities(this.self);
    this.#homeDc = options.dcId ?? 2;
    this.client = new TelegramClient(new StringSession(""), 1, "x", {
      baseLogger: new Logger(LogLevel.NONE),
      floodSleepThreshold: 0,
      requestRetries: options.requestRetries ?? 5,
    });
    this.client.session.setDC(this.#homeDc, "127.0.0.1", 443);
    this.client._sender = this.#senderFor(this.#homeDc) as unknown as MTProtoSender;
    const getSender = async (dcId?: number) => this.#senderFor(dcId || this.#homeDc);
    this.client.getSender = getSender as unknown as TelegramClient["getSender"];
    this.client._connectedDeferred.resolve(); // without it every invoke hangs forever, silently
    // The fake is always "connected": a real connect() would dial out and start the 9 s ping loop.
    this.client.connect = async () => true;
    if (options.primeSelf) this.client._selfInputPeer = utils.getInputPeer(this.self) as Api.InputPeerUser;
  }

  /** Recorded requests of one class, e.g. `requestsOf("messages.SendMessage")`. */
  requestsOf<K extends keyof KnownRequests>(className: K): RecordedRequest<KnownRequests[K]>[];
  requestsOf(className: string): RecordedRequest[];
  requestsOf(className: string): RecordedRequest[] {
    return this.requests.filter((r) => r.className === className);
  }

  /**
   * Answer the next `times` (default 1) requests of `className` with an RPC error built by the
   * library (`RPCMessageToError`): "FLOOD_WAIT_30" becomes a real `errors.FloodWaitError` with
   * `.seconds === 30`. Nothing is delivered. Code defaults to 420 for FLOOD*, 303 for *_MIGRATE_*, else 400.
   * GramJS itself retries some errors, each retry consuming one `times`: 5xx/RPC_CALL_FAIL after 2 s,
   * *_MIGRATE_* on another DC, and any FLOOD_WAIT during uploads (it sleeps the wait first).
   */
  failNext(className: string, errorMessage: string, opts: { code?: number; times?: number } = {}): void {
    const code = opts.code ?? (/FLOOD/.test(errorMessage) ? 420 : /_MIGRATE_/.test(errorMessage) ? 303 : 400);
    const make = () => new FakeRpcError(code, errorMessage);
    this.#injected.push({ kind: "rpc", className, remaining: opts.times ?? 1, make });
  }

  /**
   * The next `times` (default 1) requests of `className` are processed by the server (the message
   * IS delivered, its random id used) but the caller gets a non-RPC error instead of the reply
   * (default `Error("TIMEOUT")`), like a connection lost after sending. For exactly-once tests.
   */
  failAfterDelivery(className: string, opts: { error?: () => Error; times?: number } = {}): void {
    const make = opts.error ?? (() => new Error("TIMEOUT"));
    this.#injected.push({ kind: "lost", className, remaining: opts.times ?? 1, make });
  }

  /** Replace or add the answer for a request class; throw `FakeRpcError` from it to answer an error. */
  handle(className: string, handler: Handler): void {
    this.#handlers.set(className, handler);
  }

  /** Make users/chats/channels known to the server (lookups, username resolution, access-hash checks). */
  addEntities(...entities: Entity[]): void {
    for (const e of entities) this.#entities.set(utils.getPeerId(e), e);
  }

  /** Store messages server-side so `messages.GetMessages` / `channels.GetMessages` find them. */
  addMessages(...messages: Api.Message[]): void {
    for (const m of messages) {
      const counter = m.peerId instanceof Api.PeerChannel ? utils.getPeerId(m.peerId) : "account";
      this.#lastIds.set(counter, Math.max(this.#lastIds.get(counter) ?? 0, m.id));
      this.#messages.set(this.#messageKey(m.peerId, m.id), m);
    }
  }

  /** Serve `bytes` for `upload.GetFile` of a document/photo id, from `dcId` (default home DC). */
  registerFile(id: Id, bytes: Buffer, opts: { dcId?: number } = {}): void {
    this.#files.set(id.toString(), { bytes, dcId: opts.dcId ?? this.#homeDc });
  }

  /** A document media (see `tl-factory.documentMedia`) whose bytes are served for download. */
  documentMedia(opts: Omit<DocumentOptions, "size"> & { bytes: Buffer }): Api.MessageMediaDocument {
    const { bytes, ...rest } = opts;
    const media = makeDocumentMedia({ ...rest, size: bytes.length, dcId: rest.dcId ?? this.#homeDc });
    const doc = media.document as Api.Document;
    this.#media.set(doc.id.toString(), doc);
    this.registerFile(doc.id, bytes, { dcId: doc.dcId });
    return media;
  }

  /** A photo media (see `tl-factory.photoMedia`) whose bytes are served for download. */
  photoMedia(opts: Omit<PhotoOptions, "size"> & { bytes: Buffer }): Api.MessageMediaPhoto {
    const { bytes, ...rest } = opts;
    const media = makePhotoMedia({ ...rest, size: bytes.length, dcId: rest.dcId ?? this.#homeDc });
    const photo = media.photo as Api.Photo;
    this.#media.set(photo.id.toString(), photo);
    this.registerFile(photo.id, bytes, { dcId: photo.dcId });
    return media;
  }

  /** The bytes uploaded so far under an upload file id (`InputFile.id`), parts in order. */
  uploadedFile(fileId: Id): Buffer | undefined {
    const parts = this.#uploads.get(fileId.toString());
    return parts && Buffer.concat([...parts.entries()].sort((a, b) => a[0] - b[0]).map((p) => p[1]));
  }

  /**
   * Deliver an update container as the network layer does: serialized, parsed back, handed to
   * GramJS's `_handleUpdate`. The server learns its users/chats/messages and forgets deleted ones.
   * Resolves once dispatch has gone quiet (best effort: GramJS does not expose completion; app
   * tests should await their own queue, e.g. `app.idle()`).
   */
  async push(container: Api.TypeUpdates): Promise<void> {
    const parsed = new BinaryReader(container.getBytes()).tgReadObject() as Api.TypeUpdates;
    this.#learn(parsed);
    _handleUpdate(this.client, parsed as unknown as Api.TypeUpdate);
    await this.settle();
  }

  /** Wait until no fake request is in flight for a few event-loop turns. */
  async settle(): Promise<void> {
    let quiet = 0;
    for (let turn = 0; turn < 10_000 && quiet < 3; turn++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      quiet = this.#inFlight === 0 ? quiet + 1 : 0;
    }
  }

  /** `client.destroy()` (safe offline: no update/ping loop was started) and stop every fake sender. */
  async close(): Promise<void> {
    await this.client.destroy();
    for (const s of this.#senders.values()) await s.disconnect();
  }

  #senderFor(dcId: number): FakeSender {
    let sender = this.#senders.get(dcId);
    if (!sender) {
      sender = new FakeSender((request, dc) => this.#answer(request, dc), dcId);
      this.#senders.set(dcId, sender);
    }
    return sender;
  }

  #take(kind: Injected["kind"], className: string): Injected | undefined {
    const i = this.#injected.find((x) => x.kind === kind && x.className === className && x.remaining > 0);
    if (i) i.remaining -= 1;
    return i;
  }

  /** Record, answer through bytes (`request.readResult`), or reject as Telegram would. */
  async #answer(request: RequestLike, dcId: number): Promise<unknown> {
    const parsed = new BinaryReader(request.getBytes()).tgReadObject() as Api.AnyRequest;
    const record: RecordedRequest = { className: parsed.className, request: parsed, dcId };
    this.requests.push(record);
    this.#inFlight += 1;
    try {
      await Promise.resolve(); // reply asynchronously, like a network
      const injected = this.#take("rpc", record.className);
      if (injected) throw injected.make();
      const custom = this.#handlers.get(record.className);
      const answer = custom
        ? await custom(parsed, { dcId, telegram: this, builtin: () => this.#builtin(parsed, dcId) })
        : this.#builtin(parsed, dcId);
      const lost = this.#take("lost", record.className);
      if (lost) throw lost.make();
      return request.readResult(new BinaryReader(serialize(answer)));
    } catch (e) {
      record.error = e instanceof FakeRpcError ? e.errorMessage : e instanceof Error ? e.message : String(e);
      if (!(e instanceof FakeRpcError)) throw e;
      const rpc = new Api.RpcError({ errorCode: e.code, errorMessage: e.errorMessage });
      throw RPCMessageToError(rpc, request as unknown as Api.AnyRequest);
    } finally {
      this.#inFlight -= 1;
    }
  }

  #builtin(req: Api.AnyRequest, dcId: number): Answer {
    const r = req as Api.AnyRequest & { peer?: Api.TypeInputPeer };
    if (req instanceof Api.users.GetUsers) return req.id.map((u) => this.#user(u as Api.TypeInputUser));
    if (req instanceof Api.updates.GetState) {
      return new Api.updates.State({ pts: this.#pts, qts: 0, date: nowSeconds(), seq: 0, unreadCount: 0 });
    }
    if (req instanceof Api.messages.SendMessage) {
      const item = { randomId: req.randomId!, message: req.message, entities: req.entities ?? [] };
      return this.#deliver(req.className, r.peer!, [item], !!req.noforwards);
    }
    if (req instanceof Api.messages.SendMedia) {
      const item = {
        randomId: req.randomId!,
        message: req.message,
        entities: req.entities ?? [],
        media: req.media,
      };
      return this.#deliver(req.className, r.peer!, [item], !!req.noforwards);
    }
    if (req instanceof Api.messages.SendMultiMedia) {
      const items = (req.multiMedia as Api.InputSingleMedia[]).map((m) => ({
        randomId: m.randomId!,
        message: m.message,
        entities: m.entities ?? [],
        media: m.media as Api.TypeInputMedia,
      }));
      return this.#deliver(req.className, r.peer!, items, !!req.noforwards);
    }
    if (req instanceof Api.messages.UploadMedia) return this.#mediaFrom(req.media as Api.TypeInputMedia);
    if (req instanceof Api.upload.SaveFilePart || req instanceof Api.upload.SaveBigFilePart) {
      const parts = this.#uploads.get(req.fileId.toString()) ?? new Map<number, Buffer>();
      this.#uploads.set(req.fileId.toString(), parts.set(req.filePart, req.bytes));
      return true;
    }
    if (req instanceof Api.upload.GetFile) return this.#getFile(req, dcId);
    if (req instanceof Api.messages.GetMessages) {
      return this.#messagesResult(req.id as Api.TypeInputMessage[], (id) => `${id}`);
    }
    if (req instanceof Api.channels.GetMessages) {
      const chatId = utils.getPeerId(this.#peer(req.channel as Api.TypeInputChannel, true));
      const res = this.#messagesResult(req.id as Api.TypeInputMessage[], (id) => `${chatId}/${id}`);
      return new Api.messages.ChannelMessages({
        ...res,
        pts: this.#pts,
        count: res.messages.length,
        topics: [],
      });
    }
    if (req instanceof Api.channels.GetChannels) {
      const chats = req.id.map((c) =>
        this.#entities.get(utils.getPeerId(this.#peer(c as Api.TypeInputChannel))),
      );
      if (chats.some((c) => !c)) throw new FakeRpcError(400, "CHANNEL_INVALID");
      return new Api.messages.Chats({ chats: chats as Api.TypeChat[] });
    }
    if (req instanceof Api.messages.GetChats) {
      const chats = req.id.map((id) => this.#entities.get(`-${id}`)).filter((c) => c !== undefined);
      return new Api.messages.Chats({ chats: chats as Api.TypeChat[] });
    }
    if (req instanceof Api.contacts.ResolveUsername) {
      const name = req.username.toLowerCase();
      const e = [...this.#entities.values()].find(
        (x) => "username" in x && x.username?.toLowerCase() === name,
      );
      if (!e) throw new FakeRpcError(400, "USERNAME_NOT_OCCUPIED");
      const isUser = e instanceof Api.User;
      const peer = utils.getPeer(e) as Api.TypePeer;
      return new Api.contacts.ResolvedPeer({
        peer,
        users: isUser ? [e] : [],
        chats: isUser ? [] : [e as Api.TypeChat],
      });
    }
    if (req instanceof Api.updates.GetDifference)
      return new Api.updates.DifferenceEmpty({ date: nowSeconds(), seq: 0 });
    if (req instanceof Api.updates.GetChannelDifference) {
      return new Api.updates.ChannelDifferenceEmpty({ final: true, pts: this.#pts });
    }
    throw new FakeRpcError(400, "FAKE_NOT_IMPLEMENTED");
  }

  /** Sends land here: random-id de-duplication per peer, then one message per item. */
  #deliver(via: string, input: Api.TypeInputPeer, items: Item[], noforwards: boolean): Api.TypeUpdates {
    const peer = this.#peer(input, true);
    const chatId = utils.getPeerId(peer);
    const keys = items.map((i) => `${chatId}:${i.randomId}`);
    if (keys.some((k) => this.#randomIds.has(k)) || new Set(keys).size !== keys.length) {
      throw new FakeRpcError(400, "RANDOM_ID_DUPLICATE");
    }
    const medias = items.map((i) => (i.media ? this.#mediaFrom(i.media) : undefined)); // may throw: nothing sent
    const entity = this.#entities.get(chatId);
    const isChannel = peer instanceof Api.PeerChannel;
    const broadcast = entity instanceof Api.Channel && !entity.megagroup;
    const groupedId = items.length > 1 ? nextMediaId() : undefined;
    const idUpdates: Api.TypeUpdate[] = [];
    const newUpdates: Api.TypeUpdate[] = [];
    items.forEach((item, n) => {
      this.#randomIds.add(keys[n]!);
      const id = (this.#lastIds.get(isChannel ? chatId : "account") ?? 0) + 1;
      const media = medias[n];
      const tl = message({
        id,
        peer,
        from: broadcast ? undefined : this.self,
        out: true,
        text: item.message,
        entities: item.entities,
        media,
        noforwards,
        groupedId,
        post: broadcast,
      });
      this.addMessages(tl);
      this.sent.push({
        chatId,
        peer: input,
        id,
        message: item.message,
        entities: item.entities,
        randomId: BigInt(item.randomId.toString()),
        media,
        uploadedBytes: this.#bytesOf(media),
        via,
        tl,
      });
      this.#pts += 1;
      const fields = { message: tl, pts: this.#pts, ptsCount: 1 };
      idUpdates.push(new Api.UpdateMessageID({ id, randomId: item.randomId }));
      newUpdates.push(isChannel ? new Api.UpdateNewChannelMessage(fields) : new Api.UpdateNewMessage(fields));
    });
    const last = this.sent[this.sent.length - 1]!.tl;
    if (via === "messages.SendMessage" && !isChannel) {
      const entities = items[0]!.entities.length ? items[0]!.entities : undefined;
      return new Api.UpdateShortSentMessage({
        out: true,
        id: last.id,
        pts: this.#pts,
        ptsCount: 1,
        date: last.date,
        entities,
      });
    }
    const users = [this.self, ...(entity instanceof Api.User && entity !== this.self ? [entity] : [])];
    const chats = entity && !(entity instanceof Api.User) ? [entity as Api.TypeChat] : [];
    return updates([...idUpdates, ...newUpdates], { users, chats });
  }

  /** InputMedia → the MessageMedia Telegram would store (uploads reassembled, references looked up). */
  #mediaFrom(input: Api.TypeInputMedia): Api.TypeMessageMedia {
    const ttlSeconds = ("ttlSeconds" in input && input.ttlSeconds) || undefined;
    if (input instanceof Api.InputMediaUploadedDocument) {
      const bytes = this.#assemble(input.file);
      return this.documentMedia({
        bytes,
        mimeType: input.mimeType,
        attributes: input.attributes,
        ttlSeconds,
      });
    }
    if (input instanceof Api.InputMediaUploadedPhoto)
      return this.photoMedia({ bytes: this.#assemble(input.file), ttlSeconds });
    if (input instanceof Api.InputMediaDocument || input instanceof Api.InputMediaPhoto) {
      const found = "id" in input.id ? this.#media.get(input.id.id.toString()) : undefined;
      if (found instanceof Api.Document) return mediaOfDocument(found, { ttlSeconds });
      if (found instanceof Api.Photo) return new Api.MessageMediaPhoto({ photo: found, ttlSeconds });
      throw new FakeRpcError(400, "MEDIA_EMPTY");
    }
    throw new FakeRpcError(400, "FAKE_NOT_IMPLEMENTED");
  }

  #assemble(file: Api.TypeInputFile): Buffer {
    if (!(file instanceof Api.InputFile || file instanceof Api.InputFileBig))
      throw new FakeRpcError(400, "FILE_PARTS_INVALID");
    const parts = this.#uploads.get(file.id.toString());
    for (let i = 0; i < file.parts; i++) {
      if (!parts?.has(i)) throw new FakeRpcError(400, `FILE_PART_${i}_MISSING`);
    }
    if (parts!.size !== file.parts) throw new FakeRpcError(400, "FILE_PARTS_INVALID");
    return this.uploadedFile(file.id)!;
  }

  #getFile(req: Api.upload.GetFile, dcId: number): Api.upload.File {
    const loc = req.location;
    const known = "id" in loc && "fileReference" in loc ? this.#files.get(loc.id.toString()) : undefined;
    if (!known) throw new FakeRpcError(400, "FILE_ID_INVALID");
    if (known.dcId !== dcId) throw new FakeRpcError(303, `FILE_MIGRATE_${known.dcId}`);
    const offset = Number(req.offset.toString());
    const { limit } = req;
    // Telegram's rules for non-precise requests: 4 KiB aligned, 1 MiB divisible by limit, no 1 MiB crossing.
    if (offset % 4096 !== 0) throw new FakeRpcError(400, "OFFSET_INVALID");
    if (!req.precise && (limit <= 0 || limit % 4096 !== 0 || MB % limit !== 0))
      throw new FakeRpcError(400, "LIMIT_INVALID");
    if (limit > MB || Math.floor(offset / MB) !== Math.floor((offset + limit - 1) / MB))
      throw new FakeRpcError(400, "LIMIT_INVALID");
    const bytes = known.bytes.subarray(offset, offset + limit);
    return new Api.upload.File({ type: new Api.storage.FileUnknown(), mtime: 0, bytes });
  }

  #messagesResult(ids: Api.TypeInputMessage[], key: (id: number) => string): Api.messages.Messages {
    const messages = ids.map((m) => {
      const id = m instanceof Api.InputMessageID ? m.id : 0;
      return this.#messages.get(key(id)) ?? new Api.MessageEmpty({ id });
    });
    const mentioned = new Set<string>();
    for (const m of messages) {
      if (m instanceof Api.Message)
        for (const p of [m.peerId, m.fromId]) if (p) mentioned.add(utils.getPeerId(p));
    }
    const found = [...mentioned].map((id) => this.#entities.get(id)).filter((e) => e !== undefined);
    const users = found.filter((e) => e instanceof Api.User);
    return new Api.messages.Messages({
      messages,
      users,
      chats: found.filter((e) => !(e instanceof Api.User)) as Api.TypeChat[],
    });
  }

  #user(input: Api.TypeInputUser): Api.TypeUser {
    if (input instanceof Api.InputUserSelf) return this.self;
    const id = "userId" in input ? input.userId : this.self.id;
    const known = this.#entities.get(id.toString());
    return known instanceof Api.User ? known : new Api.UserEmpty({ id });
  }

  /** InputPeer/InputChannel → Peer; with `checkHash`, a wrong access hash of a known peer is refused. */
  #peer(input: Api.TypeInputPeer | Api.TypeInputChannel, checkHash = false): Api.TypePeer {
    if (input instanceof Api.InputPeerSelf) return new Api.PeerUser({ userId: this.self.id });
    let peer: Api.TypePeer;
    let hash: BigInteger | undefined;
    if (input instanceof Api.InputPeerUser) {
      peer = new Api.PeerUser({ userId: input.userId });
      hash = input.accessHash;
    } else if (input instanceof Api.InputPeerChat) {
      peer = new Api.PeerChat({ chatId: input.chatId });
    } else if (input instanceof Api.InputPeerChannel || input instanceof Api.InputChannel) {
      peer = new Api.PeerChannel({ channelId: input.channelId });
      hash = input.accessHash;
    } else {
      throw new FakeRpcError(400, "PEER_ID_INVALID");
    }
    const known = this.#entities.get(utils.getPeerId(peer));
    const knownHash = known && "accessHash" in known ? known.accessHash : undefined;
    if (checkHash && knownHash && hash && !knownHash.equals(hash)) {
      throw new FakeRpcError(400, peer instanceof Api.PeerChannel ? "CHANNEL_INVALID" : "PEER_ID_INVALID");
    }
    return peer;
  }

  #messageKey(peer: Api.TypePeer, id: number): string {
    return peer instanceof Api.PeerChannel ? `${utils.getPeerId(peer)}/${id}` : `${id}`;
  }

  #bytesOf(media: Api.TypeMessageMedia | undefined): Buffer | undefined {
    const file = media && ("document" in media ? media.document : "photo" in media ? media.photo : undefined);
    return file && "id" in file ? this.#files.get(file.id.toString())?.bytes : undefined;
  }

  /** What the server knows after pushing a container: entities, new/edited messages, deletions. */
  #learn(container: Api.TypeUpdates): void {
    let list: Api.TypeUpdate[] = [];
    if (container instanceof Api.Updates || container instanceof Api.UpdatesCombined) {
      this.addEntities(...container.users, ...container.chats);
      list = container.updates;
    } else if (container instanceof Api.UpdateShort) {
      list = [container.update];
    } else if (
      container instanceof Api.UpdateShortMessage ||
      container instanceof Api.UpdateShortChatMessage
    ) {
      this.addMessages(messageOfShort(container, this.self.id));
    }
    for (const u of list) {
      if ("message" in u && u.message instanceof Api.Message) this.addMessages(u.message);
      if (u instanceof Api.UpdateDeleteMessages) for (const id of u.messages) this.#messages.delete(`${id}`);
      if (u instanceof Api.UpdateDeleteChannelMessages) {
        const chatId = utils.getPeerId(new Api.PeerChannel({ channelId: u.channelId }));
        for (const id of u.messages) this.#messages.delete(`${chatId}/${id}`);
      }
    }
  }
}

/**
 * A real `TelegramClient` wired to a fresh fake Telegram: `client` for the code under test,
 * `telegram` for arranging and asserting. Call `telegram.close()` at the end of each test.
 */
export function createOfflineClient(options: OfflineClientOptions = {}): {
  client: TelegramClient;
  telegram: FakeTelegram;
} {
  const telegram = new FakeTelegram(options);
  return { client: telegram.client, telegram };
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

/** TL serialization of an answer: vectors as 0x1cb5c415 + count + items, Bool as boolTrue/boolFalse. */
export function serialize(answer: Answer): Buffer {
  if (typeof answer === "boolean") return u32(answer ? 0x997275b5 : 0xbc799737);
  if (!Array.isArray(answer)) return (answer as { getBytes(): Buffer }).getBytes();
  const items = answer.map((x: { getBytes(): Buffer } | number | BigInteger) => {
    if (typeof x === "number") return u32(x);
    if ("getBytes" in x) return x.getBytes();
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(BigInt(x.toString()));
    return b;
  });
  return Buffer.concat([u32(0x1cb5c415), u32(answer.length), ...items]);
}
