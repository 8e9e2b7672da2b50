// Labelling the transfer set on every core the page may use (the CPU backend): helper workers
// (www/helper.js, each its own wasm instance) take slices of the core's labelling plan, the
// page's worker one more, and the run gets the joined logits as its soft targets. The plan, the
// progress and its ETA come from the core; this file only moves bytes between workers.

/** Helper workers labelling beside the page's worker, at most (each holds its own copy of the
 * training images, ~50 MB for 60,000). */
const MAX_HELPERS = 3;
/** Images per call into wasm while a worker labels its slice: progress every few hundred
 * milliseconds (www/helper.js labels by the same chunks). */
export const LABEL_CHUNK = 2048;

/** Resolves after pending messages are handled (a macrotask, unlike `await` alone). */
export function nextTask() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = resolve;
    channel.port2.postMessage(null);
  });
}

/** The helpers started and not yet ended, by id: where a failure to start reaches its caller. */
const helpers = new Map();
let lastHelper = 0;

/**
 * Starts a helper worker (www/helper.js) on `job` with `inputs` (the compiled module, the
 * teacher and the task's data: www/worker.js's `helperInputs`) and `fields`. `onMessage` gets
 * its messages, and {error} if it cannot start. Returns {post(message), terminate}.
 *
 * The page starts it ("helper" event, www/worker-client.js), not this worker: Firefox ESR 153
 * sometimes blocked for ever inside `new Worker` called in a worker (2 of 12 quick runs here,
 * while the service worker took the page over; 0 of 12 with service workers off), where on the
 * page's thread the constructor returns at once. The helper answers over a MessageChannel whose
 * other end stays here.
 */
export function startHelper(job, inputs, fields, onMessage) {
  const id = ++lastHelper;
  const channel = new MessageChannel();
  channel.port1.onmessage = ({ data }) => onMessage(data);
  helpers.set(id, onMessage);
  self.postMessage({ event: "helper", helper: id, port: channel.port2, message: { task: job, ...inputs, ...fields } }, [channel.port2]);
  return {
    /** Sends the helper `message` on its channel after its first (www/helper.js listens). */
    post(message) {
      if (helpers.has(id)) channel.port1.postMessage(message);
    },
    terminate() {
      if (!helpers.delete(id)) return;
      channel.port1.close();
      self.postMessage({ event: "helper-end", helper: id });
    },
  };
}

/** The page could not start helper `helper` (its script did not load): its caller hears why. */
export function helperFailed({ helper, message }) {
  helpers.get(helper)?.({ error: `it could not start (${message})` });
}

/**
 * Labels the transfer set of the run `prepared` (Session.prepare) on up to `cores` workers and hands the session
 * the soft targets. Returns how many workers labelled, or 0 when the run labels it alone (the
 * core's plan says so: one core, WebGPU, a hint loss, soft targets kept from an earlier run) or
 * `signal` stopped it. `onProgress(update)` hears the core's progress; `onStart()` that it began.
 */
export async function labelOnEveryCore(s, prepared, { cores, inputs, signal, onStart, onProgress }) {
  const plan = s.labellingPlan(prepared, Math.min(cores, MAX_HELPERS + 1));
  if (!plan) return 0;
  onStart();
  const { classes } = plan;
  const slices = plan.slices.map((rows) => Uint32Array.from(rows));
  const total = slices.reduce((n, rows) => n + rows.length, 0);
  const done = slices.map(() => 0);
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const report = () => onProgress({ ...s.labellingUpdate(done.reduce((a, b) => a + b, 0), total, seconds()), labelled_by: slices.length });
  const labellers = [];
  try {
    const theirs = slices.slice(1).map((rows, i) => new Promise((resolve, reject) => {
      labellers.push(startHelper("label", inputs(), { rows, classes }, (data) => {
        if (data.labelled != null) {
          done[i + 1] = data.labelled;
          report();
        } else if (data.logits) resolve(data.logits);
        else reject(new Error(`a labelling helper failed: ${data.error}`));
      }));
    }));
    const mine = new Float32Array(slices[0].length * classes);
    for (let at = 0; at < slices[0].length; at += LABEL_CHUNK) {
      mine.set(await s.teacherLogits(slices[0].subarray(at, at + LABEL_CHUNK)), at * classes);
      done[0] = Math.min(at + LABEL_CHUNK, slices[0].length);
      report();
      await nextTask();
      if (signal.aborted) return 0;
    }
    const parts = [mine, ...(await Promise.all(theirs))];
    const joined = new Float32Array(total * classes);
    let at = 0;
    for (const part of parts) {
      joined.set(part, at);
      at += part.length;
    }
    s.provideSoftTargets(prepared, joined, seconds());
    return slices.length;
  } finally {
    for (const w of labellers) w.terminate();
  }
}

/** How long a run at its measuring phase waits for a helper's teacher test logits before it
 * computes them itself (they took ~2.3 s of one core here in batches of 1,000, less in today's
 * batches of 256: a helper slower than that is stuck). */
const TEACHER_TEST_WAIT_MS = 10_000;

/**
 * The teacher's logits on the test split, computed by a helper started at the click, while this
 * worker fetches the shards, labels and trains (the core's `teacherTestOnAnotherWorker` says
 * when). Returns {take(signal): the logits (a
 * Float32Array), or null when the helper failed, took too long or `signal` aborted, in which
 * case the run computes them itself; stop()}.
 */
export function teacherTestOnHelper(inputs) {
  let helper;
  const logits = new Promise((resolve) => {
    helper = startHelper("teacher-test", inputs, {}, (data) => resolve(data.logits ?? null));
  });
  const take = (signal) => Promise.race([logits, new Promise((resolve) => {
    const timer = setTimeout(resolve, TEACHER_TEST_WAIT_MS, null);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve(null);
    }, { once: true });
  })]);
  return { take, stop: () => helper.terminate() };
}
