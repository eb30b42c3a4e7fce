-- task2.sql - the seed's Task_2: read stage 1's CSV folder as a stream, sum clicks, impressions, quantity
-- and price per 30-second event-time window with a 10-second watermark, and append each finished window
-- once, as Parquet, exactly once through any crash. Rows too late for their window are written to
-- data/late_rows (with the watermark they missed) instead of vanishing.
--
--   weir run examples/clickstream/task1.sql &       # stage 1 fills data/csv_files
--   weir run examples/clickstream/task2.sql         # this query; Ctrl-C stops it cleanly

CREATE TABLE clicks_csv (datetime TIMESTAMP, clicks INT, impressions INT, quantity INT, total_price DOUBLE)
  USING csv OPTIONS (path 'data/csv_files', header true, maxFilesPerTrigger 5);

CREATE TABLE window_totals USING parquet
  OPTIONS (path 'data/parquet_files', checkpointLocation 'data/checkpoint_windows', outputMode 'append',
           lateRowsPath 'data/late_rows');

INSERT INTO window_totals
SELECT sum(clicks) AS Clicks, sum(impressions) AS Impressions, sum(quantity) AS Quantity,
       sum(total_price) AS Total_price, window.start AS Start, window.end AS `End`
FROM STREAM(clicks_csv) WATERMARK datetime DELAY OF INTERVAL 10 SECONDS
GROUP BY window(datetime, '30 seconds');
