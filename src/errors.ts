/**
 * Typed errors with the contract's stable codes. HTTP helpers map `code` straight into the
 * response envelope (status from {@link ERROR_STATUS}); nothing else ever reaches a client.
 *
 * Why branded errors: the package ships an ESM and a CommonJS build (the contract asks for both),
 * so an app that `import`s the tracker and `require`s a store (or the HTTP helpers) runs two copies
 * of this module, and a plain `instanceof` fails across them: a store's `ConflictError` looked
 * like an unexpected failure (503 instead of 409). Every error therefore carries a brand under
 * `Symbol.for('clickcredit.error')` (one registry symbol shared by every copy) plus its code;
 * {@link isClickCreditError} and `instanceof` (through `Symbol.hasInstance`) check the brand and
 * the code, not the prototype. ESM-only with `require(esm)` was the other way out; it was not
 * taken because it drops the CommonJS build and its types, which the contract promises.
 * @module
 */

/**
 * The HTTP status of each stable error code of the public contract: the one table the classes,
 * {@link isClickCreditError} and the HTTP error map read.
 */
export const ERROR_STATUS = Object.freeze({
  VALIDATION_ERROR: 400,
  UNAUTHORIZED: 401,
  POSTBACK_FORBIDDEN: 403,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  CLICK_EXPIRED: 410,
  PAYLOAD_TOO_LARGE: 413,
  UNAVAILABLE: 503,
} as const);

/** The stable error codes of the public contract. */
export type ErrorCode = keyof typeof ERROR_STATUS;

/**
 * The brand every copy of clickcredit puts on its errors. `Symbol.for` returns the same symbol in
 * every module instance (ESM and CommonJS, even two installed versions), unlike a class identity.
 */
const BRAND = Symbol.for('clickcredit.error');

/** True when `code` is one of the contract's codes (an own key of the table, not `toString`). */
function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_STATUS, code);
}

/**
 * The code each of our classes stands for (`null`: the base class, any code). A class missing
 * here (a host's own subclass) falls back to the ordinary prototype check.
 */
const CLASS_CODES = new Map<unknown, ErrorCode | null>();

/** Base class of every error clickcredit throws on purpose. */
export class ClickCreditError extends Error {
  /** Stable machine-readable code. */
  readonly code: ErrorCode;
  /** HTTP status the contract assigns to the code. */
  readonly status: number;
  /** Safe, client-visible details (never a stack or a driver message). */
  readonly details: unknown;

  constructor(code: ErrorCode, status: number, message: string, details?: unknown, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.details = details;
    // Non-enumerable, so it never shows up in a serialised or logged error.
    Object.defineProperty(this, BRAND, { value: true });
  }

  /**
   * `error instanceof ConflictError` holds for a `ConflictError` thrown by another copy of
   * clickcredit (the CommonJS build beside the ESM one): same brand, same code.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (!CLASS_CODES.has(this) || !isClickCreditError(value)) return false;
    const code = CLASS_CODES.get(this);
    return code === null || value.code === code;
  }
}

/** Malformed input: 400 `VALIDATION_ERROR`. */
export class ValidationError extends ClickCreditError {
  constructor(message: string, details?: unknown) {
    super('VALIDATION_ERROR', ERROR_STATUS.VALIDATION_ERROR, message, details);
  }
}

/** Missing or bad credentials: 401 `UNAUTHORIZED`. */
export class UnauthorizedError extends ClickCreditError {
  constructor(message = 'Authentication required') {
    super('UNAUTHORIZED', ERROR_STATUS.UNAUTHORIZED, message);
  }
}

/** Postback signature, secret or source IP refused: 403 `POSTBACK_FORBIDDEN`. */
export class PostbackForbiddenError extends ClickCreditError {
  constructor(message = 'Postback verification failed', details?: unknown) {
    super('POSTBACK_FORBIDDEN', ERROR_STATUS.POSTBACK_FORBIDDEN, message, details);
  }
}

/** Authenticated, but not allowed (an admin route for someone who is not an admin): 403 `FORBIDDEN`. */
export class ForbiddenError extends ClickCreditError {
  constructor(message = 'Not allowed') {
    super('FORBIDDEN', ERROR_STATUS.FORBIDDEN, message);
  }
}

/** Unknown product, click or earning, or somebody else's: 404 `NOT_FOUND`. */
export class NotFoundError extends ClickCreditError {
  constructor(message = 'Not found') {
    super('NOT_FOUND', ERROR_STATUS.NOT_FOUND, message);
  }
}

/** State conflict (click converted under another conversion, rejected, key reused): 409 `CONFLICT`. */
export class ConflictError extends ClickCreditError {
  constructor(message: string, details?: unknown) {
    super('CONFLICT', ERROR_STATUS.CONFLICT, message, details);
  }
}

/** Click expired before this conversion: 410 `CLICK_EXPIRED`. */
export class ClickExpiredError extends ClickCreditError {
  constructor(message = 'Click has expired') {
    super('CLICK_EXPIRED', ERROR_STATUS.CLICK_EXPIRED, message);
  }
}

/** Request body above the limit: 413 `PAYLOAD_TOO_LARGE`. */
export class PayloadTooLargeError extends ClickCreditError {
  constructor(message = 'Request body is too large') {
    super('PAYLOAD_TOO_LARGE', ERROR_STATUS.PAYLOAD_TOO_LARGE, message);
  }
}

/** Storage (or the host wallet) unreachable: 503 `UNAVAILABLE`, so the caller retries. */
export class UnavailableError extends ClickCreditError {
  constructor(message = 'Service temporarily unavailable, retry later', options?: { cause?: unknown }) {
    super('UNAVAILABLE', ERROR_STATUS.UNAVAILABLE, message, undefined, options);
  }
}

CLASS_CODES.set(ClickCreditError, null);
CLASS_CODES.set(ValidationError, 'VALIDATION_ERROR');
CLASS_CODES.set(UnauthorizedError, 'UNAUTHORIZED');
CLASS_CODES.set(PostbackForbiddenError, 'POSTBACK_FORBIDDEN');
CLASS_CODES.set(ForbiddenError, 'FORBIDDEN');
CLASS_CODES.set(NotFoundError, 'NOT_FOUND');
CLASS_CODES.set(ConflictError, 'CONFLICT');
CLASS_CODES.set(ClickExpiredError, 'CLICK_EXPIRED');
CLASS_CODES.set(PayloadTooLargeError, 'PAYLOAD_TOO_LARGE');
CLASS_CODES.set(UnavailableError, 'UNAVAILABLE');

/**
 * True for errors clickcredit raised on purpose (safe to show to a client), from this copy of the
 * package or any other: an `Error` with the brand and one of the contract's codes. The brand, not
 * the prototype, decides, so mixing `import` and `require` keeps a 409 a 409.
 */
export function isClickCreditError(error: unknown): error is ClickCreditError {
  return (
    error instanceof Error &&
    (error as unknown as Record<symbol, unknown>)[BRAND] === true &&
    isErrorCode((error as { code?: unknown }).code)
  );
}
