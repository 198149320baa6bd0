-- The Nexmark events read from a CSV file, for the side-by-side run (--vs-flink): the same DDL runs in
-- Rivulet and in Apache Flink, so both engines parse the same bytes. One flat row per event (the
-- columns of the kinds it is not are NULL, written as \N), the same computed rowtime and 4-second
-- watermark as ddl.sql, and the same views person, auction, bid, so the query files run unchanged.
-- ${DATA_PATH} is the directory the generator's events were written to by bench/nexmark/run.ts.
CREATE TABLE nexmark (
  event_type INT,
  p_id BIGINT, p_name STRING, p_emailAddress STRING, p_creditCard STRING, p_city STRING, p_state STRING,
  p_dateTime TIMESTAMP(3), p_extra STRING,
  a_id BIGINT, a_itemName STRING, a_description STRING, a_initialBid BIGINT, a_reserve BIGINT,
  a_dateTime TIMESTAMP(3), a_expires TIMESTAMP(3), a_seller BIGINT, a_category BIGINT, a_extra STRING,
  b_auction BIGINT, b_bidder BIGINT, b_price BIGINT, b_channel STRING, b_url STRING, b_dateTime TIMESTAMP(3),
  b_extra STRING,
  dateTime AS CASE
    WHEN event_type = 0 THEN p_dateTime
    WHEN event_type = 1 THEN a_dateTime
    ELSE b_dateTime
  END,
  WATERMARK FOR dateTime AS dateTime - INTERVAL '4' SECOND
) WITH (
  'connector' = 'filesystem',
  'path' = '${DATA_PATH}',
  'format' = 'csv',
  'csv.null-literal' = '\N'
);

CREATE VIEW person AS
SELECT p_id AS id, p_name AS name, p_emailAddress AS emailAddress, p_creditCard AS creditCard,
  p_city AS city, p_state AS state, dateTime, p_extra AS extra
FROM nexmark WHERE event_type = 0;

CREATE VIEW auction AS
SELECT a_id AS id, a_itemName AS itemName, a_description AS description, a_initialBid AS initialBid,
  a_reserve AS reserve, dateTime, a_expires AS expires, a_seller AS seller, a_category AS category,
  a_extra AS extra
FROM nexmark WHERE event_type = 1;

CREATE VIEW bid AS
SELECT b_auction AS auction, b_bidder AS bidder, b_price AS price, b_channel AS channel, b_url AS url,
  dateTime, b_extra AS extra
FROM nexmark WHERE event_type = 2;
