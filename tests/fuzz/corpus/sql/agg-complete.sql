SET weir.outputMode = 'complete';
SELECT f, count(i) * 2 + 1 AS n, sum(b) FROM STREAM(t) GROUP BY f
