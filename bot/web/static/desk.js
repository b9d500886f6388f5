// The desk's only script (no inline script: the CSP allows scripts from this file alone).
// - a form marked data-autosubmit is sent at once (the sign-in page; its button stays for browsers without JS);
// - a table with data-poll swaps in a fresh <tbody> every data-every seconds, while the tab is visible;
// - a button marked data-print prints the page;
// - a form marked data-confirm asks before it is sent.
"use strict";

function autosubmit() {
  const form = document.querySelector("form[data-autosubmit]");
  if (form) form.submit();
}

function poll(table) {
  const url = table.dataset.poll;
  const every = Math.max(5, Number(table.dataset.every) || 15) * 1000;
  async function refresh() {
    if (document.visibilityState !== "visible") return;
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } });
      if (!response.ok) return;  // signed out or refused: keep what is shown, the next page load will say why
      const holder = document.createElement("table");
      holder.innerHTML = await response.text();  // server-rendered and escaped by the template
      const body = holder.querySelector("tbody");
      const old = table.querySelector("tbody");
      if (body && old) old.replaceWith(body);
      const stamp = document.querySelector("[data-updated-text]");
      if (stamp && body && body.dataset.updated) stamp.textContent = stamp.dataset.updatedText.replace("{time}", body.dataset.updated);
    } catch (error) {
      // network hiccup: try again at the next tick
    }
  }
  setInterval(refresh, every);
  document.addEventListener("visibilitychange", refresh);
}

document.addEventListener("DOMContentLoaded", () => {
  autosubmit();
  document.querySelectorAll("table[data-poll]").forEach(poll);
  document.querySelectorAll("[data-print]").forEach((button) => button.addEventListener("click", () => window.print()));
  document.querySelectorAll("form[data-confirm]").forEach((form) => form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  }));
});
