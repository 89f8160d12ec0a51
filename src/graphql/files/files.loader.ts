import DataLoader from 'dataloader';
import type { AliasMoveRecord, AliasRecord } from '../../services/alias.service';
import type { Services } from '../../services/services';
import type { FileChangeRecord } from '../../services/version-files.service';
import type { GraphQLContext } from '../context';
import { manyPer } from '../loader-helpers';

function fileLoaders(services: Services) {
  return {
    changesByVersion: new DataLoader<string, FileChangeRecord[]>(async (ids) => manyPer(ids, await services.versionFiles.changesFor(ids), (c) => c.versionId)),
    downloadsByVersion: new DataLoader<string, number>(async (ids) => {
      const counts = await services.downloads.countsFor(ids);
      return ids.map((id) => counts.get(id) ?? 0);
    }),
    aliasesByModel: new DataLoader<string, AliasRecord[]>(async (ids) => manyPer(ids, await services.aliases.list(ids), (a) => a.modelId)),
    aliasMovesByModel: new DataLoader<string, AliasMoveRecord[]>(async (ids) => manyPer(ids, await services.aliases.history(ids), (m) => m.modelId)),
  };
}

export type FileLoaders = ReturnType<typeof fileLoaders>;

// Keyed on the context's current loaders object: a subscription renews those per event, and these with them.
const perRequest = new WeakMap<object, FileLoaders>();

/** Per-request DataLoaders of files, downloads and aliases (fan-out fields cost one query per page). */
export function fileLoadersOf(ctx: GraphQLContext): FileLoaders {
  let loaders = perRequest.get(ctx.loaders);
  if (!loaders) perRequest.set(ctx.loaders, (loaders = fileLoaders(ctx.services)));
  return loaders;
}
