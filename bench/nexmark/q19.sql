-- Nexmark q19, auction Top-10 price: the 10 highest bids of each auction. (The benchmark writes
-- SELECT *; Rivulet's SELECT * over this Top-N repeats rank_number, see docs/benchmarks.md.)
CREATE TABLE discard_sink (
  auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING, dateTime TIMESTAMP(3), extra STRING,
  rank_number BIGINT
) WITH ('connector' = 'blackhole');

INSERT INTO discard_sink
SELECT auction, bidder, price, channel, url, dateTime, extra, rank_number
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rank_number
  FROM bid
)
WHERE rank_number <= 10;
