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
  // The common case (own string keys, plain values) is checked by hand, without building a copy;
  // anything else (a refusal, a `__proto__` key that replaced the prototype, symbol keys) goes
  // through the schema, so the outcome and the issues are exactly the schema's.
  if (arePlainFields(merged)) return merged as PostbackParams;
  const parsed = PostbackParamsSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ValidationError(
      'Postback fields must be plain values (no objects or arrays)',
      parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    );
  }
  return parsed.data;
}

/** Longest text value of a postback field (as `PostbackParamsSchema`). */
const MAX_FIELD_LENGTH = 4096;

/**
 * Whether `PostbackParamsSchema` would accept `merged` unchanged: a plain object whose own keys
 * are strings and whose values are strings of at most 4096 characters, finite numbers, booleans
 * or `null`.
 */
function arePlainFields(merged: Record<string, unknown>): boolean {
  if (Object.getPrototypeOf(merged) !== Object.prototype || Object.getOwnPropertySymbols(merged).length > 0) return false;
  for (const key in merged) {
    const value = merged[key];
    switch (typeof value) {
      case 'string':
        if (value.length > MAX_FIELD_LENGTH) return false;
        break;
      case 'number':
        if (!Number.isFinite(value)) return false;
        break;
      case 'boolean':
        break;
      default:
        if (value !== null) return false;
    }
  }
  return true;
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

/** The goal aliases, first match wins (a goal names a conversion `goal:<id>`, paid once per click). */
const GOAL_ALIASES = ['goal', 'goal_id', 'goalId'] as const;

/**
 * Every field a postback decision needs, each read once from the merged params: trimmed text or
 * `null` (absent or empty), and the amount as {@link readAmount} returns it.
 */
export interface PostbackFields {
  clickId: string | null;
  conversionId: string | null;
  transactionId: string | null;
  offerId: string | null;
  status: string | null;
  goal: string | null;
  amount: string | number | null;
}

/** Reads the fields of {@link PostbackFields} from merged params. */
export function readPostbackFields(params: PostbackParams): PostbackFields {
  return {
    clickId: readField(params, 'clickId'),
    conversionId: readField(params, 'conversionId'),
    transactionId: readField(params, 'transactionId'),
    offerId: readField(params, 'offerId'),
    status: readField(params, 'status'),
    goal: firstText(params, GOAL_ALIASES),
    amount: readAmount(params),
  };
}

function firstText(params: PostbackParams, names: readonly string[]): string | null {
  for (const name of names) {
    const value = params[name];
    if (value === undefined || value === null) continue;
    const text = String(value).trim();
    if (text !== '') return text;
  }
  return null;
}

/** `ClickIdSchema` (zod's `z.uuid()`) as one regular expression, for the hot path. */
const UUID_TEXT = /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** Whether `ClickIdSchema` accepts `text` (a UUID), without a schema run. */
export function isClickIdText(text: string): boolean {
  return UUID_TEXT.test(text);
}

/**
 * Whether `IdentifierSchema` accepts `text`, for text already trimmed (as {@link readField}
 * returns it): 1 to 256 characters, no control characters.
 */
export function isIdentifierText(text: string): boolean {
  return text.length >= 1 && text.length <= 256 && !CONTROL_CHARACTER.test(text);
}
