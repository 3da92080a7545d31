/**
 * A user, bot, group or channel the account has seen, by marked id (peer-id.ts). GramJS keeps no
 * entities across restarts, so the service keeps these, with their access hashes, to mention and
 * link them in posts.
 */

/** A stored peer. */
export interface StoredPeer {
  peerId: number;
  /** `user`, `bot`, `group`, `supergroup` or `channel`. */
  type: string;
  /** A 64-bit value, as decimal text. */
  accessHash: string | null;
  username: string | null;
  /** A user's first and last name, or a chat's title. */
  name: string;
  isSelf: boolean;
  noforwards: boolean;
  updatedAt: number;
}

/** A peer as seen in an update, before it is stored. */
export type PeerInfo = Omit<StoredPeer, "updatedAt">;
