import type { AdaptiveCard } from '../../cards/adaptive-card';
import { errorCard } from '../../cards/error-card';
import type { RotateInboundRequest } from '../../core/change/change-kind';
import { formatWindow, parseMaintenanceTime } from '../../core/change/maintenance-window';
import { isUserError } from '../../core/errors/user-error';
import { ORCHESTRATIONS } from '../../core/jobs/job-catalog';
import { toBase64Der } from '../../core/pki/certificate-info';
import { checkNewInboundChain, MAX_INBOUND_INPUT_CHARS, readInboundInput } from '../../core/pki/inbound-rotation';
import type { FileAttachment } from '../../core/ports/chat';
import type { CommandContext, JobRequest } from '../command-handler';

/** The new inbound CA certificates, checked, as the request carries them (base64 DER, root first). */
export interface CheckedInboundCertificates {
  readonly chain: readonly string[];
  readonly device?: string;
}

type Rejected = { readonly rejected: AdaptiveCard };

const reject = (title: string, problem: string, fix: string, code: string): Rejected => ({ rejected: errorCard({ title, problem, fix, code }) });

/**
 * What a person gives as the new inbound CA certificates (pasted under the command, typed into the diagnose card's
 * form, or attached), read and checked against Azure's chain rules here, in the bot: bad input is answered with every
 * problem (each with Azure's code) and nothing is requested. The text itself never goes further: the request carries
 * the certificates as base64 DER, root first, and a private key is refused without being echoed.
 */
export function checkInboundCertificates(input: Uint8Array | string, site: string, now: Date): CheckedInboundCertificates | Rejected {
  const title = `rotate ${site} inbound: the new chain cannot be used`;
  let read: ReturnType<typeof readInboundInput>;
  try {
    read = readInboundInput(input);
  } catch (error) {
    if (isUserError(error)) return reject(title, error.safeMessage, error.hint ?? 'Paste the root and intermediate CA certificates as PEM.', error.code);
    return reject(title, 'What was given is not a set of certificates I can read.', 'Paste the root and intermediate CA certificates as PEM.', 'InvalidCertificate');
  }
  const checked = checkNewInboundChain(read.certificates, now);
  if (!checked.ok) {
    const problems = checked.errors.map((e, i) => `${checked.errors.length > 1 ? `${i + 1}. ` : ''}${e.message} (${e.code})`).join('\n');
    return {
      rejected: errorCard({
        title,
        problem: `${checked.errors.length === 1 ? "It breaks one of Azure's inbound chain rules" : `It breaks ${checked.errors.length} of Azure's inbound chain rules`}; nothing was requested.\n${problems}`,
        fix: 'Give only the root CA and the intermediates that issued the device certificate (at most 5, one single chain, all current CA certificates), in any order.',
        code: checked.errors[0]!.code,
      }),
    };
  }
  return { chain: checked.chain.map((c) => toBase64Der(c)), ...(read.device ? { device: toBase64Der(read.device) } : {}) };
}

/** The pasted text, else the one attachment (.pem, .cer, .p7b, DER). */
async function inboundInput(pastedText: string | undefined, files: readonly FileAttachment[], site: string): Promise<{ readonly input?: Uint8Array | string } | Rejected> {
  if (pastedText && pastedText.trim() !== '') return { input: pastedText };
  const file = files[0];
  if (!file) return {};
  const title = `rotate ${site} inbound: the attachment cannot be read`;
  if (files.length > 1) return reject(title, `I got ${files.length} attachments and read one.`, 'Attach one file with the CA certificates (.pem, .cer or .p7b), or paste them.', 'TooManyAttachments');
  try {
    return { input: await file.download(MAX_INBOUND_INPUT_CHARS) };
  } catch (error) {
    return reject(title, isUserError(error) ? error.safeMessage : 'I could not download the attachment.', 'Paste the certificates into the message instead.', isUserError(error) ? error.code : 'AttachmentUnreadable');
  }
}

/** `rotate <site> inbound [--subject NAME] [--at UTC]` with the new CA certificates pasted or attached. */
export async function prepareRotateInbound({ command, message, deps }: CommandContext<'rotate'>): Promise<JobRequest | Rejected> {
  const { site } = command.args;
  const { source, days, merge, subject, at } = command.flags;
  if (source !== undefined || days !== undefined || merge) {
    return reject(`rotate ${site} inbound: options of outbound`, '--source, --days and --merge are for the outbound certificate.', `Send rotate ${site} inbound with the new CA certificates pasted below it, and --subject or --at if needed.`, 'InvalidOptions');
  }
  const now = deps.now();
  let window: Date | undefined;
  if (at !== undefined) {
    const parsed = parseMaintenanceTime(at, now);
    if (!parsed.ok) return reject(`rotate ${site} inbound: the maintenance window`, parsed.problem, 'Give the time in UTC, e.g. --at 2026-12-06T02:00Z.', 'InvalidTime');
    window = parsed.at;
  }
  const given = await inboundInput(command.pastedText, message.files, site);
  if ('rejected' in given) return given;
  if (given.input === undefined && subject === undefined) {
    return reject(
      `rotate ${site} inbound: nothing to change`,
      'Give the new CA certificates (pasted on the lines below the command, or attached), --subject with the new inbound subject, or both.',
      `e.g. rotate ${site} inbound, then the root and intermediate certificates as PEM on the next lines.`,
      'NothingToRotate',
    );
  }
  let certificates: CheckedInboundCertificates | undefined;
  if (given.input !== undefined) {
    const checked = checkInboundCertificates(given.input, site, now);
    if ('rejected' in checked) return checked;
    certificates = checked;
  }
  const payload: RotateInboundRequest = {
    kind: 'rotate-certificate',
    site,
    side: 'inbound',
    ...(certificates ? { chain: certificates.chain, ...(certificates.device ? { device: certificates.device } : {}) } : {}),
    ...(subject !== undefined ? { subject } : {}),
    ...(window ? { at: window.toISOString() } : {}),
  };
  const options = [certificates ? `(+ ${certificates.chain.length} CA certificate${certificates.chain.length === 1 ? '' : 's'}${certificates.device ? ' and the device certificate' : ''})` : '', subject !== undefined ? `--subject "${subject}"` : '', window ? `--at ${formatWindow(window).replace(' UTC', 'Z').replace(' ', 'T')}` : ''].filter(Boolean).join(' ');
  return { orchestration: ORCHESTRATIONS.changeRequest, target: site.toLowerCase(), commandLine: `rotate ${site} inbound ${options}`.trim(), payload };
}
