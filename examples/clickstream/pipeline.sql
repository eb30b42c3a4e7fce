-- pipeline.sql - the seed's whole pipeline in one process: stage 1 (JSON folder -> flattened CSV folder)
-- and stage 2 (that CSV folder -> 30-second window totals as Parquet) side by side. Stage 2 reads stage 1's
-- folder through its _weir_metadata manifest, so it never sees a file before stage 1 committed it.
--
--   weir gen --out data/json_files --forever &
--   weir run examples/clickstream/pipeline.sql

CREATE TABLE clicks_json (
  analytics STRUCT<clicks: INT, impressions: INT>,
  datetime  TIMESTAMP,
  sales     STRUCT<quantity: INT, total_price: DOUBLE>
) USING json OPTIONS (path 'data/json_files', maxFilesPerTrigger 5);

CREATE TABLE clicks_csv (datetime TIMESTAMP, clicks INT, impressions INT, quantity INT, total_price DOUBLE)
  USING csv OPTIONS (path 'data/csv_files', header true, checkpointLocation 'data/checkpoint');

CREATE TABLE window_totals USING parquet
  OPTIONS (path 'data/parquet_files', checkpointLocation 'data/checkpoint_windows', outputMode 'append',
           lateRowsPath 'data/late_rows');

INSERT INTO clicks_csv
SELECT datetime, analytics.clicks AS clicks, analytics.impressions AS impressions,
       sales.quantity AS quantity, sales.total_price AS total_price
FROM STREAM(clicks_json);

INSERT INTO window_totals
SELECT sum(clicks) AS Clicks, sum(impressions) AS Impressions, sum(quantity) AS Quantity,
       sum(total_price) AS Total_price, window.start AS Start, window.end AS `End`
FROM STREAM(clicks_csv) WATERMARK datetime DELAY OF INTERVAL 10 SECONDS
GROUP BY window(datetime, '30 seconds');
