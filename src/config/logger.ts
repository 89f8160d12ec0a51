import pino, { type Logger } from 'pino';
import { build as prettyStream } from 'pino-pretty';
import type { Config } from './config';

const REDACT = ['req.headers.authorization', 'connectionParams.authorization'];

/**
 * JSON, one line per event (children add request, operation and workflow ids) — or, in a terminal during
 * development (LOG_FORMAT=pretty), the same events as short coloured lines a person can read.
 */
export function createLogger(config: Pick<Config, 'logLevel'> & Partial<Pick<Config, 'logFormat'>>, name = 'modelhub'): Logger {
  const options = { name, level: config.logLevel, redact: REDACT };
  if (config.logFormat !== 'pretty') return pino(options);
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
