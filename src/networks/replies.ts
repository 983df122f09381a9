/**
 * Reply builders: what a network must be answered on success, on a replay and on each refusal.
 * @module
 */
import type { NetworkRefusal, NetworkReplies, NetworkReply, ReplyContext } from './types.js';

/** A plain-text reply (UTF-8, which Tapjoy requires). */
export function textReply(status: number, body: string, contentType = 'text/plain; charset=utf-8'): NetworkReply {
  return { status, contentType, body };
}

/** A JSON reply. */
export function jsonReply(status: number, body: unknown): NetworkReply {
  return { status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(body) };
}

/** The HTTP status of each refusal unless a network says otherwise (the contract's codes). */
export const DEFAULT_REFUSAL_STATUS: Readonly<Record<NetworkRefusal, number>> = {
  forbidden: 403,
  invalid_input: 400,
  invalid_amount: 400,
  unknown_user: 404,
  unknown_click: 404,
  expired: 410,
  conflict: 409,
  unavailable: 503,
};

type Body = string | ((context: ReplyContext) => string);

/** Options of {@link textReplies}. */
export interface TextRepliesOptions {
  /** Body of a success (status 200). */
  success: Body;
  /** Body of a replay. Default: the success body. */
  duplicate?: Body;
  /** Body of a refusal. Default: the refusal code. */
  refusal?: string | ((code: NetworkRefusal, context: ReplyContext) => string);
  /** Status of each refusal, over {@link DEFAULT_REFUSAL_STATUS}. */
  refusalStatus?: Partial<Record<NetworkRefusal, number>>;
  contentType?: string;
}

/**
 * Plain-text replies: 200 with the network's success word, its refusal word with a status per
 * refusal.
 *
 * @example
 * ```ts
 * textReplies({ success: '1', refusal: '0' }) // SuperRewards
 * textReplies({ success: (c) => `${c.transactionId}:OK` }) // ironSource
 * ```
 */
export function textReplies(options: TextRepliesOptions): NetworkReplies {
  const statuses = { ...DEFAULT_REFUSAL_STATUS, ...options.refusalStatus };
  const text = (body: Body, context: ReplyContext) => (typeof body === 'function' ? body(context) : body);
  return {
    success: (context) => textReply(200, text(options.success, context), options.contentType),
    duplicate: (context) => textReply(200, text(options.duplicate ?? options.success, context), options.contentType),
    refusal(code, context) {
      const refusal = options.refusal;
      const body = refusal === undefined ? code : typeof refusal === 'function' ? refusal(code, context) : refusal;
      return textReply(statuses[code], body, options.contentType);
    },
  };
}
