/* Playback with chat synchronisation (seed 001, group conferences): the chat message at the
   player's time is highlighted and scrolled into view in the chat list; a click on a message
   plays the recording from it. No inline script: this file is all there is. */
(function () {
  "use strict";

  function setUp() {
    var player = document.querySelector("[data-player]");
    var list = document.querySelector("[data-chat-sync]");
    if (!player || !list || list.dataset.synced) {
      return;
    }
    list.dataset.synced = "1";
    var items = Array.prototype.slice.call(list.querySelectorAll("li[data-offset]"));
    var offsets = items.map(function (item) { return parseFloat(item.dataset.offset); });
    var current = null;

    function indexAt(time) {
      // the last message at or before `time` (offsets are sorted): binary search
      var low = 0, high = offsets.length - 1, found = -1;
      while (low <= high) {
        var middle = (low + high) >> 1;
        if (offsets[middle] <= time + 0.05) {
          found = middle;
          low = middle + 1;
        } else {
          high = middle - 1;
        }
      }
      return found;
    }

    function show(time) {
      var index = indexAt(time);
      var item = index >= 0 ? items[index] : null;
      if (item === current) {
        return;
      }
      if (current) {
        current.classList.remove("current");
        current.removeAttribute("aria-current");
      }
      current = item;
      if (item) {
        item.classList.add("current");
        item.setAttribute("aria-current", "true");
        // scroll the chat list only, never the page
        var top = item.offsetTop - list.offsetTop;
        if (top < list.scrollTop || top + item.offsetHeight > list.scrollTop + list.clientHeight) {
          list.scrollTop = Math.max(0, top - list.clientHeight / 3);
        }
      }
    }

    player.addEventListener("timeupdate", function () { show(player.currentTime); });
    player.addEventListener("seeked", function () { show(player.currentTime); });
    list.addEventListener("click", function (event) {
      var button = event.target.closest("[data-seek]");
      if (!button) {
        return;
      }
      var item = button.closest("li[data-offset]");
      player.currentTime = parseFloat(item.dataset.offset);
      show(player.currentTime);
    });
    show(player.currentTime || 0);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
