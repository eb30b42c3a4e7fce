// stream_check.mjs IN_LIST OUT_LIST - the oracle of the streaming tests: DuckDB flattens every generated
// click-stream record (the JSON files named in IN_LIST, one path a line) the way the seed's Task_1 does,
// reads every committed CSV file weir wrote (named in OUT_LIST), and compares the two as multisets.
// Prints one JSON line: {"expected":N,"got":N,"missing":N,"extra":N,"dupes":N,"sample":[...]}.
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const lines = f => readFileSync(f, 'utf8').split('\n').filter(s => s.length > 0);
const ins = lines(process.argv[2]);
const outs = lines(process.argv[3]);
const lit = a => '[' + a.map(p => `'${p.replaceAll("'", "''")}'`).join(',') + ']';

const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
await c.run(`SET TimeZone = 'UTC'`);
const q = async sql => (await c.runAndReadAll(sql)).getRowObjects();

// Spark reads zone-less text in the session time zone (UTC here): timestamps compare as epoch microseconds.
await c.run(`CREATE TABLE expected AS
  SELECT epoch_us(CAST(datetime AS TIMESTAMP)) AS t, analytics.clicks AS clicks,
         analytics.impressions AS impressions, sales.quantity AS quantity, sales.total_price AS total_price
  FROM read_json(${ins.length ? lit(ins) : "[]"}, format = 'auto',
       columns = {analytics: 'STRUCT(clicks INTEGER, impressions INTEGER)', datetime: 'VARCHAR',
                  sales: 'STRUCT(quantity INTEGER, total_price DOUBLE)'})`);
if (outs.length) {
  await c.run(`CREATE TABLE got AS
    SELECT epoch_us(CAST(datetime AS TIMESTAMPTZ)) AS t, clicks, impressions, quantity, total_price
    FROM read_csv(${lit(outs)}, header = true, auto_detect = false,
         columns = {datetime: 'VARCHAR', clicks: 'INTEGER', impressions: 'INTEGER', quantity: 'INTEGER',
                    total_price: 'DOUBLE'})`);
} else {
  await c.run(`CREATE TABLE got AS SELECT * FROM expected WHERE false`);
}
const one = async sql => Number(Object.values((await q(sql))[0])[0]);
const expected = await one(`SELECT count(*) FROM expected`);
const got = await one(`SELECT count(*) FROM got`);
const cmp = `WITH e AS (SELECT t, clicks, impressions, quantity, total_price, count(*) AS n FROM expected GROUP BY ALL),
                  g AS (SELECT t, clicks, impressions, quantity, total_price, count(*) AS n FROM got GROUP BY ALL)
             SELECT coalesce(e.n, 0) AS en, coalesce(g.n, 0) AS gn, coalesce(e.t, g.t) AS t
             FROM e FULL OUTER JOIN g
               ON e.t IS NOT DISTINCT FROM g.t AND e.clicks IS NOT DISTINCT FROM g.clicks
              AND e.impressions IS NOT DISTINCT FROM g.impressions AND e.quantity IS NOT DISTINCT FROM g.quantity
              AND e.total_price IS NOT DISTINCT FROM g.total_price
             WHERE coalesce(e.n, 0) <> coalesce(g.n, 0)`;
const missing = await one(`SELECT coalesce(sum(en - gn), 0) FROM (${cmp}) WHERE en > gn`);
const extra = await one(`SELECT coalesce(sum(gn - en), 0) FROM (${cmp}) WHERE gn > en`);
const dupes = await one(`SELECT count(*) FROM (${cmp}) WHERE en > 0 AND gn > en`);
const sample = (await q(`SELECT * FROM (${cmp}) LIMIT 3`)).map(r => `${r.t}: expected ${r.en}, got ${r.gn}`);
console.log(JSON.stringify({ expected, got, missing, extra, dupes, sample }));
