import { takeTurns } from '../support/exclusive';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Role } from '../../src/domain/auth/roles';
import { createVersion, recordEvidence, registerModel, transition } from '../support/catalog-fixtures';
import { ensureConsoleBuilt, launchChromium, screenshotPath } from '../support/browser';
import { llamaConfig, modelCard, safetensors, tinyLlamaTensors } from '../fixtures/model-files';
import { importModel, waitForOperation } from '../support/onboarding-fixtures';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

// Timing-sensitive and core-hungry test files take turns (test/support/exclusive.ts).
takeTurns('cores');

/**
 * The web console in a real Chromium (Debian's package, driven by playwright-core) against the real API, PostgreSQL,
 * Temporal worker and clamd: what a person does with it, checked the way they would see it. Screenshots land in
 * .data/screenshots (git-ignored).
 */
jest.setTimeout(180_000);

let t: TestApp;
let browser: Browser;
let base: string;
let alice: string;
let bob: string;
const contexts: BrowserContext[] = [];
const tag = uniqueName('console');

const CARD_BODY = [
  '# Console test model',
  '',
  'A **tiny** llama for the browser test.',
  '',
  '| metric | value |',
  '| --- | --- |',
  '| mmlu | 0.5 |',
  '',
  '<script>window.__cardScriptRan = true</script>',
  '<img src="x" onerror="window.__cardScriptRan = true">',
  '',
].join('\n');

/** A small real model folder (Llama config, safetensors, a model card with hostile HTML) under the DISK import root. */
async function modelDir(): Promise<string> {
  const dir = path.join(t.config.imports.diskRoots[0], uniqueName('console-dir'));
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'config.json'), llamaConfig());
  await writeFile(path.join(dir, 'model.safetensors'), safetensors(tinyLlamaTensors()));
  await writeFile(path.join(dir, 'README.md'), modelCard({ license: 'apache-2.0' }, CARD_BODY));
  return dir;
}

async function importVersion(name: string, version: string): Promise<{ modelId: string; versionId: string; operationId: string }> {
  const res = await importModel(t, { name, version, license: 'Apache-2.0', tags: [tag], source: { sourceType: 'DISK', path: await modelDir() } });
  if (res.errors || !res.data) throw new Error(`importModel failed: ${JSON.stringify(res.errors)}`);
  return { modelId: res.data.importModel.model.id, versionId: res.data.importModel.version.id, operationId: res.data.importModel.id };
}

/** What each page sent on its WebSockets (graphql-ws frames), to know when a subscription is in place. */
const framesSent = new WeakMap<Page, string[]>();

async function pageFor(width = 1280, height = 900): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height } });
  contexts.push(context);
  const page = await context.newPage();
  const frames: string[] = [];
  framesSent.set(page, frames);
  page.on('websocket', (ws) => ws.on('framesent', (frame) => frames.push(String(frame.payload))));
  return page;
}

async function subscribedTo(page: Page, field: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(framesSent.get(page) ?? []).some((frame) => frame.includes('"subscribe"') && frame.includes(field))) {
    if (Date.now() > deadline) throw new Error(`the page never subscribed to ${field}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // The server registers the subscription right after the frame arrives; give it that moment.
  await new Promise((resolve) => setTimeout(resolve, 300));
}

async function signedIn(token: string, at = '/console/', width?: number): Promise<Page> {
  const page = await pageFor(width);
  await page.goto(`${base}${at}#token=${token}`);
  await page.getByTestId('whoami').waitFor();
  return page;
}

/**
 * Every form control has a name a screen reader reads out (a label, aria-label or aria-labelledby). Browser-side code
 * is given as text: the tests' TypeScript knows Node, not the DOM.
 */
const UNLABELLED = `[...document.querySelectorAll('input, select, textarea, button')]
  .filter((el) => el.type !== 'hidden' && !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby') && !(el.tagName === 'BUTTON' && el.textContent.trim()))
  .map((el) => el.outerHTML.slice(0, 120))`;

async function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(UNLABELLED);
}

const WATCH_STATUSES = `(() => {
  const seen = [];
  window.__statuses = seen;
  new MutationObserver(() => {
    for (const el of document.querySelectorAll('[data-operation-id]')) {
      const status = el.getAttribute('data-status') || '';
      if (seen[seen.length - 1] !== status) seen.push(status);
    }
  }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
})()`;

beforeAll(async () => {
  const consoleDir = await ensureConsoleBuilt();
  t = await startTestApp({ worker: true, env: { CONSOLE_DIR: consoleDir } });
  base = t.app.url.replace(/\/graphql$/, '');
  browser = await launchChromium();
  alice = await t.token(Role.EDITOR, 'alice');
  bob = await t.token(Role.APPROVER, 'bob');
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await t?.stop();
});

test('the API serves the built console at /console/, page paths included, with a strict content policy', async () => {
  const root = await fetch(`${base}/console/`);
  expect(root.status).toBe(200);
  expect(root.headers.get('content-security-policy')).toContain("script-src 'self'");
  expect(await root.text()).toContain('<div id="root">');
  const deep = await fetch(`${base}/console/models/anything`);
  expect(deep.status).toBe(200);
  expect((await fetch(`${base}/console/assets/missing.js`)).status).toBe(404);
  const bare = await fetch(`${base}/console`, { redirect: 'manual' });
  expect([bare.status, bare.headers.get('location')]).toEqual([301, '/console/']);
});

test('the API answers 404 saying to build the console when its folder is missing', async () => {
  const other = await startTestApp({ env: { CONSOLE_DIR: path.join(t.dir, 'no-console-here') } });
  try {
    const res = await fetch(other.app.url.replace(/\/graphql$/, '/console/'));
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('npm run console:build');
  } finally {
    await other.stop();
  }
});

test('a token in the fragment signs in and leaves the address bar at once; a pasted one works too', async () => {
  const page = await pageFor();
  await page.goto(`${base}/console/#token=${alice}`);
  await page.getByTestId('whoami').waitFor();
  expect(page.url()).toBe(`${base}/console/`);
  expect(await page.evaluate<string>('location.hash')).toBe('');
  expect(await page.getByTestId('whoami').textContent()).toContain('alice');
  expect(await page.content()).not.toContain(alice);
  // Reloading keeps the session (sessionStorage), and the address still holds no token.
  await page.reload();
  await page.getByTestId('whoami').waitFor();
  expect(page.url()).not.toContain('token');

  const pasted = await pageFor();
  await pasted.goto(`${base}/console/`);
  await pasted.getByLabel('Access token').fill(`Bearer ${bob}`);
  await pasted.getByRole('button', { name: 'Sign in' }).click();
  await expect(pasted.getByTestId('whoami').textContent()).resolves.toContain('bob');

  const refused = await pageFor();
  await refused.goto(`${base}/console/#token=not-a-jwt`);
  await refused.getByRole('alert').waitFor();
  expect(await refused.getByRole('alert').textContent()).toContain('refused');
});

test('finds a model by search, opens it, reads its sanitised card, files and scans, and watches an import reach VERIFIED live', async () => {
  const name = uniqueName('console-llama');
  const first = await importVersion(name, '1.0.0');
  expect((await waitForOperation(t, first.operationId)).status).toBe('SUCCEEDED');

  const page = await signedIn(alice);
  expect(await unlabelledControls(page)).toEqual([]);
  await page.getByLabel('Search', { exact: true }).fill(name);
  await page.getByLabel('Stage').selectOption('VERIFIED');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('status').filter({ hasText: /^\s*1 model\s*$/ }).waitFor();
  await page.getByRole('link', { name }).click();
  await page.getByRole('heading', { level: 1, name: new RegExp(name) }).waitFor();

  // The card is the version's README.md through the download route, rendered, with its script and handler removed.
  const card = page.getByRole('article', { name: 'Model card' });
  await card.getByRole('heading', { name: 'Console test model' }).waitFor();
  expect(await card.locator('table td').allTextContents()).toEqual(['mmlu', '0.5']);
  expect(await card.locator('script, [onerror]').count()).toBe(0);
  expect(await page.evaluate<boolean | undefined>('window.__cardScriptRan')).toBeUndefined();
  await page.getByText('LlamaForCausalLM').first().waitFor();

  await page.getByRole('link', { name: 'Files' }).click();
  await page.getByRole('link', { name: 'Download model.safetensors' }).waitFor();
  await page.getByRole('link', { name: 'Scans' }).click();
  await page.locator('.scan .badge', { hasText: 'PASSED' }).first().waitFor();

  // Live: the page stays open (no reload) while a second version is imported elsewhere.
  await page.getByRole('link', { name: 'Overview' }).click();
  await page.evaluate('window.__sameDocument = true');
  await subscribedTo(page, 'modelEvents');
  await page.evaluate(WATCH_STATUSES);
  const second = await importVersion(name, '2.0.0');
  const live = page.locator(`[data-operation-id="${second.operationId}"]`);
  await live.and(page.locator('[data-status="SUCCEEDED"]')).waitFor({ timeout: 90_000 });
  await page.getByRole('list', { name: 'Events while this page is open' }).getByText(/→ VERIFIED/).waitFor();
  expect(await live.getByRole('progressbar').getAttribute('value')).toBe('100');
  const statuses = await page.evaluate<string[]>('window.__statuses');
  expect(statuses[statuses.length - 1]).toBe('SUCCEEDED');
  expect(await page.evaluate<boolean | undefined>('window.__sameDocument')).toBe(true);
  await page.getByLabel('Version', { exact: true }).selectOption('2.0.0');
  await page.getByRole('article', { name: 'Model card' }).getByRole('heading', { name: 'Console test model' }).waitFor();
  await page.screenshot({ path: await screenshotPath('model-page-1280'), fullPage: true });

  // Two versions side by side.
  await page.getByRole('link', { name: 'Versions' }).click();
  await page.getByLabel('Left version').selectOption({ label: '1.0.0' });
  await page.getByLabel('Right version').selectOption({ label: '2.0.0' });
  await page.getByRole('region', { name: 'Version 1.0.0 beside 2.0.0' }).getByText('file model.safetensors').waitFor();

  // The same page on a phone: usable without sideways scrolling of the page itself.
  const phone = await signedIn(alice, `/console/models/${name}`, 390);
  await phone.getByRole('article', { name: 'Model card' }).getByRole('heading', { name: 'Console test model' }).waitFor();
  expect(await phone.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
  expect(await unlabelledControls(phone)).toEqual([]);
  await phone.screenshot({ path: await screenshotPath('model-page-390'), fullPage: true });
});

test('an editor requests a promotion in the console and a second user, an approver, approves it there', async () => {
  const name = uniqueName('console-promote');
  const { versionId, operationId } = await importVersion(name, '1.0.0');
  expect((await waitForOperation(t, operationId)).status).toBe('SUCCEEDED');
  await recordEvidence(t, versionId);
  expect((await transition(t, versionId, 'EVALUATED', Role.EDITOR)).errors).toBeUndefined();

  const editor = await signedIn(alice, `/console/models/${name}?tab=governance`);
  const form = editor.getByRole('form', { name: 'Request a promotion' });
  await form.waitFor();
  await form.getByRole('button', { name: 'Acknowledge the license for this use' }).click();
  await form.getByText('License acknowledged').waitFor();
  await form.getByLabel('Target stage').selectOption('PUBLISHED');
  await form.getByLabel('Justification').fill('chat assistant v2, evals ok');
  await form.getByRole('button', { name: 'Request promotion' }).click();
  await form.getByText('waits in the approvers').waitFor();
  const request = editor.getByRole('article', { name: `Request ${name} 1.0.0 to PUBLISHED` }).and(editor.locator('[data-state="OPEN"]'));
  await request.waitFor();
  expect(await request.getByRole('button', { name: 'Approve' }).count()).toBe(0);

  const approver = await signedIn(bob, '/console/approvals');
  expect(approver.url()).toBe(`${base}/console/approvals`);
  const card = approver.getByRole('article', { name: `Request ${name} 1.0.0 to PUBLISHED` });
  await card.getByRole('list', { name: 'Gates' }).getByText('LICENSE_ACKNOWLEDGED').waitFor();
  expect(await unlabelledControls(approver)).toEqual([]);
  await approver.screenshot({ path: await screenshotPath('approvals-1280'), fullPage: true });
  await card.getByLabel(/Comment/).fill('evals and license ok');
  await card.getByRole('button', { name: 'Approve' }).click();
  await card.waitFor({ state: 'detached' });

  const res = await t.gql(`query($id: ID!) { version(id: $id) { status promotionRequests { target state requestedBy decidedBy decisionReason } } }`, { id: versionId });
  expect(res.data?.version.status).toBe('PUBLISHED');
  const published = res.data?.version.promotionRequests.filter((r: { target: string }) => r.target === 'PUBLISHED');
  expect(published).toEqual([{ target: 'PUBLISHED', state: 'APPROVED', requestedBy: 'alice', decidedBy: 'bob', decisionReason: 'evals and license ok' }]);
  await editor.reload();
  await editor.getByRole('article', { name: `Request ${name} 1.0.0 to PUBLISHED` }).and(editor.locator('[data-state="APPROVED"]')).waitFor();
});

test('the leaderboard plots one point per model and marks the Pareto front', async () => {
  const models = [
    { key: 'a', mmlu: 0.8, tput: 100 },
    { key: 'b', mmlu: 0.7, tput: 300 },
    { key: 'c', mmlu: 0.6, tput: 200 },
    { key: 'd', mmlu: 0.9, tput: 50 },
  ];
  const boardTag = uniqueName('board');
  for (const m of models) {
    const model = await registerModel(t, { name: `${boardTag}-${m.key}`, tags: [boardTag] });
    const v = await createVersion(t, model.id, '1.0.0');
    const ev = await t.gql(`mutation($v: ID!, $s: Float!) { recordEvaluation(input: { versionId: $v, benchmark: "mmlu", score: $s }) { id } }`, { v: v.id, s: m.mmlu });
    const bench = await t.gql(`mutation($v: ID!, $t: Float!) { recordBenchmark(input: { versionId: $v, hardwareProfile: "1xL4 vllm", throughputTokensPerSecond: $t, ttftP99Ms: 100 }) { id } }`, { v: v.id, t: m.tput });
    expect([ev.errors, bench.errors]).toEqual([undefined, undefined]);
  }
  const front = await t.gql(`query($tags: [String!]) { paretoFront(qualityMetric: "mmlu", performanceMetric: "throughput_tokens_per_second", provenance: RECORDED, tags: $tags) { points { model { name } } } }`, { tags: [boardTag] });
  const frontSize = front.data?.paretoFront.points.length;
  expect(frontSize).toBe(3); // c is beaten by b on both

  const page = await signedIn(alice, '/console/leaderboard');
  const settings = page.getByRole('form', { name: 'Leaderboard settings' });
  await settings.getByLabel('Tags').fill(boardTag);
  await settings.getByLabel('Provenance').selectOption('RECORDED');
  await settings.getByRole('button', { name: 'Show' }).click();
  const canvas = page.locator(`canvas[data-points="${models.length}"]`);
  await canvas.waitFor();
  expect(await canvas.getAttribute('data-front-points')).toBe(String(frontSize));
  const rows = page.getByRole('region', { name: 'Leaderboard by mmlu' }).locator('tbody tr');
  expect(await rows.count()).toBe(models.length);
  expect(await rows.first().textContent()).toContain(`${boardTag}-d`);
  expect(await unlabelledControls(page)).toEqual([]);
  await page.screenshot({ path: await screenshotPath('leaderboard-1280'), fullPage: true });
});

test('the console is keyboard-reachable: Tab moves through the navigation to the search form', async () => {
  const page = await signedIn(alice);
  const focused: string[] = [];
  for (let i = 0; i < 12; i += 1) {
    await page.keyboard.press('Tab');
    focused.push(await page.evaluate<string>("(document.activeElement && (document.activeElement.textContent.trim() || document.activeElement.name)) || ''"));
  }
  expect(focused).toEqual(expect.arrayContaining(['Skip to content', 'Models', 'Approvals', 'Leaderboard', 'q']));
});
