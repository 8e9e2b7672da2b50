// The page's side of the worker protocol (www/worker.js): each request gets an id and a promise,
// each reply settles the promise of the request it answers, and events (status, downloads, a
// run's progress) go to `onEvent`. A worker that dies or goes silent rejects every pending request.
// The helper workers the worker asks for are started here, on the page's thread.

/** The worker's helpers' script (started from here for the worker: see `startHelper`). */
const HELPER = new URL("./helper.js", import.meta.url);

export class WorkerError extends Error {
  constructor(message, { fatal = false, about = null } = {}) {
    super(message);
    this.fatal = fatal;
    this.about = about;
  }
}

export class WorkerClient {
  /** `onEvent(event)` hears the worker's events; `onDeath(error)` when it can no longer answer. */
  constructor(url, { onEvent, onDeath }) {
    this.nextId = 1;
    this.pending = new Map();
    this.onEvent = onEvent;
    this.onDeath = onDeath;
    this.dead = false;
    /** Helper workers started for the worker, by its ids for them. */
    this.helpers = new Map();
    this.worker = new Worker(url, { type: "module" });
    this.worker.onmessage = ({ data }) => this.receive(data);
    // A script that fails to load or throws at import: the worker never answers anything.
    this.worker.onerror = (e) => {
      e.preventDefault();
      this.die(new WorkerError(`the worker failed: ${e.message || "its script could not be loaded"}`, { fatal: true }));
    };
    this.worker.onmessageerror = () => this.die(new WorkerError("a message from the worker could not be read", { fatal: true }));
  }

  /**
   * Sends a request; resolves with its result or rejects with a WorkerError. `silenceMs` bounds
   * how long the worker may say nothing at all (no event, no answer) while this request is
   * pending: a hung start-up must not leave the page at "loading" for ever.
   */
  request(type, fields = {}, { transfer = [], silenceMs = null } = {}) {
    if (this.dead) return Promise.reject(new WorkerError("the worker has stopped", { fatal: true, about: type }));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const waiting = { resolve, reject, type, silenceMs, timer: null };
      this.pending.set(id, waiting);
      this.watch(id, waiting);
      this.worker.postMessage({ id, type, ...fields }, transfer);
    });
  }

  /** (Re)starts the silence timer of a pending request. */
  watch(id, waiting) {
    clearTimeout(waiting.timer);
    if (waiting.silenceMs == null) return;
    waiting.timer = setTimeout(() => {
      this.pending.delete(id);
      const seconds = Math.round(waiting.silenceMs / 1000);
      waiting.reject(new WorkerError(`the worker said nothing for ${seconds} s while asked to ${waiting.type}`, { about: waiting.type }));
    }, waiting.silenceMs);
  }

  /** The id the next request will get (to tell a run's events from an older run's). */
  peekId() {
    return this.nextId;
  }

  receive(message) {
    // Anything from the worker shows it is alive.
    for (const [id, waiting] of this.pending) this.watch(id, waiting);
    if (message.event === "helper") return this.startHelper(message);
    if (message.event === "helper-end") return this.endHelper(message.helper);
    if (message.event) {
      this.onEvent(message);
      return;
    }
    const waiting = this.pending.get(message.id);
    if (!waiting) return; // an answer nobody waits for any more (timed out, or stale)
    this.pending.delete(message.id);
    clearTimeout(waiting.timer);
    if (message.error) waiting.reject(new WorkerError(message.error.message, { fatal: message.error.fatal, about: waiting.type }));
    else waiting.resolve(message.ok);
    if (message.error?.fatal) this.die(new WorkerError(message.error.message, { fatal: true, about: waiting.type }));
  }

  /**
   * Starts a helper worker (www/helper.js) the worker asked for, handing it the worker's message
   * and `port` (the worker's channel to it). From here, not from the worker: Firefox sometimes
   * blocked for ever in a `new Worker` called inside a worker (www/worker-labelling.js).
   */
  startHelper({ helper, port, message }) {
    const w = new Worker(HELPER, { type: "module" });
    w.onerror = (e) => {
      e.preventDefault();
      // Told as a request without an id: the worker's answer goes nowhere.
      this.worker.postMessage({ type: "helper-failed", helper, message: e.message || "its script could not be loaded" });
    };
    w.postMessage({ ...message, port }, [port]);
    this.helpers.set(helper, w);
  }

  endHelper(helper) {
    this.helpers.get(helper)?.terminate();
    this.helpers.delete(helper);
  }

  die(error) {
    if (this.dead) return;
    this.dead = true;
    for (const { reject, timer, type } of this.pending.values()) {
      clearTimeout(timer);
      reject(new WorkerError(error.message, { fatal: true, about: type }));
    }
    this.pending.clear();
    this.worker.terminate();
    this.endHelpers();
    this.onDeath(error);
  }

  /** The worker's helpers die with it. */
  endHelpers() {
    for (const w of this.helpers.values()) w.terminate();
    this.helpers.clear();
  }

  terminate() {
    this.dead = true;
    this.worker.terminate();
    this.endHelpers();
    for (const { timer } of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }
}
