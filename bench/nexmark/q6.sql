-- Nexmark q6, average selling price by seller: per seller, the average winning price of their last 10
-- auctions (an OVER aggregation over an updating join result; Flink cannot run it, FLINK-19059).
-- The winning bid of an auction is its highest bid while open, dated by the auction's last bid.
CREATE TABLE discard_sink (seller BIGINT, avg_price BIGINT) WITH ('connector' = 'blackhole');

INSERT INTO discard_sink
SELECT Q.seller, AVG(Q.final) OVER (PARTITION BY Q.seller ORDER BY Q.dateTime ROWS BETWEEN 10 PRECEDING AND CURRENT ROW)
FROM (
  SELECT MAX(B.price) AS final, A.seller, MAX(B.dateTime) AS dateTime
  FROM auction AS A, bid AS B
  WHERE A.id = B.auction AND B.dateTime BETWEEN A.dateTime AND A.expires
  GROUP BY A.id, A.seller
) AS Q;
