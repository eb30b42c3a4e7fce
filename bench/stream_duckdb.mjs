// stream_duckdb.mjs IN_DIR OUT_CSV [THREADS] - DuckDB's time for the seed's Task_1 over a folder of JSON files
// with SET threads = THREADS (1 by default): read every file, flatten, write one CSV with a header. Prints
// seconds, rows and threads.
import { createRequire } from 'node:module';
const require = createRequire(new URL('../tests/oracle/package.json', import.meta.url));
const { DuckDBInstance } = require('@duckdb/node-api');
const [dir, out, nthreads = '1'] = process.argv.slice(2);
const threads = Number.parseInt(nthreads, 10);
if (!(threads >= 1)) throw new Error(`bad thread count: ${nthreads}`);
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
await c.run(`SET threads = ${threads}`);
await c.run(`SET TimeZone = 'UTC'`);
const t0 = performance.now();
await c.run(`COPY (SELECT CAST(datetime AS TIMESTAMP) AS datetime, analytics.clicks AS clicks,
                          analytics.impressions AS impressions, sales.quantity AS quantity,
                          sales.total_price AS total_price
                   FROM read_json('${dir}/*.json', format = 'auto',
                        columns = {analytics: 'STRUCT(clicks INTEGER, impressions INTEGER)', datetime: 'VARCHAR',
                                   sales: 'STRUCT(quantity INTEGER, total_price DOUBLE)'}))
             TO '${out}' (HEADER, DELIMITER ',')`);
const secs = (performance.now() - t0) / 1000;
const rows = Number(Object.values((await (await c.runAndReadAll(`SELECT count(*) FROM read_csv('${out}')`)).getRowObjects())[0])[0]);
console.log(JSON.stringify({ seconds: secs, rows, threads }));
