// Hopper's image guard (first party: the CSP forbids inline onerror handlers).
// A publisher's picture that fails to load, or that the media proxy answered with its
// 32×18 placeholder, is hidden and its card falls back to text. The server already leaves
// out images its background check found dead (templates/partials/images.html); this
// catches those that die in between (e.g. right after `hopper ingest`, before the check).
// Without JavaScript the placeholder still shows no broken-image icon.
//
// Loaded WITHOUT `defer`, in the <head>: it listens on the document in the capture phase
// (an image's `error` and `load` do not bubble), so it is listening before the first
// <img> is parsed and hides a dead one the moment it fails. A deferred script came too
// late: the reader saw an empty 16:9 box (or, with the proxy off, a broken-image icon)
// that collapsed seconds later, moving the page under them.
//
// The proxy's placeholder can still arrive after the box was painted (a slow network,
// the CSS already cached). Collapsing a box in view then moves what the reader reads, so
// keeps its size: a tile with the outlet's name (its `data-outlet`) takes the picture's
// place (site.css .picture-tile). A box not yet painted or out of view collapses (the
// browser's scroll anchoring keeps the text above still).
(function () {
  "use strict";

  var GUARDED = "img[data-hide-broken], .article-body img";
  // A lead image is at least 120 px wide (smaller ones are marked dead by the server's
  // check), and `naturalWidth` is in CSS pixels: under 40 it can only be the placeholder.
  var PLACEHOLDER_WIDTH = 40;
  // A picture in an article body may be small, but it has no srcset: the proxy's
  // placeholder (web/media/views.py PLACEHOLDER_GIF) is drawn at exactly its 32 × 18
  // pixels, an invisible strip that left an empty gap in the text.
  var BODY_PLACEHOLDER = { width: 32, height: 18, path: /\/media\/[^/]+\/[^/]+$/ };

  // The proxy's answer while it fetches as many images as it may (web/media/views.py
  // BUSY_GIF, the placeholder on its side: 18 × 32, taller than wide whatever density a
  // srcset scales it by): no dead picture, one to ask for again a few seconds later (a
  // publisher that hangs holds its fetch slots until their deadline). After RETRIES
  // tries it counts as dead.
  var BUSY = { width: 18, height: 32 };
  var RETRIES = 3;
  var RETRY_MS = 3000;

  function isBusy(image) {
    return image.naturalWidth > 0 && image.naturalWidth < PLACEHOLDER_WIDTH &&
      image.naturalHeight > image.naturalWidth &&
      /\/media\//.test(new URL(image.currentSrc || image.src, location.href).pathname);
  }

  // The same picture asked for again: a `retry` query parameter (the proxy reads only
  // `w`) makes each URL of src and srcset new to the browser, which caches nothing busy.
  function withRetry(url, tries) {
    var again = new URL(url, location.href);
    again.searchParams.set("retry", String(tries));
    return again.pathname + again.search;
  }

  // True when the picture will be asked for again (or already is: the load event and
  // the first settleAll may both see one busy answer).
  function askAgainLater(image) {
    if (image.hasAttribute("data-retry-pending")) { return true; }
    var tries = Number(image.getAttribute("data-retries") || 0) + 1;
    if (tries > RETRIES) { return false; }
    image.setAttribute("data-retries", String(tries));
    image.setAttribute("data-retry-pending", "");
    setTimeout(function () {
      image.removeAttribute("data-retry-pending");
      var srcset = image.getAttribute("srcset");
      if (srcset) {
        image.setAttribute("srcset", srcset.split(/,\s+/).map(function (candidate) {
          var parts = candidate.trim().split(/\s+/);
          parts[0] = withRetry(parts[0], tries);
          return parts.join(" ");
        }).join(", "));
      }
      image.setAttribute("src", withRetry(image.getAttribute("src"), tries));
    }, RETRY_MS * tries);
    return true;
  }

  function isPlaceholder(image) {
    if (image.hasAttribute("data-hide-broken")) { return image.naturalWidth < PLACEHOLDER_WIDTH; }
    var size = [image.naturalWidth, image.naturalHeight].join("x");
    return (size === [BODY_PLACEHOLDER.width, BODY_PLACEHOLDER.height].join("x") ||
            size === [BUSY.width, BUSY.height].join("x")) &&
      BODY_PLACEHOLDER.path.test(new URL(image.currentSrc || image.src, location.href).pathname);
  }

  // site.css draws nothing for [data-broken] (not a `style`: the CSP allows none).
  function hide(image) {
    image.setAttribute("data-broken", "");
    var figure = image.closest("figure");
    if (figure && !figure.querySelector("img:not([data-broken])")) {
      figure.setAttribute("data-broken", "");
    }
    fallBackToText(image);
  }

  // Every box laid out for a picture says so (`has-image`): a card, the front page's lead
  // and the front around it. Each takes the layout the server gives it without one
  // (`text-only`) once no picture is left in it, so the page looks as it would have had
  // the server known: no room kept for a picture beside text that now ends early.
  function fallBackToText(image) {
    var box = image.closest(".has-image");
    while (box) {
      var outer = box.parentElement && box.parentElement.closest(".has-image");
      if (!box.querySelector("img:not([data-broken])")) {
        box.classList.remove("has-image");
        box.classList.add("text-only");
      }
      box = outer;
    }
  }

  // Set in the first frame's animation callback, which runs just before that frame is
  // painted: any later event comes after it. (The `paint` performance entry is no
  // substitute: it is reported only once the frame has been presented, so a box painted
  // a moment ago could still be collapsed.)
  var hasPainted = false;
  if (window.requestAnimationFrame) {
    window.requestAnimationFrame(function () { hasPainted = true; });
  }

  function isPaintedInView(image) {
    if (!hasPainted) { return false; }
    var box = image.getBoundingClientRect();
    return box.height > 0 && box.bottom > 0 && box.top < window.innerHeight;
  }

  // A picture laid over something else (a video's poster over its title frame) moves
  // nothing when it goes, and shows what it covered.
  function holdsText(image) {
    return getComputedStyle(image).position !== "absolute";
  }

  // The tile is a box the picture's own classes size (a card's ratio and crop), or its
  // width and height when it has no class (an article's lead). Screen readers skip it:
  // the card's byline or the picture's credit already names the outlet.
  function showOutletInstead(image) {
    var tile = document.createElement("span");
    tile.className = ("picture-tile " + image.className).trim();
    tile.setAttribute("aria-hidden", "true");
    var width = image.getAttribute("width"), height = image.getAttribute("height");
    if (width && height) { tile.style.setProperty("--picture-ratio", width + " / " + height); }
    var name = document.createElement("span");
    name.className = "picture-tile-name";
    name.textContent = image.getAttribute("data-outlet") || "";
    tile.appendChild(name);
    image.parentNode.insertBefore(tile, image);
    image.setAttribute("data-no-picture", "");
  }

  function settle(image) {
    if (!image.matches || !image.matches(GUARDED) || image.hasAttribute("data-broken") ||
        image.hasAttribute("data-no-picture")) { return; }
    if (!image.complete || (image.naturalWidth > 0 && !isPlaceholder(image))) { return; }
    if (isBusy(image) && askAgainLater(image)) { return; }
    // Only the proxy's placeholder (a picture, transparent) can keep its box: a failed
    // <img> would draw the browser's broken-image icon.
    if (image.naturalWidth > 0 && image.hasAttribute("data-hide-broken") && isPaintedInView(image) &&
        holdsText(image)) {
      showOutletInstead(image);
    } else {
      hide(image);
    }
  }

  function onImageEvent(event) {
    if (event.target && event.target.tagName === "IMG") { settle(event.target); }
  }
  document.addEventListener("error", onImageEvent, true);
  document.addEventListener("load", onImageEvent, true);

  // Any that finished before a listener could hear it (a cached failure, a script
  // loaded late by a page that includes it elsewhere).
  function settleAll() {
    Array.prototype.forEach.call(document.querySelectorAll(GUARDED), settle);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", settleAll);
  } else {
    settleAll();
  }
})();
