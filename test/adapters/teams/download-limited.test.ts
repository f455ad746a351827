import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DownloadPolicy } from '../../../adapters/teams/download-limited';
import { downloadLimited, isAllowedAddress } from '../../../adapters/teams/download-limited';
import { DEFAULT_ATTACHMENT_HOSTS } from '../../../core/config/load-config';

/**
 * Attachment downloads (Teams hands the bot a link to a file a person attached): only Teams' file hosts, every
 * redirect hop checked by hand, no private, loopback, link-local or metadata address after name resolution, and one
 * answer for every failure past the first URL, so the bot is no oracle for what is inside the network.
 */
const GENERIC = { code: 'AttachmentUnreadable', safeMessage: 'I could not download the attachment.', hint: 'Paste the log into the message instead.' };
const NOT_FROM_TEAMS = { code: 'AttachmentUnreadable', safeMessage: 'I download attachments only from where Teams stores files (SharePoint and OneDrive), so I did not download this one.' };

/** A resolver that answers from a table and records what it was asked. */
function resolver(table: Record<string, string[]>): DownloadPolicy['resolve'] & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (hostname: string) => {
    asked.push(hostname);
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(resolve, { asked });
}

async function listen(server: Server, host: string): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return `http://${host}:${(server.address() as AddressInfo).port}`;
}

let files: Server;
let filesUrl = '';
/** An "internal service" on another loopback address: nothing may ever connect to it. */
let internal: Server;
let internalUrl = '';
let internalConnections = 0;

beforeAll(async () => {
  files = createServer((req, res) => {
    const redirect = (location: string) => {
      res.writeHead(302, { location });
      res.end();
    };
    const routes: Record<string, () => void> = {
      '/small.log': () => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('Nov 23 17:58:10 08[IKE] small');
      },
      '/declared-big.log': () => {
        res.writeHead(200, { 'content-length': String(5000) });
        res.end('x'.repeat(5000));
      },
      '/streamed-big.log': () => {
        res.writeHead(200, { 'transfer-encoding': 'chunked' });
        for (let i = 0; i < 10; i++) res.write('y'.repeat(1000));
        res.end();
      },
      '/to-small': () => redirect('/small.log'),
      '/to-private-ip': () => redirect('http://10.1.2.3/secret'),
      '/to-metadata': () => redirect('http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://vault.azure.net'),
      '/to-internal': () => redirect(`${internalUrl}/admin`),
      '/to-other-host': () => redirect('https://evil.example/x.log'),
      '/to-name-inside': () => redirect('https://files.contoso.sharepoint.com/inside.log'),
      '/loop': () => redirect('/loop'),
      '/no-location': () => {
        res.writeHead(302);
        res.end();
      },
    };
    const route = routes[req.url ?? ''];
    if (route) return route();
    res.writeHead(404);
    res.end('secret 404 page');
  });
  filesUrl = await listen(files, '127.0.0.1');
  internal = createServer((_req, res) => res.end('internal'));
  internal.on('connection', () => internalConnections++);
  internalUrl = await listen(internal, '127.0.0.2');
});
afterAll(async () => {
  await new Promise<void>((resolve) => files.close(() => resolve()));
  await new Promise<void>((resolve) => internal.close(() => resolve()));
});

const sandbox: DownloadPolicy = { allowedHosts: DEFAULT_ATTACHMENT_HOSTS, allowLoopback: true };
const production = (resolve?: DownloadPolicy['resolve']): DownloadPolicy => ({ allowedHosts: DEFAULT_ATTACHMENT_HOSTS, allowLoopback: false, ...(resolve ? { resolve } : {}) });
const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);

describe('downloadLimited: where from', () => {
  it("takes only https links on Teams' file hosts (port 443, no credentials), judged before any lookup", async () => {
    const resolve = resolver({});
    for (const url of [
      'https://evil.example/charon.log',
      'https://contoso.sharepoint.com.evil.example/charon.log',
      'https://sharepoint.com/charon.log',
      'https://notsharepoint.com/charon.log',
      'http://contoso.sharepoint.com/charon.log',
      'https://contoso.sharepoint.com:8443/charon.log',
      'https://user:secret@contoso.sharepoint.com/charon.log',
      'ftp://contoso.sharepoint.com/charon.log',
      'file:///etc/passwd',
      'https://169.254.169.254/metadata',
      'https://10.0.0.1/charon.log',
      `${filesUrl}/small.log`,
    ]) {
      expect({ url, error: await failure(downloadLimited(url, 1024, production(resolve))) }).toMatchObject({ url, error: NOT_FROM_TEAMS });
    }
    expect(resolve.asked).toEqual([]);
    await expect(downloadLimited('not a url', 1024, production())).rejects.toMatchObject({ code: 'AttachmentUnreadable', safeMessage: 'The attachment link is not a valid URL.' });
  });

  it('refuses an allowed name that resolves to a private, loopback, link-local or metadata address', async () => {
    const inside = ['10.0.0.5', '172.16.3.4', '192.168.1.1', '127.0.0.1', '169.254.169.254', '168.63.129.16', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00:ec2::254', '::ffff:10.0.0.1', '64:ff9b::a00:1', '2002:a00:1::1'];
    for (const address of inside) {
      const resolve = resolver({ 'contoso.sharepoint.com': [address] });
      const error = await failure(downloadLimited('https://contoso.sharepoint.com/sites/net/charon.log', 1024, production(resolve)));
      expect({ address, error }).toMatchObject({ address, error: GENERIC });
      expect(resolve.asked).toEqual(['contoso.sharepoint.com']);
    }
    // One bad address in the answer is enough: a client could have picked it.
    const mixed = resolver({ 'contoso.sharepoint.com': ['52.104.1.1', '10.0.0.5'] });
    await expect(downloadLimited('https://contoso.sharepoint.com/x.log', 1024, production(mixed))).rejects.toMatchObject(GENERIC);
  });

  it('connects only to the address it checked (a name that resolves elsewhere the second time reaches nothing)', async () => {
    let lookups = 0;
    const rebinding: DownloadPolicy['resolve'] = async () => {
      lookups++;
      return [{ address: lookups === 1 ? '52.104.1.1' : '127.0.0.2', family: 4 }];
    };
    const before = internalConnections;
    // The checked public address is unreachable here (no network): the download fails, and the internal service saw nothing.
    await expect(downloadLimited('https://contoso.sharepoint.com/x.log', 1024, production(rebinding))).rejects.toMatchObject(GENERIC);
    expect(lookups).toBe(1);
    expect(internalConnections).toBe(before);
  });

  it('classifies addresses: public ones pass, the sandbox may reach its own loopback only', () => {
    for (const address of ['52.104.1.1', '20.50.1.10', '2603:1020:200::682f:a1f1']) expect({ address, ok: isAllowedAddress(address, { allowLoopback: false }) }).toEqual({ address, ok: true });
    expect(isAllowedAddress('127.0.0.1', { allowLoopback: true })).toBe(true);
    expect(isAllowedAddress('::1', { allowLoopback: true })).toBe(true);
    for (const address of ['10.0.0.1', '169.254.169.254', '168.63.129.16', '192.168.0.1']) expect({ address, ok: isAllowedAddress(address, { allowLoopback: true }) }).toEqual({ address, ok: false });
    expect(isAllowedAddress('not-an-ip', { allowLoopback: true })).toBe(false);
  });
});

describe('downloadLimited: redirects, followed by hand', () => {
  it('follows a redirect to an allowed place', async () => {
    expect(new TextDecoder().decode(await downloadLimited(`${filesUrl}/to-small`, 1024, sandbox))).toBe('Nov 23 17:58:10 08[IKE] small');
  });

  it('checks every hop: a redirect inward, to metadata, to another host or to a name that resolves inward is refused', async () => {
    const resolve = resolver({ 'files.contoso.sharepoint.com': ['10.0.0.7'] });
    const before = internalConnections;
    for (const path of ['/to-private-ip', '/to-metadata', '/to-internal', '/to-other-host', '/to-name-inside', '/loop', '/no-location']) {
      const error = await failure(downloadLimited(`${filesUrl}${path}`, 1024, { ...sandbox, resolve }));
      expect({ path, error }).toMatchObject({ path, error: GENERIC });
    }
    expect(resolve.asked).toEqual(['files.contoso.sharepoint.com']);
    expect(internalConnections).toBe(before);
  });

  it('says the same about every failure past the first link: no status, host or address to learn from', async () => {
    const texts = new Set<string>();
    for (const path of ['/missing.log', '/to-metadata', '/to-internal', '/to-name-inside', '/loop']) {
      const error = (await failure(downloadLimited(`${filesUrl}${path}`, 1024, { ...sandbox, resolve: resolver({ 'files.contoso.sharepoint.com': ['10.0.0.7'] }) }))) as { safeMessage: string; hint: string };
      texts.add(JSON.stringify(error));
      expect(JSON.stringify(error)).not.toMatch(/404|secret|10\.0\.0\.7|169\.254|127\.0\.0\.2|internal|contoso/);
    }
    // The failure to reach a host at all reads the same.
    const unreachable = resolver({ 'contoso.sharepoint.com': ['52.104.1.1'] });
    texts.add(JSON.stringify(await failure(downloadLimited('https://contoso.sharepoint.com/x.log', 1024, production(unreachable)))));
    expect(texts.size).toBe(1);
  });
});

describe('downloadLimited: size', () => {
  it('stops at the limit, whether the size is declared or only seen while streaming', async () => {
    await expect(downloadLimited(`${filesUrl}/declared-big.log`, 1024, sandbox)).rejects.toMatchObject({ code: 'AttachmentTooLarge', safeMessage: 'The attachment is larger than 1 KB.' });
    await expect(downloadLimited(`${filesUrl}/streamed-big.log`, 4096, sandbox)).rejects.toMatchObject({ code: 'AttachmentTooLarge' });
  });
});
