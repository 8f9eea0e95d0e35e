// tbms gateway: ARIA comboboxes (WAI-ARIA APG, combobox with a listbox popup): the header search box and the
// master pickers of any form (templates/partials/picker.html). Arrow keys move through the options, Enter takes
// the chosen one, Escape closes the list; the focus stays in the input (aria-activedescendant). The search box
// loads its options with htmx and opens the chosen record. A picker loads them from /masters/<kind>/suggest and,
// when a row is chosen, fills its input, the hidden code and the empty fields the row can fill; typing anything
// else stays allowed (and forgets the chosen code).
(function () {
  "use strict";

  var DELAY_MS = 250;

  function byId(id) {
    return id ? document.getElementById(id) : null;
  }

  function boxOf(input) {
    return byId(input.getAttribute("aria-controls"));
  }

  function optionsOf(box) {
    return box ? Array.prototype.slice.call(box.querySelectorAll('[role="option"]')) : [];
  }

  function pickerOf(input) {
    return input.closest("[data-picker]");
  }

  function chosenIndex(list) {
    for (var i = 0; i < list.length; i += 1) {
      if (list[i].getAttribute("aria-selected") === "true") {
        return i;
      }
    }
    return -1;
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

  function close(input) {
    clearTimeout(input.pickerTimer); // a list asked for before Escape (or a choice) must not open it again
    input.setAttribute("data-turn", String(Number(input.getAttribute("data-turn") || "0") + 1));
    var box = boxOf(input);
    if (box) {
      box.innerHTML = "";
    }
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function opened(input) {
    input.setAttribute("aria-expanded", optionsOf(boxOf(input)).length ? "true" : "false");
    input.removeAttribute("aria-activedescendant");
  }

  function say(input, message) {
    var status = byId(input.id + "-status");
    if (status) {
      status.textContent = message;
    }
  }

  // --- pickers -------------------------------------------------------------------------------------------

  function note(input, text) {
    var chosen = byId(input.id + "-chosen");
    if (chosen) {
      chosen.textContent = text;
    }
  }

  function load(picker, input) {
    var query = input.value.trim();
    var turn = String(Number(input.getAttribute("data-turn") || "0") + 1);
    input.setAttribute("data-turn", turn); // only the answer to the latest input is shown
    if (!query) {
      close(input);
      return;
    }
    var params = new URLSearchParams({ q: query, box: input.id });
    var narrow = byId(picker.getAttribute("data-picker-narrow"));
    if (narrow && narrow.value) {
      params.set("ref", narrow.value);
    }
    fetch(picker.getAttribute("data-picker") + "/suggest?" + params.toString(), {
      headers: { "HX-Request": "true" },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.ok ? response.text() : "";
      })
      .then(function (html) {
        if (input.getAttribute("data-turn") !== turn || document.activeElement !== input) {
          return;
        }
        var box = boxOf(input);
        box.innerHTML = html; // the gateway's own fragment (templates/masters/_suggest.html), escaped by Jinja
        opened(input);
        var count = optionsOf(box).length;
        var message = box.querySelector(".suggestions__message");
        say(input, count ? "候補" + count + "件" : message ? message.textContent : "");
      })
      .catch(function () {
        close(input); // suggestions are a help: without them the input is a plain text input
      });
  }

  function labelOf(element) {
    var label = document.querySelector('label[for="' + element.id + '"]');
    return label ? label.textContent.replace("（必須）", "").trim() : "";
  }

  function fill(picker, input, code, name) {
    var targets = (picker.getAttribute("data-picker-fills") || "")
      .split(" ")
      .filter(Boolean)
      .map(function (pair) {
        var parts = pair.split("=");
        return { key: parts[0], element: byId(parts[1]) };
      })
      .filter(function (target) {
        return target.element && !target.element.value.trim();
      });
    if (!targets.length) {
      return;
    }
    var params = new URLSearchParams({ code: code });
    fetch(picker.getAttribute("data-picker") + "/picked?" + params.toString(), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (row) {
        var filled = [];
        targets.forEach(function (target) {
          var value = row && row.data ? row.data[target.key] : "";
          if (value && !target.element.value.trim()) {
            target.element.value = value;
            filled.push(labelOf(target.element));
          }
        });
        if (filled.length) {
          say(input, name + "を選びました。" + filled.join("、") + "も入力しました。");
        }
      })
      .catch(function () {});
  }

  function pick(picker, input, option) {
    var code = option.getAttribute("data-code") || "";
    var name = option.getAttribute("data-name") || "";
    var keepsCode = picker.getAttribute("data-picker-keeps") === "code";
    input.value = keepsCode ? code : name;
    input.setAttribute("data-picked", input.value);
    var codeInput = byId(picker.getAttribute("data-picker-code"));
    if (codeInput) {
      codeInput.value = code;
    }
    var codeLabel = picker.getAttribute("data-picker-code-label");
    note(input, keepsCode ? "選択中：" + name : codeInput ? "マスタの" + codeLabel + "：" + code : "");
    close(input);
    say(input, name + "を選びました。");
    fill(picker, input, code, name);
  }

  function onPickerInput(event) {
    var input = event.currentTarget;
    var picker = pickerOf(input);
    if (input.value !== input.getAttribute("data-picked")) {
      var codeInput = byId(picker.getAttribute("data-picker-code"));
      if (codeInput) {
        codeInput.value = ""; // the text no longer names the chosen row: it is free text now
      }
      note(input, "");
    }
    clearTimeout(input.pickerTimer);
    input.pickerTimer = setTimeout(function () {
      load(picker, input);
    }, DELAY_MS);
  }

  // --- every combobox ------------------------------------------------------------------------------------

  function take(input, option) {
    var link = option.querySelector("a");
    if (link) {
      window.location.assign(link.getAttribute("href"));
      return;
    }
    var picker = pickerOf(input);
    if (picker) {
      pick(picker, input, option);
    }
  }

  function onKey(event) {
    var input = event.currentTarget;
    var box = boxOf(input);
    var list = optionsOf(box);
    var index = chosenIndex(list);
    var picker = pickerOf(input);
    if (event.key === "ArrowDown" && list.length) {
      choose(input, list, Math.min(index + 1, list.length - 1));
    } else if (event.key === "ArrowDown" && picker && input.value.trim()) {
      load(picker, input); // Down opens the list of what is typed
    } else if (event.key === "ArrowUp" && list.length) {
      choose(input, list, Math.max(index - 1, -1));
    } else if (event.key === "Enter" && index >= 0) {
      take(input, list[index]);
    } else if (event.key === "Enter" && picker && list.length) {
      close(input); // Enter on an open list closes it rather than sending the form unseen
    } else if (event.key === "Escape" && box && box.innerHTML.trim()) {
      close(input);
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  }

  function setUp(input) {
    if (input.getAttribute("data-combobox") === "ready") {
      return;
    }
    input.setAttribute("data-combobox", "ready");
    input.addEventListener("keydown", onKey);
    input.addEventListener("blur", function () {
      close(input);
    });
    var box = boxOf(input);
    if (box) {
      // A press on an option keeps the focus in the input (so the list stays); the click then takes it.
      box.addEventListener("mousedown", function (event) {
        event.preventDefault();
      });
      box.addEventListener("click", function (event) {
        var option = event.target.closest('[role="option"]');
        if (option && !event.target.closest("a")) {
          take(input, option);
        }
      });
    }
    if (pickerOf(input)) {
      input.setAttribute("data-picked", input.value); // a stored value keeps its code until it is retyped
      input.addEventListener("input", onPickerInput);
    }
  }

  function setUpAll(root) {
    Array.prototype.forEach.call(root.querySelectorAll('input[role="combobox"]'), setUp);
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpAll(document);
    document.body.addEventListener("htmx:afterSwap", function (event) {
      var input = event.target.id ? document.querySelector('[aria-controls="' + event.target.id + '"]') : null;
      if (input && input.getAttribute("role") === "combobox") {
        opened(input);
      }
    });
    document.body.addEventListener("htmx:load", function (event) {
      setUpAll(event.target);
    });
  });
})();
