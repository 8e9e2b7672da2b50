// The names of the classes of the task the page shows now (from the core's schema: src/data/task.rs
// owns them), for every place a class appears: cards, the per-class table, the explorer's bars,
// the tree's leaves.

/** The schema's entry for the task shown; null until the worker has said which. */
let current = null;

/** Makes `info` (one of the schema's `tasks`) the task the page shows: tables headed by its
 * classes (rows marked data-class-columns keep their leading cells), the drawing pad only where it fits. */
export function showTask(info) {
  current = info;
  document.body.dataset.task = info.key;
  document.body.dataset.drawable = String(info.drawable);
  for (const tr of document.querySelectorAll("tr[data-class-columns]")) {
    for (const th of tr.querySelectorAll("th[data-class]")) th.remove();
    tr.append(...info.classes.map((name, i) => {
      const th = document.createElement("th");
      th.scope = "col";
      th.dataset.class = String(i);
      th.textContent = name;
      return th;
    }));
  }
}

/** Class `i`'s name: "7", or "Sneaker". */
export const className = (i) => current?.classes[i] ?? String(i);
