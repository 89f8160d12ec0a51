import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import express from 'express';
import type { Logger } from 'pino';
import type { QueryLimits } from '../config/config';
import { internalMessage } from '../graphql/errors';

/** Every refusal outside GraphQL execution is still a GraphQL-shaped JSON body with a code. */
export function sendGraphQLError(res: Response, status: number, message: string, extensions: Record<string, unknown>): void {
  res.status(status).type('application/json').send(JSON.stringify({ errors: [{ message, extensions }] }));
}

/** JSON bodies up to MAX_BODY_BYTES; a larger one is refused before it is read whole. */
export function jsonBody(limits: QueryLimits): RequestHandler {
  return express.json({ limit: limits.maxBodyBytes });
}

/** A batch (a JSON array of operations) longer than MAX_BATCH_SIZE is refused before any of it runs. */
export function batchGuard(limits: QueryLimits): RequestHandler {
  return (req, res, next) => {
    const body: unknown = req.body;
    if (Array.isArray(body) && body.length > limits.maxBatch) {
      sendGraphQLError(res, 400, `A batch may hold at most ${limits.maxBatch} operations (MAX_BATCH_SIZE); this one holds ${body.length}`, {
        code: 'BATCH_TOO_LARGE',
        limit: limits.maxBatch,
      });
      return;
    }
    next();
  };
}

interface BodyParserError {
  type?: string;
  status?: number;
}

/**
 * Errors raised before GraphQL runs (body parser, anything else in the middleware chain) as JSON: Express
 * would answer them with an HTML page.
 */
export function jsonErrors(limits: QueryLimits, log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const { type, status } = (error ?? {}) as BodyParserError;
    if (type === 'entity.too.large') {
      sendGraphQLError(res, 413, `The request body is larger than ${limits.maxBodyBytes} bytes (MAX_BODY_BYTES)`, { code: 'BODY_TOO_LARGE', limit: limits.maxBodyBytes });
    } else if (type === 'entity.parse.failed' || type === 'encoding.unsupported' || type === 'charset.unsupported') {
      sendGraphQLError(res, 400, 'The request body is not valid JSON', { code: 'BAD_REQUEST' });
    } else if (typeof status === 'number' && status >= 400 && status < 500) {
      sendGraphQLError(res, status, 'The request could not be read', { code: 'BAD_REQUEST' });
    } else {
      const reference = String(res.getHeader('x-request-id') ?? randomUUID());
      log.error({ err: error, reference, path: req.path }, 'unexpected error before GraphQL');
      sendGraphQLError(res, 500, internalMessage(reference), { code: 'INTERNAL_SERVER_ERROR', reference });
    }
  };
}

/** Unknown paths answer JSON too. */
export const notFound: RequestHandler = (req, res) => {
  sendGraphQLError(res, 404, `Nothing is served at ${req.method} ${req.path.slice(0, 200)}; GraphQL is at /graphql`, { code: 'NOT_FOUND' });
};
