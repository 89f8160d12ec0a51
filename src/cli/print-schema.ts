import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildSubgraph } from '../graphql/schema';

/** `npm run schema:print`: rewrites schema/subgraph.graphql from the code. */
async function main(): Promise<void> {
  const { sdl } = await buildSubgraph();
  const target = path.resolve(__dirname, '../../../schema/subgraph.graphql');
  await writeFile(target, sdl);
  process.stdout.write(`wrote ${target}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
