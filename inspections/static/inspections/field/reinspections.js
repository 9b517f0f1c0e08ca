/* Re-inspections on the phone: rectified or not, queued in the outbox like every action of the field area;
   once sent, the card shows the enterprise's new grade colour. */
(function () {
  "use strict";

  const F = window.Field;
  const S = F.strings;

  function card(findingId) {
    return document.querySelector(`[data-finding="${findingId}"]`);
  }

  function status(form, text, error) {
    const box = form.querySelector(".notice");
    box.textContent = text;
    box.hidden = !text;
    box.classList.toggle("error", Boolean(error));
  }

  function submit(event) {
    event.preventDefault();
    const form = event.target;
    const button = event.submitter;
    const item = form.closest("[data-finding]");
    const rectified = button && button.value === "true";
    for (const control of form.querySelectorAll("button, textarea")) control.disabled = true;
    F.enqueue(
      Object.assign(F.json({ rectified, note: form.elements.note.value }), {
        kind: "reinspect",
        url: form.dataset.url,
        finding: Number(item.dataset.finding),
        label: F.format(S.reinspect, { item: item.dataset.item, enterprise: item.dataset.enterprise }),
      })
    );
    status(form, navigator.onLine ? S.waiting : S.offline);
  }

  document.addEventListener("field:sent", (event) => {
    const { action, data } = event.detail;
    if (action.kind !== "reinspect") return;
    const item = card(action.finding);
    if (!item) return;
    const grade = data && data.enterprise_grade;
    if (grade) {
      for (const badge of document.querySelectorAll(`[data-enterprise="${CSS.escape(item.dataset.enterprise)}"] [data-grade]`)) {
        badge.className = `badge ${grade}`;
        badge.textContent = S.grades[grade] || grade;
      }
    }
    item.dataset.done = "true";
    const form = item.querySelector("form");
    status(form, [S.sent, grade ? F.format(S.grade_now, { grade: S.grades[grade] || grade }) : ""].join(" "));
  });

  document.addEventListener("field:refused", (event) => {
    const { action } = event.detail;
    if (action.kind !== "reinspect") return;
    const item = card(action.finding);
    if (item) status(item.querySelector("form"), action.message, true);
  });

  document.addEventListener("DOMContentLoaded", () => {
    for (const form of document.querySelectorAll("form.reinspect")) form.addEventListener("submit", submit);
  });
})();
