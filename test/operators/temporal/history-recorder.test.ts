import { describe, expect, it } from 'vitest';
import { HistoryRecorder } from '../../../operators/temporal/history-recorder.ts';
import { VersionHistory } from '../../../operators/temporal/version-history.ts';
import { OperatorHarness } from '../../../operators/testing/harness.ts';

// Rows [key, value, version time].
function recorder(retentionMs: number) {
  const history = new VersionHistory({ keyIndices: [0], timeIndex: 2, retentionMs });
  const events: string[] = [];
  const op = new HistoryRecorder({
    timeIndex: 2,
    attach: () => ({
      history,
      finished: () => events.push('finished'),
      abandoned: () => events.push('abandoned'),
    }),
  });
  return { history, events, op, h: new OperatorHarness(op) };
}

describe('HistoryRecorder', () => {
  it('forwards every change and watermark and records the versions', () => {
    const { history, h } = recorder(100);
    h.insert(['a', 1, 10]).insert(['b', 1, 20]).update(['a', 1, 10], ['a', 2, 30]).watermark(25);
    expect(h.formatted()).toEqual(['+I[a, 1, 10]', '+I[b, 1, 20]', '-U[a, 1, 10]', '+U[a, 2, 30]']);
    expect(h.watermarks).toEqual([25]);
    expect(history.asOf(15)).toEqual([['a', 1, 10]]);
    expect(history.asOf(30)).toEqual([
      ['a', 2, 30],
      ['b', 1, 20],
    ]);
  });

  it('prunes to watermark minus retention; a change older than that is forwarded but not recorded', () => {
    const { history, h } = recorder(100);
    h.insert(['a', 1, 10]).insert(['a', 2, 50]).insert(['a', 3, 200]).watermark(250);
    expect(history.horizon).toBe(150);
    expect(history.asOf(150)).toEqual([['a', 2, 50]]);
    expect(() => history.asOf(149)).toThrow(/TIME_TRAVEL_BEYOND_RETENTION|only kept from/);
    h.insert(['a', 9, 140]);
    expect(h.formatted()).toContain('+I[a, 9, 140]');
    expect(h.ctx.metrics.get('numHistoryLateRecordsDropped')).toBe(1);
    expect(history.asOf(199)).toEqual([['a', 2, 50]]);
  });

  it('at the end of a bounded input prunes to the newest version time minus retention', () => {
    const { history, events, h } = recorder(100);
    h.insert(['a', 1, 10]).insert(['a', 2, 50]).insert(['a', 3, 500]);
    h.watermark(Number.POSITIVE_INFINITY).endInput();
    expect(history.horizon).toBe(400);
    expect(history.asOf(400)).toEqual([['a', 2, 50]]);
    expect(events).toEqual(['finished']);
    expect(h.ended).toBe(true);
  });

  it('tells its owner when the job stops before the input ended', () => {
    const { events, op, h } = recorder(100);
    h.insert(['a', 1, 10]);
    op.close();
    expect(events).toEqual(['abandoned']);
  });

  it('is a plain pass-through when attach gives no history (another job feeds it)', () => {
    const op = new HistoryRecorder({ timeIndex: 2, attach: () => undefined });
    const h = new OperatorHarness(op);
    h.insert(['a', 1, 10]).watermark(20).endInput();
    expect(h.formatted()).toEqual(['+I[a, 1, 10]']);
    expect(h.watermarks).toEqual([20]);
    expect(h.stateSize()).toBe(0);
  });
});
