import pino, { type DestinationStream, type Logger } from 'pino';
import { build as prettyStream } from 'pino-pretty';
import { traceLogFields } from '../observability/tracing-state';
import type { Config } from './config';

// Store credentials are write-only: whatever logs an input or a store's settings prints them as [Redacted].
const SECRET_KEYS = ['secretAccessKey', 'accessKeyId', 'credentials'];
const REDACT = [
  'req.headers.authorization',
  'connectionParams.authorization',
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`]),
];

/**
 * Errors as name, message, stack, code and their cause chain, under `err` and `error` alike: the Temporal SDK
 * logs a failed activity's Error under `error`, which JSON alone prints as `{}`. Anything not error-like passes through.
 */
const SERIALIZERS = { err: pino.stdSerializers.errWithCause, error: pino.stdSerializers.errWithCause };

/**
 * JSON, one line per event (children add request, operation and workflow ids) — or, in a terminal during
 * development (LOG_FORMAT=pretty), the same events as short coloured lines a person can read.
 */
export function createLogger(
  config: Pick<Config, 'logLevel'> & Partial<Pick<Config, 'logFormat'>>,
  name = 'modelhub',
  /** JSON lines go here instead of stdout (tests). */
  destination?: DestinationStream,
): Logger {
  // The mixin adds trace, span and request ids to lines logged inside a traced context; without tracing it adds nothing.
  const options = { name, level: config.logLevel, redact: REDACT, serializers: SERIALIZERS, mixin: traceLogFields };
  if (config.logFormat !== 'pretty') return destination ? pino(options, destination) : pino(options);
  // In-process and synchronous rather than a transport thread: lines keep their order with console output
  // (the dev banner) and nothing is lost when the process exits right after logging.
  return pino(
    options,
    prettyStream({
      colorize: true,
      sync: true,
      translateTime: 'SYS:HH:MM:ss',
      ignore: 'pid,hostname,name',
      singleLine: true,
    }),
  );
}
