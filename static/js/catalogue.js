// Progressive enhancement for the catalogue: an accessible autocomplete (ARIA 1.2 combobox)
// under the search field, a closed filter panel on small screens, filters and pages that
// update the results without moving the page, and a print button.
// Everything works without this file.
(function () {
  "use strict";

  function setupAutocomplete(input) {
    var url = input.getAttribute("data-suggest-url");
    if (!url) return;
    var list = document.createElement("ul");
    list.id = input.id + "-suggesties";
    list.className = "autocomplete";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", input.getAttribute("data-suggest-label") || "Suggesties");
    list.hidden = true;
    input.parentNode.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    var timer = null;
    var active = -1;
    var lastQuery = "";

    function options() { return list.querySelectorAll("[role=option]"); }
    function close() {
      list.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function highlight(index) {
      var items = options();
      if (!items.length) return;
      active = (index + items.length) % items.length;
      items.forEach(function (item, i) { item.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", items[active].id);
    }
    function go(item) { if (item) window.location.href = item.getAttribute("data-url"); }
    function fetchSuggestions() {
      var query = input.value.trim();
      if (query.length < 2) { close(); return; }
      if (query === lastQuery) return;
      lastQuery = query;
      fetch(url + "?q=" + encodeURIComponent(query), { headers: { "X-Requested-With": "fetch" } })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) {
          if (input.value.trim() !== query) return;
          list.innerHTML = html;
          options().forEach(function (item) {
            item.addEventListener("mousedown", function (event) { event.preventDefault(); go(item); });
          });
          if (options().length && document.activeElement === input) {
            list.hidden = false;
            input.setAttribute("aria-expanded", "true");
            active = -1;
          } else {
            close();
          }
        })
        .catch(close);
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(fetchSuggestions, 200); });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) return;
      if (event.key === "ArrowDown") { event.preventDefault(); highlight(active + 1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
      else if (event.key === "Escape") { event.preventDefault(); close(); }
      else if (event.key === "Enter" && active >= 0) { event.preventDefault(); go(options()[active]); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  function setup() {
    var input = document.getElementById("q");
    if (input) setupAutocomplete(input);
    // The filter panel and its groups are rendered closed by the server (no shift at load);
    // on a wide screen the stylesheet shows the panel's contents.
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      if (!navigator.clipboard) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        var field = document.getElementById(button.getAttribute("data-copy"));
        var status = document.getElementById(field.id + "-status");
        navigator.clipboard.writeText(field.value).then(function () {
          if (status) status.textContent = button.getAttribute("data-copied");
        });
      });
    });
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  // Filters stay put: htmx swaps the catalogue, and this keeps what the visitor had. The
  // panel stays open or closed as they left it, focus returns to the control they used
  // (same id), the page does not scroll; after a page link, focus moves to the count and
  // the view to the top of the results.
  var kept = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "catalogue") return;
    var panel = document.getElementById("filters-panel");
    var active = document.activeElement;
    var catalogue = document.getElementById("catalogue");
    kept = {
      open: panel ? panel.open : false,
      groups: Array.prototype.map.call(
        catalogue.querySelectorAll("details[open][id]"), function (d) { return d.id; }),
      focus: active && active.id ? active.id : null,
      scroll: window.scrollY,
      paging: !!(event.detail.requestConfig && event.detail.requestConfig.elt &&
        event.detail.requestConfig.elt.closest && event.detail.requestConfig.elt.closest(".pagination"))
    };
  });
  // Open again at once (before the browser paints) what was open: panel, groups, "Toon meer".
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!kept || !event.detail.target || event.detail.target.id !== "catalogue") return;
    var panel = document.getElementById("filters-panel");
    if (panel) panel.open = kept.open;
    kept.groups.forEach(function (id) {
      var group = document.getElementById(id);
      if (group) group.open = true;
    });
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!kept || !event.detail.target || event.detail.target.id !== "catalogue") return;
    var state = kept;
    kept = null;
    var panel = document.getElementById("filters-panel");
    if (panel) panel.open = state.open;
    var count = document.getElementById("result-count");
    if (state.paging) {
      var region = document.querySelector(".results-region");
      if (region) region.scrollIntoView({ block: "start" });
      if (count) { count.setAttribute("tabindex", "-1"); count.focus({ preventScroll: true }); }
      return;
    }
    window.scrollTo(0, state.scroll);
    var again = state.focus && document.getElementById(state.focus);
    if (again) again.focus({ preventScroll: true });
    else if (count) { count.setAttribute("tabindex", "-1"); count.focus({ preventScroll: true }); }
  });

  // The compare tray: after a remove button in it, focus goes to the next one (or the one
  // before, or the tray's link); when the tray is empty, to the card's own Vergelijk button,
  // or else to the result count. Never to <body>.
  // (The form is gone by the time its request ends, so its details are noted beforehand.)
  var fromTray = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    fromTray = form && form.hasAttribute && form.hasAttribute("data-tray-index") ? {
      index: parseInt(form.getAttribute("data-tray-index"), 10),
      service: form.getAttribute("data-tray-service")
    } : null;
  });
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    if (!fromTray || !event.detail.target || event.detail.target.id !== "compare-tray") return;
    var state = fromTray;
    fromTray = null;
    setTimeout(function () {
      var buttons = document.querySelectorAll("#compare-tray .tray__remove");
      var target = buttons[Math.min(state.index, buttons.length - 1)] ||
        document.getElementById("tray-link") ||
        document.getElementById("compare-" + state.service + "-knop");
      if (!target) {
        target = document.getElementById("result-count");
        if (target) target.setAttribute("tabindex", "-1");
      }
      if (target) target.focus();
    }, 50);  // after the card button's own out-of-band swap
  });

  // The address bar shows the link to share (with the municipality in it).
  function showShareUrl() {
    var catalogue = document.getElementById("catalogue");
    var url = catalogue && catalogue.getAttribute("data-share-url");
    if (url && window.history && window.history.replaceState &&
        url !== window.location.pathname + window.location.search) {
      window.history.replaceState(window.history.state, "", url);
    }
  }
  document.addEventListener("DOMContentLoaded", showShareUrl);

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
