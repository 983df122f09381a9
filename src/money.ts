/**
 * Exact money: amounts travel as decimal strings, live as integer minor units (bigint).
 * Nothing on the money path ever goes through binary floating point.
 * @module
 */
import { ValidationError } from './errors.js';

/** How an amount with more decimals than the scale is treated. `reject` is the default. */
export type RoundingMode = 'reject' | 'floor' | 'half-up' | 'half-even';

/** Money settings shared by parsing and formatting. */
export interface MoneyOptions {
  /** Decimal places of the minor unit (2 = cents). Default 2. */
  scale: number;
  /** What to do with extra decimal places. Default `reject` (400 VALIDATION_ERROR). */
  rounding: RoundingMode;
  /** Largest accepted amount, in minor units. Default 1,000,000,000 major units at the scale. */
  maxMinor: bigint;
}

/** Default money options: scale 2, reject extra decimals, at most 1e9 major units. */
export function moneyOptions(partial: Partial<MoneyOptions> = {}): MoneyOptions {
  const scale = partial.scale ?? 2;
  if (!Number.isInteger(scale) || scale < 0 || scale > 8) {
    throw new RangeError('money scale must be an integer from 0 to 8');
  }
  return {
    scale,
    rounding: partial.rounding ?? 'reject',
    maxMinor: partial.maxMinor ?? 1_000_000_000n * 10n ** BigInt(scale),
  };
}

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * Parses a decimal amount (`"12.5"`, `50`, `"0.10"`) into integer minor units.
 * Numbers are read through their shortest round-trip decimal text (`String(0.1)` is `"0.1"`),
 * which is exactly what the sender wrote; no arithmetic is done on the float itself.
 * Negative, NaN, infinite, exponent-notation and over-limit amounts are refused.
 */
export function parseAmount(input: unknown, options: MoneyOptions, field = 'amount'): bigint {
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw invalid(field, 'must be a finite number');
    text = String(input);
  } else if (typeof input === 'string') {
    text = input.trim();
  } else if (typeof input === 'bigint') {
    text = input.toString();
  } else {
    throw invalid(field, 'must be a decimal string or number');
  }
  if (text.startsWith('+')) text = text.slice(1);
  const match = DECIMAL.exec(text);
  if (!match) throw invalid(field, 'must be a non-negative decimal such as "12.50"');
  const whole = match[1] ?? '0';
  let fraction = match[2] ?? '';
  if (whole.length > 30) throw invalid(field, 'is too large');
  let roundUp = false;
  if (fraction.length > options.scale) {
    const kept = fraction.slice(0, options.scale);
    const dropped = fraction.slice(options.scale);
    roundUp = shouldRoundUp(kept, dropped, options.rounding, field, whole);
    fraction = kept;
  }
  // whole * 10^scale + fraction, as one integer read of the digits side by side.
  const digits = BigInt(whole + fraction.padEnd(options.scale, '0'));
  const minor = roundUp ? digits + 1n : digits;
  if (minor > options.maxMinor) throw invalid(field, 'is larger than the allowed maximum');
  return minor;
}

function shouldRoundUp(kept: string, dropped: string, mode: RoundingMode, field: string, whole: string): boolean {
  if (/^0*$/.test(dropped)) return false;
  switch (mode) {
    case 'reject':
      throw invalid(field, 'has more decimal places than the configured scale');
    case 'floor':
      return false;
    case 'half-up':
      return dropped[0]! >= '5';
    case 'half-even': {
      if (dropped[0]! > '5') return true;
      if (dropped[0]! < '5') return false;
      if (!/^0*$/.test(dropped.slice(1))) return true;
      const last = (kept || whole).at(-1) ?? '0';
      return Number(last) % 2 === 1;
    }
  }
}

/** Formats signed minor units as a decimal string with exactly `scale` decimals (`"-1.50"`). */
export function formatAmount(minor: bigint, scale: number): string {
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  return `${negative ? '-' : ''}${whole}${scale > 0 ? `.${fraction}` : ''}`;
}

/**
 * Parses a commission rate (`"0.10"`, `0.1`, `"10%"`) into parts per million.
 * Kept integral so the store can compute `floor(amount * ppm / 1e6)` exactly.
 */
export function parseRatePpm(rate: string | number): number {
  let text = String(rate).trim();
  let percent = false;
  if (text.endsWith('%')) {
    percent = true;
    text = text.slice(0, -1).trim();
  }
  const ppm = parseAmount(text, { scale: percent ? 4 : 6, rounding: 'reject', maxMinor: 10n ** 6n }, 'rate');
  return Number(ppm);
}

/** Referral commission in minor units: rounded down so the platform never over-pays. */
export function commissionOf(amountMinor: bigint, ppm: number): bigint {
  return (amountMinor * BigInt(ppm)) / 1_000_000n;
}

function invalid(field: string, reason: string): ValidationError {
  return new ValidationError(`${field} ${reason}`, [{ path: field, message: reason }]);
}
