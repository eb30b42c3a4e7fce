// agg_bench.mjs CSV_PATH - DuckDB on the same CSV as bench/agg_bench.c: the seed's 30-second window sums
// (read_csv + GROUP BY time_bucket), with threads=1 and threads=2, best of 3 each; prints the same
// checksum line as weir (windows, sum of Clicks, sum of Total_price) so the results can be compared.
import { createRequire } from 'node:module';
const require = createRequire(new URL('../tests/oracle/package.json', import.meta.url));
const { DuckDBInstance } = require('@duckdb/node-api');

const [csv] = process.argv.slice(2);
const sql = `SELECT count(*) AS windows, sum(Clicks)::BIGINT AS clicks, sum(Total_price) AS price FROM (
  SELECT time_bucket(INTERVAL 30 SECONDS, datetime) AS start, sum(clicks) AS Clicks, sum(impressions) AS Impressions,
         sum(quantity) AS Quantity, sum(total_price) AS Total_price
  FROM read_csv('${csv}', header = true, columns = {'datetime': 'TIMESTAMP', 'clicks': 'INTEGER',
       'impressions': 'INTEGER', 'quantity': 'INTEGER', 'total_price': 'DOUBLE'})
  GROUP BY start)`;
for (const threads of [1, 2]) {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  await conn.run(`SET threads = ${threads}`);
  let best = 1e9, row;
  for (let run = 0; run < 3; run++) {
    const t0 = process.hrtime.bigint();
    row = (await conn.runAndReadAll(sql)).getRowObjectsJS()[0];
    const t = Number(process.hrtime.bigint() - t0) / 1e9;
    if (t < best) best = t;
  }
  console.log(`duckdb threads=${threads}: ${row.windows} windows, sum(Clicks) ${row.clicks}, sum(Total_price) ${Number(row.price).toFixed(6)}`);
  console.log(`duckdb_seconds_threads${threads} ${best.toFixed(4)}`);
}
