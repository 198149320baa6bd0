-- Kafka quickstart: page views from the `pageviews` topic (JSON, 3 partitions), counted per page in
-- one-minute event-time windows, written to the `pageview_counts` topic. Runs until Ctrl-C.
-- The broker address below is replaced by the README's command with the one `npm run kafka` printed.

CREATE TABLE pageviews (
  user_id   STRING,
  page      STRING,
  view_time TIMESTAMP_LTZ(3) METADATA FROM 'timestamp',
  WATERMARK FOR view_time AS view_time - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'pageviews',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'rivulet-quickstart',
  'scan.startup.mode' = 'earliest-offset',
  'scan.bounded.mode' = 'unbounded',
  'scan.watermark.idle-timeout' = '5 s',
  'format' = 'json'
);

CREATE TABLE pageview_counts (
  page         STRING,
  window_start TIMESTAMP(3),
  views        BIGINT
) WITH (
  'connector' = 'kafka',
  'topic' = 'pageview_counts',
  'properties.bootstrap.servers' = 'localhost:9092',
  'key.format' = 'json',
  'key.fields' = 'page',
  'value.format' = 'json'
);

INSERT INTO pageview_counts
SELECT page, window_start, COUNT(*) AS views
FROM TABLE(TUMBLE(TABLE pageviews, DESCRIPTOR(view_time), INTERVAL '1' MINUTE))
GROUP BY page, window_start, window_end;
