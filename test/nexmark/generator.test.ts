/**
 * The Nexmark generator's model: proportions, ids, hot keys, prices, event time, determinism; and the
 * connector's options, bounds and restore.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NexmarkGenerator, nexmarkConnector } from '../../connectors/nexmark.ts';
import type { Row, Value } from '../../operators/api.ts';
import { Session } from '../../runtime/session.ts';
import { queryRows } from '../engine/helpers.ts';

const nested = (r: Row): Value[] => r[(r[0] as number) + 1] as Value[];

function generate(n: number, seed = 1, rate = 1000): Row[] {
  const g = new NexmarkGenerator({ seed, firstEventRate: rate });
  return Array.from({ length: n }, (_, i) => g.row(i));
}

describe('NexmarkGenerator model', () => {
  const rows = generate(50_000);
  const people = rows.filter((r) => r[0] === 0).map(nested);
  const auctions = rows.filter((r) => r[0] === 1).map(nested);
  const bids = rows.filter((r) => r[0] === 2).map(nested);

  it('emits people, auctions and bids 1 : 3 : 46 in every block of 50 events', () => {
    // One expect over all blocks (an expect per block took over 30 s on a loaded 2-core machine).
    const counts: string[] = [];
    for (let block = 0; block < rows.length; block += 50) {
      const c = [0, 0, 0];
      for (const r of rows.slice(block, block + 50)) c[r[0] as number]++;
      counts.push(c.join(':'));
    }
    expect(counts).toEqual(Array.from({ length: rows.length / 50 }, () => '1:3:46'));
    // Exactly one nested row is set, the one event_type names.
    const wrong = rows.filter(
      (r) => [r[1], r[2], r[3]].filter((x) => x !== null).length !== 1 || r[(r[0] as number) + 1] === null,
    );
    expect(wrong).toEqual([]);
  });

  it('numbers people and auctions consecutively from 1000', () => {
    expect(people.map((p) => p[0])).toEqual(people.map((_, i) => BigInt(1000 + i)));
    expect(auctions.map((a) => a[0])).toEqual(auctions.map((_, i) => BigInt(1000 + i)));
  });

  it('references only people and auctions that exist or are just about to (the model lead of 10)', () => {
    let lastPerson = 999n;
    let lastAuction = 999n;
    for (const r of rows) {
      const v = nested(r);
      if (r[0] === 0) lastPerson = v[0] as bigint;
      else if (r[0] === 1) {
        lastAuction = v[0] as bigint;
        expect(v[7] as bigint).toBeGreaterThanOrEqual(1000n);
        expect(v[7] as bigint).toBeLessThanOrEqual(lastPerson + 10n);
      } else {
        expect(v[0] as bigint).toBeGreaterThanOrEqual(1000n);
        expect(v[0] as bigint).toBeLessThanOrEqual(lastAuction + 10n);
        expect(v[1] as bigint).toBeGreaterThanOrEqual(1000n);
        expect(v[1] as bigint).toBeLessThanOrEqual(lastPerson + 10n);
      }
    }
  });

  it('concentrates bids on hot auctions and hot bidders, auctions on hot sellers', () => {
    const share = (xs: Value[][], pick: (v: Value[]) => boolean) => xs.filter(pick).length / xs.length;
    // Hot auction: id - 1000 a multiple of 100 (chosen 1 time in 2, plus cold picks that land there).
    expect(share(bids, (b) => ((b[0] as bigint) - 1000n) % 100n === 0n)).toBeGreaterThan(0.48);
    // Hot bidder: id - 1000 is 1 mod 100 (3 times in 4).
    expect(share(bids, (b) => ((b[1] as bigint) - 1000n) % 100n === 1n)).toBeGreaterThan(0.72);
    // Hot seller: id - 1000 a multiple of 100 (3 times in 4).
    expect(share(auctions, (a) => ((a[7] as bigint) - 1000n) % 100n === 0n)).toBeGreaterThan(0.72);
  });

  it('draws prices log-uniformly from 1 to 1,000,000 dollars (in cents) and reserves above them', () => {
    const prices = bids.map((b) => Number(b[2]));
    expect(Math.min(...prices)).toBeGreaterThanOrEqual(100);
    expect(Math.max(...prices)).toBeLessThanOrEqual(100_000_000);
    // Log-uniform: about a sixth of the prices in each decade.
    const decade = prices.filter((p) => p >= 10_000 && p < 100_000).length / prices.length;
    expect(decade).toBeGreaterThan(0.14);
    expect(decade).toBeLessThan(0.19);
    for (const a of auctions) {
      expect(a[4] as bigint).toBeGreaterThan(a[3] as bigint);
      expect(a[6] as number).toBeGreaterThan(a[5] as number);
      expect([10n, 11n, 12n, 13n, 14n]).toContain(a[8]);
    }
  });

  it('advances event time at the configured rate', () => {
    const g = new NexmarkGenerator({ firstEventRate: 400, baseTime: 1_000_000 });
    for (const n of [0, 1, 399, 400, 401, 12345]) {
      const ts = nested(g.row(n))[(g.row(n)[0] as number) === 1 ? 5 : (g.row(n)[0] as number) === 0 ? 6 : 5];
      expect(ts).toBe(1_000_000 + Math.floor((n * 1000) / 400));
    }
  });

  it('pads events to the average sizes of the model with extra', () => {
    const avg = (xs: Value[][], i: number) => xs.reduce((s, x) => s + (x[i] as string).length, 0) / xs.length;
    // Bids carry about 100 - 32 bytes of padding, auctions 500 minus their text, people 200 minus theirs.
    expect(avg(bids, 6)).toBeGreaterThan(60);
    expect(avg(bids, 6)).toBeLessThan(76);
    expect(avg(auctions, 9)).toBeGreaterThan(300);
    expect(avg(people, 7)).toBeGreaterThan(100);
  });

  it('gives each channel one URL, and hot channels fixed URLs', () => {
    const urlOf = new Map<string, string>();
    for (const b of bids) {
      const seen = urlOf.get(b[3] as string);
      if (seen !== undefined) expect(b[4]).toBe(seen);
      urlOf.set(b[3] as string, b[4] as string);
      expect(b[4]).toMatch(/^https:\/\/www\.nexmark\.com\/[a-z]{5}\/[a-z]{5}\/[a-z]{5}\/item\.htm\?query=1/);
    }
    const hot = bids.filter((b) => ['Google', 'Facebook', 'Baidu', 'Apple'].includes(b[3] as string));
    expect(hot.length / bids.length).toBeGreaterThan(0.45);
  });

  it('is deterministic per seed and per event number, whatever the order events are asked for', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.array(fc.nat({ max: 1_000_000 }), { maxLength: 20 }),
        (seed, ns) => {
          const a = new NexmarkGenerator({ seed });
          const b = new NexmarkGenerator({ seed });
          const forward = ns.map((n) => a.row(n));
          const backward = [...ns].reverse().map((n) => b.row(n));
          expect(forward).toEqual(backward.reverse());
        },
      ),
      { numRuns: 100 },
    );
    expect(generate(500, 1)).toEqual(generate(500, 1));
    expect(generate(500, 2)).not.toEqual(generate(500, 1));
  });
});

describe("'connector' = 'nexmark'", () => {
  const ddl = (opts: string) => `CREATE TABLE nexmark (
    event_type INT,
    person ROW<id BIGINT, name STRING, emailAddress STRING, creditCard STRING, city STRING, state STRING, dateTime TIMESTAMP(3), extra STRING>,
    auction ROW<id BIGINT, itemName STRING, description STRING, initialBid BIGINT, reserve BIGINT, dateTime TIMESTAMP(3), expires TIMESTAMP(3), seller BIGINT, category BIGINT, extra STRING>,
    bid ROW<auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING, dateTime TIMESTAMP(3), extra STRING>
  ) WITH ('connector' = 'nexmark'${opts})`;

  it('is bounded by events.num and yields the generator rows for its seed', async () => {
    const session = new Session();
    await session.executeScript(ddl(", 'events.num' = '120', 'seed' = '5', 'first-event.rate' = '1000'"));
    const rows = await queryRows('SELECT * FROM nexmark', session);
    expect(rows).toEqual(generate(120, 5, 1000));
  });

  it('counts bids by SQL as the model predicts (46 of every 50 events)', async () => {
    const session = new Session();
    await session.executeScript(ddl(", 'events.num' = '1000'"));
    const rows = await queryRows('SELECT event_type, COUNT(*) FROM nexmark GROUP BY event_type', session);
    expect(new Map(rows.map((r) => [r[0], r[1]]))).toEqual(
      new Map<Value, Value>([
        [0, 20n],
        [1, 60n],
        [2, 920n],
      ]),
    );
  });

  it('is unbounded without events.num, and restoring a position continues the same stream', async () => {
    const table = {
      name: 't',
      columns: ['event_type', 'person', 'auction', 'bid'].map((name) => ({ name, type: { kind: 'INT' } })),
      options: new Map([['seed', '3']]),
    } as unknown as Parameters<NonNullable<typeof nexmarkConnector.createSource>>[0];
    const create = nexmarkConnector.createSource as NonNullable<typeof nexmarkConnector.createSource>;
    const a = create(table);
    expect(a.bounded).toBe(false);
    await a.next(70);
    const pos = a.position();
    const rest = await a.next(30);
    const b = create(table);
    await b.seek(pos);
    expect(await b.next(30)).toEqual(rest);
    expect(rest?.rows).toEqual(generate(100, 3, 10_000_000).slice(70));
  });

  it('rejects invalid options and a wrong schema with actionable errors', async () => {
    const bad = async (sql: string) => {
      const session = new Session();
      await session.executeScript(sql);
      return queryRows('SELECT * FROM nexmark', session);
    };
    await expect(bad(ddl(", 'first-event.rate' = '0'"))).rejects.toMatchObject({ code: 'OPTION_INVALID' });
    await expect(bad(ddl(", 'base-time' = 'yesterday'"))).rejects.toMatchObject({ code: 'OPTION_INVALID' });
    await expect(
      bad("CREATE TABLE nexmark (a INT) WITH ('connector' = 'nexmark', 'events.num' = '1')"),
    ).rejects.toMatchObject({ code: 'SCHEMA_MISMATCH' });
  });
});
