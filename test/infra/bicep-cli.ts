import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

/**
 * The real Bicep CLI, from the pinned NuGet download of infra/bicep-cli (`dotnet restore infra/bicep-cli`, which
 * .ci/run does before the offline tests). Tests that need it use `describeWithBicep`: without the binary they fail
 * in CI (CI=true) and are skipped, with a banner saying how to get it, on a machine that has only Node.
 */
export const root = fileURLToPath(new URL('../..', import.meta.url));
export const infra = join(root, 'infra');
const project = join(infra, 'bicep-cli/bicep-cli.csproj');

export function bicepVersion(): string {
  const match = /Include="Azure\.Bicep\.CommandLine\.linux-x64" Version="\[([0-9.]+)\]"/.exec(readFileSync(project, 'utf8'));
  if (!match?.[1]) throw new Error(`${relative(root, project)} does not pin Azure.Bicep.CommandLine.linux-x64 to one version ([x.y.z]).`);
  return match[1];
}

export function bicepPath(): string {
  return process.env.BICEP_PATH ?? join(root, '.tools/nuget/azure.bicep.commandline.linux-x64', bicepVersion(), 'tools/bicep');
}

const missing = !existsSync(bicepPath());
const howToGetIt = `The Bicep CLI is not at ${relative(root, bicepPath())}. Get it with: dotnet restore infra/bicep-cli  (the .NET SDK and the NuGet registry; .ci/run does this).`;

/** `describe` for tests that run the Bicep CLI: fails in CI without it, skips loudly elsewhere. */
export function describeWithBicep(name: string, body: () => void): void {
  if (!missing) {
    describe(name, body);
    return;
  }
  if (process.env.CI) {
    describe(name, () => {
      it('has the Bicep CLI', () => {
        throw new Error(howToGetIt);
      });
    });
    return;
  }
  process.stderr.write(`\n*** SKIPPED: ${name}\n*** ${howToGetIt}\n\n`);
  describe.skip(`${name} (skipped: no Bicep CLI; dotnet restore infra/bicep-cli)`, body);
}

export interface BicepDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly level: 'Error' | 'Warning' | 'Info';
  readonly code: string;
  readonly message: string;
}

/** Diagnostics in the CLI's default format, once each (lint --pattern repeats a module's for every file using it). */
export function parseDiagnostics(output: string): BicepDiagnostic[] {
  const seen = new Map<string, BicepDiagnostic>();
  for (const m of output.matchAll(/^(.+?)\((\d+),\d+\) : (Error|Warning|Info) ([\w-]+): (.*)$/gm)) {
    seen.set(m[0], { file: relative(root, m[1]!), line: Number(m[2]), level: m[3] as BicepDiagnostic['level'], code: m[4]!, message: m[5]! });
  }
  return [...seen.values()];
}

function bicep(args: string[], cwd = root): { status: number; output: string } {
  const result = spawnSync(bicepPath(), args, { cwd, encoding: 'utf8', env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1' }, timeout: 120_000 });
  if (result.error) throw result.error;
  return { status: result.status ?? 1, output: `${result.stdout}${result.stderr}` };
}

export interface ArmTemplate {
  readonly parameters: Record<string, { type: string; defaultValue?: unknown; allowedValues?: unknown[]; minValue?: number; maxValue?: number; metadata?: { description?: string } }>;
  readonly outputs: Record<string, { type: string; value: string }>;
  readonly resources: unknown;
  readonly [key: string]: unknown;
}

/** `bicep build` of a .bicep file into a fresh folder: the ARM template and everything the compiler said. */
export function build(file: string): { template: ArmTemplate; diagnostics: BicepDiagnostic[]; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bicep-build-'));
  const out = join(dir, 'main.json');
  const { status, output } = bicep(['build', file, '--outfile', out]);
  const diagnostics = parseDiagnostics(output);
  if (status !== 0 || !existsSync(out)) throw new Error(`bicep build ${relative(root, file)} failed:\n${output}`);
  return { template: JSON.parse(readFileSync(out, 'utf8')) as ArmTemplate, diagnostics, dir };
}

/** `bicep lint` over every .bicep file under infra/ (one run; the linter settings are infra/bicepconfig.json). */
export function lintInfra(): BicepDiagnostic[] {
  return parseDiagnostics(bicep(['lint', '--pattern', 'infra/**/*.bicep']).output);
}

export interface PredictedResource {
  readonly id: string;
  readonly type: string;
  readonly name: string;
  readonly apiVersion: string;
  readonly properties?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

export interface Snapshot {
  readonly predictedResources: PredictedResource[];
  readonly outputs: Record<string, unknown>;
  readonly diagnostics: unknown[];
}

export const deployment = { subscriptionId: '5d6f3a2e-8c1b-4e7a-9f0d-2b4c6e8a1f3d', tenantId: '7c1e2d3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f', location: 'westeurope' };

/**
 * What a deployment of the compiled template (main.json from `build`) would create with these parameter values:
 * `bicep snapshot` evaluates the ARM template offline, modules and loops included. Values only Azure knows (an
 * identity's principal id) stay as ARM expressions.
 */
export function snapshot(templateDir: string, params: Readonly<Record<string, string | boolean | number>>): Snapshot {
  const dir = mkdtempSync(join(templateDir, 'snapshot-'));
  const lines = ["using '../main.json'", ...Object.entries(params).map(([k, v]) => `param ${k} = ${typeof v === 'string' ? `'${v.replaceAll("'", "\\'")}'` : String(v)}`)];
  writeFileSync(join(dir, 'deploy.bicepparam'), `${lines.join('\n')}\n`);
  const { status, output } = bicep(['snapshot', 'deploy.bicepparam', '--subscription-id', deployment.subscriptionId, '--tenant-id', deployment.tenantId, '--location', deployment.location, '--deployment-name', 'main'], dir);
  if (status !== 0) throw new Error(`bicep snapshot failed:\n${output}`);
  return JSON.parse(readFileSync(join(dir, 'deploy.snapshot.json'), 'utf8')) as Snapshot;
}

/** The Bicep CLI's own version line, for reports. */
export function bicepCliVersion(): string {
  return execFileSync(bicepPath(), ['--version'], { encoding: 'utf8' }).trim();
}
