// Phone desk keyboard flow. Everything here is optional: the desk works without it.
//
// Shortcuts (shown on screen): every element with data-pd-key="x" is one key away, from
// anywhere on the desk. In a field where letters are text (search, age, e-mail, a list box)
// the same key needs Alt, so typing is never taken over: L naar de lijst, S samenvatting,
// A gesprek afronden, N nieuw gesprek, M meer resultaten. "/" goes to the search field, the
// arrow keys move through the results, Enter opens one in the side panel. Esc closes the
// innermost open thing (the side panel) and nothing else: it never clears typed text.
// Ctrl+Enter saves the finish form while it is open. The call timer counts from the server's start of
// the call, which is also what the logged duration is computed from.
// Search terms are counted once the staff member settles on them, never per keystroke.
(function () {
  "use strict";

  document.querySelectorAll("[data-pd-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  // Call timer: data-elapsed is the server's count of seconds at render time.
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function tick() {
    var timer = document.getElementById("pd-timer");
    if (!timer) return;
    var clock = timer.querySelector("[data-pd-clock]");
    if (!("elapsed" in timer.dataset)) {
      clock.textContent = timer.dataset.idle || "";
      return;
    }
    if (!timer.pdBase) timer.pdBase = Date.now() - Number(timer.dataset.elapsed) * 1000;
    var seconds = Math.max(0, Math.floor((Date.now() - timer.pdBase) / 1000));
    var hours = Math.floor(seconds / 3600);
    var minutes = Math.floor(seconds / 60) % 60;
    clock.textContent = (hours ? hours + ":" + pad(minutes) : minutes) + ":" + pad(seconds % 60);
  }
  tick();
  window.setInterval(tick, 1000);

  var form = document.getElementById("pd-call");
  var q = document.getElementById("pd-q");
  var panel = document.getElementById("pd-panel");
  var results = document.getElementById("pd-results");
  var emptyPanel = panel ? panel.dataset.empty || "" : "";
  var lastNoted = "";
  var opener = null;
  var focusAfterMore = -1;

  function resultLinks() {
    return results ? Array.prototype.slice.call(results.querySelectorAll(".pd-result__link")) : [];
  }

  // Fields where a letter is text (or picks an option): a shortcut there needs Alt.
  function isTyping(element) {
    return Boolean(element.matches) && element.matches(
      "textarea, select, [contenteditable], input:not([type=checkbox], [type=radio], [type=button], [type=submit], [type=reset])"
    );
  }

  // Fields where "/" is a character; in the age field or a list box it still goes to search.
  function takesSlash(element) {
    return Boolean(element.matches) && element.matches(
      "textarea, [contenteditable], input:is([type=text], [type=search], [type=email], [type=url], [type=tel], [type=password])"
    );
  }

  function note() {
    if (!form || !q) return;
    var term = q.value.trim();
    if (!term || term === lastNoted) return;
    lastNoted = term;
    fetch(form.dataset.noteUrl, {
      method: "POST", body: new FormData(form), credentials: "same-origin", keepalive: true
    }).catch(function () {});
  }

  function panelIsOpen() {
    return Boolean(panel && panel.querySelector(".pd-panel__inner"));
  }

  function closePanel() {
    var paragraph = document.createElement("p");
    paragraph.className = "pd-hint pd-panel__empty";
    paragraph.textContent = emptyPanel;
    panel.replaceChildren(paragraph);
    (opener && document.body.contains(opener) ? opener : q).focus();
  }

  function listCount() {
    return document.querySelectorAll("#pd-picked .pd-list__items li, .pd-summary__item").length;
  }

  function activate(element) {
    var listTitle = document.getElementById("pd-list-title");
    if (element.getAttribute("data-pd-key") === "l" && listTitle) {
      listTitle.focus();
      listTitle.scrollIntoView({ block: "nearest" });
      return;
    }
    if (element.id === "pd-finish-link" || element.id === "pd-more") opener = document.activeElement;
    element.click();
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.isComposing) return;
    var target = event.target;
    var typing = isTyping(target);

    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      // Anywhere on the desk while the finish panel is open, as its button says.
      var finishForm = panel && panel.querySelector("form.pd-finish");
      if (finishForm) {
        event.preventDefault();
        finishForm.requestSubmit();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.shiftKey) return;

    // event.code, not event.key: Alt+letter types another character on some keyboards.
    var letter = /^Key[A-Z]$/.test(event.code) ? event.code.slice(3).toLowerCase() : "";
    if (letter && (event.altKey || !typing)) {
      var shortcut = document.querySelector('[data-pd-key="' + letter + '"]');
      if (shortcut) {
        event.preventDefault();
        activate(shortcut);
        return;
      }
    }
    if (event.altKey) return;

    if (event.key === "/" && !takesSlash(target) && q) {
      event.preventDefault();
      q.focus();
      q.select();
    } else if (event.key === "Escape") {
      if (panelIsOpen()) {
        event.preventDefault();
        closePanel();
      } else if (target.type === "search") {
        // Chromium empties a search field on Esc: typed text must stay.
        event.preventDefault();
      }
    } else if ((event.key === "ArrowDown" || event.key === "ArrowUp") && q) {
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

  if (q) q.addEventListener("change", note);

  // "Nieuw gesprek" while services are on the list: ask first, the list would be lost.
  document.addEventListener("submit", function (event) {
    var message = event.target.dataset && event.target.dataset.pdConfirm;
    if (message && listCount() > 0 && !window.confirm(message)) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest(".pd-result__link");
    if (link) opener = link;
    if (event.target.closest("#pd-more")) focusAfterMore = resultLinks().length;
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
    } else if (target === results && focusAfterMore >= 0) {
      // After "meer resultaten": on to the first new result.
      var links = resultLinks();
      var next = links[Math.min(focusAfterMore, links.length - 1)];
      focusAfterMore = -1;
      if (next) next.focus();
    } else if (target.id === "pd-picked" && document.activeElement === document.body) {
      document.getElementById("pd-list-title").focus();
    }
  });
})();
