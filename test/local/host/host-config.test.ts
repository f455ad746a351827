import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HostConfigError, parseTimeSpan, readHostConfig } from '../../../local/host/host-config';

describe('host.json', () => {
  const dirs: string[] = [];
  const appWith = (hostJson: string | undefined): string => {
    const dir = mkdtempSync(join(tmpdir(), 'host-config-'));
    dirs.push(dir);
    if (hostJson !== undefined) writeFileSync(join(dir, 'host.json'), hostJson);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('applies defaults: TestHubName, 10 x processors activities, 30 minute timeout, api prefix', () => {
    const config = readHostConfig(appWith('{ "version": "2.0" }'), {});
    expect(config.hubName).toBe('TestHubName');
    expect(config.maxConcurrentActivityFunctions % 10).toBe(0);
    expect(config.functionTimeoutMs).toBe(30 * 60_000);
    expect(config.routePrefix).toBe('api');
  });

  it('resolves %APP_SETTING% hub names and reads the durable, http and timeout settings (comments allowed)', () => {
    const dir = appWith(`{
      // a comment
      "version": "2.0",
      "functionTimeout": "01:02:03.5",
      "extensions": {
        "http": { "routePrefix": "/v1/" },
        /* block comment */
        "durableTask": { "hubName": "%HUB%", "maxConcurrentActivityFunctions": 3 }
      }
    }`);
    const config = readHostConfig(dir, { HUB: 'ChatOpsHub' });
    expect(config).toMatchObject({ hubName: 'ChatOpsHub', maxConcurrentActivityFunctions: 3, functionTimeoutMs: 3_723_500, routePrefix: 'v1' });
    expect(readHostConfig(appWith('{ "version": "2.0", "functionTimeout": "-1" }'), {}).functionTimeoutMs).toBeUndefined();
  });

  it('explains what is wrong', () => {
    expect(() => readHostConfig(appWith(undefined), {})).toThrow(/host.json not found/);
    expect(() => readHostConfig(appWith('{ "version": "1.0" }'), {})).toThrow(/"version": "2.0"/);
    expect(() => readHostConfig(appWith('{ "version": "2.0", "extensions": { "durableTask": { "hubName": "%MISSING%" } } }'), {})).toThrow(
      "extensions.durableTask.hubName refers to app setting 'MISSING', which is not set.",
    );
    expect(() => readHostConfig(appWith('{ "version": "2.0", "extensions": { "durableTask": { "hubName": "my-hub" } } }'), {})).toThrow(/Task hub name 'my-hub'/);
    expect(() => readHostConfig(appWith('{ "version": "2.0", "functionTimeout": "00:00:00.5" }'), {})).toThrow(HostConfigError);
    expect(() => readHostConfig(appWith('{ "version": "2.0", "extensions": { "durableTask": { "maxConcurrentActivityFunctions": 0 } } }'), {})).toThrow(/positive integer/);
  });

  it('parses .NET TimeSpans', () => {
    expect(parseTimeSpan('00:05:00')).toBe(300_000);
    expect(parseTimeSpan('1.02:00:00')).toBe(26 * 3_600_000);
    expect(parseTimeSpan('00:00:01.250')).toBe(1250);
    expect(parseTimeSpan('5 minutes')).toBeUndefined();
  });
});
