// Decimal strings ("50.00") to exact integer minor units and back, with BigInt: money never
// passes through a binary float, on the page either.
export function toMinor(text, scale = 2) {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(text));
  if (!match) throw new Error(`not a decimal amount: ${text}`);
  const fraction = (match[3] ?? '').padEnd(scale, '0').slice(0, scale);
  const minor = BigInt(match[2] + fraction);
  return match[1] === '-' ? -minor : minor;
}

export function formatMinor(minor, scale = 2) {
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

export function signed(minor) {
  return minor > 0n ? `+${formatMinor(minor)}` : formatMinor(minor);
}
