import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CheckpointStore,
  decodeCheckpoint,
  deserializePayload,
  serializePayload,
} from '../../runtime/checkpoint/store.ts';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'rivulet-ckpt-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function quietStore(dir: string): { store: CheckpointStore; warnings: string[] } {
  const warnings: string[] = [];
  return { store: new CheckpointStore(dir, (m) => warnings.push(m)), warnings };
}

describe('checkpoint files', () => {
  it('round-trips structured data: Maps, bigints, nested rows', async () => {
    const { store } = quietStore(tempDir());
    const payload = { m: new Map([['k', [1n, 'x', null, 2.5]]]), list: [[1, 2], [3]] };
    await store.write('job', 7, [serializePayload(payload)]);
    const loaded = await store.latest();
    expect(loaded?.manifest.checkpointId).toBe(7);
    expect(loaded?.manifest.jobName).toBe('job');
    expect(deserializePayload(loaded?.sections[0])).toEqual(payload);
  });

  it('leaves no temporary file behind and keeps only the retained number of checkpoints', async () => {
    const dir = tempDir();
    const { store } = quietStore(dir);
    for (let id = 1; id <= 5; id++) {
      await store.write('job', id, [serializePayload({ id })]);
      await store.prune(2);
    }
    expect(readdirSync(dir).sort()).toEqual(['chk-4.rvck', 'chk-5.rvck']);
    expect(deserializePayload<{ id: number }>((await store.latest())?.sections[0]).id).toBe(5);
  });

  it('skips a truncated newest checkpoint with a warning and falls back to the previous one', async () => {
    const dir = tempDir();
    const { store, warnings } = quietStore(dir);
    await store.write('job', 1, [serializePayload({ id: 1 })]);
    await store.write('job', 2, [serializePayload({ id: 2, big: 'x'.repeat(1000) })]);
    const file = join(dir, 'chk-2.rvck');
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, bytes.length - 10));
    const loaded = await store.latest();
    expect(deserializePayload<{ id: number }>(loaded?.sections[0]).id).toBe(1);
    expect(warnings.join('\n')).toMatch(/chk-2\.rvck is damaged/);
  });

  it('detects any single flipped byte in the payload by its checksum', async () => {
    const dir = tempDir();
    const { store } = quietStore(dir);
    await store.write('job', 1, [
      serializePayload({
        rows: [
          [1, 'a'],
          [2, 'b'],
        ],
        n: 123456789n,
      }),
      serializePayload([3, 4]),
    ]);
    const good = readFileSync(join(dir, 'chk-1.rvck'));
    const headerEnd = good.length - decodeCheckpoint(good, 'f').manifest.payloadBytes;
    fc.assert(
      fc.property(
        fc.integer({ min: headerEnd, max: good.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        (i, x) => {
          const bad = Buffer.from(good);
          bad[i] = (bad[i] as number) ^ x;
          expect(() => decodeCheckpoint(bad, 'f')).toThrow(/checksum|damaged/);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('returns null when every checkpoint is damaged, and respects the maximum id', async () => {
    const dir = tempDir();
    const { store, warnings } = quietStore(dir);
    await store.write('job', 1, [serializePayload({ id: 1 })]);
    await store.write('job', 2, [serializePayload({ id: 2 })]);
    expect(deserializePayload<{ id: number }>((await store.latest(1))?.sections[0]).id).toBe(1);
    writeFileSync(join(dir, 'chk-1.rvck'), 'garbage');
    writeFileSync(join(dir, 'chk-2.rvck'), '');
    expect(await store.latest()).toBeNull();
    expect(warnings).toHaveLength(2);
  });
});
