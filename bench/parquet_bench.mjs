// parquet_bench.mjs DIR CODEC... - DuckDB's side of bench/parquet_bench.sh, single-threaded: loads the
// rows weir wrote (DIR/weir_snappy.parquet) into an in-memory table (not timed), then for each codec
// times COPY t TO 'DIR/duckdb_CODEC.parquet' (wall and the process's CPU time, user + system), then
// the fsync of that file and its folder (sync_s: COPY itself does not sync), and reading that file
// back into a table, and times reading weir's file of that codec too. Prints one JSON line per codec.
import { createRequire } from 'node:module';
import { statSync, openSync, fsyncSync, closeSync } from 'node:fs';
const require = createRequire(new URL('../tests/oracle/package.json', import.meta.url));
const { DuckDBInstance } = require('@duckdb/node-api');

const [dir, ...codecs] = process.argv.slice(2);
const inst = await DuckDBInstance.create(':memory:');
const c = await inst.connect();
await c.run('SET threads=1');
await c.run(`CREATE TABLE t AS SELECT * FROM read_parquet('${dir}/weir_snappy.parquet')`);
const time = async sql => { const t0 = process.hrtime.bigint(); await c.run(sql); return Number(process.hrtime.bigint() - t0) / 1e9; };
const sync = path => { const fd = openSync(path, 'r'); fsyncSync(fd); closeSync(fd); };
const r3 = x => +x.toFixed(3);
for (const codec of codecs) {
  const path = `${dir}/duckdb_${codec}.parquet`;
  const cpu0 = process.cpuUsage();
  const write_s = await time(`COPY t TO '${path}' (FORMAT parquet, COMPRESSION ${codec})`);
  const cpu = process.cpuUsage(cpu0);
  const t0 = process.hrtime.bigint();
  sync(path);
  sync(dir);
  const sync_s = Number(process.hrtime.bigint() - t0) / 1e9;
  const read_s = await time(`CREATE OR REPLACE TABLE r AS SELECT * FROM read_parquet('${path}')`);
  const read_weir_s = await time(`CREATE OR REPLACE TABLE r AS SELECT * FROM read_parquet('${dir}/weir_${codec}.parquet')`);
  await c.run('DROP TABLE r');
  console.log(JSON.stringify({ codec, write_s: r3(write_s), write_cpu_s: r3((cpu.user + cpu.system) / 1e6), sync_s: r3(sync_s),
    bytes: statSync(path).size, read_s: r3(read_s), read_weir_file_s: r3(read_weir_s) }));
}
