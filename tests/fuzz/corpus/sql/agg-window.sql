SELECT sum(i) AS a, count(*), avg(d), min(s), max(ts), first(b), last(dt), approx_count_distinct(s, 0.1),
  count(DISTINCT i), window.start, upper(s) FROM STREAM(t) WATERMARK ts DELAY OF INTERVAL 10 SECONDS
WHERE i > 0 GROUP BY window(ts, '1 minute', '20 seconds'), upper(s) HAVING count(*) > 0 AND sum(d) IS NOT NULL
