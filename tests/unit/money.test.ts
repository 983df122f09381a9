import { describe, expect, it } from 'vitest';
import { commissionOf, formatAmount, moneyOptions, parseAmount, parseRatePpm } from 'clickcredit';

const cents = moneyOptions();

describe('parseAmount', () => {
  it.each([
    ['50.00', 5000n],
    ['12.5', 1250n],
    [50, 5000n],
    [0.1, 10n],
    [0.3, 30n],
    ['0.07', 7n],
    [' 3 ', 300n],
    ['+4.20', 420n],
    ['0', 0n],
    [1e-7 * 1e7, 100n],
  ])('reads %j as %s minor units', (input, minor) => {
    expect(parseAmount(input, cents)).toBe(minor);
  });

  it.each(['-1', '-0.01', 'abc', '', '1.', '.5', '1e3', 'NaN', 'Infinity', '0x10', '1,5', '١٢'])('refuses %j', (input) => {
    expect(() => parseAmount(input, cents)).toThrow(expect.objectContaining({ code: 'VALIDATION_ERROR' }));
  });

  it('refuses non-finite numbers, objects and absurd sizes', () => {
    for (const input of [Number.NaN, Number.POSITIVE_INFINITY, -3, 1e21, {}, [], null, true]) {
      expect(() => parseAmount(input, cents)).toThrow(expect.objectContaining({ status: 400 }));
    }
    expect(() => parseAmount('1000000000.01', cents)).toThrow(/maximum/);
    expect(parseAmount('1000000000.00', cents)).toBe(100_000_000_000n);
  });

  it('rejects extra decimals by default and rounds only when configured', () => {
    expect(() => parseAmount('1.005', cents)).toThrow(/decimal places/);
    expect(parseAmount('1.000', cents)).toBe(100n);
    expect(parseAmount('1.005', moneyOptions({ rounding: 'floor' }))).toBe(100n);
    expect(parseAmount('1.005', moneyOptions({ rounding: 'half-up' }))).toBe(101n);
    expect(parseAmount('1.004', moneyOptions({ rounding: 'half-up' }))).toBe(100n);
    expect(parseAmount('1.005', moneyOptions({ rounding: 'half-even' }))).toBe(100n);
    expect(parseAmount('1.015', moneyOptions({ rounding: 'half-even' }))).toBe(102n);
    expect(parseAmount('1.0051', moneyOptions({ rounding: 'half-even' }))).toBe(101n);
  });

  it('supports other scales', () => {
    expect(parseAmount('1.2345', moneyOptions({ scale: 4 }))).toBe(12345n);
    expect(parseAmount('7', moneyOptions({ scale: 0 }))).toBe(7n);
    expect(() => parseAmount('7.5', moneyOptions({ scale: 0 }))).toThrow();
    expect(() => moneyOptions({ scale: 9 })).toThrow(RangeError);
  });
});

describe('formatAmount', () => {
  it('formats signed minor units with exactly the scale', () => {
    expect(formatAmount(5000n, 2)).toBe('50.00');
    expect(formatAmount(7n, 2)).toBe('0.07');
    expect(formatAmount(-150n, 2)).toBe('-1.50');
    expect(formatAmount(0n, 2)).toBe('0.00');
    expect(formatAmount(12n, 0)).toBe('12');
    expect(formatAmount(123456789012345678901234567890n, 2)).toBe('1234567890123456789012345678.90');
  });

  it('adds 0.10 ten thousand times to exactly 1000.00', () => {
    let total = 0n;
    for (let i = 0; i < 10_000; i += 1) total += parseAmount('0.10', cents);
    expect(formatAmount(total, 2)).toBe('1000.00');
  });
});

describe('rates and commission', () => {
  it('parses rates as parts per million', () => {
    expect(parseRatePpm('10%')).toBe(100_000);
    expect(parseRatePpm('0.10')).toBe(100_000);
    expect(parseRatePpm(0.1)).toBe(100_000);
    expect(parseRatePpm('12.5%')).toBe(125_000);
    expect(() => parseRatePpm('150%')).toThrow();
    expect(() => parseRatePpm('-1%')).toThrow();
  });

  it('rounds the commission down', () => {
    expect(commissionOf(5000n, 100_000)).toBe(500n);
    expect(commissionOf(19n, 100_000)).toBe(1n);
    expect(commissionOf(9n, 100_000)).toBe(0n);
    expect(commissionOf(99_999_999n, 333_333)).toBe(33_333_299n);
  });
});
