// Hopper's first-party script. Everything works without it; it only adds comfort:
// - the section menus (<details>) close on Escape, on a click elsewhere, and one at a time;
// - a held-back video embed loads when its "Load video" button is pressed.
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
})();
