/**
 * The catalog: tables, views and functions known to a session. Objects are temporary (this session
 * only) or persistent (kept by `catalog/persistence.ts` in the catalog directory and restored at start).
 * Definitions keep the parsed expressions of computed columns, watermarks and views: the planner binds
 * them afresh for each query, so a view always sees the catalog as it is now, as in Flink.
 */
import { RivuletError } from '../common/errors.ts';
import type { Row, Value } from '../operators/api.ts';
import type { CreateTableStatement, Expr, Query } from '../parser/ast.ts';
import type { FunctionRegistry } from './functions/registry.ts';
import type { LogicalType } from './types.ts';

/** A table function defined in JavaScript: `eval(args)` yields rows of `resultType`'s fields. */
export interface TableFunctionImpl {
  readonly name: string;
  readonly resultType: LogicalType;
  readonly eval: (args: readonly Value[]) => Iterable<Row>;
  /** The same function under the session's UDF error policy (user-defined functions have one). */
  readonly withErrorPolicy?: (policy: 'fail' | 'skip' | 'null') => TableFunctionImpl;
}

export interface CatalogColumn {
  readonly name: string;
  readonly type: LogicalType;
  readonly kind: 'physical' | 'computed' | 'metadata';
  /** Computed columns: the expression. */
  readonly expr?: Expr;
  /** Metadata columns: the key read from the connector (defaults to the column name). */
  readonly metadataKey?: string;
  readonly virtual?: boolean;
  readonly comment?: string;
}

export interface TableDefinition {
  readonly kind: 'table';
  readonly name: string;
  readonly columns: readonly CatalogColumn[];
  readonly watermark?: { readonly column: string; readonly expr: Expr };
  readonly primaryKey?: readonly string[];
  readonly options: ReadonlyMap<string, string>;
  readonly comment?: string;
  readonly partitionedBy: readonly string[];
  readonly temporary: boolean;
  /** The canonical DDL, for SHOW CREATE TABLE and the persistent catalog. */
  readonly ddl: string;
  /** The parsed CREATE TABLE, for ALTER TABLE and LIKE. */
  readonly statement?: CreateTableStatement;
}

export interface ViewDefinition {
  readonly kind: 'view';
  readonly name: string;
  readonly columnNames: readonly string[];
  readonly query: Query;
  readonly comment?: string;
  readonly temporary: boolean;
  readonly ddl: string;
}

export interface FunctionDefinition {
  readonly name: string;
  readonly specifier: string;
  readonly temporary: boolean;
  readonly ddl: string;
}

export type CatalogObject = TableDefinition | ViewDefinition;

export class Catalog {
  readonly functions: FunctionRegistry;
  /** Table functions (UDTFs) by upper-case name. */
  readonly tableFunctions = new Map<string, TableFunctionImpl>();
  private readonly objects = new Map<string, CatalogObject>();
  private readonly userFunctions = new Map<string, FunctionDefinition>();
  /** Called after a persistent object is created or dropped, so it can be saved. */
  onChange: (() => void) | undefined;

  constructor(functions: FunctionRegistry) {
    this.functions = functions;
  }

  get(name: string): CatalogObject | undefined {
    return this.objects.get(name);
  }

  /** Names of all objects of a kind, sorted. */
  list(kind?: CatalogObject['kind']): string[] {
    return [...this.objects.values()]
      .filter((o) => kind === undefined || o.kind === kind)
      .map((o) => o.name)
      .sort();
  }

  /** Adds an object; `ifNotExists` makes an existing name a no-op instead of an error. */
  add(object: CatalogObject, ifNotExists = false): boolean {
    const existing = this.objects.get(object.name);
    if (existing) {
      if (ifNotExists) return false;
      throw new RivuletError(
        'catalog',
        'OBJECT_EXISTS',
        `${existing.kind === 'table' ? 'Table' : 'View'} '${object.name}' already exists`,
      );
    }
    this.objects.set(object.name, object);
    if (!object.temporary) this.onChange?.();
    return true;
  }

  drop(kind: CatalogObject['kind'], name: string, ifExists = false): boolean {
    const existing = this.objects.get(name);
    if (!existing || existing.kind !== kind) {
      if (ifExists) return false;
      const hint = existing
        ? ` ('${name}' is a ${existing.kind}: use DROP ${existing.kind.toUpperCase()})`
        : '';
      throw new RivuletError(
        'catalog',
        'OBJECT_NOT_FOUND',
        `${kind === 'table' ? 'Table' : 'View'} '${name}' does not exist${hint}`,
      );
    }
    this.objects.delete(name);
    if (!existing.temporary) this.onChange?.();
    return true;
  }

  /** Replaces a table's definition in place (ALTER TABLE). */
  replace(object: CatalogObject, previousName = object.name): void {
    this.objects.delete(previousName);
    this.objects.set(object.name, object);
    if (!object.temporary) this.onChange?.();
  }

  getFunction(name: string): FunctionDefinition | undefined {
    return this.userFunctions.get(name.toUpperCase());
  }

  listFunctions(): FunctionDefinition[] {
    return [...this.userFunctions.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  addFunction(def: FunctionDefinition): void {
    this.userFunctions.set(def.name.toUpperCase(), def);
    if (!def.temporary) this.onChange?.();
  }

  dropFunction(name: string, ifExists = false): boolean {
    const def = this.userFunctions.get(name.toUpperCase());
    if (!def) {
      if (ifExists) return false;
      throw new RivuletError('catalog', 'OBJECT_NOT_FOUND', `Function '${name}' does not exist`);
    }
    this.userFunctions.delete(name.toUpperCase());
    this.functions.unregister(name);
    this.tableFunctions.delete(name.toUpperCase());
    if (!def.temporary) this.onChange?.();
    return true;
  }

  /** Persistent objects' DDL in creation order (tables and functions before the views that use them). */
  persistentDdl(): string[] {
    const fns = [...this.userFunctions.values()].filter((f) => !f.temporary).map((f) => f.ddl);
    const objs = [...this.objects.values()].filter((o) => !o.temporary);
    return [
      ...fns,
      ...objs.filter((o) => o.kind === 'table').map((o) => o.ddl),
      ...objs.filter((o) => o.kind === 'view').map((o) => o.ddl),
    ];
  }
}
