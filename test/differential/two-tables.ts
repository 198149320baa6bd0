/**
 * The harness of the differential subquery tests: 20 rounds of two random small tables (a, b, s) with
 * many NULLs and often empty, loaded into PostgreSQL (PGlite) and into a Rivulet session, then 10
 * generated queries per round whose answers must be equal as multisets.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../connectors/datagen.ts';
import { Session } from '../../runtime/session.ts';
import { queryRows } from '../engine/helpers.ts';

export type Rand = () => number;
export const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
export const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

/** Rows of (a, b, s): a quarter of the integers NULL; a fifth of the tables empty. */
function rows(r: Rand): (number | string | null)[][] {
  const n = r() < 0.2 ? 0 : int(r, 1, 8);
  return Array.from({ length: n }, () => [
    r() < 0.25 ? null : int(r, 0, 4),
    r() < 0.25 ? null : int(r, 0, 4),
    pick(r, ['p', 'q', 'r']),
  ]);
}

export function agreesWithPostgres(
  title: string,
  seed: number,
  query: (r: Rand) => string,
  norm: (v: unknown) => unknown,
): void {
  const canon = (rs: unknown[][]) => rs.map((row) => JSON.stringify(row.map(norm))).sort();
  describe(title, () => {
    let pg: PGlite;
    beforeAll(async () => {
      pg = new PGlite();
      await pg.query('SELECT 1');
    }, 180_000);
    afterAll(async () => {
      await pg?.close();
    });

    it('200 generated queries over tables with NULLs and empty tables give the same rows', async () => {
      const r = seededRandom(seed);
      const mismatches: string[] = [];
      let nonEmpty = 0;
      for (let round = 0; round < 20; round++) {
        const t1 = rows(r);
        const t2 = rows(r);
        const session = new Session();
        await pg.exec('DROP TABLE IF EXISTS t1; DROP TABLE IF EXISTS t2;');
        for (const [name, data] of [
          ['t1', t1],
          ['t2', t2],
        ] as const) {
          await pg.exec(`CREATE TABLE ${name} (a INT, b INT, s TEXT)`);
          for (const row of data) await pg.query(`INSERT INTO ${name} VALUES ($1, $2, $3)`, row);
          await session.executeScript(
            `CREATE TABLE ${name} (a INT, b INT, s STRING) WITH ('connector' = 'values', 'data' = '${JSON.stringify(data)}')`,
          );
        }
        for (let k = 0; k < 10; k++) {
          const sql = query(r);
          const expected = (await pg.query<Record<string, unknown>>(sql, [], { rowMode: 'array' }))
            .rows as unknown as unknown[][];
          if (expected.length > 0) nonEmpty++;
          let got: unknown[][];
          try {
            got = await queryRows(sql, session);
          } catch (e) {
            mismatches.push(`${sql}\n  Rivulet failed: ${(e as Error).message}`);
            continue;
          }
          if (JSON.stringify(canon(got)) !== JSON.stringify(canon(expected))) {
            mismatches.push(
              `${sql}\n  tables: ${JSON.stringify(t1)} / ${JSON.stringify(t2)}\n  rivulet:  ${canon(got).join(' ')}\n  postgres: ${canon(expected).join(' ')}`,
            );
          }
        }
      }
      expect(mismatches.slice(0, 5).join('\n\n')).toBe('');
      // The generator must exercise both outcomes, or the comparison proves little.
      expect(nonEmpty).toBeGreaterThan(40);
      expect(nonEmpty).toBeLessThan(190);
    }, 300_000);
  });
}
