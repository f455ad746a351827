import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createNetworkAdapter } from '../../adapters/azure/network';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxNames } from '../../local/estate/sandbox-estate';
import { cardActions, cardText } from '../../local/playground-client/playground-client';
import { renderCard } from '../../local/playground-client/render-card';
import type { BotMessage } from '../../local/playground-client/playground-client';
import type { ChatFixture } from './sandbox-fixture';
import { startChat } from './sandbox-fixture';

let chat: ChatFixture;

beforeAll(async () => {
  chat = await startChat();
});

afterAll(async () => {
  await chat?.close();
});

/** Sends a command that starts a job and resolves with its card once the job's result replaced the ack. */
async function result(text: string, options: { conversation?: 'personal' | 'group' | 'channel' } = {}, final = /Checked|Read \d+|No such site|Which site|not in Azure yet|no IKE logs|no log entries|Could not|Failed|Cancelled/): Promise<BotMessage> {
  const ack = await chat.say(text, options);
  expect(cardText(ack)).toMatch(/Working on it/);
  return chat.until(ack.id, final, 45_000);
}

describe('diagnose names the cause for each sandbox site', () => {
  it('site-berlin: the inbound chain lacks the root that signed the device certificate', async () => {
    const text = cardText(await result('diagnose site-berlin'));
    expect(text).toMatch(/Azure doesn't trust the device's certificate/);
    expect(text).toMatch(/Add the CA that issued CN=berlin-vpn\.contoso\.example \(CN=Berlin Device Issuing CA G2, O=Contoso Berlin\), and the root above it if it is an intermediate/);
    expect(text).toMatch(/Evidence/);
  });

  it('site-madrid: the device subject differs from the configured inbound subject', async () => {
    const text = cardText(await result('diagnose site-madrid'));
    expect(text).toMatch(/Certificate subject mismatch/);
  });

  it('site-oslo: the IKE proposals do not match', async () => {
    const text = cardText(await result('diagnose SITE-OSLO --hours 6'));
    expect(text).toMatch(/IKE proposal mismatch/);
    expect(text).toMatch(/Read [\d,]+ IKE (log entries )?and \d+ tunnel log entr(y|ies) from \S+ \S+ UTC to/);
  });

  it('site-london: healthy', async () => {
    expect(cardText(await result('diagnose site-london'))).toMatch(/diagnose site-london: Healthy/);
  });

  it("combines a pasted strongSwan log of this site's device with the gateway's logs in one diagnosis", async () => {
    // A real charon log from the lab, as this site's device would write it: its peer is the sandbox gateway.
    const deviceLog = readFileSync(join(__dirname, '../fixtures/ike/strongswan/proposal-mismatch-responder.log'), 'utf8').replaceAll('10.99.0.1', sandboxNames.gatewayPublicIps[0]!);
    const text = cardText(await result(`diagnose site-oslo\n${deviceLog}`));
    expect(text).toMatch(/IKE proposal mismatch/);
    expect(text).toMatch(/plus \d+ device log events/);
    expect(text).not.toMatch(/talks to/);
    const evidence = text.slice(text.indexOf('Evidence'), text.indexOf('What to do'));
    expect(evidence).toMatch(/\[Azure [^\]]*\]/);
    expect(evidence).toMatch(/\[device [^\]]*\]/);
  });

  it("reads a pasted strongSwan log with the gateway logs, and says when its peer is not this gateway", async () => {
    // The fixture's daemons talked over 10.99.0.x, not the sandbox gateway's public IPs.
    const deviceLog = readFileSync(join(__dirname, '../fixtures/ike/strongswan/proposal-mismatch-responder.log'), 'utf8');
    const text = cardText(await result(`diagnose site-oslo\n${deviceLog}`));
    expect(text).toMatch(/IKE proposal mismatch/);
    expect(text).toMatch(/plus \d+ device log events/);
    expect(text).toMatch(/The attached device log talks to 10\.99\.0\.1, not this gateway \(\d+\.\d+\.\d+\.\d+/);
    expect(text).toMatch(/\[device [^\]]*\] 10\.99\.0\.1 is initiating an IKE_SA/);
    // The fix pins a strong proposal; Azure's weak defaults are only named as something not to copy.
    const pinned = /1\. Pin the device's proposal (\S+) on the connection with a custom IPsec\/IKE policy/.exec(text)?.[1];
    expect(pinned).toMatch(/^(GCM)?AES\d+\/SHA(256|384)\/(ECP\d+|DHGroup(14|24))$/);
    expect(text).not.toMatch(/e\.g\. [A-Z0-9]+\/[A-Z0-9]+\/DHGroup2/);
  });

  it('site-oslo over a week: reads the whole window (every retry since the connection was made) and still names the cause', async () => {
    const text = cardText(await result('diagnose site-oslo --hours 168'));
    expect(text).toMatch(/IKE proposal mismatch/);
    const [, from, to] = /Read [\d,]+ IKE (?:log entries )?and \d+ tunnel log entr(?:y|ies) from (\S+ \S+) UTC to (\S+ \S+) UTC/.exec(text) ?? [];
    expect(Date.parse(`${to}Z`) - Date.parse(`${from}Z`)).toBe(168 * 3_600_000);
    expect(text).not.toMatch(/Only the newest/);
  });

  it("site-london with a device log that rejects the gateway's certificate: healthy, but the log's finding is on the card", async () => {
    const deviceLog = readFileSync(join(__dirname, '../fixtures/ike/strongswan/wrong-root-initiator.log'), 'utf8');
    const text = cardText(await result(`diagnose site-london\n${deviceLog}`));
    expect(text).toMatch(/diagnose site-london: Healthy/);
    expect(text).toMatch(/talks to 10\.99\.0\.2, not this gateway/);
    expect(text).toMatch(/That log shows a failure: the device does not trust the gateway's certificate CN=vpngw-hub\.contoso\.example/);
    expect(text).toMatch(/no trusted RSA public key found for 'CN=vpngw-hub\.contoso\.example'/);
  });

  it('refuses a pasted text that is not a charon log, saying what to paste', async () => {
    const reply = await chat.say('diagnose site-oslo\nhello, this is not a log\nat all');
    expect(cardText(reply)).toMatch(/does not look like a strongSwan \(charon\) log/);
  });

  it('says when a site does not exist and suggests the closest names', async () => {
    const card = await result('diagnose site-pariss');
    expect(cardText(card)).toMatch(/No such site.*site-pariss.*Did you mean site-paris/);
    expect(cardActions(card).map((a) => a.title)).toContain('diagnose site-paris');
  });

  it('a short name is enough: diagnose berlin is diagnose site-berlin', async () => {
    const text = cardText(await result('diagnose berlin'));
    expect(text).toMatch(/^diagnose site-berlin: Azure doesn't trust the device's certificate/);
  });

  it("site-paris is healthy, and the card still says its outbound certificate expires in 10 days, how to rotate it, with Rotate and Status buttons", async () => {
    const card = await result('diagnose site-paris');
    const text = cardText(card);
    expect(text).toMatch(/^diagnose site-paris: Healthy/);
    expect(text).toMatch(/Note ⚠ {1,2}Outbound certificate: The outbound certificate expires on \S+ \(in 10 days\)\. Rotate it before then\. To rotate: Rotate \(or rotate site-paris outbound\) adds a new version of outbound-site-paris in Key Vault kv-vpn-certs and points cn-site-paris at it, with approval/);
    expect(cardActions(card).find((a) => a.title === 'Rotate')).toMatchObject({ verb: 'rotateOutbound', data: { site: 'site-paris' } });
    const status = cardActions(card).find((a) => a.title === 'Status')!;
    expect(status.data).toEqual({ command: 'status site-paris' });
    // The note's button works like any other: it runs status for the site.
    const pressed = await chat.client.invoke({ verb: status.verb, data: status.data, replyToId: card.id, conversationId: card.conversationId });
    expect(String(pressed.body.value)).toMatch(/Started status site-paris/);
    expect(cardText(await chat.until((await chat.client.replyTo(pressed)).id, /Checked/))).toMatch(/status site-paris.*Connected/);
  });

  it("the sandbox's device log of a site, pasted as the README shows, is combined with the gateway's logs", async () => {
    // README: npm run chat -- "$(printf 'diagnose site-berlin\n%s' "$(cat .sandbox/files/device-logs/site-berlin.log)")"
    const file = chat.sandbox.deviceLogs.find((l) => l.site === 'site-berlin')!;
    expect(file.path.endsWith(join('files', 'device-logs', 'site-berlin.log'))).toBe(true);
    const card = await result(`diagnose site-berlin\n${readFileSync(file.path, 'utf8').trimEnd()}`);
    const text = cardText(card);
    expect(text).toMatch(/^diagnose site-berlin: Azure doesn't trust the device's certificate/);
    // The README shows this card as npm run chat prints it (times, dates and how many log entries the window holds
    // are the run's).
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    const sample = /```\n--- bot \(card updated 1×\) ---\n(== diagnose site-berlin[\s\S]*?)\n```/.exec(readme)?.[1];
    const times = (t: string) => t.replace(/\b[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d\b/g, 'STAMP').replace(/\d{4}-\d\d-\d\d \d\d:\d\d/g, 'DATE').replace(/\d\d:\d\d:\d\d/g, 'TIME').replace(/Read [\d,]+ IKE and \d+ tunnel log entries plus \d+/, 'Read COUNTS');
    expect(times(renderCard(card.cards[0]!))).toBe(times(sample ?? 'README has no sample of diagnose site-berlin'));
    expect(text).toMatch(/Read [\d,]+ IKE and \d+ tunnel log entries plus \d+ device log events/);
    expect(text).not.toMatch(/talks to|not this gateway|another peer|older than/);
    const evidence = text.slice(text.indexOf('Evidence'), text.indexOf('What to do'));
    expect(evidence).toMatch(/\[Azure [^\]]*\]/);
    expect(evidence).toMatch(/\[device [^\]]*\] parsed INFORMATIONAL request 2 \[ N\(AUTH_FAILED\) \]/);
  });

  it("each site's device log names this gateway as its peer and agrees with Azure's logs", async () => {
    for (const { site, path } of chat.sandbox.deviceLogs.filter((l) => l.site !== 'site-rome')) {
      const text = cardText(await result(`diagnose ${site}\n${readFileSync(path, 'utf8').trimEnd()}`));
      expect({ site, foreign: /talks to|not this gateway|points to another cause|older than/.test(text), device: /plus \d+ device log events/.test(text) }).toEqual({ site, foreign: false, device: true });
    }
  });
});

describe('site names', () => {
  it('a unique short name in any case finds the site: status paris is status site-paris', async () => {
    const text = cardText(await result('status PARIS'));
    expect(text).toMatch(/^status site-paris Connected\s+cn-site-paris on vpngw-hub/);
    expect(text).toMatch(/Key Vault kv-vpn-certs \/ outbound-site-paris/);
    expect(text).not.toMatch(/127\.0\.0\.1/);
  });

  it('a near miss gets "did you mean site-paris?" with a button that runs the command for it', async () => {
    const card = await result('status pari');
    expect(cardText(card)).toMatch(/No such site There is no certificate-authenticated site called pari in the configured scope\. Did you mean site-paris\?/);
    const button = cardActions(card).find((a) => a.title === 'status site-paris')!;
    const pressed = await chat.client.invoke({ verb: button.verb, data: button.data, replyToId: card.id, conversationId: card.conversationId });
    expect(String(pressed.body.value)).toMatch(/Started status site-paris/);
    expect(cardText(await chat.until((await chat.client.replyTo(pressed)).id, /Checked/))).toMatch(/^status site-paris Connected\s/);
  });

  it('a short name several sites share lists them, each with a button', async () => {
    const sim = chat.sandbox.simulator;
    const rg = `/subscriptions/${sim.subscriptionId}/resourceGroups/rg-hub-network`;
    // A network administrator (not the bot) adds a second Paris site in the same resource group: dc-paris, a
    // connection of its own to the Paris device.
    const network = createNetworkAdapter(sim.settingsFor('admin'));
    const paris = sim.estateInfo.sites.find((s) => s.name === 'site-paris')!;
    const site = await network.upsertLocalNetworkGateway({ id: `${rg}/providers/Microsoft.Network/localNetworkGateways/lng-dc-paris`, location: sim.estateInfo.location, gatewayIpAddress: '203.0.113.21', addressPrefixes: ['10.21.0.0/16'] });
    const existing = await network.getConnection(paris.connectionId!);
    await network.upsertCertificateConnection({
      id: `${rg}/providers/Microsoft.Network/connections/cn-dc-paris`,
      location: sim.estateInfo.location,
      gatewayId: existing.gatewayId,
      localNetworkGatewayId: site.id,
      certificate: existing.certificate!,
    });
    try {
      // A site added outside the bot is found at once by its full name (a name the site index does not know lists the
      // scope, which refreshes the index); from then on its short name is known too.
      expect(cardText(await result('status dc-paris'))).toMatch(/^status dc-paris\s/);
      const card = await result('diagnose paris');
      expect(cardText(card)).toMatch(/Which site\? paris could mean (site-paris or dc-paris|dc-paris or site-paris)\. Choose one, or type its full name\./);
      expect(cardActions(card).map((a) => (a.data as { command: string }).command).sort()).toEqual(['diagnose dc-paris', 'diagnose site-paris']);
    } finally {
      await network.deleteConnection(`${rg}/providers/Microsoft.Network/connections/cn-dc-paris`);
    }
  });

  it('site-rome is a device waiting to be provisioned, not "no such site"', async () => {
    const text = cardText(await result('status site-rome'));
    expect(text).toMatch(/^site-rome is not in Azure yet site-rome is a device waiting to be provisioned: Key Vault kv-vpn-certs already holds its outbound certificate outbound-site-rome, but the configured scope has no connection for it yet\./);
    expect(text).not.toMatch(/No such site/);
  });
});

describe('status', () => {
  it('shows the fleet worst first with a summary and per-site actions', async () => {
    const card = await result('status');
    const text = cardText(card);
    expect(text).toMatch(/4 connected\s+·\s+3 down\s+·\s+2 expiring\s+of 7 sites/);
    const order = ['site-berlin', 'site-madrid', 'site-oslo', 'site-paris', 'site-london'].map((s) => text.indexOf(s));
    expect(order.every((position) => position >= 0)).toBe(true);
    expect(order.slice(3)).toEqual([...order.slice(3)].sort((a, b) => a - b));
    expect(Math.max(...order.slice(0, 3))).toBeLessThan(order[3]!);
    expect(text).toMatch(/site-paris.*outbound certificate expires in 10 d/);
    expect(text).toMatch(/site-london.*healthy/);
    const commands = cardActions(card).map((a) => (a.data as { command?: string }).command);
    expect(commands).toContain('status site-berlin');
    expect(commands).toContain('diagnose site-berlin');
  });

  it('a row button runs the command as the person who pressed it', async () => {
    const fleet = await result('status all');
    const button = cardActions(fleet).find((a) => (a.data as { command?: string }).command === 'status site-london')!;
    const pressed = await chat.client.invoke({ verb: button.verb, data: button.data, replyToId: fleet.id, conversationId: fleet.conversationId });
    expect(pressed.status).toBe(200);
    expect(String(pressed.body.value)).toMatch(/Started status site-london/);
    const ack = await chat.client.replyTo(pressed);
    const london = cardText(await chat.until(ack.id, /Checked/));
    expect(london).toMatch(/status site-london.*Connected/);
    // Healthy in the fleet means nothing to flag on the site card either (its inbound chain is root + issuing CA).
    expect(london).not.toMatch(/⚠|✖/);
  });

  it('explains an Azure permission failure without raw error text', async () => {
    const fault = chat.sandbox.simulator.faults.add({ match: { method: 'GET', pathContains: 'connections/cn-site-madrid' }, respond: { status: 403 }, times: 20 });
    try {
      const text = cardText(await result('status site-madrid'));
      expect(text).toMatch(/Could not read site-madrid/);
      expect(text).toMatch(/permission|not allowed|authoriz/i);
      expect(text).not.toMatch(/at .*\.ts:\d+|RestError|stack/i);
    } finally {
      fault.remove();
    }
  });

  it('rides out ARM throttling (429 with Retry-After) and still answers', async () => {
    const fault = chat.sandbox.simulator.faults.add({ match: { method: 'GET', pathContains: 'connections/cn-site-london' }, respond: { status: 429, retryAfterSeconds: 1 }, times: 2 });
    try {
      expect(cardText(await result('status site-london'))).toMatch(/status site-london.*Connected/);
      expect(fault.hits).toBe(2);
    } finally {
      fault.remove();
    }
  });
});

describe('jobs and cancel', () => {
  it('cancels a running job of the caller and updates its card', async () => {
    const slow = chat.sandbox.simulator.faults.add({ match: { method: 'GET', pathContains: 'connections/cn-site-london' }, respond: { delayMs: 20_000 }, times: 1 });
    try {
      const ack = await chat.say('status site-london');
      const jobId = /\bJob\s+([a-z0-9._-]+)/.exec(cardText(ack))![1]!;
      // The acknowledgement reaches the person just before the bot has started and indexed the job (it answers
      // first); like a person, ask again if the very first `jobs` came too soon.
      let jobs = await chat.say('jobs');
      for (let attempt = 0; attempt < 10 && !cardText(jobs).includes(jobId); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        jobs = await chat.say('jobs');
      }
      expect(cardText(jobs)).toContain(jobId);
      expect(cardActions(jobs).some((a) => a.verb === 'cancelJob' && (a.data as { jobId: string }).jobId === jobId)).toBe(true);

      const others = await chat.say(`cancel ${jobId}`, { conversation: 'group', as: 'user-id-4' });
      expect(cardText(others)).toMatch(/you can only cancel jobs you started/);

      const cancelled = await chat.say(`cancel ${jobId}`);
      expect(cardText(cancelled)).toMatch(/Cancelled/);
      expect(cardText(await chat.until(ack.id, /Cancelled by Alex Wilber/))).toContain(jobId);
      expect(chat.sandbox.host.durable.getInstance(jobId)?.runtimeStatus).toBe('Terminated');
      expect(cardText(await chat.say('jobs'))).toMatch(new RegExp(`status site-london\\s+cancelled[\\s\\S]*${jobId}`));
    } finally {
      slow.remove();
    }
  });

  it('says when the job to cancel does not exist', async () => {
    expect(cardText(await chat.say('cancel status-site-nowhere-00000000'))).toMatch(/There is no job status-site-nowhere-00000000/);
  });
});

describe('enable diagnostics from the diagnose card', () => {
  it('offers the button when the gateway sends no IKE logs, and only operators may press it', async () => {
    const sim = chat.sandbox.simulator;
    const gatewayId = sim.estateInfo.gateways[0]!.id;
    const removed = sim.resources.diagnosticSettingsOf(gatewayId);
    for (const setting of removed) sim.resources.diagnosticSettings.delete(setting.id);

    // In the group chat, so that another member (the auditor) can press the button too.
    const off = await result('diagnose site-london', { conversation: 'group' });
    expect(cardText(off)).toMatch(/no IKE logs to read.*does not send IKEDiagnosticLog and TunnelDiagnosticLog/);
    const button = cardActions(off).find((a) => a.title === 'Enable diagnostics')!;
    expect(button).toBeDefined();

    const denied = await chat.client.invoke({ verb: button.verb, data: button.data, replyToId: off.id, conversationId: off.conversationId, fromId: 'user-id-3' });
    expect(String(denied.body.value)).toMatch(/You need the operator role/);

    // The button asks for a change: the plan waits for an approver, who approves from the approvals channel.
    const approvalCard = chat.client.waitFor((m, e) => e.action === 'createMessage' && m.conversationId === 'sandbox-channel-vpn-alerts' && /Waiting for approval/.test(cardText(m)), 45_000);
    const pressed = await chat.client.invoke({ verb: button.verb, data: button.data, replyToId: off.id, conversationId: off.conversationId });
    expect(String(pressed.body.value)).toMatch(/Planning: enable diagnostics for site-london/);
    const job = await chat.client.replyTo(pressed);
    const plan = cardText(await chat.until(job.id, /Waiting for approval/));
    expect(plan).toMatch(/Enable diagnostics on site-london/);
    const request = await approvalCard;
    // megan's client refreshes the approval card to her own view (Universal Actions), and she presses its Approve.
    const asMegan = { replyToId: request.id, conversationId: request.postConversationId ?? request.conversationId, fromId: 'user-id-1' };
    const refresh = request.cards[0]!.refresh as { action: { verb: string; data: unknown } };
    const view = await chat.client.invoke({ verb: refresh.action.verb, data: refresh.action.data, ...asMegan });
    const approve = cardActions({ ...request, cards: [view.body.value as Record<string, unknown>] }).find((a) => a.title === 'Approve')!;
    const approved = await chat.client.invoke({ verb: approve.verb, data: approve.data, ...asMegan });
    expect(JSON.stringify(approved.body.value)).toMatch(/Approved by Megan Bowen/);
    expect(cardText(await chat.until(job.id, /Done/))).toMatch(/Done: applied and verified\. Gateway vpngw-hub now sends its IKE and tunnel logs to workspace log-vpn/);
    expect(sim.resources.diagnosticSettingsOf(gatewayId).length).toBeGreaterThan(0);

    // Log Analytics only has what was sent after the setting existed: the card now says to wait for logs.
    const after = cardText(await result('diagnose site-london'));
    expect(after).toMatch(/no log entries/);
    expect(after).toMatch(/If diagnostics were enabled recently, wait a few minutes/);
  });
});
