/**
 * Fetching a stored message again from Telegram: for a fresh file reference after
 * FILE_REFERENCE_EXPIRED, or to resume a download after a restart.
 */
import { Api, type TelegramClient } from "telegram";
import type { MessageRow } from "../store/messages.ts";
import type { PeerStore } from "../store/peers.ts";
import { inputPeerOf } from "./log-chat.ts";

/** The message as Telegram has it now, or undefined when it is gone or its chat is unknown. */
export async function refetchMessage(
  client: TelegramClient,
  row: MessageRow,
  peers: PeerStore,
): Promise<Api.Message | undefined> {
  const stored = peers.get(row.chatId);
  const peer = row.chatType === "self" ? new Api.InputPeerSelf() : stored ? inputPeerOf(stored) : undefined;
  if (!peer) return undefined;
  const [message] = await client.getMessages(peer, { ids: [row.messageId] });
  return message instanceof Api.Message ? message : undefined;
}
