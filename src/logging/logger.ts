import { pino, type Logger } from 'pino';
import { logfmtDestination } from './logfmt.js';

export type LogFormat = 'logfmt' | 'json';
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type { Logger };

/** Structured logger on stderr; `logfmt` (default) or `json`. */
export function createLogger(level: LogLevel, format: LogFormat, out: NodeJS.WritableStream = process.stderr): Logger {
  const options = {
    level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  const dest = format === 'json' ? out : logfmtDestination(out);
  return pino(options, dest as pino.DestinationStream);
}
