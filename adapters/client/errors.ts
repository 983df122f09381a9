/**
 * The one error the client throws. It is a class of its own (not the core's error classes): the
 * client must load nothing of the server side at run time.
 * @module
 */
import type { ClientErrorCode } from './types.js';

/** A failed call: the server's error envelope, or no usable answer. */
export class ClickCreditClientError extends Error {
  /** The envelope's `error.code`, or `NETWORK_ERROR` / `INVALID_RESPONSE`. */
  readonly code: ClientErrorCode;
  /** HTTP status of the answer; 0 when there was none. */
  readonly status: number;
  /** The envelope's `error.details` (validation issues, for example). */
  readonly details: unknown;

  constructor(code: ClientErrorCode, status: number, message: string, details?: unknown, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ClickCreditClientError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

/** True for errors the client threw (works across bundles: the name and shape decide, not the prototype). */
export function isClickCreditClientError(error: unknown): error is ClickCreditClientError {
  return (
    error instanceof Error &&
    error.name === 'ClickCreditClientError' &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { status?: unknown }).status === 'number'
  );
}
