-- Mirror: copies the `pageviews` topic to `pageviews_mirror` record for record, keeping each record's
-- key and value bytes, headers, timestamp and partition (a SQL replacement for a simple MirrorMaker
-- flow). The `raw` format passes the bytes through untouched; `partition` is written by Rivulet (the
-- record goes to the same partition number, so create the mirror topic with as many partitions);
-- `offset` is VIRTUAL: read for the log, never written.

CREATE TABLE src (
  k         BYTES,
  v         BYTES,
  ts        TIMESTAMP_LTZ(3)   METADATA FROM 'timestamp',
  hs        MAP<STRING, BYTES> METADATA FROM 'headers',
  part      INT                METADATA FROM 'partition',
  off       BIGINT             METADATA FROM 'offset' VIRTUAL
) WITH (
  'connector' = 'kafka',
  'topic' = 'pageviews',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'rivulet-mirror',
  'scan.startup.mode' = 'group-offsets',
  'scan.bounded.mode' = 'unbounded',
  'key.format' = 'raw',
  'key.fields' = 'k',
  'value.format' = 'raw',
  'value.fields-include' = 'EXCEPT_KEY'
);

CREATE TABLE dst (
  k         BYTES,
  v         BYTES,
  ts        TIMESTAMP_LTZ(3)   METADATA FROM 'timestamp',
  hs        MAP<STRING, BYTES> METADATA FROM 'headers',
  part      INT                METADATA FROM 'partition'
) WITH (
  'connector' = 'kafka',
  'topic' = 'pageviews_mirror',
  'properties.bootstrap.servers' = 'localhost:9092',
  'key.format' = 'raw',
  'key.fields' = 'k',
  'value.format' = 'raw',
  'value.fields-include' = 'EXCEPT_KEY'
);

INSERT INTO dst SELECT k, v, ts, hs, part FROM src;
