// convert_bench.mjs THREADS OUT_CSV GLOB - DuckDB's side of bench/run.sh: the seed's stage 1 (JSON arrays
// to the flattened CSV) as one COPY, with read_json and the seed's schema given explicitly (no sampling).
// Prints "wall_seconds cpu_seconds rows" for the COPY alone (DuckDB start-up excluded, as weir's is tiny;
// cpu = user + system time of the whole process during the COPY, all threads).
import { createRequire } from 'node:module';
const require = createRequire(new URL('../tests/oracle/package.json', import.meta.url));
const { DuckDBInstance } = require('@duckdb/node-api');
const [threads, out, glob] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
await c.run(`SET threads=${Number(threads)}`);
const t0 = performance.now(), cpu0 = process.cpuUsage();
await c.run(`COPY (SELECT datetime, analytics.clicks AS clicks, analytics.impressions AS impressions,
                    sales.quantity AS quantity, sales.total_price AS total_price
                  FROM read_json('${glob}', format='array',
                    columns={datetime: 'TIMESTAMP', analytics: 'STRUCT(clicks INTEGER, impressions INTEGER)',
                             sales: 'STRUCT(quantity INTEGER, total_price DOUBLE)'}))
             TO '${out}' (FORMAT csv, HEADER true)`);
const secs = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const r = await c.runAndReadAll(`SELECT count(*) FROM read_csv('${out}', header=true)`);
console.log(secs.toFixed(3), ((cpu.user + cpu.system) / 1e6).toFixed(3), String(r.getRows()[0][0]));
