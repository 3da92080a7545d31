/**
 * The fake server's files: media it stored (documents and photos, each with a fresh id and bytes
 * served for download), file parts uploaded by `upload.SaveFilePart`, and Telegram's rules for
 * reassembling uploads and serving downloads (parts present, offsets aligned, the right DC).
 */
import { Api } from "telegram";
import { FakeRpcError } from "./fake-answer.ts";
import {
  type DocumentOptions,
  type Id,
  documentMedia as makeDocumentMedia,
  photoMedia as makePhotoMedia,
  mediaOfDocument,
  type PhotoOptions,
} from "./tl-factory.ts";

const MB = 1024 * 1024;

/** Media and file bytes as the fake server keeps them. */
export class FakeMedia {
  readonly #homeDc: number;
  readonly #media = new Map<string, Api.Document | Api.Photo>();
  readonly #files = new Map<string, { bytes: Buffer; dcId: number }>();
  readonly #uploads = new Map<string, Map<number, Buffer>>();

  /** Files are served from `homeDc` unless registered elsewhere. */
  constructor(homeDc: number) {
    this.#homeDc = homeDc;
  }

  /** Serve `bytes` for `upload.GetFile` of a document/photo id, from `dcId` (default home DC). */
  registerFile(id: Id, bytes: Buffer, opts: { dcId?: number } = {}): void {
    this.#files.set(id.toString(), { bytes, dcId: opts.dcId ?? this.#homeDc });
  }

  /** A document media (see `tl-factory.documentMedia`) whose bytes are served for download. */
  documentMedia(opts: Omit<DocumentOptions, "size"> & { bytes: Buffer }): Api.MessageMediaDocument {
    const { bytes, ...rest } = opts;
    const media = makeDocumentMedia({ ...rest, size: bytes.length, dcId: rest.dcId ?? this.#homeDc });
    this.#keep(media.document as Api.Document, bytes);
    return media;
  }

  /** A photo media (see `tl-factory.photoMedia`) whose bytes are served for download. */
  photoMedia(opts: Omit<PhotoOptions, "size"> & { bytes: Buffer }): Api.MessageMediaPhoto {
    const { bytes, ...rest } = opts;
    const media = makePhotoMedia({ ...rest, size: bytes.length, dcId: rest.dcId ?? this.#homeDc });
    this.#keep(media.photo as Api.Photo, bytes);
    return media;
  }

  /** Stores a document or photo so it can be sent again by reference, its bytes served from its DC. */
  #keep(file: Api.Document | Api.Photo, bytes: Buffer): void {
    this.#media.set(file.id.toString(), file);
    this.registerFile(file.id, bytes, { dcId: file.dcId });
  }

  /** The bytes uploaded so far under an upload file id (`InputFile.id`), parts in order. */
  uploadedFile(fileId: Id): Buffer | undefined {
    const parts = this.#uploads.get(fileId.toString());
    return parts && Buffer.concat([...parts.entries()].sort((a, b) => a[0] - b[0]).map((p) => p[1]));
  }

  /** Keeps one uploaded part of file `fileId`. */
  saveFilePart(fileId: Id, part: number, bytes: Buffer): void {
    const parts = this.#uploads.get(fileId.toString()) ?? new Map<number, Buffer>();
    this.#uploads.set(fileId.toString(), parts.set(part, bytes));
  }

  /** InputMedia → the MessageMedia Telegram would store (uploads reassembled, references looked up). */
  stored(input: Api.TypeInputMedia): Api.TypeMessageMedia {
    const ttlSeconds = ("ttlSeconds" in input && input.ttlSeconds) || undefined;
    if (input instanceof Api.InputMediaUploadedDocument) {
      const bytes = this.#assemble(input.file);
      return this.documentMedia({
        bytes,
        mimeType: input.mimeType,
        attributes: input.attributes,
        ttlSeconds,
      });
    }
    if (input instanceof Api.InputMediaUploadedPhoto)
      return this.photoMedia({ bytes: this.#assemble(input.file), ttlSeconds });
    if (input instanceof Api.InputMediaDocument || input instanceof Api.InputMediaPhoto) {
      const found = "id" in input.id ? this.#media.get(input.id.id.toString()) : undefined;
      if (found instanceof Api.Document) return mediaOfDocument(found, { ttlSeconds });
      if (found instanceof Api.Photo) return new Api.MessageMediaPhoto({ photo: found, ttlSeconds });
      throw new FakeRpcError(400, "MEDIA_EMPTY");
    }
    throw new FakeRpcError(400, "FAKE_NOT_IMPLEMENTED");
  }

  #assemble(file: Api.TypeInputFile): Buffer {
    if (!(file instanceof Api.InputFile || file instanceof Api.InputFileBig))
      throw new FakeRpcError(400, "FILE_PARTS_INVALID");
    const parts = this.#uploads.get(file.id.toString());
    for (let i = 0; i < file.parts; i++) {
      if (!parts?.has(i)) throw new FakeRpcError(400, `FILE_PART_${i}_MISSING`);
    }
    if (parts!.size !== file.parts) throw new FakeRpcError(400, "FILE_PARTS_INVALID");
    return this.uploadedFile(file.id)!;
  }

  /** `upload.GetFile`: a slice of a served file, under Telegram's offset and limit rules. */
  getFile(req: Api.upload.GetFile, dcId: number): Api.upload.File {
    const loc = req.location;
    const known = "id" in loc && "fileReference" in loc ? this.#files.get(loc.id.toString()) : undefined;
    if (!known) throw new FakeRpcError(400, "FILE_ID_INVALID");
    if (known.dcId !== dcId) throw new FakeRpcError(303, `FILE_MIGRATE_${known.dcId}`);
    const offset = Number(req.offset.toString());
    const { limit } = req;
    // Telegram's rules for non-precise requests: 4 KiB aligned, 1 MiB divisible by limit, no 1 MiB crossing.
    if (offset % 4096 !== 0) throw new FakeRpcError(400, "OFFSET_INVALID");
    if (!req.precise && (limit <= 0 || limit % 4096 !== 0 || MB % limit !== 0))
      throw new FakeRpcError(400, "LIMIT_INVALID");
    if (limit > MB || Math.floor(offset / MB) !== Math.floor((offset + limit - 1) / MB))
      throw new FakeRpcError(400, "LIMIT_INVALID");
    const bytes = known.bytes.subarray(offset, offset + limit);
    return new Api.upload.File({ type: new Api.storage.FileUnknown(), mtime: 0, bytes });
  }

  /** The bytes behind a stored media, if the fake serves them. */
  bytesOf(media: Api.TypeMessageMedia | undefined): Buffer | undefined {
    const file = media && ("document" in media ? media.document : "photo" in media ? media.photo : undefined);
    return file && "id" in file ? this.#files.get(file.id.toString())?.bytes : undefined;
  }
}
