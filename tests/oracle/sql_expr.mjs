// sql_expr.mjs DIR BIN - weir's SQL expressions against DuckDB and against Spark's rules coded here.
//
// 1. Generates rows (NULLs, INT/BIGINT edges, awkward doubles, unicode and number-like strings,
//    timestamps around 1970 and DST changes) into DIR/rows.jsonl.
// 2. Writes the expressions to DIR/exprs.txt and runs BIN (build/tests/test_sql_expr) in oracle mode
//    (SQL_EXPR_ORACLE=DIR), which writes weir's result of every expression on every row to DIR/weir.tsv.
// 3. Each expression's expected values come from DuckDB running an equivalent query over the same rows,
//    or, where DuckDB's semantics differ from Spark's (overflow is an error in DuckDB, round() on
//    doubles, casts from strings, substring positions, Java's double text...), from Spark's rule computed
//    here in JavaScript; every such place says why.
// 4. Then a second pass in the session time zone Europe/Paris, with expected values from Intl (ICU).
// Last line: "N passed, N failed".
import { DuckDBInstance } from '@duckdb/node-api';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, bin] = process.argv.slice(2);
let passed = 0, failed = 0;
const fail = (msg) => { failed++; if (failed <= 40) console.log('FAIL ' + msg); };

// ---- rows ----
let seed = 12345;
const rand = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
const pick = (a) => a[Math.floor(rand() * a.length)];
const INTS = [0, 1, -1, 2, 7, 42, -42, 1000, 2147483647, -2147483648, 65536, null];
const INTS2 = [0, 1, -1, 2, 3, 5, -7, 2147483647, null];
const BIGS = [0n, 1n, -1n, 9223372036854775807n, -9223372036854775808n, 123456789012n, -98765n, null];
const DBLS = [0.5, 1.5, 2.5, -2.5, 1.005, 0.125, 3.9000000000000004, 1e300, -0, 0, 123.456, 1e-5, 7,
  -1234.5678, 9.995, 1e7, 12345678.9, 0.001, 0.0001, 2147483648.5, -1e19, null];
const DBLS2 = [0, 2, -3.5, 0.1, 1, null];
const STRS = ['abc', '', '  pad  ', 'Ünïcödé', '日本語テキスト', 'A%B_C', '42', ' 17 ', '3.9', 'x1',
  'ÀÉÎ Привет αβγ', null, 'true', 'no', '-12.5e1', 'Spark SQL', 'abd', '+8', '1.', '9999999999', ' T ', '-0'];
const STRS2 = ['2022-09-06 11:40:00', '2022-09-06T11:40:00.123456', '2024/02/29 23:59', 'garbage', '', null,
  'abd', 'abc', '2022-09-06', ' 2023-01-01 00:00:00 '];
const TS_EDGE = ['1970-01-01T00:00:00', '1969-12-31T23:59:59.999999', '2024-02-29T12:34:56.789',
  '2024-03-31T01:30:00', '2023-10-29T00:30:00.5', '2022-09-06T11:40:00.123456', '1999-12-31T23:00:00'];
const pad = (n, w = 2) => String(n).padStart(w, '0');
const usToIso = (us) => {
  const ms = Number(us / 1000n - (us % 1000n < 0n ? 1n : 0n));
  const d = new Date(ms);
  const micro = ((us % 1000000n) + 1000000n) % 1000000n;
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:` +
    `${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(micro, 6)}`;
};
const isoToUs = (s) => {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?$/.exec(s);
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  return BigInt(ms) * 1000n + BigInt(((m[7] || '') + '000000').slice(0, 6));
};
const rows = [];
for (let id = 0; id < 60; id++) {
  let t = null;
  if (id % 11 !== 5) {
    t = id < TS_EDGE.length ? TS_EDGE[id]
      : usToIso(BigInt(Math.floor((rand() * 2.2e9 - 3e8))) * 1000000n + BigInt(Math.floor(rand() * 1e6)));
  }
  rows.push({ id, i: pick(INTS), i2: pick(INTS2), b: pick(BIGS), d: pick(DBLS), d2: pick(DBLS2), s: pick(STRS),
    s2: pick(STRS2), t, flag: pick([true, false, null]) });
}
const jsonVal = (v) => v === null ? 'null' : typeof v === 'bigint' ? v.toString()
  : typeof v === 'number' ? (Object.is(v, -0) ? '-0.0' : String(v)) : JSON.stringify(v);
writeFileSync(join(dir, 'rows.jsonl'), rows.map((r) =>
  '{' + Object.entries(r).map(([k, v]) => `"${k}":${jsonVal(v)}`).join(',') + '}').join('\n') + '\n');
for (const r of rows) r.tUs = r.t === null ? null : isoToUs(r.t);

// ---- Spark's rules, by hand ----
const I32 = (x) => BigInt.asIntN(32, BigInt(x));
const wrapSql = (x, bits) => `((((${x})::HUGEINT + (1::HUGEINT << ${bits - 1})) % (1::HUGEINT << ${bits}) + ` +
  `(1::HUGEINT << ${bits})) % (1::HUGEINT << ${bits}) - (1::HUGEINT << ${bits - 1}))`;
const W32 = (x) => wrapSql(x, 32), W64 = (x) => wrapSql(x, 64);
const nul = (...a) => a.some((x) => x === null || x === undefined);
// Spark's UTF8String.toLong/toInt: trimmed, sign, digits, optionally '.' and digits (dropped); else NULL
function strToInt(s, bits) {
  if (s === null) return null;
  const m = /^[\x00-\x20]*([+-]?)(\d+)(?:\.\d*)?[\x00-\x20]*$/.exec(s);
  if (!m) return null;
  const v = BigInt(m[1] + m[2]);
  return BigInt.asIntN(bits, v) === v ? v : null;
}
function strToDouble(s) {
  if (s === null) return null;
  const t = s.replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, '').replace(/(?<=[\d.])[dDfF]$/, '');
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t[0] === '-' ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(t)) return NaN;
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : null;
}
function strToBool(s) {
  if (s === null) return null;
  const t = s.replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, '').toLowerCase();
  if (['t', 'true', 'y', 'yes', '1'].includes(t)) return true;
  if (['f', 'false', 'n', 'no', '0'].includes(t)) return false;
  return null;
}
// Java's (int)/(long) of a double: truncation, saturating, NaN -> 0
function d2i(d, bits) {
  if (d === null) return null;
  if (Number.isNaN(d)) return 0n;
  const max = (1n << BigInt(bits - 1)) - 1n, min = -(1n << BigInt(bits - 1));
  if (d >= Number(max)) return max;
  if (d <= Number(min)) return min;
  return BigInt(Math.trunc(d));
}
// shortest digits of |x| and the decimal point position (JS's Number -> String is shortest round-trip)
function digitsOf(x) {
  const [mant, e] = Math.abs(x).toExponential().split('e');
  const digits = mant.replace('.', '').replace(/0+$/, '') || '0';
  return { digits, point: Number(e) + 1 };
}
// Java's Double.toString (shortest digits): fixed for 1e-3 <= |x| < 1e7, else d.dddE<exp>
function javaDouble(x) {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const a = Math.abs(x);
  if (a === 0) return sign + '0.0';
  const { digits, point } = digitsOf(a);
  if (a >= 1e-3 && a < 1e7) {
    if (point <= 0) return sign + '0.' + '0'.repeat(-point) + digits;
    const ip = digits.slice(0, point).padEnd(point, '0'), fp = digits.slice(point);
    return sign + ip + '.' + (fp || '0');
  }
  return sign + digits[0] + '.' + (digits.slice(1) || '0') + 'E' + (point - 1);
}
// round(x, s) on a double: BigDecimal(Double.toString(x)).setScale(s, HALF_UP).toDouble
function roundHalfUp(x, s) {
  if (x === null) return null;
  if (!Number.isFinite(x) || x === 0) return Number.isFinite(x) ? 0 : x;
  const { digits, point } = digitsOf(x);
  const keep = point + s;
  if (keep >= digits.length) return x;
  if (keep < 0) return 0;
  let q = BigInt(digits.slice(0, keep) || '0');
  if (digits[keep] >= '5') q += 1n;
  if (q === 0n) return 0;
  return Number((x < 0 ? '-' : '') + q.toString() + 'e' + (-s));
}
function roundInt(v, s, bits) {
  if (v === null) return null;
  if (s >= 0) return BigInt(v);
  const f = 10n ** BigInt(-s);
  let x = BigInt(v), q = x / f, r = x % f;
  if (r * 2n >= f) q += 1n; else if (-r * 2n >= f) q -= 1n;
  return BigInt.asIntN(bits, q * f);
}
// UTF8String.substringSQL on code points
function substr(s, pos, len = 2147483647) {
  if (nul(s, pos, len)) return null;
  const cps = [...s];
  let start = pos > 0 ? pos - 1 : pos < 0 ? cps.length + pos : 0;
  let end = Math.min(start + len, 2147483647);
  start = Math.max(start, 0);
  return start >= end ? '' : cps.slice(start, end).join('');
}
const floorDiv = (a, b) => { const q = a / b; return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q; };
// local fields of a UTC instant in a zone, through ICU
function localOf(us, tz) {
  const ms = Number(floorDiv(us, 1000n));
  const f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit',
    day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const micro = Number(((us % 1000000n) + 1000000n) % 1000000n);
  return { y: +p.year, mo: +p.month, d: +p.day, h: +p.hour, mi: +p.minute, s: +p.second, micro };
}
function tsText(us, tz) {
  if (us === null) return null;
  const l = localOf(us, tz);
  let t = `${l.y}-${pad(l.mo)}-${pad(l.d)} ${pad(l.h)}:${pad(l.mi)}:${pad(l.s)}`;
  if (l.micro) t += '.' + pad(l.micro, 6).replace(/0+$/, '');
  return t;
}
// local wall clock -> UTC (not used across DST gaps here)
function localToUtc(y, mo, d, h, mi, s, tz) {
  const guess = BigInt(Date.UTC(y, mo - 1, d, h, mi, s)) * 1000n;
  let utc = guess;
  for (let k = 0; k < 3; k++) {
    const l = localOf(utc, tz);
    const lus = BigInt(Date.UTC(l.y, l.mo - 1, l.d, l.h, l.mi, l.s)) * 1000n;
    utc = guess - (lus - floorDiv(utc, 1000000n) * 1000000n);
  }
  return utc;
}
const TS_TEXT = { // Spark's to_timestamp(s2) of each generated text, read in UTC (one-digit fields and spaces allowed)
  '2022-09-06 11:40:00': isoToUs('2022-09-06T11:40:00'), '2022-09-06T11:40:00.123456': isoToUs('2022-09-06T11:40:00.123456'),
  '2022-09-06': isoToUs('2022-09-06T00:00:00'), ' 2023-01-01 00:00:00 ': isoToUs('2023-01-01T00:00:00') };

// [weir expression, DuckDB expression or null, Spark's rule (row) => value, or undefined]
const E = [
  // arithmetic: Spark wraps on overflow where DuckDB raises an error, so DuckDB computes in HUGEINT and wraps
  ['i + i2', W32('i::BIGINT + i2')], ['i - i2', W32('i::BIGINT - i2')], ['i * i2', W32('i::BIGINT * i2')],
  ['b + b', W64('b::HUGEINT + b')], ['b - i', W64('b::HUGEINT - i')], ['b * i2', W64('b::HUGEINT * i2')],
  ['-i', W32('-(i::BIGINT)')], ['abs(i)', W32('abs(i::BIGINT)')], ['~i', '~i'],
  // '/' is a DOUBLE division in Spark; x / 0 and x % 0 are NULL (DuckDB: error or inf)
  ['i / i2', 'CASE WHEN i2 = 0 THEN NULL ELSE i::DOUBLE / i2 END'],
  ['d / d2', 'CASE WHEN d2 = 0 THEN NULL ELSE d / d2 END'],
  ['i % i2', 'CASE WHEN i2 = 0 THEN NULL WHEN i2 = -1 THEN 0 ELSE i % i2 END'],
  // Java's % on doubles keeps the dividend's sign, like JavaScript's %; DuckDB's fmod() floors instead
  ['d % d2', null, (r) => nul(r.d, r.d2) || r.d2 === 0 ? null : r.d % r.d2],
  ['i div i2', 'CASE WHEN i2 = 0 THEN NULL ELSE trunc(i::DOUBLE / i2)::BIGINT END'],
  ['d * 2 + i', 'd * 2 + i'], ['d - d2', 'd - d2'], ['i2 * 1.5', 'i2 * 1.5::DOUBLE'], ['abs(d)', 'abs(d)'],
  ['b + d', 'b + d'], ["s + 1", null, (r) => { const v = strToDouble(r.s); return v === null ? null : v + 1; }],
  // round: Spark rounds HALF_UP on the shortest decimal text (1.005 -> 1.01); DuckDB rounds the binary value
  ['round(d, 2)', null, (r) => roundHalfUp(r.d, 2)], ['round(d)', null, (r) => roundHalfUp(r.d, 0)],
  ['round(d, -1)', null, (r) => roundHalfUp(r.d, -1)], ['round(i, -2)', null, (r) => roundInt(r.i, -2, 32)],
  ['round(b, -3)', null, (r) => roundInt(r.b, -3, 64)],
  // casts from strings: Spark's lenient integer reading ('3.9' -> 3) and NULL on bad text
  ['cast(s as int)', null, (r) => strToInt(r.s, 32)], ['cast(s as bigint)', null, (r) => strToInt(r.s, 64)],
  ['cast(s as double)', null, (r) => strToDouble(r.s)], ['cast(s as boolean)', null, (r) => strToBool(r.s)],
  ['cast(d as int)', null, (r) => d2i(r.d, 32)], ['cast(d as bigint)', null, (r) => d2i(r.d, 64)],
  ['cast(b as int)', W32('b::HUGEINT')], ['cast(i as double)', 'i::DOUBLE'], ['cast(i as bigint)', 'i::BIGINT'],
  ['cast(d as string)', null, (r) => r.d === null ? null : javaDouble(r.d)], ['cast(i as string)', 'i::VARCHAR'],
  ['cast(b as string)', 'b::VARCHAR'], ['cast(flag as string)', 'flag::VARCHAR'], ['cast(flag as int)', 'flag::INT'],
  ['cast(i as boolean)', 'i <> 0'],
  ['cast(t as string)', null, (r) => tsText(r.tUs, 'UTC')],
  ['cast(t as bigint)', null, (r) => r.tUs === null ? null : floorDiv(r.tUs, 1000000n)],
  ['cast(t as date)', "(t::DATE - DATE '1970-01-01')"], ['cast(t as double)', 'epoch_us(t) / 1e6'],
  ['cast(cast(t as string) as timestamp)', 'epoch_us(t)'],
  // strings: DuckDB's functions agree with Spark's on these rows (length in characters, trim of spaces only)
  ['lower(s)', 'lower(s)'], ['upper(s)', 'upper(s)'], ['length(s)', 'length(s)'], ['length(s2)', 'length(s2)'],
  ['trim(s)', "trim(s, ' ')"], ['ltrim(s)', "ltrim(s, ' ')"], ['rtrim(s)', "rtrim(s, ' ')"],
  // substring: Spark's positions (0 means 1, negative counts from the end, end computed before clamping)
  ['substring(s, 2, 3)', null, (r) => substr(r.s, 2, 3)], ['substring(s, -3)', null, (r) => substr(r.s, -3)],
  ['substring(s, 0, 2)', null, (r) => substr(r.s, 0, 2)], ['substring(s, i2, 2)', null, (r) => substr(r.s, r.i2, 2)],
  ['substr(s, i2)', null, (r) => substr(r.s, r.i2)], ['substring(s, -4, i2)', null, (r) => substr(r.s, -4, r.i2)],
  // concat is NULL when any argument is NULL in Spark; DuckDB's concat() skips NULLs but its || does not
  ['concat(s, s2)', 's || s2'], ["s || '-' || i", "s || '-' || i::VARCHAR"], ['concat(s, d)', null,
    (r) => nul(r.s, r.d) ? null : r.s + javaDouble(r.d)],
  ["coalesce(s, s2, 'none')", "coalesce(s, s2, 'none')"], ['coalesce(i, b)', 'coalesce(i::BIGINT, b)'],
  ['coalesce(d, i)', 'coalesce(d, i::DOUBLE)'],
  // predicates: three-valued logic, the same in both
  ['i IN (1, 7, i2)', 'i IN (1, 7, i2)'], ['i NOT IN (1, NULL)', 'i NOT IN (1, NULL)'],
  ["s IN ('abc', s2)", "s IN ('abc', s2)"], ['i BETWEEN i2 AND 100', 'i BETWEEN i2 AND 100'],
  ['d NOT BETWEEN -1 AND 1', 'd NOT BETWEEN -1 AND 1'], ["s LIKE '%a%'", "s LIKE '%a%'"],
  ["s LIKE '_b%'", "s LIKE '_b%'"], ["s LIKE '__'", "s LIKE '__'"], ["s LIKE 'ab%'", "s LIKE 'ab%'"],
  ["s LIKE '%C'", "s LIKE '%C'"], ["s LIKE 'abc'", "s LIKE 'abc'"], ["s LIKE '%'", "s LIKE '%'"],
  ["s LIKE '%%'", "s LIKE '%%'"], ["s LIKE ''", "s LIKE ''"], ["s LIKE '%語%'", "s LIKE '%語%'"],
  // Spark's default LIKE escape is '\'; DuckDB has none unless told
  ["s LIKE 'A\\%%'", "s LIKE 'A\\%%' ESCAPE '\\'"], ["s NOT LIKE '%' || s2 || '%'", "s NOT LIKE '%' || s2 || '%'"],
  ["CASE WHEN i > 0 THEN 'pos' WHEN i < 0 THEN 'neg' ELSE 'zero' END",
    "CASE WHEN i > 0 THEN 'pos' WHEN i < 0 THEN 'neg' ELSE 'zero' END"],
  ['CASE i2 WHEN 1 THEN d WHEN 2 THEN i END', 'CASE i2 WHEN 1 THEN d WHEN 2 THEN i::DOUBLE END'],
  ['flag AND i > 0', 'flag AND i > 0'], ['flag OR i IS NULL', 'flag OR i IS NULL'], ['NOT flag', 'NOT flag'],
  ['i = b', 'i = b'], ['d < i', 'd < i'], ['s = s2', 's = s2'], ['s < s2', 's < s2'], ['d >= d2', 'd >= d2'],
  ['i <=> i2', 'i IS NOT DISTINCT FROM i2'], ['s IS NULL', 's IS NULL'], ['t IS NOT NULL', 't IS NOT NULL'],
  // a string compared with an INT is read as an INT in Spark ('3.9' = 3)
  ['s = i', null, (r) => { const v = strToInt(r.s, 32); return nul(v, r.i) ? null : v === BigInt(r.i); }],
  // time functions in UTC
  ['year(t)', 'year(t)'], ['month(t)', 'month(t)'], ['day(t)', 'day(t)'], ['hour(t)', 'hour(t)'],
  ['minute(t)', 'minute(t)'], ['second(t)', 'second(t)'],
  ...['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second'].map((u) =>
    [`date_trunc('${u}', t)`, `epoch_us(date_trunc('${u}', t))`]),
  ['t + INTERVAL 1 HOUR 30 MINUTES', "epoch_us(t + INTERVAL '1 hour 30 minutes')"],
  ['t - INTERVAL 2 DAYS', "epoch_us(t - INTERVAL '2 days')"], ['t + INTERVAL 1 MONTH', "epoch_us(t + INTERVAL '1 month')"],
  ['t - INTERVAL 13 MONTHS', "epoch_us(t - INTERVAL '13 months')"],
  ["t < TIMESTAMP '2000-01-01 00:00:00'", "t < TIMESTAMP '2000-01-01 00:00:00'"],
  ['hour(t) * 60 + minute(t)', 'hour(t) * 60 + minute(t)'],
  // to_timestamp: Spark's reading of each generated text is listed above (DuckDB rejects some of them)
  ['to_timestamp(s2)', null, (r) => r.s2 === null ? null : (TS_TEXT[r.s2] ?? null)],
  ["to_timestamp(s2, 'yyyy/MM/dd HH:mm')", "epoch_us(try_strptime(s2, '%Y/%m/%d %H:%M'))"],
  ["date_format(t, 'yyyy-MM-dd HH:mm:ss')", "strftime(t, '%Y-%m-%d %H:%M:%S')"],
  ["date_format(t, 'dd/MM/yy HH')", "strftime(t, '%d/%m/%y %H')"],
  ["to_date(s2, 'yyyy/MM/dd HH:mm')", "(try_strptime(s2, '%Y/%m/%d %H:%M')::DATE - DATE '1970-01-01')"],
];

// Europe/Paris pass: expected values from ICU's time zone data through Intl
const PARIS = [
  ['hour(t)', (r) => r.tUs === null ? null : localOf(r.tUs, 'Europe/Paris').h],
  ['day(t)', (r) => r.tUs === null ? null : localOf(r.tUs, 'Europe/Paris').d],
  ['minute(t)', (r) => r.tUs === null ? null : localOf(r.tUs, 'Europe/Paris').mi],
  ['cast(t as string)', (r) => tsText(r.tUs, 'Europe/Paris')],
  ["date_trunc('day', t)", (r) => {
    if (r.tUs === null) return null;
    const l = localOf(r.tUs, 'Europe/Paris');
    return localToUtc(l.y, l.mo, l.d, 0, 0, 0, 'Europe/Paris');
  }],
  ["TIMESTAMP '2022-09-06 11:40:00' + INTERVAL 0 SECONDS", () => isoToUs('2022-09-06T09:40:00')],
  ["cast('2022-01-15 08:00:00' as timestamp)", () => isoToUs('2022-01-15T07:00:00')],
];

// ---- run weir ----
function runWeir(exprs, tz) {
  writeFileSync(join(dir, 'exprs.txt'), exprs.join('\n') + '\n');
  const env = { ...process.env, SQL_EXPR_ORACLE: dir };
  if (tz) env.SQL_EXPR_TZ = tz; else delete env.SQL_EXPR_TZ;
  execFileSync(bin, [], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const res = exprs.map(() => ({ type: null, vals: [], error: null }));
  for (const line of readFileSync(join(dir, 'weir.tsv'), 'utf8').split('\n')) {
    if (!line) continue;
    const [k, row, type, ...rest] = line.split('\t');
    const v = rest.join('\t');
    if (type === 'error') res[+k].error = v;
    else { res[+k].type = type; res[+k].vals[+row] = v; }
  }
  return res;
}
const unesc = (s) => s.replace(/\\(.)/g, (_, c) => (c === 't' ? '\t' : c === 'n' ? '\n' : c));
// weir's text of a value vs an expected JS value
function same(type, w, v) {
  if (v === null || v === undefined) return w === 'NULL';
  if (w === 'NULL') return false;
  switch (type) {
    case 'double': {
      const x = Number(w), y = Number(v);
      return (Number.isNaN(x) && Number.isNaN(y)) || x === y;
    }
    case 'string': return unesc(w) === String(v);
    case 'boolean': return w === String(v);
    default: return BigInt(w) === BigInt(v);
  }
}
const show = (v) => (typeof v === 'string' ? JSON.stringify(v) : String(v));

const inst = await DuckDBInstance.create(':memory:');
const conn = await inst.connect();
await conn.run('SET threads=1');
await conn.run(`CREATE TABLE r AS SELECT * FROM read_json('${join(dir, 'rows.jsonl')}', format='newline_delimited',
  columns={id: 'INTEGER', i: 'INTEGER', i2: 'INTEGER', b: 'BIGINT', d: 'DOUBLE', d2: 'DOUBLE', s: 'VARCHAR',
  s2: 'VARCHAR', t: 'TIMESTAMP', flag: 'BOOLEAN'})`);

const weir = runWeir(E.map((e) => e[0]), null);
for (let k = 0; k < E.length; k++) {
  const [wx, dx, rule] = E[k];
  const w = weir[k];
  if (w.error) { fail(`${wx}: weir refused it: ${w.error}`); continue; }
  let expected;
  if (dx) {
    try {
      const rs = (await conn.runAndReadAll(`SELECT id, (${dx}) AS v FROM r ORDER BY id`)).getRowObjects();
      expected = rs.map((x) => x.v);
    } catch (e) { fail(`${wx}: DuckDB failed on ${dx}: ${e.message}`); continue; }
  } else {
    expected = rows.map(rule);
  }
  let bad = 0;
  for (let i = 0; i < rows.length; i++) {
    if (same(w.type, w.vals[i], expected[i])) continue;
    if (bad++ < 3) fail(`${wx} row ${i} (${JSON.stringify(rows[i], (_, v) => typeof v === 'bigint' ? v.toString() : v)}): ` +
      `weir ${w.type} ${w.vals[i]}, expected ${show(expected[i])}`);
    else failed++;
  }
  if (!bad) passed++;
}

const paris = runWeir(PARIS.map((e) => e[0]), 'Europe/Paris');
for (let k = 0; k < PARIS.length; k++) {
  const [wx, rule] = PARIS[k];
  const w = paris[k];
  if (w.error) { fail(`[Paris] ${wx}: weir refused it: ${w.error}`); continue; }
  let bad = 0;
  for (let i = 0; i < rows.length; i++) {
    const v = rule(rows[i]);
    if (same(w.type, w.vals[i], v)) continue;
    if (bad++ < 3) fail(`[Paris] ${wx} row ${i} (t=${rows[i].t}): weir ${w.vals[i]}, expected ${show(v)}`);
    else failed++;
  }
  if (!bad) passed++;
}
console.log(`${passed} passed, ${failed} failed`);
