// The teachers the worker can load (issue 21): the bundled ones, whose files are fetched only when
// one is chosen, and a teacher of one's own, kept in the Cache API between visits until removed.
// The worker (www/worker.js) asks this module for a teacher's files; the session checks them
// against the card and loads them.

import { fetchAssets } from "./assets.js";

/** The `teacher` setting's value for a teacher of one's own (src/teacher_card.rs, OWN_TEACHER). */
export const OWN = "own";
/** Where a teacher of one's own is kept between visits, until removed. */
const OWN_CACHE = "webdistill-own-teacher-v1";
const ownKey = (part) => new URL(`/own-teacher/${part}`, self.location.origin);

export class Teachers {
  /** `list`: the schema's bundled teachers (task and id → file); `onDownload(loaded, total)`: progress. */
  constructor(list, onDownload) {
    this.list = list;
    this.onDownload = onDownload;
    /** The name of the teacher of one's own kept here, if any (the page offers it in the chooser). */
    this.ownName = null;
  }

  /** The settings' default teacher (every task's first is its default, src/teacher_card.rs). */
  get defaultId() {
    return this.list[0].id;
  }

  /** The teacher of one's own kept from an earlier visit: {id, weights, card, name}, or null. */
  async keptOwn() {
    try {
      const cache = await caches.open(OWN_CACHE);
      const [weights, card, name] = await Promise.all(["weights", "card", "name"].map((p) => cache.match(ownKey(p))));
      if (!weights || !card) return null;
      return { id: OWN, weights: new Uint8Array(await weights.arrayBuffer()), card: await card.text(), name: name ? await name.text() : "your teacher" };
    } catch {
      return null;
    }
  }

  /** Notes which teacher of one's own is kept here (at start-up). */
  async recallOwn() {
    this.ownName = (await this.keptOwn())?.name ?? null;
  }

  /** The files of `task`'s teacher `id` (the task's default when unknown), the bundled ones downloaded once. */
  async files(task, id, manifest, signal) {
    if (id === OWN) {
      const own = await this.keptOwn();
      if (own) return own;
      throw new Error("no teacher of your own is loaded: load its two files on the teacher's card");
    }
    const ofTask = this.list.filter((t) => t.task === task);
    const t = ofTask.find((t) => t.id === id) ?? ofTask[0];
    const names = [`${t.file}.safetensors`, `${t.file}.json`];
    const got = await fetchAssets(manifest, names, this.onDownload, signal);
    return { id: t.id, weights: got.get(names[0]), card: new TextDecoder().decode(got.get(names[1])) };
  }

  /** Keeps a checked teacher of one's own for the next visit; false when the browser could not. */
  async keepOwn({ weights, card, name }) {
    this.ownName = name;
    try {
      const cache = await caches.open(OWN_CACHE);
      await cache.put(ownKey("weights"), new Response(weights));
      await cache.put(ownKey("card"), new Response(card));
      await cache.put(ownKey("name"), new Response(name));
      return true;
    } catch {
      return false; // full or unavailable storage: used now, not kept
    }
  }

  /** Forgets the teacher of one's own. */
  async forgetOwn() {
    await caches.delete(OWN_CACHE).catch(() => {});
    this.ownName = null;
  }
}
