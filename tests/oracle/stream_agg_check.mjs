// stream_agg_check.mjs - aggregation queries run by `weir run` (SQL, file source, driver, state, sinks)
// against DuckDB over the same rows.
//
// Usage: node stream_agg_check.mjs WEIR WORKDIR. `weir gen` writes click-stream JSON with out-of-order and
// late records, the seed's stage 1 (`weir run`, availableNow) turns it into CSV, and each scenario runs a
// stage 2 query over that CSV folder with maxFilesPerTrigger 3 and trigger availableNow. The batches weir
// planned are read back from its checkpoint (offsets/N lists each batch's files: the batch boundaries are
// part of the input). DuckDB then computes what Spark's rules say:
//   - the watermark of batch b is max(event time of the rows in batches < b) - delay;
//   - a (row, window) pair is late when the window's end <= that watermark (append and update modes);
//   - append: every window once, aggregated over the pairs that were not late (time_bucket GROUP BY);
//     update: in each batch, the groups it changed, aggregated over everything up to it; complete: every
//     group in every batch, HAVING applied;
//   - late rows (lateRowsPath): exactly the rows with a late pair, each with the watermark it missed.
// Sums of DOUBLE within 1e-9 relative; everything else exactly. Last line: "N passed, N failed".
import { DuckDBInstance } from '@duckdb/node-api';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const [weir, work] = process.argv.slice(2);
let passed = 0, failed = 0;
const ok = (cond, tag, msg) => {
  if (cond) passed++;
  else { failed++; if (failed < 40) console.log(`FAIL ${tag}: ${msg}`); }
};
const run = args => execFileSync(weir, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const lit = a => '[' + a.map(p => `'${p.replaceAll("'", "''")}'`).join(',') + ']';

const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
await c.run(`SET TimeZone = 'UTC'`);
const q = async sql => (await c.runAndReadAll(sql)).getRowObjects();

// ---- input: generated JSON (late and out-of-order records) -> stage 1 -> CSV
const json = path.join(work, 'json'), csv = path.join(work, 'csv');
run(['gen', '--out', json, '--files', '60', '--records-per-file', '10', '--seed', '11', '--start',
     '2022-09-06T11:40:00', '--interval', '0', '--late-fraction', '0.2', '--max-lateness', '45s', '--quiet']);
fs.writeFileSync(path.join(work, 'stage1.sql'), `
CREATE TABLE clicks_json (analytics STRUCT<clicks: INT, impressions: INT>, datetime TIMESTAMP,
  sales STRUCT<quantity: INT, total_price: DOUBLE>) USING json OPTIONS (path '${json}', maxFilesPerTrigger 4);
CREATE TABLE clicks_csv USING csv OPTIONS (path '${csv}', header true, checkpointLocation '${work}/ck1');
INSERT INTO clicks_csv SELECT datetime, analytics.clicks AS clicks, analytics.impressions AS impressions,
  sales.quantity AS quantity, sales.total_price AS total_price FROM STREAM(clicks_json);`);
run(['run', path.join(work, 'stage1.sql'), '--trigger', 'availableNow', '--progress', 'off']);

const SRC = `CREATE TABLE clicks_csv (datetime TIMESTAMP, clicks INT, impressions INT, quantity INT, total_price DOUBLE)
  USING csv OPTIONS (path '${csv}', header true, maxFilesPerTrigger 3);`;

// The batches of a finished run: batch id -> the CSV files it read (none for a no-data batch).
function batchesOf(ck) {
  const out = [];
  for (const f of fs.readdirSync(path.join(ck, 'offsets'))) {
    if (!/^\d+$/.test(f)) continue;
    const lines = fs.readFileSync(path.join(ck, 'offsets', f), 'utf8').split('\n');
    // an entry made ahead may still hold an older batch's plan: its seal line names that batch
    const seal = lines.map(l => l.trim()).filter(l => l.startsWith('{"batchId":')).pop();
    if (!seal || JSON.parse(seal).batchId !== Number(f)) continue;
    const files = lines.filter(l => l.includes('"path"')).map(l => path.join(csv, JSON.parse(l).path));
    out.push({ batch: Number(f), files });
  }
  return out.sort((a, b) => a.batch - b.batch);
}

// rows(batch, ts, clicks, impressions, quantity, total_price) and wm(batch, wm) for a run.
async function loadRows(ck, delayS) {
  const bs = batchesOf(ck);
  const parts = bs.filter(b => b.files.length).map(b =>
    `SELECT ${b.batch} AS batch, datetime AS ts, clicks, impressions, quantity, total_price FROM read_csv(${lit(b.files)},
       header = true, auto_detect = false, columns = {datetime: 'TIMESTAMPTZ', clicks: 'INTEGER', impressions: 'INTEGER',
       quantity: 'INTEGER', total_price: 'DOUBLE'})`);
  await c.run(`CREATE OR REPLACE TABLE rows AS ${parts.join(' UNION ALL ')}`);
  await c.run(`CREATE OR REPLACE TABLE batches AS SELECT unnest(${'[' + bs.map(b => b.batch).join(',') + ']'}) AS batch`);
  await c.run(`CREATE OR REPLACE TABLE wm AS SELECT b.batch,
      (SELECT max(ts) FROM rows r WHERE r.batch < b.batch) - INTERVAL ${delayS} SECONDS AS wm FROM batches b`);
  const n = await q(`SELECT count(*) AS n FROM rows`);
  const all = await q(`SELECT count(*) AS n FROM read_csv('${csv}/*.csv', header = true)`);
  ok(Number(n[0].n) === Number(all[0].n) && Number(n[0].n) > 0, 'input', `batches read ${n[0].n} rows, stage 1 wrote ${all[0].n}`);
  return bs;
}

// pairs(batch, ws, we, key, ..., late, wm): every (row, window) pair with its lateness.
async function makePairs(sizeS, slideS, keyExpr, lateness) {
  const k = Math.ceil(sizeS / slideS);
  await c.run(`CREATE OR REPLACE TABLE pairs AS
    WITH p AS (SELECT r.*, time_bucket(INTERVAL ${slideS} SECONDS, ts) - i * INTERVAL ${slideS} SECONDS AS ws,
                      ${keyExpr} AS key
               FROM rows r, range(${k}) t(i))
    SELECT p.*, p.ws + INTERVAL ${sizeS} SECONDS AS we, w.wm,
           (${lateness ? 'TRUE' : 'FALSE'} AND w.wm IS NOT NULL AND p.ws + INTERVAL ${sizeS} SECONDS <= w.wm) AS late
    FROM p JOIN wm w USING (batch) WHERE p.ts < p.ws + INTERVAL ${sizeS} SECONDS`);
}

const near = (a, b) => a === b || (a !== null && b !== null && Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)));

// Compares two lists of row objects keyed by `keyCols`; `approx` columns within 1e-9 relative.
function compare(tag, got, want, keyCols, approx) {
  const key = r => keyCols.map(k => String(r[k])).join('|');
  const g = new Map(), w = new Map();
  let dupes = 0;
  for (const r of got) { if (g.has(key(r))) dupes++; g.set(key(r), r); }
  for (const r of want) w.set(key(r), r);
  ok(dupes === 0, tag, `${dupes} rows appear twice`);
  ok(got.length === want.length, tag, `${got.length} rows written, ${want.length} expected`);
  let bad = 0, sample = '';
  for (const [k, r] of w) {
    const x = g.get(k);
    if (!x) { bad++; sample ||= `missing ${k}`; continue; }
    for (const col of Object.keys(r)) {
      const a = x[col] === null ? null : Number(x[col]), b = r[col] === null ? null : Number(r[col]);
      if (approx.includes(col) ? !near(a, b) : a !== b) { bad++; sample ||= `${k}: ${col} ${a} != ${b}`; }
    }
  }
  for (const k of g.keys()) if (!w.has(k)) { bad++; sample ||= `extra ${k}`; }
  ok(bad === 0, tag, `${bad} differences, e.g. ${sample}`);
}

const numify = rows => rows.map(r => Object.fromEntries(Object.entries(r).map(([k, v]) =>
  [k, v === null ? null : typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : Number(v)])));

async function lateCheck(tag, lateDir) {
  const files = fs.existsSync(lateDir) ? fs.readdirSync(lateDir).filter(f => f.endsWith('.json')) : [];
  const got = files.length ? numify(await q(`SELECT epoch_us(CAST(datetime AS TIMESTAMPTZ)) AS t, clicks, impressions,
      quantity, total_price, epoch_us(CAST(missed_watermark AS TIMESTAMPTZ)) AS wm
      FROM read_json(${lit(files.map(f => path.join(lateDir, f)))}, format = 'newline_delimited',
      columns = {datetime: 'VARCHAR', clicks: 'INTEGER', impressions: 'INTEGER', quantity: 'INTEGER',
                 total_price: 'DOUBLE', missed_watermark: 'VARCHAR'})`)) : [];
  const want = numify(await q(`SELECT DISTINCT epoch_us(ts) AS t, clicks, impressions, quantity, total_price,
      epoch_us(wm) AS wm FROM pairs WHERE late`));
  ok(want.length > 0, tag, 'the generated input has no late rows: the scenario tests nothing');
  compare(tag, got, want, ['t', 'clicks', 'impressions', 'quantity', 'total_price'], []);
}

function stage2(name, sql, sinkOpts) {
  const dir = path.join(work, name);
  const file = path.join(work, `${name}.sql`);
  fs.writeFileSync(file, `${SRC}
CREATE TABLE out_${name} USING ${sinkOpts.format} OPTIONS (path '${dir}/out', checkpointLocation '${dir}/ck'${sinkOpts.extra});
INSERT INTO out_${name} ${sql};`);
  run(['run', file, '--trigger', 'availableNow', '--progress', 'off']);
  return dir;
}

// ---- A: the seed's Task_2 (append, tumbling 30 s windows, 10 s watermark), Parquet, late rows kept
{
  const d = stage2('a', `SELECT sum(clicks) AS Clicks, sum(impressions) AS Impressions, sum(quantity) AS Quantity,
      sum(total_price) AS Total_price, window.start AS Start, window.end AS \`End\`
    FROM STREAM(clicks_csv) WATERMARK datetime DELAY OF INTERVAL 10 SECONDS GROUP BY window(datetime, '30 seconds')`,
    { format: 'parquet', extra: `, lateRowsPath '${work}/a/late'` });
  const bs = await loadRows(`${d}/ck`, 10);
  ok(bs.some(b => b.files.length === 0), 'A batches', 'no no-data batch ran (the final flush is one)');
  await makePairs(30, 30, '0', true);
  const got = numify(await q(`SELECT Clicks, Impressions, Quantity, Total_price, epoch_us(Start) AS s, epoch_us("End") AS e
      FROM read_parquet('${d}/out/*.parquet')`));
  const want = numify(await q(`SELECT sum(clicks) AS Clicks, sum(impressions) AS Impressions, sum(quantity) AS Quantity,
      sum(total_price) AS Total_price, epoch_us(time_bucket(INTERVAL 30 SECONDS, ts)) AS s,
      epoch_us(time_bucket(INTERVAL 30 SECONDS, ts) + INTERVAL 30 SECONDS) AS e
      FROM pairs WHERE NOT late GROUP BY time_bucket(INTERVAL 30 SECONDS, ts)`));
  compare('A append windows', got, want, ['s', 'e'], ['Total_price']);
  await lateCheck('A late rows', `${d}/late`);
}

// ---- B: update mode, sliding windows (1 minute every 20 s) with a computed key, CSV
{
  const d = stage2('b', `SELECT window.start AS ws, quantity % 3 AS q3, count(*) AS n, sum(clicks) AS clicks,
      avg(total_price) AS avgp, min(impressions) AS mn, max(total_price) AS mx
    FROM STREAM(clicks_csv) WATERMARK datetime DELAY OF INTERVAL 10 SECONDS
    GROUP BY window(datetime, '1 minute', '20 seconds'), quantity % 3`,
    { format: 'csv', extra: `, header true, outputMode 'update', lateRowsPath '${work}/b/late'` });
  await loadRows(`${d}/ck`, 10);
  await makePairs(60, 20, 'quantity % 3', true);
  const got = numify(await q(`SELECT CAST(regexp_extract(filename, 'part-(\\d+)-', 1) AS INTEGER) AS batch,
      epoch_us(CAST(ws AS TIMESTAMPTZ)) AS ws, q3, n, clicks, avgp, mn, mx
      FROM read_csv('${d}/out/*.csv', header = true, filename = true, auto_detect = false,
        columns = {ws: 'VARCHAR', q3: 'INTEGER', n: 'BIGINT', clicks: 'BIGINT', avgp: 'DOUBLE', mn: 'INTEGER', mx: 'DOUBLE'})`));
  const want = numify(await q(`WITH changed AS (SELECT DISTINCT batch, ws, key FROM pairs WHERE NOT late)
      SELECT ch.batch, epoch_us(ch.ws) AS ws, ch.key AS q3, count(*) AS n, sum(p.clicks) AS clicks, avg(p.total_price) AS avgp,
             min(p.impressions) AS mn, max(p.total_price) AS mx
      FROM changed ch JOIN pairs p ON p.ws = ch.ws AND p.key = ch.key AND p.batch <= ch.batch AND NOT p.late
      GROUP BY ch.batch, ch.ws, ch.key`));
  compare('B update sliding', got, want, ['batch', 'ws', 'q3'], ['avgp']);
  await lateCheck('B late rows', `${d}/late`);
}

// ---- C: complete mode, a boolean key, HAVING, JSON Lines
{
  const d = stage2('c', `SELECT window.start AS ws, clicks > 5 AS hi, count(*) AS n, sum(total_price) AS total
    FROM STREAM(clicks_csv) GROUP BY window(datetime, '30 seconds'), clicks > 5 HAVING count(*) > 3`,
    { format: 'json', extra: `, outputMode 'complete'` });
  const bs = await loadRows(`${d}/ck`, 10);
  ok(bs.every(b => b.files.length > 0), 'C batches', 'complete mode ran a no-data batch');
  await makePairs(30, 30, 'clicks > 5', false);
  const files = fs.readdirSync(`${d}/out`).filter(f => f.endsWith('.json')).map(f => path.join(d, 'out', f));
  const got = numify(await q(`SELECT CAST(regexp_extract(filename, 'part-(\\d+)-', 1) AS INTEGER) AS batch,
      epoch_us(CAST(ws AS TIMESTAMPTZ)) AS ws, CAST(hi AS INTEGER) AS hi, n, total
      FROM read_json(${lit(files)}, format = 'newline_delimited', filename = true,
        columns = {ws: 'VARCHAR', hi: 'BOOLEAN', n: 'BIGINT', total: 'DOUBLE'})`));
  const want = numify(await q(`SELECT b.batch, epoch_us(p.ws) AS ws, CAST(p.key AS INTEGER) AS hi, count(*) AS n,
      sum(p.total_price) AS total FROM batches b JOIN pairs p ON p.batch <= b.batch
      GROUP BY b.batch, p.ws, p.key HAVING count(*) > 3`));
  compare('C complete', got, want, ['batch', 'ws', 'hi'], ['total']);
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
