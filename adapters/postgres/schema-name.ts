/**
 * Schema names end up inside SQL text (functions are created per schema), so they are checked
 * against a strict pattern and quoted, never interpolated raw.
 * @module
 */

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Returns the schema name as a quoted identifier, or throws for anything unusual. */
export function quoteSchema(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) throw new TypeError(`clickcredit/postgres: invalid schema name ${JSON.stringify(schema)}`);
  return `"${schema}"`;
}
