import type { ErrorRequestHandler, Response } from 'express';
import { z } from 'zod';

/** RFC 9457 problem details: every error the API answers has this shape. */
export interface FieldError {
  field: string;
  reason: string;
}

export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
  }

  static validation(errors: FieldError[]): Problem {
    const detail = errors.map((e) => `${e.field}: ${e.reason}`).join('; ');
    return new Problem(400, 'Invalid request', detail, { errors });
  }

  static notFound(what = 'tenant'): Problem {
    return new Problem(404, 'Not found', `No such ${what}`);
  }

  static conflict(detail: string, extra: Record<string, unknown> = {}): Problem {
    return new Problem(409, 'Conflict', detail, extra);
  }
}

const TYPE_BY_STATUS: Record<number, string> = {
  400: 'validation',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not-found',
  409: 'conflict',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  422: 'unprocessable',
  429: 'rate-limited',
  503: 'unavailable',
};

export function sendProblem(res: Response, problem: Problem): void {
  res
    .set(problem.headers)
    .status(problem.status)
    .type('application/problem+json')
    .json({
      type: `https://docs.actionconnect.dev/problems/${TYPE_BY_STATUS[problem.status] ?? 'error'}`,
      title: problem.title,
      status: problem.status,
      ...(problem.detail ? { detail: problem.detail } : {}),
      ...problem.extra,
    });
}

/** Parses with a zod schema or throws a 400 problem naming each bad field. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw Problem.validation(
    result.error.issues.map((issue) => ({
      field: issue.path.length > 0 ? issue.path.join('.') : issue.code === 'unrecognized_keys' ? issue.keys.join(',') : 'body',
      reason: issue.message,
    })),
  );
}

export const problemHandler: ErrorRequestHandler = (err, _req, res, _next) => {
  if (err instanceof Problem) return sendProblem(res, err);
  const e = err as { type?: string; status?: number; expose?: boolean; message?: string };
  // Errors raised by express.json(): bad JSON, oversized or non-JSON bodies.
  if (e.type === 'entity.parse.failed') return sendProblem(res, Problem.validation([{ field: 'body', reason: 'malformed JSON' }]));
  if (e.type === 'entity.too.large') return sendProblem(res, new Problem(413, 'Payload too large', 'the request body exceeds the size limit'));
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500 && e.expose) {
    return sendProblem(res, new Problem(e.status, 'Bad request', e.message));
  }
  console.error('unhandled API error', err);
  sendProblem(res, new Problem(500, 'Internal error', 'the request could not be completed'));
};
