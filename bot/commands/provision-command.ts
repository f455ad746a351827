import { errorCard } from '../../cards/error-card';
import { provisionFormCard } from '../../cards/provision-form-card';
import { isUserError } from '../../core/errors/user-error';
import { ORCHESTRATIONS } from '../../core/jobs/job-catalog';
import { MAX_INBOUND_INPUT_CHARS } from '../../core/pki/inbound-rotation';
import type { FieldProblem, ProvisionFields } from '../../core/provision/provision-request';
import { parseProvisionFields, provisionCommandLine } from '../../core/provision/provision-request';
import type { FileAttachment } from '../../core/ports/chat';
import type { AdaptiveCard } from '../../cards/adaptive-card';
import type { ProvisionMergeRequest } from '../../core/change/change-kind';
import type { CommandHandler } from '../command-handler';
import { readMergeInput } from './rotate-command';

/** The problems of a request, one line per field, for the inline command's error card. */
export function problemsCard(site: string | undefined, problems: readonly FieldProblem[]): AdaptiveCard {
  return errorCard({
    title: `provision${site ? ` ${site}` : ''}: ${problems.length === 1 ? 'one thing to fix' : `${problems.length} things to fix`}`,
    problem: `Nothing was requested.\n${problems.map((p) => `--${p.field}: ${p.message} (${p.code})`).join('\n')}`,
    fix: 'Correct each field and send it again, or send provision alone for the form.',
    usage: 'provision <site> --ip <IPv4> --prefixes <CIDR,...> --subject <device subject> [--gateway NAME] [--policy default|strong] [--outbound ca|external|existing:NAME], the CA chain pasted below or attached; provision <site> --merge with the signed certificate for --outbound external',
    code: problems[0]!.code,
  });
}

/** The pasted chain, else the one attachment. */
async function chainInput(pastedText: string | undefined, files: readonly FileAttachment[]): Promise<{ readonly chain?: string | Uint8Array } | { readonly problem: FieldProblem }> {
  if (pastedText && pastedText.trim() !== '') return { chain: pastedText };
  const file = files[0];
  if (!file) return {};
  if (files.length > 1) return { problem: { field: 'chain', code: 'TooManyAttachments', message: `I got ${files.length} attachments and read one: attach one file with the CA certificates (.pem, .cer or .p7b), or paste them.` } };
  try {
    return { chain: await file.download(MAX_INBOUND_INPUT_CHARS) };
  } catch (error) {
    return { problem: { field: 'chain', code: isUserError(error) ? error.code : 'AttachmentUnreadable', message: isUserError(error) ? error.safeMessage : 'I could not download the attachment: paste the certificates instead.' } };
  }
}

/**
 * `provision`: alone, the form card; with arguments, the inline request (chain pasted or attached), validated field by
 * field, then planned by the change request job (the preflight) and handed to the change pipeline. The certificates
 * travel on as base64 DER, never as typed.
 */
export const provisionCommand: CommandHandler<'provision'> = {
  async prepare({ command, message }) {
    const { site } = command.args;
    const flags = command.flags;
    if (flags.merge) {
      // Part 2 of --outbound external: the signed certificate alone; the rest comes from the provisioning's record.
      const others = Object.entries(flags).filter(([name, value]) => name !== 'merge' && value !== undefined).map(([name]) => `--${name}`);
      if (site === undefined || others.length > 0) {
        return { rejected: errorCard({ title: 'provision: --merge stands alone', problem: site === undefined ? '--merge completes the provisioning of one site: name it.' : `--merge takes the signed certificate only; ${others.join(', ')} ${others.length === 1 ? 'comes' : 'come'} from the provisioning that waits for it.`, fix: `Send provision ${site ?? '<site>'} --merge with the signed certificate and its chain pasted below.`, code: 'InvalidOptions' }) };
      }
      const read = await readMergeInput(command.pastedText, message.files);
      if ('rejected' in read) return read;
      const payload: ProvisionMergeRequest = { kind: 'provision-site', site, merge: read.pem };
      return { orchestration: ORCHESTRATIONS.changeRequest, target: site.toLowerCase(), commandLine: `provision ${site} --merge (+ certificates)`, payload };
    }
    const anyFlag = Object.values(flags).some((v) => v !== undefined);
    const given = await chainInput(command.pastedText, message.files);
    if (site === undefined && !anyFlag && !('chain' in given && given.chain !== undefined)) return { rejected: provisionFormCard() };
    if ('problem' in given) return { rejected: problemsCard(site, [given.problem]) };
    const fields: ProvisionFields = {
      ...(site !== undefined ? { site } : {}),
      ...(flags.ip !== undefined ? { ip: flags.ip } : {}),
      ...(flags.fqdn !== undefined ? { fqdn: flags.fqdn } : {}),
      ...(flags.prefixes !== undefined ? { prefixes: flags.prefixes } : {}),
      ...(flags.subject !== undefined ? { subject: flags.subject } : {}),
      ...(given.chain !== undefined ? { chain: given.chain } : {}),
      ...(flags.gateway !== undefined ? { gateway: flags.gateway } : {}),
      ...(flags.policy !== undefined ? { policy: flags.policy } : {}),
      ...(flags.outbound !== undefined ? { outbound: flags.outbound } : {}),
    };
    const parsed = parseProvisionFields(fields);
    if (!parsed.ok) return { rejected: problemsCard(site, parsed.problems) };
    return { orchestration: ORCHESTRATIONS.changeRequest, target: parsed.request.site.toLowerCase(), commandLine: provisionCommandLine(parsed.request), payload: parsed.request };
  },
};
