import { UserError } from '../../core/errors/user-error';

/**
 * Downloads an attachment, stopping as soon as it exceeds `maxBytes`. Only https URLs (Teams/SharePoint hand out
 * pre-authorised https links); plain http to loopback only when the sandbox allows it.
 */
export async function downloadLimited(url: string, maxBytes: number, options: { allowLoopbackDownloads: boolean }): Promise<Uint8Array> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError('AttachmentUnreadable', 'The attachment link is not a valid URL.');
  }
  const loopback = parsed.hostname === '127.0.0.1' || parsed.hostname === 'localhost';
  if (parsed.protocol !== 'https:' && !(options.allowLoopbackDownloads && loopback && parsed.protocol === 'http:')) {
    throw new UserError('AttachmentUnreadable', 'The attachment is not on a secure (https) link, so I did not download it.');
  }
  const response = await fetch(parsed, { redirect: 'follow', signal: AbortSignal.timeout(15_000) }).catch(() => {
    throw new UserError('AttachmentUnreadable', 'I could not download the attachment.', 'Paste the log into the message instead.');
  });
  if (!response.ok || !response.body) {
    throw new UserError('AttachmentUnreadable', `Downloading the attachment failed (HTTP ${response.status}).`, 'Paste the log into the message instead.');
  }
  const declared = Number(response.headers.get('content-length') ?? 'NaN');
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  const result = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    result.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return result;
}

function tooLarge(maxBytes: number): UserError {
  return new UserError('AttachmentTooLarge', `The attachment is larger than ${Math.round(maxBytes / 1024)} KB.`, 'Attach only the charon log lines around the failed connection attempt.');
}
