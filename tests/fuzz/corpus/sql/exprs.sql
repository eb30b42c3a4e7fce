SELECT i + b * d, s || lower(s), CASE WHEN f THEN st.x ELSE -i END, coalesce(s, 'x'), substring(s, -2, 3),
  round(d, 2), cast(s as int), i IN (1, 2, NULL), s LIKE 'a\%_%' ESCAPE '\\', d BETWEEN 0 AND 1e10,
  date_trunc('week', ts), year(dt), hour(ts + INTERVAL 1 MONTH 3 SECONDS), to_timestamp(s, 'yyyy-MM-dd HH:mm:ss'),
  st.*, st.y.z, `s`, length(upper(trim(s))), abs(i div 0), i % 0, NOT f IS NULL, i <=> NULL,
  date_format(ts, 'yyyy-MM-dd HH:mm'), to_date(s, 'dd/MM/yyyy'), lower('ΟΔΟΣ')
FROM STREAM(t) AS x WATERMARK ts DELAY OF INTERVAL 10 SECONDS WHERE i > 0 OR s = '42';
