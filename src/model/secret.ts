import { inspect } from 'node:util';

const REDACTED = '<secret>';

/**
 * A string that must never be printed. Logging, JSON serialisation, string
 * conversion and `util.inspect` all show `<secret>`; only `reveal()` returns
 * the value, and only the HTTP client that sends it calls that.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return REDACTED;
  }
}
