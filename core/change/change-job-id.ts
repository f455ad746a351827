/**
 * Change jobs run under a business key derived from their target, so two changes to one connection can't run at once:
 * the Durable extension refuses a second instance with a running id. Instance ids may not contain `/ \ # ?`, so the
 * connection's resource id is encoded: lower case (ARM ids are case-insensitive), `/` as `~` (never part of an Azure
 * resource name or id). Ids stay within the extension's 256 characters.
 */
const PREFIX = 'change~';

export function changeJobId(connectionId: string): string {
  const encoded = connectionId.trim().toLowerCase().replace(/^\/+/, '').replace(/\//g, '~');
  if (encoded.length === 0 || /[\\#?\s]/.test(encoded)) throw new Error('A change target must be an Azure resource id.');
  return `${PREFIX}${encoded}`.slice(0, 256);
}

export function isChangeJobId(jobId: string): boolean {
  return jobId.startsWith(PREFIX);
}

/** The connection id a change job id encodes (lower case). */
export function connectionIdOfChangeJob(jobId: string): string | undefined {
  return isChangeJobId(jobId) ? `/${jobId.slice(PREFIX.length).replace(/~/g, '/')}` : undefined;
}
