import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * README.md's "First 10 minutes" as code: its ```sh walkthrough blocks (in order) and its one ```sh walkthrough-server
 * block, and examples/first-10-minutes.sh generated from them. test/integration/readme-walkthrough.test.ts runs the
 * script and fails when it is not what the README generates, so the two cannot drift.
 * Regenerate after editing the README: node -r ./test/support/ts-register.js test/support/walkthrough-script.ts
 */
const ROOT = path.resolve(__dirname, '../..');
export const README = path.join(ROOT, 'README.md');
export const EXAMPLE_SCRIPT = path.join(ROOT, 'examples/first-10-minutes.sh');
export const REGENERATE = 'node -r ./test/support/ts-register.js test/support/walkthrough-script.ts';

export interface Walkthrough {
  /** The command that starts the service for the walkthrough (`npm run dev` with settings). */
  server: string;
  blocks: string[];
}

/** Fenced blocks whose info string is exactly `sh <tag>`, in document order. */
function fenced(markdown: string, tag: string): string[] {
  const blocks: string[] = [];
  const fence = /^```sh[ \t]+([^\n]*)\n([\s\S]*?)^```[ \t]*$/gm;
  for (let m = fence.exec(markdown); m; m = fence.exec(markdown)) {
    if (m[1].trim() === tag) blocks.push(m[2].replace(/\n+$/, ''));
  }
  return blocks;
}

export function walkthroughOf(markdown: string): Walkthrough {
  const blocks = fenced(markdown, 'walkthrough');
  const servers = fenced(markdown, 'walkthrough-server');
  if (blocks.length === 0) throw new Error('README.md has no ```sh walkthrough blocks');
  if (servers.length !== 1 || servers[0].split('\n').length !== 1) throw new Error('README.md needs exactly one ```sh walkthrough-server block of one line');
  return { server: servers[0], blocks };
}

/** The marker line each block starts with in the script's output: how a run tells which block it is in. */
export function marker(index: number, total: number): string {
  return `==> walkthrough block ${index + 1}/${total}`;
}

export function scriptOf(walkthrough: Walkthrough): string {
  const { blocks, server } = walkthrough;
  const head = [
    '#!/usr/bin/env bash',
    '# README.md "First 10 minutes" as one script: its ```sh walkthrough blocks in order, each announced by a marker line.',
    '# Generated from README.md (edit the README, then run',
    `#   ${REGENERATE}`,
    '# ); test/integration/readme-walkthrough.test.ts runs this file against a real dev server and fails when it differs.',
    '# First start the service from the clone, in another terminal:',
    `#   ${server}`,
    '# and put Python with huggingface_hub on PATH (export PATH=$PWD/.venv-hf/bin:$PATH). Then: bash examples/first-10-minutes.sh',
    'set -euo pipefail',
    'cd "$(dirname "$0")/.."',
  ];
  const body = blocks.map((block, i) => `\necho '${marker(i, blocks.length)}'\n${block}`);
  return `${head.join('\n')}\n${body.join('\n')}\n`;
}

export function expectedScript(): string {
  return scriptOf(walkthroughOf(readFileSync(README, 'utf8')));
}

if (require.main === module) {
  writeFileSync(EXAMPLE_SCRIPT, expectedScript(), { mode: 0o755 });
  process.stdout.write(`wrote ${path.relative(process.cwd(), EXAMPLE_SCRIPT)}\n`);
}
