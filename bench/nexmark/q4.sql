-- Nexmark q4, average price per category: the winning (highest) bid of each auction among bids placed
-- while it was open, averaged per category.
CREATE TABLE discard_sink (id BIGINT, final BIGINT) WITH ('connector' = 'blackhole');

INSERT INTO discard_sink
SELECT Q.category, AVG(Q.final)
FROM (
  SELECT MAX(B.price) AS final, A.category
  FROM auction A, bid B
  WHERE A.id = B.auction AND B.dateTime BETWEEN A.dateTime AND A.expires
  GROUP BY A.id, A.category
) Q
GROUP BY Q.category;
