-- Routing: one source read once, split by condition into three topics with one statement set.

CREATE TABLE pageviews (
  user_id STRING,
  page    STRING
) WITH (
  'connector' = 'kafka',
  'topic' = 'pageviews',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'rivulet-routing',
  'scan.startup.mode' = 'earliest-offset',
  'scan.bounded.mode' = 'unbounded',
  'format' = 'json'
);

CREATE TABLE checkout_views (user_id STRING, page STRING) WITH (
  'connector' = 'kafka', 'topic' = 'checkout_views',
  'properties.bootstrap.servers' = 'localhost:9092', 'format' = 'json'
);
CREATE TABLE product_views (user_id STRING, page STRING) WITH (
  'connector' = 'kafka', 'topic' = 'product_views',
  'properties.bootstrap.servers' = 'localhost:9092', 'format' = 'json'
);
CREATE TABLE other_views (user_id STRING, page STRING) WITH (
  'connector' = 'kafka', 'topic' = 'other_views',
  'properties.bootstrap.servers' = 'localhost:9092', 'format' = 'json'
);

EXECUTE STATEMENT SET
BEGIN
  INSERT INTO checkout_views SELECT user_id, page FROM pageviews WHERE page LIKE '/checkout%';
  INSERT INTO product_views  SELECT user_id, page FROM pageviews WHERE page LIKE '/product/%';
  INSERT INTO other_views    SELECT user_id, page FROM pageviews
    WHERE page NOT LIKE '/checkout%' AND page NOT LIKE '/product/%';
END;
