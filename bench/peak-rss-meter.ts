import { readFileSync, writeFileSync } from 'node:fs';

export interface ProcessPeak {
  readonly pid: number;
  readonly name: string;
  /** Resident set size when the meter started. */
  readonly startBytes: number;
  /** Largest resident set size while the meter ran. */
  readonly peakBytes: number;
}

export interface PeakRss {
  /**
   * `kernel`: the kernel's own high-water mark (VmHWM), reset when the meter started, so no short spike between
   * samples is missed; `sampled`: the largest of samples every `sampleMs` (where the mark cannot be reset).
   */
  readonly method: 'kernel' | 'sampled';
  readonly self: ProcessPeak;
  /** Direct child processes alive when the meter started (Azurite). */
  readonly children: readonly ProcessPeak[];
}

export interface PeakRssMeter {
  stop(): PeakRss;
}

/**
 * Measures the peak resident memory of this process and its children over an interval. Linux only (reads /proc);
 * elsewhere it falls back to sampling this process alone.
 */
export function startPeakRssMeter(options: { sampleMs?: number } = {}): PeakRssMeter {
  const pids = [process.pid, ...childPids()];
  const kernelMark = pids.map((pid) => resetHighWaterMark(pid));
  const start = pids.map((pid) => (pid === process.pid ? process.memoryUsage.rss() : (readStatusKb(pid, 'VmRSS') ?? 0) * 1024));
  const sampledPeak = [...start];
  const sample = () => {
    pids.forEach((pid, i) => {
      const rss = pid === process.pid ? process.memoryUsage.rss() : (readStatusKb(pid, 'VmRSS') ?? 0) * 1024;
      if (rss > sampledPeak[i]!) sampledPeak[i] = rss;
    });
  };
  const timer = setInterval(sample, options.sampleMs ?? 50);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample();
      const peaks: ProcessPeak[] = pids.map((pid, i) => {
        const hwmKb = kernelMark[i] ? readStatusKb(pid, 'VmHWM') : undefined;
        return {
          pid,
          name: processName(pid),
          startBytes: start[i]!,
          peakBytes: Math.max(sampledPeak[i]!, hwmKb !== undefined ? hwmKb * 1024 : 0),
        };
      });
      return { method: kernelMark[0] ? 'kernel' : 'sampled', self: peaks[0]!, children: peaks.slice(1) };
    },
  };
}

/** Writing 5 to clear_refs resets VmHWM to the current RSS (Linux >= 4.0). */
function resetHighWaterMark(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return readStatusKb(pid, 'VmHWM') !== undefined;
  } catch {
    return false;
  }
}

function readStatusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

function childPids(): number[] {
  try {
    return readFileSync(`/proc/self/task/${process.pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter((s) => s.length > 0)
      .map(Number);
  } catch {
    return [];
  }
}

function processName(pid: number): string {
  if (pid === process.pid) return 'bench process';
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a.length > 0);
    // Name a node child after its script: "node …/azurite/dist/src/table/main.js" is Azurite.
    const script = args.find((a) => a.endsWith('.js'));
    if (script?.includes('azurite')) return 'Azurite';
    return script ?? args[0] ?? `pid ${pid}`;
  } catch {
    return `pid ${pid}`;
  }
}
