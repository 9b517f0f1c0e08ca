/* The field area's shared script: the outbox (actions queued in IndexedDB and sent in order, each with its
   Idempotency-Key), the drafts of visits kept on the phone, the service worker and the week kept offline.
   No library: IndexedDB, fetch, Blob and the service worker API as the browser has them. */
(function () {
  "use strict";

  const DB_NAME = "field-area";
  const OUTBOX = "outbox";
  const DRAFTS = "drafts";
  const PENDING = "pending";
  const CONFLICT = "conflict";
  const FAILED = "failed";
  // Answers worth retrying later: the server or the network is not there yet, or the first copy still runs.
  const RETRY_CODES = new Set(["idempotency_in_progress", "idempotency_retry"]);

  const strings = readJson("field-strings") || {};
  let dbPromise = null;

  function readJson(id) {
    const element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function format(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, (_match, name) => values[name] ?? "");
  }

  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = () => {
          const db = request.result;
          db.createObjectStore(OUTBOX, { keyPath: "id", autoIncrement: true });
          db.createObjectStore(DRAFTS, { keyPath: "inspection" });
        };
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    }
    return dbPromise;
  }

  function run(storeName, mode, work) {
    return openDb().then(
      (db) =>
        new Promise((resolve, reject) => {
          const transaction = db.transaction(storeName, mode);
          const store = transaction.objectStore(storeName);
          let result;
          const request = work(store);
          if (request) request.onsuccess = () => (result = request.result);
          transaction.oncomplete = () => resolve(result);
          transaction.onerror = () => reject(transaction.error);
          transaction.onabort = () => reject(transaction.error);
        })
    );
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function csrfToken() {
    const meta = document.querySelector("meta[name=csrf-token]");
    return meta ? meta.content : "";
  }

  /* A multipart body built once, with a boundary of its own, so that every replay of the action sends the
     very same bytes: the server's idempotency check compares the body, and a browser's FormData would choose
     a new boundary each time. */
  function multipart(fields, files) {
    const boundary = "----field" + newKey().replace(/-/g, "");
    const parts = [];
    for (const [name, value] of fields) {
      parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
    }
    for (const file of files) {
      parts.push(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\n` +
          `Content-Type: ${file.blob.type || "application/octet-stream"}\r\n\r\n`,
        file.blob,
        "\r\n"
      );
    }
    parts.push(`--${boundary}--\r\n`);
    return { body: new Blob(parts), contentType: `multipart/form-data; boundary=${boundary}` };
  }

  function json(data) {
    return { body: JSON.stringify(data), contentType: "application/json" };
  }

  /* --- The outbox -------------------------------------------------------------------------------------- */

  function outboxAll() {
    return run(OUTBOX, "readonly", (store) => store.getAll()).then((rows) => rows || []);
  }

  function outboxPut(row) {
    return run(OUTBOX, "readwrite", (store) => store.put(row));
  }

  function outboxDelete(id) {
    return run(OUTBOX, "readwrite", (store) => store.delete(id));
  }

  /* Queue an action: {url, body, contentType, label, kind, inspection?, finding?}. Returns its id. */
  function enqueue(action) {
    const row = Object.assign({ key: newKey(), state: PENDING, message: "", created: new Date().toISOString() }, action);
    return run(OUTBOX, "readwrite", (store) => store.add(row)).then((id) => {
      renderOutbox();
      flush();
      return id;
    });
  }

  function errorMessage(payload, status) {
    const error = payload && payload.error;
    if (!error) return String(status);
    const fields = Object.entries(error.fields || {}).map(([name, messages]) => `${name}: ${[].concat(messages).join(" ")}`);
    return [error.message, ...fields].filter(Boolean).join(" ");
  }

  function announce(type, detail) {
    document.dispatchEvent(new CustomEvent(type, { detail }));
  }

  let flushing = null;
  let flushAgain = false;

  /* Send what waits, oldest first; stop at the first action that cannot go yet (no connection, server busy,
     sign-in expired), so that the order holds. A refusal (a conflict, a validation error) stays on the list
     with its reason, for the officer to see; it does not block the others. */
  function flush() {
    // Asked again while a round is under way (the connection came back while the round still failed offline):
    // one more round follows it, or the queue would wait for the next page or a press of "Send now".
    if (flushing) {
      flushAgain = true;
      return flushing;
    }
    const work = () => sendAll().finally(() => renderOutbox());
    flushing = (navigator.locks ? navigator.locks.request("field-outbox", work) : work()).finally(() => {
      flushing = null;
      if (flushAgain) {
        flushAgain = false;
        flush();
      }
    });
    return flushing;
  }

  async function sendAll() {
    const rows = (await outboxAll()).filter((row) => row.state === PENDING).sort((a, b) => a.id - b.id);
    setNote("");
    for (const row of rows) {
      let response;
      try {
        response = await fetch(row.url, {
          method: "POST",
          credentials: "same-origin",
          headers: {
            "Content-Type": row.contentType,
            "X-CSRFToken": csrfToken(),
            "Idempotency-Key": row.key,
            Accept: "application/json",
          },
          body: row.body,
        });
      } catch (error) {
        setNote(strings.offline);
        return;
      }
      let payload = null;
      try {
        payload = await response.json();
      } catch (error) {
        payload = null;
      }
      const code = payload && payload.error ? payload.error.code : "";
      if (response.ok) {
        await outboxDelete(row.id);
        if (row.kind === "visit-record") await draftDelete(row.inspection); // recorded: the draft has done its work
        announce("field:sent", { action: row, data: payload });
        continue;
      }
      if (response.status >= 500 || response.status === 429 || RETRY_CODES.has(code)) {
        setNote(strings.offline);
        return;
      }
      if (response.status === 401 || response.status === 403) {
        setNote(strings.sign_in_again);
        return;
      }
      row.state = response.status === 409 ? CONFLICT : FAILED;
      row.code = code;
      row.message = errorMessage(payload, response.status);
      await outboxPut(row);
      announce("field:refused", { action: row, data: payload });
    }
  }

  function setNote(text) {
    const note = document.getElementById("outbox-note");
    if (!note) return;
    note.textContent = text;
    note.hidden = !text;
  }

  async function renderOutbox() {
    const box = document.getElementById("outbox");
    if (!box) return;
    const rows = (await outboxAll()).sort((a, b) => a.id - b.id);
    const pending = rows.filter((row) => row.state === PENDING).length;
    const refused = rows.length - pending;
    box.hidden = rows.length === 0;
    box.dataset.pending = String(pending);
    document.getElementById("outbox-count").textContent = [
      pending ? format(strings.pending, { count: pending }) : "",
      refused ? format(strings.not_sent, { count: refused }) : "",
      pending || refused ? "" : strings.nothing_pending,
    ].join(" ").trim();
    const list = document.getElementById("outbox-list");
    list.replaceChildren(
      ...rows.map((row) => {
        const item = document.createElement("li");
        item.className = row.state;
        item.dataset.action = row.kind;
        const state = row.state === PENDING ? strings.waiting : row.state === CONFLICT ? strings.conflict : strings.failed;
        item.append(`${row.label} · ${state}`);
        if (row.state !== PENDING) {
          const reason = document.createElement("div");
          reason.className = "reason";
          reason.textContent = row.message;
          const remove = document.createElement("button");
          remove.type = "button";
          remove.className = "small secondary";
          remove.textContent = strings.remove;
          remove.addEventListener("click", () => {
            if (window.confirm(strings.remove_confirm)) outboxDelete(row.id).then(renderOutbox);
          });
          item.append(reason, remove);
        }
        return item;
      })
    );
  }

  /* --- Drafts of visits (answers, findings with their photos as Blobs, summary, code shown) ------------- */

  function draftGet(inspection) {
    return run(DRAFTS, "readonly", (store) => store.get(inspection));
  }

  function draftPut(draft) {
    return run(DRAFTS, "readwrite", (store) => store.put(draft));
  }

  function draftDelete(inspection) {
    return run(DRAFTS, "readwrite", (store) => store.delete(inspection));
  }

  /* --- Service worker and the week kept for offline use ------------------------------------------------ */

  function registerWorker() {
    const root = document.querySelector(".field");
    if (!root || !("serviceWorker" in navigator)) return Promise.resolve(null);
    return navigator.serviceWorker
      .register(root.dataset.sw, { scope: root.dataset.scope })
      .then(() => navigator.serviceWorker.ready)
      .catch(() => null);
  }

  function keepForOffline(registration) {
    const status = document.getElementById("offline-status");
    if (!status || !registration || !registration.active) return;
    const urls = status.dataset.urls.split(" ").filter(Boolean);
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => {
      const ok = event.data && event.data.ok;
      status.textContent = ok ? strings.offline_ready : strings.offline_failed;
      if (ok) status.dataset.offlineReady = "true";
    };
    registration.active.postMessage({ type: "keep", urls }, [channel.port2]);
  }

  window.Field = {
    strings,
    format,
    readJson,
    newKey,
    multipart,
    json,
    enqueue,
    flush,
    outboxAll,
    outboxDelete,
    renderOutbox,
    draftGet,
    draftPut,
    draftDelete,
  };

  document.addEventListener("DOMContentLoaded", () => {
    const send = document.getElementById("outbox-send");
    if (send) send.addEventListener("click", () => flush());
    renderOutbox();
    registerWorker().then(keepForOffline);
    flush();
  });
  window.addEventListener("online", () => flush());
})();
