import { errorCard } from '../../cards/error-card';
import type { RotateOutboundRequest } from '../../core/change/change-kind';
import { isUserError } from '../../core/errors/user-error';
import { toPem } from '../../core/pki/certificate-info';
import { MAX_MERGE_INPUT_CHARS, parseMergeInput } from '../../core/pki/outbound-rotation';
import { ORCHESTRATIONS } from '../../core/jobs/job-catalog';
import type { FileAttachment } from '../../core/ports/chat';
import type { CommandHandler, JobRequest } from '../command-handler';
import { prepareRotateInbound } from './rotate-inbound-input';

/**
 * `rotate <site> outbound|inbound`: a change, planned by the change request job and handed to the change pipeline.
 * For `--merge`, the signed certificate and chain (pasted or attached) are read here and passed on as PEM, so what a
 * person pasted never enters orchestration history as typed.
 */
export const rotateCommand: CommandHandler<'rotate'> = {
  async prepare({ command, message, deps, roles }) {
    const { site, side } = command.args;
    const { source, days, merge } = command.flags;
    if (side === 'inbound') return prepareRotateInbound({ command, message, deps, roles });
    if (command.flags.subject !== undefined || command.flags.at !== undefined) {
      return { rejected: errorCard({ title: `rotate ${site} outbound: options of inbound`, problem: '--subject and --at are for the inbound chain and subject.', fix: `Send rotate ${site} outbound without them, or rotate ${site} inbound.`, code: 'InvalidOptions' }) };
    }
    if (merge && (source !== undefined || days !== undefined)) {
      return { rejected: errorCard({ title: 'rotate: --merge stands alone', problem: '--merge completes the pending external request; it takes no --source or --days.', fix: `Send rotate ${site} outbound --merge with the signed certificate and its chain pasted below.`, code: 'InvalidOptions' }) };
    }
    if (days !== undefined && source !== undefined && source !== 'ca') {
      return { rejected: errorCard({ title: 'rotate: --days is for --source ca', problem: `--days sets how long a certificate the CA issues is valid; with --source ${source} the certificate's validity is not the bot's to choose.`, fix: `Drop --days, or use --source ca.`, code: 'InvalidOptions' }) };
    }
    let mergeText: string | undefined;
    if (merge) {
      const read = await readMergeInput(command.pastedText, message.files);
      if ('rejected' in read) return read;
      mergeText = read.pem;
    }
    const payload: RotateOutboundRequest = { kind: 'rotate-certificate', site, side: 'outbound', ...(source ? { source } : {}), ...(days !== undefined ? { days } : {}), ...(mergeText !== undefined ? { merge: mergeText } : {}) };
    const options = [source ? `--source ${source}` : '', days !== undefined ? `--days ${days}` : '', merge ? '--merge (+ certificates)' : ''].filter(Boolean).join(' ');
    const job: JobRequest = { orchestration: ORCHESTRATIONS.changeRequest, target: site.toLowerCase(), commandLine: `rotate ${site} outbound${options ? ` ${options}` : ''}`, payload };
    return job;
  },
};

/** The signed certificate and its chain for a `--merge` (rotate and provision), pasted or attached, as PEM. */
export async function readMergeInput(pastedText: string | undefined, files: readonly FileAttachment[]): Promise<{ readonly pem: string } | { readonly rejected: ReturnType<typeof errorCard> }> {
  const rejected = (problem: string, fix: string, code: string) => ({ rejected: errorCard({ title: 'Could not read the signed certificate', problem, fix, code }) });
  let input: Uint8Array | string | undefined = pastedText && pastedText.trim() !== '' ? pastedText : undefined;
  if (input === undefined) {
    const file = files[0];
    if (!file) return rejected('--merge needs the signed certificate and its chain, pasted below the command or attached.', 'Paste the certificate your CA issued and its issuers up to the root (PEM), on the lines after the command.', 'NothingToMerge');
    if (files.length > 1) return rejected(`I got ${files.length} attachments and read one.`, 'Attach one file holding the certificate and its chain (.pem, .cer or .p7b).', 'TooManyAttachments');
    try {
      input = await file.download(MAX_MERGE_INPUT_CHARS);
    } catch (error) {
      return rejected(isUserError(error) ? error.safeMessage : 'I could not download the attachment.', 'Paste the certificates into the message instead.', isUserError(error) ? error.code : 'AttachmentUnreadable');
    }
  }
  try {
    return { pem: parseMergeInput(input).map((c) => toPem(c)).join('') };
  } catch (error) {
    if (isUserError(error)) return rejected(error.safeMessage, error.hint ?? 'Paste the signed certificate and its chain as PEM.', error.code);
    return rejected('What was given is not a certificate I can read.', 'Paste the signed certificate and its chain as PEM.', 'InvalidCertificate');
  }
}
