/** Collects positional parameters and hands out their `$n` placeholders, so clauses can be built in any order. */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}
