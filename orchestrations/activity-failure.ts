/**
 * How an activity failure crosses into durable history. Activities never let raw exception text through:
 * a user error travels as its code and safe text; anything else as an opaque reference to the full error in the
 * logs. Orchestrations decode it to show the right card.
 */
const USER_PREFIX = 'UserError:';
const UNEXPECTED_PREFIX = 'Unexpected:';

export interface ActivityFailure {
  readonly code: string;
  readonly problem: string;
  readonly fix?: string;
  /** Bot-written findings, one per line (UserError.findings). */
  readonly findings?: string;
}

export function encodeUserFailure(code: string, safeMessage: string, hint?: string, findings?: string): string {
  return `${USER_PREFIX}${JSON.stringify({ code, problem: safeMessage, ...(hint ? { fix: hint } : {}), ...(findings ? { findings } : {}) })}`;
}

export function encodeUnexpectedFailure(reference: string): string {
  return `${UNEXPECTED_PREFIX}${reference}`;
}

/** Reads what an activity failure says; anything unrecognised is treated as unexpected. */
export function decodeActivityFailure(error: unknown): ActivityFailure {
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  const userAt = message.indexOf(USER_PREFIX);
  if (userAt !== -1) {
    try {
      const parsed = JSON.parse(message.slice(userAt + USER_PREFIX.length).split('\n')[0]!) as Partial<ActivityFailure>;
      if (typeof parsed.code === 'string' && typeof parsed.problem === 'string') {
        return { code: parsed.code, problem: parsed.problem, ...(typeof parsed.fix === 'string' ? { fix: parsed.fix } : {}), ...(typeof parsed.findings === 'string' ? { findings: parsed.findings } : {}) };
      }
    } catch {
      // Fall through to the unexpected case: never show text we could not decode.
    }
  }
  const unexpected = /Unexpected:([0-9a-f-]{4,40})/.exec(message);
  return {
    code: 'Unexpected',
    // No claim about what changed: the same text serves reads and the steps of a change (whose card says the rest).
    problem: `The job failed unexpectedly${unexpected ? ` (reference ${unexpected[1]})` : ''}.`,
    fix: 'Try again in a minute; if it keeps failing, give the reference to the bot operators.',
  };
}
