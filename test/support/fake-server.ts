/**
 * The server side of the offline Telegram (see fake-telegram.ts): what the fake knows (users, chats,
 * messages; media and uploads are fake-media.ts) and how it answers each request class it
 * implements, as Telegram would, errors included. Sends are delivered here, de-duplicated by random id per peer,
 * and recorded as what a log-chat reader would see.
 */
import type { BigInteger } from "big-integer";
import { Api, utils } from "telegram";
import { type Answer, FakeRpcError } from "./fake-answer.ts";
import { FakeMedia } from "./fake-media.ts";
import { message, messageOfShort, nextMediaId, nowSeconds, updates } from "./tl-factory.ts";

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

interface Item {
  randomId: BigInteger;
  message: string;
  entities: Api.TypeMessageEntity[];
  media?: Api.TypeInputMedia;
}
/** A user, basic group or channel the server knows, by marked id. */
export type Entity = Api.TypeUser | Api.TypeChat;

/** The fake server's state and built-in answers; `FakeTelegram` puts the client and test controls on top. */
export class FakeServer {
  /** The logged-in user (answer to `users.GetUsers([InputUserSelf])`). */
  readonly self: Api.User;
  /** Media, served files and uploaded parts. */
  readonly media: FakeMedia;
  /** Messages that actually landed (duplicates and injected RPC failures excluded), in order. */
  readonly sent: DeliveredMessage[] = [];
  readonly #entities = new Map<string, Entity>(); // by marked id
  readonly #messages = new Map<string, Api.Message>(); // "<id>" or "<marked channel id>/<id>"
  readonly #randomIds = new Set<string>();
  readonly #lastIds = new Map<string, number>();
  #pts = 1;

  constructor(self: Api.User, homeDc: number) {
    this.self = self;
    this.media = new FakeMedia(homeDc);
    this.addEntities(self);
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

  /** The server's own answer to a request, as Telegram gives it; throws `FakeRpcError` for errors. */
  answer(req: Api.AnyRequest, dcId: number): Answer {
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
    if (req instanceof Api.messages.UploadMedia) return this.media.stored(req.media as Api.TypeInputMedia);
    if (req instanceof Api.upload.SaveFilePart || req instanceof Api.upload.SaveBigFilePart) {
      this.media.saveFilePart(req.fileId, req.filePart, req.bytes);
      return true;
    }
    if (req instanceof Api.upload.GetFile) return this.media.getFile(req, dcId);
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
    // The account's chat list: empty unless a test answers it (`handle`).
    if (req instanceof Api.messages.GetDialogs) {
      return new Api.messages.Dialogs({ dialogs: [], messages: [], chats: [], users: [] });
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
    const medias = items.map((i) => (i.media ? this.media.stored(i.media) : undefined)); // may throw: nothing sent
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
        uploadedBytes: this.media.bytesOf(media),
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

  /** What the server knows after pushing a container: entities, new/edited messages, deletions. */
  learn(container: Api.TypeUpdates): void {
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
