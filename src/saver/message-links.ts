/**
 * Finds Telegram message links in text. The owner sends links in the log chat to save messages
 * from chats that forbid forwarding; every form Telegram's apps produce (or users paste) is
 * recognised, several per message, so no saving request is silently ignored.
 */

/** Where a linked message lives. */
export type LinkedPeer =
  | { kind: "username"; username: string }
  | { kind: "channel"; channelId: number }
  | { kind: "user"; userId: number }
  | { kind: "chat"; chatId: number };

/** A message a link points at. `commentId` names a reply in the post's discussion group. */
export interface MessageLink {
  raw: string;
  peer: LinkedPeer;
  messageId: number;
  threadId?: number;
  commentId?: number;
}

const USERNAME = /^[A-Za-z][A-Za-z0-9_]{3,31}$/;
/** Path segments under t.me that are not usernames. */
const RESERVED = new Set([
  "joinchat",
  "addstickers",
  "addemoji",
  "share",
  "proxy",
  "socks",
  "setlanguage",
  "login",
  "invoice",
  "addlist",
  "boost",
  "m",
  "iv",
  "contact",
  "bg",
  "addtheme",
  "confirmphone",
]);

function positiveInt(s: string | null | undefined): number | undefined {
  if (!s || !/^\d{1,15}$/.test(s)) return undefined;
  const n = Number(s);
  return n > 0 ? n : undefined;
}

function withOptions(link: MessageLink, params: URLSearchParams): MessageLink {
  const thread = positiveInt(params.get("thread")) ?? positiveInt(params.get("topic"));
  const comment = positiveInt(params.get("comment"));
  if (thread !== undefined && link.threadId === undefined) link.threadId = thread;
  if (comment !== undefined) link.commentId = comment;
  return link;
}

/** Parses an https://t.me/… style path (already split), or undefined when it is not a message link. */
function parseWebPath(raw: string, segments: string[], params: URLSearchParams): MessageLink | undefined {
  let parts = segments.filter((s) => s !== "");
  if (parts[0] === "s") parts = parts.slice(1);
  if (parts[0] === "c") {
    const channelId = positiveInt(parts[1]);
    if (channelId === undefined) return undefined;
    const nums = parts.slice(2).map(positiveInt);
    if (nums.length === 1 && nums[0] !== undefined) {
      return withOptions({ raw, peer: { kind: "channel", channelId }, messageId: nums[0] }, params);
    }
    if (nums.length === 2 && nums[0] !== undefined && nums[1] !== undefined) {
      return withOptions(
        { raw, peer: { kind: "channel", channelId }, messageId: nums[1], threadId: nums[0] },
        params,
      );
    }
    return undefined;
  }
  const username = parts[0];
  if (!username || !USERNAME.test(username) || RESERVED.has(username.toLowerCase())) return undefined;
  const nums = parts.slice(1).map(positiveInt);
  if (nums.length === 1 && nums[0] !== undefined) {
    return withOptions({ raw, peer: { kind: "username", username }, messageId: nums[0] }, params);
  }
  if (nums.length === 2 && nums[0] !== undefined && nums[1] !== undefined) {
    return withOptions(
      { raw, peer: { kind: "username", username }, messageId: nums[1], threadId: nums[0] },
      params,
    );
  }
  return undefined;
}

/** Parses a `tg://` deep link, or undefined when it is not a message link. */
function parseDeepLink(raw: string, url: URL): MessageLink | undefined {
  const p = url.searchParams;
  const action = (url.hostname || url.pathname.replace(/^\/+/, "")).toLowerCase();
  if (action === "openmessage") {
    const messageId = positiveInt(p.get("message_id"));
    const userId = positiveInt(p.get("user_id"));
    const chatId = positiveInt(p.get("chat_id"));
    if (messageId === undefined) return undefined;
    if (userId !== undefined) return { raw, peer: { kind: "user", userId }, messageId };
    if (chatId !== undefined) return { raw, peer: { kind: "chat", chatId }, messageId };
    return undefined;
  }
  if (action === "privatepost") {
    const channelId = positiveInt(p.get("channel"));
    const messageId = positiveInt(p.get("post"));
    if (channelId === undefined || messageId === undefined) return undefined;
    return withOptions({ raw, peer: { kind: "channel", channelId }, messageId }, p);
  }
  if (action === "resolve") {
    const username = p.get("domain") ?? "";
    const messageId = positiveInt(p.get("post"));
    if (!USERNAME.test(username) || messageId === undefined) return undefined;
    return withOptions({ raw, peer: { kind: "username", username }, messageId }, p);
  }
  return undefined;
}

const CANDIDATE =
  /(?:tg:\/\/[^\s<>"']+)|(?:(?:https?:\/\/)?(?:www\.)?(?:t\.me|telegram\.me|telegram\.dog)\/[^\s<>"']+)/gi;

/** Parses one link (with or without scheme); undefined when it names no message. */
export function parseMessageLink(text: string): MessageLink | undefined {
  const raw = text.trim().replace(/[).,;!?»"']+$/, "");
  try {
    if (/^tg:/i.test(raw)) return parseDeepLink(raw, new URL(raw));
    const url = new URL(/^https?:\/\//i.test(raw) ? raw : `https://${raw}`);
    if (!/^(www\.)?(t\.me|telegram\.me|telegram\.dog)$/i.test(url.hostname)) return undefined;
    return parseWebPath(raw, url.pathname.split("/"), url.searchParams);
  } catch {
    return undefined;
  }
}

/** Every message link in `text`, in order, without duplicates. */
export function findMessageLinks(text: string): MessageLink[] {
  const out: MessageLink[] = [];
  const seen = new Set<string>();
  for (const m of text.matchAll(CANDIDATE)) {
    const link = parseMessageLink(m[0]);
    if (!link) continue;
    const key = JSON.stringify([link.peer, link.messageId, link.threadId, link.commentId]);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(link);
  }
  return out;
}
