-- Nexmark q13, bounded side input join: each bid enriched from a static file keyed by auction mod 10000
-- (a processing-time lookup join). ${SIDE_INPUT} is a CSV file of (key, value) written by run.ts.
CREATE TABLE side_input (key BIGINT, `value` STRING, PRIMARY KEY (key) NOT ENFORCED) WITH (
  'connector' = 'filesystem', 'path' = '${SIDE_INPUT}', 'format' = 'csv');
CREATE TABLE discard_sink (auction BIGINT, bidder BIGINT, price BIGINT, dateTime TIMESTAMP(3), `value` STRING)
WITH ('connector' = 'blackhole');

INSERT INTO discard_sink
SELECT B.auction, B.bidder, B.price, B.dateTime, S.`value`
FROM (SELECT *, PROCTIME() AS p_time FROM bid) B
JOIN side_input FOR SYSTEM_TIME AS OF B.p_time AS S
ON MOD(B.auction, 10000) = S.key;
