// parquet_bench.mjs DIR CODEC... - DuckDB's side of bench/parquet_bench.sh, single-threaded: loads the
// rows weir wrote (DIR/weir_snappy.parquet) into an in-memory table (not timed), then for each codec
// times COPY t TO 'DIR/duckdb_CODEC.parquet' and reading that file back into a table, and times reading
// weir's file of that codec too. Prints one JSON line per codec.
import { createRequire } from 'node:module';
import { statSync } from 'node:fs';
const require = createRequire(new URL('../tests/oracle/package.json', import.meta.url));
const { DuckDBInstance } = require('@duckdb/node-api');

const [dir, ...codecs] = process.argv.slice(2);
const inst = await DuckDBInstance.create(':memory:');
const c = await inst.connect();
await c.run('SET threads=1');
await c.run(`CREATE TABLE t AS SELECT * FROM read_parquet('${dir}/weir_snappy.parquet')`);
const time = async sql => { const t0 = process.hrtime.bigint(); await c.run(sql); return Number(process.hrtime.bigint() - t0) / 1e9; };
for (const codec of codecs) {
  const path = `${dir}/duckdb_${codec}.parquet`;
  const write_s = await time(`COPY t TO '${path}' (FORMAT parquet, COMPRESSION ${codec})`);
  const read_s = await time(`CREATE OR REPLACE TABLE r AS SELECT * FROM read_parquet('${path}')`);
  const read_weir_s = await time(`CREATE OR REPLACE TABLE r AS SELECT * FROM read_parquet('${dir}/weir_${codec}.parquet')`);
  await c.run('DROP TABLE r');
  console.log(JSON.stringify({ codec, write_s: +write_s.toFixed(3), bytes: statSync(path).size, read_s: +read_s.toFixed(3), read_weir_file_s: +read_weir_s.toFixed(3) }));
}
