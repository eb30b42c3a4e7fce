// parquet_read_check.mjs WEIR CONFORMANCE_DIR - weir's Parquet reader against DuckDB.
//
// 1. Every file of CONFORMANCE_DIR/data: `weir cat --format jsonl` must give exactly DuckDB's values, or
//    fail cleanly with an "unsupported: ..." message (listed at the end).
// 2. Every file of CONFORMANCE_DIR/bad_data: weir must not crash (an error exit with a message).
// 3. Files DuckDB writes here with each codec and both Parquet versions (V2 brings DELTA encodings and
//    v2 data pages) from a table with NULLs, structs, dates, timestamps before 1970: weir gives DuckDB's values.
// Values are compared exactly: weir's JSON numbers are kept as text and parsed as BigInt or Number as
// DuckDB's type requires. Last line: "N passed, N failed".
import { readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { DuckDBInstance } from '@duckdb/node-api';

const [weir, confDir] = process.argv.slice(2);
let passed = 0, failed = 0;
const unsupported = [];
const fail = (what, msg) => { failed++; console.log(`FAIL ${what}: ${msg}`); };

// JSON parser that keeps numbers as text: {num: '123'}
function parseRaw(s) {
  let i = 0;
  const ws = () => { while (i < s.length && ' \t\r\n'.includes(s[i])) i++; };
  function val() {
    ws();
    const c = s[i];
    if (c === '{') {
      i++; const o = {}; ws();
      if (s[i] === '}') { i++; return o; }
      for (;;) { ws(); const k = val(); ws(); i++; o[k] = val(); ws(); if (s[i++] === '}') return o; }
    }
    if (c === '"') {
      let j = i + 1, out = '';
      while (s[j] !== '"') {
        if (s[j] === '\\') {
          const e = s[j + 1];
          if (e === 'u') { out += String.fromCharCode(parseInt(s.slice(j + 2, j + 6), 16)); j += 6; }
          else { out += { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' }[e] ?? e; j += 2; }
        } else out += s[j++];
      }
      i = j + 1; return out;
    }
    if (s.startsWith('true', i)) { i += 4; return true; }
    if (s.startsWith('false', i)) { i += 5; return false; }
    if (s.startsWith('null', i)) { i += 4; return null; }
    const m = /^-?[0-9.eE+-]+/.exec(s.slice(i, i + 40));
    if (!m) throw new Error(`bad JSON at ${i}: ${s.slice(i, i + 20)}`);
    i += m[0].length; return { num: m[0] };
  }
  return val();
}

function daysOf(iso) {
  const m = /^(-?\d+)-(\d\d)-(\d\d)$/.exec(iso);
  if (!m) return NaN;
  const d = new Date(0); d.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Math.round(d.getTime() / 86400000);
}
function microsOf(iso) {
  const m = /^(-?\d+)-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?Z$/.exec(iso);
  if (!m) return null;
  const d = new Date(0); d.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  d.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), 0);
  return BigInt(d.getTime()) * 1000n + BigInt((m[7] ?? '0').padEnd(6, '0'));
}
const floorDiv = (a, b) => (a % b < 0n ? a / b - 1n : a / b);

// does weir's value w match DuckDB's value v?
function match(v, w) {
  if (v === null || v === undefined) return w === null;
  if (w === null) return false;
  if (typeof v === 'boolean') return w === v;
  if (typeof v === 'number') {
    const x = typeof w === 'string' ? Number(w) : w && w.num !== undefined ? Number(w.num) : NaN;
    return Object.is(x, v) || (Number.isNaN(x) && Number.isNaN(v));
  }
  if (typeof v === 'bigint') return w && w.num !== undefined && BigInt(w.num) === v;
  if (typeof v === 'string') return w === v;
  if (typeof v === 'object') {
    if (v.days !== undefined) return typeof w === 'string' && daysOf(w) === v.days;
    if (v.micros !== undefined || v.nanos !== undefined || v.millis !== undefined || v.seconds !== undefined) {
      const us = v.micros !== undefined ? BigInt(v.micros) : v.nanos !== undefined ? floorDiv(BigInt(v.nanos), 1000n)
        : v.millis !== undefined ? BigInt(v.millis) * 1000n : BigInt(v.seconds) * 1000000n;
      return typeof w === 'string' && microsOf(w) === us;
    }
    if (v.bytes !== undefined) return typeof w === 'string' && new TextDecoder().decode(v.bytes) === w;
    if (v.entries !== undefined) {
      if (typeof w !== 'object' || w.num !== undefined) return false;
      return Object.keys(v.entries).every(k => match(v.entries[k], w[k]));
    }
  }
  return false;
}
const show = x => JSON.stringify(x, (k, y) => typeof y === 'bigint' ? `${y}n` : y);

const inst = await DuckDBInstance.create(':memory:');
const conn = await inst.connect();
await conn.run('SET threads=1');
const quote = s => `'${s.replaceAll("'", "''")}'`;

function runWeir(path) {
  return spawnSync(weir, ['cat', '--format', 'jsonl', '--batch', '1000', path], { encoding: 'utf8', maxBuffer: 1 << 30 });
}

// Where DuckDB itself is wrong, the value the file's own description gives (as weir prints it):
// int96_from_spark.md says row 5 is 290000-12-31T01:00:00+02:00, which DuckDB's nanosecond arithmetic
// overflows.
const overrides = { 'data/int96_from_spark.parquet': { 5: { a: '+290000-12-30T23:00:00.000000Z' } } };

async function compareFile(tag, path, mustSupport) {
  const r = runWeir(path);
  if (r.signal || r.status > 2 || r.status === null) return fail(tag, `weir crashed (${r.signal ?? r.status}): ${r.stderr.slice(0, 300)}`);
  if (r.status !== 0) {
    if (!mustSupport && /unsupported: /.test(r.stderr)) { unsupported.push(`${tag}: ${r.stderr.trim()}`); passed++; return; }
    return fail(tag, `weir failed: ${r.stderr.trim()}`);
  }
  let duck;
  try {
    duck = (await conn.runAndReadAll(`SELECT * FROM read_parquet(${quote(path)})`)).getRowObjects();
  } catch (e) { return fail(tag, `weir read it but DuckDB did not: ${e.message}`); }
  const lines = r.stdout.split('\n').filter(l => l.length);
  if (lines.length !== duck.length) return fail(tag, `weir gave ${lines.length} rows, DuckDB ${duck.length}`);
  for (let i = 0; i < duck.length; i++) {
    const w = parseRaw(lines[i]);
    for (const k of Object.keys(duck[i])) {
      const o = overrides[tag]?.[i]?.[k];
      if (o !== undefined) { if (w[k] !== o) return fail(tag, `row ${i} column ${k}: weir ${show(w[k])}, expected ${o}`); continue; }
      if (!match(duck[i][k], w[k])) return fail(tag, `row ${i} column ${k}: weir ${show(w[k])}, DuckDB ${show(duck[i][k])}`);
    }
  }
  passed++;
}

// 1. conformance data
for (const f of readdirSync(join(confDir, 'data')).filter(f => f.endsWith('.parquet')).sort())
  await compareFile(`data/${f}`, join(confDir, 'data', f), false);

// 2. bad data: an error, never a crash
for (const f of readdirSync(join(confDir, 'bad_data')).filter(f => f.endsWith('.parquet')).sort()) {
  const r = runWeir(join(confDir, 'bad_data', f));
  if (r.signal || r.status === null || r.status > 2) fail(`bad_data/${f}`, `weir crashed (${r.signal ?? r.status})`);
  else if (r.status !== 0) passed++;
  // ARROW-GH-43605 (dictionary indices with bit width 0 over a one-entry dictionary) has one sensible
  // reading; weir may read such a file only if it gives exactly what DuckDB gives.
  else await compareFile(`bad_data/${f} (read without error)`, join(confDir, 'bad_data', f), true);
}

// 3. files DuckDB writes
const tmp = mkdtempSync(join(tmpdir(), 'weir-pq-duck-'));
await conn.run(`CREATE TABLE t AS SELECT
  i::INTEGER AS i,
  CASE WHEN i % 9 = 0 THEN NULL ELSE (i * 1000000007 - 2500000000000)::BIGINT END AS b,
  CASE WHEN i % 7 = 0 THEN NULL WHEN i % 50 = 1 THEN 'nan'::DOUBLE WHEN i % 50 = 2 THEN '-inf'::DOUBLE ELSE i / 3.0 - 700 END::DOUBLE AS d,
  CASE WHEN i % 5 = 0 THEN NULL WHEN i % 17 = 0 THEN '' ELSE 'str' || (i % 13) || repeat('é', i % 4) END AS s,
  CASE WHEN i % 6 = 0 THEN NULL ELSE 'unique-' || i END AS u,
  DATE '1960-01-01' + i::INTEGER AS dt,
  TIMESTAMPTZ '1950-01-01 00:00:00+00' + to_microseconds(i * 1234567) AS ts,
  TIMESTAMP '1969-12-31 23:59:59' + to_microseconds(i) AS tsl,
  CASE WHEN i % 4 = 0 THEN NULL ELSE i % 3 = 0 END AS bo,
  {'a': i, 'b': CASE WHEN i % 3 = 0 THEN NULL ELSE 'x' || i END, 'c': {'d': i::DOUBLE / 8}} AS st,
  CASE WHEN i % 11 = 0 THEN NULL ELSE {'x': i::SMALLINT} END AS st2,
  (i % 100)::FLOAT AS fl,
  (i % 250)::UTINYINT AS u8,
  (i * 65521 % 4294967296)::UINTEGER AS u32,
  (i % 120 - 60)::TINYINT AS i8
FROM range(0, 20000) r(i)`);
for (const version of ['V1', 'V2']) {
  for (const codec of ['snappy', 'zstd', 'gzip', 'uncompressed']) {
    const path = join(tmp, `duck_${codec}_${version}.parquet`);
    await conn.run(`COPY t TO ${quote(path)} (FORMAT parquet, COMPRESSION ${codec}, PARQUET_VERSION ${version}, ROW_GROUP_SIZE 7000)`);
    await compareFile(`duckdb ${codec} ${version}`, path, true);
  }
}
rmSync(tmp, { recursive: true, force: true });

if (unsupported.length) console.log(`clear "unsupported" errors (${unsupported.length}):\n  ` + unsupported.join('\n  '));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
