// Results that survive a reload (issue 22): the last comparison, the last sweep and the
// explorer's image and temperature, kept in IndexedDB with the date and the settings that made them, and shown on the next visit as "from
// your last run". An embedded page keeps nothing unless its link says keep=1. A full or
// unavailable storage ends in a message; the page goes on without keeping.

const DB_NAME = "webdistill";
const STORE = "results";

export class ResultStore {
  /** `enabled`: whether this page keeps results at all. */
  constructor(enabled) {
    this.enabled = enabled;
    this.db = null;
  }

  async open() {
    if (!this.enabled || typeof indexedDB === "undefined") return null;
    this.db ??= await new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new Error("another tab holds an older version of the storage open"));
    });
    return this.db;
  }

  /** Keeps `value` as the last `kind` ("comparison", "sweep", "explorer"), dated now. */
  async save(kind, value) {
    const db = await this.open();
    if (!db) return;
    await transact(db, "readwrite", (s) => s.put({ date: new Date().toISOString(), value }, kind)).catch((error) => {
      throw new Error(error?.name === "QuotaExceededError"
        ? "the browser's storage for this page is full, so this result will not be kept for your next visit"
        : `this result could not be kept for your next visit (${error?.message ?? error})`);
    });
  }

  /**
   * Keeps `value` as `kind` once `delayMs` pass without a newer call (a slider drag is one
   * write). `onSaved` hears each write, `onError` only the first failure.
   */
  saveLater(kind, value, delayMs, { onSaved, onError }) {
    this.timers ??= {};
    clearTimeout(this.timers[kind]);
    this.timers[kind] = setTimeout(() => this.save(kind, value).then(onSaved, (error) => {
      if (!this.failed) onError(error);
      this.failed = true;
    }), delayMs);
  }

  /** The last `kind` kept: {date, value}, or null. */
  async load(kind) {
    const db = await this.open();
    if (!db) return null;
    return (await transact(db, "readonly", (s) => s.get(kind))) ?? null;
  }

  /** Forgets everything kept. */
  async clear() {
    const db = await this.open();
    if (db) await transact(db, "readwrite", (s) => s.clear());
  }
}

/** Runs one request on the store in a transaction; resolves with its result when committed. */
function transact(db, mode, use) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const request = use(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = () => reject(tx.error ?? request.error);
    tx.onabort = () => reject(tx.error ?? request.error);
  });
}
