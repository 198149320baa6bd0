-- Nexmark q0, pass-through: every bid, unchanged; measures the source and sink overhead.
CREATE TABLE discard_sink (auction BIGINT, bidder BIGINT, price BIGINT, dateTime TIMESTAMP(3), extra STRING)
WITH ('connector' = 'blackhole');

INSERT INTO discard_sink
SELECT auction, bidder, price, dateTime, extra FROM bid;
