import { describe, expect, it } from 'vitest';
import { ClickCreditError, ConflictError, ERROR_STATUS, isClickCreditError, NotFoundError, UnavailableError, ValidationError } from 'clickcredit';

// A second instance of the module, as a CommonJS build loaded beside the ESM one would be.
const secondCopy = new URL('../../src/errors.ts?another-copy', import.meta.url).href;
const other = (await import(/* @vite-ignore */ secondCopy)) as typeof import('../../src/errors.js');

describe('branded errors', () => {
  it('a second copy of the module has its own classes', () => {
    expect(other.ConflictError).not.toBe(ConflictError);
  });

  it('instanceof and isClickCreditError hold across copies, by code', () => {
    const foreign = new other.ConflictError('Click id already exists');
    expect(foreign instanceof ConflictError).toBe(true);
    expect(foreign instanceof ClickCreditError).toBe(true);
    expect(foreign instanceof NotFoundError).toBe(false);
    expect(foreign instanceof UnavailableError).toBe(false);
    expect(isClickCreditError(foreign)).toBe(true);
    expect(other.isClickCreditError(new ValidationError('bad'))).toBe(true);
    expect(new ValidationError('bad') instanceof other.ValidationError).toBe(true);
  });

  it('a host subclass keeps the ordinary prototype check', () => {
    class QuotaConflict extends ConflictError {}
    expect(new QuotaConflict('x') instanceof QuotaConflict).toBe(true);
    expect(new QuotaConflict('x') instanceof ConflictError).toBe(true);
    expect(new ConflictError('x') instanceof QuotaConflict).toBe(false);
    expect(new other.ConflictError('x') instanceof QuotaConflict).toBe(false);
  });

  it('anything without the brand and a contract code is not ours', () => {
    const lookalike = Object.assign(new Error('driver failed'), { code: 'CONFLICT', status: 409 });
    expect(isClickCreditError(lookalike)).toBe(false);
    expect(lookalike instanceof ConflictError).toBe(false);
    const unknownCode = new ClickCreditError('CONFLICT', 409, 'x');
    Object.defineProperty(unknownCode, 'code', { value: 'NOT_A_CODE' });
    expect(isClickCreditError(unknownCode)).toBe(false);
    const brandedObject = { [Symbol.for('clickcredit.error')]: true, code: 'CONFLICT' };
    expect(isClickCreditError(brandedObject)).toBe(false);
    expect(isClickCreditError(null)).toBe(false);
    expect(isClickCreditError('CONFLICT')).toBe(false);
  });

  it('the brand stays out of serialised errors; statuses follow the table', () => {
    const error = new ConflictError('taken', { clickId: 'c' });
    expect(Object.getOwnPropertyDescriptor(error, Symbol.for('clickcredit.error'))).toMatchObject({ value: true, enumerable: false });
    expect(JSON.parse(JSON.stringify(error))).toEqual({ name: 'ConflictError', code: 'CONFLICT', status: 409, details: { clickId: 'c' } });
    expect(new UnavailableError().status).toBe(ERROR_STATUS.UNAVAILABLE);
    expect(ERROR_STATUS).toEqual({
      VALIDATION_ERROR: 400, UNAUTHORIZED: 401, POSTBACK_FORBIDDEN: 403, FORBIDDEN: 403, NOT_FOUND: 404,
      CONFLICT: 409, CLICK_EXPIRED: 410, PAYLOAD_TOO_LARGE: 413, UNAVAILABLE: 503,
    });
  });
});
