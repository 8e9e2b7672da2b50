// A helper of the page's worker (www/worker.js): its own wasm instance on the CPU backend, so a
// CPU user's longest waits use every core. The page starts it for the worker (www/worker-client.js)
// with the worker's message and `port`, the worker's end of a MessageChannel: every answer goes
// there. Separate instances share no memory: no cross-origin
// isolation needed. Four tasks:
//   "label": labels one slice of a run's transfer set with the teacher;
//   "teacher-test": the teacher's logits on the test split, from the click on (they need no
//                   training images) while the page's worker fetches, labels and trains;
//   "scratch": trains a comparison's scratch twin while the page's worker trains the distilled
//              student (src/run/mod.rs, `Twin`), once the worker sends {go: true};
//   "sweep-scratch": trains a sweep's students without the teacher, size by size, while the
//                    page's worker trains the distilled ones (src/sweep.rs, `Part`).
//   worker → helper: {port, task, dataset (the task's key: digits, fashion), module (the compiled
//                    WebAssembly.Module), teacher, card, test:
//                    [images, labels], labels, shards: [raw IDX bytes, as the worker decoded
//                    them: Session.trainShardIdx], rows: Uint32Array and classes
//                    (logits per row) | values}; later, on the port: {go: true} ("scratch")
//   helper → worker: "label": {labelled: n} as it goes, then {logits: Float32Array};
//                    "teacher-test": {logits: Float32Array};
//                    "scratch": {update: RunUpdate} per slice, then {weights: Uint8Array};
//                    "sweep-scratch": {part: PartResult} per size, then {done: true};
//                    or {error} from either

import init, { Session } from "./generated/pkg-cpu/webdistill.js";
import { LABEL_CHUNK as CHUNK } from "./worker-labelling.js";

/** Where answers go: the worker's end of the channel (set by the first message). */
let port = null;
const reply = (message, transfer = []) => port.postMessage(message, transfer);
/** Resolves when the worker sends {go: true} on the channel ("scratch" waits for it). */
let sayGo;
const go = new Promise((resolve) => (sayGo = resolve));

const tasks = {
  async label(session, { rows, classes }) {
    const logits = new Float32Array(rows.length * classes);
    for (let at = 0; at < rows.length; at += CHUNK) {
      const part = await session.teacherLogits(rows.subarray(at, at + CHUNK));
      logits.set(part, at * classes);
      reply({ labelled: Math.min(at + CHUNK, rows.length) });
    }
    reply({ logits }, [logits.buffer]);
  },

  async "teacher-test"(session) {
    const logits = await session.teacherTestLogits();
    reply({ logits }, [logits.buffer]);
  },

  async scratch(session, { values }) {
    const prepared = session.prepare(values);
    await go; // the worker says when: after the labelling (www/worker-twin.js)
    const run = session.startPrepared(prepared, "scratch");
    try {
      while (!run.trained) {
        const update = await run.advance();
        if (update.scratch) reply({ update: update.scratch });
      }
      const weights = await run.trainedWeights();
      reply({ weights }, [weights.buffer]);
    } finally {
      run.free();
      prepared.free();
    }
  },

  async "sweep-scratch"(session, { values }) {
    const sweep = session.sweep(values, "scratch");
    try {
      while (!sweep.done) {
        const update = await sweep.advance();
        if (update.part) reply({ part: update.part });
      }
      reply({ done: true });
    } finally {
      sweep.free();
    }
  },
};

self.onmessage = async ({ data }) => {
  port = data.port;
  port.onmessage = ({ data: later }) => later?.go && sayGo();
  let session = null;
  try {
    const task = tasks[data.task];
    if (!task) throw new Error(`unknown task ${JSON.stringify(data.task)}`);
    await init({ module_or_path: data.module });
    session = await Session.create("cpu");
    session.selectTask(data.dataset);
    session.loadTeacher(data.teacher, data.card);
    session.loadTest(...data.test);
    session.loadTrainLabels(data.labels);
    data.shards.forEach((bytes, i) => session.loadTrainShard(i, bytes));
    await task(session, data);
  } catch (error) {
    reply({ error: error?.message ?? String(error) });
  } finally {
    session?.free();
  }
};
