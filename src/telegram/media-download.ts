/**
 * Downloads a message's photo or document to a file, streamed part by part with back-pressure
 * (memory does not grow with file size) and hashed on the way. GramJS's `downloadMedia` with an
 * `outputFile` returns before the file is written, and a missing folder becomes an uncaught
 * exception, so we drive `iterDownload` ourselves.
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import bigInt from "big-integer";
import { Api, type TelegramClient } from "telegram";

/** What a finished download produced. */
export interface DownloadedFile {
  size: number;
  sha256: string;
}

/** The largest photo size's type letter (`w`, `y`, ...), which Telegram needs to serve the full photo. */
function largestPhotoType(photo: Api.Photo): string {
  let best = { type: "", size: -1 };
  for (const s of photo.sizes) {
    if (s instanceof Api.PhotoSize && s.size > best.size) best = { type: s.type, size: s.size };
    else if (s instanceof Api.PhotoSizeProgressive) {
      const size = Math.max(...s.sizes);
      if (size > best.size) best = { type: s.type, size };
    }
  }
  return best.type;
}

/** Where to download a message's media from, or undefined for media without a file. */
export function fileLocationOf(
  media: Api.TypeMessageMedia | undefined,
): { location: Api.TypeInputFileLocation; dcId: number; size: number } | undefined {
  if (media instanceof Api.MessageMediaDocument && media.document instanceof Api.Document) {
    const d = media.document;
    return {
      location: new Api.InputDocumentFileLocation({
        id: d.id,
        accessHash: d.accessHash,
        fileReference: d.fileReference,
        thumbSize: "",
      }),
      dcId: d.dcId,
      size: d.size.toJSNumber(),
    };
  }
  if (media instanceof Api.MessageMediaPhoto && media.photo instanceof Api.Photo) {
    const p = media.photo;
    const thumbSize = largestPhotoType(p);
    let size = 0;
    for (const s of p.sizes) {
      if (s instanceof Api.PhotoSize && s.type === thumbSize) size = s.size;
      else if (s instanceof Api.PhotoSizeProgressive && s.type === thumbSize) size = Math.max(...s.sizes);
    }
    return {
      location: new Api.InputPhotoFileLocation({
        id: p.id,
        accessHash: p.accessHash,
        fileReference: p.fileReference,
        thumbSize,
      }),
      dcId: p.dcId,
      size,
    };
  }
  return undefined;
}

/** Streams the media of `message` into `path` (created 0600); rejects on any failure. */
export async function downloadMessageMedia(
  client: TelegramClient,
  message: Api.Message,
  path: string,
): Promise<DownloadedFile> {
  const where = fileLocationOf(message.media);
  if (!where) throw new Error("the message has no downloadable file");
  const hash = createHash("sha256");
  const out = createWriteStream(path, { mode: 0o600 });
  let size = 0;
  try {
    // pipeline gives back-pressure and turns a write error (a full disk) into a rejection.
    await pipeline(async function* () {
      const parts = client.iterDownload({
        file: where.location,
        dcId: where.dcId,
        fileSize: bigInt(where.size),
        requestSize: 512 * 1024,
      });
      for await (const chunk of parts) {
        hash.update(chunk);
        size += chunk.length;
        yield chunk;
      }
    }, out);
  } finally {
    // Closed before the caller moves or removes the file: a stream still opening would create
    // it again after its removal.
    if (!out.closed) await new Promise<void>((resolve) => out.once("close", () => resolve()));
  }
  return { size, sha256: hash.digest("hex") };
}
