// A helper of the page's worker (www/worker.js): its own wasm instance on the CPU backend, which
// labels one slice of a run's transfer set with the teacher, so labelling (a CPU user's longest
// wait) uses every core. Separate instances share no memory: no cross-origin isolation needed.
//   worker → helper: {module (the compiled WebAssembly.Module), teacher, card, test: [images,
//                    labels], labels, shards: [bytes], rows: Uint32Array}
//   helper → worker: {labelled: n} as it goes, then {logits: Float32Array} or {error}

import init, { Session } from "./generated/pkg/webdistill.js";

/** Images per call into wasm: progress every few hundred milliseconds. */
const CHUNK = 2048;

self.onmessage = async ({ data }) => {
  let session = null;
  try {
    await init({ module_or_path: data.module });
    session = await Session.create("cpu");
    session.loadTeacher(data.teacher, data.card);
    session.loadTest(...data.test);
    session.loadTrainLabels(data.labels);
    data.shards.forEach((bytes, i) => session.loadTrainShard(i, bytes));
    const logits = new Float32Array(data.rows.length * 10);
    for (let at = 0; at < data.rows.length; at += CHUNK) {
      const part = await session.teacherLogits(data.rows.subarray(at, at + CHUNK));
      logits.set(part, at * 10);
      self.postMessage({ labelled: Math.min(at + CHUNK, data.rows.length) });
    }
    self.postMessage({ logits }, [logits.buffer]);
  } catch (error) {
    self.postMessage({ error: error?.message ?? String(error) });
  } finally {
    session?.free();
  }
};
