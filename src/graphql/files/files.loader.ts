import DataLoader from 'dataloader';
import type { AliasMoveRecord, AliasRecord } from '../../services/alias.service';
import type { Services } from '../../services/services';
import type { FileChangeRecord } from '../../services/version-files.service';
import type { Caller } from '../../domain/auth/caller';
import type { GraphQLContext } from '../context';
import { callerOf } from '../governance/governance-access';
import { manyPer } from '../loader-helpers';

function fileLoaders(services: Services, caller: Caller) {
  return {
    changesByVersion: new DataLoader<string, FileChangeRecord[]>(async (ids) => manyPer(ids, await services.versionFiles.changesFor(caller, ids), (c) => c.versionId)),
    downloadsByVersion: new DataLoader<string, number>(async (ids) => {
      const counts = await services.downloads.countsFor(caller, ids);
      return ids.map((id) => counts.get(id) ?? 0);
    }),
    aliasesByModel: new DataLoader<string, AliasRecord[]>(async (ids) => manyPer(ids, await services.aliases.list(caller, ids), (a) => a.modelId)),
    aliasMovesByModel: new DataLoader<string, AliasMoveRecord[]>(async (ids) => manyPer(ids, await services.aliases.history(caller, ids), (m) => m.modelId)),
  };
}

export type FileLoaders = ReturnType<typeof fileLoaders>;

// Keyed on the context's current loaders object: a subscription renews those per event, and these with them.
const perRequest = new WeakMap<object, FileLoaders>();

/** Per-request DataLoaders of files, downloads and aliases (fan-out fields cost one query per page). */
export function fileLoadersOf(ctx: GraphQLContext): FileLoaders {
  let loaders = perRequest.get(ctx.loaders);
  if (!loaders) perRequest.set(ctx.loaders, (loaders = fileLoaders(ctx.services, callerOf(ctx))));
  return loaders;
}
