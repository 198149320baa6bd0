-- Rivulet quickstart: a generated stream of orders, a small customer table, a view, a join and
-- aggregations. Everything is bounded here, so `npm start` finishes in a second or two.

-- 600 orders, one per second of event time, from a seeded generator (same rows on every run).
CREATE TABLE orders (
  order_id   INT,
  customer   INT,
  amount     DECIMAL(8, 2),
  order_time AS TIMESTAMPADD(SECOND, order_id, TIMESTAMP '2026-01-01 09:00:00'),
  WATERMARK FOR order_time AS order_time - INTERVAL '5' SECOND
) WITH (
  'connector' = 'datagen',
  'seed' = '2026',
  'rows-per-second' = '100000',
  'fields.order_id.kind' = 'sequence', 'fields.order_id.start' = '1', 'fields.order_id.end' = '600',
  'fields.customer.min' = '1', 'fields.customer.max' = '4',
  'fields.amount.min' = '1', 'fields.amount.max' = '100'
);

CREATE VIEW customers AS
SELECT * FROM (VALUES (1, 'Ada', 'gold'), (2, 'Grace', 'silver'), (3, 'Linus', 'gold'), (4, 'Barbara', 'bronze'))
  AS c(id, name, tier);

-- Revenue per customer tier (a join and a group aggregation).
SELECT c.tier, COUNT(*) AS orders, SUM(o.amount) AS revenue, MAX(o.amount) AS biggest
FROM orders AS o JOIN customers AS c ON o.customer = c.id
GROUP BY c.tier
ORDER BY revenue DESC;

-- Orders per 5-minute window of event time (a window aggregation that fires on the watermark).
SELECT window_start, window_end, COUNT(*) AS orders, SUM(amount) AS revenue
FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(order_time), INTERVAL '5' MINUTE))
GROUP BY window_start, window_end;
