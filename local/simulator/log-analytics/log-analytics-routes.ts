import { randomUUID } from 'node:crypto';
import { parseResourceId, resourceIdKey } from '../arm/resource-id';
import { SimHttpError } from '../sim-http-error';
import type { SimResources, SimWorkspace } from '../sim-resources';
import type { SimHandlerContext, SimRoute } from '../sim-route';
import { azureDiagnosticsBaseColumns, categoryColumns, type AzureDiagnosticsCategory, type DiagnosticLogSource } from './azure-diagnostics';
import { executeKql, KqlSemanticError, serialize, type KqlRow, type KqlScanHints, type KqlTableSource } from './kql-engine';
import { KqlSyntaxError, parseKql } from './kql-parser';

export interface LogAnalyticsRouteDeps {
  readonly resources: SimResources;
  readonly logs: DiagnosticLogSource;
  /** How long after TimeGenerated a row becomes queryable (Log Analytics' ingestion latency). */
  readonly ingestionDelayMs: () => number;
}

/** How far back a workspace keeps data (the default 30-day retention). */
const retentionMs = 30 * 24 * 3600 * 1000;
const modelledCategories: readonly AzureDiagnosticsCategory[] = ['IKEDiagnosticLog', 'TunnelDiagnosticLog'];

/** The Log Analytics query API: by workspace id (customerId) and resource-centric by workspace resource id. */
export function createLogAnalyticsRoutes(deps: LogAnalyticsRouteDeps): SimRoute[] {
  return [
    {
      service: 'logs',
      method: 'POST',
      template: '/v1/workspaces/{workspaceId}/query',
      operation: 'Microsoft.OperationalInsights/workspaces/query',
      action: 'Microsoft.OperationalInsights/workspaces/query/AzureDiagnostics/read',
      // An unknown workspace is a 404 before any access check (there is nothing to check access on).
      scope: (p) => knownWorkspace(deps.resources, p.workspaceId ?? '').id,
      handle: (ctx) => runQuery(deps, ctx, knownWorkspace(deps.resources, ctx.params.workspaceId ?? '')),
    },
    {
      service: 'logs',
      method: 'POST',
      template: '/v1/{resourceUri+}/query',
      operation: 'Microsoft.OperationalInsights/workspaces/query',
      action: 'Microsoft.OperationalInsights/workspaces/query/AzureDiagnostics/read',
      scope: (p) => `/${p.resourceUri}`,
      handle: (ctx) => {
        const resourceId = `/${ctx.params.resourceUri ?? ''}`;
        const parsed = parseResourceId(resourceId);
        if (!parsed || parsed.fullType.toLowerCase() !== 'microsoft.operationalinsights/workspaces') {
          throw new SimHttpError(400, 'BadArgumentError', 'The request had some invalid properties', { innererror: { code: 'InvalidResourceId', message: 'Resource-centric queries are modelled for Log Analytics workspaces only.' } });
        }
        const workspace = deps.resources.workspaces.get(resourceId);
        if (!workspace) throw new SimHttpError(404, 'ResourceNotFoundError', `The resource could not be found`, { innererror: { code: 'ResourceNotFoundError', message: `Resource ${resourceId} was not found.` } });
        return runQuery(deps, ctx, workspace);
      },
    },
  ];
}

function runQuery(deps: LogAnalyticsRouteDeps, ctx: SimHandlerContext, workspace: SimWorkspace) {
  const body = ctx.body && typeof ctx.body === 'object' ? (ctx.body as Record<string, unknown>) : {};
  const text = body.query;
  if (typeof text !== 'string' || !text.trim()) throw badArgument('InvalidQuery', 'The query is required.');
  const window = parseQueryTimespan(typeof body.timespan === 'string' ? body.timespan : undefined, ctx.now);

  let query;
  try {
    query = parseKql(text);
  } catch (error) {
    if (error instanceof KqlSyntaxError) {
      throw new SimHttpError(400, 'BadArgumentError', 'The request had some invalid properties', {
        innererror: { code: 'SyntaxError', message: 'A recognition error occurred in the query.', innererror: { code: 'SYN0002', message: error.message, line: error.line, pos: error.pos, token: error.token } },
      });
    }
    throw error;
  }

  const tables = new Map<string, KqlTableSource>([['AzureDiagnostics', azureDiagnosticsTable(deps, workspace, ctx.now)]]);
  let result;
  try {
    result = executeKql(query, tables, window);
  } catch (error) {
    if (error instanceof KqlSemanticError) {
      throw new SimHttpError(400, 'BadArgumentError', 'The request had some invalid properties', {
        innererror: { code: 'SemanticError', message: 'A semantic error occurred.', innererror: { code: 'SEM0100', message: error.message } },
      });
    }
    throw error;
  }
  return {
    status: 200,
    headers: { 'x-ms-correlation-request-id': randomUUID() },
    body: {
      tables: [{ name: 'PrimaryResult', columns: result.columns.map((c) => ({ name: c.name, type: c.type })), rows: result.rows.map((r) => r.map(serialize)) }],
      ...(result.truncated
        ? { error: { code: 'PartialError', message: 'There were some errors when processing your query.', details: [{ code: 'EngineError', message: 'Query result set has exceeded the internal record count limit.' }] } }
        : {}),
    },
  };
}

/**
 * The workspace's AzureDiagnostics: rows of the categories diagnostic settings send it, from each setting's creation
 * on, each queryable an ingestion delay after its TimeGenerated. Columns beyond the common ones exist only once a row
 * carrying them has arrived.
 */
function azureDiagnosticsTable(deps: LogAnalyticsRouteDeps, workspace: SimWorkspace, now: Date): KqlTableSource {
  const arrivedBy = new Date(now.getTime() - deps.ingestionDelayMs());
  const senders = (category: AzureDiagnosticsCategory) =>
    deps.resources.diagnosticSettings.list((setting) => {
      if (!setting.workspaceId || resourceIdKey(setting.workspaceId) !== resourceIdKey(workspace.id)) return false;
      return setting.logs.some((l) => l.enabled && (l.category?.toLowerCase() === category.toLowerCase() || l.categoryGroup?.toLowerCase() === 'alllogs'));
    });
  const arrived = modelledCategories.filter((category) => senders(category).some((setting) => setting.since <= arrivedBy && !deps.logs.rows(setting.resourceId, category, setting.since, arrivedBy)[Symbol.iterator]().next().done));
  const columns = [...azureDiagnosticsBaseColumns];
  for (const column of arrived.flatMap((category) => categoryColumns[category])) if (!columns.some((c) => c.name === column.name)) columns.push(column);
  return {
    columns,
    *scan(hints: KqlScanHints): Iterable<KqlRow> {
      const wantedCategories = hints.equals.get('category');
      const wantedResources = hints.equals.get('resourceid') ?? hints.equals.get('_resourceid');
      for (const category of modelledCategories) {
        if (wantedCategories && !wantedCategories.includes(category.toLowerCase())) continue;
        for (const setting of senders(category)) {
          if (wantedResources && !wantedResources.includes(resourceIdKey(setting.resourceId))) continue;
          const from = new Date(Math.max(hints.from?.getTime() ?? 0, setting.since.getTime()));
          const to = new Date(Math.min(hints.to?.getTime() ?? 8.64e15, arrivedBy.getTime()));
          if (from > to) continue;
          for (const row of deps.logs.rows(setting.resourceId, category, from, to)) yield { ...row, TenantId: workspace.customerId };
        }
      }
    },
  };
}

function knownWorkspace(resources: SimResources, customerId: string): SimWorkspace {
  const workspace = resources.workspaces.list((w) => w.customerId.toLowerCase() === customerId.toLowerCase())[0];
  if (!workspace) throw new SimHttpError(404, 'WorkspaceNotFoundError', 'The workspace could not be found', { innererror: { code: 'WorkspaceNotFoundError', message: `Workspace ${customerId} was not found.` } });
  return workspace;
}

/** ISO 8601 intervals the query API accepts: `start/end`, `start/duration`, `duration/end`, or `duration` ending now. */
export function parseQueryTimespan(timespan: string | undefined, now: Date): { from: Date; to: Date } {
  const floor = new Date(now.getTime() - retentionMs);
  if (!timespan) return { from: floor, to: now };
  const [a, b] = timespan.split('/');
  let from: Date | undefined;
  let to: Date | undefined;
  if (a && b) {
    const da = parseDate(a);
    const db = parseDate(b);
    if (da && db) [from, to] = [da, db];
    else if (da) [from, to] = [da, addDuration(da, b, 1)];
    else if (db) [from, to] = [addDuration(db, a, -1), db];
  } else if (a) {
    to = now;
    from = addDuration(now, a, -1);
  }
  if (!from || !to || Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from > to) {
    throw badArgument('InvalidTimespan', `The timespan '${timespan}' is not a valid ISO 8601 interval.`);
  }
  return { from: from < floor ? floor : from, to };
}

function parseDate(text: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function addDuration(base: Date, duration: string, sign: 1 | -1): Date {
  const m = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(duration);
  if (!m || duration === 'P' || duration.endsWith('T')) return new Date(Number.NaN);
  const ms = (Number(m[1] ?? 0) * 86400 + Number(m[2] ?? 0) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0)) * 1000;
  return new Date(base.getTime() + sign * ms);
}

function badArgument(code: string, message: string): SimHttpError {
  return new SimHttpError(400, 'BadArgumentError', 'The request had some invalid properties', { innererror: { code, message } });
}
