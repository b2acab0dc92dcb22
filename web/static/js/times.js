// Hopper's relative times: "14 min ago" instead of the UTC time the server renders (a
// page is cached for every reader, so only the reader's own clock can say "ago"), with
// the exact local time on hover.
//
// Loaded WITHOUT `defer`, in the <head>: a MutationObserver rewrites each time as the
// parser adds it, before the browser first paints it. Swapping the text later (from a
// deferred script that arrives after the CSS on a slow network) made the shorter text
// reflow bylines and headers under the reader's eyes (CLS 0.10 on the full-coverage page
// of a 320 px phone). site.js calls `window.hopperTimes.refine` for content it adds and
// once a minute.
(function () {
  "use strict";

  var MINUTE = 60000, HOUR = 60 * MINUTE, DAY = 24 * HOUR;
  var SELECTOR = "time[data-relative]";
  var exact = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "short" });
  var dateOnly = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric" });

  function relative(moment, now) {
    var age = now - moment;
    if (age < MINUTE) { return "just now"; }
    if (age < HOUR) { return Math.floor(age / MINUTE) + " min ago"; }
    if (age < DAY) { return Math.floor(age / HOUR) + " h ago"; }
    if (age < 7 * DAY) { var days = Math.floor(age / DAY); return days === 1 ? "yesterday" : days + " days ago"; }
    return dateOnly.format(moment);
  }

  function refineOne(element, now) {
    var moment = new Date(element.getAttribute("datetime"));
    if (isNaN(moment.getTime())) { return; }
    var text = relative(moment, now);
    // Only on a change: a write is itself a mutation the observer below would see.
    if (element.textContent !== text) { element.textContent = text; }
    if (!element.title) { element.title = exact.format(moment); }
  }

  function refine(root) {
    var now = Date.now();
    if (root.matches && root.matches(SELECTOR)) { refineOne(root, now); }
    Array.prototype.forEach.call(root.querySelectorAll(SELECTOR), function (element) {
      refineOne(element, now);
    });
  }

  window.hopperTimes = { refine: refine };

  if (!window.MutationObserver) { return; }   // site.js refines them once parsed
  // While the page is parsed, each batch the parser adds (a <time>, its text, or text
  // the parser appends to it later) is refined at the next microtask checkpoint, which
  // always comes before the browser renders.
  var observer = new MutationObserver(function (records) {
    var now = Date.now();
    records.forEach(function (record) {
      var node = record.target.nodeType === 1 ? record.target : record.target.parentElement;
      var time = node && node.closest && node.closest(SELECTOR);
      if (time) { refineOne(time, now); }
      Array.prototype.forEach.call(record.addedNodes, function (added) {
        if (added.nodeType === 1) { refine(added); }
      });
    });
  });
  observer.observe(document.documentElement, { childList: true, subtree: true, characterData: true });
  document.addEventListener("DOMContentLoaded", function () {
    observer.disconnect();
    refine(document);
  });
})();
