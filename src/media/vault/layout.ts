/**
 * Where each record of a vault file lies, as pure arithmetic on sizes (docs/vault-format.md, "Data
 * records"). Encryption and decryption read and write records at computed positions, so the work on
 * one record never waits for the bytes of another to be parsed, and a file's length alone tells
 * where every record starts and which one is final.
 */
import { HEADER_SIZE, TAG_SIZE } from "./format.ts";

/** The data records of one vault file. Records are numbered 1…`records`, as nonces number them. */
export interface DataLayout {
  /** Plaintext bytes per record (the header's chunk size C). */
  chunkSize: number;
  /** Offset of data record 1 in the vault file: header + metadata record. */
  dataStart: number;
  /** Number of data records n (0 only for a file cut before its first data record). */
  records: number;
  /** Bytes of record n in the vault file (ciphertext and tag); C + 16 for every other record. */
  lastRecordSize: number;
}

/** Offset of data record 1: after the header and the metadata record of `metaLength` bytes. */
function dataStart(metaLength: number): number {
  return HEADER_SIZE + metaLength + TAG_SIZE;
}

/** The layout a writer produces for `plainSize` bytes: at least one (possibly empty) record. */
export function layoutForPlain(plainSize: number, chunkSize: number, metaLength: number): DataLayout {
  const records = Math.max(1, Math.ceil(plainSize / chunkSize));
  return {
    chunkSize,
    dataStart: dataStart(metaLength),
    records,
    lastRecordSize: plainSize - (records - 1) * chunkSize + TAG_SIZE,
  };
}

/**
 * The layout a reader infers from a vault file of `fileSize` bytes. A cut file may give 0 records
 * or a last record shorter than a tag; `truncation` says so before anything is decrypted.
 */
export function layoutForVault(fileSize: number, chunkSize: number, metaLength: number): DataLayout {
  const start = dataStart(metaLength);
  const data = Math.max(0, fileSize - start);
  const records = Math.ceil(data / (chunkSize + TAG_SIZE));
  return {
    chunkSize,
    dataStart: start,
    records,
    lastRecordSize: records === 0 ? 0 : data - (records - 1) * (chunkSize + TAG_SIZE),
  };
}

/** Plaintext bytes of a file with this layout whose records are whole (`truncation` is null). */
export function plainSize(layout: DataLayout): number {
  return (layout.records - 1) * layout.chunkSize + layout.lastRecordSize - TAG_SIZE;
}

/** Why a file with this layout is certainly cut short, or null when its records look whole. */
export function truncation(layout: DataLayout): string | null {
  if (layout.records === 0) return "truncated: the file ends before its final chunk (after 0 chunks)";
  if (layout.lastRecordSize < TAG_SIZE) return `truncated: the file ends inside chunk ${layout.records}`;
  return null;
}

/** Size in the vault file of data record `index` (1-based): ciphertext and tag. */
export function recordSize(layout: DataLayout, index: number): number {
  return index === layout.records ? layout.lastRecordSize : layout.chunkSize + TAG_SIZE;
}

/** Offset in the vault file of data record `index` (1-based). */
export function recordOffset(layout: DataLayout, index: number): number {
  return layout.dataStart + (index - 1) * (layout.chunkSize + TAG_SIZE);
}

/** Offset in the plaintext of data record `index` (1-based). */
export function plainOffset(layout: DataLayout, index: number): number {
  return (index - 1) * layout.chunkSize;
}
