-- The Nexmark source: one table of events with the three kinds as nested rows, a computed rowtime and
-- a 4-second bounded-out-of-orderness watermark, and the standard views person, auction, bid.
-- ${EVENTS_NUM}, ${TPS} and ${SEED} are substituted by bench/nexmark/run.ts (and the tests).
CREATE TABLE nexmark (
  event_type INT,
  person ROW<id BIGINT, name STRING, emailAddress STRING, creditCard STRING, city STRING, state STRING, dateTime TIMESTAMP(3), extra STRING>,
  auction ROW<id BIGINT, itemName STRING, description STRING, initialBid BIGINT, reserve BIGINT, dateTime TIMESTAMP(3), expires TIMESTAMP(3), seller BIGINT, category BIGINT, extra STRING>,
  bid ROW<auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING, dateTime TIMESTAMP(3), extra STRING>,
  dateTime AS CASE
    WHEN event_type = 0 THEN person.dateTime
    WHEN event_type = 1 THEN auction.dateTime
    ELSE bid.dateTime
  END,
  WATERMARK FOR dateTime AS dateTime - INTERVAL '4' SECOND
) WITH (
  'connector' = 'nexmark',
  'events.num' = '${EVENTS_NUM}',
  'first-event.rate' = '${TPS}',
  'seed' = '${SEED}'
);

CREATE VIEW person AS
SELECT
  person.id AS id, person.name AS name, person.emailAddress AS emailAddress,
  person.creditCard AS creditCard, person.city AS city, person.state AS state,
  dateTime, person.extra AS extra
FROM nexmark WHERE event_type = 0;

CREATE VIEW auction AS
SELECT
  auction.id AS id, auction.itemName AS itemName, auction.description AS description,
  auction.initialBid AS initialBid, auction.reserve AS reserve, dateTime,
  auction.expires AS expires, auction.seller AS seller, auction.category AS category,
  auction.extra AS extra
FROM nexmark WHERE event_type = 1;

CREATE VIEW bid AS
SELECT
  bid.auction AS auction, bid.bidder AS bidder, bid.price AS price, bid.channel AS channel,
  bid.url AS url, dateTime, bid.extra AS extra
FROM nexmark WHERE event_type = 2;
