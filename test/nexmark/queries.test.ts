/**
 * The Nexmark queries of bench/nexmark (the files themselves, their INSERT's SELECT) on a small seeded
 * run, each checked against an answer computed here in plain TypeScript from the events read back
 * through `SELECT * FROM nexmark`: an independent calculation, not the engine checked against itself.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Row, Value } from '../../operators/api.ts';
import { Session } from '../../runtime/session.ts';
import { queryRows, sorted } from '../engine/helpers.ts';

const DIR = join(import.meta.dirname, '../../bench/nexmark');
const EVENTS = 10_000;
// 250 events per second of event time: 40 s, so several 10-second windows and open auctions overlap.
const TPS = 250;
const SEED = 7;

const ph = (name: string): string => ['$', '{', name, '}'].join('');

function ddl(): string {
  return readFileSync(join(DIR, 'ddl.sql'), 'utf8')
    .replaceAll(ph('EVENTS_NUM'), String(EVENTS))
    .replaceAll(ph('TPS'), String(TPS))
    .replaceAll(ph('SEED'), String(SEED));
}

/** The query of qN.sql: its views, then the SELECT of its INSERT INTO discard_sink. */
function querySelect(name: string): string {
  const sql = readFileSync(join(DIR, `${name}.sql`), 'utf8');
  const views = [...sql.matchAll(/CREATE TEMPORARY VIEW[^;]*;/g)].map((m) => m[0]).join('\n');
  const at = sql.indexOf('INSERT INTO discard_sink');
  if (at < 0) throw new Error(`${name}.sql has no INSERT INTO discard_sink`);
  return `${views}\n${sql.slice(at + 'INSERT INTO discard_sink'.length)}`;
}

async function run(name: string): Promise<Row[]> {
  const session = new Session();
  await session.executeScript(ddl());
  return queryRows(querySelect(name), session);
}

interface Person {
  id: bigint;
  name: string;
  city: string;
  state: string;
  ts: number;
}
interface Auction {
  id: bigint;
  ts: number;
  expires: number;
  seller: bigint;
  category: bigint;
  raw: Value[];
}
interface Bid {
  auction: bigint;
  bidder: bigint;
  price: bigint;
  channel: string;
  url: string;
  ts: number;
  extra: string;
  seq: number;
}

let events: Row[] = [];
let persons: Person[] = [];
let auctions: Auction[] = [];
let bids: Bid[] = [];

beforeAll(async () => {
  const session = new Session();
  await session.executeScript(ddl());
  events = await queryRows('SELECT * FROM nexmark', session);
  persons = [];
  auctions = [];
  bids = [];
  for (const e of events) {
    if (e[0] === 0) {
      const p = e[1] as Value[];
      persons.push({
        id: p[0] as bigint,
        name: p[1] as string,
        city: p[4] as string,
        state: p[5] as string,
        ts: p[6] as number,
      });
    } else if (e[0] === 1) {
      const a = e[2] as Value[];
      auctions.push({
        id: a[0] as bigint,
        ts: a[5] as number,
        expires: a[6] as number,
        seller: a[7] as bigint,
        category: a[8] as bigint,
        raw: a,
      });
    } else {
      const b = e[3] as Value[];
      bids.push({
        auction: b[0] as bigint,
        bidder: b[1] as bigint,
        price: b[2] as bigint,
        channel: b[3] as string,
        url: b[4] as string,
        ts: b[5] as number,
        extra: b[6] as string,
        seq: bids.length,
      });
    }
  }
}, 60_000);

describe('the nexmark table read through SQL', () => {
  it('has every event, in order, with the rowtime equal to the nested dateTime', () => {
    expect(events).toHaveLength(EVENTS);
    expect(persons).toHaveLength(EVENTS / 50);
    expect(auctions).toHaveLength((EVENTS / 50) * 3);
    for (const e of events) {
      const nested = e[(e[0] as number) + 1] as Value[];
      const dt = e[0] === 0 ? nested[6] : e[0] === 1 ? nested[5] : nested[5];
      expect(e[4]).toBe(dt);
    }
  });
});

describe('Nexmark queries against an independent calculation', () => {
  it('q0 pass-through returns every bid', async () => {
    const expected = bids.map((b) => [b.auction, b.bidder, b.price, b.ts, b.extra]);
    expect(sorted(await run('q0'))).toEqual(sorted(expected));
  });

  it('q1 converts prices to euros exactly (DECIMAL, 0.908 * price)', async () => {
    // DECIMAL(23, 3) values are unscaled bigints: 0.908 * price is 908 * price thousandths.
    const expected = bids.map((b) => [b.auction, b.bidder, 908n * b.price, b.ts, b.extra]);
    expect(sorted(await run('q1'))).toEqual(sorted(expected));
  });

  it('q2 selects the bids on auctions whose id is a multiple of 123', async () => {
    const expected = bids.filter((b) => b.auction % 123n === 0n).map((b) => [b.auction, b.price]);
    expect(expected.length).toBeGreaterThan(0);
    expect(sorted(await run('q2'))).toEqual(sorted(expected));
  });

  it('q5 finds the auctions with the most bids per sliding 10 s window', async () => {
    const perWindow = new Map<number, Map<bigint, number>>();
    for (const b of bids) {
      const last = Math.floor(b.ts / 2000) * 2000;
      for (let start = last; start > b.ts - 10_000; start -= 2000) {
        const counts = perWindow.get(start) ?? new Map<bigint, number>();
        perWindow.set(start, counts);
        counts.set(b.auction, (counts.get(b.auction) ?? 0) + 1);
      }
    }
    const expected: Row[] = [];
    for (const counts of perWindow.values()) {
      const max = Math.max(...counts.values());
      for (const [auction, n] of counts) if (n >= max) expected.push([auction, BigInt(n)]);
    }
    expect(sorted(await run('q5'))).toEqual(sorted(expected));
  });

  it('q7 returns the highest-priced bids of each 10 s tumbling window', async () => {
    const maxByEnd = new Map<number, bigint>();
    for (const b of bids) {
      const end = Math.floor(b.ts / 10_000) * 10_000 + 10_000;
      const m = maxByEnd.get(end);
      if (m === undefined || b.price > m) maxByEnd.set(end, b.price);
    }
    const expected: Row[] = [];
    for (const [end, max] of maxByEnd) {
      for (const b of bids) {
        if (b.price === max && b.ts >= end - 10_000 && b.ts <= end) {
          expected.push([b.auction, b.price, b.bidder, b.ts, b.extra]);
        }
      }
    }
    expect(expected.length).toBeGreaterThanOrEqual(maxByEnd.size);
    expect(sorted(await run('q7'))).toEqual(sorted(expected));
  });

  it('q8 finds the people who opened an auction in the 10 s window they registered in', async () => {
    const sellerWindows = new Set(auctions.map((a) => `${a.seller}@${Math.floor(a.ts / 10_000)}`));
    const expected = persons
      .filter((p) => sellerWindows.has(`${p.id}@${Math.floor(p.ts / 10_000)}`))
      .map((p) => [p.id, p.name, Math.floor(p.ts / 10_000) * 10_000]);
    expect(expected.length).toBeGreaterThan(0);
    expect(sorted(await run('q8'))).toEqual(sorted(expected));
  });

  it('q9 pairs each auction with its winning bid placed while it was open', async () => {
    const expected: Row[] = [];
    for (const a of auctions) {
      let best: Bid | undefined;
      for (const b of bids) {
        if (b.auction !== a.id || b.ts < a.ts || b.ts > a.expires) continue;
        if (best === undefined || b.price > best.price || (b.price === best.price && b.ts < best.ts))
          best = b;
      }
      if (best !== undefined) expected.push([a.id, best.price, best.ts]);
    }
    expect(expected.length).toBeGreaterThan(10);
    const actual = (await run('q9')).map((r) => [r[0], r[12], r[13]]);
    expect(sorted(actual)).toEqual(sorted(expected));
    // The auction columns come through unchanged.
    const byId = new Map(auctions.map((a) => [a.id, a.raw]));
    for (const r of await run('q9')) expect(r.slice(0, 10)).toEqual(byId.get(r[0] as bigint));
  });

  it("q18 keeps each bidder's last bid per auction", async () => {
    const last = new Map<string, Bid>();
    for (const b of bids) {
      const k = `${b.bidder}/${b.auction}`;
      const cur = last.get(k);
      if (cur === undefined || b.ts >= cur.ts) last.set(k, b);
    }
    const expected = [...last.values()].map((b) => [
      b.auction,
      b.bidder,
      b.price,
      b.channel,
      b.url,
      b.ts,
      b.extra,
    ]);
    expect(sorted(await run('q18'))).toEqual(sorted(expected));
  });

  it('q19 ranks the 10 highest bids of each auction', async () => {
    const byAuction = new Map<bigint, bigint[]>();
    for (const b of bids) {
      const prices = byAuction.get(b.auction) ?? [];
      prices.push(b.price);
      byAuction.set(b.auction, prices);
    }
    // Equal prices may take their ranks in either order; (auction, rank, price) is the same either way.
    const expected: Row[] = [];
    for (const [auction, prices] of byAuction) {
      prices.sort((x, y) => (x > y ? -1 : x < y ? 1 : 0));
      prices.slice(0, 10).forEach((p, i) => {
        expected.push([auction, BigInt(i + 1), p]);
      });
    }
    const actual = await run('q19');
    expect(sorted(actual.map((r) => [r[0], r[7], r[2]]))).toEqual(sorted(expected));
  });

  it('q22 splits the URL into its first three directories', async () => {
    const expected = bids.map((b) => {
      const parts = b.url.split('/');
      return [b.auction, b.bidder, b.price, b.channel, parts[3] ?? null, parts[4] ?? null, parts[5] ?? null];
    });
    expect(sorted(await run('q22'))).toEqual(sorted(expected));
  });

  it('q3 suggests category-10 items of sellers in OR, ID and CA', async () => {
    const byId = new Map(persons.map((p) => [p.id, p]));
    const expected: Row[] = [];
    for (const a of auctions) {
      const p = byId.get(a.seller);
      if (a.category === 10n && p !== undefined && ['OR', 'ID', 'CA'].includes(p.state)) {
        expected.push([p.name, p.city, p.state, a.id]);
      }
    }
    expect(expected.length).toBeGreaterThan(0);
    expect(sorted(await run('q3'))).toEqual(sorted(expected));
  });

  it('q4 averages the winning bids per category (BIGINT average truncates)', async () => {
    const finals = new Map<bigint, bigint[]>();
    for (const a of auctions) {
      let max: bigint | undefined;
      for (const b of bids) {
        if (b.auction === a.id && b.ts >= a.ts && b.ts <= a.expires && (max === undefined || b.price > max)) {
          max = b.price;
        }
      }
      if (max === undefined) continue;
      const list = finals.get(a.category) ?? [];
      list.push(max);
      finals.set(a.category, list);
    }
    const expected = [...finals].map(([cat, xs]) => [
      cat,
      xs.reduce((x, y) => x + y, 0n) / BigInt(xs.length),
    ]);
    expect(expected.length).toBeGreaterThan(1);
    expect(sorted(await run('q4'))).toEqual(sorted(expected));
  });

  it("q6 averages each seller's last 11 winning prices, over the updating per-auction maximum", async () => {
    // Per auction: the highest bid placed while it was open, dated by the last such bid.
    const perSeller = new Map<bigint, { final: bigint; ts: number }[]>();
    for (const a of auctions) {
      let final: bigint | undefined;
      let last = Number.NEGATIVE_INFINITY;
      for (const b of bids) {
        if (b.auction !== a.id || b.ts < a.ts || b.ts > a.expires) continue;
        if (final === undefined || b.price > final) final = b.price;
        if (b.ts > last) last = b.ts;
      }
      if (final === undefined) continue;
      const list = perSeller.get(a.seller) ?? [];
      list.push({ final, ts: last });
      perSeller.set(a.seller, list);
    }
    // Per seller, in time order (each auction's last bid is a distinct event, so no ties): the
    // truncated BIGINT average of the row and the 10 before it.
    const expected: Row[] = [];
    for (const [seller, list] of perSeller) {
      list.sort((x, y) => x.ts - y.ts);
      list.forEach((_, j) => {
        const frame = list.slice(Math.max(0, j - 10), j + 1);
        expected.push([seller, frame.reduce((s, x) => s + x.final, 0n) / BigInt(frame.length)]);
      });
    }
    expect([...perSeller.values()].some((l) => l.length > 11)).toBe(true);
    expect(sorted(await run('q6'))).toEqual(sorted(expected));
  });

  it('q11 counts bids per bidder session (10 s of inactivity closes one)', async () => {
    const byBidder = new Map<bigint, number[]>();
    for (const b of bids) byBidder.set(b.bidder, [...(byBidder.get(b.bidder) ?? []), b.ts]);
    const expected: Row[] = [];
    for (const [bidder, times] of byBidder) {
      times.sort((x, y) => x - y);
      let start = times[0] as number;
      let last = start;
      let n = 0;
      for (const t of times) {
        if (t - last >= 10_000) {
          expected.push([bidder, BigInt(n), start, last + 10_000]);
          start = t;
          n = 0;
        }
        last = t;
        n++;
      }
      expected.push([bidder, BigInt(n), start, last + 10_000]);
    }
    expect(expected.length).toBeGreaterThan(byBidder.size);
    expect(sorted(await run('q11'))).toEqual(sorted(expected));
  });

  it('q13 enriches each bid from the side input keyed by MOD(auction, 10000), dropping bids without a key', async () => {
    // The test's own side input: only even keys, so some bids find no row (an INNER join drops them).
    const path = join(mkdtempSync(join(tmpdir(), 'rivulet-q13-')), 'side.csv');
    const value = (k: bigint) => `s${(k * 13n) % 1000n}`;
    const lines: string[] = [];
    for (let k = 0n; k < 10_000n; k += 2n) lines.push(`${k},${value(k)}`);
    writeFileSync(path, `${lines.join('\n')}\n`);
    const sql = readFileSync(join(DIR, 'q13.sql'), 'utf8');
    const sideDdl = (sql.match(/CREATE TABLE side_input[^;]*;/) as RegExpMatchArray)[0].replaceAll(
      ph('SIDE_INPUT'),
      path,
    );
    const session = new Session();
    await session.executeScript(`${ddl()}\n${sideDdl}`);
    const got = await queryRows(querySelect('q13'), session);
    const expected = bids
      .filter((b) => (b.auction % 10_000n) % 2n === 0n)
      .map((b) => [b.auction, b.bidder, b.price, b.ts, value(b.auction % 10_000n)]);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(bids.length);
    expect(sorted(got)).toEqual(sorted(expected));
  });

  it('q14 classifies the time of day and counts the letter c in the converted price range', async () => {
    const expected = bids
      .filter((b) => 908n * b.price > 1_000_000_000n && 908n * b.price < 50_000_000_000n)
      .map((b) => {
        const h = new Date(b.ts).getUTCHours();
        const type = h >= 8 && h <= 18 ? 'dayTime' : h <= 6 || h >= 20 ? 'nightTime' : 'otherTime';
        return [
          b.auction,
          b.bidder,
          908n * b.price,
          type,
          b.ts,
          b.extra,
          BigInt(b.extra.split('c').length - 1),
        ];
      });
    expect(expected.length).toBeGreaterThan(0);
    expect(sorted(await run('q14'))).toEqual(sorted(expected));
  });

  it('q17 reports per auction and day the bids per price rank and the price statistics', async () => {
    const groups = new Map<string, Bid[]>();
    for (const b of bids) {
      const day = new Date(b.ts).toISOString().slice(0, 10);
      const k = `${b.auction}|${day}`;
      groups.set(k, [...(groups.get(k) ?? []), b]);
    }
    const expected: Row[] = [];
    for (const [k, g] of groups) {
      const [auction, day] = k.split('|') as [string, string];
      const prices = g.map((b) => b.price);
      const sum = prices.reduce((x, y) => x + y, 0n);
      const asc = [...prices].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
      expected.push([
        BigInt(auction),
        day,
        BigInt(g.length),
        BigInt(prices.filter((p) => p < 10_000n).length),
        BigInt(prices.filter((p) => p >= 10_000n && p < 1_000_000n).length),
        BigInt(prices.filter((p) => p >= 1_000_000n).length),
        asc[0],
        asc[asc.length - 1],
        sum / BigInt(g.length),
        sum,
      ]);
    }
    expect(sorted(await run('q17'))).toEqual(sorted(expected));
  });

  it('q20 expands the bids on category-10 auctions with their auction', async () => {
    const byId = new Map(auctions.map((a) => [a.id, a]));
    const expected: Row[] = [];
    for (const b of bids) {
      const a = byId.get(b.auction);
      if (a === undefined || a.category !== 10n) continue;
      const r = a.raw;
      expected.push([
        b.auction,
        b.bidder,
        b.price,
        b.channel,
        b.url,
        b.ts,
        b.extra,
        r[1],
        r[2],
        r[3],
        r[4],
        r[5],
        r[6],
        r[7],
        r[8],
        r[9],
      ]);
    }
    expect(expected.length).toBeGreaterThan(0);
    expect(sorted(await run('q20'))).toEqual(sorted(expected));
  });

  it('q21 derives the channel id from the hot-channel list or the URL parameter', async () => {
    const hot: Record<string, string> = { apple: '0', google: '1', facebook: '2', baidu: '3' };
    const expected: Row[] = [];
    for (const b of bids) {
      const fromUrl = /(?:&|^)channel_id=([^&]*)/.exec(b.url)?.[1] ?? null;
      const h = hot[b.channel.toLowerCase()];
      if (h === undefined && fromUrl === null) continue;
      expected.push([b.auction, b.bidder, b.price, b.channel, h ?? fromUrl]);
    }
    expect(expected.length).toBeLessThan(bids.length);
    expect(sorted(await run('q21'))).toEqual(sorted(expected));
  });

  it('q16 reports per channel and day bids, distinct bidders and distinct auctions per price rank', async () => {
    const ranks: ((p: bigint) => boolean)[] = [
      () => true,
      (p) => p < 10_000n,
      (p) => p >= 10_000n && p < 1_000_000n,
      (p) => p >= 1_000_000n,
    ];
    const groups = new Map<string, Bid[]>();
    for (const b of bids) {
      const k = `${b.channel}|${new Date(b.ts).toISOString().slice(0, 10)}`;
      groups.set(k, [...(groups.get(k) ?? []), b]);
    }
    const expected: Row[] = [];
    for (const [k, g] of groups) {
      const [channel, day] = k.split('|') as [string, string];
      const minute = g
        .map((b) => new Date(b.ts).toISOString().slice(11, 16))
        .sort()
        .at(-1) as string;
      const inRank = ranks.map((r) => g.filter((b) => r(b.price)));
      expected.push([
        channel,
        day,
        minute,
        ...inRank.map((xs) => BigInt(xs.length)),
        ...inRank.map((xs) => BigInt(new Set(xs.map((b) => b.bidder)).size)),
        ...inRank.map((xs) => BigInt(new Set(xs.map((b) => b.auction)).size)),
      ]);
    }
    expect(expected.length).toBeGreaterThan(4);
    expect(sorted(await run('q16'))).toEqual(sorted(expected));
  });
});
