import { parseAzureIkeMessage } from '../core/ike/parse-azure-ike-message';
import { parseCharonLog } from '../core/ike/parse-charon-log';
import { generateIkeLogLines } from '../local/simulator/ike/generate-ike-log-lines';

export interface IkeParseBenchResult {
  lines: number;
  /** The fastest round. */
  seconds: number;
  /** Rate of the fastest round. */
  linesPerSecond: number;
  /** Every timed round, in order (seconds). */
  roundSeconds: number[];
  /** Rate of the median round: what a busy machine gives, next to what the code can do. */
  medianLinesPerSecond: number;
}

/** The goal: `diagnose` reads hours of gateway logs plus a pasted device log within an activity's budget. */
export const IKE_PARSE_GOAL_LINES_PER_SECOND = 200_000;

/** Timed passes; the fastest counts, so other work on a shared machine does not masquerade as parser cost. */
export const IKE_PARSE_ROUNDS = 10;

/**
 * Parses 100,000 generated realistic lines (Azure IKEDiagnosticLog rows and charon lines, 3:1) and reports the rate of
 * the fastest of IKE_PARSE_ROUNDS passes. One warm-up pass first, so the measurement is of optimised code rather than of the
 * JIT's first steps.
 */
export async function runIkeParseBench(lineCount = 100_000): Promise<IkeParseBenchResult> {
  const { azureRows, charonText, charonLines } = generateIkeLogLines(lineCount);
  const parseAll = (): number => {
    let kinds = 0;
    for (const row of azureRows) if (parseAzureIkeMessage(row).kind !== 'other') kinds++;
    kinds += parseCharonLog(charonText, { maxEvents: charonLines }).length;
    return kinds;
  };
  parseAll();
  const roundSeconds: number[] = [];
  for (let round = 0; round < IKE_PARSE_ROUNDS; round++) {
    const started = process.hrtime.bigint();
    const parsed = parseAll();
    roundSeconds.push(Number(process.hrtime.bigint() - started) / 1e9);
    if (parsed === 0) throw new Error('the benchmark parsed nothing: the generator or the parsers are broken');
  }
  const lines = azureRows.length + charonLines;
  const seconds = Math.min(...roundSeconds);
  const medianSeconds = [...roundSeconds].sort((a, b) => a - b)[Math.floor(IKE_PARSE_ROUNDS / 2)]!;
  return { lines, seconds, linesPerSecond: Math.round(lines / seconds), roundSeconds, medianLinesPerSecond: Math.round(lines / medianSeconds) };
}

// Runnable on its own: `npm run build && node dist/bench/ike-parse.js`.
if (typeof require !== 'undefined' && require.main === module) {
  void runIkeParseBench().then((r) => {
    const verdict = r.linesPerSecond >= IKE_PARSE_GOAL_LINES_PER_SECOND ? 'meets' : 'MISSES';
    console.log(`ike-parse: ${r.lines} lines in ${r.seconds.toFixed(3)} s = ${r.linesPerSecond} lines/s (${verdict} the ${IKE_PARSE_GOAL_LINES_PER_SECOND} lines/s goal)`);
    if (r.linesPerSecond < IKE_PARSE_GOAL_LINES_PER_SECOND) process.exitCode = 1;
  });
}
