import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { Pool } from 'pg';
import { openBenchDatabase } from './bench-database';
import { startApi, type ServerProcess } from './api/api-process';
import { planFrom } from './api/bench-plan';
import { summarize, type WriteStatements } from './api/bench-summary';
import { PAGE_TAG, seedBulkModels, seedPageRelations } from './api/catalog-seed';
import { type LoadResult, runLoad } from './api/load-runner';
import { ensureMlflow, MLFLOW_VENV, mlflowAddVersion, mlflowCreateModel, mlflowFirstVersion, mlflowRegister, mlflowTagPage, startMlflow } from './api/mlflow-peer';
import { addVersion, benchToken, firstVersion, graphqlClient, PAGE_QUERY, type PageAnswer, registerOnly, registerWithVersion } from './api/modelhub-client';
import { ProcessMeter, selfMeter } from './api/process-stats';
import { rawSqlPage } from './api/raw-sql-peer';
import { loadTable, markdownTable, mib, POSTGRES_METER } from './api/report-table';
import { type MutationStatements, statementCounting, statementsPerMutation, statementsPerRequest } from './api/round-trips';
import { searchLoads } from './api/search-workloads';
import { type SearchFigure, searchTable } from './api/search-table';
import { evidenceLoads, seedBulkEvidence } from './api/evidence-workloads';
import { runFanOut } from './api/subscriber-fanout';

const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const plan = planFrom(process.argv.slice(2), os.cpus().length);
  const started = Date.now();
  const cleanups: (() => Promise<void>)[] = [];
  try {
    say(`== bench:api ${plan.quick ? '(quick)' : ''} on ${process.env.DATABASE_URL ? "DATABASE_URL's server" : 'an embedded PostgreSQL'}`);
    const db = await openBenchDatabase();
    cleanups.push(() => db.close());
    const dbUrl = (db.dataSource.options as { url?: string }).url!;
    const dbName = new URL(dbUrl).pathname.slice(1);
    const pool = new Pool({ connectionString: dbUrl, max: 10 });
    // An idle client the server drops (a shutdown or terminate while the run ends) is reported, not a crash:
    // pg emits it on the pool, and an unhandled 'error' event would kill the process after the figures.
    pool.on('error', (error) => say(`database connection dropped: ${error.message}`));
    cleanups.push(() => pool.end());
    const [{ server_version: pgVersion }] = (await pool.query<{ server_version: string }>('SHOW server_version')).rows;

    let mlflowVersion: string | null = null;
    if (plan.mlflow && plan.quick && !existsSync(`${MLFLOW_VENV}/bin/mlflow`)) {
      say('MLflow peer skipped in --quick: .venv-mlflow is not installed (a full `npm run bench:api` creates it)');
    } else if (plan.mlflow) {
      mlflowVersion = await ensureMlflow(say);
    }

    const secret = randomBytes(32).toString('hex');
    const api = await startApi({ databaseUrl: dbUrl, jwtSecret: secret, cpuProfDir: plan.cpuProfDir, processes: plan.apiProcesses });
    cleanups.push(() => api.stop());
    let mlflow: ServerProcess | null = null;
    if (mlflowVersion) {
      mlflow = await startMlflow(dbUrl, plan.mlflowWorkers);
      cleanups.push(() => mlflow!.stop());
    }
    // The API's node processes (the cluster primary and its API processes, CPU and RSS summed); without
    // TEMPORAL_ADDRESS the primary also starts a Temporal dev server, which is not the API and is not counted.
    const apiMeter = new ProcessMeter(`ModelHub API (${plan.apiProcesses} API process${plan.apiProcesses === 1 ? '' : 'es'}${plan.apiProcesses > 1 ? ' + primary' : ''})`, api.pid, 'node');
    const mlflowMeter = mlflow ? new ProcessMeter('MLflow server', mlflow.pid) : null;
    const self = selfMeter();
    const gql = graphqlClient(api.url, await benchToken(secret));
    const results: LoadResult[] = [];
    const base = { concurrency: plan.concurrency, warmup: plan.warmup };

    // The catalog grows by COPY through each size of plan.scales, with search measured at each; the other
    // workloads run at plan.bulkModels (100,000 in a full run).
    const pgMeter = db.postgresPid ? new ProcessMeter(POSTGRES_METER, db.postgresPid) : null;
    const searchMeters = [apiMeter, ...(pgMeter ? [pgMeter] : [])];
    const searchFigures: SearchFigure[] = [];
    let seeded = 0;
    const grow = async (scale: number) => {
      say(`growing the catalog to ${scale} models by COPY…`);
      const seedStart = Date.now();
      await seedBulkModels(pool, seeded + 1, scale);
      say(`  ${scale - seeded} rows in ${((Date.now() - seedStart) / 1000).toFixed(0)} s`);
      seeded = scale;
    };
    const searchAt = async (scale: number) => {
      if (!plan.runs('search')) return;
      say(`search over ${scale} models, every term class, pages 1 and 50…`);
      for (const spec of await searchLoads(gql, pool, plan, scale, searchMeters)) {
        const result = await runLoad(spec);
        results.push(result);
        searchFigures.push({ spec, result });
      }
    };
    for (const scale of plan.scales.filter((s) => s < plan.bulkModels)) {
      await grow(scale);
      await searchAt(scale);
    }
    await grow(plan.bulkModels);
    say(`${plan.pageModels} page models through the API…`);
    if (plan.runs('filters')) await seedBulkEvidence(pool);
    for (let i = 0; i < plan.pageModels; i++) {
      const id = await registerWithVersion(gql, `page-${i}`, [PAGE_TAG]);
      await addVersion(gql, id, '1.1.0');
      if (mlflow) {
        await mlflowRegister(mlflow.url, `page-${i}`, { [PAGE_TAG]: 'yes' });
        await mlflowAddVersion(mlflow.url, `page-${i}`);
      }
    }
    await seedPageRelations(pool);

    const runId = Date.now().toString(36);
    if (plan.runs('writes')) say('writes: register model + first version…');
    if (plan.runs('writes')) results.push(await runLoad({ ...base, name: 'register + version', system: 'ModelHub', count: plan.writes, meters: searchMeters, run: (i) => registerWithVersion(gql, `w-${runId}-${i}`, ['bench-write']).then(() => undefined) }));
    if (mlflow && plan.runs('writes')) {
      const m = mlflow;
      results.push(await runLoad({ ...base, name: 'register + version', system: 'MLflow', count: plan.writes, meters: [mlflowMeter!, ...(pgMeter ? [pgMeter] : [])], run: (i) => mlflowRegister(m.url, `w-${runId}-${i}`, { 'bench-write': 'yes' }) }));
    }
    let writeStatements: WriteStatements | null = null;
    if (plan.runs('writes') && (await statementCounting(pool))) {
      say('SQL statements per registerModel and per createVersion (pg_stat_statements, 20 calls each)…');
      const ids: string[] = [];
      const register = await statementsPerMutation(pool, 20, async (i) => void ids.push(await registerOnly(gql, `s-${runId}-${i}`, ['bench-write'])));
      const version = await statementsPerMutation(pool, 20, (i) => firstVersion(gql, ids[i], `s-${runId}-${i}`));
      writeStatements = { register, version, mlflow: null };
      if (mlflow?.database) {
        const m = mlflow;
        const create = await statementsPerMutation(pool, 20, (i) => mlflowCreateModel(m.url, `s-${runId}-${i}`, { 'bench-write': 'yes' }), m.database!);
        const first = await statementsPerMutation(pool, 20, (i) => mlflowFirstVersion(m.url, `s-${runId}-${i}`), m.database!);
        writeStatements.mlflow = { register: create, version: first };
      }
    } else if (plan.runs('writes')) {
      say('statements per mutation not counted: the server has no pg_stat_statements loaded (DATABASE_URL without it)');
    }

    if (plan.runs('page')) say('reads: the first 50 models of a tag with versions, license, latest scan, benchmarks…');
    const page = async () => {
      const answer = await gql<PageAnswer>(PAGE_QUERY, { first: 50, tag: PAGE_TAG });
      const edges = answer.models.edges;
      if (edges.length !== 50 || edges.some((e) => e.node.versions.length !== 2 || !e.node.latestScan || e.node.benchmarks.length !== 4)) throw new Error('the page is not what was seeded');
    };
    if (plan.runs('page')) results.push(await runLoad({ ...base, name: 'tag page (50 models)', system: 'ModelHub', count: plan.reads, meters: [apiMeter], run: page }));
    if (plan.runs('page')) results.push(
      await runLoad({ ...base, name: 'tag page (50 models)', system: 'raw SQL (pg)', count: plan.reads, meters: [self], run: async () => {
        const rows = await rawSqlPage(pool, 50);
        if (rows.length !== 50 || rows.some((r) => r.versions.length !== 2 || !r.latestScan)) throw new Error('the page is not what was seeded');
      } }),
    );
    if (mlflow && plan.runs('page')) {
      const m = mlflow;
      results.push(await runLoad({ ...base, name: 'tag page (50 models)', system: 'MLflow', count: plan.reads, meters: [mlflowMeter!], run: async () => {
        if ((await mlflowTagPage(m.url, PAGE_TAG, 50)) !== 50) throw new Error('MLflow page is short');
      } }));
    }

    if (plan.runs('filters')) say('the filter language over measured evidence (and / or / not, ordering by a metric)…');
    for (const spec of plan.runs('filters') ? evidenceLoads(gql, plan, searchMeters) : []) results.push(await runLoad(spec));
    await searchAt(plan.bulkModels);
    for (const scale of plan.scales.filter((s) => s > plan.bulkModels)) {
      await grow(scale);
      await searchAt(scale);
    }

    let roundTrips: { five: number; fifty: number } | null = null;
    if (!plan.quick && plan.runs('page')) {
      say('SQL statements per page request (first: 5 vs first: 50; ~45 s of waiting for PostgreSQL counters)…');
      const pageOf = (first: number) => () => gql(PAGE_QUERY, { first, tag: PAGE_TAG }).then(() => undefined);
      roundTrips = { five: await statementsPerRequest(pool, dbName, 20, pageOf(5)), fifty: await statementsPerRequest(pool, dbName, 20, pageOf(50)) };
    }

    if (plan.runs('fanout')) say(`subscriptions: ${plan.subscribers} graphql-ws subscribers × ${plan.events} progress events…`);
    const fanOut = !plan.runs('fanout') ? null : await runFanOut({ pool, apiUrl: api.url, token: await benchToken(secret), subscribers: plan.subscribers, events: plan.events, gapMs: plan.eventGapMs });

    const meters = [apiMeter, ...(mlflowMeter ? [mlflowMeter] : []), ...(pgMeter ? [pgMeter] : []), self];
    say('');
    say(loadTable(results));
    say('');
    say(markdownTable(['process', 'peak RSS (sum over the process tree)', 'largest one process'], meters.map((m) => [m.label, mib(m.peakRssBytes()), mib(m.peakProcessRssBytes())])));
    say('');
    if (writeStatements) {
      const ml = writeStatements.mlflow;
      const counts: [string, MutationStatements][] = [['registerModel', writeStatements.register], ['createVersion', writeStatements.version]];
      if (ml) counts.push(['MLflow registered-models/create', ml.register], ['MLflow model-versions/create', ml.version]);
      for (const [name, counted] of counts) {
        say(`statements per ${name}: ${counted.perCall!.toFixed(2)}, ${counted.breakdown.reduce((n, b) => n + b.execMs, 0).toFixed(2)} ms executing — ${counted.breakdown.map((b) => `${b.perCall.toFixed(2)}× ${b.execMs.toFixed(2)} ms ${b.query}`).join(' | ')}`);
      }
      say('');
    }
    const search = searchTable(searchFigures, plan.scales);
    if (searchFigures.length) say(`Search, p99 at each catalog size (8 concurrent clients; CPU per operation of the API and PostgreSQL):\n\n${search.table}\n`);
    say(summarize({ plan, results, fanOut, roundTrips, writeStatements, apiPeakRss: apiMeter.peakRssBytes(), apiProcessPeakRss: apiMeter.peakProcessRssBytes(), searchTargets: search.targets }));
    say('');
    say(`node ${process.version}, PostgreSQL ${pgVersion}, MLflow ${mlflowVersion ?? 'not run'}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${new Date().toISOString()}, ${((Date.now() - started) / 1000).toFixed(0)} s`);
    for (const m of meters) m.stop();
    const failed = results.reduce((n, r) => n + r.errors, 0) + (fanOut ? fanOut.errors + fanOut.stale : 0);
    if (failed) {
      for (const r of results.filter((x) => x.firstError)) say(`first error of ${r.name} (${r.system}): ${r.firstError}`);
      process.exitCode = 1;
    }
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => say(`cleanup failed: ${String(error)}`));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
