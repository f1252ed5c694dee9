// graphile-worker, the peer baseline of `scripts/bench jobs` (bench/src/jobs.rs runs this).
//
//   node bench.mjs migrate
//       installs graphile-worker's schema (graphile_worker) in the database.
//   node bench.mjs drain --jobs N --concurrency C --batched 0|1
//       starts a runner on the N no-op jobs kea-bench added (graphile_worker.add_jobs, one
//       statement) and prints {"jobs", "seconds"}: from the first job started to the jobs
//       table empty (graphile-worker deletes a job when it completes).
//   node bench.mjs latency --jobs N --concurrency C --batched 0|1
//       starts a runner, prints "ready", and once N jobs have started (inserted by kea-bench
//       with graphile_worker.add_job, one at a time) prints {"latencies_us": [...]}: each
//       job's locked_at - created_at, both PostgreSQL clock, as kea's attempted_at - created_at.
//
// The database URL is GRAPHILE_BENCH_URL. "Batched" is graphile-worker's batching on: a local
// queue (jobs fetched and locked in batches by the pool) and batched completion.

import pg from "pg";
import { run, runMigrations, Logger } from "graphile-worker";

// Timestamps as PostgreSQL's text (microseconds); JavaScript Dates keep only milliseconds.
// graphile-worker's runner does not read job timestamps itself.
pg.types.setTypeParser(1184, (v) => v);

const url = process.env.GRAPHILE_BENCH_URL;
if (!url) {
  console.error("GRAPHILE_BENCH_URL is not set");
  process.exit(2);
}
const [mode, ...rest] = process.argv.slice(2);
const opt = {};
for (let i = 0; i + 1 < rest.length; i += 2) opt[rest[i].replace(/^--/, "")] = rest[i + 1];
const jobs = Number(opt.jobs ?? 0);
const concurrency = Number(opt.concurrency ?? 1);
const batched = opt.batched === "1";
const quiet = new Logger(() => () => {});

/** Microseconds since the epoch of a PostgreSQL timestamptz text ("2026-12-01 09:00:00.123456+00"). */
function micros(ts) {
  const m = /^(.*\d\d:\d\d:\d\d)(\.\d+)?([+-]\d\d(?::?\d\d)?)$/.exec(ts);
  if (!m) throw new Error(`unexpected timestamp ${ts}`);
  const zone = m[3].length === 3 ? `${m[3]}:00` : m[3];
  const whole = Date.parse(`${m[1].replace(" ", "T")}${zone}`);
  const frac = m[2] ? Math.round(Number(m[2]) * 1e6) : 0;
  return whole * 1000 + frac;
}

function options(taskList) {
  return {
    connectionString: url,
    concurrency,
    // One connection per concurrent job and some for the pool's own queries.
    maxPoolSize: concurrency + 4,
    noHandleSignals: true,
    pollInterval: 1000,
    logger: quiet,
    taskList,
    preset: {
      worker: batched
        ? {
            localQueue: { size: Math.max(500, concurrency + 1) },
            completeJobBatchDelay: 0,
            failJobBatchDelay: 0,
          }
        : {},
    },
  };
}

async function drain() {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let started = 0;
  let first = null;
  let allStarted;
  const all = new Promise((resolve) => (allStarted = resolve));
  const noop = async () => {
    if (started === 0) first = performance.now();
    started += 1;
    if (started === jobs) allStarted();
  };
  const runner = await run(options({ noop }));
  await all;
  // Completions may still be in flight (batched): done when the table is empty.
  for (;;) {
    const { rows } = await client.query(
      "select not exists (select 1 from graphile_worker._private_jobs) as empty",
    );
    if (rows[0].empty) break;
    await new Promise((r) => setTimeout(r, 2));
  }
  const seconds = (performance.now() - first) / 1000;
  await runner.stop();
  await client.end();
  console.log(JSON.stringify({ jobs, seconds, started }));
}

async function latency() {
  const latencies = [];
  let done;
  const all = new Promise((resolve) => (done = resolve));
  const runner = await run(
    options({
      noop: async (_payload, helpers) => {
        const j = helpers.job;
        latencies.push(micros(j.locked_at) - micros(j.created_at));
        if (latencies.length === jobs) done();
      },
    }),
  );
  // Give the runner its LISTEN connection before kea-bench starts inserting.
  await new Promise((r) => setTimeout(r, 500));
  console.log("ready");
  await all;
  await runner.stop();
  console.log(JSON.stringify({ latencies_us: latencies }));
}

if (mode === "migrate") {
  await runMigrations({ connectionString: url, logger: quiet });
} else if (mode === "drain") {
  await drain();
} else if (mode === "latency") {
  await latency();
} else {
  console.error("usage: node bench.mjs migrate | drain --jobs N --concurrency C --batched 0|1 | latency ...");
  process.exit(2);
}
