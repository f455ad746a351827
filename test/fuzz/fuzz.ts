import fc from 'fast-check';
import type { IAsyncPropertyWithHooks, IPropertyWithHooks } from 'fast-check';
import { isUserError } from '../../core/errors/user-error';

/**
 * The fuzzing settings every target shares: at least 10,000 generated cases per target and run, from a fixed seed so
 * a failure reproduces exactly. fast-check prints the seed, the path and the shrunk counterexample of a failure;
 * `FUZZ_SEED=<seed>` replays it, and `FUZZ_RUNS=<n>` runs more (or fewer, while working on a target).
 */
export const FUZZ_SEED = Number.parseInt(process.env.FUZZ_SEED ?? '20261204', 10);
export const FUZZ_RUNS = Number.parseInt(process.env.FUZZ_RUNS ?? '10000', 10);
/** A case slower than this is a hang (parsers here handle a case in microseconds to milliseconds). */
const HANG_MS = 5_000;

export function fuzzOptions(): fc.Parameters<unknown> {
  return { seed: FUZZ_SEED, numRuns: FUZZ_RUNS, endOnFailure: true };
}

/** Runs a synchronous property over FUZZ_RUNS cases; also fails any single case that takes a hang's time. */
export function fuzz<T>(arbitrary: fc.Arbitrary<T>, check: (value: T) => void): void {
  const property: IPropertyWithHooks<[T]> = fc.property(arbitrary, (value) => {
    const started = performance.now();
    check(value);
    const took = performance.now() - started;
    if (took > HANG_MS) throw new Error(`one case took ${Math.round(took)} ms (a hang)`);
  });
  fc.assert(property, fuzzOptions() as fc.Parameters<[T]>);
}

export async function fuzzAsync<T>(arbitrary: fc.Arbitrary<T>, check: (value: T) => Promise<void>): Promise<void> {
  const property: IAsyncPropertyWithHooks<[T]> = fc.asyncProperty(arbitrary, async (value) => {
    const started = performance.now();
    await check(value);
    const took = performance.now() - started;
    if (took > HANG_MS) throw new Error(`one case took ${Math.round(took)} ms (a hang)`);
  });
  // Async cases are also interrupted: a case that never settles fails instead of stalling the run.
  await fc.assert(property, { ...(fuzzOptions() as fc.Parameters<[T]>), timeout: HANG_MS });
}

/** Words that only appear when an exception's own text (not a safe message) reached a person. */
export const RAW_EXCEPTION = /\b(TypeError|RangeError|SyntaxError|ReferenceError|AggregateError|Cannot read propert|is not a function|is not iterable|Unexpected token|Maximum call stack|at Object\.|at async|\[object Object\]|undefined|NaN)\b/;

/**
 * What parsing untrusted input may end in: a value, or a typed user error whose text is fit for a person. Anything
 * else thrown (a TypeError from a corner nobody thought of) fails the property, with the input that caused it.
 */
export function valueOrUserError<T>(parse: () => T): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (!isUserError(error)) throw error;
    const text = `${error.safeMessage} ${error.hint ?? ''}`;
    if (RAW_EXCEPTION.test(text) || !/^[A-Z][A-Za-z0-9]+$/.test(error.code)) throw new Error(`raw text or bad code in a user error: ${error.code}: ${text}`, { cause: error });
    return undefined;
  }
}

/** Text as people paste it: any Unicode (surrogates and controls included), with the characters that matter to parsers over-represented. */
export function messyText(maxLength: number, alphabet: readonly string[] = []): fc.Arbitrary<string> {
  const unit = fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
    { weight: 3, arbitrary: fc.constantFrom(' ', '\n', '\r\n', '\t', '"', "'", '\\', '-', '--', '=', ':', ',', ';', '[', ']', '{', '}', '<', '>', '/', '\u0000', '\u202E', '\u200B', '\uFEFF', '\uD800', '…', ...alphabet) },
  );
  return fc.array(unit, { maxLength: Math.max(1, Math.floor(maxLength / 4)) }).map((parts) => parts.join('').slice(0, maxLength));
}
