// foreach_check.mjs IN_LIST PARQUET_LIST - oracle of the foreach_batch example's kill test: DuckDB flattens
// every generated click-stream record (JSON files named in IN_LIST, one path a line) as the seed's Task_1
// does, reads every Parquet file the example wrote (PARQUET_LIST), and compares the two as multisets.
// Prints one JSON line: {"expected":N,"got":N,"missing":N,"extra":N,"dupes":N,"sample":[...]}.
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
const cols = 't, clicks, impressions, quantity, total_price';
await c.run(`CREATE TABLE expected AS
  SELECT epoch_us(CAST(datetime AS TIMESTAMP)) AS t, analytics.clicks AS clicks, analytics.impressions AS impressions,
         sales.quantity AS quantity, sales.total_price AS total_price
  FROM read_json(${ins.length ? lit(ins) : '[]'}, format = 'auto',
       columns = {analytics: 'STRUCT(clicks INTEGER, impressions INTEGER)', datetime: 'VARCHAR',
                  sales: 'STRUCT(quantity INTEGER, total_price DOUBLE)'})`);
await c.run(outs.length
  ? `CREATE TABLE got AS SELECT epoch_us(datetime) AS t, clicks, impressions, quantity, total_price
       FROM read_parquet(${lit(outs)})`
  : `CREATE TABLE got AS SELECT * FROM expected WHERE false`);
const diff = `WITH e AS (SELECT ${cols}, count(*) AS n FROM expected GROUP BY ALL),
                   g AS (SELECT ${cols}, count(*) AS n FROM got GROUP BY ALL)
              SELECT coalesce(e.n, 0) AS en, coalesce(g.n, 0) AS gn, coalesce(e.t, g.t) AS t
              FROM e FULL OUTER JOIN g ON e.t IS NOT DISTINCT FROM g.t AND e.clicks IS NOT DISTINCT FROM g.clicks
                AND e.impressions IS NOT DISTINCT FROM g.impressions AND e.quantity IS NOT DISTINCT FROM g.quantity
                AND e.total_price IS NOT DISTINCT FROM g.total_price
              WHERE coalesce(e.n, 0) <> coalesce(g.n, 0)`;
console.log(JSON.stringify({
  expected: await one(`SELECT count(*) FROM expected`),
  got: await one(`SELECT count(*) FROM got`),
  missing: await one(`SELECT coalesce(sum(en - gn), 0) FROM (${diff}) WHERE en > gn`),
  extra: await one(`SELECT coalesce(sum(gn - en), 0) FROM (${diff}) WHERE gn > en`),
  dupes: await one(`SELECT count(*) FROM (${diff}) WHERE en > 0 AND gn > en`),
  sample: (await rows(`SELECT * FROM (${diff}) LIMIT 3`)).map(r => `${r.t}: expected ${r.en}, got ${r.gn}`),
}));
