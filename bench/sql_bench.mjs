// sql_bench.mjs ROWS - DuckDB's side of bench/sql_bench.sh, single-threaded: builds the same in-memory rows
// as bench/sql_bench.c (not timed), then times each query as CREATE TABLE AS SELECT (best of 3) and
// prints one JSON line per query.
import { createRequire } from 'node:module';
const require = createRequire(new URL('../tests/oracle/package.json', import.meta.url));
const { DuckDBInstance } = require('@duckdb/node-api');

const rows = Number(process.argv[2] || 2000000);
const inst = await DuckDBInstance.create(':memory:');
const c = await inst.connect();
await c.run('SET threads=1');
await c.run(`CREATE TABLE t AS SELECT
  {'clicks': (i % 10 + 1)::INT, 'impressions': (i % 11 + 10)::INT} AS analytics,
  make_timestamp(1662464400000000 + i * 500000) AS datetime,
  {'quantity': (i % 10 + 1)::INT, 'total_price': (i % 100) / 10.0::DOUBLE} AS sales,
  'user' || (i % 1000)::VARCHAR AS tag
  FROM range(${rows}) r(i)`);
const queries = {
  flatten: `SELECT datetime, analytics.clicks AS clicks, analytics.impressions AS impressions,
            sales.quantity AS quantity, sales.total_price AS total_price FROM t`,
  filter_arith: `SELECT datetime, analytics.clicks * 2 + analytics.impressions AS score FROM t
                 WHERE sales.quantity > 3 AND sales.total_price < 5.0`,
  string_time: `SELECT hour(datetime) AS h, date_trunc('minute', datetime) AS m, upper(tag) AS u
                FROM t WHERE tag LIKE '%7%'`,
};
for (const [name, sql] of Object.entries(queries)) {
  let best = 1e9, outRows = 0;
  for (let run = 0; run < 3; run++) {
    const t0 = process.hrtime.bigint();
    await c.run(`CREATE OR REPLACE TABLE o AS ${sql}`);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  outRows = Number((await c.runAndReadAll('SELECT count(*) AS n FROM o')).getRowObjects()[0].n);
  console.log(JSON.stringify({ query: name, rows, out_rows: outRows, duckdb_s: +best.toFixed(4) }));
}
