/**
 * Media metadata from a TL message, as stored in `messages.media` (JSON). Only facts we can use
 * later are kept (kind, ids, name, type, size, ttl, dimensions, a description for kinds that cannot
 * be re-sent as files); never the object itself.
 */
import { Api } from "telegram";
import type { MediaInfo, MediaKind } from "../model/media.ts";

function documentKind(doc: Api.Document): { kind: MediaKind; extra: Partial<MediaInfo> } {
  let kind: MediaKind = "document";
  const extra: Partial<MediaInfo> = {};
  for (const a of doc.attributes) {
    if (a instanceof Api.DocumentAttributeFilename) extra.fileName = a.fileName;
    else if (a instanceof Api.DocumentAttributeSticker) kind = "sticker";
    else if (a instanceof Api.DocumentAttributeAnimated && kind !== "sticker") kind = "gif";
    else if (a instanceof Api.DocumentAttributeVideo) {
      if (kind === "document") kind = a.roundMessage ? "round_video" : "video";
      extra.width = a.w;
      extra.height = a.h;
      extra.duration = Math.round(a.duration);
    } else if (a instanceof Api.DocumentAttributeAudio) {
      kind = a.voice ? "voice" : "audio";
      extra.duration = a.duration;
    } else if (a instanceof Api.DocumentAttributeImageSize) {
      extra.width = a.w;
      extra.height = a.h;
    }
  }
  return { kind, extra };
}

function largestPhotoSize(photo: Api.Photo): { size?: number; width?: number; height?: number } {
  let best: { size?: number; width?: number; height?: number } = {};
  for (const s of photo.sizes) {
    if (s instanceof Api.PhotoSize && (best.size ?? 0) < s.size)
      best = { size: s.size, width: s.w, height: s.h };
    else if (s instanceof Api.PhotoSizeProgressive) {
      const size = Math.max(...s.sizes);
      if ((best.size ?? 0) < size) best = { size, width: s.w, height: s.h };
    }
  }
  return best;
}

function describeGeo(geo: Api.TypeGeoPoint): string {
  return geo instanceof Api.GeoPoint ? `${geo.lat.toFixed(6)}, ${geo.long.toFixed(6)}` : "unknown location";
}

function pollText(poll: Api.Poll): string {
  const question = poll.question.text;
  return [question, ...poll.answers.map((a) => `• ${a.text.text}`)].join("\n");
}

/** Maps a message's media to stored metadata; undefined when the message has none. */
export function mediaInfoOf(media: Api.TypeMessageMedia | undefined): MediaInfo | undefined {
  if (!media || media instanceof Api.MessageMediaEmpty) return undefined;
  if (media instanceof Api.MessageMediaPhoto) {
    const photo = media.photo;
    if (!(photo instanceof Api.Photo))
      return { kind: "photo", identity: "photo:expired", ttlSeconds: media.ttlSeconds };
    return {
      kind: "photo",
      identity: `photo:${photo.id.toString()}`,
      id: photo.id.toString(),
      accessHash: photo.accessHash.toString(),
      dcId: photo.dcId,
      mimeType: "image/jpeg",
      ttlSeconds: media.ttlSeconds,
      spoiler: media.spoiler || undefined,
      ...largestPhotoSize(photo),
    };
  }
  if (media instanceof Api.MessageMediaDocument) {
    const doc = media.document;
    if (!(doc instanceof Api.Document)) {
      return { kind: "document", identity: "document:expired", ttlSeconds: media.ttlSeconds };
    }
    const { kind, extra } = documentKind(doc);
    return {
      kind,
      identity: `document:${doc.id.toString()}`,
      id: doc.id.toString(),
      accessHash: doc.accessHash.toString(),
      dcId: doc.dcId,
      mimeType: doc.mimeType,
      size: doc.size.toJSNumber(),
      ttlSeconds: media.ttlSeconds,
      spoiler: media.spoiler || undefined,
      ...extra,
    };
  }
  if (media instanceof Api.MessageMediaContact) {
    const name = [media.firstName, media.lastName].filter(Boolean).join(" ");
    return {
      kind: "contact",
      identity: `contact:${media.phoneNumber}`,
      description: `${name} ${media.phoneNumber}`.trim(),
    };
  }
  if (media instanceof Api.MessageMediaGeoLive) {
    // A live location is edited as it moves; its identity ignores the position.
    return { kind: "geo_live", identity: "geo_live", description: describeGeo(media.geo) };
  }
  if (media instanceof Api.MessageMediaVenue) {
    const where = describeGeo(media.geo);
    return {
      kind: "venue",
      identity: `venue:${where}`,
      description: `${media.title}, ${media.address} (${where})`,
    };
  }
  if (media instanceof Api.MessageMediaGeo) {
    const where = describeGeo(media.geo);
    return { kind: "geo", identity: `geo:${where}`, description: where };
  }
  if (media instanceof Api.MessageMediaPoll) {
    // Votes arrive as edits; only the poll itself (not its results) is its identity.
    return { kind: "poll", identity: `poll:${media.poll.id.toString()}`, description: pollText(media.poll) };
  }
  if (media instanceof Api.MessageMediaDice) {
    return {
      kind: "dice",
      identity: `dice:${media.emoticon}:${media.value}`,
      description: `${media.emoticon} ${media.value}`,
    };
  }
  if (media instanceof Api.MessageMediaWebPage) {
    // Link previews are filled in by Telegram after the message is sent: not an edit by anyone.
    const url = media.webpage instanceof Api.WebPage ? media.webpage.url : undefined;
    return { kind: "webpage", identity: "webpage", description: url };
  }
  if (media instanceof Api.MessageMediaInvoice)
    return { kind: "invoice", identity: "invoice", description: media.title };
  if (media instanceof Api.MessageMediaStory) return { kind: "story", identity: `story:${media.id}` };
  if (media instanceof Api.MessageMediaGame)
    return { kind: "game", identity: `game:${media.game.shortName}` };
  if (media instanceof Api.MessageMediaPaidMedia) return { kind: "paid", identity: "paid" };
  return { kind: "unsupported", identity: `unsupported:${media.className}` };
}
