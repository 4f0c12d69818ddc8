import { componentJson, type Snapshot } from './snapshot';

/**
 * The definition document of a snapshot as JSON text, one component per
 * chunk, so a bot of any size is never built as one string.
 */
export async function* definitionJson(snapshot: Snapshot): AsyncGenerator<string> {
  const { name, description } = snapshot.header;
  yield `{"formatVersion":1,"bot":${JSON.stringify({ name, description })},"components":[`;
  let first = true;
  for await (const c of snapshot.components()) {
    yield (first ? '\n' : ',\n') + componentJson(c);
    first = false;
  }
  yield '\n]}\n';
}
