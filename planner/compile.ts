/**
 * Compiles bound expressions into JavaScript functions once per query (as Flink generates Java code),
 * so rows are never evaluated by walking a tree.
 *
 * 1. Each expression node becomes straight-line statements assigning a fresh local (`v3 = ...`).
 * 2. Functions and non-trivial constants are passed in one array `c` and called as `c[5](v1, v2)`.
 * 3. NULL handling is generated around calls whose function is null-on-null-input: the call is skipped
 *    and the result is null when any argument is null.
 * 4. AND/OR/CASE short-circuit with nested blocks, keeping SQL's three-valued logic.
 * The generated source is kept on the function (`.source`) for debugging and EXPLAIN.
 */
import { RivuletError } from '../common/errors.ts';
import type { Row, Value } from '../operators/api.ts';
import type { BoundExpr } from './expr.ts';

export type CompiledExpr = ((row: Row) => Value) & { source?: string };
export type CompiledProjection = ((row: Row) => Row) & { source?: string };
export type CompiledPredicate = ((row: Row) => boolean) & { source?: string };

class CodeGen {
  readonly lines: string[] = [];
  readonly consts: unknown[] = [];
  private nextVar = 0;
  private readonly constIndex = new Map<unknown, number>();
  usesNow = false;
  usesWatermark = false;

  fresh(): string {
    const v = `v${this.nextVar++}`;
    this.lines.push(`let ${v};`);
    return v;
  }

  constant(value: unknown): string {
    let i = this.constIndex.get(value);
    if (i === undefined) {
      i = this.consts.length;
      this.consts.push(value);
      this.constIndex.set(value, i);
    }
    return `c[${i}]`;
  }

  literalCode(value: Value): string {
    if (value === null) return 'null';
    switch (typeof value) {
      case 'number':
        return Number.isFinite(value) ? (Object.is(value, -0) ? '-0' : String(value)) : this.constant(value);
      case 'boolean':
        return String(value);
      case 'bigint':
        return `${value}n`;
      case 'string':
        return JSON.stringify(value);
      default:
        return this.constant(value);
    }
  }

  /** Emits code computing `e`; returns a JS expression (a local or a constant) holding the value. */
  gen(e: BoundExpr): string {
    switch (e.kind) {
      case 'input':
        return `row[${e.index}]`;
      case 'literal':
        return this.literalCode(e.value);
      case 'proctime':
        this.usesNow = true;
        return 'now()';
      case 'currentWatermark':
        this.usesWatermark = true;
        return 'wm()';
      case 'call': {
        const fn = this.constant(e.fn.impl);
        const out = this.fresh();
        if (!e.fn.nullOnNullInput || e.args.length === 0) {
          const args = e.args.map((a) => this.gen(a));
          this.lines.push(`${out} = ${fn}(${args.join(', ')});`);
          return out;
        }
        // Evaluate arguments left to right; stop at the first null.
        const args: string[] = [];
        const close: string[] = [];
        this.lines.push(`${out} = null;`);
        for (const a of e.args) {
          const v = this.gen(a);
          const local = this.asLocal(v);
          args.push(local);
          this.lines.push(`if (${local} !== null) {`);
          close.push('}');
        }
        this.lines.push(`${out} = ${fn}(${args.join(', ')});`);
        this.lines.push(close.join(''));
        return out;
      }
      case 'and':
      case 'or': {
        // AND: false dominates, then null; OR: true dominates, then null.
        const dominant = e.kind === 'and' ? 'false' : 'true';
        const out = this.fresh();
        this.lines.push(`${out} = ${e.kind === 'and' ? 'true' : 'false'};`);
        const close: string[] = [];
        for (const a of e.args) {
          const v = this.asLocal(this.gen(a));
          this.lines.push(`if (${v} === ${dominant}) { ${out} = ${dominant}; } else {`);
          this.lines.push(`if (${v} === null) ${out} = null;`);
          close.push('}');
        }
        this.lines.push(close.join(''));
        return out;
      }
      case 'not': {
        const v = this.asLocal(this.gen(e.arg));
        return `(${v} === null ? null : !${v})`;
      }
      case 'isNull': {
        const v = this.gen(e.arg);
        return `(${v} ${e.negated ? '!==' : '==='} null)`;
      }
      case 'isBool': {
        const v = this.gen(e.arg);
        return `(${v} ${e.negated ? '!==' : '==='} ${e.value})`;
      }
      case 'case': {
        const out = this.fresh();
        const close: string[] = [];
        for (const w of e.whens) {
          const cond = this.asLocal(this.gen(w.when));
          this.lines.push(`if (${cond} === true) {`);
          this.lines.push(`${out} = ${this.gen(w.result)};`);
          this.lines.push('} else {');
          close.push('}');
        }
        this.lines.push(`${out} = ${this.gen(e.else)};`);
        this.lines.push(close.join(''));
        return out;
      }
      case 'cast': {
        const v = this.asLocal(this.gen(e.arg));
        return `(${v} === null ? null : ${this.constant(e.fn)}(${v}))`;
      }
      case 'inList': {
        const v = this.asLocal(this.gen(e.arg));
        const set = this.constant(e.keys);
        const miss = e.hasNull ? 'null' : String(e.negated);
        return `(${v} === null ? null : ${set}.has(${v}) ? ${!e.negated} : ${miss})`;
      }
      case 'fieldGet': {
        const v = this.asLocal(this.gen(e.arg));
        return `(${v} === null ? null : ${v}[${e.field}])`;
      }
    }
  }

  private asLocal(code: string): string {
    if (/^(v\d+|row\[\d+\]|c\[\d+\]|null|true|false|-?\d+(\.\d+)?n?|"(?:[^"\\]|\\.)*")$/.test(code))
      return code;
    const v = this.fresh();
    this.lines.push(`${v} = ${code};`);
    return v;
  }

  build<F>(body: string, options: CompileOptions): F {
    const src = `${this.lines.join('\n')}\n${body}`;
    if (this.usesWatermark && !options.watermark) {
      throw new RivuletError(
        'plan',
        'CURRENT_WATERMARK_PLACEMENT',
        'CURRENT_WATERMARK(...) can only be used in a SELECT list or WHERE clause (where the watermark of the input is known), not in a join condition, aggregate or table definition',
      );
    }
    const factory = new Function('c', 'now', 'wm', `return function compiled(row) {\n${src}\n};`) as (
      c: unknown[],
      now: () => number,
      wm: (() => number | null) | undefined,
    ) => F;
    const fn = factory(this.consts, options.now ?? Date.now, options.watermark) as F & { source?: string };
    fn.source = src;
    return fn;
  }
}

export interface CompileOptions {
  /** Processing time for PROCTIME() (injectable for tests). */
  readonly now?: () => number;
  /** CURRENT_WATERMARK(...): the evaluating operator's input watermark, null before the first. */
  readonly watermark?: () => number | null;
}

export function compileExpr(e: BoundExpr, options: CompileOptions = {}): CompiledExpr {
  const g = new CodeGen();
  const v = g.gen(e);
  return g.build<CompiledExpr>(`return ${v};`, options);
}

/** `(row) => [e1, e2, ...]` evaluating every expression once per row. */
export function compileProjection(
  exprs: readonly BoundExpr[],
  options: CompileOptions = {},
): CompiledProjection {
  const g = new CodeGen();
  const vs = exprs.map((e) => g.gen(e));
  return g.build<CompiledProjection>(`return [${vs.join(', ')}];`, options);
}

/** `(row) => boolean`: true only when the predicate is TRUE (NULL and FALSE both reject). */
export function compilePredicate(e: BoundExpr, options: CompileOptions = {}): CompiledPredicate {
  const g = new CodeGen();
  const v = g.gen(e);
  return g.build<CompiledPredicate>(`return ${v} === true;`, options);
}
