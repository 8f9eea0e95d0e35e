// tbms gateway: the header search box as an ARIA combobox. Arrow keys move through the suggestions,
// Enter opens the chosen one, Escape closes the list. Focus stays in the box (aria-activedescendant).
(function () {
  "use strict";

  function parts() {
    var input = document.getElementById("global-search-q");
    var box = document.getElementById("search-suggestions");
    return { input: input, box: box };
  }

  function options(box) {
    return box ? Array.prototype.slice.call(box.querySelectorAll('[role="option"]')) : [];
  }

  function choose(input, list, index) {
    list.forEach(function (option, i) {
      var chosen = i === index;
      option.setAttribute("aria-selected", chosen ? "true" : "false"); // app.css styles the chosen one
      if (chosen) {
        option.scrollIntoView({ block: "nearest" });
      }
    });
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", list[index].id);
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function close(input, box) {
    box.innerHTML = "";
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function chosenIndex(list) {
    for (var i = 0; i < list.length; i += 1) {
      if (list[i].getAttribute("aria-selected") === "true") {
        return i;
      }
    }
    return -1;
  }

  function onKey(event) {
    var p = parts();
    var list = options(p.box);
    var index = chosenIndex(list);
    if (event.key === "ArrowDown" && list.length) {
      choose(p.input, list, Math.min(index + 1, list.length - 1));
    } else if (event.key === "ArrowUp" && list.length) {
      choose(p.input, list, Math.max(index - 1, -1));
    } else if (event.key === "Enter" && index >= 0) {
      window.location.assign(list[index].querySelector("a").getAttribute("href"));
    } else if (event.key === "Escape" && (list.length || p.box.innerHTML.trim())) {
      close(p.input, p.box);
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation(); // the older focus-moving handler on the form must not run as well
  }

  function onSwap(event) {
    var p = parts();
    if (event.target !== p.box) {
      return;
    }
    p.input.setAttribute("aria-expanded", options(p.box).length ? "true" : "false");
    p.input.removeAttribute("aria-activedescendant");
  }

  document.addEventListener("DOMContentLoaded", function () {
    var p = parts();
    if (!p.input || !p.box) {
      return;
    }
    p.input.addEventListener("keydown", onKey);
    document.body.addEventListener("htmx:afterSwap", onSwap);
  });
})();
