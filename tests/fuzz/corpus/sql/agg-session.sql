SET weir.outputMode = 'update';
SELECT session_window.end, st.x, sum(s) FROM STREAM(t) WATERMARK to_timestamp(s) AS e DELAY OF INTERVAL 1 MINUTE
GROUP BY session_window(e, '5 seconds'), st.x
