/**
 * Lua: add an earning to its user's earnings index (idempotent), the cluster layout's second
 * step for the index. KEYS[1] is the user's base; ARGV: earning id, createdAt (epoch ms).
 * @module
 */
export const indexEarningLua = String.raw`#!lua
redis.call('ZADD', KEYS[1] .. ':earnings', ARGV[2], ARGV[1])
return 1
`;
