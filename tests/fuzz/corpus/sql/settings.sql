SET spark.sql.session.timeZone = 'Europe/Paris';
CREATE TABLE a (x INT, t TIMESTAMP) USING csv OPTIONS (path 'a', header true);
CREATE TABLE b USING csv OPTIONS ('path' = 'b', checkpointLocation 'c');
INSERT INTO b SELECT *, current_timestamp AS now FROM STREAM(a) WHERE x IS NOT NULL;
SELECT count(*) FROM STREAM(b) GROUP BY window(t, '10 seconds');
