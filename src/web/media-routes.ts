/**
 * `/ui/media/<mediaFileRowId>`: a message's kept file, by its `media_files` row id only. The file's
 * name on disk comes from the row (names the service gave), never from the request. Buffered and
 * plaintext-vault files are streamed from disk; encrypted vault files are decrypted on the fly,
 * only the records a range needs (src/media/vault/read-range.ts). Ranges (206, 416) let a browser
 * seek in a video.
 */
import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { type Context, Hono } from "hono";
import { VAULT_EXTENSION } from "../media/vault/encrypt.ts";
import { VaultError } from "../media/vault/errors.ts";
import { openVaultReader, type VaultReader } from "../media/vault/read-range.ts";
import { type ByteRange, byteRange } from "./byte-range.ts";
import type { MediaFileAnswer } from "./media-query.ts";
import { contentTypeOf, dispositionOf } from "./media-type.ts";
import type { MediaPlaces, PageDeps } from "./page-deps.ts";

/** A file opened for sending: its size and how to read a range of it. */
interface Source {
  size: number;
  stream(start: number, end: number): ReadableStream<Uint8Array>;
  close(): Promise<void>;
}

function plainSource(fh: FileHandle, size: number): Source {
  return {
    size,
    stream: (start, end) =>
      Readable.toWeb(fh.createReadStream({ start, end, autoClose: true })) as ReadableStream<Uint8Array>,
    close: () => fh.close(),
  };
}

function vaultSource(reader: VaultReader): Source {
  return {
    size: reader.size,
    stream(start, end) {
      const pieces = reader.range(start, end);
      return new ReadableStream<Uint8Array>({
        async pull(controller) {
          try {
            const next = await pieces.next();
            if (next.done) {
              controller.close();
              await reader.close();
            } else controller.enqueue(next.value);
          } catch (err) {
            controller.error(err);
            await reader.close().catch(() => {});
          }
        },
        async cancel() {
          await pieces.return(undefined);
          await reader.close();
        },
      });
    },
    close: () => reader.close(),
  };
}

/** Why a row's file cannot be sent (a 404 or 503 with this text). */
class Unavailable extends Error {
  readonly status: 404 | 503;
  constructor(status: 404 | 503, message: string) {
    super(message);
    this.status = status;
  }
}

/** Opens the file of `row`; throws `Unavailable` when it is not kept or not on disk. */
async function openSource(row: MediaFileAnswer, places: MediaPlaces): Promise<Source> {
  let file: string;
  if (row.status === "stored" && row.blob) file = path.join(places.mediaDir, path.basename(row.blob));
  else if (row.status === "vaulted" && row.vaultFile) {
    file = path.join(places.vaultDir, path.basename(row.vaultFile));
    if (file.endsWith(VAULT_EXTENSION)) {
      if (places.vaultKey === null)
        throw new Unavailable(503, "this file is kept encrypted and DELETED_MEDIA_KEY_B64 is not set");
      try {
        return vaultSource(await openVaultReader(file, places.vaultKey));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT")
          throw new Unavailable(404, "the file is missing");
        throw err;
      }
    }
  } else throw new Unavailable(404, `the file is not kept (${row.status})`);
  let fh: FileHandle;
  try {
    fh = await open(file, "r");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new Unavailable(404, "the file is missing");
    throw err;
  }
  const stat = await fh.stat();
  if (!stat.isFile()) {
    await fh.close();
    throw new Unavailable(404, "the file is missing");
  }
  return plainSource(fh, stat.size);
}

async function send(c: Context, source: Source, range: ByteRange, row: MediaFileAnswer, id: number) {
  const headers: Record<string, string> = {
    "Content-Type": contentTypeOf(row.media),
    "Content-Disposition": dispositionOf(row.media, `media-${id}`),
    "Accept-Ranges": "bytes",
  };
  if (range.kind === "unsatisfiable") {
    await source.close();
    return c.body(null, 416, { ...headers, "Content-Range": `bytes */${source.size}` });
  }
  if (source.size === 0) {
    await source.close();
    return c.body(null, 200, { ...headers, "Content-Length": "0" });
  }
  const [start, end] = range.kind === "part" ? [range.start, range.end] : [0, source.size - 1];
  headers["Content-Length"] = String(end - start + 1);
  if (range.kind === "whole") return c.body(source.stream(start, end), 200, headers);
  headers["Content-Range"] = `bytes ${start}-${end}/${source.size}`;
  return c.body(source.stream(start, end), 206, headers);
}

export function mediaRoutes({ reads, media }: PageDeps): Hono {
  const app = new Hono();
  app.get("/ui/media/:id", async (c) => {
    const text = c.req.param("id");
    const id = Number(text);
    if (!/^\d{1,15}$/.test(text) || !Number.isSafeInteger(id) || id < 1)
      return c.text("id: expected a media row id (a whole number)", 400);
    const row = await reads.run("mediaFile", { id });
    if (row === null) return c.text("no such media", 404);
    let source: Source;
    try {
      source = await openSource(row, media);
    } catch (err) {
      if (err instanceof Unavailable) return c.text(err.message, err.status);
      if (err instanceof VaultError) return c.text(`the kept file cannot be decrypted: ${err.message}`, 500);
      throw err;
    }
    return send(c, source, byteRange(c.req.header("range"), source.size), row, id);
  });
  return app;
}
