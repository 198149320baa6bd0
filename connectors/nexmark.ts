/**
 * `'connector' = 'nexmark'`: the Nexmark benchmark's event generator (people, auctions, bids), exposed
 * as the Flink Nexmark project does: one table with `event_type INT` (0 person, 1 auction, 2 bid) and
 * three nested ROW columns `person`, `auction`, `bid`, exactly one of them non-null per row.
 *
 * The model, per event number n (0, 1, 2, ...):
 *   1. Kind: n mod (1 + 3 + 46) picks person (< 1), auction (< 4) or bid; proportions are options.
 *   2. Event time: base-time + n / first-event.rate seconds (event time advances at the configured rate,
 *      independently of how fast the events are generated).
 *   3. Ids: person n gets id 1000 + (the number of people before it); auctions likewise. A new auction's
 *      seller is, 3 times in 4, a "hot" seller (a person id rounded down to a multiple of 100), else one of
 *      the last 1000 active people (plus a small lead of ids not yet generated, as the model does). A bid's
 *      auction is, 1 time in 2, a hot auction (rounded to 100), else one of the last 100 in-flight auctions;
 *      its bidder is, 3 times in 4, a hot bidder, else an active person.
 *   4. Prices: round(10^(6u) * 100) for u uniform: a log-uniform price in cents, 100 .. 100,000,000.
 *      An auction's reserve is its initial bid plus another such price; it expires within twice the
 *      event-time span in which 100 more auctions are generated.
 *   5. Strings: names/cities/states from the model's small lists; random lowercase strings (occasional
 *      spaces; slices at random offsets of a 64 KiB random text made once per seed, so text is cheap) for item names and descriptions; `extra` pads each event to an average size (person 200,
 *      auction 500, bid 100 bytes) as the model does; a bid's channel is, 1 time in 2, one of four hot
 *      channels, else `channel-<k>` of 10,000 with a URL fixed per channel.
 * Randomness: each event draws from its own PRNG seeded by (seed, n), so the stream is deterministic for a
 * seed and restoring a position is O(1). It is bounded by `events.num`, unbounded without it.
 */
import { RivuletError } from '../common/errors.ts';
import type { Row, Value } from '../operators/api.ts';
import type { ConnectorFactory, OptionSpec, ScanSource, SourceBatch, TableInfo } from './api.ts';
import { numberOption } from './registry.ts';

const FIRST_PERSON_ID = 1000;
const FIRST_AUCTION_ID = 1000;
const FIRST_CATEGORY_ID = 10;
const NUM_CATEGORIES = 5;
const PERSON_ID_LEAD = 10;
const AUCTION_ID_LEAD = 10;
const HOT_SELLER_RATIO = 100;
const HOT_AUCTION_RATIO = 100;
const HOT_BIDDER_RATIO = 100;
const CHANNELS_NUMBER = 10_000;
const HOT_CHANNELS = ['Google', 'Facebook', 'Baidu', 'Apple'] as const;
const US_STATES = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'] as const;
const US_CITIES = [
  'Phoenix',
  'Los Angeles',
  'San Francisco',
  'Boise',
  'Portland',
  'Bend',
  'Redmond',
  'Seattle',
  'Kent',
  'Cheyenne',
] as const;
const FIRST_NAMES = [
  'Peter',
  'Paul',
  'Luke',
  'John',
  'Saul',
  'Vicky',
  'Kate',
  'Julie',
  'Sarah',
  'Deiter',
  'Walter',
];
const LAST_NAMES = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris'];

/** Event kinds, the value of `event_type`. */
export const NexmarkEventType = { PERSON: 0, AUCTION: 1, BID: 2 } as const;

/** The generator's parameters (the connector's options, resolved). */
export interface NexmarkConfig {
  readonly seed: number;
  /** Total events; Infinity when unbounded. */
  readonly eventsNum: number;
  /** Events per second of event time. */
  readonly firstEventRate: number;
  /** Event time of event 0, epoch ms. */
  readonly baseTime: number;
  readonly personProportion: number;
  readonly auctionProportion: number;
  readonly bidProportion: number;
  /** 1 in `ratio` picks are not hot (the model's hot*Ratio: hot with probability (ratio-1)/ratio). */
  readonly hotAuctionRatio: number;
  readonly hotSellerRatio: number;
  readonly hotBidderRatio: number;
  readonly hotChannelRatio: number;
  readonly numActivePeople: number;
  readonly numInFlightAuctions: number;
  readonly avgPersonByteSize: number;
  readonly avgAuctionByteSize: number;
  readonly avgBidByteSize: number;
}

/** 2020-01-01T00:00:00Z: a fixed default so that a seed alone fixes every value, timestamps included. */
const DEFAULT_BASE_TIME = 1_577_836_800_000;

export const DEFAULT_NEXMARK_CONFIG: NexmarkConfig = {
  seed: 0,
  eventsNum: Infinity,
  firstEventRate: 10_000_000,
  baseTime: DEFAULT_BASE_TIME,
  personProportion: 1,
  auctionProportion: 3,
  bidProportion: 46,
  hotAuctionRatio: 2,
  hotSellerRatio: 4,
  hotBidderRatio: 4,
  hotChannelRatio: 2,
  numActivePeople: 1000,
  numInFlightAuctions: 100,
  avgPersonByteSize: 200,
  avgAuctionByteSize: 500,
  avgBidByteSize: 100,
};

/** mulberry32 with its state in a field: one allocation per generator, reseeded per event. */
class Rng {
  private a = 0;
  reseed(seed: number, n: number): void {
    // Mix the seed and event number so neighbouring events get unrelated streams.
    let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(n | 0, 0xc2b2ae35);
    h ^= Math.imul((n / 4294967296) | 0, 0x27d4eb2f);
    h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
    this.a = (h ^ (h >>> 13)) >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const POOL_SIZE = 1 << 16;

/** The Nexmark event model; `row(n)` is event n as a `nexmark` table row. */
export class NexmarkGenerator {
  readonly config: NexmarkConfig;
  private readonly total: number;
  private readonly rng = new Rng();
  private readonly channelCache = new Map<number, [string, string]>();
  private readonly hotUrls: string[];
  /** Random text generated once per seed; strings are slices at per-event random offsets (cheap). */
  private readonly letterPool: string;
  private readonly spacedPool: string;

  constructor(config: Partial<NexmarkConfig> = {}) {
    this.config = { ...DEFAULT_NEXMARK_CONFIG, ...config };
    const c = this.config;
    this.total = c.personProportion + c.auctionProportion + c.bidProportion;
    const own = new Rng();
    own.reseed(c.seed ^ 0x2545f491, 0);
    let letters = '';
    let spaced = '';
    for (let i = 0; i < POOL_SIZE; i++) {
      letters += LETTERS[own.int(26)];
      spaced += own.int(13) === 0 ? ' ' : LETTERS[own.int(26)];
    }
    this.letterPool = letters;
    this.spacedPool = spaced;
    this.hotUrls = HOT_CHANNELS.map((_, i) => {
      const own = new Rng();
      own.reseed(c.seed ^ 0x5bd1e995, i);
      return this.baseUrl(own);
    });
  }

  /** Event time (epoch ms) of event n. */
  timestamp(n: number): number {
    return this.config.baseTime + Math.floor((n * 1000) / this.config.firstEventRate);
  }

  /** Event n's kind: 0 person, 1 auction, 2 bid. */
  eventType(n: number): number {
    const rem = n % this.total;
    const c = this.config;
    if (rem < c.personProportion) return 0;
    if (rem < c.personProportion + c.auctionProportion) return 1;
    return 2;
  }

  /** Number of the last person generated at or before event n, from 0 (the model's lastBase0PersonId). */
  lastBase0PersonId(n: number): number {
    const c = this.config;
    const epoch = Math.floor(n / this.total);
    let offset = n % this.total;
    if (offset >= c.personProportion) offset = c.personProportion - 1;
    return epoch * c.personProportion + offset;
  }

  /** Number of the last auction generated at or before event n, from 0 (may be -1 before the first). */
  lastBase0AuctionId(n: number): number {
    const c = this.config;
    let epoch = Math.floor(n / this.total);
    let offset = n % this.total;
    if (offset < c.personProportion) {
      epoch--;
      offset = c.auctionProportion - 1;
    } else if (offset >= c.personProportion + c.auctionProportion) {
      offset = c.auctionProportion - 1;
    } else {
      offset -= c.personProportion;
    }
    return epoch * c.auctionProportion + offset;
  }

  /** A person among the active ones, with a small lead of ids generated later (the model's choice). */
  private nextBase0PersonId(n: number): number {
    const numPeople = this.lastBase0PersonId(n) + 1;
    const active = Math.min(numPeople, this.config.numActivePeople);
    return numPeople - active + this.rng.int(active + PERSON_ID_LEAD);
  }

  private nextBase0AuctionId(n: number): number {
    const max = this.lastBase0AuctionId(n);
    const min = Math.max(max - this.config.numInFlightAuctions, 0);
    return min + this.rng.int(max - min + 1 + AUCTION_ID_LEAD);
  }

  private price(): bigint {
    return BigInt(Math.round(10 ** (this.rng.next() * 6) * 100));
  }

  /** 3 to maxLength-1 random letters with occasional spaces (1 in 13), trimmed: a random pool slice. */
  private string(maxLength: number): string {
    const len = 3 + this.rng.int(maxLength - 3);
    const at = this.rng.int(POOL_SIZE - len);
    return this.spacedPool.slice(at, at + len).trim();
  }

  /** Exactly `len` random letters: a slice of the letter pool at a random offset. */
  private exactString(len: number, r: Rng = this.rng): string {
    const at = r.int(POOL_SIZE - len);
    return this.letterPool.slice(at, at + len);
  }

  /** Padding that brings the event to about `desiredAverage` bytes (±20%), empty if already larger. */
  private extra(currentSize: number, desiredAverage: number): string {
    if (currentSize > desiredAverage) return '';
    const desired = desiredAverage - currentSize;
    const delta = Math.round(desired * 0.2);
    const size = desired - delta + (delta === 0 ? 0 : this.rng.int(2 * delta));
    return this.exactString(size);
  }

  private baseUrl(r: Rng): string {
    return `https://www.nexmark.com/${this.exactString(5, r)}/${this.exactString(5, r)}/${this.exactString(5, r)}/item.htm?query=1`;
  }

  /** Channel k's name and URL: fixed per channel (a PRNG of its own), cached like the model's. */
  private channel(k: number): [string, string] {
    let hit = this.channelCache.get(k);
    if (hit === undefined) {
      const own = new Rng();
      own.reseed(this.config.seed ^ 0x1b873593, k);
      let url = this.baseUrl(own);
      if (own.int(10) > 0) url += `&channel_id=${Math.abs(reverseBits32(k))}`;
      hit = [`channel-${k}`, url];
      this.channelCache.set(k, hit);
    }
    return hit;
  }

  /** Event n as a row `[event_type, person, auction, bid]`. */
  row(n: number): Row {
    const c = this.config;
    this.rng.reseed(c.seed, n);
    const ts = this.timestamp(n);
    const type = this.eventType(n);
    if (type === 0) return [0, this.person(n, ts), null, null];
    if (type === 1) return [1, null, this.auction(n, ts), null];
    return [2, null, null, this.bid(n, ts)];
  }

  private person(n: number, ts: number): Value[] {
    const r = this.rng;
    const id = BigInt(this.lastBase0PersonId(n) + FIRST_PERSON_ID);
    const name = `${FIRST_NAMES[r.int(FIRST_NAMES.length)]} ${LAST_NAMES[r.int(LAST_NAMES.length)]}`;
    const email = `${this.string(7)}@${this.string(5)}.com`;
    const card = `${pad4(r.int(10000))} ${pad4(r.int(10000))} ${pad4(r.int(10000))} ${pad4(r.int(10000))}`;
    const city = US_CITIES[r.int(US_CITIES.length)] as string;
    const state = US_STATES[r.int(US_STATES.length)] as string;
    const size = 8 + name.length + email.length + card.length + city.length + state.length + 8 + 5;
    return [id, name, email, card, city, state, ts, this.extra(size, this.config.avgPersonByteSize)];
  }

  private auction(n: number, ts: number): Value[] {
    const c = this.config;
    const r = this.rng;
    const id = BigInt(this.lastBase0AuctionId(n) + FIRST_AUCTION_ID);
    let seller: number;
    if (r.int(c.hotSellerRatio) > 0) {
      seller = Math.floor(this.lastBase0PersonId(n) / HOT_SELLER_RATIO) * HOT_SELLER_RATIO;
    } else {
      seller = this.nextBase0PersonId(n);
    }
    const category = BigInt(FIRST_CATEGORY_ID + r.int(NUM_CATEGORIES));
    const initialBid = this.price();
    const itemName = this.string(20);
    const description = this.string(100);
    const reserve = initialBid + this.price();
    // Auctions last up to twice the event time in which `numInFlightAuctions` more auctions appear.
    const eventsForAuctions = Math.floor((c.numInFlightAuctions * this.total) / c.auctionProportion);
    const horizon = this.timestamp(n + eventsForAuctions) - ts;
    const expires = ts + 1 + r.int(Math.max(horizon * 2, 1));
    const size = 8 + itemName.length + description.length + 8 + 8 + 8 + 8 + 8 + 8;
    return [
      id,
      itemName,
      description,
      initialBid,
      reserve,
      ts,
      expires,
      BigInt(seller + FIRST_PERSON_ID),
      category,
      this.extra(size, c.avgAuctionByteSize),
    ];
  }

  private bid(n: number, ts: number): Value[] {
    const c = this.config;
    const r = this.rng;
    const auction =
      r.int(c.hotAuctionRatio) > 0
        ? Math.floor(this.lastBase0AuctionId(n) / HOT_AUCTION_RATIO) * HOT_AUCTION_RATIO
        : this.nextBase0AuctionId(n);
    const bidder =
      r.int(c.hotBidderRatio) > 0
        ? Math.floor(this.lastBase0PersonId(n) / HOT_BIDDER_RATIO) * HOT_BIDDER_RATIO + 1
        : this.nextBase0PersonId(n);
    const price = this.price();
    let channel: string;
    let url: string;
    if (r.int(c.hotChannelRatio) > 0) {
      const i = r.int(HOT_CHANNELS.length);
      channel = HOT_CHANNELS[i] as string;
      url = this.hotUrls[i] as string;
    } else {
      [channel, url] = this.channel(r.int(CHANNELS_NUMBER));
    }
    const size = 8 + 8 + 8 + 8;
    return [
      BigInt(auction + FIRST_AUCTION_ID),
      BigInt(bidder + FIRST_PERSON_ID),
      price,
      channel,
      url,
      ts,
      this.extra(size, c.avgBidByteSize),
    ];
  }
}

function pad4(x: number): string {
  return String(x).padStart(4, '0');
}

/** Java's Integer.reverse: the 32 bits in reverse order, as a signed int. */
function reverseBits32(x: number): number {
  let v = x >>> 0;
  let out = 0;
  for (let i = 0; i < 32; i++) {
    out = (out << 1) | (v & 1);
    v >>>= 1;
  }
  return out | 0;
}

/** The column layout the connector produces (physical columns, in order). */
export const NEXMARK_COLUMNS = ['event_type', 'person', 'auction', 'bid'] as const;

function positiveOption(table: TableInfo, key: string, fallback: number): number {
  const v = numberOption(table, key, fallback);
  if (!(v > 0)) {
    throw new RivuletError(
      'plan',
      'OPTION_INVALID',
      `Option '${key}' must be a positive number, found '${v}'`,
    );
  }
  return v;
}

/** The generator configuration from a table's `WITH` options. */
export function nexmarkConfig(table: TableInfo): NexmarkConfig {
  const d = DEFAULT_NEXMARK_CONFIG;
  const num = table.options.get('events.num');
  const baseText = table.options.get('base-time');
  let baseTime = d.baseTime;
  if (baseText !== undefined) {
    baseTime = /^-?\d+$/.test(baseText.trim())
      ? Number(baseText)
      : Date.parse(`${baseText.trim().replace(' ', 'T')}Z`);
    if (!Number.isFinite(baseTime)) {
      throw new RivuletError(
        'plan',
        'OPTION_INVALID',
        `Option 'base-time' must be epoch milliseconds or 'YYYY-MM-DD HH:MM:SS', found '${baseText}'`,
      );
    }
  }
  const config: NexmarkConfig = {
    seed: numberOption(table, 'seed', d.seed) | 0,
    eventsNum: num === undefined ? Infinity : Math.floor(numberOption(table, 'events.num', 0)),
    firstEventRate: positiveOption(table, 'first-event.rate', d.firstEventRate),
    baseTime,
    personProportion: positiveOption(table, 'person.proportion', d.personProportion),
    auctionProportion: positiveOption(table, 'auction.proportion', d.auctionProportion),
    bidProportion: positiveOption(table, 'bid.proportion', d.bidProportion),
    hotAuctionRatio: positiveOption(table, 'auction.hot-ratio', d.hotAuctionRatio),
    hotSellerRatio: positiveOption(table, 'seller.hot-ratio', d.hotSellerRatio),
    hotBidderRatio: positiveOption(table, 'bidder.hot-ratio', d.hotBidderRatio),
    hotChannelRatio: positiveOption(table, 'channel.hot-ratio', d.hotChannelRatio),
    numActivePeople: positiveOption(table, 'active-people', d.numActivePeople),
    numInFlightAuctions: positiveOption(table, 'in-flight-auctions', d.numInFlightAuctions),
    avgPersonByteSize: positiveOption(table, 'person.avg-size', d.avgPersonByteSize),
    avgAuctionByteSize: positiveOption(table, 'auction.avg-size', d.avgAuctionByteSize),
    avgBidByteSize: positiveOption(table, 'bid.avg-size', d.avgBidByteSize),
  };
  if (num !== undefined && !(config.eventsNum >= 0)) {
    throw new RivuletError('plan', 'OPTION_INVALID', `Option 'events.num' must be >= 0, found '${num}'`);
  }
  return config;
}

class NexmarkSource implements ScanSource {
  readonly changelogMode = 'insert-only' as const;
  readonly bounded: boolean;
  private readonly gen: NexmarkGenerator;
  private readonly limit: number;
  private emitted = 0;

  constructor(table: TableInfo) {
    const cols = table.columns.map((c) => c.name.toLowerCase());
    if (cols.length !== 4 || cols.some((c, i) => c !== NEXMARK_COLUMNS[i])) {
      throw new RivuletError(
        'plan',
        'SCHEMA_MISMATCH',
        `A nexmark table has the physical columns (event_type INT, person ROW<...>, auction ROW<...>, bid ROW<...>) in that order; '${table.name}' has (${table.columns.map((c) => c.name).join(', ')}). See bench/nexmark/ddl.sql`,
      );
    }
    const config = nexmarkConfig(table);
    this.gen = new NexmarkGenerator(config);
    this.limit = config.eventsNum;
    this.bounded = Number.isFinite(this.limit);
  }

  async open(): Promise<void> {}

  async next(maxRows: number): Promise<SourceBatch | null> {
    if (this.emitted >= this.limit) return null;
    const n = Math.min(maxRows, this.limit - this.emitted);
    const rows: Row[] = new Array(n);
    const start = this.emitted;
    for (let i = 0; i < n; i++) rows[i] = this.gen.row(start + i);
    this.emitted += n;
    return { rows, kinds: null, split: 'nexmark' };
  }

  splits(): readonly string[] {
    return ['nexmark'];
  }
  position(): unknown {
    return this.emitted;
  }
  async seek(position: unknown): Promise<void> {
    // Every event is a function of (seed, number): seeking is setting the counter.
    this.emitted = Number(position);
  }
  async close(): Promise<void> {}
}

const OPTIONS: OptionSpec[] = [
  { key: 'events.num', description: 'total events; the source is bounded when set' },
  { key: 'first-event.rate', default: '10000000', description: 'events per second of event time' },
  { key: 'base-time', description: "event time of the first event (epoch ms or 'YYYY-MM-DD HH:MM:SS' UTC)" },
  { key: 'seed', default: '0', description: 'the same seed gives the same events' },
  { key: 'person.proportion', default: '1', description: 'people per (person+auction+bid) proportion' },
  { key: 'auction.proportion', default: '3', description: 'auctions in the proportion' },
  { key: 'bid.proportion', default: '46', description: 'bids in the proportion' },
  {
    key: 'auction.hot-ratio',
    default: '2',
    description: 'a bid is on a hot auction with probability 1-1/ratio',
  },
  {
    key: 'seller.hot-ratio',
    default: '4',
    description: 'an auction has a hot seller with probability 1-1/ratio',
  },
  { key: 'bidder.hot-ratio', default: '4', description: 'a bid has a hot bidder with probability 1-1/ratio' },
  {
    key: 'channel.hot-ratio',
    default: '2',
    description: 'a bid has a hot channel with probability 1-1/ratio',
  },
  { key: 'active-people', default: '1000', description: 'people new auctions and bids pick from' },
  { key: 'in-flight-auctions', default: '100', description: 'auctions open at a time' },
  { key: 'person.avg-size', default: '200', description: 'average person size in bytes (extra pads)' },
  { key: 'auction.avg-size', default: '500', description: 'average auction size in bytes' },
  { key: 'bid.avg-size', default: '100', description: 'average bid size in bytes' },
  { key: 'scan.parallelism', description: 'accepted for Flink compatibility; one event loop reads it' },
];

export const nexmarkConnector: ConnectorFactory = {
  identifier: 'nexmark',
  options: OPTIONS,
  createSource: (table) => new NexmarkSource(table),
};
