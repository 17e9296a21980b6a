// voipadmin console: progressive enhancement only; every page works without it.
(function () {
  "use strict";

  // A click on a report row opens its detail in the side panel (the row's links still work).
  function openPanel(row) {
    var layout = document.querySelector(".report-layout");
    var panel = document.getElementById("detail-panel");
    if (!layout || !panel || !row.dataset.detail) return;
    document.querySelectorAll("table.report tr.selected").forEach(function (r) { r.classList.remove("selected"); });
    row.classList.add("selected");
    fetch(row.dataset.detail + (row.dataset.detail.indexOf("?") < 0 ? "?" : "&") + "panel=1", { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        panel.innerHTML = html;
        panel.hidden = false;
        layout.classList.add("with-panel");
      })
      .catch(function () { window.location = row.dataset.detail; });
  }

  document.addEventListener("click", function (event) {
    var close = event.target.closest("[data-close-panel]");
    if (close) {
      var panel = document.getElementById("detail-panel");
      panel.hidden = true;
      document.querySelector(".report-layout").classList.remove("with-panel");
      return;
    }
    // The looking-glass link of a row is a real link (keyboard, new tab, no JS); a plain click on
    // it opens the same detail in the panel, a click with a modifier key is left to the browser.
    var detail = event.target.closest("a[data-detail-link]");
    if (detail) {
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
      var own = detail.closest("tr[data-detail]");
      if (!own) return;
      event.preventDefault();
      openPanel(own);
      return;
    }
    if (event.target.closest("a, button, input, label")) return;
    var row = event.target.closest("table.report tbody tr[data-detail]");
    if (row) openPanel(row);
  });

  // Multi-select summaries say what is chosen.
  function summarise(details) {
    var checked = details.querySelectorAll("input[type=checkbox]:checked");
    var summary = details.querySelector("summary");
    if (!summary) return;
    if (checked.length === 0) summary.textContent = "Any";
    else if (checked.length <= 2) summary.textContent = Array.prototype.map.call(checked, function (c) { return c.parentNode.textContent.trim(); }).join(", ");
    else summary.textContent = checked.length + " selected";
  }
  document.querySelectorAll("details.multi").forEach(function (details) {
    summarise(details);
    details.addEventListener("change", function () { summarise(details); });
  });
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.multi[open]").forEach(function (details) {
      if (!details.contains(event.target)) details.removeAttribute("open");
    });
  });

  // A part of a page that costs more than the page itself (a summary over the selection) is a
  // fragment fetched once the page is shown: `data-load="<url>"` is replaced by what it returns.
  document.querySelectorAll("[data-load]").forEach(function (slot) {
    fetch(slot.dataset.load, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) { slot.innerHTML = html; slot.removeAttribute("data-load"); })
      .catch(function () { /* the slot keeps its link to the fragment */ });
  });

  // A form with `data-confirm` asks before it is sent (an inline onsubmit would break the CSP).
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });

  // Empty filter inputs stay out of the query string, so links and exports stay readable.
  document.querySelectorAll("form.filters").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("input, select").forEach(function (input) {
        if ((input.type === "text" || input.type === "search" || input.type === "datetime-local" || input.type === "number" || input.tagName === "SELECT") && !input.value) {
          input.disabled = true;
        }
      });
    });
  });
})();
