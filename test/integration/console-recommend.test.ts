import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Role } from '../../src/domain/auth/roles';
import { verifiedByRows } from '../support/catalog-fixtures';
import { ensureConsoleBuilt, launchChromium, screenshotPath } from '../support/browser';
import { takeTurns } from '../support/exclusive';
import { startTestApp, type TestApp } from '../support/test-app';

// Timing-sensitive and core-hungry test files take turns (test/support/exclusive.ts).
takeTurns('cores');
jest.setTimeout(180_000);

/**
 * The console's Recommend page in Debian's Chromium against the real API: the form goes out as recommendModels, the
 * ranked versions come back with their explanations and evidence, and the left-out ones with their reasons. The
 * benchmark rows are written as the benchmark workflow writes them (recommend-models.test.ts runs the workflow).
 */
let t: TestApp;
let browser: Browser;
let base: string;
const contexts: BrowserContext[] = [];
const hex = randomBytes(3).toString('hex');
const task = `console-rec-${hex}`;
const gpuType = `A10-${hex}`;

async function seedVersion(prefix: string, level: { ttft: number; tps: number }): Promise<string> {
  const { modelId, versionId } = await verifiedByRows(t, 'default', prefix);
  const res = await t.gql(`mutation($id: ID!, $input: UpdateModelInput!) { updateModel(id: $id, input: $input) { id } }`, { id: modelId, input: { tags: [task], parameterCount: '1000000000', license: 'Apache-2.0' } });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  const levels = [{ concurrency: 4, requests: 20, errors: 0, ttftMs: { p99: level.ttft }, tpotMs: { p99: 12 }, outputTokensPerSecond: level.tps }];
  await t.dataSource.query(
    `INSERT INTO benchmarks (model_id, version_id, hardware_profile, ttft_p99_ms, throughput_tokens_per_second, recorded_by, provenance, levels)
     VALUES ($1, $2, $3, $4, $5, 'benchmark-run', 'MEASURED', $6)`,
    [modelId, versionId, `1x${gpuType} vllm`, level.ttft, level.tps, JSON.stringify(levels)],
  );
  return versionId;
}

beforeAll(async () => {
  const consoleDir = await ensureConsoleBuilt();
  t = await startTestApp({ env: { CONSOLE_DIR: consoleDir } });
  base = t.app.url.replace(/\/graphql$/, '');
  browser = await launchChromium();
  await seedVersion(`cheap-${hex}`, { ttft: 90, tps: 1200 });
  await seedVersion(`pricey-${hex}`, { ttft: 110, tps: 400 });
  await seedVersion(`laggy-${hex}`, { ttft: 700, tps: 2000 });
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await t?.stop();
});

async function page(width: number): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  contexts.push(context);
  const p = await context.newPage();
  await p.goto(`${base}/console/recommend#token=${await t.token(Role.VIEWER, 'rita')}`);
  await p.getByTestId('whoami').waitFor();
  return p;
}

test('the Recommend form shows ranked versions with their explanations and why the others were left out', async () => {
  const p = await page(1280);
  await p.getByRole('link', { name: 'Recommend' }).waitFor();
  await p.getByLabel('Task (tag or pipeline)').fill(task);
  await p.getByLabel('GPU type').fill(gpuType);
  await p.getByLabel('Memory per GPU (GB)').fill('24');
  await p.getByLabel('Price per hour (USD)').fill('1.5');
  await p.getByLabel('Max P99 TTFT (ms)').fill('200');
  await p.getByLabel('At concurrency').fill('4');
  await p.getByLabel('Min score').fill('');
  await p.getByLabel('PUBLISHED').uncheck();
  await p.getByLabel('VERIFIED').check();
  await p.getByRole('button', { name: 'Recommend' }).click();
  const cards = p.getByTestId('recommendation');
  await cards.first().waitFor({ timeout: 20_000 });
  expect(await cards.count()).toBe(2);
  const first = await cards.nth(0).innerText();
  expect(first).toContain(`#1 cheap-${hex}`);
  expect(first).toMatch(new RegExp(`cheap-${hex}.*@1.0.0 ranks #1 by cost: on 1x${gpuType} vllm it measured 90 ms P99 time to first token \\(target ≤ 200\\)`));
  expect(first).toContain('an estimate from the stored config, not a measurement');
  expect(first).toContain('MEASURED');
  expect(await cards.nth(1).innerText()).toContain(`#2 pricey-${hex}`);
  const summary = await p.getByTestId('recommend-summary').innerText();
  expect(summary).toContain(`3 candidate versions weighed on 1x${gpuType}; 2 recommended`);
  const left = await p.getByTestId('exclusion').innerText();
  expect(left).toContain('TTFT_ABOVE_TARGET');
  expect(left).toMatch(new RegExp(`1 version exceeds the TTFT target of 200 ms; the closest, laggy-${hex}.*@1.0.0, measured 700 ms`));
  await p.screenshot({ path: await screenshotPath('recommend-1280'), fullPage: true });
});

test('a refused input is shown with its code, and the narrow layout keeps every control labelled', async () => {
  const p = await page(390);
  await p.getByLabel('GPU type').fill('H100 80GB');
  await p.getByRole('button', { name: 'Recommend' }).click();
  const alert = p.getByRole('alert');
  await alert.waitFor({ timeout: 20_000 });
  expect(await alert.innerText()).toMatch(/input\.hardware\.gpuType.*BAD_USER_INPUT/s);
  const unlabelled = await p.evaluate<string[]>(`[...document.querySelectorAll('input, button')]
    .filter((el) => el.type !== 'hidden' && !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !(el.tagName === 'BUTTON' && el.textContent.trim()))
    .map((el) => el.outerHTML.slice(0, 120))`);
  expect(unlabelled).toEqual([]);
});
