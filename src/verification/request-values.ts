/**
 * Reading a verifier's inputs off a postback: headers and parameters may be repeated (arrays)
 * or typed (numbers from JSON), and an empty value counts as absent.
 * @module
 */

/** The first value of a header or parameter as text; `null` when absent or empty. */
export function firstValue(value: unknown): string | null {
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined || first === null) return null;
  const text = String(first);
  return text === '' ? null : text;
}

/** The field names of a parsed query or body; none for anything that is not a plain object. */
export function fieldNames(source: unknown): string[] {
  if (source === null || typeof source !== 'object' || Array.isArray(source)) return [];
  return Object.keys(source);
}
