-- task1.sql - the seed's Task_1: read the click-stream JSON folder as a stream, flatten the nested
-- analytics and sales structs, and write the rows as CSV (with a header) exactly once.
--
--   weir gen --out data/json_files --forever &      # the generator (python_file/main.py in the seed)
--   weir run examples/clickstream/task1.sql         # this query; Ctrl-C stops it cleanly

CREATE TABLE clicks_json (
  analytics STRUCT<clicks: INT, impressions: INT>,
  datetime  TIMESTAMP,
  sales     STRUCT<quantity: INT, total_price: DOUBLE>
) USING json OPTIONS (path 'data/json_files', maxFilesPerTrigger 5);

CREATE TABLE clicks_csv USING csv
  OPTIONS (path 'data/csv_files', header true, checkpointLocation 'data/checkpoint');

INSERT INTO clicks_csv
SELECT datetime, analytics.clicks AS clicks, analytics.impressions AS impressions,
       sales.quantity AS quantity, sales.total_price AS total_price
FROM STREAM(clicks_json);
