/**
 * Lua: count a visit of a click (first/last visit, count) in place, keeping the key's TTL.
 * KEYS[1] is the click's shard base; ARGV: click id, visit time (epoch ms). Returns the click
 * JSON, or nil for an unknown click.
 * @module
 */
export const recordVisitLua = String.raw`#!lua
local key = KEYS[1] .. ':click:' .. ARGV[1]
local raw = redis.call('GET', key)
if not raw then return nil end
local click = cjson.decode(raw)
local at = tonumber(ARGV[2])
click.visitCount = click.visitCount + 1
-- Absent (a click stored without its null fields) or null: the first visit.
if click.firstVisitAt == nil or click.firstVisitAt == cjson.null then click.firstVisitAt = at end
click.lastVisitAt = at
click.updatedAt = at
raw = cjson.encode(click)
redis.call('SET', key, raw, 'KEEPTTL')
return raw
`;
