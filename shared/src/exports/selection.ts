import { StoredComponent } from '../bots/snapshot';

export interface Selection {
  localeId: string | null;
}

/**
 * Keeps the components an export includes. A single-locale export holds that
 * locale's components only.
 */
export async function* selectComponents(components: AsyncIterable<StoredComponent>, selection: Selection): AsyncGenerator<StoredComponent> {
  for await (const c of components) {
    if (selection.localeId && c.locale !== selection.localeId) continue;
    yield c;
  }
}
