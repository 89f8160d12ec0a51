#!/usr/bin/env node
// Sends one GraphQL document to ModelHub and prints the answer: for the few steps the `modelhub` CLI has no
// command for (project settings, evaluations), without hand-escaped JSON in curl.
//
//   node examples/gql.mjs '<document>' [name=value …] [--pick path.to.field]
//
// URL and token as the CLI reads them: MODELHUB_URL (default http://127.0.0.1:4000) and MODELHUB_TOKEN (or --token).
// `name=value` sets the variable $name to the string value; `name:=json` to a JSON value (number, true, object…).
// Prints `data` as JSON, or with --pick the value at that path (a string printed bare). GraphQL errors go to stderr,
// one line each with their extensions.code, and the exit code is 1.
const args = process.argv.slice(2);
const usage = "usage: node examples/gql.mjs '<document>' [name=value | name:=json]… [--pick a.b.0.c] [--token <token>]";
let document = null;
let pick = null;
let token = process.env.MODELHUB_TOKEN ?? null;
const variables = {};
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (arg === '--pick') pick = args[++i];
  else if (arg === '--token') token = args[++i];
  else if (document === null) document = arg;
  else {
    const json = /^([A-Za-z_][A-Za-z0-9_]*):=(.*)$/s.exec(arg);
    const text = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(arg);
    if (json) variables[json[1]] = JSON.parse(json[2]);
    else if (text) variables[text[1]] = text[2];
    else fail(`"${arg}" is not name=value\n${usage}`, 2);
  }
}
if (!document || (pick !== null && !pick)) fail(usage, 2);

function fail(message, code = 1) {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

const url = `${(process.env.MODELHUB_URL ?? 'http://127.0.0.1:4000').replace(/\/+$/, '')}/graphql`;
let response;
try {
  response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: document, variables }),
  });
} catch (error) {
  fail(`cannot reach ${url}: ${error.cause?.message ?? error.message} (is \`npm run dev\` running?)`);
}
const text = await response.text();
let body;
try {
  body = JSON.parse(text);
} catch {
  fail(`${url} answered HTTP ${response.status}: ${text.slice(0, 300)}`);
}
if (body.errors?.length) {
  fail(body.errors.map((e) => `${e.message} (${e.extensions?.code ?? 'ERROR'})`).join('\n'));
}
let value = body.data;
if (pick) {
  for (const key of pick.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) fail(`--pick ${pick}: no "${key}" in ${JSON.stringify(value)}`);
    value = value[key];
  }
}
process.stdout.write(`${typeof value === 'string' ? value : JSON.stringify(value, null, 2)}\n`);
