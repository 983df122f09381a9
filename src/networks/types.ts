/**
 * What a network is to the tracker: where its callback's fields are, how it authenticates, what
 * its status words ask for, and what it must be answered. Presets in this folder build these;
 * a host may build its own from the same pieces, or override any part of a preset.
 * @module
 */
import type { PostbackAction } from '../records.js';
import type { RiskOptions } from '../risk.js';
import type { PostbackResult } from '../schemas.js';
import type { PostbackVerifier, VerificationResult } from '../postback/verifier.js';
import type { VerifiablePostback } from '../postback/request.js';

/** A network callback as the verifiers and field readers see it. */
export interface NetworkCallback extends VerifiablePostback {
  /** The name the host configured the network under (the `:network` of the route). */
  network: string;
  /**
   * Query and body fields merged (the body wins), scalars only; nested JSON objects are flattened
   * with dotted keys (`data.player_id`). Values are as sent (decoded once, never re-encoded).
   */
  params: Record<string, string | number | boolean | null>;
  /**
   * The callback URL as the network called it: the tracker's `publicUrl` + `/postback/<name>`
   * + `?` + the raw query string exactly as received. URL-signing schemes check this.
   */
  fullUrl: string;
}

/**
 * Reads one field of a callback: the text, `''` when the field is present but empty (or JSON
 * `null`), `null` when it is absent.
 */
export type FieldReader = (callback: NetworkCallback) => string | null;

/** Where a network's fields are. `amount` and `transactionId` are always required. */
export interface NetworkFields {
  /** User-keyed networks: the network's user id (the id the app opened the wall with). */
  userId?: FieldReader;
  /** Click-keyed networks: our click id, sent back from a sub-id macro. */
  clickId?: FieldReader;
  /** The network's transaction (or conversion) id: the idempotency key. */
  transactionId: FieldReader;
  /** The reward, in the network's unit (converted with the network's `rate`). */
  amount: FieldReader;
  /** The status word; absent means the network's `defaultStatus`. */
  status?: FieldReader;
  offerId?: FieldReader;
  /** A goal (event) of a multi-goal offer; each goal is its own conversion. */
  goal?: FieldReader;
  /** The user's IP as the network forwards it (risk rules). */
  conversionIp?: FieldReader;
}

/** One authentication check; several on a network must all pass. Never throws for a bad request. */
export interface NetworkAuth extends PostbackVerifier {
  verify(callback: NetworkCallback): VerificationResult | Promise<VerificationResult>;
}

/** A check that answers synchronously (every built-in scheme). */
export interface SyncNetworkAuth extends NetworkAuth {
  verify(callback: NetworkCallback): VerificationResult;
}

/** An HTTP reply in the network's own terms. */
export interface NetworkReply {
  status: number;
  contentType: string;
  body: string;
}

/**
 * Why a callback was refused. `forbidden`: authentication failed; `invalid_input` /
 * `invalid_amount`: malformed; `unknown_user`: the host's hook refused the user; `unknown_click`,
 * `expired`, `conflict`: the click's rules (click-keyed) or the conversion's state;
 * `unavailable`: storage unreachable, the network should retry.
 */
export type NetworkRefusal =
  | 'forbidden'
  | 'invalid_input'
  | 'invalid_amount'
  | 'unknown_user'
  | 'unknown_click'
  | 'expired'
  | 'conflict'
  | 'unavailable';

/** What a reply builder knows about the callback it answers. */
export interface ReplyContext {
  callback: NetworkCallback;
  /** The transaction id when it could be read. */
  transactionId: string | null;
  /** The outcome when the conversion was applied. */
  result: PostbackResult | null;
}

/** The network's expected answers. */
export interface NetworkReplies {
  success(context: ReplyContext): NetworkReply;
  /** A replay; by default the success reply (so the network stops retrying). */
  duplicate?(context: ReplyContext): NetworkReply;
  refusal(code: NetworkRefusal, context: ReplyContext): NetworkReply;
}

/**
 * Maps the network's user id to the host's user id, or refuses it (`null`: unknown user,
 * refused and audited, nothing credited).
 */
export type ResolveNetworkUser = (networkUserId: string, callback: NetworkCallback) => string | null | undefined | Promise<string | null | undefined>;

/** A network, as the tracker's `networks` option takes it. */
export interface NetworkDefinition {
  /** The preset's name (`tapjoy`, `cpx`...), for logs. The route uses the key it is configured under. */
  preset: string;
  /**
   * `user`: the callback names a user and its own transaction id (offerwalls); idempotent by
   * (network, transaction id). `click`: it sends back our click id; the click's rules apply.
   */
  keyedBy: 'user' | 'click';
  fields: NetworkFields;
  /** Authentication checks, all must pass. Empty only with `allowUnverified: true`. */
  auth: readonly NetworkAuth[];
  /** Accept this network's callbacks with no authentication at all (logged once at start). */
  allowUnverified?: boolean;
  /** Status words (lower-case) and what they ask for. */
  statusMap: Readonly<Record<string, PostbackAction>>;
  /** The status of a callback that carries none; `null`: a status is required. */
  defaultStatus: string | null;
  /**
   * What a negative amount means: `reverse` (some networks signal a reversal with a negative
   * amount: the absolute value is reversed, never re-negated), or `refuse` (400). Default `refuse`.
   */
  negativeAmount?: 'reverse' | 'refuse';
  /** Wallet amount per one unit of the network's reward (`"0.01"`: 100 points = 1.00). Default 1. */
  rate?: string | number;
  /** Largest amount one conversion earns, in the wallet's unit; larger amounts are capped. */
  maxAmount?: string | number;
  /** Product id of user-keyed conversions. Default `network:<name>`. */
  productId?: string;
  /** User-keyed: maps or refuses the network's user id. Default: the id as sent. */
  resolveUser?: ResolveNetworkUser;
  /** Normalises the transaction id before use (e.g. ayeT prefixes reversals with `r-`). */
  transactionIdOf?: (transactionId: string, callback: NetworkCallback) => string;
  /** Parameters never stored (secrets sent in the clear). */
  secretParams?: readonly string[];
  /** Risk rules of this network's conversions instead of the tracker's `risk` (`null`: none). */
  risk?: RiskOptions | null;
  replies: NetworkReplies;
}
