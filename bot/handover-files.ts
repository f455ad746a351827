import { card, literal, literalHeading } from '../cards/adaptive-card';
import { authorize, normalizeId } from '../core/auth/access-policy';
import type { ChangePlan } from '../core/change/change-plan';
import { isPlanFileName, MAX_PLAN_FILE_NAME, planFiles, type PlanFile } from '../core/change/plan-files';
import { changeStatusOf } from '../core/change/change-state';
import { isUserError, UserError } from '../core/errors/user-error';
import type { ChangePayload } from '../core/jobs/job-catalog';
import { ORCHESTRATIONS } from '../core/jobs/job-catalog';
import type { ActionOutcome, CardAction, FileConsentAnswer } from '../core/ports/chat';
import { PERSON_NOT_REACHABLE } from '../core/ports/messaging';
import type { BotDeps } from './bot-deps';
import { stringField } from './card-data';
import { presentError } from './present-error';

/**
 * A plan's hand-over as files (e.g. a provisioning's swanctl.conf and the hand-over text with the root to trust),
 * where Teams allows a bot to send files: the personal chat. **Get files** on the change's card (anywhere: a channel,
 * a group chat, the personal chat) offers each file to whoever pressed it, in their personal chat with the bot, with a
 * file consent card; Allow uploads it to their OneDrive and shows it in the chat. The consent card carries only the
 * job id, the file's name and the person it is for: on Allow the bot reads the job again, checks the person, their
 * role and that the plan has that file, and makes the bytes from the plan itself. The role is the operator's (who
 * provisions); the card itself keeps the same content for everyone who sees it.
 */

const MAX_JOB_ID = 300;
/** Who may have a plan's files. */
const ROLE = 'operator' as const;

async function planOf(jobId: string, deps: BotDeps): Promise<ChangePlan | undefined> {
  const record = await deps.jobs.get(jobId);
  if (!record || record.orchestration !== ORCHESTRATIONS.change || !record.envelope || !changeStatusOf(record.customStatus)) return undefined;
  return (record.envelope.payload as ChangePayload | undefined)?.plan;
}

const bytesOf = (file: PlanFile): Uint8Array => new TextEncoder().encode(file.text);

/** Get files: a consent card per file in the presser's personal chat (role checked before this runs). */
export async function handoverFilesAction(action: CardAction, deps: BotDeps): Promise<ActionOutcome> {
  const jobId = stringField(action.data, 'jobId', MAX_JOB_ID);
  const me = action.caller.aadObjectId;
  if (!me) throw new UserError('CallerUnknown', 'Teams did not say who you are, so I cannot send you files.');
  const plan = await planOf(jobId, deps);
  const files = plan ? planFiles(plan) : [];
  if (!plan || files.length === 0) throw new UserError('NoHandoverFiles', 'That card names no change with files to hand over.', 'The card itself shows everything; copy it from there.');
  const via = await action.rememberConversation();
  try {
    for (const file of files) {
      await deps.messenger.offerFile(via, { personAadObjectId: me }, {
        name: file.name,
        description: `${plan.title}: ${file.name}`,
        sizeInBytes: bytesOf(file).byteLength,
        context: { jobId, file: file.name, for: me },
      });
    }
  } catch (error) {
    if (isUserError(error) && error.code === PERSON_NOT_REACHABLE) {
      throw new UserError(PERSON_NOT_REACHABLE, 'Teams lets me send files only in a personal chat, and you have none with me yet.', 'Open a chat with the bot in Teams (say hello), then press Get files again.');
    }
    throw error;
  }
  const names = files.map((f) => f.name).join(', ');
  return { kind: 'message', text: action.conversation.type === 'personal' ? `Allow the file${files.length === 1 ? '' : 's'} below: ${names}.` : `Sent to your personal chat with me: ${names}. Allow ${files.length === 1 ? 'it' : 'each'} there (Teams sends files only in personal chats).` };
}

/** What the consent card carried back, checked for shape: a job id, a file name, a person. */
function contextOf(raw: unknown): { jobId: string; file: string; for: string } | undefined {
  const c = raw as { jobId?: unknown; file?: unknown; for?: unknown } | undefined;
  if (!c || typeof c !== 'object') return undefined;
  if (typeof c.jobId !== 'string' || c.jobId.length === 0 || c.jobId.length > MAX_JOB_ID) return undefined;
  if (typeof c.file !== 'string' || c.file.length > MAX_PLAN_FILE_NAME || !isPlanFileName(c.file)) return undefined;
  if (typeof c.for !== 'string' || c.for.length === 0 || c.for.length > 100) return undefined;
  return { jobId: c.jobId, file: c.file, for: c.for };
}

function refused(problem: string): UserError {
  return new UserError('FileNotSent', problem, 'Press Get files on the hand-over card to have the files offered to you again.');
}

/**
 * Allow or Decline on a file consent card. Everything is checked again on the server: the answer comes from the
 * person the file was offered to, in their personal chat, who still holds the role, and the job's plan has that
 * file; the bytes are made from the plan. Never throws: the outcome (sent, declined, or why not) replaces the consent
 * card.
 */
export async function handleFileConsent(answer: FileConsentAnswer, deps: BotDeps): Promise<void> {
  const reference = deps.newId();
  try {
    const context = contextOf(answer.context);
    if (!context) throw refused('That file card does not name a file of mine.');
    const me = normalizeId(answer.caller.aadObjectId ?? '');
    if (me === '' || me !== normalizeId(context.for)) throw refused('That file was offered to someone else.');
    if (answer.conversation.type !== 'personal') throw refused('Files are sent only in your personal chat with me.');
    if (!authorize(answer.caller, ROLE, deps.access).allowed) throw new UserError('FileNotSent', `You need the ${ROLE} role for a hand-over's files.`, 'Type whoami to see your roles.');
    if (answer.action === 'decline') {
      await answer.replaceConsentCard(card([literalHeading(`${context.file}: declined`), literal('Not sent. The hand-over card still shows everything; press Get files there to have it offered again.')]));
      return;
    }
    const plan = await planOf(context.jobId, deps);
    const file = plan ? planFiles(plan).find((f) => f.name === context.file) : undefined;
    if (!plan || !file) throw refused(`I have no file ${context.file} for that change any more.`);
    if (!answer.deliver) throw refused('Teams did not say where to put the file.');
    const bytes = bytesOf(file);
    await answer.deliver(bytes);
    // Who has the hand-over is part of the site's story (`audit <site>`); a failure to record does not unsend it.
    await deps.audit
      .record({ action: 'handover-file', actor: { ...(answer.caller.aadObjectId ? { aadObjectId: answer.caller.aadObjectId } : {}), name: answer.caller.displayName }, target: plan.site, outcome: 'succeeded', jobId: context.jobId, detail: `sent ${file.name} (${bytes.byteLength} bytes) to their OneDrive` })
      .catch((error: unknown) => deps.log.warn('could not audit a hand-over file', { reference, error: isUserError(error) ? error.code : 'unexpected' }));
    await answer.replaceConsentCard(card([literalHeading(`${file.name}: sent`, 'good'), literal(`${plan.title}: ${file.name} (${bytes.byteLength.toLocaleString('en-US')} bytes) is in your OneDrive; it is shown below.`)]));
  } catch (error) {
    const shown = presentError(error, { log: deps.log, reference, title: 'The file was not sent', where: 'file consent' });
    await answer.replaceConsentCard(shown).catch(() => undefined);
  }
}
