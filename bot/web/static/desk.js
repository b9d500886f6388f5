// The desk's only script (no inline script: the CSP allows scripts from this file alone).
// - a form marked data-autosubmit is sent at once (the sign-in page; its button stays for browsers without JS);
// - a table with data-poll swaps in a fresh <tbody> every data-every seconds, while the tab is visible; it sends
//   the tag of the rows it shows (data-etag, then each answer's ETag), and a 304 keeps them, only the time changes;
// - a button marked data-print prints the page; with data-print-rows (a paged grid) it first puts every row in
//   the table from that address, so the paper lists every unit;
// - a form marked data-confirm asks before it is sent;
// - a form marked data-preview sends what is typed to that address (a POST with the form's token, nothing saved)
//   a moment after the typing stops, and shows the answer in the element named by data-preview-target;
// - a button marked data-line moves the cursor of the textarea data-for to that line (a questionnaire's problems).
"use strict";

function autosubmit() {
  const form = document.querySelector("form[data-autosubmit]");
  if (form) form.submit();
}

function stamp(time) {
  const line = document.querySelector("[data-updated-text]");
  if (line && time) line.textContent = line.dataset.updatedText.replace("{time}", time);
}

function poll(table) {
  const url = table.dataset.poll;
  const every = Math.max(5, Number(table.dataset.every) || 15) * 1000;
  async function refresh() {
    if (document.visibilityState !== "visible") return;
    try {
      const headers = { "Accept": "text/html" };
      if (table.dataset.etag) headers["If-None-Match"] = table.dataset.etag;
      const response = await fetch(url, { credentials: "same-origin", headers: headers, cache: "no-store" });
      if (response.status === 304) {  // the rows shown are still the rows
        stamp(decodeURIComponent(response.headers.get("X-Desk-Updated") || ""));
        return;
      }
      if (!response.ok) return;  // signed out or refused: keep what is shown, the next page load will say why
      const holder = document.createElement("table");
      holder.innerHTML = await response.text();  // server-rendered and escaped by the template
      const body = holder.querySelector("tbody");
      const old = table.querySelector("tbody");
      if (body && old) old.replaceWith(body);
      table.dataset.etag = response.headers.get("ETag") || "";
      if (body) stamp(body.dataset.updated);
    } catch (error) {
      // network hiccup: try again at the next tick
    }
  }
  setInterval(refresh, every);
  document.addEventListener("visibilitychange", refresh);
}

async function printAll(button) {
  const table = document.querySelector("table[data-poll]");
  if (button.dataset.printRows && table) {
    try {
      const response = await fetch(button.dataset.printRows, { credentials: "same-origin", cache: "no-store" });
      if (response.ok) {
        const holder = document.createElement("table");
        holder.innerHTML = await response.text();  // server-rendered and escaped by the template
        const body = holder.querySelector("tbody");
        const old = table.querySelector("tbody");
        if (body && old) {
          old.replaceWith(body);
          table.dataset.etag = "";  // the next poll brings the page's own rows back
        }
      }
    } catch (error) {
      // network hiccup: print what is shown
    }
  }
  window.print();
}

function livePreview(form) {
  const target = document.getElementById(form.dataset.previewTarget);
  const state = form.querySelector("[data-preview-state]");
  let timer = null;
  let asked = 0;
  async function refresh() {
    const mine = ++asked;
    if (state) state.textContent = state.dataset.busy;
    try {
      const response = await fetch(form.dataset.preview, { method: "POST", body: new FormData(form), credentials: "same-origin" });
      if (!response.ok || mine !== asked) return;  // refused (signed out), or a newer request is on its way
      target.innerHTML = await response.text();  // server-rendered and escaped by the template
      if (state) state.textContent = state.dataset.done;
    } catch (error) {
      // network hiccup: the next keystroke asks again
    }
  }
  const later = () => { clearTimeout(timer); timer = setTimeout(refresh, 700); };
  form.addEventListener("input", later);
  form.addEventListener("change", later);
}

function goToLine(button) {
  button.addEventListener("click", () => {
    const area = document.getElementById(button.dataset.for);
    const line = Math.max(1, Number(button.dataset.line) || 1);
    const lines = area.value.split("\n");
    const start = lines.slice(0, line - 1).reduce((n, text) => n + text.length + 1, 0);
    area.focus();
    area.setSelectionRange(start, start + (lines[line - 1] || "").length);
    const height = area.scrollHeight / Math.max(1, lines.length);
    area.scrollTop = Math.max(0, (line - 4) * height);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  autosubmit();
  document.querySelectorAll("table[data-poll]").forEach(poll);
  document.querySelectorAll("[data-print]").forEach((button) => button.addEventListener("click", () => printAll(button)));
  document.querySelectorAll("form[data-preview]").forEach(livePreview);
  document.querySelectorAll("button[data-line]").forEach(goToLine);
  document.querySelectorAll("form[data-confirm]").forEach((form) => form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  }));
});
