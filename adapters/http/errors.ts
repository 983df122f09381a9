/**
 * The one error-to-response map of both frameworks. Our typed errors are recognised by their
 * brand and code (not `instanceof`: a store loaded with `require` beside an `import`ed tracker
 * throws errors of another copy of the classes) and get the contract's status for the code;
 * framework errors (body too large, broken JSON) are translated; anything else is a 500
 * with a generic message — never a stack trace or a driver message.
 * @module
 */
import { ERROR_STATUS, isClickCreditError, type ErrorCode } from 'clickcredit';

/** An error as it goes on the wire. */
export interface HttpError {
  status: number;
  code: ErrorCode | 'INTERNAL';
  message: string;
  details?: unknown;
}

/** Maps anything thrown while serving a request to its HTTP status and envelope fields. */
export function toHttpError(error: unknown): HttpError {
  if (isClickCreditError(error)) {
    // The status comes from the contract's table for the code, so an error of any copy or version
    // of the package maps the same way.
    return { status: ERROR_STATUS[error.code], code: error.code, message: error.message, details: error.details };
  }
  const status = frameworkStatus(error);
  if (status === 413) return { status, code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large' };
  // Any other client error a framework raises (undecodable URL or body, parameter too long,
  // unsupported encoding) is malformed input: the contract has one code for it.
  if (status !== undefined) return { status: 400, code: 'VALIDATION_ERROR', message: isBodyError(error) ? 'Malformed request body' : 'Malformed request' };
  return { status: 500, code: 'INTERNAL', message: 'Internal error' };
}

/** body-parser tags its errors with a `type` such as `entity.parse.failed`; Fastify's body errors are `FST_ERR_CTP_*`. */
function isBodyError(error: unknown): boolean {
  const { type, code } = error as { type?: unknown; code?: unknown };
  return (typeof type === 'string' && type !== '') || (typeof code === 'string' && code.startsWith('FST_ERR_CTP_'));
}

/** Body-parser and Fastify errors carry `status`/`statusCode`; only 4xx ones are trusted. */
function frameworkStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  const value = typeof statusCode === 'number' ? statusCode : typeof status === 'number' ? status : undefined;
  return value !== undefined && value >= 400 && value < 500 ? value : undefined;
}
