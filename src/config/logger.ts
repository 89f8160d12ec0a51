import pino, { type Logger } from 'pino';
import type { Config } from './config';

/** Structured JSON, one line per event; children add request, operation and workflow ids. */
export function createLogger(config: Pick<Config, 'logLevel'>, name = 'modelhub'): Logger {
  return pino({ name, level: config.logLevel, redact: ['req.headers.authorization', 'connectionParams.authorization'] });
}
