/* One visit on the phone: the code shown full-screen (its time taken on the phone), the checklist, the
   findings with photos, and completion. Everything is kept as a draft on the phone as it is entered; completing
   queues one visit-record action (answers, findings, photos, summary, the code's time) in the outbox. */
(function () {
  "use strict";

  const F = window.Field;
  const S = F.strings;
  const state = F.readJson("visit-state");
  const MAX_PHOTO_SIDE = 2000;
  const SHRINK_ABOVE_BYTES = 1500000;
  let draft = null;

  const $ = (selector, root) => (root || document).querySelector(selector);
  const $$ = (selector, root) => Array.from((root || document).querySelectorAll(selector));
  const form = $("#visit-form");

  function save() {
    return F.draftPut(draft);
  }

  function localTime(iso) {
    const when = new Date(iso);
    const pad = (n) => String(n).padStart(2, "0");
    return `${pad(when.getMonth() + 1)}-${pad(when.getDate())} ${pad(when.getHours())}:${pad(when.getMinutes())}`;
  }

  function message(text, error) {
    const box = $("#visit-message");
    box.textContent = text;
    box.hidden = !text;
    box.classList.toggle("error", Boolean(error));
  }

  /* --- Show the code ----------------------------------------------------------------------------------- */

  function codeShownAt() {
    return state.code_shown_at || draft.code_shown_at;
  }

  function renderCodeShown() {
    const shown = codeShownAt();
    if (shown) $("#code-shown").textContent = F.format(S.code_shown_at, { time: localTime(shown) });
    // Why the code was not shown is asked only while it has not been shown.
    const reason = $("#code-not-shown");
    if (reason) reason.hidden = Boolean(shown);
  }

  function notShownProblem() {
    if (codeShownAt() || !$("#code-not-shown")) return null;
    if (!draft.code_not_shown_reason) return S.no_reason;
    if (draft.code_not_shown_reason === "other" && !(draft.code_not_shown_note || "").trim()) return S.no_reason_note;
    return null;
  }

  function showCode() {
    const screen = $("#code-screen");
    screen.hidden = false;
    $("#close-code").focus();
    // Shown once; not after the visit's completion was queued (it went without the code, with its reason).
    if (codeShownAt() || draft.queued || !["scheduled", "in_progress"].includes(state.status)) return;
    // The phone's own time: shown now, whenever the connection lets the record reach the server.
    draft.code_shown_at = new Date().toISOString();
    save().then(() =>
      F.enqueue(
        Object.assign(F.json({ shown_at: draft.code_shown_at }), {
          kind: "show-code",
          url: state.show_code_url,
          inspection: state.id,
          label: F.format(S.show_code, { enterprise: state.enterprise }),
        })
      )
    );
    renderCodeShown();
  }

  /* --- Checklist and findings ------------------------------------------------------------------------- */

  function answerOf(item) {
    return draft.answers[item.id] || item.answer;
  }

  function findingOf(id) {
    if (!draft.findings[id]) draft.findings[id] = { severity: "general", description: "", deadline: "", photos: [] };
    return draft.findings[id];
  }

  function needsFinding(item) {
    return item.answerable && answerOf(item) === "non_compliant";
  }

  function renderFindings() {
    let any = false;
    for (const item of state.items) {
      const block = $(`#finding-${item.id}`);
      if (!block) continue;
      block.hidden = !needsFinding(item);
      any = any || !block.hidden;
    }
    $("#no-findings").hidden = any;
  }

  function renderThumbs(id) {
    const list = $(`[data-thumbs="${id}"]`);
    if (!list) return;
    list.replaceChildren(
      ...findingOf(id).photos.map((photo, index) => {
        const item = document.createElement("li");
        const image = document.createElement("img");
        image.src = URL.createObjectURL(photo.blob);
        image.alt = photo.name;
        const remove = document.createElement("button");
        remove.type = "button";
        remove.textContent = "×";
        remove.setAttribute("aria-label", S.remove);
        remove.addEventListener("click", () => {
          findingOf(id).photos.splice(index, 1);
          save().then(() => renderThumbs(id));
        });
        item.append(image, remove);
        return item;
      })
    );
  }

  async function shrink(file) {
    if (file.size < SHRINK_ABOVE_BYTES || !window.createImageBitmap) return file;
    try {
      const bitmap = await createImageBitmap(file);
      const scale = Math.min(1, MAX_PHOTO_SIDE / Math.max(bitmap.width, bitmap.height));
      const canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
      return blob && blob.size < file.size ? blob : file;
    } catch (error) {
      return file; // a format the browser cannot draw (HEIC): sent as taken
    }
  }

  function restore() {
    for (const item of state.items) {
      const answer = answerOf(item);
      const radio = answer && $(`input[name="item-${item.id}"][value="${answer}"]`);
      if (radio) radio.checked = true;
      const finding = draft.findings[item.id];
      if (!finding || !$(`#finding-${item.id}`)) continue;
      const severity = $(`input[name="severity-${item.id}"][value="${finding.severity}"]`);
      if (severity) severity.checked = true;
      $(`[name="description-${item.id}"]`).value = finding.description;
      if (finding.deadline) $(`[name="deadline-${item.id}"]`).value = finding.deadline;
      renderThumbs(item.id);
    }
    $("#summary").value = draft.summary || "";
    const reason = draft.code_not_shown_reason;
    const chosen = reason && $(`input[name="code_not_shown_reason"][value="${reason}"]`);
    if (chosen) chosen.checked = true;
    if ($("#code-not-shown-note")) $("#code-not-shown-note").value = draft.code_not_shown_note || "";
    renderFindings();
  }

  function onInput(event) {
    const target = event.target;
    const [kind, id] = (target.name || "").split("-");
    if (kind === "item") {
      draft.answers[id] = target.value;
      renderFindings();
    } else if (kind === "severity" || kind === "description" || kind === "deadline") {
      findingOf(id)[kind] = target.value;
    } else if (target.name === "summary") {
      draft.summary = target.value;
    } else if (target.name === "code_not_shown_reason" || target.name === "code_not_shown_note") {
      draft[target.name] = target.value;
    } else {
      return;
    }
    if (!$("#complete-errors").hidden) showProblems(problems());
    save();
  }

  async function onPhotos(event) {
    const input = event.target;
    const id = input.name.split("-")[1];
    for (const file of Array.from(input.files)) {
      const blob = await shrink(file);
      findingOf(id).photos.push({ blob, name: file.name });
    }
    input.value = "";
    await save();
    renderThumbs(id);
  }

  /* --- Completion -------------------------------------------------------------------------------------- */

  function problems() {
    const unanswered = state.items.filter((item) => !answerOf(item)).map((item) => item.name);
    const open = state.items.filter((item) => needsFinding(item) && !state.recorded_items.includes(item.id));
    const undescribed = open.filter((item) => !findingOf(item.id).description.trim()).map((item) => item.name);
    const undated = open
      .filter((item) => {
        const deadline = findingOf(item.id).deadline || $(`[name="deadline-${item.id}"]`).value;
        return !deadline || deadline < state.today;
      })
      .map((item) => item.name);
    const found = [];
    if (unanswered.length) found.push(F.format(S.unanswered, { items: unanswered.join("、") }));
    if (undescribed.length) found.push(F.format(S.no_description, { items: undescribed.join("、") }));
    if (undated.length) found.push(F.format(S.no_deadline, { items: undated.join("、") }));
    const notShown = notShownProblem();
    if (notShown) found.push(notShown);
    return found;
  }

  function showProblems(found) {
    const box = $("#complete-errors");
    box.replaceChildren(
      ...found.map((text) => {
        const line = document.createElement("p");
        line.textContent = text;
        return line;
      })
    );
    box.hidden = found.length === 0;
    if (found.length) box.scrollIntoView({ block: "center" });
  }

  function lock(locked) {
    for (const element of $$("input, textarea, button", form)) element.disabled = locked;
  }

  async function complete(event) {
    event.preventDefault();
    const found = problems();
    showProblems(found);
    if (found.length) return;
    const answers = state.items.filter((item) => item.answerable).map((item) => ({ item: item.id, result: answerOf(item) }));
    const files = [];
    const findings = state.items
      .filter((item) => needsFinding(item) && !state.recorded_items.includes(item.id))
      .map((item, i) => {
        const finding = findingOf(item.id);
        const photos = finding.photos.map((photo, j) => {
          const name = `photo-${i}-${j}`;
          files.push({ name, filename: `${name}.jpg`, blob: photo.blob });
          return name;
        });
        return {
          item: item.id,
          severity: finding.severity,
          description: finding.description.trim(),
          deadline: finding.deadline || $(`[name="deadline-${item.id}"]`).value,
          photos,
        };
      });
    const fields = [
      ["answers", JSON.stringify(answers)],
      ["findings", JSON.stringify(findings)],
      ["summary", draft.summary || ""],
    ];
    if (codeShownAt()) {
      fields.push(["code_shown_at", codeShownAt()]);
    } else {
      fields.push(["code_not_shown_reason", draft.code_not_shown_reason || ""]);
      fields.push(["code_not_shown_note", (draft.code_not_shown_note || "").trim()]);
    }
    if (draft.refused) {
      await F.outboxDelete(draft.refused); // seen by the officer, now corrected and sent again
      draft.refused = null;
    }
    const id = await F.enqueue(
      Object.assign(F.multipart(fields, files), {
        kind: "visit-record",
        url: state.visit_record_url,
        inspection: state.id,
        label: F.format(S.visit_record, { enterprise: state.enterprise }),
      })
    );
    draft.queued = id;
    await save();
    lock(true);
    message(S.queued);
  }

  async function checkQueued() {
    if (!draft.queued) return;
    const row = (await F.outboxAll()).find((action) => action.id === draft.queued);
    if (row && row.state === "pending") {
      lock(true);
      message(S.queued);
    } else if (row) {
      refused(row);
    } else {
      lock(true);
      message(S.sent);
    }
  }

  /* A refused completion: a conflict (the visit was cancelled or completed meanwhile) cannot be sent again, so
     the form stays locked with the reason; any other refusal unlocks it to correct and send again. */
  function refused(action) {
    const conflict = action.state === "conflict";
    draft.queued = null;
    draft.refused = action.id;
    save();
    lock(conflict);
    showProblems([action.message]);
    message(conflict ? action.message : "", conflict);
  }

  document.addEventListener("field:sent", (event) => {
    const action = event.detail.action;
    if (action.inspection !== state.id) return;
    if (action.kind === "visit-record") {
      window.location.reload();
    } else if (action.kind === "show-code" && event.detail.data) {
      state.code_shown_at = event.detail.data.code_shown_at;
      renderCodeShown();
    }
  });

  document.addEventListener("field:refused", (event) => {
    const action = event.detail.action;
    if (draft && action.inspection === state.id && action.kind === "visit-record") refused(action);
  });

  document.addEventListener("DOMContentLoaded", async () => {
    draft = (await F.draftGet(state.id)) || {
      inspection: state.id,
      answers: {},
      findings: {},
      summary: "",
      code_shown_at: null,
      code_not_shown_reason: "",
      code_not_shown_note: "",
      queued: null,
      refused: null,
    };
    const show = $("#show-code");
    if (show) show.addEventListener("click", showCode);
    const close = $("#close-code");
    if (close) close.addEventListener("click", () => ($("#code-screen").hidden = true));
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && $("#code-screen")) $("#code-screen").hidden = true;
    });
    renderCodeShown();
    if (!form) return;
    form.addEventListener("change", (event) => {
      if (event.target.type === "file") onPhotos(event);
      else onInput(event);
    });
    form.addEventListener("input", (event) => {
      if (event.target.tagName === "TEXTAREA") onInput(event);
    });
    form.addEventListener("submit", complete);
    restore();
    await checkQueued();
    form.dataset.ready = "true";
  });
})();
