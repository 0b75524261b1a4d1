import type { FamilySnapshot } from './family.js';

/**
 * Holds the latest snapshot of every transformation. Writers replace a whole
 * family at once and the map itself is copied on write, so a reader that took
 * `current()` keeps a consistent view for as long as it needs (for example
 * while streaming a large response), whatever runs finish meanwhile.
 */
export class SnapshotStore {
  #families: ReadonlyMap<string, FamilySnapshot> = new Map();

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
  }

  delete(name: string): void {
    if (!this.#families.has(name)) return;
    const next = new Map(this.#families);
    next.delete(name);
    this.#families = next;
  }
}
