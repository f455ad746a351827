import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

/** The parts of host.json the local host applies (see README "What it reproduces"). */
export interface HostConfig {
  appRoot: string;
  /** Resolved task hub name (`extensions.durableTask.hubName`, `%APP_SETTING%` expanded). */
  hubName: string;
  /** `extensions.durableTask.maxConcurrentActivityFunctions`, else the extension's default of 10 x processors. */
  maxConcurrentActivityFunctions: number;
  /** `functionTimeout` in ms; undefined when `-1` (unbounded). Default 30 minutes (Flex Consumption). */
  functionTimeoutMs: number | undefined;
  /** The original `functionTimeout` text, used in timeout messages the way the host prints it. */
  functionTimeoutText: string;
  /** `extensions.http.routePrefix`, default `api`. */
  routePrefix: string;
}

export class HostConfigError extends Error {
  override readonly name = 'HostConfigError';
}

const defaultFunctionTimeout = '00:30:00';

export function readHostConfig(appRoot: string, env: NodeJS.ProcessEnv = process.env): HostConfig {
  const path = join(appRoot, 'host.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new HostConfigError(`host.json not found at ${path}: the Functions host needs one in the app root (appRoot).`);
  }
  let json: unknown;
  try {
    json = JSON.parse(stripJsonComments(text));
  } catch (error) {
    throw new HostConfigError(`host.json at ${path} is not valid JSON (${(error as Error).message}).`);
  }
  if (!isObject(json)) throw new HostConfigError(`host.json at ${path} must hold a JSON object.`);
  if (json.version !== '2.0') {
    throw new HostConfigError(`host.json at ${path} must declare "version": "2.0" (Functions runtime v4).`);
  }

  const extensions = isObject(json.extensions) ? json.extensions : {};
  const durable = isObject(extensions.durableTask) ? extensions.durableTask : {};
  const http = isObject(extensions.http) ? extensions.http : {};

  const hubSetting = typeof durable.hubName === 'string' ? durable.hubName : 'TestHubName';
  const hubName = resolveAppSettingExpressions(hubSetting, env, 'extensions.durableTask.hubName');
  if (!/^[A-Za-z][A-Za-z0-9]{2,44}$/.test(hubName)) {
    throw new HostConfigError(
      `Task hub name '${hubName}' should contain only alphanumeric characters, start with a letter, and have length between 3 and 45.`,
    );
  }

  let maxConcurrentActivityFunctions = 10 * Math.max(1, cpus().length);
  if (durable.maxConcurrentActivityFunctions !== undefined) {
    const value = durable.maxConcurrentActivityFunctions;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new HostConfigError('extensions.durableTask.maxConcurrentActivityFunctions must be a positive integer.');
    }
    maxConcurrentActivityFunctions = value;
  }

  const functionTimeoutText = typeof json.functionTimeout === 'string' ? json.functionTimeout : defaultFunctionTimeout;
  let functionTimeoutMs: number | undefined;
  if (functionTimeoutText.trim() !== '-1') {
    const ms = parseTimeSpan(functionTimeoutText);
    if (ms === undefined) {
      throw new HostConfigError(`functionTimeout '${functionTimeoutText}' is not a TimeSpan like "00:10:00" (or -1).`);
    }
    if (ms < 1000) throw new HostConfigError(`functionTimeout must be at least 00:00:01 (got '${functionTimeoutText}').`);
    functionTimeoutMs = ms;
  }

  let routePrefix = 'api';
  if (http.routePrefix !== undefined) {
    if (typeof http.routePrefix !== 'string') throw new HostConfigError('extensions.http.routePrefix must be a string.');
    routePrefix = http.routePrefix.replace(/^\/+|\/+$/g, '');
  }

  return { appRoot, hubName, maxConcurrentActivityFunctions, functionTimeoutMs, functionTimeoutText, routePrefix };
}

/**
 * Parses a .NET TimeSpan in the forms host.json uses: `hh:mm:ss`, `hh:mm:ss.fff`, `d.hh:mm:ss(.fff)`.
 * Returns milliseconds, or undefined when the text is not a TimeSpan.
 */
export function parseTimeSpan(text: string): number | undefined {
  const match = /^\s*(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?\s*$/.exec(text);
  if (!match) return undefined;
  const [, sign, days, hours, minutes, seconds, fraction] = match;
  const h = Number(hours);
  const m = Number(minutes);
  const s = Number(seconds ?? '0');
  if (h > 23 || m > 59 || s > 59) return undefined;
  const fractionMs = fraction ? Number(`0.${fraction}`) * 1000 : 0;
  const total = ((Number(days ?? '0') * 24 + h) * 60 + m) * 60_000 + s * 1000 + fractionMs;
  return sign ? -total : total;
}

/** Expands `%NAME%` from app settings (environment variables), as binding expressions in host.json do. */
export function resolveAppSettingExpressions(value: string, env: NodeJS.ProcessEnv, where: string): string {
  return value.replace(/%([^%]+)%/g, (_whole, name: string) => {
    const setting = env[name];
    if (setting === undefined || setting === '') {
      throw new HostConfigError(`${where} refers to app setting '${name}', which is not set.`);
    }
    return setting;
  });
}

/** host.json is read by the host with a JSON reader that tolerates comments. */
function stripJsonComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    const next = text[i + 1];
    if (inString) {
      out += ch;
      if (ch === '\\') {
        out += next ?? '';
        i++;
      } else if (ch === '"') {
        inString = false;
      }
    } else if (ch === '"') {
      inString = true;
      out += ch;
    } else if (ch === '/' && next === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (ch === '/' && next === '*') {
      i += 2;
      while (i < text.length && !(text[i] === '*' && text[i + 1] === '/')) i++;
      i++;
    } else {
      out += ch;
    }
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
