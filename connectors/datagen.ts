/**
 * `'connector' = 'datagen'`: generated rows, random or sequential per column, with Flink's options:
 * `rows-per-second` (default 10000), `number-of-rows` (bounded when set), and per field
 * `fields.<name>.kind` = `random` | `sequence`, `.min`, `.max`, `.max-past` (timestamps),
 * `.length` (strings, collections), `.var-len`, `.start`, `.end` (sequences), `.null-rate`.
 * Rivulet adds `seed`: the same seed gives the same rows (random fields), for reproducible tests.
 * A sequence field makes the source bounded: it ends when the sequence is exhausted.
 * Timestamps without `max-past` are the current time; with it, a random time in [now - max-past, now].
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type LogicalType, MAX_LENGTH } from '../catalog/types.ts';
import { parseDurationMs } from '../common/duration.ts';
import { RivuletError } from '../common/errors.ts';
import type { Row, Value } from '../operators/api.ts';
import type {
  ConnectorFactory,
  OptionSpec,
  ScanSource,
  SourceBatch,
  SourceContext,
  TableInfo,
} from './api.ts';
import { booleanOption, numberOption } from './registry.ts';

/** A small, fast, seedable PRNG (mulberry32): uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

interface FieldGen {
  next(): Value;
  /** Sequences end; random fields never do. */
  exhausted(): boolean;
}

interface GenContext {
  readonly rand: () => number;
  readonly now: () => number;
  readonly table: TableInfo;
}

const INT_RANGE: Record<string, [number, number]> = {
  TINYINT: [-128, 127],
  SMALLINT: [-32768, 32767],
  INT: [-2147483648, 2147483647],
};

function fieldGen(name: string, type: LogicalType, g: GenContext, prefix = `fields.${name}.`): FieldGen {
  const opt = (k: string): string | undefined => g.table.options.get(prefix + k);
  const num = (k: string, fallback: number): number => numberOption(g.table, prefix + k, fallback);
  const kind = opt('kind') ?? 'random';
  if (kind !== 'random' && kind !== 'sequence') {
    throw new RivuletError(
      'plan',
      'OPTION_INVALID',
      `Option '${prefix}kind' must be 'random' or 'sequence', found '${kind}'`,
    );
  }
  const nullRate = num('null-rate', 0);
  const withNulls = (gen: FieldGen): FieldGen =>
    nullRate > 0
      ? { next: () => (g.rand() < nullRate ? null : gen.next()), exhausted: () => gen.exhausted() }
      : gen;
  if (kind === 'sequence') return withNulls(sequenceGen(name, type, g, prefix));
  return withNulls(randomGen(name, type, g, prefix));
}

function sequenceGen(name: string, type: LogicalType, g: GenContext, prefix: string): FieldGen {
  const start = g.table.options.get(`${prefix}start`);
  const end = g.table.options.get(`${prefix}end`);
  if (start === undefined || end === undefined) {
    throw new RivuletError(
      'plan',
      'OPTION_MISSING',
      `A sequence field needs '${prefix}start' and '${prefix}end' (field '${name}')`,
    );
  }
  let cur = BigInt(start);
  const last = BigInt(end);
  const convert = (v: bigint): Value => {
    switch (type.kind) {
      case 'TINYINT':
      case 'SMALLINT':
      case 'INT':
      case 'FLOAT':
      case 'DOUBLE':
        return Number(v);
      case 'BIGINT':
        return v;
      case 'DECIMAL':
        return v * 10n ** BigInt(type.scale ?? 0);
      case 'CHAR':
      case 'VARCHAR':
        return String(v);
      default:
        throw new RivuletError(
          'plan',
          'OPTION_INVALID',
          `datagen cannot generate a sequence of type ${type.kind} (field '${name}')`,
        );
    }
  };
  convert(cur);
  return {
    next: () => {
      const v = convert(cur);
      cur++;
      return v;
    },
    exhausted: () => cur > last,
  };
}

function randomGen(name: string, type: LogicalType, g: GenContext, prefix: string): FieldGen {
  const { rand } = g;
  const num = (k: string, fallback: number): number => numberOption(g.table, prefix + k, fallback);
  const never = () => false;
  const length = num('length', 100);
  const varLen = booleanOption(g.table, `${prefix}var-len`, false);
  const len = (max: number) => (varLen ? Math.floor(rand() * (max + 1)) : max);
  switch (type.kind) {
    case 'BOOLEAN':
      return { next: () => rand() < 0.5, exhausted: never };
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT': {
      const [lo, hi] = INT_RANGE[type.kind] as [number, number];
      const min = num('min', lo);
      const max = num('max', hi);
      return { next: () => min + Math.floor(rand() * (max - min + 1)), exhausted: never };
    }
    case 'BIGINT': {
      const min = num('min', -Number.MAX_SAFE_INTEGER);
      const max = num('max', Number.MAX_SAFE_INTEGER);
      return { next: () => BigInt(min + Math.floor(rand() * (max - min + 1))), exhausted: never };
    }
    case 'FLOAT':
    case 'DOUBLE': {
      const min = num('min', -1e6);
      const max = num('max', 1e6);
      const round = type.kind === 'FLOAT' ? Math.fround : (x: number) => x;
      return { next: () => round(min + rand() * (max - min)), exhausted: never };
    }
    case 'DECIMAL': {
      const scale = type.scale ?? 0;
      const p = type.precision ?? 10;
      const limit = 10 ** Math.min(p - scale, 15);
      const min = num('min', -limit + 1);
      const max = num('max', limit - 1);
      const f = 10 ** scale;
      return { next: () => BigInt(Math.round((min + rand() * (max - min)) * f)), exhausted: never };
    }
    case 'CHAR':
    case 'VARCHAR':
    case 'BINARY':
    case 'VARBINARY': {
      const cap =
        type.precision === MAX_LENGTH || type.precision === undefined
          ? length
          : Math.min(length, type.precision);
      const n = type.kind === 'CHAR' || type.kind === 'BINARY' ? (type.precision ?? 1) : cap;
      if (type.kind === 'CHAR' || type.kind === 'VARCHAR') {
        return {
          next: () => {
            let s = '';
            const l = type.kind === 'CHAR' ? n : len(n);
            for (let i = 0; i < l; i++) s += CHARS[Math.floor(rand() * CHARS.length)];
            return s;
          },
          exhausted: never,
        };
      }
      return {
        next: () => {
          const l = type.kind === 'BINARY' ? n : len(n);
          const b = new Uint8Array(l);
          for (let i = 0; i < l; i++) b[i] = Math.floor(rand() * 256);
          return b;
        },
        exhausted: never,
      };
    }
    case 'DATE':
      return { next: () => Math.floor(g.now() / 86_400_000) - Math.floor(rand() * 365), exhausted: never };
    case 'TIME':
      return { next: () => Math.floor(rand() * 86_400_000), exhausted: never };
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      const pastText = g.table.options.get(`${prefix}max-past`);
      const past = pastText === undefined ? 0 : parseDurationMs(pastText);
      return { next: () => g.now() - Math.floor(rand() * (past + 1)), exhausted: never };
    }
    case 'ARRAY':
    case 'MULTISET': {
      const el = randomGen(`${name}.element`, type.element as LogicalType, g, `${prefix}element.`);
      const size = Math.min(length, 3);
      return {
        next: () => {
          const a: Value[] = [];
          for (let i = len(size); i > 0; i--) a.push(el.next());
          if (type.kind === 'ARRAY') return a;
          const m = new Map<Value, number>();
          for (const v of a) m.set(v, (m.get(v) ?? 0) + 1);
          return m;
        },
        exhausted: never,
      };
    }
    case 'MAP': {
      const k = randomGen(`${name}.key`, type.key as LogicalType, g, `${prefix}key.`);
      const v = randomGen(`${name}.value`, type.element as LogicalType, g, `${prefix}value.`);
      const size = Math.min(length, 3);
      return {
        next: () => {
          const m = new Map<Value, Value>();
          for (let i = len(size); i > 0; i--) m.set(k.next(), v.next());
          return m;
        },
        exhausted: never,
      };
    }
    case 'ROW': {
      const fields = (type.fields ?? []).map((f) =>
        randomGen(`${name}.${f.name}`, f.type, g, `${prefix}${f.name}.`),
      );
      return { next: () => fields.map((f) => f.next()), exhausted: never };
    }
    default:
      throw new RivuletError(
        'plan',
        'TYPE_UNSUPPORTED',
        `datagen cannot generate values of type ${type.kind} (field '${name}')`,
      );
  }
}

class DatagenSource implements ScanSource {
  readonly changelogMode = 'insert-only' as const;
  readonly bounded: boolean;
  private readonly table: TableInfo;
  private readonly rowsPerSecond: number;
  private readonly numberOfRows: number;
  private seed: number;
  private gens: FieldGen[] = [];
  private emitted = 0;
  private startedAt = 0;
  private now: () => number = Date.now;

  constructor(table: TableInfo) {
    this.table = table;
    this.rowsPerSecond = numberOption(table, 'rows-per-second', 10000);
    const n = table.options.get('number-of-rows');
    this.numberOfRows = n === undefined ? Infinity : numberOption(table, 'number-of-rows', 0);
    this.seed = numberOption(table, 'seed', Math.floor(Math.random() * 2 ** 31));
    const sequences = table.columns.some((c) => table.options.get(`fields.${c.name}.kind`) === 'sequence');
    this.bounded = Number.isFinite(this.numberOfRows) || sequences;
    this.build(); // validates the field options at planning time
  }

  private build(): void {
    const rand = seededRandom(this.seed);
    const ctx: GenContext = { rand, now: () => this.now(), table: this.table };
    this.gens = this.table.columns.map((c) => {
      if (c.metadataKey !== undefined) {
        throw new RivuletError(
          'plan',
          'METADATA_UNSUPPORTED',
          `datagen has no metadata; column '${c.name}' cannot be METADATA`,
        );
      }
      return fieldGen(c.name, c.type, ctx);
    });
  }

  async open(ctx: SourceContext): Promise<void> {
    this.now = ctx.now;
    // A restored source (emitted > 0) is on schedule from now, not behind it by the rows it skipped.
    const ahead =
      Number.isFinite(this.rowsPerSecond) && this.rowsPerSecond > 0
        ? (this.emitted / this.rowsPerSecond) * 1000
        : 0;
    this.startedAt = ctx.now() - ahead;
  }

  async next(maxRows: number): Promise<SourceBatch | null> {
    if (this.emitted >= this.numberOfRows || this.gens.some((g) => g.exhausted())) return null;
    // Throttle to rows-per-second: never get ahead of the schedule by more than one batch.
    let n = Math.min(maxRows, this.numberOfRows - this.emitted);
    if (Number.isFinite(this.rowsPerSecond) && this.rowsPerSecond > 0) {
      const due =
        Math.floor(((this.now() - this.startedAt) / 1000) * this.rowsPerSecond) +
        Math.min(maxRows, this.rowsPerSecond);
      if (due <= this.emitted) {
        await sleep(Math.max(1, Math.ceil(1000 / this.rowsPerSecond)));
        return { rows: [], kinds: null, split: 'datagen' };
      }
      n = Math.min(n, due - this.emitted);
    }
    const rows: Row[] = [];
    const gens = this.gens;
    for (let i = 0; i < n; i++) {
      if (gens.some((g) => g.exhausted())) break;
      const row = new Array(gens.length);
      for (let c = 0; c < gens.length; c++) row[c] = (gens[c] as FieldGen).next();
      rows.push(row);
    }
    this.emitted += rows.length;
    return { rows, kinds: null, split: 'datagen' };
  }

  splits(): readonly string[] {
    return ['datagen'];
  }
  position(): unknown {
    // The seed is part of the position: without a 'seed' option it is random per run, and a restored
    // job must go on with the same sequence.
    return { emitted: this.emitted, seed: this.seed };
  }
  async seek(position: unknown): Promise<void> {
    // Regenerate deterministically up to the position (same seed gives the same rows).
    const p = position as { emitted: number; seed: number } | number;
    if (typeof p === 'object') this.seed = p.seed;
    this.build();
    const target = typeof p === 'object' ? p.emitted : Number(p);
    this.emitted = 0;
    while (this.emitted < target) {
      for (const g of this.gens) g.next();
      this.emitted++;
    }
  }
  async close(): Promise<void> {}
}

const OPTIONS: OptionSpec[] = [
  { key: 'rows-per-second', default: '10000', description: 'rows generated per second' },
  { key: 'number-of-rows', description: 'total rows; the source is bounded when set' },
  { key: 'seed', description: 'seed of the random generator (Rivulet): same seed, same rows' },
  {
    key: 'scan.parallelism',
    description: 'accepted for Flink compatibility; Rivulet reads a source on one event loop',
  },
  {
    key: 'fields.',
    prefix: true,
    description:
      'per-field generator options: kind, min, max, max-past, length, var-len, start, end, null-rate',
  },
];

export const datagenConnector: ConnectorFactory = {
  identifier: 'datagen',
  options: OPTIONS,
  createSource: (table) => new DatagenSource(table),
};
