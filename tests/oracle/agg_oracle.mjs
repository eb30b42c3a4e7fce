// agg_oracle.mjs - weir's streaming aggregation (run by build/tests/agg_driver over CSV files, one file
// per micro-batch) against DuckDB GROUP BY time_bucket over the same rows.
//
// Usage: node agg_oracle.mjs DRIVER WORKDIR. For each scenario it generates random click rows (out of
// order, late rows, NULL times, values and keys), writes one CSV file per batch, runs the driver, and
// computes what Spark's rules say should come out with DuckDB:
//   - the watermark of batch b is max(event time in batches < b) - delay (computed here in JS);
//   - a (row, window) pair is late when window end <= the watermark of the row's batch;
//   - append: every window once, with aggregates over its pairs that were not late, emitted in the first
//     batch whose watermark passes its end (or the final flush); update: per batch, the groups that batch
//     changed, aggregated over everything up to it; complete: every group every batch.
//   - late rows: exactly the rows with a late pair, each with the watermark it missed.
// Sums and averages of DOUBLE match within 1e-9 relative; counts, integer sums, min, max, first, last
// exactly; approx_count_distinct within 2% (or 1) of the exact distinct count.
// Session windows are checked in complete mode against DuckDB sessionization (window functions) and in
// append mode against a direct JS simulation of the streaming rules (late rows, merges, emission). The
// last scenarios stop the driver midway and restart it from its state folder (sliding windows in
// append mode, sessions in update mode): the output files must be byte-identical to an uninterrupted run.
// Last line: "N passed, N failed".
import { DuckDBInstance } from '@duckdb/node-api';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const [driver, work] = process.argv.slice(2);
let passed = 0, failed = 0;
const fail = (tag, msg) => { failed++; if (failed < 30) console.log(`FAIL ${tag}: ${msg}`); };
const ok = (cond, tag, msg) => { if (cond) passed++; else fail(tag, msg); };

// splitmix-like PRNG so runs are reproducible
function rng(seed) {
  let s = BigInt(seed);
  return () => {
    s = (s + 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
    let z = s;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & 0xffffffffffffffffn;
    z = z ^ (z >> 31n);
    return Number(z >> 11n) / 2 ** 53;
  };
}

const SEC = 1000000;
const BASE = Date.UTC(2026, 0, 1) * 1000; // microseconds

function isoUs(us) {
  const ms = Math.floor(us / 1000), rest = us - ms * 1000;
  const d = new Date(ms).toISOString(); // 2026-01-01T00:00:00.123Z
  return d.slice(0, 23) + String(rest).padStart(3, '0');
}

// rows: {batch, id, ts (us or null), k, clicks, price}
function generate(seed, nBatches, jitterS, stepS) {
  const r = rng(seed);
  const rows = [];
  let id = 0;
  for (let b = 0; b < nBatches; b++) {
    const n = b % 9 === 4 ? 0 : Math.floor(r() * 60);
    for (let i = 0; i < n; i++) {
      let ts = BASE + b * stepS * SEC + Math.floor(r() * (jitterS + 5) * SEC) - jitterS * SEC;
      if (r() < 0.03) ts = null;
      const k = r() < 0.1 ? null : ['a', 'b', 'c', 'dd'][Math.floor(r() * 4)];
      const clicks = r() < 0.08 ? null : Math.floor(r() * 20) - 3;
      const price = r() < 0.08 ? null : Math.round(r() * 1e6) / 100 * (r() < 0.2 ? -1 : 1) + (r() < 0.3 ? 0.1 : 0);
      rows.push({ batch: b, id: id++, ts, k, clicks, price });
    }
  }
  return rows;
}

function csvField(v) { return v === null || v === undefined ? '' : String(v); }

function writeInputs(dir, rows, nBatches) {
  fs.mkdirSync(dir, { recursive: true });
  const files = [];
  for (let b = 0; b < nBatches; b++) {
    const lines = ['id,ts,k,clicks,price'];
    for (const x of rows.filter((x) => x.batch === b))
      lines.push([x.id, x.ts === null ? '' : isoUs(x.ts), csvField(x.k), csvField(x.clicks), csvField(x.price)].join(','));
    const f = path.join(dir, `part-${String(b).padStart(4, '0')}.csv`);
    fs.writeFileSync(f, lines.join('\n') + '\n');
    files.push(f);
  }
  return files;
}

// Spark's watermark per batch: max event time of the earlier batches minus the delay (null: none yet).
function watermarks(rows, nBatches, delayUs) {
  const wm = [];
  let max = null;
  for (let b = 0; b <= nBatches; b++) {
    wm.push(max === null ? null : max - delayUs);
    for (const x of rows) if (x.batch === b && x.ts !== null && (max === null || x.ts > max)) max = x.ts;
  }
  return wm;
}

function parseCsv(text) {
  const lines = text.trim().split('\n');
  const head = lines[0].split(',');
  return lines.slice(1).map((l) => {
    const f = [];
    let cur = '', q = false;
    for (let i = 0; i < l.length; i++) {
      const c = l[i];
      if (q) { if (c === '"' && l[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') q = false; else cur += c; }
      else if (c === '"') q = true;
      else if (c === ',') { f.push(cur); cur = ''; }
      else cur += c;
    }
    f.push(cur);
    const o = {};
    head.forEach((h, i) => { o[h] = f[i] === '' ? null : f[i]; });
    return o;
  });
}

const inst = await DuckDBInstance.create(':memory:');
const conn = await inst.connect();
await conn.run("SET TimeZone = 'UTC'");

const AGGS = [
  ['count_star', 'id', 'n', 'count(*)', 'int'],
  ['count', 'clicks', 'cc', 'count(clicks)', 'int'],
  ['sum', 'clicks', 'sc', 'sum(clicks)', 'int'],
  ['sum', 'price', 'sp', 'sum(price)', 'dbl'],
  ['avg', 'price', 'ap', 'avg(price)', 'dbl'],
  ['min', 'clicks', 'mn', 'min(clicks)', 'int'],
  ['max', 'price', 'mx', 'max(price)', 'dbl'],
  ['count_distinct', 'clicks', 'dc', 'count(DISTINCT clicks)', 'int'],
  ['first', 'clicks', 'fc', 'first(clicks ORDER BY id)', 'int'],
  ['last', 'price', 'lp', 'last(price ORDER BY id)', 'dbl'],
  ['approx_count_distinct', 'id', 'ad', 'count(DISTINCT id)', 'approx'],
];

async function loadRows(rows, wm, sizeUs, slideUs) {
  const f = path.join(work, 'oracle_rows.csv');
  const lines = ['batch,id,ts_us,k,clicks,price,wm'];
  for (const x of rows) lines.push([x.batch, x.id, csvField(x.ts), csvField(x.k), csvField(x.clicks), csvField(x.price), csvField(wm[x.batch])].join(','));
  fs.writeFileSync(f, lines.join('\n') + '\n');
  await conn.run(`CREATE OR REPLACE TABLE rows AS SELECT * FROM read_csv('${f}', header=true, nullstr='',
    columns={'batch':'INTEGER','id':'BIGINT','ts_us':'BIGINT','k':'VARCHAR','clicks':'INTEGER','price':'DOUBLE','wm':'BIGINT'})`);
  // every (row, window) pair: time_bucket by the slide, then the earlier starts whose window still covers ts
  const per = sizeUs / slideUs;
  await conn.run(`CREATE OR REPLACE TABLE pairs AS
    SELECT r.*, epoch_us(time_bucket(INTERVAL '${slideUs} microseconds', make_timestamp(r.ts_us))) - i * ${slideUs} AS ws
    FROM rows r, range(0, ${per}) t(i) WHERE r.ts_us IS NOT NULL`);
  await conn.run(`CREATE OR REPLACE TABLE pairs AS SELECT *, (wm IS NOT NULL AND ws + ${sizeUs} <= wm) AS late FROM pairs`);
}

// Expected groups over pairs that were not late (when lateRule) of batches <= upTo; only those touched
// in batch `touched` when given.
async function expected(sizeUs, keyed, lateRule, upTo, touched) {
  const cols = AGGS.map((a) => `${a[3]} AS ${a[2]}`).join(', ');
  const where = [`batch <= ${upTo}`];
  if (lateRule) where.push('NOT late');
  const having = touched === undefined ? '' : `HAVING bool_or(batch = ${touched})`;
  const sql = `SELECT ws, ws + ${sizeUs} AS we, ${keyed ? 'k' : "'' AS k"}, min(batch) AS first_batch, ${cols}
    FROM pairs WHERE ${where.join(' AND ')} GROUP BY ws${keyed ? ', k' : ''} ${having} ORDER BY ws, k NULLS FIRST`;
  return (await conn.runAndReadAll(sql)).getRowObjectsJS();
}

function num(v) { return v === null || v === undefined ? null : Number(v); }

function compareGroup(tag, exp, got) {
  for (const [, , name, , kind] of AGGS) {
    const e = num(exp[name]), g = num(got[name]);
    if (e === null || g === null) { ok(e === g, tag, `${name}: expected ${e}, got ${g}`); continue; }
    if (kind === 'dbl') ok(e === g || Math.abs(e - g) <= 1e-9 * Math.max(Math.abs(e), Math.abs(g)), tag, `${name}: expected ${e}, got ${g}`);
    else if (kind === 'approx') ok(Math.abs(e - g) <= Math.max(1, 0.02 * e), tag, `${name}: exact ${e}, estimate ${g}`);
    else ok(e === g, tag, `${name}: expected ${e}, got ${g}`);
  }
}

// Session windows in complete mode (nothing is late or evicted): per key, rows ordered by event time
// form one session while each starts at or before the end (event time + gap) of those before it.
async function expectedSessions(gapUs, upTo) {
  const cols = AGGS.map((a) => `${a[3]} AS ${a[2]}`).join(', ');
  const sql = `WITH r AS (SELECT *, ts_us + ${gapUs} AS e FROM rows WHERE batch <= ${upTo} AND ts_us IS NOT NULL),
    o AS (SELECT *, max(e) OVER (PARTITION BY k ORDER BY ts_us, id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end FROM r),
    s AS (SELECT *, sum(CASE WHEN prev_end IS NULL OR ts_us > prev_end THEN 1 ELSE 0 END) OVER (PARTITION BY k ORDER BY ts_us, id) AS sid FROM o)
    SELECT min(ts_us) AS ws, max(e) AS we, k, ${cols} FROM s GROUP BY k, sid ORDER BY ws, k NULLS FIRST`;
  return (await conn.runAndReadAll(sql)).getRowObjectsJS();
}

async function sessionScenario(name, sc) {
  const dir = path.join(work, name);
  const nB = sc.batches;
  const rows = generate(sc.seed, nB, sc.jitter, sc.step);
  const files = writeInputs(dir, rows, nB);
  sc.out = path.join(dir, 'out.csv');
  sc.late = path.join(dir, 'late.csv');
  runDriver(files, sc);
  await loadRows(rows, watermarks(rows, nB, sc.delay * SEC), SEC, SEC);
  const out = parseCsv(fs.readFileSync(sc.out, 'utf8'));
  let merged = 0;
  for (let b = 0; b <= nB; b++) {
    const exp = await expectedSessions(sc.session * SEC, Math.min(b, nB - 1));
    const got = out.filter((o) => Number(o.input) === b);
    ok(got.length === exp.length, `${name} batch ${b} rows`, `${got.length} sessions, ${exp.length} expected`);
    const gm = new Map(got.map((o) => [gkey(o.session_window_start, o.k), o]));
    for (const e of exp) {
      const kk = gkey(String(e.ws), e.k);
      const g = gm.get(kk);
      if (!g) { fail(`${name} batch ${b}`, `missing session ${kk}`); continue; }
      ok(Number(g.session_window_end) === Number(e.we), `${name} batch ${b} end`, `${kk}: ${g.session_window_end} vs ${e.we}`);
      compareGroup(`${name} batch ${b} ${kk}`, e, g);
      if (Number(e.n) > 1) merged++;
    }
  }
  ok(merged > 50, `${name} sessions`, 'the data should make multi-row sessions');
}

const gkey = (ws, k) => `${ws}|${k === null || k === undefined ? '<null>' : k}`;

function runDriver(files, sc, extra = []) {
  const win = sc.session ? ['--session', `${sc.session}`] : ['--window', sc.slide ? `${sc.size},${sc.slide}` : `${sc.size}`];
  const args = ['--schema', 'id BIGINT, ts TIMESTAMP, k STRING, clicks INT, price DOUBLE', '--opt', 'header=true', '--ts', 'ts',
    ...win, '--delay', `${sc.delay}`, '--mode', sc.mode,
    '--out', sc.out, '--late', sc.late, ...extra];
  if (sc.keyed) args.push('--key', 'k');
  for (const a of AGGS) args.push('--agg', `${a[0]}:${a[1]}:${a[2]}`);
  execFileSync(driver, [...args, ...files], { stdio: ['ignore', 'ignore', 'inherit'] });
}

async function scenario(name, sc) {
  const dir = path.join(work, name);
  const nB = sc.batches;
  const rows = generate(sc.seed, nB, sc.jitter, sc.step);
  const files = writeInputs(dir, rows, nB);
  const sizeUs = sc.size * SEC, slideUs = (sc.slide || sc.size) * SEC;
  const wm = watermarks(rows, nB, sc.delay * SEC);
  sc.out = path.join(dir, 'out.csv');
  sc.late = path.join(dir, 'late.csv');
  runDriver(files, sc);
  await loadRows(rows, wm, sizeUs, slideUs);
  const out = parseCsv(fs.readFileSync(sc.out, 'utf8'));
  const late = parseCsv(fs.readFileSync(sc.late, 'utf8'));
  const lateRule = sc.mode !== 'complete';
  const tag = (s) => `${name} ${s}`;
  const byInput = new Map();
  for (const o of out) { const i = Number(o.input); if (!byInput.has(i)) byInput.set(i, []); byInput.get(i).push(o); }

  if (sc.mode === 'append') {
    const exp = await expected(sizeUs, sc.keyed, true, nB);
    const got = new Map();
    for (const o of out) {
      const kk = gkey(o.window_start, o.k);
      ok(!got.has(kk), tag('once'), `window ${kk} emitted twice`);
      got.set(kk, o);
    }
    ok(got.size === exp.length, tag('count'), `${got.size} windows emitted, ${exp.length} expected`);
    for (const e of exp) {
      const kk = gkey(String(e.ws), e.k === '' ? null : e.k);
      const g = got.get(kk);
      if (!g) { fail(tag('missing'), kk); continue; }
      ok(Number(g.window_end) === Number(e.we), tag('end'), kk);
      compareGroup(tag(kk), e, g);
      // emitted in the first batch (or its no-data batch) whose watermark reaches the end, not earlier
      let when = nB; // the final flush
      for (let f = Number(e.first_batch); f < nB; f++) if (wm[f + 1] !== null && wm[f + 1] >= Number(e.we)) { when = f; break; }
      ok(Number(g.input) === when, tag('timing'), `${kk} emitted after input ${g.input}, expected ${when}`);
    }
  } else {
    for (let b = 0; b <= nB; b++) { // b = nB: the final flush (update: nothing changed; complete: all again)
      const exp = await expected(sizeUs, sc.keyed, lateRule, Math.min(b, nB - 1), sc.mode === 'update' ? b : undefined);
      const got = byInput.get(b) || [];
      ok(got.length === exp.length, tag(`batch ${b} rows`), `${got.length} rows, ${exp.length} expected`);
      const gm = new Map(got.map((o) => [gkey(o.window_start, o.k), o]));
      for (const e of exp) {
        const kk = gkey(String(e.ws), e.k === '' ? null : e.k);
        const g = gm.get(kk);
        if (!g) { fail(tag(`batch ${b}`), `missing ${kk}`); continue; }
        compareGroup(tag(`batch ${b} ${kk}`), e, g);
      }
    }
  }
  // late rows: exactly those with a late pair, each once, with the watermark of its batch
  const expLate = lateRule ? (await conn.runAndReadAll('SELECT id, any_value(wm) AS wm FROM pairs WHERE late GROUP BY id ORDER BY id')).getRowObjectsJS() : [];
  ok(late.length === expLate.length, tag('late count'), `${late.length} late rows, ${expLate.length} expected`);
  const lm = new Map(late.map((l) => [Number(l.id), l]));
  for (const e of expLate) {
    const l = lm.get(Number(e.id));
    if (!l) { fail(tag('late'), `row ${e.id} missing`); continue; }
    ok(Number(l.missed_watermark) === Number(e.wm), tag('late wm'), `row ${e.id}: ${l.missed_watermark} vs ${e.wm}`);
  }
  if (sc.mode !== 'complete') ok(expLate.length > 0, tag('has late rows'), 'the data should have late rows');
  return { files, rows };
}

fs.mkdirSync(work, { recursive: true });
await scenario('tumbling_append_keys', { seed: 1, batches: 30, jitter: 40, step: 9, size: 30, delay: 10, mode: 'append', keyed: true });
await scenario('sliding_append', { seed: 2, batches: 30, jitter: 30, step: 7, size: 30, slide: 10, delay: 5, mode: 'append', keyed: false });
await scenario('sliding_append_keys', { seed: 3, batches: 25, jitter: 50, step: 11, size: 20, slide: 5, delay: 12, mode: 'append', keyed: true });
await scenario('tumbling_update_keys', { seed: 4, batches: 25, jitter: 40, step: 9, size: 30, delay: 10, mode: 'update', keyed: true });
await scenario('sliding_update', { seed: 5, batches: 25, jitter: 30, step: 8, size: 30, slide: 10, delay: 8, mode: 'update', keyed: false });
await scenario('sliding_complete_keys', { seed: 6, batches: 15, jitter: 30, step: 8, size: 30, slide: 15, delay: 8, mode: 'complete', keyed: true });

// Session windows in append mode, against a direct simulation of Spark's rules written here in JS:
// per batch, a row whose [ts, ts + gap) ends at or before the batch's watermark is late; the others
// join (merging) the sessions of their key that they overlap or touch; after the batch (and its no-data
// batch) every session ending at or before the next watermark is emitted once and forgotten.
function simulateSessions(rows, nB, wm, gapUs) {
  const open = new Map(); // key -> [{start, end, rows}]
  const emitted = [], late = [];
  for (let b = 0; b < nB; b++) {
    for (const x of rows.filter((r) => r.batch === b)) {
      if (x.ts === null) continue;
      const end = x.ts + gapUs;
      if (wm[b] !== null && end <= wm[b]) { late.push({ id: x.id, wm: wm[b] }); continue; }
      const key = x.k === null ? '<null>' : x.k;
      const list = open.get(key) || [];
      const hit = list.filter((s) => s.start <= end && x.ts <= s.end);
      const rest = list.filter((s) => !hit.includes(s));
      const m = { start: x.ts, end, rows: [x], k: x.k };
      for (const s of hit) { m.start = Math.min(m.start, s.start); m.end = Math.max(m.end, s.end); m.rows.push(...s.rows); }
      rest.push(m);
      open.set(key, rest);
    }
    const w = wm[b + 1];
    for (const [key, list] of open) {
      const keep = [];
      for (const s of list) if (w !== null && s.end <= w) emitted.push({ input: b, ...s }); else keep.push(s);
      open.set(key, keep);
    }
  }
  for (const list of open.values()) for (const s of list) emitted.push({ input: nB, ...s });
  return { emitted, late };
}

function aggsOf(rs) {
  rs = [...rs].sort((a, b) => a.id - b.id);
  const nn = (f) => rs.map(f).filter((v) => v !== null);
  const clicks = nn((r) => r.clicks), prices = nn((r) => r.price);
  return {
    n: rs.length, cc: clicks.length, sc: clicks.length ? clicks.reduce((a, b) => a + b, 0) : null,
    sp: prices.length ? prices.reduce((a, b) => a + b, 0) : null,
    ap: prices.length ? prices.reduce((a, b) => a + b, 0) / prices.length : null,
    mn: clicks.length ? Math.min(...clicks) : null, mx: prices.length ? Math.max(...prices) : null,
    dc: new Set(clicks).size, fc: rs[0].clicks, lp: rs[rs.length - 1].price, ad: new Set(rs.map((r) => r.id)).size,
  };
}

{
  const sc = { seed: 10, batches: 30, jitter: 40, step: 9, session: 7, delay: 10, mode: 'append', keyed: true };
  const dir = path.join(work, 'session_append');
  const rows = generate(sc.seed, sc.batches, sc.jitter, sc.step);
  const files = writeInputs(dir, rows, sc.batches);
  sc.out = path.join(dir, 'out.csv');
  sc.late = path.join(dir, 'late.csv');
  runDriver(files, sc);
  const wm = watermarks(rows, sc.batches, sc.delay * SEC);
  const sim = simulateSessions(rows, sc.batches, wm, sc.session * SEC);
  const out = parseCsv(fs.readFileSync(sc.out, 'utf8'));
  const late = parseCsv(fs.readFileSync(sc.late, 'utf8'));
  ok(out.length === sim.emitted.length, 'session_append count', `${out.length} sessions emitted, ${sim.emitted.length} expected`);
  const got = new Map(out.map((o) => [`${o.input}|${gkey(o.session_window_start, o.k)}`, o]));
  let multi = 0;
  for (const e of sim.emitted) {
    const kk = `${e.input}|${gkey(String(e.start), e.k)}`;
    const g = got.get(kk);
    if (!g) { fail('session_append', `missing ${kk}`); continue; }
    ok(Number(g.session_window_end) === e.end, 'session_append end', `${kk}: ${g.session_window_end} vs ${e.end}`);
    compareGroup(`session_append ${kk}`, aggsOf(e.rows), g);
    if (e.rows.length > 2) multi++;
  }
  ok(multi > 20, 'session_append sessions', 'the data should make sessions of several rows');
  ok(late.length === sim.late.length && sim.late.length > 0, 'session_append late count', `${late.length} late rows, ${sim.late.length} expected`);
  const lm = new Map(late.map((l) => [Number(l.id), Number(l.missed_watermark)]));
  for (const e of sim.late) ok(lm.get(e.id) === e.wm, 'session_append late', `row ${e.id}`);
}

// the same rows as JSON Lines through weir's JSON decoder: byte-identical results to the CSV run
{
  const sc = { seed: 1, batches: 30, jitter: 40, step: 9, size: 30, delay: 10, mode: 'append', keyed: true };
  const dir = path.join(work, 'jsonl');
  const rows = generate(sc.seed, sc.batches, sc.jitter, sc.step);
  const csvFiles = writeInputs(dir, rows, sc.batches);
  const jsonFiles = [];
  for (let b = 0; b < sc.batches; b++) {
    const lines = rows.filter((x) => x.batch === b).map((x) => JSON.stringify({ id: x.id, ts: x.ts === null ? null : isoUs(x.ts), k: x.k, clicks: x.clicks, price: x.price }));
    const f = path.join(dir, `part-${String(b).padStart(4, '0')}.jsonl`);
    fs.writeFileSync(f, lines.join('\n') + (lines.length ? '\n' : ''));
    jsonFiles.push(f);
  }
  const a = { ...sc, out: path.join(dir, 'csv_out.csv'), late: path.join(dir, 'csv_late.csv') };
  const j = { ...sc, out: path.join(dir, 'json_out.csv'), late: path.join(dir, 'json_late.csv') };
  runDriver(csvFiles, a);
  runDriver(jsonFiles, j, ['--format', 'json']);
  const ao = fs.readFileSync(a.out, 'utf8');
  ok(ao.split('\n').length > 50 && ao === fs.readFileSync(j.out, 'utf8'), 'jsonl windows', 'JSON Lines input gives other windows than CSV');
  ok(fs.readFileSync(a.late, 'utf8') === fs.readFileSync(j.late, 'utf8'), 'jsonl late', 'JSON Lines input gives other late rows than CSV');
}

await sessionScenario('session_complete_keys', { seed: 8, batches: 20, jitter: 40, step: 9, session: 6, delay: 10, mode: 'complete', keyed: true });

// exactly once across a restart: stop after some inputs, restart from the state, same bytes at the end
for (const [tag, sc] of [
  ['restart', { seed: 7, batches: 30, jitter: 40, step: 9, size: 30, slide: 10, delay: 10, mode: 'append', keyed: true }],
  ['restart_session', { seed: 9, batches: 30, jitter: 40, step: 9, session: 8, delay: 10, mode: 'update', keyed: true }],
]) {
  const dir = path.join(work, tag);
  const rows = generate(sc.seed, sc.batches, sc.jitter, sc.step);
  const files = writeInputs(dir, rows, sc.batches);
  const ref = { ...sc, out: path.join(dir, 'ref.csv'), late: path.join(dir, 'ref_late.csv') };
  runDriver(files, ref, ['--state', path.join(dir, 'state_ref')]);
  ok(fs.readFileSync(ref.out, 'utf8').split('\n').length > 20, `${tag} output`, 'the reference run should emit rows');
  for (const stop of [1, 7, 18, 29]) {
    const st = path.join(dir, `state_${stop}`);
    const run = { ...sc, out: path.join(dir, `out_${stop}.csv`), late: path.join(dir, `late_${stop}.csv`) };
    runDriver(files, run, ['--state', st, '--stop-after', String(stop)]);
    const map = fs.readFileSync(path.join(st, '_driver_inputs'), 'utf8').trim().split('\n');
    const last = map[map.length - 1].split(' ')[0];
    runDriver(files, run, ['--state', st, '--restore', last]);
    ok(fs.readFileSync(run.out, 'utf8') === fs.readFileSync(ref.out, 'utf8'), `${tag} after ${stop}`, 'output differs from the uninterrupted run');
    ok(fs.readFileSync(run.late, 'utf8') === fs.readFileSync(ref.late, 'utf8'), `${tag} after ${stop} late`, 'late rows differ');
  }
}
console.log(`${passed} passed, ${failed} failed`);
