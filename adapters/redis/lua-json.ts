/**
 * JSON text for Lua's cjson. `JSON.stringify` writes a lone surrogate as `\udXXX`, which cjson
 * refuses ("invalid unicode escape"): a postback carrying one would fail with 503. Such escapes
 * become U+FFFD, which is also what any UTF-8 driver (ioredis for key names, pg) stores for them,
 * so identifiers match across keys and values. The advertiser's raw data never reaches cjson as
 * structure: it travels as JSON text inside a string, where its escapes survive untouched.
 * @module
 */

// An escaped backslash is matched first, so `\\ud800` (a backslash, then "ud800") is kept.
const LONE_SURROGATE_ESCAPE = /\\(?:\\|ud[89a-f][0-9a-f]{2})/gi;

/** `JSON.stringify` for a Lua script argument: lone surrogates become U+FFFD. */
export function luaJson(value: unknown): string {
  return JSON.stringify(value).replace(LONE_SURROGATE_ESCAPE, (escape) => (escape === '\\\\' ? escape : '\\ufffd'));
}
