import type { RequestHandler } from 'express';
import { Problem, type FieldError } from './problem';

const NUL = '\u0000';
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Text PostgreSQL cannot store (a NUL character, half a surrogate pair) is refused with a
 * 400 naming the field, whichever route or field it arrives in, instead of failing deep
 * in a query as a 500.
 */
export const rejectUnstorableText: RequestHandler = (req, _res, next) => {
  const errors: FieldError[] = [];
  const visit = (value: unknown, field: string, depth: number) => {
    if (typeof value === 'string') {
      if (value.includes(NUL)) errors.push({ field, reason: 'must not contain NUL characters' });
      else if (LONE_SURROGATE.test(value)) errors.push({ field, reason: 'must be valid Unicode text' });
    } else if (value && typeof value === 'object' && depth < 8) {
      for (const [key, child] of Object.entries(value)) visit(child, field ? `${field}.${key}` : key, depth + 1);
    }
  };
  visit(req.body, '', 0);
  visit(req.query, 'query', 0);
  if (req.path.includes(NUL)) errors.push({ field: 'path', reason: 'must not contain NUL characters' });
  if (errors.length > 0) throw Problem.validation(errors);
  next();
};
