/**
 * Why a vault or legacy file could not be decrypted. One class with a `kind`, so the decrypt
 * command can map each cause to its own message and exit status, and tests can assert the cause
 * without matching message text. Messages never contain key material.
 */

/** The distinct causes a user needs to tell apart. */
export type VaultErrorKind =
  /** No TLVAULT signature and not a readable legacy file. */
  | "not-vault"
  /** A vault file from a newer (or unknown) format version. */
  | "unsupported-version"
  /** A header field is out of range: the header is damaged. */
  | "bad-header"
  /** The key id in the header is not the given key's: another key encrypted it. */
  | "wrong-key"
  /** A record failed authentication: the file was modified (or, for legacy files, a wrong key). */
  | "tampered"
  /** The file ends early: a record, or the final chunk, is missing. */
  | "truncated"
  /** The metadata record decrypted but is not a JSON object (a writer bug, not an attack). */
  | "bad-meta";

/** A decryption failure with its cause. */
export class VaultError extends Error {
  readonly kind: VaultErrorKind;
  constructor(kind: VaultErrorKind, message: string) {
    super(message);
    this.name = "VaultError";
    this.kind = kind;
  }
}
