import { takeTurns } from '../support/exclusive';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Role } from '../../src/domain/auth/roles';
import { registerModel } from '../support/catalog-fixtures';
import { ensureConsoleBuilt, launchChromium, screenshotPath } from '../support/browser';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

// Timing-sensitive and core-hungry test files take turns (test/support/exclusive.ts).
takeTurns('cores');

/**
 * The GraphQL explorer (GraphiQL from the console's build) in Debian's Chromium against the real API: a browser's
 * GET /graphql gets the page, a pasted token goes with its queries, and a subscription streams over graphql-ws.
 */
jest.setTimeout(180_000);

let t: TestApp;
let browser: Browser;
let base: string;
let vera: string;
const contexts: BrowserContext[] = [];
const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

beforeAll(async () => {
  const consoleDir = await ensureConsoleBuilt();
  t = await startTestApp({ env: { CONSOLE_DIR: consoleDir } });
  base = t.app.url.replace(/\/graphql$/, '');
  browser = await launchChromium();
  vera = await t.token(Role.VIEWER, 'vera');
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await t?.stop();
});

/** A fresh browser profile; `query` is put where GraphiQL keeps the editor's text, as if typed in a session before. */
async function explorerPage(query?: { text: string; variables: Record<string, unknown> }): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  if (query) {
    await page.addInitScript(
      `localStorage.setItem('graphiql:query', ${JSON.stringify(query.text)}); localStorage.setItem('graphiql:variables', ${JSON.stringify(JSON.stringify(query.variables))});`,
    );
  }
  const failures: string[] = [];
  page.on('pageerror', (error) => failures.push(error.message.slice(0, 300)));
  page.on('console', (message) => void (message.type() === 'error' && failures.push(message.text().slice(0, 300))));
  (page as Page & { failures?: string[] }).failures = failures;
  return page;
}

async function pasteToken(page: Page, token: string): Promise<void> {
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Use token' }).click();
  await page.getByTestId('explorer-identity').filter({ hasText: 'vera' }).waitFor();
}

/** Runs the document in the editor, once the editor (Monaco, loaded after the page) shows it. */
async function run(page: Page, shown: string): Promise<void> {
  await page.locator('.graphiql-query-editor', { hasText: shown }).waitFor({ timeout: 20_000 });
  await page.locator('.graphiql-execute-button').click();
}

function responseText(page: Page): Promise<string> {
  return page.locator('.graphiql-response').innerText();
}

/** Waits until the response pane shows `text` (GraphiQL's result editor fills in as answers or events arrive). */
async function responseShows(page: Page, text: string): Promise<void> {
  await page.locator('.graphiql-response', { hasText: text }).waitFor({ timeout: 20_000 }).catch(async (error: Error) => {
    throw new Error(`${error.message}\nThe response pane shows: ${await responseText(page)}`);
  });
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('a browser GET /graphql gets the explorer page; GraphQL clients get what they always got', async () => {
  const page = await fetch(`${base}/graphql`, { headers: HTML });
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toContain('text/html');
  expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  const html = await page.text();
  expect(html).toContain('<div id="explorer">');
  expect(html).toMatch(/src="\/console\/assets\/explorer-[\w-]+\.js"/);
  expect(html).not.toMatch(/https?:\/\//);

  // A GraphQL GET with a query stays a GraphQL request, whatever the browser accepts.
  const get = await fetch(`${base}/graphql?query=${encodeURIComponent('{ __typename }')}`, { headers: { ...HTML, 'apollo-require-preflight': 'true' } });
  expect(await get.json()).toEqual({ data: { __typename: 'Query' } });
  const json = await fetch(`${base}/graphql`, { headers: { accept: 'application/json' } });
  expect(json.status).toBe(400);
  expect(json.headers.get('content-type')).toContain('application/json');
  expect((await t.gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
});

test('/ sends a browser to the console; a JSON client keeps its 404', async () => {
  const home = await fetch(`${base}/`, { headers: HTML, redirect: 'manual' });
  expect([home.status, home.headers.get('location')]).toEqual([302, '/console/']);
  const json = await fetch(`${base}/`, { headers: { accept: 'application/json' } });
  expect(json.status).toBe(404);
  expect(((await json.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('NOT_FOUND');
});

test('with GRAPHQL_EXPLORER=false a browser is told the explorer is off; without a console build, / goes to nothing', async () => {
  const off = await startTestApp({ env: { CONSOLE_DIR: '/nonexistent-console', GRAPHQL_EXPLORER: 'false' } });
  try {
    const offBase = off.app.url.replace(/\/graphql$/, '');
    const res = await fetch(`${offBase}/graphql`, { headers: HTML });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('GRAPHQL_EXPLORER');
    expect((await fetch(`${offBase}/`, { headers: HTML, redirect: 'manual' })).status).toBe(404);
    expect((await off.gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
  } finally {
    await off.stop();
  }
});

test('in Chromium: a pasted token goes with a query, and the result shows what that token may read', async () => {
  const name = uniqueName('explorer-model');
  await registerModel(t, { name, project: 'explorer-team' });
  const page = await explorerPage({
    text: 'query One($n: String!) { modelByName(name: $n) { name project } }',
    variables: { n: name },
  });
  await page.goto(`${base}/graphql`);

  // Without a token: the API's own refusal, shown as the answer.
  await run(page, 'modelByName');
  await responseShows(page, 'UNAUTHENTICATED');

  await pasteToken(page, vera);
  expect(await page.content()).not.toContain(vera);
  await run(page, 'modelByName');
  await responseShows(page, 'explorer-team');
  expect(await responseText(page)).toContain(name);
  await page.screenshot({ path: await screenshotPath('explorer-query') });
  expect((page as Page & { failures?: string[] }).failures).toEqual([]);
});

test('in Chromium: the console session (or #token=) carries over, and a subscription delivers an event over graphql-ws', async () => {
  const model = await registerModel(t, { name: uniqueName('explorer-live'), project: 'explorer-team' });
  const page = await explorerPage({
    text: 'subscription Live($m: ID!) { modelEvents(modelId: $m) { type audit { action actor } } }',
    variables: { m: model.id },
  });
  const frames: string[] = [];
  page.on('websocket', (ws) => ws.on('framesent', (frame) => frames.push(String(frame.payload))));
  await page.goto(`${base}/graphql#token=${vera}`);
  await page.getByTestId('explorer-identity').filter({ hasText: 'vera' }).waitFor();
  expect(page.url()).toBe(`${base}/graphql`);

  await run(page, 'modelEvents');
  await until(() => frames.some((frame) => frame.includes('"subscribe"') && frame.includes('modelEvents')), 'the subscribe frame');
  expect(frames.some((frame) => frame.includes('connection_init') && frame.includes(`Bearer ${vera}`))).toBe(true);
  await new Promise((resolve) => setTimeout(resolve, 300)); // the server registers the subscription right after the frame

  const updated = await t.gql(`mutation($id: ID!) { updateModel(id: $id, input: { description: "seen live" }) { id } }`, { id: model.id });
  expect(updated.errors).toBeUndefined();
  await responseShows(page, 'model.updated');
  expect(await responseText(page)).toContain('AUDIT');
  await page.screenshot({ path: await screenshotPath('explorer-subscription') });
  expect((page as Page & { failures?: string[] }).failures).toEqual([]);
});
