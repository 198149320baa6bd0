-- Nexmark q10, log to file system: every bid with its partition columns (day, minute). Flink writes it
-- to a partitioned file sink; here the sink is a blackhole, so only the projection is measured.
CREATE TABLE discard_sink (
  auction BIGINT, bidder BIGINT, price BIGINT, dateTime TIMESTAMP(3), extra STRING, dt STRING, hm STRING
) WITH ('connector' = 'blackhole');

INSERT INTO discard_sink
SELECT auction, bidder, price, dateTime, extra, DATE_FORMAT(dateTime, 'yyyy-MM-dd'), DATE_FORMAT(dateTime, 'HH:mm')
FROM bid;
