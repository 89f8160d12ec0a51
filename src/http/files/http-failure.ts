import { randomUUID } from 'node:crypto';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { DomainError, type DomainErrorCode } from '../../domain/common/domain-error';
import { VersionOutOfServiceError } from '../../domain/files/out-of-service';
import { internalMessage } from '../../graphql/errors';

const STATUS: Readonly<Record<DomainErrorCode, number>> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  POLICY_VIOLATION: 403,
  STORE_UNAVAILABLE: 503,
  QUOTA_EXCEEDED: 507,
};

export interface Failure {
  status: number;
  code: string;
  message: string;
  details: Record<string, unknown>;
  /** Headers the answer carries besides the body (a 451's X-Scan-Id). */
  headers: Record<string, string>;
}

/** A thrown error as an HTTP answer: domain errors keep their message and code, anything else is masked and logged. */
export function failureOf(error: unknown, res: Response, log: Logger): Failure {
  if (error instanceof VersionOutOfServiceError) {
    // 451: the registry refuses these bytes to everyone (a failed scan), which no other role or retry changes.
    return { status: 451, code: error.code, message: error.message, details: { ...error.details }, headers: { 'X-Scan-Id': error.scanId } };
  }
  if (error instanceof DomainError) {
    return { status: STATUS[error.code], code: error.code, message: error.message, details: { ...error.details }, headers: {} };
  }
  const reference = String(res.getHeader('x-request-id') ?? randomUUID());
  log.error({ err: error, reference }, 'unexpected error serving files');
  return { status: 500, code: 'INTERNAL_SERVER_ERROR', message: internalMessage(reference), details: { reference }, headers: {} };
}

/** Our own routes answer errors like the rest of the API: a JSON body with a code. */
export function sendFailure(res: Response, failure: Failure): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(failure.status).set(failure.headers).type('application/json').send(JSON.stringify({ errors: [{ message: failure.message, extensions: { ...failure.details, code: failure.code } }] }));
}

const CLIENT_GONE = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'EPIPE', 'ERR_STREAM_DESTROYED']);

/**
 * After the headers went out an error can only cut the body (the client sees a short read and resumes with
 * Range). A client hanging up is normal; anything else (a corrupt blob found mid-stream) is logged.
 */
export function afterHeaders(res: Response, log: Logger, error: unknown): boolean {
  if (!res.headersSent) return false;
  res.destroy();
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !CLIENT_GONE.has(code)) log.warn({ err: error, reference: res.getHeader('x-request-id') }, 'download cut short');
  return true;
}

/** The catch-all of a route: a JSON error before the headers, a cut body after them. */
export function answerError(res: Response, log: Logger, error: unknown): void {
  if (afterHeaders(res, log, error)) return;
  sendFailure(res, failureOf(error, res, log));
}
