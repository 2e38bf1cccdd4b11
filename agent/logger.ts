// The agent's logger: a small interface (Powertools' Logger satisfies it) and a JSON-lines default.

export interface AgentLogger {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** One JSON object per line on stderr, with the cluster. */
export function jsonLogger(fields: Record<string, unknown> = {}, write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): AgentLogger {
  const log = (level: string) => (message: string, extra?: Record<string, unknown>): void => {
    write(JSON.stringify({ level, time: new Date().toISOString(), component: 'agent', ...fields, message, ...extra }));
  };
  return { info: log('INFO'), warn: log('WARN'), error: log('ERROR') };
}

export const silentLogger: AgentLogger = { info: () => {}, warn: () => {}, error: () => {} };
