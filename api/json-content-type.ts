import type { RequestHandler } from 'express';
import { Problem } from './problem';

export const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * A request that carries a body must say it is JSON: anything else (a form, plain text,
 * no content type at all) is refused with 415 instead of being read as an empty object.
 */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  // null: no body at all; false: a body of another type.
  if (req.is(JSON_TYPES) === false) {
    throw new Problem(415, 'Unsupported media type', `send the body as application/json, not ${req.get('content-type') ?? 'without a content type'}`);
  }
  next();
};
