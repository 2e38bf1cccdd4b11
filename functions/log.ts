// The logging port of the use cases: structured lines, one message plus attributes. The
// handlers pass a Powertools Logger (through `fromPowertools`); tests pass `silentLog` or a
// recorder.
import type { Logger } from '@aws-lambda-powertools/logger';

export type LogAttributes = Readonly<Record<string, unknown>>;

export interface Log {
  debug(message: string, attributes?: LogAttributes): void;
  info(message: string, attributes?: LogAttributes): void;
  warn(message: string, attributes?: LogAttributes): void;
  error(message: string, attributes?: LogAttributes): void;
}

export const silentLog: Log = { debug() {}, info() {}, warn() {}, error() {} };

export function fromPowertools(logger: Logger): Log {
  const attrs = (a?: LogAttributes) => (a === undefined ? [] : [{ ...a }]);
  return {
    debug: (m, a) => logger.debug(m, ...attrs(a)),
    info: (m, a) => logger.info(m, ...attrs(a)),
    warn: (m, a) => logger.warn(m, ...attrs(a)),
    error: (m, a) => logger.error(m, ...attrs(a)),
  };
}

/** The deps with `log` set (kept when they have one). */
export function withLog<T extends { readonly log?: Log }>(deps: T, log: Log): T {
  return deps.log ? deps : { ...deps, log };
}
