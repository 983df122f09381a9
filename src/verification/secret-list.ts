/**
 * Validation of configured secrets, shared by the secret-based verifiers.
 * @module
 */

/**
 * Returns `secrets` when it is a non-empty list of non-empty strings; throws a `TypeError` at
 * start-up otherwise, because an empty secret would let any request through.
 */
export function requireSecrets(secrets: readonly string[], who: string): readonly string[] {
  if (!Array.isArray(secrets) || secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || s === '')) {
    throw new TypeError(`clickcredit ${who}: give at least one non-empty secret`);
  }
  return [...secrets];
}
