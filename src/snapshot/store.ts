import type { FamilySnapshot } from './family.js';

/**
 * Holds the latest snapshot of every transformation. Writers replace a whole
 * family at once and the map itself is copied on write, so a reader that took
 * `current()` keeps a consistent view for as long as it needs (for example
 * while streaming a large response), whatever runs finish meanwhile.
 */
export class SnapshotStore {
  #families: ReadonlyMap<string, FamilySnapshot> = new Map();
  readonly #listeners = new Set<(name: string) => void>();

  /** Calls `listener(name)` after every put or delete of a family (remote write); returns the unsubscribe. */
  onChange(listener: (name: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  current(): ReadonlyMap<string, FamilySnapshot> {
    return this.#families;
  }

  get(name: string): FamilySnapshot | undefined {
    return this.#families.get(name);
  }

  put(family: FamilySnapshot): void {
    const next = new Map(this.#families);
    next.set(family.name, family);
    this.#families = next;
    for (const l of this.#listeners) l(family.name);
  }

  delete(name: string): void {
    if (!this.#families.has(name)) return;
    const next = new Map(this.#families);
    next.delete(name);
    this.#families = next;
    for (const l of this.#listeners) l(name);
  }
}
