import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, extname, join } from 'node:path';

/**
 * Stands in for the person's OneDrive in Teams' file consent flow, which the Agents Playground does not implement.
 * When a person presses Allow on a bot's file consent card, Teams opens an upload session in their OneDrive and hands
 * the bot its `uploadUrl`; the bot PUTs the bytes there. Here: `POST /sessions {name}` opens a session (what Teams
 * does on Allow: the Playground client calls it, see PlaygroundClient.answerFileConsent) and answers the uploadInfo
 * Teams would put in the invoke; `PUT <uploadUrl>` takes the bytes as a OneDrive upload session does (`Content-Range:
 * bytes <first>-<last>/<total>` and a matching `Content-Length`, fragments in order: 202 with the next expected range
 * until the last, then 201 with the drive item; a range that does not continue the upload is 416, an unknown or
 * expired session 404), and keeps the finished file under `<dir>/` (a name already there gets ` 1`, ` 2`... as
 * OneDrive renames); `GET <contentUrl>` serves it. Loopback only.
 */

/** A finished upload. */
export interface StoredUpload {
  readonly name: string;
  readonly path: string;
  readonly size: number;
  /** The headers of each PUT of the session (to check what the bot sent). */
  readonly requests: readonly { readonly contentRange: string | undefined; readonly contentLength: string | undefined }[];
}

export interface UploadInfo {
  readonly name: string;
  readonly uploadUrl: string;
  readonly contentUrl: string;
  readonly uniqueId: string;
  readonly fileType: string;
}

export interface OneDriveStandIn {
  readonly url: string;
  /** Finished uploads, in order. */
  uploads(): readonly StoredUpload[];
  close(): Promise<void>;
}

/** OneDrive refuses a single fragment over 60 MiB; hand-over files are a few KB. */
const MAX_FRAGMENT = 60 * 1024 * 1024;
/** How long a session may wait for its bytes (OneDrive's are days; the bot uploads at once). */
const SESSION_MS = 15 * 60_000;

interface Session {
  readonly id: string;
  readonly name: string;
  readonly expires: number;
  readonly chunks: Buffer[];
  received: number;
  total?: number;
  readonly requests: { contentRange: string | undefined; contentLength: string | undefined }[];
}

export async function startOneDriveStandIn(dir: string, options: { port?: number } = {}): Promise<OneDriveStandIn> {
  mkdirSync(dir, { recursive: true });
  const sessions = new Map<string, Session>();
  const done: StoredUpload[] = [];
  const stored = new Map<string, string>();
  let base = '';

  const json = (res: ServerResponse, status: number, body: unknown) => {
    // A refusal before the body was read: the rest of the body is not wanted, and the connection is not reused.
    if (status >= 400) res.setHeader('connection', 'close');
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, code: string, message: string) => json(res, status, { error: { code, message } });

  const readBody = (req: IncomingMessage, max: number): Promise<Buffer | undefined> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let total = 0;
      req.on('data', (chunk: Buffer) => {
        total += chunk.byteLength;
        if (total > max) {
          resolve(undefined);
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });

  /** A name free in the folder, renamed as OneDrive does on conflict. */
  const freeName = (wanted: string): string => {
    const ext = extname(wanted);
    const stem = wanted.slice(0, wanted.length - ext.length);
    let name = wanted;
    for (let i = 1; existsSync(join(dir, name)); i++) name = `${stem} ${i}${ext}`;
    return name;
  };

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', base);
      if (req.method === 'POST' && url.pathname === '/sessions') {
        const body = await readBody(req, 10_000);
        const name = (JSON.parse(body?.toString('utf8') || '{}') as { name?: unknown }).name;
        // A file name as Teams takes it from the consent card: no folders.
        if (typeof name !== 'string' || name === '' || name !== basename(name) || name.length > 200) return error(res, 400, 'invalidRequest', 'name must be a file name');
        const id = randomUUID();
        sessions.set(id, { id, name, expires: Date.now() + SESSION_MS, chunks: [], received: 0, requests: [] });
        const info: UploadInfo = { name, uploadUrl: `${base}/upload/${id}`, contentUrl: `${base}/files/${id}`, uniqueId: id, fileType: extname(name).slice(1) };
        return json(res, 200, info);
      }
      const upload = /^\/upload\/([0-9a-f-]{36})$/.exec(url.pathname);
      if (req.method === 'PUT' && upload) {
        const session = sessions.get(upload[1]!);
        if (!session || session.expires < Date.now()) return error(res, 404, 'itemNotFound', 'The upload session does not exist or has expired.');
        const contentRange = req.headers['content-range'];
        const contentLength = req.headers['content-length'];
        session.requests.push({ contentRange, contentLength });
        const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(contentRange ?? '');
        if (!range) return error(res, 400, 'invalidRange', 'Content-Range must be bytes <first>-<last>/<total>.');
        const [first, last, total] = [Number(range[1]), Number(range[2]), Number(range[3])];
        const length = last - first + 1;
        if (length <= 0 || last >= total || (session.total !== undefined && total !== session.total)) return error(res, 400, 'invalidRange', 'The range does not fit the file.');
        if (contentLength === undefined || Number(contentLength) !== length) return error(res, 400, 'invalidRequest', 'Content-Length must be the range\'s length.');
        if (length > MAX_FRAGMENT) return error(res, 413, 'requestTooLarge', 'A fragment must be at most 60 MiB.');
        if (first !== session.received) return error(res, 416, 'invalidRange', `The next expected range starts at ${session.received}.`);
        const bytes = await readBody(req, length);
        if (!bytes || bytes.byteLength !== length) return error(res, 400, 'invalidRequest', 'The body is not as long as the range.');
        session.total = total;
        session.chunks.push(bytes);
        session.received += length;
        if (session.received < total) return json(res, 202, { expirationDateTime: new Date(session.expires).toISOString(), nextExpectedRanges: [`${session.received}-`] });
        sessions.delete(session.id);
        const name = freeName(session.name);
        const path = join(dir, name);
        writeFileSync(path, Buffer.concat(session.chunks));
        stored.set(session.id, path);
        done.push({ name, path, size: total, requests: session.requests });
        return json(res, 201, { id: session.id, name, size: total, file: {} });
      }
      const file = /^\/files\/([0-9a-f-]{36})$/.exec(url.pathname);
      if (req.method === 'GET' && file && stored.has(file[1]!)) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return res.end(await readFile(stored.get(file[1]!)!));
      }
      return error(res, 404, 'itemNotFound', 'Not found.');
    } catch {
      if (!res.headersSent) error(res, 400, 'invalidRequest', 'The request could not be read.');
      else res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    uploads: () => [...done],
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
