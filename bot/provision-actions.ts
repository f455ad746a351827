import { provisionFormCard, type ProvisionFormValues } from '../cards/provision-form-card';
import { changeStatusOf } from '../core/change/change-state';
import { isSiteName } from '../core/commands/parse-command';
import { UserError } from '../core/errors/user-error';
import { MAX_FIELD_CHARS, parseProvisionFields, provisionCommandLine, type ProvisionField, type ProvisionFields } from '../core/provision/provision-request';
import type { ActionOutcome, CardAction } from '../core/ports/chat';
import { MAX_CHAIN_FORM_CHARS } from '../cards/remedy-buttons';
import type { BotDeps } from './bot-deps';
import { stringField } from './card-data';
import { requestChange } from './change-actions';

/**
 * The provision form's Check and plan, a status card's Provision, and the Keep / Remove a provisioning that did not
 * connect offers. Role: operator (checked before these run). What a form sends is untrusted: every field is checked
 * for type and size, then validated exactly as the inline command is.
 */

const FIELDS: readonly ProvisionField[] = ['site', 'ip', 'fqdn', 'prefixes', 'subject', 'chain', 'gateway', 'policy', 'outbound'];

/** The form's inputs as sent (Teams puts each input's value next to the button's data); anything else is ignored. */
export function formFields(data: unknown): ProvisionFields {
  const record = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  const fields: Record<string, string> = {};
  for (const name of FIELDS) {
    const value = record[name];
    if (value === undefined || value === null || value === '') continue;
    const max = name === 'chain' ? MAX_CHAIN_FORM_CHARS : MAX_FIELD_CHARS[name as keyof typeof MAX_FIELD_CHARS];
    if (typeof value !== 'string' || value.length > max) throw new UserError('InvalidCardData', `The form's ${name} field is not text of at most ${max} characters.`, 'Correct it in the form and press Check and plan again.');
    fields[name] = value;
  }
  return fields as ProvisionFields;
}

function valuesOf(fields: ProvisionFields): ProvisionFormValues {
  const values: ProvisionFormValues = {};
  for (const name of FIELDS) {
    const v = fields[name];
    if (typeof v === 'string' && name !== 'chain') values[name] = v;
  }
  return values;
}

/** Check and plan: a request with problems answers with the form again (each problem under its field); else planning starts. */
export async function provisionSiteAction(action: CardAction, deps: BotDeps): Promise<ActionOutcome> {
  const fields = formFields(action.data);
  const parsed = parseProvisionFields(fields);
  if (!parsed.ok) return { kind: 'card', card: provisionFormCard(valuesOf(fields), parsed.problems) };
  const commandLine = provisionCommandLine(parsed.request);
  const { started } = await requestChange(action, parsed.request, commandLine, deps);
  if (started === 'failed') return { kind: 'message', text: 'Could not start; see the card below.' };
  if (started === 'conflict') return { kind: 'message', text: `Provisioning ${parsed.request.site} is already being planned.` };
  if (started === 'duplicate') return { kind: 'message', text: 'Already asked.' };
  return { kind: 'message', text: `Planning: ${commandLine}.` };
}

/** Provision (on the status of a site not in Azure): the form, with what is known filled in. */
export async function provisionFormAction(action: CardAction): Promise<ActionOutcome> {
  const values: ProvisionFormValues = {};
  for (const name of ['site', 'ip', 'prefixes', 'subject'] as const) {
    const v = (action.data as Record<string, unknown> | undefined)?.[name];
    if (typeof v === 'string' && v.length <= MAX_FIELD_CHARS[name]) values[name] = v;
  }
  return { kind: 'card', card: provisionFormCard(values) };
}

function siteOf(action: CardAction): string {
  const site = stringField(action.data, 'site', 80);
  if (!isSiteName(site)) throw new UserError('InvalidCardData', 'That button named an invalid site.');
  return site;
}

/** Remove: asks for the removal of what the provisioning created (its own change: plan, approval, apply, verify). */
export async function removeSiteAction(action: CardAction, deps: BotDeps): Promise<ActionOutcome> {
  const site = siteOf(action);
  const { started } = await requestChange(action, { kind: 'remove-site', site }, `remove ${site} (what its provisioning created)`, deps);
  if (started === 'failed') return { kind: 'message', text: 'Could not start; see the card below.' };
  if (started === 'conflict') return { kind: 'message', text: 'The removal is already being planned.' };
  if (started === 'duplicate') return { kind: 'message', text: 'Already asked.' };
  return { kind: 'message', text: `Planning the removal of ${site}.` };
}

/** Keep: the provisioning stays for the device owner; recorded in the audit. */
export async function keepProvisionedAction(action: CardAction, deps: BotDeps): Promise<ActionOutcome> {
  const site = siteOf(action);
  const jobId = stringField(action.data, 'jobId', 300);
  const record = await deps.jobs.get(jobId);
  const change = changeStatusOf(record?.customStatus);
  if (!change || change.kind !== 'provision-site' || change.site.toLowerCase() !== site.toLowerCase()) throw new UserError('InvalidCardData', 'That button names no provisioning of this site.');
  await deps.audit.record({
    action: 'provision-site',
    actor: { ...(action.caller.aadObjectId ? { aadObjectId: action.caller.aadObjectId } : {}), name: action.caller.displayName },
    target: site,
    outcome: 'succeeded',
    jobId,
    detail: 'kept: left in place for the device owner to connect',
  });
  return { kind: 'message', text: `Kept: ${site} stays in Azure for the device owner; status ${site} shows when it connects.` };
}
