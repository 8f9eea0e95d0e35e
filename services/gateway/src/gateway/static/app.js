// tbms gateway: small behaviours the pages need. No inline script anywhere (CSP script-src 'self').
(function () {
  "use strict";

  // After a refused form, move focus to the list of problems so it is read out first.
  function focusErrorSummary() {
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
    }
  }

  // The global search suggestions: arrow keys move through them, Escape closes them.
  function suggestionLinks() {
    var box = document.getElementById("search-suggestions");
    return box ? Array.prototype.slice.call(box.querySelectorAll("a")) : [];
  }

  function closeSuggestions(returnFocus) {
    var box = document.getElementById("search-suggestions");
    var input = document.getElementById("global-search-q");
    if (box) {
      box.innerHTML = "";
    }
    if (returnFocus && input) {
      input.focus();
    }
  }

  function onSearchKeys(event) {
    var input = document.getElementById("global-search-q");
    var links = suggestionLinks();
    var index = links.indexOf(document.activeElement);
    if (event.key === "Escape") {
      if (links.length || document.activeElement !== input) {
        event.preventDefault();
        closeSuggestions(true);
      }
    } else if (event.key === "ArrowDown" && links.length) {
      event.preventDefault();
      links[Math.min(index + 1, links.length - 1)].focus();
    } else if (event.key === "ArrowUp" && index >= 0) {
      event.preventDefault();
      if (index === 0) {
        input.focus();
      } else {
        links[index - 1].focus();
      }
    }
  }

  function setUpSearch() {
    var form = document.querySelector(".global-search");
    if (!form) {
      return;
    }
    form.addEventListener("keydown", onSearchKeys);
    document.addEventListener("click", function (event) {
      if (!form.contains(event.target)) {
        closeSuggestions(false);
      }
    });
  }

  // 「印刷する」 buttons (the 本人開示 report): the print stylesheet leaves out menus and forms.
  function setUpPrintButtons() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary();
    setUpSearch();
    setUpPrintButtons();
  });
})();
