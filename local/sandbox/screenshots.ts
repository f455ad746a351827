/**
 * `npm run screenshots`: the headline cards as a person sees them in the Agents Playground, rendered by Debian's
 * Chromium, written to docs/images/ (the README shows them). Starts its own sandbox on loopback, chats through the
 * Playground's web UI, screenshots each card, and stops everything.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPlaygroundInBrowser, type PlaygroundBrowser } from '../playground-client/playground-browser';
import { projectRoot } from './project-root';
import { startSandbox } from './sandbox';

/** Each headline card: the message that makes it, what its final text shows, and its file name. */
export const HEADLINE_CARDS = [
  { file: 'help.png', say: 'help', final: /status \[site\|all\]/ },
  { file: 'fleet-status.png', say: 'status', final: /of 7 sites/ },
  { file: 'site-status-paris.png', say: 'status site-paris', final: /Checked/ },
  { file: 'diagnose-berlin.png', say: 'diagnose site-berlin', final: /Read [\d,]+ IKE/ },
  { file: 'change-plan.png', say: 'enable-diagnostics site-lisbon', final: /Waiting for approval/ },
] as const;

/** The approval request the change above posts in the approvals channel, as the channel shows it. */
export const APPROVAL_CARD = { file: 'approval-card.png', channel: 'VPN alerts', shows: /Enable diagnostics on site-lisbon\s*Waiting for approval/ } as const;

async function main(): Promise<void> {
  const out = join(projectRoot(), 'docs', 'images');
  mkdirSync(out, { recursive: true });
  const sandbox = await startSandbox({ log: 'quiet', stateDir: mkdtempSync(join(tmpdir(), 'vpn-screenshots-')) });
  let ui: PlaygroundBrowser | undefined;
  try {
    ui = await openPlaygroundInBrowser(sandbox.playground!.url, { viewport: { width: 1280, height: 1400 } });
    for (const shot of HEADLINE_CARDS) {
      const before = await ui.cards().count();
      await ui.say(shot.say);
      const card = await ui.card(before, shot.final);
      await card.scrollIntoViewIfNeeded();
      await card.screenshot({ path: join(out, shot.file) });
      console.log(`wrote docs/images/${shot.file} (${shot.say})`);
    }
    await ui.open(APPROVAL_CARD.channel, 'channel');
    const approval = ui.cards().filter({ hasText: APPROVAL_CARD.shows }).last();
    await approval.waitFor({ timeout: 45_000 });
    await approval.scrollIntoViewIfNeeded();
    await approval.screenshot({ path: join(out, APPROVAL_CARD.file) });
    console.log(`wrote docs/images/${APPROVAL_CARD.file} (the approval request in ${APPROVAL_CARD.channel})`);
  } finally {
    await ui?.close();
    await sandbox.close();
  }
}

if (typeof require !== 'undefined' && require.main === module) {
  void main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
