// foreach_check.mjs IN_LIST PARQUET_LIST - oracle of the foreach_batch example's kill test: DuckDB flattens
// every generated click-stream record (JSON files named in IN_LIST, one path a line) as the seed's Task_1
// does and sums them per 30-second window (time_bucket), the seed's Task_2; it reads every Parquet file the
// example wrote (PARQUET_LIST) and compares window by window. The generator writes its records in
// event-time order (the test runs it at 25 s of event time a second), so no row is late and every window
// holds all its records.
// Prints one JSON line: {"expected":N,"got":N,"missing":N,"extra":N,"dupes":N,"wrong":N,"sample":[...]}
// (windows; wrong = a window whose sums differ; price sums within 1e-9 relative).
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const lines = f => readFileSync(f, 'utf8').split('\n').filter(s => s.length > 0);
const lit = a => '[' + a.map(p => `'${p.replaceAll("'", "''")}'`).join(',') + ']';
const ins = lines(process.argv[2]);
const outs = lines(process.argv[3]);
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
await c.run(`SET TimeZone = 'UTC'`);
const rows = async sql => (await c.runAndReadAll(sql)).getRowObjects();
const one = async sql => Number(Object.values((await rows(sql))[0])[0]);
await c.run(`CREATE TABLE recs AS
  SELECT CAST(datetime AS TIMESTAMP) AS t, analytics.clicks AS clicks, analytics.impressions AS impressions,
         sales.quantity AS quantity, sales.total_price AS total_price
  FROM read_json(${ins.length ? lit(ins) : '[]'}, format = 'auto',
       columns = {analytics: 'STRUCT(clicks INTEGER, impressions INTEGER)', datetime: 'VARCHAR',
                  sales: 'STRUCT(quantity INTEGER, total_price DOUBLE)'})`);
await c.run(`CREATE TABLE expected AS
  SELECT epoch_us(time_bucket(INTERVAL 30 SECONDS, t)) AS s, sum(clicks) AS clicks, sum(impressions) AS impressions,
         sum(quantity) AS quantity, sum(total_price) AS price FROM recs GROUP BY ALL`);
await c.run(outs.length
  ? `CREATE TABLE got AS SELECT epoch_us(Start) AS s, epoch_us("End") - epoch_us(Start) AS len, Clicks AS clicks,
       Impressions AS impressions, Quantity AS quantity, Total_price AS price FROM read_parquet(${lit(outs)})`
  : `CREATE TABLE got AS SELECT s, 0 AS len, clicks, impressions, quantity, price FROM expected WHERE false`);
const joined = `SELECT e.s AS es, g.s AS gs, e.clicks = g.clicks AND e.impressions = g.impressions
                  AND e.quantity = g.quantity AND g.len = 30000000
                  AND abs(e.price - g.price) <= 1e-9 * greatest(abs(e.price), abs(g.price)) AS same
                FROM expected e FULL OUTER JOIN got g ON e.s = g.s`;
console.log(JSON.stringify({
  expected: await one(`SELECT count(*) FROM expected`),
  got: await one(`SELECT count(*) FROM got`),
  missing: await one(`SELECT count(*) FROM (${joined}) WHERE gs IS NULL`),
  extra: await one(`SELECT count(*) FROM (${joined}) WHERE es IS NULL`),
  dupes: await one(`SELECT count(*) FROM (SELECT s FROM got GROUP BY s HAVING count(*) > 1)`),
  wrong: await one(`SELECT count(*) FROM (${joined}) WHERE es IS NOT NULL AND gs IS NOT NULL AND NOT same`),
  sample: (await rows(`SELECT * FROM (${joined}) WHERE NOT coalesce(same, false) LIMIT 3`)).map(r => JSON.stringify(r, (k, v) => typeof v === 'bigint' ? String(v) : v)),
}));
