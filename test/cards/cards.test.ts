import { describe, expect, it } from 'vitest';
import { card, cardSizeBytes, heading, MAX_CARD_BYTES, SHORTENED_NOTE } from '../../cards/adaptive-card';
import { diagnosisCard } from '../../cards/diagnosis-card';
import { fleetStatusCard } from '../../cards/fleet-status-card';
import { FLEET_PAGE_SIZE } from '../../core/status/fleet-status';
import { jobsCard, MAX_JOBS_ON_CARD } from '../../cards/jobs-card';
import { rotateOutboundButton } from '../../cards/rotate-button';
import { VERBS } from '../../cards/verbs';
import { summarizeFleet } from '../../core/status/fleet-status';
import { allCards, CARD_NOW, fleetRow, hostile, realistic } from './card-fixtures';
import { cardProblems, executeActions, HOSTILE, HOSTILE_MARKERS, hostileInMarkdown, literalTexts, markdownTexts, toneOf, visibleText } from './card-inspect';

const cards = allCards(realistic);

describe('card JSON (snapshots)', () => {
  for (const [name, card] of Object.entries(cards)) {
    it(name, () => {
      expect(card).toMatchSnapshot();
    });
  }
});

describe('every card', () => {
  it('is an Adaptive Card 1.5 of known elements whose Action.Execute verbs are all in cards/verbs.ts', () => {
    for (const [name, card] of Object.entries(cards)) expect({ name, problems: cardProblems(card) }).toEqual({ name, problems: [] });
  });

  it('stays under the 28 KB card limit', () => {
    for (const [name, card] of Object.entries(cards)) expect({ name, small: cardSizeBytes(card) < MAX_CARD_BYTES }).toEqual({ name, small: true });
  });

  it('stays under 28 KB with a 10,000-character value in every untrusted field, and says when it was shortened', () => {
    for (const value of ['LONGMARK'.padEnd(10_000, 'A'), '\u{1F600}'.repeat(10_000), '"\\<>&'.repeat(2_000)]) {
      for (const [name, built] of Object.entries(allCards(hostile(value)))) {
        const size = cardSizeBytes(built);
        expect({ name, size, fits: size <= MAX_CARD_BYTES }).toMatchObject({ name, fits: true });
        expect({ name, problems: cardProblems(built) }).toEqual({ name, problems: [] });
        if (JSON.stringify(built).includes(SHORTENED_NOTE)) expect(visibleText(built).endsWith(SHORTENED_NOTE)).toBe(true);
      }
    }
  });

  it('the structural check itself notices an unknown verb, a TextBlock control character and a wrong version', () => {
    const broken = { ...card([heading('x\u0007')]), version: '1.6', actions: [{ type: 'Action.Execute', verb: 'approveEverything', data: {} }] };
    expect(cardProblems(broken as never)).toEqual(['version is 1.6', 'TextBlock has a control character: "x\\u0007"', 'verb approveEverything is not in cards/verbs.ts']);
  });
});

describe('untrusted text', () => {
  for (const [kind, value] of Object.entries(HOSTILE)) {
    describe(`${kind} values in every field that comes from a person, Azure, a certificate or a log`, () => {
      const hostileCards = allCards(hostile(value));
      const marker = HOSTILE_MARKERS.find((m) => value.startsWith(m))!;

      it('never reach a TextBlock or FactSet (markdown), only RichTextBlock TextRuns', () => {
        for (const [name, card] of Object.entries(hostileCards)) expect({ name, inMarkdown: hostileInMarkdown(card) }).toEqual({ name, inMarkdown: [] });
      });

      it('are shown (literally) wherever the card has an untrusted field', () => {
        for (const [name, card] of Object.entries(hostileCards)) {
          if (JSON.stringify(card) === JSON.stringify(cards[name])) continue;
          expect({ name, shown: literalTexts(card).some((t) => t.includes(marker)) }).toEqual({ name, shown: true });
        }
      });

      it('leave no control characters and keep the card valid', () => {
        for (const [name, card] of Object.entries(hostileCards)) expect({ name, problems: cardProblems(card) }).toEqual({ name, problems: [] });
      });

      it('are cut to a bounded length on the card', () => {
        for (const [name, card] of Object.entries(hostileCards)) {
          const longest = Math.max(...literalTexts(card).map((t) => Array.from(t).length));
          expect({ name, bounded: longest <= 420 }).toEqual({ name, bounded: true });
        }
      });
    });
  }

  it('removes control, zero-width and bidi characters but keeps the visible text', () => {
    const built = allCards(hostile(HOSTILE.control))['error (problem only)']!;
    expect(literalTexts(built)[1]).toBe('CTLMARK abcdefgh');
  });

  it('marks a cut value with an ellipsis', () => {
    const built = allCards(hostile(HOSTILE.long))['error (problem only)']!;
    const shown = literalTexts(built)[1]!;
    expect(shown.startsWith('LONGMARKAAA')).toBe(true);
    expect(shown.endsWith('…')).toBe(true);
    expect(shown.length).toBe(300);
  });
});

describe('help cards', () => {
  it('lists what a reader may run, and what needs another role separately', () => {
    const text = visibleText(cards['help (reader)']!);
    expect(text).toMatch(/status \[site\|all\][\s\S]*diagnose <site> \[--hours N\][\s\S]*jobs/);
    expect(text).toMatch(/Needs a role you do not have:\nenable-diagnostics <site> {2}Send a site's gateway IKE and tunnel logs to Log Analytics .*\(operator\)\nrotate <site> outbound\|inbound .*\(operator\)\nprovision \[site\] .*\(operator\)\napprovals {2}List the changes waiting for an approver.*\(approver\)\ncancel <job-id> {2}Cancel one of your running operations\. \(operator\)/);
    expect(text).toContain('Environment: sandbox');
    expect(executeActions(cards['help (reader)']!)).toEqual([
      { title: 'Who am I?', verb: VERBS.runCommand, data: { command: 'whoami' } },
      { title: 'My jobs', verb: VERBS.runCommand, data: { command: 'jobs' } },
    ]);
  });

  it('does not name the environment in production', () => {
    expect(visibleText(cards['help (no role, production)']!)).not.toContain('Environment');
  });

  it('explains one command from its spec: usage, flags with default, role, effect', () => {
    const text = visibleText(cards['command help (diagnose, allowed)']!);
    expect(text).toContain('diagnose <site> [--hours N]');
    expect(text).toContain('How many hours of logs to read (1 to 168). Default 24.');
    expect(text).toMatch(/Role\nreader/);
    expect(text).toContain('read-only: changes nothing');
    expect(text).not.toContain('You need the');
    expect(visibleText(cards['command help (cancel, not allowed)']!)).toContain('You need the operator role to run this.');
  });
});

describe('whoami card', () => {
  it('shows identity and roles, and says how to get a role when there is none', () => {
    expect(visibleText(cards['whoami (operator)']!)).toMatch(/Alex Wilber[\s\S]*5a7c0de0-0000-4000-8000-00000000a001[\s\S]*reader, operator/);
    expect(visibleText(cards['whoami (no role)']!)).toContain('You have no role yet.');
    const anonymous = visibleText(cards['whoami (tenant not allowed, anonymous)']!);
    expect(anonymous).toContain('(none: this channel does not identify you)');
    expect(anonymous).toContain("Your tenant is not on the bot's allow-list");
  });
});

describe('error cards', () => {
  it('carry the code and the reference, and show usage and example', () => {
    const text = visibleText(cards['error (all fields)']!);
    expect(text).toContain('Code: InvalidArguments · Reference: 3f9c2a1b');
    expect(text).toMatch(/Usage\ndiagnose <site> \[--hours N\]\nExample\ndiagnose site-oslo --hours 6/);
  });

  it('an unexpected error shows only the reference', () => {
    const text = visibleText(cards['unexpected error']!);
    expect(text).toContain('Reference: 3f9c2a1b');
    expect(text).toContain('Something went wrong');
  });
});

describe('unknown command card', () => {
  it('suggests the closest command with help buttons and always offers all commands', () => {
    expect(visibleText(cards['unknown command (suggestion)']!)).toMatch(/There is no command stauts\.\nDid you mean status\?/);
    expect(executeActions(cards['unknown command (suggestion)']!).map((a) => [a.title, a.data])).toEqual([
      ['help status', { command: 'help status' }],
      ['help st', { command: 'help st' }],
      ['All commands', { command: 'help' }],
    ]);
    expect(executeActions(cards['unknown command (no suggestion)']!).map((a) => a.title)).toEqual(['All commands']);
  });
});

describe('jobs card', () => {
  it('offers Cancel only on cancellable jobs, with the job id as the only data', () => {
    const cancels = executeActions(cards['jobs (three)']!).filter((a) => a.verb === VERBS.cancelJob);
    expect(cancels).toEqual([{ title: 'Cancel', verb: 'cancelJob', data: { jobId: 'status-site-paris-3f9c2a1b' } }]);
  });

  it('shows state and age, and a refresh that replaces the card', () => {
    const text = visibleText(cards['jobs (three)']!);
    expect(text).toMatch(/status site-paris {2}running {2}2 min ago/);
    expect(text).toMatch(/diagnose site-oslo --hours 24 {2}done {2}3 h ago/);
    expect(text).toMatch(/status all {2}failed {2}2 d ago/);
    expect(executeActions(cards['jobs (three)']!).at(-1)).toEqual({ title: 'Refresh', verb: 'runCommand', data: { command: 'jobs', replace: true } });
  });

  it(`shows at most ${MAX_JOBS_ON_CARD} jobs and counts the rest`, () => {
    const text = visibleText(cards['jobs (more than fit)']!);
    expect(text.match(/diagnose site-oslo/g)).toHaveLength(MAX_JOBS_ON_CARD);
    expect(text).toContain('…and 2 older.');
  });

  it('adds the older jobs it was told about to those past the card, and says "more than" for a lower bound', () => {
    const job = { jobId: 'status-site-paris-3f9c2a1b', commandLine: 'status site-paris', state: 'completed' as const, createdAt: CARD_NOW, lastUpdatedAt: CARD_NOW, cancellable: false };
    const jobs = Array.from({ length: MAX_JOBS_ON_CARD + 1 }, () => job);
    expect(visibleText(jobsCard({ jobs, older: { count: 1234, exact: true }, now: CARD_NOW, windowDays: 7 }))).toContain('…and 1,235 older.');
    expect(visibleText(jobsCard({ jobs: [job], older: { count: 984, exact: false }, now: CARD_NOW, windowDays: 7 }))).toContain('…and more than 984 older.');
    expect(visibleText(jobsCard({ jobs: [job], older: { count: 0, exact: true }, now: CARD_NOW, windowDays: 7 }))).not.toContain('older');
  });

  it('with none readable but some counted, does not claim there are none', () => {
    const text = visibleText(jobsCard({ jobs: [], older: { count: 1, exact: true }, now: CARD_NOW, windowDays: 7 }));
    expect(text).toContain('1 operation of the last 7 days could not be listed here.');
    expect(text).not.toContain('You have no running operations');
  });

  it('says when there are none, and shows a notice', () => {
    const text = visibleText(cards['jobs (none, with notice)']!);
    expect(text).toContain('You have no running operations and none in the last 7 days.');
    expect(text).toContain('Cancelled status site-paris.');
  });
});

describe('job card', () => {
  it('names the state and the command in its heading', () => {
    expect(markdownTexts(cards['job (started)']!)[0]).toBe('Working on it: status');
    expect(markdownTexts(cards['job (cancelled)']!)[0]).toBe('Cancelled: status');
    expect(markdownTexts(cards['job (failed)']!)[0]).toBe('Failed: diagnose');
  });

  it('promises an update only while started, and keeps the last six progress lines', () => {
    expect(visibleText(cards['job (started)']!)).toContain('This card updates itself');
    const running = visibleText(cards['job (running, progress)']!);
    expect(running).not.toContain('This card updates itself');
    expect(running).not.toContain('step 2');
    expect(running).toMatch(/• step 3[\s\S]*• step 8/);
  });
});

describe('site status card', () => {
  const text = visibleText(cards['site status']!);

  it('puts warnings first, errors marked, then tunnels, device, both certificate directions', () => {
    expect(text.indexOf('✖ ')).toBeLessThan(text.indexOf('⚠ '));
    expect(text.indexOf('⚠ ')).toBeLessThan(text.indexOf('Tunnels'));
    expect(text).toMatch(/Connected {2}GatewayTenantWorker_IN_0 \(20\.50\.1\.10\) {2}in 1\.5 MB \/ out 512 KB {2}connected 3 h ago/);
    // A tunnel that is down says when it was last up, never "connected … ago" as if it still were.
    expect(text).toMatch(/NotConnected {2}GatewayTenantWorker_IN_1 \(20\.50\.1\.11\) {2}in 0 B \/ out 0 B {2}last connected 6 h ago/);
    expect(text.match(/(?<!last )connected \d+ h ago/g)).toEqual(['connected 3 h ago']);
    expect(text).toContain('198.51.100.20');
    expect(text).toContain('10.20.0.0/16, 10.21.0.0/16');
    expect(text).toContain('kv-vpn-certs / vpn-out-paris');
    expect(text).toContain('4c7e0f0b2a6d4e1f8a9b0c1d2e3f4a5b (not the newest enabled)');
    expect(text).toContain('expires in 9 d');
    expect(text).toContain('CN=Paris Issuing CA: expired 3 d ago');
    expect(text).toContain('Checked 2026-06-01 12:00 UTC');
  });

  it('offers Diagnose and Refresh for the site', () => {
    expect(executeActions(cards['site status']!).map((a) => a.data)).toEqual([{ command: 'diagnose site-paris' }, { command: 'status site-paris' }]);
  });

  it('says so when nothing is configured', () => {
    const empty = visibleText(cards['site status (no outbound, no tunnels)']!);
    expect(empty).toContain('Azure reports no tunnel for this connection.');
    expect(empty).toContain('None configured.');
    expect(empty).toContain('paris.vpn.contoso.example');
  });
});

describe('fleet status card', () => {
  it('while collecting: says how far it got, lists gaps, and has no buttons that would page a result not there yet', () => {
    const card = cards['fleet (collecting)']!;
    expect(visibleText(card)).toContain('Fleet status (collecting…)');
    expect(visibleText(card)).toContain('Checked 25 of 60; this card fills in as results arrive.');
    expect(visibleText(card)).toContain('Could not list connections in rg-spoke');
    expect(card.actions ?? []).toEqual([]);
  });

  it('when done: pages with Previous/Next carrying the job id and page, and refreshes', () => {
    const actions = executeActions(cards['fleet (page 2 of 3)']!).filter((a) => (a.verb !== VERBS.runCommand && a.verb !== VERBS.rotateOutbound) || a.title === 'Refresh');
    expect(actions).toEqual([
      { title: 'Previous', verb: 'fleetPage', data: { jobId: 'status-fleet-3f9c2a1b', page: 0 } },
      { title: 'Next', verb: 'fleetPage', data: { jobId: 'status-fleet-3f9c2a1b', page: 2 } },
      { title: 'Refresh', verb: 'runCommand', data: { command: 'status all' } },
    ]);
    expect(visibleText(cards['fleet (page 2 of 3)']!)).toContain('Page 2 of 3 · Checked');
  });

  it('gives every row a Status and a Diagnose button for that site', () => {
    const card = cards['fleet (page 2 of 3)']!;
    const rowButtons = executeActions(card).filter((a) => a.title === 'Status' || a.title === 'Diagnose');
    expect(rowButtons).toHaveLength(2 * FLEET_PAGE_SIZE);
    expect(rowButtons.slice(0, 2).map((a) => a.data)).toEqual([{ command: expect.stringMatching(/^status site-\d{3}$/) }, { command: expect.stringMatching(/^diagnose site-\d{3}$/) }]);
  });

  it('Rotate wherever an expiring outbound certificate is shown: fleet rows, the site status card, diagnosis notes', () => {
    const fleet = executeActions(cards['fleet (page 2 of 3)']!);
    const rotate = fleet.filter((a) => a.verb === VERBS.rotateOutbound);
    expect(rotate.length).toBeGreaterThan(0);
    for (const button of rotate) expect(button).toMatchObject({ title: 'Rotate', data: { site: expect.stringMatching(/^site-\d{3}$/) } });
    expect(executeActions(cards['diagnosis (healthy, site notes)']!).filter((a) => a.verb === VERBS.rotateOutbound)).toEqual([{ title: 'Rotate', verb: VERBS.rotateOutbound, data: { site: 'site-paris' } }]);
    expect(rotateOutboundButton('site-paris', { drift: true })).toMatchObject({ title: 'Rotate to newest version', verb: VERBS.rotateOutbound, data: { site: 'site-paris', source: 'vault' } });
  });

  it('says so when the scope has no certificate connection', () => {
    expect(visibleText(cards['fleet (empty)']!)).toContain('No certificate-authenticated connections in the configured scope.');
  });

  it('stays under 28 KB at a full page of the longest names Azure allows, each row with a problem', () => {
    // Site names come from the `site` tag (values up to 256 characters) or the connection name (up to 80).
    const rows = Array.from({ length: FLEET_PAGE_SIZE }, (_, i) =>
      fleetRow(realistic, i, {
        site: `${String(i).padStart(2, '0')}-${'s'.repeat(253)}`,
        connectionName: 'c'.repeat(80),
        resourceGroup: 'r'.repeat(90),
        status: 'NotConnected',
        tunnelsUp: 0,
        outboundDays: -3,
        inboundDays: 5,
        problem: `could not read the connection: ${'p'.repeat(300)}`,
      }),
    );
    const card = fleetStatusCard({ jobId: `status-fleet-${'f'.repeat(140)}`, rows, page: 3, pageCount: 9, summary: summarizeFleet(rows), checkedAt: CARD_NOW.toISOString(), gaps: Array.from({ length: 10 }, () => 'g'.repeat(300)) });
    expect(cardSizeBytes(card)).toBeLessThan(MAX_CARD_BYTES);
    expect(cardProblems(card)).toEqual([]);
  });
});

describe('diagnosis card', () => {
  it('diagnostics off: says which logs are missing and offers to enable them for the site', () => {
    const card = cards['diagnosis (diagnostics off)']!;
    expect(visibleText(card)).toContain('Gateway vpngw-hub does not send IKEDiagnosticLog and TunnelDiagnosticLog to a Log Analytics workspace');
    expect(executeActions(card)).toEqual([{ title: 'Enable diagnostics', verb: 'enableDiagnostics', data: { site: 'site-oslo' } }]);
  });

  it('no logs: names the workspace and window and offers a wider one', () => {
    const card = cards['diagnosis (no logs)']!;
    expect(visibleText(card)).toContain('Log Analytics workspace log-vpn has no IKE or tunnel log entries for cn-site-oslo in the last 24 h. The connection is NotConnected.');
    expect(executeActions(card)).toEqual([{ title: 'Last 72 h', verb: 'runCommand', data: { command: 'diagnose site-oslo --hours 72' } }]);
  });

  it("healthy with the site's other warnings: each as a note with its fix and its buttons, before the footer", () => {
    const card = cards['diagnosis (healthy, site notes)']!;
    const text = visibleText(card);
    expect(text).toMatch(/diagnose site-paris: Healthy[\s\S]*\nNote\n⚠ Outbound certificate: The outbound certificate expires on 2026-06-11 \(in 10 days\)\. Rotate it before then\.\nTo rotate: add a new version of outbound-site-paris in Key Vault kv-vpn-certs, [^\n]*\n[\s\S]*Read 12 IKE/);
    expect(executeActions(card).map((a) => [a.title, a.data])).toEqual([
      ['Rotate', { site: 'site-paris' }],
      ['Status', { command: 'status site-paris' }],
      ['Status', { command: 'status site-paris' }],
      ['Run again', { command: 'diagnose site-paris --hours 24' }],
    ]);
  });

  it('cause found: headline, who refused, evidence by side and time or line, numbered actions, what was read', () => {
    const text = visibleText(cards['diagnosis (cause found)']!);
    expect(text).toContain("diagnose site-berlin: Azure doesn't trust the device's certificate");
    expect(text).toContain('Connection cn-site-berlin is NotConnected. Confidence: high; rejected by Azure.');
    expect(text).toContain('[Azure IN_0 11:32:03] Peer certificate chain validation failed');
    expect(text).toContain('[device Nov 23 17:58:11] charon: received AUTHENTICATION_FAILED');
    expect(text).toContain('[device line 57] sending AUTHENTICATION_FAILED');
    expect(text).toMatch(/1\. Add the root CA[\s\S]*2\. Run diagnose again/);
    expect(text).toContain('Read 412 IKE and 6 tunnel log entries plus 37 device log events from 2026-05-31 12:00 UTC to 2026-06-01 12:00 UTC.');
    expect(text).not.toContain('Latest events');
    expect(executeActions(cards['diagnosis (cause found)']!).map((a) => a.data)).toEqual([{ command: 'status site-berlin' }, { command: 'diagnose site-berlin --hours 24' }]);
  });

  it('healthy: good tone, no evidence or action sections', () => {
    const card = cards['diagnosis (healthy)']!;
    expect(toneOf(card.body[0])).toBe('good');
    const text = visibleText(card);
    expect(text).not.toContain('Evidence');
    expect(text).not.toContain('What to do');
    expect(text).toContain('Read 12 IKE and 2 tunnel log entries from');
  });

  it('notes: shown before the evidence, each with its own quoted lines, so a disagreeing device log is never silent', () => {
    const card = cards['diagnosis (healthy, device log notes)']!;
    expect(toneOf(card.body[0])).toBe('good');
    const text = visibleText(card);
    expect(text).toMatch(
      /diagnose site-london: Healthy[\s\S]*Notes\nThe attached device log talks to 10\.99\.0\.2, not this gateway \(20\.50\.1\.10, 20\.50\.1\.11\)[\s\S]*\n\[device Nov 23 17:58:10\] initiating IKE_SA s2s\[1\] to 10\.99\.0\.2\nThat log shows a failure: the device does not trust the gateway's certificate[\s\S]*\n\[device Nov 23 17:58:10\] no trusted RSA public key found/,
    );
    expect(text.indexOf('Notes')).toBeLessThan(text.indexOf('Read '));
    expect(visibleText(cards['diagnosis (cause found)']!)).not.toMatch(/\bNotes?\b/);
  });

  it('row cap reached: says only the newest entries were read, from when, and that older events are not part of it', () => {
    const card = cards['diagnosis (row cap reached)']!;
    const text = visibleText(card);
    expect(text).toContain('Read 1,000 IKE and 14 tunnel log entries, up to 2026-06-01 12:00 UTC.');
    expect(text).toContain('Only the newest 1,000 IKE log entries were read, from 2026-06-01 06:27 UTC on; the 168 h window starts 2026-05-25 12:00 UTC, so older events are not part of this diagnosis.');
    expect(text).not.toMatch(/Read 1,000 IKE .* from 2026-05-25/);
    expect(executeActions(card).map((a) => [a.title, a.data])).toEqual([
      ['Status', { command: 'status site-oslo' }],
      ['Run again', { command: 'diagnose site-oslo --hours 168' }],
    ]);
    // Not capped: the window as asked, and no cap sentence.
    expect(visibleText(cards['diagnosis (cause found)']!)).not.toContain('Only the newest');
  });

  it('unknown: shows the latest events so a person can read on', () => {
    const text = visibleText(cards['diagnosis (unknown, latest events)']!);
    expect(text).toContain('No known cause found');
    expect(text).toMatch(/Latest events\n\[Azure IN_0 11:32:03\] Sending IKE SA_INIT message\n\[device line 12\] retransmit 3/);
  });

  it('counts what was read with singular nouns for one', () => {
    const base = { kind: 'diagnosed', site: 'site-x', connectionName: 'cn-site-x', status: 'NotConnected', hours: 1, from: CARD_NOW.toISOString(), to: CARD_NOW.toISOString() } as const;
    const read = (counts: { ike: number; tunnel: number; device?: number }) =>
      /Read (.*) from /.exec(visibleText(diagnosisCard({ ...base, counts, diagnosis: { cause: 'healthy', headline: 'h', confidence: 'low', evidence: [], actions: [] } })))?.[1];
    expect(read({ ike: 412, tunnel: 6, device: 1 })).toBe('412 IKE and 6 tunnel log entries plus 1 device log event');
    expect(read({ ike: 412, tunnel: 6, device: 2 })).toBe('412 IKE and 6 tunnel log entries plus 2 device log events');
    expect(read({ ike: 412, tunnel: 1 })).toBe('412 IKE log entries and 1 tunnel log entry');
    expect(read({ ike: 1, tunnel: 1, device: 0 })).toBe('1 IKE log entry and 1 tunnel log entry plus 0 device log events');
    expect(read({ ike: 1, tunnel: 6 })).toBe('1 IKE and 6 tunnel log entries');
    expect(read({ ike: 1_200, tunnel: 0 })).toBe('1,200 IKE and 0 tunnel log entries');
  });

  it('every cause has its own title', () => {
    const base = { kind: 'diagnosed', site: 'site-x', connectionName: 'cn-site-x', status: 'NotConnected', hours: 1, from: CARD_NOW.toISOString(), to: CARD_NOW.toISOString(), counts: { ike: 0, tunnel: 0 } } as const;
    const causes = ['healthy', 'inbound-untrusted', 'subject-mismatch', 'certificate-expired', 'certificate-not-yet-valid', 'outbound-unusable', 'outbound-rejected-by-device', 'proposal-mismatch', 'traffic-selector-mismatch', 'peer-not-responding', 'psk-one-side', 'unknown'] as const;
    const titles = causes.map((cause) => literalTexts(diagnosisCard({ ...base, diagnosis: { cause, headline: 'h', confidence: 'low', evidence: [], actions: [] } }))[0]);
    expect(new Set(titles).size).toBe(causes.length);
    for (const title of titles) expect(title).toMatch(/^diagnose site-x: \S/);
  });
});
