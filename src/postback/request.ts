/**
 * What a postback looks like to the core, and how its fields are read: merged from query and
 * body, scalars only, with the aliases networks commonly use.
 * @module
 */
import { ValidationError } from '../errors.js';
import { PostbackParamsSchema, type PostbackParams } from '../schemas.js';

/** A postback as received, framework-neutral. */
export interface PostbackRequest {
  /** Parsed query string (objects or arrays in it are refused with 400). */
  query?: Record<string, unknown> | null;
  /** Parsed body (JSON or form); fields here override the query's. */
  body?: unknown;
  /** Request headers, lower-case names. */
  headers?: Record<string, string | string[] | undefined>;
  /** The exact body text, for signature checks (`hmacSignature` refuses a body without it). */
  rawBody?: string | null;
  /**
   * The raw query string without `?`, exactly as received: what `hmacSignature` checks the
   * signature of a bodiless (GET) postback against.
   */
  rawQuery?: string | null;
  /** The client IP as the host's trust-proxy setting resolved it. */
  sourceIp?: string | null;
  /** HTTP method (`GET` or `POST`), informational. */
  method?: string;
}

/** A postback after merging, handed to verifiers. */
export interface VerifiablePostback extends PostbackRequest {
  /** Query and body fields merged, scalars only. */
  params: PostbackParams;
}

/** The aliases read for each postback field, first match wins. */
export const POSTBACK_FIELD_ALIASES = {
  clickId: ['click_id', 'clickId', 'clickid'],
  conversionId: ['conversionId', 'conversion_id'],
  transactionId: ['transactionId', 'transaction_id', 'txn_id', 'tx_id'],
  offerId: ['offerId', 'offer_id'],
  amount: ['amount', 'payout'],
  status: ['status'],
} as const;

/** Merges query and body into one flat record of scalars; objects and arrays are a 400. */
export function mergePostbackParams(request: PostbackRequest): PostbackParams {
  const merged: Record<string, unknown> = {};
  for (const source of [request.query, request.body]) {
    if (source === null || source === undefined || source === '') continue;
    if (typeof source !== 'object' || Array.isArray(source)) {
      throw new ValidationError('Postback body must be an object of fields');
    }
    Object.assign(merged, source);
  }
  const parsed = PostbackParamsSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ValidationError(
      'Postback fields must be plain values (no objects or arrays)',
      parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    );
  }
  return parsed.data;
}

/** The first non-empty value of a field under any of its aliases, as text. */
export function readField(params: PostbackParams, field: keyof typeof POSTBACK_FIELD_ALIASES): string | null {
  for (const name of POSTBACK_FIELD_ALIASES[field]) {
    const value = params[name];
    if (value === undefined || value === null) continue;
    const text = String(value).trim();
    if (text !== '') return text;
  }
  return null;
}

/**
 * The raw amount value (kept as number or string, so money parsing sees what was sent), or
 * `null` when no amount field is present at all. A field that is present but empty or `null`
 * is returned as `''`: it is malformed, never "no amount" (which would earn the product's cap).
 */
export function readAmount(params: PostbackParams): string | number | null {
  for (const name of POSTBACK_FIELD_ALIASES.amount) {
    if (!Object.hasOwn(params, name)) continue;
    const value = params[name];
    if (value === undefined) continue;
    if (value === null) return '';
    if (typeof value === 'boolean') return String(value);
    return typeof value === 'string' ? value.trim() : value;
  }
  return null;
}
