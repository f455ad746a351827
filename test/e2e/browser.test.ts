import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, isKnownNotice, KNOWN_PLAYGROUND_NOTICES, knownNoticeOf, openPlaygroundInBrowser, type PlaygroundBrowser } from '../../local/playground-client/playground-browser';
import { REAL_PEERS_REQUIRED } from '../../local/strongswan/strongswan-support';
import { sandboxNames } from '../../local/estate/sandbox-estate';
import { cardText } from '../../local/playground-client/playground-client';
import type { ChatFixture } from './sandbox-fixture';
import { startChat } from './sandbox-fixture';

// CI installs Debian's Chromium (.ci/run) and must run this; elsewhere a missing browser skips it, loudly.
const chromiumMissing = !existsSync(CHROMIUM_PATH);
if (chromiumMissing) {
  if (REAL_PEERS_REQUIRED) throw new Error(`${CHROMIUM_PATH} is missing: apt-get install chromium (CI must run the browser test).`);
  process.stderr.write(`\n*** SKIPPED (real browser): ${CHROMIUM_PATH} is missing; apt-get install chromium to drive the Playground's web UI.\n\n`);
}

let chat: ChatFixture;
let ui: PlaygroundBrowser;

beforeAll(async () => {
  if (chromiumMissing) return;
  // The page chats as patti (operator and approver): the Playground's UI cannot switch users.
  chat = await startChat({ playgroundUser: 'patti' });
  ui = await openPlaygroundInBrowser(chat.sandbox.playground!.url);
  // The bot welcomes the page's user when the Playground adds it to the chat; wait for that card, so the first
  // command's answer is not mistaken for it on a slow machine (every test finds its answer after the cards before it).
  await ui.card(0, /status \[site\|all\]/);
});

afterAll(async () => {
  await ui?.close();
  await chat?.close();
});

const branchGatewayId = () => chat.sandbox.simulator.estateInfo.gateways.find((g) => g.name === sandboxNames.branchGateway)!.id;

/** Sends a message in the page and resolves with the new card once it shows `pattern`. */
async function say(text: string, pattern: RegExp) {
  const before = await ui.cards().count();
  await ui.say(text);
  return ui.card(before, pattern);
}

describe.skipIf(chromiumMissing)("the Agents Playground's web UI in Chromium", () => {
  it('help renders as a card with its buttons', async () => {
    const card = await say('help', /status \[site\|all\]/);
    expect(await card.getByRole('button', { name: 'Who am I?' }).count()).toBe(1);
  });

  it('status: the fleet card renders, and its site-london row button runs status for that site in the page', async () => {
    const fleet = await say('status', /of 7 sites/);
    // Rows are listed worst first, each with its own Status and Diagnose buttons, in the same order as the names.
    const rows = [...(await fleet.innerText()).matchAll(/\bsite-[a-z]+\b/g)].map((m) => m[0]).filter((site, i, all) => all.indexOf(site) === i);
    const statusButtons = fleet.getByRole('button', { name: 'Status', exact: true });
    expect(await statusButtons.count()).toBe(rows.length);
    const row = statusButtons.nth(rows.indexOf('site-london'));
    const before = await ui.cards().count();
    await row.click();
    const london = await ui.card(before, /status site-london[\s\S]*Checked/);
    expect(await london.innerText()).toMatch(/Connected/);
  });

  it('status site-paris renders, and Refresh pressed in the page answers again', async () => {
    const paris = await say('status site-paris', /Checked/);
    expect(await paris.innerText()).toMatch(/expires in 10 d/);
    const before = await ui.cards().count();
    await paris.getByRole('button', { name: 'Refresh' }).click();
    const again = await ui.card(before, /status site-paris[\s\S]*Checked/);
    expect(await again.innerText()).toMatch(/expires in 10 d/);
  });

  it('diagnose site-berlin renders the cause and what to do', async () => {
    const card = await say('diagnose site-berlin', /Read [\d,]+ IKE/);
    const text = await card.innerText();
    expect(text).toMatch(/Azure doesn't trust the device's certificate/);
    expect(text).toMatch(/What to do/);
  });

  it("an approver approves in the page: `approvals`, Review (her own view: Approve and Reject), Approve", async () => {
    // alex asks in the group chat (through the Playground's API: the page chats as patti).
    const ack = await chat.say('enable-diagnostics site-lisbon', { as: 'user-id-0', conversation: 'group' });
    const alexs = await chat.until(ack.id, /Waiting for approval/, 45_000);
    const list = await say('approvals', /Changes waiting for approval[\s\S]*Enable diagnostics on site-lisbon/);
    expect(await list.innerText()).toMatch(/Requested by Alex Wilber/);
    await list.getByRole('button', { name: 'Review' }).click();
    const mine = ui.cards().filter({ hasText: /Approve/ }).last();
    await mine.getByRole('button', { name: 'Approve' }).waitFor({ timeout: 30_000 });
    expect(await mine.getByRole('button', { name: 'Reject' }).count()).toBe(1);
    await mine.getByRole('button', { name: 'Approve' }).click();
    await ui.cards().filter({ hasText: /Approved by Patti Fernandez/ }).last().waitFor({ timeout: 30_000 });
    expect(cardText(await chat.until(alexs.id, /Done/, 45_000))).toMatch(/Approved by Patti Fernandez at .* UTC\. Done/);
  });

  it('patti types a change: its plan card renders, then its approval card in the VPN alerts channel', async () => {
    // Test setup as the network admin: the site's gateway sends no logs again, so there is something to change.
    for (const setting of chat.sandbox.simulator.resources.diagnosticSettingsOf(branchGatewayId())) chat.sandbox.simulator.resources.diagnosticSettings.delete(setting.id);
    const plan = await say('enable-diagnostics site-lisbon', /Waiting for approval/);
    const text = await plan.innerText();
    expect(text).toMatch(/Enable diagnostics on site-lisbon[\s\S]*Requested by\s+Patti Fernandez/);
    expect(text).toMatch(/vpngw-branch IKEDiagnosticLog:\s*not sent anywhere\s*→\s*sent to workspace log-vpn/);
    expect(await plan.getByRole('button', { name: 'Withdraw' }).count()).toBe(1);

    await ui.open('VPN alerts', 'channel');
    const approval = ui.cards().filter({ hasText: /Requested by\s*Patti Fernandez/ }).last();
    await approval.waitFor({ timeout: 30_000 });
    expect(await approval.innerText()).toMatch(/Enable diagnostics on site-lisbon\s+Waiting for approval until .* UTC[\s\S]*Approval\s+one of 2 approvers, not the requester/);
    // The Playground shows everyone the card as posted (no user-specific views): the observers' view, no buttons.
    expect(await approval.getByRole('button').count()).toBe(0);
    // alex's, approved by patti above, is there too and says so.
    expect(await ui.cards().filter({ hasText: /Approved by Patti Fernandez/ }).count()).toBe(1);
    await ui.open('Personal Chat', 'chat');
  });

  it('the Playground reported no renderer error and no warning about our cards beyond the known, listed ones', async () => {
    const notices = await ui.notices();
    expect(notices.filter((n) => !isKnownNotice(n))).toEqual([]);
    // The scan sees the Playground's notices (under cards and in the log panel): each known one was said, so the list
    // holds only what the Playground really says about our cards.
    expect(new Set(notices.map((n) => knownNoticeOf(n)?.text))).toEqual(new Set(KNOWN_PLAYGROUND_NOTICES.map((k) => k.text)));
    expect(ui.pageErrors()).toEqual([]);
    // It stayed on loopback: what it tried elsewhere (the CDN fonts) was refused.
    expect(ui.blocked().every((url) => !/^https?:\/\/(127\.0\.0\.1|localhost)[:/]/.test(url))).toBe(true);
  });
});
