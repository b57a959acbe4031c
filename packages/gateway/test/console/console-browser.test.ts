import { existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { waitFor } from '@lgx/testkit';
import { COUNCIL, missedBin, startConsoleWorld, type ConsoleWorld } from '../helpers/console-world';

/*
 * The operator console in a real browser: Debian's Chromium driven by playwright-core (no browser
 * download), against a real gateway, stacks on SQLite and the example-waste back office. Every page
 * is checked by axe-core for WCAG 2.2 A and AA, reached by keyboard alone, and laid out without
 * horizontal scrolling at 320 CSS pixels and at 200% zoom.
 *
 * CI installs Chromium (.ci/run); elsewhere, LGX_CHROMIUM names another binary. Only when none can be
 * found is this file skipped, and it says so.
 */

const CHROMIUM = process.env.LGX_CHROMIUM ?? '/usr/bin/chromium';
const found = existsSync(CHROMIUM);
/** `npm run console:screenshots` sets this: each page is saved to docs/console/<name>.png. */
const SCREENSHOTS = process.env.LGX_CONSOLE_SCREENSHOTS === '1' ? path.resolve(__dirname, '../../../../docs/console') : undefined;
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

if (!found)
  process.stderr.write(`console browser tests skipped: no Chromium at ${CHROMIUM} (install Debian's chromium, or set LGX_CHROMIUM)\n`);
const suite = found ? describe : describe.skip;

// Chromium and a gateway share the machine with the rest of the suite: generous, as a bound, not a measure.
jest.setTimeout(240_000);

let world: ConsoleWorld;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const base = () => world.service.url;

/** No WCAG 2.2 A/AA violation on the page as it is now. */
async function expectAccessible(name: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const violations = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  expect([name, violations]).toEqual([name, []]);
}

/** Neither at 320 CSS px wide nor at 200% zoom (640 CSS px of a 1280 px window) does the page scroll sideways. */
async function expectReflows(name: string): Promise<void> {
  for (const width of [320, 640]) {
    await page.setViewportSize({ width, height: 800 });
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect([name, width, overflow]).toEqual([name, width, 0]);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/**
 * Presses Tab until focus comes back round, and checks every link, button and field was reached:
 * everything the page offers can be done with the keyboard.
 */
async function expectKeyboardReachesEverything(name: string): Promise<void> {
  // Page-side code as text: the project's TypeScript has no DOM types.
  const all = await page.evaluate<number>(`(() => {
    // What the page shows: a control hidden until JavaScript runs (the navigation's menu toggle) is not offered.
    const items = [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea')].filter((el) => el.checkVisibility());
    items.forEach((el, i) => el.setAttribute('data-lgx-focus', String(i)));
    document.activeElement?.blur();
    return items.length;
  })()`);
  const reached = new Set<string>();
  for (let i = 0; i < all + 10; i++) {
    await page.keyboard.press('Tab');
    const mark = await page.evaluate<string | null>("document.activeElement?.getAttribute('data-lgx-focus') ?? null");
    if (mark !== null) reached.add(mark);
  }
  expect([name, reached.size]).toEqual([name, all]);
}

/** Every check a page gets, and its screenshot when asked for. */
async function checkPage(name: string): Promise<void> {
  await expectAccessible(name);
  await expectKeyboardReachesEverything(name);
  await expectReflows(name);
  // The keyboard walk leaves a focus ring; the picture shows the page as it opens.
  if (SCREENSHOTS) await page.evaluate('document.activeElement?.blur()');
  if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

async function signInWithKeyboard(key: string): Promise<void> {
  await page.goto(`${base()}/console/sign-in`);
  await page.keyboard.press('Tab'); // the skip link
  await page.keyboard.press('Tab'); // the API key field
  expect(await page.evaluate<string | undefined>('document.activeElement?.id')).toBe('api-key');
  await page.keyboard.type(key);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${base()}/console/overview`);
}

suite('the operator console in Chromium', () => {
  beforeAll(async () => {
    if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
    world = await startConsoleWorld();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: true, acceptDownloads: true });
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await world?.stop();
  });

  it('signs in, finds a transaction, replays a dead letter and sees it delivered, checks the audit chain, signs out', async () => {
    await page.goto(`${base()}/console/sign-in`);
    await checkPage('sign-in');

    // A wrong key gets an error summary linked to the field.
    await page.fill('#api-key', 'lgx_000000000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    await page.click('button:has-text("Sign in")');
    expect(await page.locator('.govuk-error-summary').first().innerText()).toContain('The API key is not valid');
    await checkPage('sign-in-error');

    await signInWithKeyboard(world.keys.operator);
    await waitFor(async () => {
      await page.reload();
      return (await page.locator('td strong.govuk-tag').first().textContent())?.includes('Passing');
    }, 'the health check shown as passing');
    expect(await page.locator('main').first().innerText()).toContain('waste');
    await checkPage('overview');

    // Find a transaction: the phone one, by filtering on its channel.
    await page.click('a:has-text("Transactions")');
    await checkPage('transactions');
    await page.selectOption('#channel', 'phone');
    await page.click('button:has-text("Search")');
    expect(await page.locator('table').first().innerText()).toContain(world.delivered[1]!);
    expect(await page.locator('table').first().innerText()).not.toContain(world.delivered[0]!);
    await page.click(`a:has-text("${world.delivered[1]}")`);
    expect((await page.locator('h1').first().innerText()).trim()).toBe(world.delivered[1]!);
    expect(await page.locator('main').first().innerText()).toContain('[REDACTED]');
    await checkPage('transaction');

    // Replay the dead letter, by keyboard alone.
    await page.click('a:has-text("Dead letters")');
    await checkPage('dead-letters');
    await page.click(`a:has-text("${world.dead.deliveryId}")`);
    await checkPage('dead-letter');
    await page.focus('#replay-reason');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab'); // to the Replay button, without text: the error path first
    await page.keyboard.press('Enter');
    expect(await page.locator('.govuk-error-summary').first().innerText()).toContain('Enter why you replay this dead letter');
    await checkPage('dead-letter-error');
    await page.focus('#replay-reason');
    await page.keyboard.type('The back office knows the property now');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/console\/transactions\/.+\?done=replayed$/);
    expect(await page.locator('.govuk-notification-banner').first().innerText()).toContain('sent to the queue again');
    await waitFor(async () => {
      await page.reload();
      return (await page.locator('.govuk-summary-list').textContent())?.includes('delivered');
    }, 'the replayed transaction shown as delivered');
    await checkPage('transaction-replayed');

    // Read a report, and download its CSV.
    await page.click('a:has-text("Reports")');
    await page.selectOption('#group', 'service,channel');
    await page.click('button:has-text("Show report")');
    expect(await page.locator('svg.lgx-chart').count()).toBe(1);
    expect(await page.locator('table').first().innerText()).toContain('number of transactions');
    await checkPage('reports');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a:has-text("Download this report as CSV")')]);
    const csv = await readFile((await download.path())!, 'utf8');
    expect(csv.split('\r\n')[0]).toMatch(/^_id,_timestamp,end_at,period,council,service,channel,number_of_transactions,/);
    expect(csv).toContain(',digital,');

    await page.click('a:has-text("Audit trail")');
    expect(await page.locator('#verdict').first().innerText()).toContain('The audit chain is whole');
    expect(await page.locator('table').first().innerText()).toContain('dlq.replay: The back office knows the property now');
    await checkPage('audit');

    await page.goto(`${base()}/console/transactions/${world.otherTransactionId}`);
    expect((await page.locator('h1').first().innerText()).trim()).toBe('Page not found');
    await checkPage('not-found');

    await page.goto(`${base()}/console/overview`);
    await page.click('button:has-text("Sign out")');
    await page.waitForURL(/\/console\/sign-in\?signed-out=1$/);
    expect(await page.locator('.govuk-notification-banner').first().innerText()).toContain('You have signed out');
    await page.goto(`${base()}/console/overview`);
    expect(page.url()).toBe(`${base()}/console/sign-in`);
  });

  it('edits a dead letter and replays it, with a key that has the personal-data scope', async () => {
    // A second dead letter to edit.
    world.sim.faults.failNext(1, { status: 400, body: { error: { code: 'INVALID_UPRN', message: 'uprn not known' } } });
    const stack = world.service.stack;
    const id = (await stack.submit(missedBin(COUNCIL, '100023336997', 'email'))).id;
    const dead = await waitFor(async () => {
      const view = await stack.get(id);
      return view?.state === 'dead' ? view.deliveries[0]! : undefined;
    }, 'a second dead letter');
    await signInWithKeyboard(world.keys.personalData);
    await page.goto(`${base()}/console/dead-letters/${dead.id}`);
    await page.click('a:has-text("Edit the transaction and replay it")');
    expect(await page.inputValue('#envelope')).toContain('Lovelace-Testperson');
    await checkPage('dead-letter-edit');
    const text = await page.inputValue('#envelope');
    await page.fill('#envelope', text.replace('100023336997', 'not-a-uprn'));
    await page.fill('#reason', 'Corrected the property');
    await page.click('button:has-text("Check and replay")');
    expect(await page.locator('.govuk-error-summary').first().innerText()).toContain('/data/uprn');
    await checkPage('dead-letter-edit-error');
    await page.fill('#envelope', text.replace('100023336997', '100023336996'));
    await page.click('button:has-text("Check and replay")');
    await page.waitForURL(/\?done=replayed$/);
    await waitFor(async () => (await stack.get(id))?.state === 'delivered', 'the edited transaction delivered');
    expect(world.sim.requests.some((r) => r.body.includes('100023336996'))).toBe(true);
  });

  it('works with JavaScript turned off: sign in, filter, read, sign out', async () => {
    const noScript = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
    try {
      const tab = await noScript.newPage();
      await tab.goto(`${base()}/console/sign-in`);
      await tab.fill('#api-key', world.keys.operator);
      await tab.click('button:has-text("Sign in")');
      await tab.waitForURL(`${base()}/console/overview`);
      await tab.click('a:has-text("Transactions")');
      await tab.selectOption('#state', 'delivered');
      await tab.click('button:has-text("Search")');
      expect(await tab.locator('table').first().innerText()).toContain(world.delivered[0]!);
      await tab.click('button:has-text("Sign out")');
      await tab.waitForURL(/signed-out=1$/);
    } finally {
      await noScript.close();
    }
  });
});
