import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Activity } from 'botbuilder';
import { ActivityTypes } from 'botbuilder';
import { UserError } from '../../core/errors/user-error';
import type { FileOffer } from '../../core/ports/messaging';
import type { DownloadPolicy } from './download-limited';
import { checkedAddress, pinnedLookup, urlAllowed } from './download-limited';

/**
 * Teams' way for a bot to send a file (personal chats only): the bot posts a file consent card (name, description,
 * size); the person's Allow comes back as a `fileConsent/invoke` with an upload session in their OneDrive
 * (`uploadInfo.uploadUrl`); the bot PUTs the bytes there in one fragment, posts a file info card pointing at the
 * uploaded file, and answers the invoke 200. Decline comes back the same way, without uploadInfo.
 */

export const FILE_CONSENT_CARD = 'application/vnd.microsoft.teams.card.file.consent';
export const FILE_INFO_CARD = 'application/vnd.microsoft.teams.card.file.info';
export const FILE_CONSENT_INVOKE = 'fileConsent/invoke';

/** Largest file the bot sends (hand-over files are a few KB). */
export const MAX_UPLOAD_BYTES = 256 * 1024;
/** The whole upload (connect, send, answer) must finish within this. */
export const UPLOAD_TIMEOUT_MS = 15_000;

/** The consent card: Teams shows the name (the activity's attachment name), description and size, with Allow / Decline. */
export function fileConsentActivity(offer: FileOffer): Partial<Activity> {
  return {
    type: ActivityTypes.Message,
    attachments: [
      {
        contentType: FILE_CONSENT_CARD,
        name: offer.name,
        content: { description: offer.description, sizeInBytes: offer.sizeInBytes, acceptContext: offer.context, declineContext: offer.context },
      },
    ],
  };
}

/** What Teams says about the upload session on Allow. */
export interface UploadInfo {
  readonly name: string;
  readonly uploadUrl: string;
  readonly contentUrl: string;
  readonly uniqueId: string;
  readonly fileType: string;
}

export interface ConsentInvoke {
  readonly action: 'accept' | 'decline';
  readonly context: unknown;
  /** Accept only (an accept without a complete one is refused). */
  readonly uploadInfo?: UploadInfo;
}

const MAX_INFO_FIELD = 4_000;

/** The invoke's value, checked for shape: undefined when it is not a file consent answer Teams would send. */
export function parseConsentInvoke(value: unknown): ConsentInvoke | undefined {
  const v = value as { type?: unknown; action?: unknown; context?: unknown; uploadInfo?: Record<string, unknown> } | undefined;
  if (!v || typeof v !== 'object' || v.type !== 'fileUpload') return undefined;
  if (v.action === 'decline') return { action: 'decline', context: v.context };
  if (v.action !== 'accept') return undefined;
  const info = v.uploadInfo;
  const field = (name: string): string | undefined => {
    const x = info?.[name];
    return typeof x === 'string' && x.length <= MAX_INFO_FIELD ? x : undefined;
  };
  const [name, uploadUrl, contentUrl, uniqueId, fileType] = ['name', 'uploadUrl', 'contentUrl', 'uniqueId', 'fileType'].map(field);
  if (name === undefined || uploadUrl === undefined || contentUrl === undefined || uniqueId === undefined) return { action: 'accept', context: v.context };
  return { action: 'accept', context: v.context, uploadInfo: { name, uploadUrl, contentUrl, uniqueId, fileType: fileType ?? '' } };
}

/** The card that shows the uploaded file in the chat (Teams opens it from the person's OneDrive). */
export function fileInfoActivity(info: UploadInfo): Partial<Activity> {
  return {
    type: ActivityTypes.Message,
    attachments: [{ contentType: FILE_INFO_CARD, contentUrl: info.contentUrl, name: info.name, content: { uniqueId: info.uniqueId, fileType: info.fileType } }],
  };
}

function uploadFailed(why: string): UserError {
  return new UserError('FileUploadFailed', `I could not put the file into your OneDrive: ${why}. Nothing was sent.`, 'Press Get files on the hand-over card to try again; the card itself keeps everything the file has.');
}

/**
 * Puts `bytes` into the upload session Teams opened, in one fragment (`Content-Range: bytes 0-(n-1)/n`), as OneDrive's
 * upload sessions take it: 200 or 201 means the file is complete. Only to where Teams keeps files (the same hosts,
 * https on 443, and address checks as downloads; the sandbox's loopback server where allowed), at most
 * MAX_UPLOAD_BYTES, within UPLOAD_TIMEOUT_MS. Every failure is a UserError saying what happened, never the raw error.
 */
export async function uploadToSession(uploadUrl: string, bytes: Uint8Array, policy: DownloadPolicy, timeoutMs = UPLOAD_TIMEOUT_MS): Promise<void> {
  if (bytes.byteLength === 0) throw uploadFailed('the file is empty');
  if (bytes.byteLength > MAX_UPLOAD_BYTES) throw new UserError('FileTooLarge', `The file is ${Math.ceil(bytes.byteLength / 1024)} KB, more than the ${MAX_UPLOAD_BYTES / 1024} KB I send.`, 'Copy it from the card instead.');
  let url: URL;
  try {
    url = new URL(uploadUrl);
  } catch {
    throw uploadFailed('Teams gave no valid upload address');
  }
  if (!urlAllowed(url, policy)) throw uploadFailed(`the upload address is not where Teams keeps files (${url.hostname.slice(0, 80)})`);
  let target: { address: string; family: number };
  try {
    target = await checkedAddress(url, policy);
  } catch {
    throw uploadFailed(`the upload address ${url.hostname.slice(0, 80)} could not be reached safely`);
  }
  const status = await new Promise<number>((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      url,
      {
        method: 'PUT',
        lookup: pinnedLookup(target),
        signal: AbortSignal.timeout(timeoutMs),
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.byteLength), 'content-range': `bytes 0-${bytes.byteLength - 1}/${bytes.byteLength}` },
      },
      (response) => {
        // The answer's body (the drive item) is not needed; it is read to the end so the socket is released.
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', () => reject(uploadFailed('the connection broke while OneDrive answered')));
      },
    );
    req.on('error', (error: Error) => reject(uploadFailed(error.name === 'AbortError' || error.name === 'TimeoutError' ? `OneDrive did not answer within ${Math.round(timeoutMs / 1000)} s` : 'the connection to OneDrive failed')));
    req.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  });
  if (status === 200 || status === 201) return;
  if (status === 202) throw uploadFailed('OneDrive took the bytes but did not complete the file');
  if (status === 404 || status === 410) throw uploadFailed(`the upload session has expired (HTTP ${status})`);
  throw uploadFailed(`OneDrive answered HTTP ${status}`);
}
