/**
 * The response envelope, written in one place:
 * `{ success: true, message, data }` or `{ success: false, message, error: { code, details } }`.
 * @module
 */
import type { HttpError } from './errors.js';

/** A success envelope. */
export interface SuccessEnvelope<T> {
  success: true;
  message: string;
  data: T;
}

/** A failure envelope. */
export interface FailureEnvelope {
  success: false;
  message: string;
  error: { code: string; details?: unknown };
}

export function successEnvelope<T>(message: string, data: T): SuccessEnvelope<T> {
  return { success: true, message, data };
}

export function failureEnvelope(error: HttpError): FailureEnvelope {
  return {
    success: false,
    message: error.message,
    error: error.details === undefined ? { code: error.code } : { code: error.code, details: error.details },
  };
}
