import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OneDriveStandIn, UploadInfo } from '../../../local/sandbox/onedrive-standin';
import { startOneDriveStandIn } from '../../../local/sandbox/onedrive-standin';

/** The sandbox's OneDrive takes a PUT as a OneDrive upload session does, and refuses what one would. */
let drive: OneDriveStandIn;
let dir: string;
beforeAll(async () => {
  dir = join(mkdtempSync(join(tmpdir(), 'onedrive-')), 'onedrive');
  drive = await startOneDriveStandIn(dir);
});
afterAll(async () => {
  await drive.close();
});

const session = async (name: string): Promise<UploadInfo> => (await (await fetch(`${drive.url}/sessions`, { method: 'POST', body: JSON.stringify({ name }) })).json()) as UploadInfo;
const put = (url: string, body: string, range: string) => fetch(url, { method: 'PUT', headers: { 'content-range': range }, body });

describe('OneDrive stand-in', () => {
  it('takes a file in two fragments in order (202 then 201), keeps it, serves it, and renames a second one as OneDrive does', async () => {
    const info = await session('site-rome.swanctl.conf');
    expect(info).toMatchObject({ name: 'site-rome.swanctl.conf', fileType: 'conf', uploadUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/upload\//) });
    const first = await put(info.uploadUrl, 'conn', 'bytes 0-3/10');
    expect(first.status).toBe(202);
    expect(await first.json()).toMatchObject({ nextExpectedRanges: ['4-'] });
    expect((await put(info.uploadUrl, 'ections', 'bytes 4-9/10')).status).toBe(400);
    expect((await put(info.uploadUrl, 'ection', 'bytes 4-9/10')).status).toBe(201);
    expect(readFileSync(join(dir, 'site-rome.swanctl.conf'), 'utf8')).toBe('connection');
    expect(await (await fetch(info.contentUrl)).text()).toBe('connection');
    const again = await session('site-rome.swanctl.conf');
    expect((await put(again.uploadUrl, 'x', 'bytes 0-0/1')).status).toBe(201);
    expect(existsSync(join(dir, 'site-rome.swanctl 1.conf'))).toBe(true);
    expect(drive.uploads().map((u) => u.name)).toEqual(['site-rome.swanctl.conf', 'site-rome.swanctl 1.conf']);
  });

  it('refuses a range that does not continue the upload, a missing range, a wrong length, a finished or unknown session, a path as a name', async () => {
    const info = await session('a.txt');
    expect((await put(info.uploadUrl, 'bc', 'bytes 1-2/3')).status).toBe(416);
    expect((await fetch(info.uploadUrl, { method: 'PUT', body: 'abc' })).status).toBe(400);
    expect((await put(info.uploadUrl, 'abc', 'bytes 0-1/3')).status).toBe(400);
    expect((await put(info.uploadUrl, 'abc', 'bytes 0-2/3')).status).toBe(201);
    expect((await put(info.uploadUrl, 'abc', 'bytes 0-2/3')).status).toBe(404);
    expect((await put(`${drive.url}/upload/00000000-0000-4000-8000-000000000000`, 'abc', 'bytes 0-2/3')).status).toBe(404);
    expect((await fetch(`${drive.url}/sessions`, { method: 'POST', body: JSON.stringify({ name: '../x.txt' }) })).status).toBe(400);
  });
});
