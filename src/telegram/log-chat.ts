/**
 * The log chat as a Telegram destination: finding its input peer (from our peers table first,
 * since GramJS forgets entities across restarts) and sending posts to it with the random ids the
 * outbox chose, through `messages.SendMessage` / `messages.SendMedia` directly, so the id we
 * stored is the id Telegram de-duplicates on.
 */
import { stat } from "node:fs/promises";
import bigInt from "big-integer";
import type { Logger } from "pino";
import { Api, errors, type TelegramClient } from "telegram";
import { CustomFile } from "telegram/client/uploads.js";
import {
  FloodWait,
  type LogChatTransport,
  type PostFile,
  type PostMedia,
  type SendOptions,
} from "../model/delivery.ts";
import type { FormattedText } from "../model/formatted-text.ts";
import { bareIdOf, peerKindOf } from "../model/peer-id.ts";
import type { PeerRow, PeerStore } from "../store/peers.ts";
import { storedToApiEntities } from "./entities.ts";

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
export function inputMediaFor(media: PostMedia, file: Api.TypeInputFile): Api.TypeInputMedia {
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

/** Sends posts to the log chat through `client`. */
export function telegramLogChat(
  client: TelegramClient,
  peer: () => Promise<Api.TypeInputPeer>,
  log: Logger,
): LogChatTransport {
  async function invoke(
    build: (entities: Api.TypeMessageEntity[] | undefined) => Api.AnyRequest,
    body: FormattedText,
  ) {
    const entities = storedToApiEntities(body.entities);
    try {
      await client.invoke(build(entities.length > 0 ? entities : undefined));
    } catch (err) {
      if (isDuplicate(err)) return;
      if (err instanceof errors.FloodWaitError) throw new FloodWait(err.seconds);
      if (!isEntityError(err)) throw err;
      // A mention or link Telegram refuses must not cost the post: send it without formatting.
      log.warn(
        { err: (err as Error).message },
        "log chat refused the formatting; sending the post as plain text",
      );
      try {
        await client.invoke(build(undefined));
      } catch (retryErr) {
        if (isDuplicate(retryErr)) return;
        if (retryErr instanceof errors.FloodWaitError) throw new FloodWait(retryErr.seconds);
        throw retryErr;
      }
    }
  }

  async function upload(file: CustomFile): Promise<Api.TypeInputFile> {
    try {
      return await client.uploadFile({ file, workers: 4 });
    } catch (err) {
      if (err instanceof errors.FloodWaitError) throw new FloodWait(err.seconds);
      throw err;
    }
  }

  async function sendMediaMessage(
    media: Api.TypeInputMedia,
    caption: FormattedText,
    randomId: bigint,
    options?: SendOptions,
  ) {
    const target = await peer();
    await invoke(
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
      await invoke(
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
      const uploaded = await upload(new CustomFile(file.name, file.bytes.length, "", file.bytes));
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
      const uploaded = await upload(new CustomFile(media.fileName, size, media.path));
      await sendMediaMessage(inputMediaFor(media, uploaded), caption, randomId, options);
    },
    async sendAlbum(items, options) {
      const target = await peer();
      const multiMedia: Api.InputSingleMedia[] = [];
      for (const item of items) {
        const size = (await stat(item.media.path)).size;
        const uploaded = await upload(new CustomFile(item.media.fileName, size, item.media.path));
        // Albums take media already on Telegram's servers: upload each, then refer to it.
        const onServer = await client.invoke(
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
        await client.invoke(
          new Api.messages.SendMultiMedia({ peer: target, multiMedia, replyTo: replyTo(options) }),
        );
      } catch (err) {
        if (isDuplicate(err)) return;
        if (err instanceof errors.FloodWaitError) throw new FloodWait(err.seconds);
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
