// parquet_check.mjs DIR - reads every DIR/case_N.parquet that weir wrote with three independent readers
// (DuckDB, parquet-wasm = Apache Arrow's Rust reader, hyparquet) and compares each value with
// DIR/case_N.json, which the C test wrote from the same batch. Also checks that DuckDB's
// parquet_metadata() shows the statistics (min, max, null_count) the JSON says each row group has.
// Values are compared exactly: 64-bit integers and timestamps as BigInt, doubles with Object.is
// (so -0 differs from 0, NaN equals NaN). Last line: "N passed, N failed".
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { readParquet } from 'parquet-wasm';
import { tableFromIPC } from 'apache-arrow';
import { parquetReadObjects, parquetMetadata, readColumnIndex, readOffsetIndex } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

const dir = process.argv[2];
let passed = 0, failed = 0;
const fail = (what, msg) => { failed++; console.log(`FAIL ${what}: ${msg}`); };

// canonical form of an expected value (from the JSON) for a weir type
function canonExpected(type, v) {
  if (v === null) return null;
  if (typeof type === 'object') {
    const o = {};
    for (const f of type.struct) o[f.name] = canonExpected(f.type, v[f.name]);
    return o;
  }
  switch (type) {
    case 'bigint': case 'timestamp': return BigInt(v);
    case 'double': return Number(v);
    default: return v;
  }
}

function same(type, a, b) {
  if (a === null || b === null) return a === b;
  if (typeof type === 'object') {
    if (typeof a !== 'object' || typeof b !== 'object') return false;
    return type.struct.every(f => same(f.type, a[f.name], b[f.name]));
  }
  if (type === 'double') return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
  return a === b;
}

const show = v => JSON.stringify(v, (k, x) => typeof x === 'bigint' ? `${x}n` : (typeof x === 'number' && !Number.isFinite(x)) || Object.is(x, -0) ? String(Object.is(x, -0) ? '-0' : x) : x);

// ---- DuckDB values -> canonical
function fromDuck(type, v) {
  if (v === null || v === undefined) return null;
  if (typeof type === 'object') {
    const o = {};
    for (const f of type.struct) o[f.name] = fromDuck(f.type, v.entries[f.name]);
    return o;
  }
  switch (type) {
    case 'date': return v.days;
    case 'timestamp': return v.micros;
    case 'bigint': return BigInt(v);
    case 'int': return Number(v);
    default: return v;
  }
}

// ---- Arrow (from parquet-wasm) raw buffers -> canonical, exact (no Date conversions)
function arrowValue(type, data, i) {
  const j = data.offset + i;
  if (data.nullBitmap && data.nullBitmap.length && !((data.nullBitmap[j >> 3] >> (j & 7)) & 1)) return null;
  if (typeof type === 'object') {
    const o = {};
    type.struct.forEach((f, k) => {
      const child = data.children[k];
      o[f.name] = arrowValue(f.type, child, i);
    });
    return o;
  }
  switch (type) {
    case 'boolean': return !!((data.values[j >> 3] >> (j & 7)) & 1);
    case 'string': {
      if (data.valueOffsets) {
        const s = Number(data.valueOffsets[j]), e = Number(data.valueOffsets[j + 1]);
        return new TextDecoder().decode(data.values.subarray(s, e));
      }
      throw new Error(`unexpected Arrow string layout ${data.type}`);
    }
    case 'timestamp': {
      const unit = data.type.unit; // 0 s, 1 ms, 2 us, 3 ns
      const x = BigInt(data.values[j]);
      return unit === 2 ? x : unit === 3 ? x / 1000n : unit === 1 ? x * 1000n : x * 1000000n;
    }
    case 'date': {
      // Date32 (days) or Date64 (ms)
      if (data.values instanceof Int32Array) return data.values[j];
      return Number(BigInt(data.values[j]) / 86400000n);
    }
    case 'bigint': return BigInt(data.values[j]);
    case 'int': return data.values[j];
    case 'double': return data.values[j];
  }
  throw new Error(`type ${type}`);
}

function fromArrowTable(table, schema) {
  const rows = [];
  for (const batch of table.batches) {
    for (let i = 0; i < batch.numRows; i++) {
      const row = {};
      schema.struct.forEach(f => {
        const col = batch.getChild(f.name);
        row[f.name] = arrowValue(f.type, col.data[0], i);
      });
      rows.push(row);
    }
  }
  return rows;
}

// ---- hyparquet -> canonical
function fromHyp(type, v) {
  if (v === null || v === undefined) return null;
  if (typeof type === 'object') {
    const o = {};
    for (const f of type.struct) o[f.name] = fromHyp(f.type, v[f.name]);
    return o;
  }
  switch (type) {
    case 'bigint': case 'timestamp': return BigInt(v);
    default: return v;
  }
}

function compareRows(what, schema, expected, got) {
  if (got.length !== expected.length) return fail(what, `${got.length} rows, expected ${expected.length}`);
  for (let r = 0; r < expected.length; r++) {
    for (const f of schema.struct) {
      if (!same(f.type, expected[r][f.name], got[r][f.name]))
        return fail(what, `row ${r} column ${f.name}: got ${show(got[r][f.name])}, expected ${show(expected[r][f.name])}`);
    }
  }
  passed++;
}

const quote = s => `'${s.replaceAll("'", "''")}'`;

const inst = await DuckDBInstance.create(':memory:');
const conn = await inst.connect();
await conn.run('SET threads=1');

// DuckDB prints statistics as text in the column's logical type; turn them back into canonical values.
async function statValue(type, s) {
  if (s === null || s === undefined) return null;
  switch (type) {
    case 'int': return Number(s);
    case 'bigint': return BigInt(s);
    case 'double': return s === 'inf' ? Infinity : s === '-inf' ? -Infinity : Number(s);
    case 'boolean': return s === 'true' || s === '1';
    case 'string': return s;
    case 'date': {
      const r = await conn.runAndReadAll(`SELECT (CAST(${quote(s)} AS DATE) - DATE '1970-01-01')::INTEGER AS d`);
      return Number(r.getRowObjectsJS()[0].d);
    }
    case 'timestamp': {
      const r = await conn.runAndReadAll(`SELECT epoch_us(CAST(${quote(s)} AS TIMESTAMPTZ)) AS t`);
      return BigInt(r.getRowObjects()[0].t);
    }
  }
  return s;
}

// ---- page index: OffsetIndex and ColumnIndex of every chunk, against the expected rows of each page
function leafAt(row, path) { // undefined when the leaf or an ancestor is NULL
  let v = row;
  for (const k of path) { if (v === null || v === undefined) return undefined; v = v[k]; }
  return v === null ? undefined : v;
}
const bytesCmp = (a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
function cmpVal(t, a, b) {
  if (t === 'string') return bytesCmp(a, b);
  if (t === 'boolean') return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}
function checkPageIndex(buf, hmeta, spec, expected) {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let firstRow = 0;
  for (let g = 0; g < hmeta.row_groups.length; g++) {
    const rg = hmeta.row_groups[g];
    const rgRows = Number(rg.num_rows);
    rg.columns.forEach((col, ci) => {
      const md = col.meta_data;
      const path = md.path_in_schema;
      const st = spec.stats.find(x => x.rg === g && x.path === path.join('.'));
      const t = st.type;
      if (col.offset_index_offset === undefined) throw new Error(`rg ${g} ${path}: no OffsetIndex`);
      const oi = readOffsetIndex({ view, offset: Number(col.offset_index_offset) });
      const locs = oi.page_locations;
      const start = Number(md.dictionary_page_offset ?? md.data_page_offset);
      const end = start + Number(md.total_compressed_size);
      if (!locs.length || Number(locs[0].first_row_index) !== 0 || Number(locs[0].offset) !== Number(md.data_page_offset))
        throw new Error(`rg ${g} ${path}: first page location wrong`);
      locs.forEach((l, i) => {
        const next = i + 1 < locs.length ? Number(locs[i + 1].offset) : end;
        if (Number(l.offset) + l.compressed_page_size !== next) throw new Error(`rg ${g} ${path}: page ${i} does not end where the next begins`);
        if (i && Number(l.first_row_index) <= Number(locs[i - 1].first_row_index)) throw new Error(`rg ${g} ${path}: first_row_index not increasing`);
      });
      if (col.column_index_offset === undefined) {
        // allowed only when some page holds nothing but NaN (parquet.thrift)
        if (t !== 'double') throw new Error(`rg ${g} ${path}: no ColumnIndex`);
        return;
      }
      // raw bytes (hyparquet's own conversion cannot take the empty bounds the spec asks for on NULL pages)
      const cix = readColumnIndex({ view, offset: Number(col.column_index_offset) }, { type: 'BYTE_ARRAY' }, { stringFromBytes: b => b });
      const decode = b => {
        const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
        switch (t) {
          case 'boolean': return b[0] === 1;
          case 'int': case 'date': return dv.getInt32(0, true);
          case 'bigint': case 'timestamp': return dv.getBigInt64(0, true);
          case 'double': return dv.getFloat64(0, true);
          default: return new TextDecoder('utf-8', { fatal: true }).decode(b);
        }
      };
      if (cix.null_pages.length !== locs.length || cix.boundary_order === undefined) throw new Error(`rg ${g} ${path}: ColumnIndex has ${cix.null_pages.length} pages, OffsetIndex ${locs.length}`);
      locs.forEach((l, i) => {
        const r0 = firstRow + Number(l.first_row_index);
        const r1 = firstRow + (i + 1 < locs.length ? Number(locs[i + 1].first_row_index) : rgRows);
        let nulls = 0, mn, mx;
        for (let r = r0; r < r1; r++) {
          const v = leafAt(expected[r], path);
          if (v === undefined) { nulls++; continue; }
          if (t === 'double' && Number.isNaN(v)) continue;
          if (mn === undefined || cmpVal(t, v, mn) < 0) mn = v;
          if (mx === undefined || cmpVal(t, v, mx) > 0) mx = v;
        }
        if (Number(cix.null_counts[i]) !== nulls) throw new Error(`rg ${g} ${path} page ${i}: null_count ${cix.null_counts[i]}, expected ${nulls}`);
        if (cix.null_pages[i] !== (nulls === r1 - r0)) throw new Error(`rg ${g} ${path} page ${i}: null_pages ${cix.null_pages[i]}`);
        if (cix.null_pages[i]) return;
        let gmin = decode(cix.min_values[i]), gmax = decode(cix.max_values[i]);
        if (t === 'double') { if (mn === 0) mn = -0; if (mx === 0) mx = 0; }
        if (t === 'string' && Buffer.byteLength(mn) > 64) {
          const gb = Buffer.from(gmin);
          if (gb.length > 64 || !Buffer.from(mn).subarray(0, gb.length).equals(gb)) throw new Error(`rg ${g} ${path} page ${i}: truncated min is not a prefix`);
        } else if (!same(t, mn, gmin)) throw new Error(`rg ${g} ${path} page ${i}: min ${show(gmin)}, expected ${show(mn)}`);
        if (t === 'string' && Buffer.byteLength(mx) > 64) {
          if (bytesCmp(gmax, mx) < 0) throw new Error(`rg ${g} ${path} page ${i}: truncated max below the max: ${show(gmax)} vs ${show(mx.slice(0, 80))}`);
        } else if (!same(t, mx, gmax)) throw new Error(`rg ${g} ${path} page ${i}: max ${show(gmax)}, expected ${show(mx)}`);
      });
    });
    firstRow += rgRows;
  }
}

const files = readdirSync(dir).filter(f => /^case_\d+\.json$/.test(f)).sort((a, b) => parseInt(a.slice(5)) - parseInt(b.slice(5)));
for (const jf of files) {
  const spec = JSON.parse(readFileSync(join(dir, jf), 'utf8'));
  const path = join(dir, spec.file);
  const tag = `${spec.file} (${spec.codec}, v${spec.pageVersion}, dict ${spec.dictionary})`;
  const schema = spec.schema;
  const expected = spec.rows.map(r => canonExpected(schema, r));

  // DuckDB
  try {
    const res = await conn.runAndReadAll(`SELECT * FROM read_parquet(${quote(path)})`);
    const rows = res.getRowObjects().map(r => fromDuck(schema, { entries: r }));
    compareRows(`${tag} duckdb`, schema, expected, rows);
  } catch (e) { fail(`${tag} duckdb`, e.message); }

  // parquet-wasm -> Arrow IPC -> apache-arrow
  try {
    const bytes = new Uint8Array(readFileSync(path));
    const t = tableFromIPC(readParquet(bytes).intoIPCStream());
    compareRows(`${tag} parquet-wasm`, schema, expected, fromArrowTable(t, schema));
  } catch (e) { fail(`${tag} parquet-wasm`, e.message); }

  // hyparquet
  try {
    const buf = readFileSync(path);
    const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    const rows = await parquetReadObjects({
      file, compressors, parsers: { timestampFromMicroseconds: v => v, dateFromDays: d => d },
    });
    compareRows(`${tag} hyparquet`, schema, expected, rows.map(r => fromHyp(schema, r)));
  } catch (e) { fail(`${tag} hyparquet`, e.message); }

  // statistics
  try {
    const res = await conn.runAndReadAll(`SELECT row_group_id, path_in_schema, stats_min_value, stats_max_value, stats_null_count, num_values FROM parquet_metadata(${quote(path)})`);
    const meta = res.getRowObjectsJS();
    const buf = readFileSync(path);
    const hmeta = parquetMetadata(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    const groups = new Set(meta.map(m => Number(m.row_group_id)));
    let bad = null;
    if (groups.size !== spec.row_groups) bad = `${groups.size} row groups, expected ${spec.row_groups}`;
    for (const st of spec.stats) {
      if (bad) break;
      const p = st.path.split('.').join(', ');
      const m = meta.find(x => Number(x.row_group_id) === st.rg && x.path_in_schema === p);
      if (!m) { bad = `no metadata for row group ${st.rg} column ${st.path}`; break; }
      const t = st.type;
      const emin = st.min === null ? null : canonExpected(t, t === 'double' ? st.min : st.min);
      const emax = st.max === null ? null : canonExpected(t, st.max);
      let gmin = await statValue(t, m.stats_min_value), gmax = await statValue(t, m.stats_max_value);
      // DuckDB's parquet_metadata() shows no infinite bound (not even for files DuckDB writes): read those
      // from the raw footer with hyparquet instead.
      const ci = meta.filter(x => Number(x.row_group_id) === st.rg).indexOf(m);
      const hst = hmeta.row_groups[st.rg].columns[ci].meta_data.statistics;
      if (gmin === null && emin !== null && !Number.isFinite(emin)) gmin = Number(hst.min_value);
      if (gmax === null && emax !== null && !Number.isFinite(emax)) gmax = Number(hst.max_value);
      if (Number(m.stats_null_count) !== st.null_count) bad = `rg ${st.rg} ${st.path}: null_count ${m.stats_null_count}, expected ${st.null_count}`;
      else if (!same(t, emin, gmin)) bad = `rg ${st.rg} ${st.path}: min ${show(gmin)} (${m.stats_min_value}), expected ${show(emin)}`;
      else if (!same(t, emax, gmax)) bad = `rg ${st.rg} ${st.path}: max ${show(gmax)} (${m.stats_max_value}), expected ${show(emax)}`;
    }
    if (bad) fail(`${tag} stats`, bad); else passed++;
  } catch (e) { fail(`${tag} stats`, e.message); }

  // file metadata as DuckDB sees it (DuckDB prints IntType's i8 bitWidth as a character: ' ' = 32, '@' = 64): created_by, key-value metadata, physical/converted/logical types
  try {
    const fm = (await conn.runAndReadAll(`SELECT created_by FROM parquet_file_metadata(${quote(path)})`)).getRowObjectsJS()[0];
    if (fm.created_by !== 'weir version 0.1.0') throw new Error(`created_by ${fm.created_by}`);
    const kv = (await conn.runAndReadAll(`SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata(${quote(path)})`)).getRowObjectsJS();
    if (kv.length !== 1 || kv[0].k !== 'weir.test' || kv[0].v !== 'case') throw new Error(`key-value metadata ${JSON.stringify(kv)}`);
    const els = (await conn.runAndReadAll(`SELECT name, type, converted_type, logical_type, repetition_type, num_children FROM parquet_schema(${quote(path)})`)).getRowObjectsJS();
    const want = { boolean: ['BOOLEAN', null, null], int: ['INT32', 'INT_32', /IntType\(bitWidth=(32| ), isSigned=1\)/],
      bigint: ['INT64', 'INT_64', /IntType\(bitWidth=(64|@), isSigned=1\)/], double: ['DOUBLE', null, null],
      string: ['BYTE_ARRAY', 'UTF8', /StringType/], date: ['INT32', 'DATE', /DateType/],
      timestamp: ['INT64', 'TIMESTAMP_MICROS', /TimestampType\(isAdjustedToUTC=1, unit=TimeUnit\(MILLIS=<null>, MICROS=MicroSeconds\(\)/] };
    let i = 1;
    const walk = st => {
      for (const f of st.struct) {
        const e = els[i++];
        if (!e || e.name !== f.name || e.repetition_type !== 'OPTIONAL') throw new Error(`schema element ${i - 1}: ${JSON.stringify(e)}`);
        if (typeof f.type === 'object') {
          if (e.type !== null || Number(e.num_children) !== f.type.struct.length) throw new Error(`group ${f.name}: ${JSON.stringify(e)}`);
          walk(f.type);
        } else {
          const [pt, ct, lt] = want[f.type];
          if (e.type !== pt || e.converted_type !== ct || (lt ? !lt.test(e.logical_type ?? '') : e.logical_type !== null))
            throw new Error(`column ${f.name} (${f.type}): ${e.type} ${e.converted_type} ${e.logical_type}`);
        }
      }
    };
    walk(schema);
    if (i !== els.length) throw new Error(`${els.length} schema elements, expected ${i}`);
    passed++;
  } catch (e) { fail(`${tag} file metadata`, e.message); }

  try {
    const buf = readFileSync(path);
    const hmeta = parquetMetadata(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    checkPageIndex(buf, hmeta, spec, expected);
    passed++;
  } catch (e) { fail(`${tag} page index`, e.message); }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
