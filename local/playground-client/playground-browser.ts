import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`), which `.ci/run` installs. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * What the Playground itself says about our cards that we know and accept, each with why. Anything else it says
 * (under a card, or as a warning or error in its log panel) is a defect of a card.
 */
export const KNOWN_PLAYGROUND_NOTICES: readonly { readonly text: string; readonly why: string }[] = [
  {
    text: 'Full width control is not supported yet in Microsoft 365 Agents playground, you can try it in real environment.',
    why: 'Cards ask Teams for full width (msteams.width = Full), which Teams honours; the Playground only says it does not.',
  },
  {
    text: 'User specific view is not supported yet in Microsoft 365 Agents playground, you can try it in real environment.',
    why: "Approval cards carry a Universal Actions refresh (refresh.userIds) so each approver's Teams client shows their own view with Approve / Reject; the Playground shows every user the card as posted (the observers' view), and approvers reach their view through `approvals` and Review.",
  },
];

/** Which of KNOWN_PLAYGROUND_NOTICES a notice is, if any (the log panel shortens long ones with "..."). */
export function knownNoticeOf(notice: string): (typeof KNOWN_PLAYGROUND_NOTICES)[number] | undefined {
  const clean = notice.replace(/^\(!\)\s*(Warning|Error):\s*/i, '').replace(/\s*(\.\.\.|…)$/, '').trim();
  return clean.length > 0 ? KNOWN_PLAYGROUND_NOTICES.find((k) => k.text.startsWith(clean) || clean.startsWith(k.text)) : undefined;
}

export function isKnownNotice(notice: string): boolean {
  return knownNoticeOf(notice) !== undefined;
}

/**
 * Runs in the page (a string, so this Node project needs no DOM types): texts outside any card and outside the
 * compose box that name a problem, i.e. the notices the Playground writes under a message and in its log panel.
 */
const NOTICE_SCAN = `(() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = (node.textContent || '').trim();
    const parent = node.parentElement;
    if (!text || !parent || parent.closest('.ac-adaptiveCard') || parent.closest('[contenteditable="true"]')) continue;
    if (/not supported|unsupported|could not render|cannot render|unable to render|failed to render|invalid card|warning:|error:/i.test(text)) out.push(text);
  }
  return out;
})()`;

/** The page's own resources, and nothing else: the Playground's page also asks a CDN for fonts and an animation. */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export interface PlaygroundBrowser {
  readonly page: Page;
  /** Types a message into the compose box and sends it with Enter, as a person does. */
  say(text: string): Promise<void>;
  /** The cards on the page, oldest first. */
  cards(): Locator;
  /** Waits for the `index`-th card (0-based) to show text matching `pattern`; cards update in place as jobs run. */
  card(index: number, pattern: RegExp, timeoutMs?: number): Promise<Locator>;
  /**
   * Opens a conversation from the left-hand list by its name: a chat (`Personal Chat`, `Network change review`) or a
   * team channel (`VPN alerts`), whose view starts with a new-post box instead of a message box.
   */
  open(conversation: string, kind: 'chat' | 'channel'): Promise<void>;
  /** What the Playground said about cards: notices under cards, warnings and errors in its log panel (deduplicated). */
  notices(): Promise<string[]>;
  /** Script errors in the page, and console errors other than the blocked remote requests. */
  pageErrors(): readonly string[];
  /** Remote requests the page tried and we blocked (the CDN fonts). */
  blocked(): readonly string[];
  close(): Promise<void>;
}

/**
 * Opens the Agents Playground's web UI in headless Chromium, on loopback only: every host name resolves to nothing
 * but localhost and 127.0.0.1, and any request to another host is aborted.
 */
export async function openPlaygroundInBrowser(url: string, options: { viewport?: { width: number; height: number } } = {}): Promise<PlaygroundBrowser> {
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    // Root (CI) cannot use Chromium's sandbox; the page is our own loopback server.
    args: ['--no-sandbox', '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1'],
  });
  try {
    const page = await browser.newPage({ viewport: options.viewport ?? { width: 1280, height: 1000 } });
    const errors: string[] = [];
    const blocked: string[] = [];
    const isLoopback = (address: string) => {
      try {
        return LOOPBACK.has(new URL(address).host.replace(/:\d+$/, ''));
      } catch {
        return true;
      }
    };
    await page.route('**/*', async (route) => {
      const target = route.request().url();
      if (isLoopback(target) || target.startsWith('data:') || target.startsWith('blob:')) return route.continue();
      blocked.push(target);
      return route.abort('blockedbyclient');
    });
    page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const where = message.location().url;
      const text = message.text();
      // The fonts and the animation we refused: their failures name the remote URL (or come from it).
      if ((where && !isLoopback(where)) || blocked.some((b) => text.includes(b)) || /^Failed to load resource: net::ERR_(FAILED|BLOCKED_BY_CLIENT)$/.test(text)) return;
      errors.push(`console error: ${text}`);
    });
    await page.goto(url);
    // The compose box is a rich-text editor (a contenteditable textbox), not an <input>.
    const compose = page.locator('[contenteditable="true"][role="textbox"]').first();
    await compose.waitFor({ timeout: 30_000 });
    const cards = () => page.locator('.ac-adaptiveCard');
    return {
      page,
      cards,
      async say(text) {
        await compose.click();
        await compose.fill(text);
        await page.keyboard.press('Enter');
      },
      async card(index, pattern, timeoutMs = 45_000) {
        const card = cards().nth(index);
        await card.waitFor({ timeout: timeoutMs });
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const text = await card.innerText();
          if (pattern.test(text)) return card;
          if (Date.now() > deadline) throw new Error(`Card ${index} never showed ${pattern}; it shows:\n${text}`);
          await page.waitForTimeout(100);
        }
      },
      async open(conversation, kind) {
        await page.getByText(conversation, { exact: true }).first().click();
        await page.getByText('Start a new post', { exact: true }).waitFor({ state: kind === 'channel' ? 'visible' : 'hidden', timeout: 30_000 });
      },
      async notices() {
        const said = (await page.evaluate(NOTICE_SCAN)) as string[];
        return [...new Set(said)];
      },
      pageErrors: () => errors,
      blocked: () => blocked,
      close: () => browser.close(),
    };
  } catch (error) {
    await browser.close();
    throw error;
  }
}
