/**
 * Offline Telegram for tests: a REAL `TelegramClient` whose MTProto senders are replaced by a fake
 * server. Replacing `client.invoke` would not be enough, since uploads and downloads go to the
 * senders directly, and the client must never `connect()`. Every request GramJS builds is parsed
 * back from its bytes, recorded, and answered with real TL bytes, so tests exercise GramJS's own
 * request building, result parsing, upload/download loops, error classes and update dispatch, and
 * assert on what the app actually sent (peer, text, entities, random ids, uploaded bytes).
 */
import { Api, Logger, TelegramClient, utils } from "telegram";
import { _handleUpdate } from "telegram/client/updates.js";
import { RPCMessageToError } from "telegram/errors/index.js";
import { BinaryReader } from "telegram/extensions/index.js";
import { LogLevel } from "telegram/extensions/Logger.js";
import type { MTProtoSender } from "telegram/network/index.js";
import { StringSession } from "telegram/sessions/index.js";
import { type Answer, FakeRpcError, serialize } from "./fake-answer.ts";
import { type DeliveredMessage, type Entity, FakeServer } from "./fake-server.ts";
import type { DocumentOptions, Id, PhotoOptions } from "./tl-factory.ts";
import { user } from "./tl-factory.ts";

/** The server side's names, where tests have always imported them from. */
export { type Answer, FakeRpcError, serialize } from "./fake-answer.ts";
/** What the fake server delivered, as tests have always imported it. */
export type { DeliveredMessage } from "./fake-server.ts";

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
  readonly sent: DeliveredMessage[];
  readonly #server: FakeServer;
  readonly #homeDc: number;
  readonly #senders = new Map<number, FakeSender>();
  readonly #handlers = new Map<string, Handler>();
  readonly #injected: Injected[] = [];
  #inFlight = 0;

  constructor(options: OfflineClientOptions = {}) {
    const s = options.self ?? {};
    const { id = 1000, firstName = "Test Owner", ...rest } = s;
    this.self = user({ id, firstName, ...rest, self: true });
    this.#homeDc = options.dcId ?? 2;
    this.#server = new FakeServer(this.self, this.#homeDc);
    this.sent = this.#server.sent;
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
    this.#server.addEntities(...entities);
  }

  /** Store messages server-side so `messages.GetMessages` / `channels.GetMessages` find them. */
  addMessages(...messages: Api.Message[]): void {
    this.#server.addMessages(...messages);
  }

  /** Serve `bytes` for `upload.GetFile` of a document/photo id, from `dcId` (default home DC). */
  registerFile(id: Id, bytes: Buffer, opts: { dcId?: number } = {}): void {
    this.#server.media.registerFile(id, bytes, opts);
  }

  /** A document media (see `tl-factory.documentMedia`) whose bytes are served for download. */
  documentMedia(opts: Omit<DocumentOptions, "size"> & { bytes: Buffer }): Api.MessageMediaDocument {
    return this.#server.media.documentMedia(opts);
  }

  /** A photo media (see `tl-factory.photoMedia`) whose bytes are served for download. */
  photoMedia(opts: Omit<PhotoOptions, "size"> & { bytes: Buffer }): Api.MessageMediaPhoto {
    return this.#server.media.photoMedia(opts);
  }

  /** The bytes uploaded so far under an upload file id (`InputFile.id`), parts in order. */
  uploadedFile(fileId: Id): Buffer | undefined {
    return this.#server.media.uploadedFile(fileId);
  }

  /**
   * Deliver an update container as the network layer does: serialized, parsed back, handed to
   * GramJS's `_handleUpdate`. The server learns its users/chats/messages and forgets deleted ones.
   * Resolves once dispatch has gone quiet (best effort: GramJS does not expose completion; app
   * tests should await their own queue, e.g. `app.idle()`).
   */
  async push(container: Api.TypeUpdates): Promise<void> {
    const parsed = new BinaryReader(container.getBytes()).tgReadObject() as Api.TypeUpdates;
    this.#server.learn(parsed);
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
        ? await custom(parsed, { dcId, telegram: this, builtin: () => this.#server.answer(parsed, dcId) })
        : this.#server.answer(parsed, dcId);
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
