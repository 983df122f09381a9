/**
 * Input parsing of the admin API: a zod failure becomes a 400 with every issue's path.
 * @module
 */
import type { z } from 'zod';
import { ValidationError } from '../errors.js';

/** Parses `value` (object fields left `undefined` count as absent); throws {@link ValidationError}. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, path?: string): z.infer<S> {
  const input = isPlainObject(value) ? Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) : value;
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: [path, ...issue.path].filter((p) => p !== undefined && p !== '').join('.'),
    message: issue.message,
  }));
  const first = issues[0];
  throw new ValidationError(first ? `${first.path || 'input'}: ${first.message}` : 'Invalid input', issues);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
