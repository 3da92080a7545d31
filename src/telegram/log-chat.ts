/**
 * The log chat as a Telegram destination: finding its input peer (from our peers table first,
 * since GramJS forgets entities across restarts) and sending posts to it with the random ids the
 * outbox chose, through `messages.SendMessage` / `messages.SendMedia` directly, so the id we
 * stored is the id Telegram de-duplicates on.
 */
import bigInt from "big-integer";
import type { Logger } from "pino";
import { Api, errors, type TelegramClient } from "telegram";
import { CustomFile } from "telegram/client/uploads.js";
import type { FormattedText } from "../feed/formatted-text.ts";
import { FloodWait, type LogChatTransport, type PostFile } from "../feed/transport.ts";
import type { PeerRow, PeerStore } from "../store/peers.ts";
import { storedToApiEntities } from "./entities.ts";
import { bareIdOf, peerKindOf } from "./peer-id.ts";

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

  return {
    async sendText(body, randomId) {
      const target = await peer();
      await invoke(
        (entities) =>
          new Api.messages.SendMessage({
            peer: target,
            message: body.text,
            entities,
            randomId: bigInt(randomId.toString()),
            noWebpage: true,
          }),
        body,
      );
    },
    async sendFile(file: PostFile, caption, randomId) {
      const target = await peer();
      let uploaded: Api.TypeInputFile;
      try {
        uploaded = await client.uploadFile({
          file: new CustomFile(file.name, file.bytes.length, "", file.bytes),
          workers: 1,
        });
      } catch (err) {
        if (err instanceof errors.FloodWaitError) throw new FloodWait(err.seconds);
        throw err;
      }
      const media = new Api.InputMediaUploadedDocument({
        file: uploaded,
        mimeType: file.mimeType,
        attributes: [new Api.DocumentAttributeFilename({ fileName: file.name })],
        forceFile: true,
      });
      await invoke(
        (entities) =>
          new Api.messages.SendMedia({
            peer: target,
            media,
            message: caption.text,
            entities,
            randomId: bigInt(randomId.toString()),
          }),
        caption,
      );
    },
  };
}
