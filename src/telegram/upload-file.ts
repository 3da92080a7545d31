/**
 * Uploads a file for the log chat part by part, each part an ordinary request sent through the
 * caller's `send`. GramJS's own `client.uploadFile` bypasses `client.invoke` for its parts and
 * sleeps through any FloodWait on them itself, however long, where the feed sender can neither see
 * it (health, pacing) nor reschedule; sending the parts as requests lets the log chat's one request
 * path handle their FloodWaits like any other (see `telegramLogChat`).
 *
 * The layout is the one GramJS uses: parts of 128 KiB (256 KiB from 100 MiB, 512 KiB from
 * 750 MiB), `upload.SaveBigFilePart` for files over 10 MiB, four parts in flight at a time. A file
 * on disk is read part by part, so memory does not grow with its size.
 */
import { randomBytes } from "node:crypto";
import { open } from "node:fs/promises";
import bigInt from "big-integer";
import { Api, utils } from "telegram";
import { readBigIntFromBuffer } from "telegram/Helpers.js";

/** Files over this many bytes are uploaded as big files (`upload.SaveBigFilePart`). */
const BIG_FILE_THRESHOLD = 10 * 1024 * 1024;
/** Parts sent at the same time. */
const PARTS_IN_FLIGHT = 4;

/** A file to upload: its name as Telegram shows it, its size, and its bytes or its path. */
export type UploadSource = { name: string; size: number } & ({ bytes: Buffer } | { path: string });

/** Sends one part to Telegram. */
export type PartSender = (part: Api.upload.SaveFilePart | Api.upload.SaveBigFilePart) => Promise<unknown>;

/** Uploads `source` and returns the input file that refers to it in a `SendMedia`/`UploadMedia`. */
export async function uploadFile(
  source: UploadSource,
  send: PartSender,
): Promise<Api.InputFile | Api.InputFileBig> {
  const { name, size } = source;
  const fileId = readBigIntFromBuffer(randomBytes(8), true, true);
  const big = size > BIG_FILE_THRESHOLD;
  const partSize = utils.getAppropriatedPartSize(bigInt(size)) * 1024;
  const partCount = Math.ceil(size / partSize);
  const file = "path" in source ? await open(source.path, "r") : undefined;
  const read = async (part: number): Promise<Buffer> => {
    const start = part * partSize;
    const length = Math.min(partSize, size - start);
    if (!file) return (source as { bytes: Buffer }).bytes.subarray(start, start + length);
    const bytes = Buffer.alloc(length);
    const { bytesRead } = await file.read(bytes, 0, length, start);
    if (bytesRead !== length)
      throw new Error(`${name}: the file ended at ${start + bytesRead} of ${size} bytes`);
    return bytes;
  };
  const sendPart = async (filePart: number): Promise<void> => {
    const bytes = await read(filePart);
    await send(
      big
        ? new Api.upload.SaveBigFilePart({ fileId, filePart, fileTotalParts: partCount, bytes })
        : new Api.upload.SaveFilePart({ fileId, filePart, bytes }),
    );
  };
  try {
    for (let first = 0; first < partCount; first += PARTS_IN_FLIGHT) {
      const parts: number[] = [];
      for (let p = first; p < Math.min(first + PARTS_IN_FLIGHT, partCount); p++) parts.push(p);
      // Every part settles before the next batch (or the file's closing).
      const failed = (await Promise.allSettled(parts.map(sendPart))).find((r) => r.status === "rejected");
      if (failed) throw failed.reason;
    }
  } finally {
    await file?.close();
  }
  return big
    ? new Api.InputFileBig({ id: fileId, parts: partCount, name })
    : new Api.InputFile({ id: fileId, parts: partCount, name, md5Checksum: "" });
}
