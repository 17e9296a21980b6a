// User Monitoring: static by default; the refresh button turns on an update every 2 seconds that
// patches only the rows that changed. The token is a time from the server's data, so polling goes
// on through a restart of the console: failures back off (up to 30 s) and the next answer resumes.
(function () {
  "use strict";

  var table = document.querySelector("table[data-monitor]");
  var button = document.querySelector("[data-refresh]");
  if (!table || !button || !table.dataset.token) return;
  var STORAGE_KEY = "voipadmin.monitoring.refresh";
  var MAX_DELAY = 30000;
  var interval = (parseInt(table.dataset.interval, 10) || 2) * 1000;
  var tbody = table.tBodies[0];
  var status = document.querySelector("[data-refresh-status]");
  var token = table.dataset.token;
  var timer = null;
  var running = null;
  var failures = 0;
  var countsEvery = (parseInt(table.dataset.countsEvery, 10) || 30) * 1000;
  var countedAt = Date.now();

  // 24-hour, in the viewer's zone from their preferences (not the browser's), as every list writes time.
  var zone = status && status.dataset.zone;
  var clockFormat = null;
  try {
    clockFormat = new Intl.DateTimeFormat("en-GB", { timeZone: zone || undefined, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
  } catch (error) {
    clockFormat = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
  }
  function clock(moment) { return clockFormat.format(moment); }

  function isOn() { return button.getAttribute("aria-pressed") === "true"; }

  function say(text, trouble) {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("trouble", !!trouble);
  }

  function remember(on) {
    try { window.localStorage.setItem(STORAGE_KEY, on ? "on" : "off"); } catch (e) { /* private mode */ }
  }

  function recalled() {
    try { return window.localStorage.getItem(STORAGE_KEY) === "on"; } catch (e) { return false; }
  }

  function schedule(delay) {
    window.clearTimeout(timer);
    timer = window.setTimeout(poll, delay);
  }

  function turn(on) {
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.title = "Update every " + interval / 1000 + " seconds: " + (on ? "on (click to stop)" : "off (click to turn on)");
    window.clearTimeout(timer);
    if (on) {
      failures = 0;
      say("Updating every " + interval / 1000 + " seconds.");
      schedule(0);
    } else {
      if (running) running.abort();
      say("Static: click refresh for an update every " + interval / 1000 + " seconds.");
    }
  }

  function changesUrl() {
    var params = new URLSearchParams(window.location.search);
    params.set("since", token);
    // The poll looks at this page's range of the order only (empty at the ends of the selection).
    ["lower", "upper"].forEach(function (name) {
      params.delete(name);
      if (table.dataset[name]) params.set(name, table.dataset[name]);
    });
    params.delete("counts");
    if (Date.now() - countedAt >= countsEvery) params.set("counts", "1");
    return table.dataset.changesUrl + "?" + params.toString();
  }

  function rowOf(id) { return tbody.querySelector('tr[data-account="' + id + '"]'); }

  function build(html) {
    var holder = document.createElement("tbody");
    holder.innerHTML = html.trim();
    return holder.firstElementChild;
  }

  function insertSorted(row) {
    var rows = tbody.querySelectorAll("tr[data-account]");
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].dataset.key > row.dataset.key) { tbody.insertBefore(row, rows[i]); return; }
    }
    tbody.appendChild(row);
  }

  function recount() {
    var rows = tbody.querySelectorAll("tr[data-account]").length;
    var shown = document.querySelector("[data-shown]");
    if (shown) shown.textContent = rows + (rows === 1 ? " user" : " users") + " on this page";
  }

  // The state counts of the whole selection: one aggregate, asked for every `countsEvery`.
  function showCounts(counts) {
    countedAt = Date.now();
    document.querySelectorAll("[data-count]").forEach(function (cell) {
      cell.textContent = counts[cell.dataset.count] || 0;
    });
  }

  function apply(data) {
    var changed = 0;
    data.hide.forEach(function (id) {
      var row = rowOf(id);
      if (row) { row.remove(); changed++; }
    });
    if (data.full) {
      // Every row of the range came (an old token): a row not among them left the page meanwhile.
      var kept = {};
      data.rows.forEach(function (item) { kept[item.id] = true; });
      tbody.querySelectorAll("tr[data-account]").forEach(function (row) {
        if (!kept[row.dataset.account]) { row.remove(); changed++; }
      });
    }
    data.rows.forEach(function (item) {
      var row = rowOf(item.id);
      if (row && row.dataset.sig === item.sig) return; // seen already: nothing to patch
      var fresh = build(item.html);
      if (!fresh) return;
      fresh.classList.add("changed");
      if (row && row.dataset.key === item.key) {
        row.replaceWith(fresh);
      } else {
        if (row) row.remove();
        var empty = tbody.querySelector("tr.empty-row");
        if (empty) empty.remove();
        insertSorted(fresh);
      }
      changed++;
    });
    if (changed) recount();
    return changed;
  }

  function poll() {
    if (!isOn()) return;
    if (document.hidden) return; // resumed by visibilitychange
    var controller = new AbortController();
    running = controller;
    var deadline = window.setTimeout(function () { controller.abort(); }, 10000);
    fetch(changesUrl(), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      redirect: "manual",
      signal: controller.signal,
    })
      .then(function (response) {
        if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
          throw new Error("your session ended: log in again (in another tab) and updates resume");
        }
        if (!response.ok) throw new Error("the server answered " + response.status);
        return response.json();
      })
      .then(function (data) {
        if (!isOn()) return;
        var changed = apply(data);
        if (data.counts) showCounts(data.counts);
        token = data.token;
        failures = 0;
        say("Updated " + clock(new Date()) + (changed ? " · " + changed + " changed" : ""));
        schedule(interval);
      })
      .catch(function (error) {
        if (!isOn()) return;
        failures++;
        var delay = Math.min(MAX_DELAY, interval * Math.pow(2, failures));
        var reason = error && error.name === "AbortError" ? "no answer" : (error && error.message) || "no connection";
        say("Cannot update (" + reason + "); retrying in " + Math.round(delay / 1000) + " s.", true);
        schedule(delay);
      })
      .finally(function () {
        window.clearTimeout(deadline);
        if (running === controller) running = null;
      });
  }

  button.addEventListener("click", function () {
    var on = !isOn();
    remember(on);
    turn(on);
  });
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && isOn() && !running) schedule(0);
  });
  window.addEventListener("storage", function (event) {
    if (event.key === STORAGE_KEY && (event.newValue === "on") !== isOn()) turn(event.newValue === "on");
  });
  if (recalled()) turn(true);
})();
