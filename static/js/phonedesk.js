// Phone desk keyboard flow: "/" goes to the search field, the arrow keys move through the
// results, Enter opens one in the side panel, Esc closes the panel or clears the search.
// Search terms are counted once the staff member settles on them (change event), never
// per keystroke. Everything here is optional: the page works without it.
(function () {
  "use strict";

  document.querySelectorAll("[data-pd-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  var form = document.getElementById("pd-call");
  var q = document.getElementById("pd-q");
  var panel = document.getElementById("pd-panel");
  var results = document.getElementById("pd-results");
  if (!form || !q || !panel || !results) return;

  var emptyPanel = panel.dataset.empty || "";
  var lastNoted = "";
  var opener = null;

  function resultLinks() {
    return Array.prototype.slice.call(results.querySelectorAll(".pd-result__link"));
  }

  // Fields where "/" is text the user types; elsewhere it jumps to the search field.
  function isTyping(element) {
    return element.matches(
      "textarea, [contenteditable], input:is([type=text], [type=search], [type=email], [type=url], [type=tel], [type=password])"
    );
  }

  function note() {
    var term = q.value.trim();
    if (!term || term === lastNoted) return;
    lastNoted = term;
    fetch(form.dataset.noteUrl, {
      method: "POST", body: new FormData(form), credentials: "same-origin", keepalive: true
    }).catch(function () {});
  }

  function closePanel() {
    var paragraph = document.createElement("p");
    paragraph.className = "pd-hint pd-panel__empty";
    paragraph.textContent = emptyPanel;
    panel.replaceChildren(paragraph);
    (opener && document.body.contains(opener) ? opener : q).focus();
  }

  function clearSearch() {
    note();
    q.value = "";
    q.dispatchEvent(new Event("input", { bubbles: true }));
    q.focus();
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (event.key === "/" && !isTyping(target)) {
      event.preventDefault();
      q.focus();
      q.select();
    } else if (event.key === "Escape") {
      event.preventDefault();
      if (panel.querySelector(".pd-panel__inner")) closePanel();
      else clearSearch();
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      var links = resultLinks();
      var index = links.indexOf(target);
      if (!links.length || (target !== q && index === -1)) return;
      event.preventDefault();
      if (target === q) {
        if (event.key === "ArrowDown") { note(); links[0].focus(); }
      } else if (event.key === "ArrowDown") {
        links[Math.min(index + 1, links.length - 1)].focus();
      } else if (index === 0) {
        q.focus();
      } else {
        links[index - 1].focus();
      }
    }
  });

  q.addEventListener("change", note);

  document.addEventListener("click", function (event) {
    var link = event.target.closest(".pd-result__link");
    if (link) opener = link;
    if (event.target.closest("[data-pd-close]")) {
      event.preventDefault();
      closePanel();
    }
  });

  document.body.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (target === panel) {
      var title = document.getElementById("pd-panel-title");
      if (title) title.focus();
    } else if (target.id === "pd-picked" && document.activeElement === document.body) {
      document.getElementById("pd-list-title").focus();
    }
  });
})();
