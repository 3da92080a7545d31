/**
 * The log chat as a Telegram destination: finding its input peer (from our peers table first,
 * since GramJS forgets entities across restarts) and sending posts to it with the random ids the
 * outbox chose, through `messages.SendMessage` / `messages.SendMedia` directly, so the id we
 * stored is the id Telegram de-duplicates on. Every request goes through one function, which is
 * where a FloodWait becomes the feed's `FloodWait` (see `telegramLogChat`).
 */
import { stat } from "node:fs/promises";
import bigInt from "big-integer";
import type { Logger } from "pino";
import { Api, errors, type TelegramClient } from "telegram";
import type { LogChatTransport, PostFile, PostMedia, SendOptions } from "../model/delivery.ts";
import type { FormattedText } from "../model/formatted-text.ts";
import { bareIdOf, peerKindOf } from "../model/peer-id.ts";
import type { PeerRow, PeerStore } from "../store/peers.ts";
import { storedToApiEntities } from "./entities.ts";
import type { TelegramRequests } from "./requests.ts";
import { type UploadSource, uploadFile } from "./upload-file.ts";

/** The log chat cannot be reached with this account. */
export class LogChatUnreachable extends Error {
  constructor(peerId: number, reason: string) {
    super(`the log chat ${peerId} is not reachable with this account: ${reason}`);
    this.name = "LogChatUnreachable";
  }
}

/** An input peer for a stored peer, when we have what Telegram needs (the access hash). */
export function inputPeerOf(row: PeerRow): Api.TypeInputPeer | undefined {
  const kind = peerKindOf(row.peerId);
  if (kind === "chat") return new Api.InputPeerChat({ chatId: bigInt(bareIdOf(row.peerId)) });
  if (!row.accessHash) return undefined;
  const accessHash = bigInt(row.accessHash);
  if (kind === "user") return new Api.InputPeerUser({ userId: bigInt(row.peerId), accessHash });
  return new Api.InputPeerChannel({ channelId: bigInt(bareIdOf(row.peerId)), accessHash });
}

/**
 * Finds the log chat's input peer: Saved Messages, our peers table, GramJS's cache or the network,
 * and finally the account's dialogs (whose entities are then remembered).
 */
export async function resolveLogChat(
  client: TelegramClient,
  peerId: number | "self",
  peers: PeerStore,
  remember: (entity: Api.TypeUser | Api.TypeChat) => void,
): Promise<Api.TypeInputPeer> {
  if (peerId === "self") return new Api.InputPeerSelf();
  const stored = peers.get(peerId);
  const fromStore = stored && inputPeerOf(stored);
  if (fromStore) return fromStore;
  try {
    return await client.getInputEntity(peerId);
  } catch {
    // Not cached and not resolvable by id alone: look through the dialogs.
  }
  for await (const dialog of client.iterDialogs({})) {
    const entity = dialog.entity;
    if (entity) remember(entity as Api.TypeUser | Api.TypeChat);
    if (dialog.id && Number(dialog.id.toString()) === peerId && dialog.inputEntity) return dialog.inputEntity;
  }
  throw new LogChatUnreachable(peerId, "it is not among the account's chats");
}

/** The TL media to send for a file of a given kind, so a voice note arrives as a voice note. */
function inputMediaFor(media: PostMedia, file: Api.TypeInputFile): Api.TypeInputMedia {
  if (media.kind === "photo") return new Api.InputMediaUploadedPhoto({ file });
  const name = new Api.DocumentAttributeFilename({ fileName: media.fileName });
  const video = (round: boolean) =>
    new Api.DocumentAttributeVideo({
      duration: media.duration ?? 0,
      w: media.width ?? 0,
      h: media.height ?? 0,
      roundMessage: round || undefined,
      supportsStreaming: true,
    });
  const attributes: Api.TypeDocumentAttribute[] = (() => {
    switch (media.kind) {
      case "video":
        return [video(false), name];
      case "round_video":
        return [video(true)];
      case "gif":
        return [new Api.DocumentAttributeAnimated(), video(false), name];
      case "sticker":
        return [
          new Api.DocumentAttributeSticker({ alt: "", stickerset: new Api.InputStickerSetEmpty() }),
          name,
        ];
      case "voice":
        return [new Api.DocumentAttributeAudio({ voice: true, duration: media.duration ?? 0 })];
      case "audio":
        return [new Api.DocumentAttributeAudio({ duration: media.duration ?? 0 }), name];
      default:
        return [name];
    }
  })();
  return new Api.InputMediaUploadedDocument({
    file,
    mimeType: media.mimeType,
    attributes,
    forceFile: media.kind === "document" || undefined,
    nosoundVideo: media.kind === "gif" || undefined,
  });
}

function replyTo(options: SendOptions | undefined): Api.TypeInputReplyTo | undefined {
  return options?.replyTo ? new Api.InputReplyToMessage({ replyToMsgId: options.replyTo }) : undefined;
}

function isEntityError(err: unknown): boolean {
  return err instanceof errors.RPCError && /ENTIT/.test(err.errorMessage);
}

function isDuplicate(err: unknown): boolean {
  return err instanceof errors.RPCError && err.errorMessage === "RANDOM_ID_DUPLICATE";
}

/**
 * Sends posts to the log chat through `client`.
 *
 * Every request of the log chat goes through `request`: messages, albums, `messages.UploadMedia`,
 * and the parts of every uploaded file (which `uploadFile` sends as ordinary requests, instead of
 * GramJS's `client.uploadFile`, which would sleep through their FloodWaits itself). `request` hands
 * each to `requests.passingOn` (requests.ts), which turns a FloodWait into the feed's `FloodWait`,
 * on which the sender pauses (reported by health) and reschedules the post without counting a
 * failed attempt. Any other error passes through unchanged.
 */
export function telegramLogChat(
  client: TelegramClient,
  requests: TelegramRequests,
  peer: () => Promise<Api.TypeInputPeer>,
  log: Logger,
): LogChatTransport {
  /** The one way to Telegram: `dcId` picks a sender of that data centre (uploads use their own). */
  function request<R extends Api.AnyRequest>(req: R, dcId?: number): Promise<R["__response"]> {
    return requests.passingOn(() => client.invoke(req, dcId));
  }

  /** Sends one message; Telegram answering that its random id was used means it was sent before. */
  async function send(
    build: (entities: Api.TypeMessageEntity[] | undefined) => Api.AnyRequest,
    body: FormattedText,
  ) {
    const entities = storedToApiEntities(body.entities);
    try {
      await request(build(entities.length > 0 ? entities : undefined));
    } catch (err) {
      if (isDuplicate(err)) return;
      if (!isEntityError(err)) throw err;
      // A mention or link Telegram refuses must not cost the post: send it without formatting.
      log.warn(
        { err: (err as Error).message },
        "log chat refused the formatting; sending the post as plain text",
      );
      try {
        await request(build(undefined));
      } catch (retryErr) {
        if (isDuplicate(retryErr)) return;
        throw retryErr;
      }
    }
  }

  /** Uploads from the home data centre's upload sender, as GramJS does, each part a request. */
  function upload(file: UploadSource): Promise<Api.TypeInputFile> {
    return uploadFile(file, (part) => request(part, client.session.dcId));
  }

  async function sendMediaMessage(
    media: Api.TypeInputMedia,
    caption: FormattedText,
    randomId: bigint,
    options?: SendOptions,
  ) {
    const target = await peer();
    await send(
      (entities) =>
        new Api.messages.SendMedia({
          peer: target,
          media,
          message: caption.text,
          entities,
          randomId: bigInt(randomId.toString()),
          replyTo: replyTo(options),
        }),
      caption,
    );
  }

  return {
    async sendText(body, randomId, options) {
      const target = await peer();
      await send(
        (entities) =>
          new Api.messages.SendMessage({
            peer: target,
            message: body.text,
            entities,
            randomId: bigInt(randomId.toString()),
            noWebpage: true,
            replyTo: replyTo(options),
          }),
        body,
      );
    },
    async sendFile(file: PostFile, caption, randomId, options) {
      const uploaded = await upload({ name: file.name, size: file.bytes.length, bytes: file.bytes });
      const media = new Api.InputMediaUploadedDocument({
        file: uploaded,
        mimeType: file.mimeType,
        attributes: [new Api.DocumentAttributeFilename({ fileName: file.name })],
        forceFile: true,
      });
      await sendMediaMessage(media, caption, randomId, options);
    },
    async sendMedia(media, caption, randomId, options) {
      const size = (await stat(media.path)).size;
      const uploaded = await upload({ name: media.fileName, size, path: media.path });
      await sendMediaMessage(inputMediaFor(media, uploaded), caption, randomId, options);
    },
    async sendAlbum(items, options) {
      const target = await peer();
      const multiMedia: Api.InputSingleMedia[] = [];
      for (const item of items) {
        const size = (await stat(item.media.path)).size;
        const uploaded = await upload({ name: item.media.fileName, size, path: item.media.path });
        // Albums take media already on Telegram's servers: upload each, then refer to it.
        const onServer = await request(
          new Api.messages.UploadMedia({ peer: target, media: inputMediaFor(item.media, uploaded) }),
        );
        const entities = storedToApiEntities(item.caption.entities);
        multiMedia.push(
          new Api.InputSingleMedia({
            media: referenceTo(onServer),
            randomId: bigInt(item.randomId.toString()),
            message: item.caption.text,
            entities: entities.length > 0 ? entities : undefined,
          }),
        );
      }
      try {
        await request(
          new Api.messages.SendMultiMedia({ peer: target, multiMedia, replyTo: replyTo(options) }),
        );
      } catch (err) {
        if (isDuplicate(err)) return;
        throw err;
      }
    },
  };
}

/** An input media pointing at a photo or document already uploaded with `messages.UploadMedia`. */
function referenceTo(media: Api.TypeMessageMedia): Api.TypeInputMedia {
  if (media instanceof Api.MessageMediaPhoto && media.photo instanceof Api.Photo) {
    const p = media.photo;
    return new Api.InputMediaPhoto({
      id: new Api.InputPhoto({ id: p.id, accessHash: p.accessHash, fileReference: p.fileReference }),
    });
  }
  if (media instanceof Api.MessageMediaDocument && media.document instanceof Api.Document) {
    const d = media.document;
    return new Api.InputMediaDocument({
      id: new Api.InputDocument({ id: d.id, accessHash: d.accessHash, fileReference: d.fileReference }),
    });
  }
  throw new Error(`Telegram returned ${media.className} for an album item`);
}
