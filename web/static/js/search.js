/* Live search for the header's search box (templates/partials/search_box.html).
 *
 * ARIA 1.2 combobox with a listbox popup: focus stays in the input, the active option is
 * named by aria-activedescendant. Up/Down move, Enter opens the active option (or
 * submits the form to /search when none is active), Escape closes the list, then clears.
 * Requests are debounced and stale answers dropped. Results arrive as [text, isMatch]
 * pieces and become text nodes and <mark>s: no HTML is ever parsed. Without this file
 * the box is a plain GET form to /search.
 */
(function () {
  "use strict";

  var DEBOUNCE_MS = 250;
  var MIN_CHARS = 2;

  var form = document.querySelector("form.search-box[data-live-url]");
  if (!form || !window.fetch) { return; }
  var input = form.querySelector("[role=combobox]");
  var listbox = document.getElementById(input.getAttribute("aria-controls"));
  var status = form.querySelector("[role=status]");
  var timer = null;
  var controller = null;
  var active = -1;

  function selectableOptions() {
    return Array.prototype.slice.call(
      listbox.querySelectorAll("[role=option]:not([aria-disabled=true])"));
  }

  function openList() {
    listbox.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function closeList() {
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
    setActive(-1);
  }

  function setActive(index) {
    var options = selectableOptions();
    options.forEach(function (option, i) {
      option.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    active = index;
    if (index >= 0 && options[index]) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function makeOption(id, href) {
    var option = document.createElement("li");
    option.id = id;
    option.className = "search-box-option";
    option.setAttribute("role", "option");
    option.setAttribute("aria-selected", "false");
    option.dataset.href = href;
    return option;
  }

  function appendPieces(parent, pieces) {
    pieces.forEach(function (piece) {
      if (piece[1]) {
        var mark = document.createElement("mark");
        mark.textContent = piece[0];
        parent.appendChild(mark);
      } else {
        parent.appendChild(document.createTextNode(piece[0]));
      }
    });
  }

  function renderTopics(topics) {
    // Tags, sections and sources named like the query: "Tag  NATO".
    (topics || []).forEach(function (topic, i) {
      var option = makeOption("search-box-topic-" + i, topic.url);
      option.classList.add("search-box-topic");
      var kind = document.createElement("span");
      kind.className = "search-box-kind";
      kind.textContent = topic.kind;
      option.appendChild(kind);
      option.appendChild(document.createTextNode(" " + topic.name));
      listbox.appendChild(option);
    });
  }

  // "1 result", "4 results".
  function counted(number, noun) {
    return number + " " + noun + (number === 1 ? "" : "s");
  }

  function render(data) {
    while (listbox.firstChild) { listbox.removeChild(listbox.firstChild); }
    renderTopics(data.topics);
    if (data.corrected && data.results.length) {
      var note = document.createElement("li");
      note.className = "search-box-empty search-box-corrected";
      note.setAttribute("role", "option");
      note.setAttribute("aria-disabled", "true");
      note.textContent = "Did you mean " + data.corrected + "?";
      listbox.appendChild(note);
    }
    if (data.results.length === 0 && (data.topics || []).length) {
      status.textContent = counted(data.topics.length, "suggestion") + "; use the arrow keys to choose.";
    } else if (data.results.length === 0) {
      var empty = document.createElement("li");
      empty.className = "search-box-empty";
      empty.setAttribute("role", "option");
      empty.setAttribute("aria-disabled", "true");
      empty.textContent = "No results";
      listbox.appendChild(empty);
      status.textContent = "No results";
    } else {
      data.results.forEach(function (result, i) {
        var option = makeOption("search-box-option-" + i, result.url);
        var title = document.createElement("span");
        title.className = "search-box-title";
        title.dir = "auto";    // an Arabic or Hebrew headline reads right to left, as on the pages
        appendPieces(title, result.title);
        var source = document.createElement("span");
        source.className = "search-box-source";
        source.textContent = result.source;
        option.appendChild(title);
        option.appendChild(source);
        listbox.appendChild(option);
      });
      var all = makeOption("search-box-option-all", data.all_url);
      all.classList.add("search-box-all");
      all.textContent = "View all results";
      listbox.appendChild(all);
      status.textContent = counted(data.total, "result") + "; use the arrow keys to choose.";
    }
    setActive(-1);
    openList();
  }

  function fetchResults(query) {
    if (controller) { controller.abort(); }
    controller = new AbortController();
    var url = form.dataset.liveUrl + "?q=" + encodeURIComponent(query);
    fetch(url, { signal: controller.signal, headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("live search answered " + response.status); }
        return response.json();
      })
      .then(function (data) {
        if (input.value.trim() === query) { render(data); }
      })
      .catch(function (error) {
        if (error.name !== "AbortError") { closeList(); }
      });
  }

  function go(option) {
    if (option && option.dataset.href) { window.location.assign(option.dataset.href); }
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    var query = input.value.trim();
    if (query.length < MIN_CHARS) {
      if (controller) { controller.abort(); }
      closeList();
      return;
    }
    timer = window.setTimeout(function () { fetchResults(query); }, DEBOUNCE_MS);
  });

  input.addEventListener("keydown", function (event) {
    var options = selectableOptions();
    var isOpen = !listbox.hidden;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (!isOpen && listbox.firstChild) { openList(); return; }
      if (options.length) { setActive(active + 1 < options.length ? active + 1 : 0); }
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (isOpen && options.length) {
        setActive(active > 0 ? active - 1 : options.length - 1);
      }
    } else if (event.key === "Enter") {
      if (isOpen && active >= 0 && options[active]) {
        event.preventDefault();
        go(options[active]);
      }
    } else if (event.key === "Escape") {
      if (isOpen) {
        event.preventDefault();
        closeList();
      } else if (input.value) {
        event.preventDefault();
        input.value = "";
      }
    }
  });

  // Keep focus in the input when an option is pressed, then follow it.
  listbox.addEventListener("mousedown", function (event) { event.preventDefault(); });
  listbox.addEventListener("click", function (event) {
    go(event.target.closest("[role=option]:not([aria-disabled=true])"));
  });
  input.addEventListener("blur", closeList);
})();
