// Hopper's first-party script. Everything works without it; it only adds comfort:
// - the section menus (<details>) close on Escape, on a click elsewhere, and one at a time;
// - a held-back video embed loads when its "Load video" button is pressed;
// - times rendered in UTC keep reading "2 h ago" as the minutes pass, also in content
//   added without a reload (times.js, loaded before first paint, did the first pass);
// - forms marked data-async (save to playlist, post a comment) send without a reload;
// - a video list's Play swaps the player in place; a video that fails or stalls says so
//   and links to the original instead of spinning forever.
(function () {
  "use strict";

  var menus = Array.prototype.slice.call(document.querySelectorAll("details[data-menu]"));

  function closeMenus(except) {
    menus.forEach(function (menu) {
      if (menu !== except) { menu.removeAttribute("open"); }
    });
  }

  menus.forEach(function (menu) {
    menu.addEventListener("toggle", function () {
      if (menu.open) { closeMenus(menu); }
    });
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.open) {
        menu.removeAttribute("open");
        menu.querySelector("summary").focus();
      }
    });
  });

  document.addEventListener("click", function (event) {
    menus.forEach(function (menu) {
      if (menu.open && !menu.contains(event.target)) { menu.removeAttribute("open"); }
    });
  });

  function loadEmbed(holder) {
    var iframe = document.createElement("iframe");
    iframe.src = holder.getAttribute("data-embed-src");
    iframe.title = holder.getAttribute("data-embed-title") || "Video";
    iframe.setAttribute("allow", "autoplay; fullscreen; picture-in-picture");
    iframe.setAttribute("allowfullscreen", "");
    iframe.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    holder.textContent = "";
    holder.classList.remove("embed-held");
    holder.appendChild(iframe);
    iframe.focus();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".embed-load");
    if (!button) { return; }
    var holder = button.closest("[data-embed-src]");
    if (holder) { loadEmbed(holder); }
  });

  // Relative times (times.js): kept current, and refined in content added later.
  function refineTimes(root) {
    if (window.hopperTimes) { window.hopperTimes.refine(root); }
  }
  refineTimes(document);
  window.setInterval(function () { refineTimes(document); }, 60000);

  // Forms that work without a reload. The server answers exactly as it does without
  // JavaScript (a redirect to a page carrying the flashed message, or the page with
  // the form's errors); fetch follows it and the script takes what it needs from it.
  // The form's own CSRF token travels in its FormData.
  function announce(form, text) {
    var status = form.querySelector("[data-async-status]");
    if (status) { status.textContent = text; }
  }

  function replaceFrom(documentFromServer, selector) {
    var fresh = documentFromServer.querySelector(selector);
    var current = document.querySelector(selector);
    if (!fresh || !current) { return null; }
    var adopted = document.importNode(fresh, true);
    current.replaceWith(adopted);
    refineTimes(adopted);
    return adopted;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-async") || !window.fetch) { return; }
    if (form.dataset.confirm) { return; }
    event.preventDefault();
    var button = form.querySelector("button[type=submit], button:not([type])");
    if (button) { button.disabled = true; }
    announce(form, "Sending…");
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
                         headers: { "Accept": "text/html" } })
      .then(function (response) {
        return response.text().then(function (body) { return { response: response, body: body }; });
      })
      .then(function (result) {
        var page = new DOMParser().parseFromString(result.body, "text/html");
        var kind = form.getAttribute("data-async");
        if (kind === "comments") {
          var section = replaceFrom(page, "#comments");
          if (!section) { throw new Error("no discussion in the answer"); }
          var target = result.response.ok && result.response.url.split("#")[1];
          var focus = (target && document.getElementById(target)) ||
                      section.querySelector("[aria-invalid=true], textarea");
          if (focus) {
            if (!focus.hasAttribute("tabindex") && focus.tagName === "LI") { focus.setAttribute("tabindex", "-1"); }
            focus.focus();
          }
          return;
        }
        var notice = page.querySelector(".flashes .notice");
        announce(form, notice ? notice.textContent.trim() :
                 (result.response.ok ? "Done." : "Sorry, that did not work."));
        if (button) { button.disabled = false; }
      })
      .catch(function () {
        // Fall back to the plain form post: the reader loses nothing.
        form.removeAttribute("data-async");
        form.submit();
      });
  });

  // Click-to-load players on the video list.
  document.addEventListener("click", function (event) {
    var play = event.target.closest && event.target.closest("[data-play]");
    if (!play) { return; }
    var frame = play.closest("[data-player]");
    var template = frame && frame.querySelector("template[data-player-template]");
    if (!template || !template.content.firstElementChild) { return; }   // the link still works
    event.preventDefault();
    var player = document.importNode(template.content, true);
    frame.textContent = "";
    frame.appendChild(player);
    frame.classList.add("video-frame-loaded");
    var video = frame.querySelector("video");
    var load = frame.querySelector(".embed-load");
    if (video) {
      watchVideo(video);
      var started = video.play();
      if (started && started.catch) { started.catch(function () { video.focus(); }); }
    } else if (load) {
      load.focus();
    } else if (frame.querySelector(".player-notice a")) {
      frame.querySelector(".player-notice a").focus();   // a file this page cannot play
    }
  });

  var STALL_MS = 15000;

  function giveUp(video, text) {
    if (video.dataset.gaveUp) { return; }
    video.dataset.gaveUp = "1";
    var notice = document.createElement("p");
    notice.className = "player-notice";
    notice.setAttribute("role", "status");
    notice.textContent = text + " ";
    // The article's page for the video player; a recording in a body links its own file.
    var source = video.querySelector("source[src]");
    var original = video.getAttribute("data-original") || video.getAttribute("src") ||
      (source && source.getAttribute("src"));
    if (original) {
      var link = document.createElement("a");
      link.href = original;
      link.rel = "noopener noreferrer";
      link.textContent = video.tagName === "AUDIO" ? "Listen to it at the source"
                                                   : "Watch it at the source";
      notice.appendChild(link);
    }
    video.insertAdjacentElement("afterend", notice);
    // A file that cannot play goes, its dead controls with it; a slow one stays.
    if (text.indexOf("cannot") !== -1) { video.classList.add("player-failed"); video.removeAttribute("controls"); }
  }

  function watchVideo(video) {
    if (video.dataset.watched) { return; }
    video.dataset.watched = "1";
    var timer = null;
    function calm() { if (timer) { window.clearTimeout(timer); timer = null; } }
    video.addEventListener("error", function () { calm(); giveUp(video, "This video cannot be played here."); });
    video.addEventListener("waiting", function () {
      calm();
      timer = window.setTimeout(function () { giveUp(video, "This video is taking too long to load."); }, STALL_MS);
    });
    ["playing", "canplay", "pause", "ended"].forEach(function (name) { video.addEventListener(name, calm); });
    if (video.error) { giveUp(video, "This video cannot be played here."); }
  }

  Array.prototype.forEach.call(document.querySelectorAll("video.player"), watchVideo);
  // Players in an article's body (a podcast's episode, a publisher's clip): one the page
  // cannot play (a plain-http file, refused by the CSP's media-src) says so and links it.
  Array.prototype.forEach.call(document.querySelectorAll(".article-body audio, .article-body video"),
    function (media) {
      var said = media.tagName === "AUDIO" ? "This recording cannot be played here."
                                           : "This video cannot be played here.";
      media.addEventListener("error", function () { giveUp(media, said); }, true);
      // Refused before this script ran (the CSP answers at once): no error event comes.
      if (media.error || media.networkState === HTMLMediaElement.NETWORK_NO_SOURCE) {
        giveUp(media, said);
      }
    });
})();
