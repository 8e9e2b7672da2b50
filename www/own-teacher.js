// A teacher of one's own on the teacher's card (issue 21): its two files, picked or dropped on the
// card, go to the worker, which checks them against the card, measures the teacher and keeps it;
// the chooser offers it while it is kept, and *Remove yours* forgets it. The controller
// (www/main.js) gives this module what it needs of the page through `page`.

import { pct } from "./format.js";

/** The `teacher` setting's value for a teacher of one's own (src/teacher_card.rs, OWN_TEACHER). */
export const OWN_TEACHER = "own";

const $ = (selector) => document.querySelector(selector);

export class OwnTeacher {
  /**
   * `page`: {client() → the WorkerClient, idle() → whether the page is ready with no run going,
   * form() → the settings form, cards, notice(text, kind), show(card, id) → shows a newly loaded
   * teacher, check() → checks the settings again}.
   */
  constructor(page) {
    this.page = page;
    $("#own-teacher-files").addEventListener("change", (e) => {
      this.load(e.target.files);
      e.target.value = "";
    });
    $("#own-teacher-remove").addEventListener("click", () => this.remove());
    const card = $("#card-teacher");
    card.addEventListener("dragover", (e) => {
      e.preventDefault();
      card.classList.add("drop-target");
    });
    card.addEventListener("dragleave", () => card.classList.remove("drop-target"));
    card.addEventListener("drop", (e) => {
      e.preventDefault();
      card.classList.remove("drop-target");
      this.load(e.dataTransfer.files);
    });
  }

  /** Offers the teacher of one's own kept in this browser (its name), or no longer (null). */
  offer(name) {
    this.page.cards.ownTeacher(OWN_TEACHER, name);
    const select = $("#setting-teacher");
    select.querySelector(`option[value="${OWN_TEACHER}"]`)?.remove();
    if (name) select.append(new Option(`Yours: ${name}`, OWN_TEACHER));
  }

  /** A teacher of one's own from its two files: checked, measured and used by the worker. */
  async load(files) {
    const { notice } = this.page;
    const list = [...files];
    const weights = list.find((f) => f.name.endsWith(".safetensors"));
    const card = list.find((f) => f.name.endsWith(".json"));
    if (!weights || !card || list.length !== 2) {
      notice("A teacher of your own is two files: its weights (.safetensors) and its card (.json), as train-teacher writes them.", "error");
      return;
    }
    if (!this.page.idle()) {
      notice("Load your teacher when the page is ready and no run is going.", "error");
      return;
    }
    try {
      const answer = await this.page.client().request("own-teacher",
        { weights: new Uint8Array(await weights.arrayBuffer()), card: await card.text(), name: weights.name });
      this.offer(weights.name);
      await this.page.show(answer.card, OWN_TEACHER);
      notice(`Your teacher ${weights.name}: ${pct(answer.evaluation.accuracy)} on the test set as loaded here (its card says ${pct(answer.card.test_accuracy)}).` +
        (answer.kept ? " It is kept in this browser until you remove it." : " This browser could not keep it for your next visit."), "info");
      await this.page.check();
    } catch (error) {
      notice(`Your teacher was not loaded: ${error.message}`, "error");
    }
  }

  /** Forgets the teacher of one's own; the default teacher comes back if it was the one in use. */
  async remove() {
    try {
      const card = await this.page.client().request("remove-own-teacher");
      this.offer(null);
      if (card) await this.page.show(card, this.page.form().defaults().teacher);
      await this.page.check();
    } catch (error) {
      this.page.notice(`Your teacher could not be removed: ${error.message}`, "error");
    }
  }
}
