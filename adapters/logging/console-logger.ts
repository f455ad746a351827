import type { Logger } from '../../core/ports/logger';

/** Property names whose values never reach a log line, whoever passes them. */
const SECRET_KEYS = /pass(word)?|secret|token|authorization|key$|pfx|privatekey|connectionstring/i;

/**
 * One JSON line per entry on stdout/stderr: the Functions host forwards console output to Application Insights,
 * and the local host prints it. Secret-looking properties are redacted at this single exit.
 */
export function createConsoleLogger(component: string, sink: Pick<Console, 'log' | 'warn' | 'error'> = console): Logger {
  const write = (level: 'info' | 'warn' | 'error', message: string, properties?: Record<string, unknown>) => {
    const line = JSON.stringify({ level, component, message, ...(properties ? redact(properties) : {}) });
    if (level === 'error') sink.error(line);
    else if (level === 'warn') sink.warn(line);
    else sink.log(line);
  };
  return {
    info: (message, properties) => write('info', message, properties),
    warn: (message, properties) => write('warn', message, properties),
    error: (message, properties) => write('error', message, properties),
  };
}

function redact(properties: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(properties)) {
    result[key] = SECRET_KEYS.test(key) ? '[redacted]' : value;
  }
  return result;
}
