-- the seed's stage 1
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
