import { describe, expect, it } from 'vitest';
import type { JobCardView } from '../../activities/activity-names';
import { recordAudit } from '../../activities/record-audit';
import { renderJobCard } from '../../cards/job-card-view';
import { showJobCard } from '../../activities/show-job-card';
import type { JobEnvelope } from '../../core/jobs/job-envelope';
import { parseCommand } from '../../core/commands/parse-command';
import { summarizeFleet } from '../../core/status/fleet-status';
import { fleetRows, realistic, siteStatusFixture } from '../cards/card-fixtures';
import { cardProblems, executeActions, visibleText } from '../cards/card-inspect';
import { STATUS_NOW } from '../core/status/status-certificates';
import { lisbonModel } from '../core/change/change-fixtures';
import { testPorts } from './fake-adapters';

const envelope = (commandLine: string, jobId = 'status-site-paris-a1b2c3d4'): JobEnvelope<unknown> => ({
  jobId,
  commandLine,
  requestedBy: { aadObjectId: '5a7c0de0-0000-4000-8000-00000000a001', name: 'Alex Wilber' },
  conversationKey: 'c0ffee0000000000000000000000000000000001',
  cardActivityId: 'ack-activity-9',
  requestedAt: '2026-06-01T11:59:00.000Z',
  payload: {},
});

const render = (view: JobCardView, commandLine = 'status site-paris') => renderJobCard(envelope(commandLine), view, STATUS_NOW);

describe('showJobCard', () => {
  it('replaces the job\'s acknowledgement card in its conversation', async () => {
    const t = testPorts();
    await showJobCard({ envelope: envelope('status site-paris'), view: { kind: 'progress', step: 'reading Azure' } }, t.ports);
    expect(t.messenger.updates).toHaveLength(1);
    expect(t.messenger.updates[0]).toMatchObject({ conversationKey: 'c0ffee0000000000000000000000000000000001', activityId: 'ack-activity-9' });
    expect(visibleText(t.messenger.updates[0]!.card)).toMatch(/Working on it: status[\s\S]*• reading Azure[\s\S]*Alex Wilber/);
  });

  it('lets a messenger failure fail the activity (the orchestration decides what then)', async () => {
    const t = testPorts();
    t.messenger.updateError = new Error('429');
    await expect(showJobCard({ envelope: envelope('status all'), view: { kind: 'progress', step: 'x' } }, t.ports)).rejects.toThrow('429');
  });
});

describe('renderJobCard', () => {
  it('renders every view as a valid card', () => {
    const rows = fleetRows(realistic);
    const views: JobCardView[] = [
      { kind: 'progress', step: 'listing connections' },
      { kind: 'site-status', status: siteStatusFixture(realistic) },
      { kind: 'site-not-found', typed: 'site-pari', suggestions: ['site-paris'] },
      { kind: 'fleet', rows, page: 0, pageCount: 3, summary: summarizeFleet(rows), gaps: [], checkedAt: STATUS_NOW.toISOString() },
      { kind: 'diagnosis', outcome: { kind: 'no-logs', site: 'site-oslo', connectionName: 'cn-site-oslo', status: 'NotConnected', hours: 24, workspaceName: 'log-vpn' } },
      { kind: 'change', model: lisbonModel({ phase: 'awaiting-approval', expiresAt: '2026-06-02T12:00:00.000Z' }) },
      { kind: 'change-refused', title: 'Enable diagnostics on site-lisbon', running: { jobId: 'change~x', requestedBy: 'Patti Fernandez', state: 'awaiting approval', commandLine: 'enable-diagnostics site-lisbon' } },
      { kind: 'nothing-to-change', title: 'Enable diagnostics on site-oslo', site: 'site-oslo', why: 'Gateway vpngw-hub already sends its logs.' },
      { kind: 'failed', title: 'Could not read site-paris', problem: 'Azure throttled the request.', code: 'AzureThrottled' },
    ];
    for (const view of views) expect({ view: view.kind, problems: cardProblems(render(view)) }).toEqual({ view: view.kind, problems: [] });
  });

  it('site status: the status card of the site', () => {
    expect(visibleText(render({ kind: 'site-status', status: siteStatusFixture(realistic) }))).toMatch(/^status site-paris\nConnected/);
  });

  it('site not found: suggestions as buttons that rerun the same command', () => {
    const status = render({ kind: 'site-not-found', typed: 'site-pari', suggestions: ['site-paris', 'site-paros'] });
    expect(visibleText(status)).toMatch(/No such site[\s\S]*There is no certificate-authenticated site called site-pari in the configured scope\.[\s\S]*Did you mean site-paris, site-paros\?[\s\S]*Code: UnknownSite/);
    expect(executeActions(status).map((a) => [a.title, a.data])).toEqual([
      ['status site-paris', { command: 'status site-paris' }],
      ['status site-paros', { command: 'status site-paros' }],
    ]);
    const diagnose = render({ kind: 'site-not-found', typed: 'site-x', suggestions: [] }, 'diagnose site-x --hours 24');
    expect(visibleText(diagnose)).toContain('Type status to list every site.');
    expect(executeActions(diagnose)).toEqual([]);
    expect(executeActions(render({ kind: 'site-not-found', typed: 'site-pari', suggestions: ['site-paris'] }, 'diagnose site-pari --hours 24')).map((a) => a.data)).toEqual([{ command: 'diagnose site-paris' }]);
  });

  it('a short name of several sites: which site, with a button for each', () => {
    const card = render({ kind: 'site-not-found', typed: 'paris', suggestions: ['site-paris', 'dc-paris'], ambiguous: true }, 'diagnose paris --hours 24');
    expect(visibleText(card)).toMatch(/^Which site\?\nparis could mean site-paris or dc-paris\.\nChoose one, or type its full name\.\nCode: AmbiguousSite/);
    expect(executeActions(card).map((a) => a.data)).toEqual([{ command: 'diagnose site-paris' }, { command: 'diagnose dc-paris' }]);
  });

  it('a site waiting to be provisioned: says what it is instead of "no such site"', () => {
    const card = render({ kind: 'site-not-found', typed: 'site-rome', suggestions: [], pending: { site: 'site-rome', vaultName: 'kv-vpn-certs', certificateName: 'outbound-site-rome' } }, 'status site-rome');
    expect(visibleText(card)).toMatch(
      /^site-rome is not in Azure yet\nsite-rome is a device waiting to be provisioned: Key Vault kv-vpn-certs already holds its outbound certificate outbound-site-rome, but the configured scope has no connection for it yet\.\nProvision it: press Provision for the form, or type provision site-rome --ip <device address> --prefixes <CIDR> --subject <device certificate subject> with its CA chain below; status can read it once the connection exists\.\nCode: SiteNotProvisioned/,
    );
    expect(visibleText(card)).not.toMatch(/No such site/);
    expect(executeActions(card).map((a) => [a.title, a.verb, a.data])).toEqual([['Provision', 'provisionForm', { site: 'site-rome' }]]);
    expect(cardProblems(card)).toEqual([]);
  });

  it('a provisioning stopped part-way: says so and that sending it again continues, with the form', () => {
    const card = render({ kind: 'site-not-found', typed: 'rome', suggestions: [], pending: { site: 'site-rome', vaultName: 'kv-vpn-certs', certificateName: 'outbound-site-rome', provisioning: { id: 'prov-1', awaiting: 'continue' } } }, 'status rome');
    expect(visibleText(card)).toMatch(/^site-rome is partly provisioned\nProvisioning prov-1 of site-rome made its local network gateway but no connection yet: it stopped part-way\.\nSend the same provision command again: it continues from what exists/);
    expect(executeActions(card).map((a) => [a.title, a.verb, a.data])).toEqual([['Provision', 'provisionForm', { site: 'site-rome' }]]);
    expect(cardProblems(card)).toEqual([]);
  });

  it('a provisioning waiting for the signed certificate: what to send, and no Provision button (it would start over)', () => {
    const card = render({ kind: 'site-not-found', typed: 'rome', suggestions: [], pending: { site: 'site-rome', vaultName: 'kv-vpn-certs', certificateName: 'outbound-site-rome', provisioning: { id: 'prov-1', awaiting: 'signed-certificate' } } }, 'status rome');
    expect(visibleText(card)).toMatch(/^site-rome waits for its signed certificate\n[\s\S]*az keyvault certificate pending show --vault-name kv-vpn-certs --name outbound-site-rome[\s\S]*send provision site-rome --merge[\s\S]*Code: SiteAwaitingSignedCertificate/);
    expect(executeActions(card)).toEqual([]);
  });

  it('site not found: every suggestion button runs a command that exists, whichever job asked', () => {
    for (const commandLine of ['status site-pari', 'diagnose site-pari --hours 24 (+ device log)', 'enable diagnostics for site-pari']) {
      const card = render({ kind: 'site-not-found', typed: 'site-pari', suggestions: ['site-paris'] }, commandLine);
      const commands = executeActions(card).map((a) => (a.data as { command: string }).command);
      expect(commands).toHaveLength(1);
      for (const command of commands) expect({ commandLine, command, parses: parseCommand(command).ok }).toEqual({ commandLine, command, parses: true });
    }
  });

  it('fleet: the page with the job id on its paging buttons, and progress while collecting', () => {
    const rows = fleetRows(realistic);
    const done = render({ kind: 'fleet', rows, page: 0, pageCount: 3, summary: summarizeFleet(rows), gaps: [], checkedAt: STATUS_NOW.toISOString() }, 'status all');
    expect(executeActions(done).find((a) => a.title === 'Next')).toEqual({ title: 'Next', verb: 'fleetPage', data: { jobId: 'status-site-paris-a1b2c3d4', page: 1 } });
    const collecting = render({ kind: 'fleet', rows: rows.slice(0, 3), page: 0, pageCount: 1, summary: summarizeFleet(rows.slice(0, 3)), progress: { inspected: 25, total: 100 }, gaps: [], checkedAt: STATUS_NOW.toISOString() }, 'status all');
    expect(visibleText(collecting)).toContain('Checked 25 of 100');
  });

  it("change: the requester's card shows the plan, the state and Withdraw while it waits", () => {
    const card = render({ kind: 'change', model: lisbonModel({ phase: 'awaiting-approval', expiresAt: '2026-06-02T12:00:00.000Z' }) }, 'enable-diagnostics site-lisbon');
    expect(visibleText(card)).toMatch(/^Enable diagnostics on site-lisbon\nWaiting for approval until 2026-06-02 12:00 UTC[\s\S]*vpngw-hub IKEDiagnosticLog: not sent anywhere → sent to workspace log-vpn/);
    expect(executeActions(card).map((a) => a.title)).toEqual(['Withdraw']);
  });

  it('change refused: names the running job, its requester and its state', () => {
    const card = render({ kind: 'change-refused', title: 'Enable diagnostics on site-lisbon', running: { jobId: 'change~x', requestedBy: 'Patti Fernandez', state: 'awaiting approval', commandLine: 'enable-diagnostics site-lisbon' } });
    expect(visibleText(card)).toContain('job change~x (enable-diagnostics site-lisbon) by Patti Fernandez is awaiting approval');
  });

  it('failed: the safe text and code, with the job id as the reference', () => {
    const text = visibleText(render({ kind: 'failed', title: 'Could not read site-paris', problem: 'Azure throttled the request.', fix: 'Try again in a minute.', code: 'AzureThrottled' }));
    expect(text).toBe('Could not read site-paris\nAzure throttled the request.\nTry again in a minute.\nCode: AzureThrottled · Reference: status-site-paris-a1b2c3d4');
  });
});

describe('recordAudit', () => {
  it('records who asked (from the envelope) with the job id and outcome', async () => {
    const t = testPorts();
    await recordAudit({ envelope: envelope('enable diagnostics for site-oslo', 'enable-diagnostics-site-oslo-1'), action: 'enable-diagnostics', target: 'site-oslo', outcome: 'succeeded', detail: 'logs to log-vpn' }, t.ports);
    await recordAudit({ envelope: envelope('enable diagnostics for site-oslo', 'enable-diagnostics-site-oslo-2'), action: 'enable-diagnostics', target: 'site-oslo', outcome: 'failed' }, t.ports);
    expect(t.audit.records).toEqual([
      { action: 'enable-diagnostics', actor: { aadObjectId: '5a7c0de0-0000-4000-8000-00000000a001', name: 'Alex Wilber' }, target: 'site-oslo', outcome: 'succeeded', jobId: 'enable-diagnostics-site-oslo-1', detail: 'logs to log-vpn' },
      { action: 'enable-diagnostics', actor: { aadObjectId: '5a7c0de0-0000-4000-8000-00000000a001', name: 'Alex Wilber' }, target: 'site-oslo', outcome: 'failed', jobId: 'enable-diagnostics-site-oslo-2' },
    ]);
  });
});
