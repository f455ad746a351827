import type { RpcLogCategory, RpcLogLevel } from './functions-core-types';

export type HostLogOption = 'quiet' | 'info' | 'debug';

export interface HostLogEntry {
  time: Date;
  level: RpcLogLevel;
  /** `user` = context.log & co; `system` = worker/library messages; `host` = this host's own lifecycle lines. */
  category: RpcLogCategory | 'host';
  functionName?: string;
  invocationId?: string;
  message: string;
}

const levelRank: Record<RpcLogLevel, number> = {
  trace: 0,
  debug: 1,
  information: 2,
  warning: 3,
  error: 4,
  critical: 5,
  none: 6,
};

const levelLabel: Record<RpcLogLevel, string> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  information: 'INFO ',
  warning: 'WARN ',
  error: 'ERROR',
  critical: 'CRIT ',
  none: '     ',
};

/**
 * Prints invocation logs with function name and level. Only messages are printed: request bodies never reach the
 * logger (the host does not log them) and durable payloads are not echoed.
 */
export class HostLogger {
  constructor(
    private readonly option: HostLogOption,
    private readonly onLog?: (entry: HostLogEntry) => void,
  ) {}

  log(entry: HostLogEntry): void {
    if (this.onLog) {
      try {
        this.onLog(entry);
      } catch {
        // A faulty observer must not break invocations.
      }
    }
    if (!this.shouldPrint(entry)) return;
    const where = entry.functionName ? `[${entry.functionName}] ` : '';
    const line = `[${entry.time.toISOString()}] ${levelLabel[entry.level]} ${where}${entry.message}`;
    if (levelRank[entry.level] >= levelRank.error) console.error(line);
    else if (entry.level === 'warning') console.warn(line);
    else console.log(line);
  }

  host(level: RpcLogLevel, message: string, functionName?: string): void {
    this.log({ time: new Date(), level, category: 'host', message, ...(functionName ? { functionName } : {}) });
  }

  private shouldPrint(entry: HostLogEntry): boolean {
    if (this.option === 'quiet' || entry.level === 'none') return false;
    if (this.option === 'debug') return true;
    const rank = levelRank[entry.level];
    if (entry.category === 'user' || entry.category === 'host') return rank >= levelRank.information;
    return rank >= levelRank.warning;
  }
}
