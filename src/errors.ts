/**
 * Typed errors with the contract's stable codes. HTTP helpers map `status` and `code` straight
 * into the response envelope; nothing else ever reaches a client.
 * @module
 */

/** The stable error codes of the public contract. */
export type ErrorCode =
  | 'VALIDATION_ERROR'
  | 'UNAUTHORIZED'
  | 'POSTBACK_FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'CLICK_EXPIRED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNAVAILABLE';

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
  }
}

/** Malformed input: 400 `VALIDATION_ERROR`. */
export class ValidationError extends ClickCreditError {
  constructor(message: string, details?: unknown) {
    super('VALIDATION_ERROR', 400, message, details);
  }
}

/** Missing or bad credentials: 401 `UNAUTHORIZED`. */
export class UnauthorizedError extends ClickCreditError {
  constructor(message = 'Authentication required') {
    super('UNAUTHORIZED', 401, message);
  }
}

/** Postback signature, secret or source IP refused: 403 `POSTBACK_FORBIDDEN`. */
export class PostbackForbiddenError extends ClickCreditError {
  constructor(message = 'Postback verification failed', details?: unknown) {
    super('POSTBACK_FORBIDDEN', 403, message, details);
  }
}

/** Unknown product, click or earning, or somebody else's: 404 `NOT_FOUND`. */
export class NotFoundError extends ClickCreditError {
  constructor(message = 'Not found') {
    super('NOT_FOUND', 404, message);
  }
}

/** State conflict (click converted under another conversion, rejected, key reused): 409 `CONFLICT`. */
export class ConflictError extends ClickCreditError {
  constructor(message: string, details?: unknown) {
    super('CONFLICT', 409, message, details);
  }
}

/** Click expired before this conversion: 410 `CLICK_EXPIRED`. */
export class ClickExpiredError extends ClickCreditError {
  constructor(message = 'Click has expired') {
    super('CLICK_EXPIRED', 410, message);
  }
}

/** Request body above the limit: 413 `PAYLOAD_TOO_LARGE`. */
export class PayloadTooLargeError extends ClickCreditError {
  constructor(message = 'Request body is too large') {
    super('PAYLOAD_TOO_LARGE', 413, message);
  }
}

/** Storage (or the host wallet) unreachable: 503 `UNAVAILABLE`, so the caller retries. */
export class UnavailableError extends ClickCreditError {
  constructor(message = 'Service temporarily unavailable, retry later', options?: { cause?: unknown }) {
    super('UNAVAILABLE', 503, message, undefined, options);
  }
}

/** True for errors clickcredit raised on purpose (safe to show to a client). */
export function isClickCreditError(error: unknown): error is ClickCreditError {
  return error instanceof ClickCreditError;
}
