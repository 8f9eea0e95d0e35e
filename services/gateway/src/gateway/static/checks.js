// tbms gateway: checks every POST form makes before it is sent (N27), with the words the gateway itself uses when
// it refuses the same input (gateway.forms.entry.Field.problem): required fields left empty, dates the services
// cannot read (tbms_core.jp.wareki.parse_date, ported rule for rule), 郵便番号 and カナ. The shared form macros
// opt fields in with data-required-message, data-format (date, postal, kana) and data-label; the message goes
// beside the field and into the error summary, as the server shows it. The server checks everything again.
(function () {
  "use strict";

  // --- tbms_core.jp.text.normalize_input -------------------------------------------------------------------
  var HALF_KANA_FIRST = 0xff61;
  var HALF_KANA_LAST = 0xff9f;
  var COMBINING = { "\uff9e": "\u3099", "\uff9f": "\u309a" };
  var SPACING = { "\uff9e": "\u309b", "\uff9f": "\u309c" };

  function widenHalfwidthKana(value) {
    var out = [];
    Array.prototype.forEach.call(value, function (ch) {
      var code = ch.charCodeAt(0);
      if (code < HALF_KANA_FIRST || code > HALF_KANA_LAST) {
        out.push(ch);
      } else if (COMBINING[ch]) {
        var voiced = out.length ? (out[out.length - 1] + COMBINING[ch]).normalize("NFC") : "";
        if (voiced.length === 1) {
          out[out.length - 1] = voiced;
        } else {
          out.push(SPACING[ch]);
        }
      } else {
        out.push(ch.normalize("NFKC"));
      }
    });
    return out.join("");
  }

  function normalizeInput(value) {
    var widened = widenHalfwidthKana(value).replace(/[０-９Ａ-Ｚａ-ｚ]/g, function (ch) {
      return String.fromCharCode(ch.charCodeAt(0) - 0xfee0);
    });
    return widened.trim().replace(/[ \u3000]{2,}/g, function (run) {
      return run.charAt(0);
    });
  }

  function toKatakana(reading) {
    return normalizeInput(reading).replace(/[ぁ-ゖゝゞ]/g, function (ch) {
      if (ch === "ゝ") {
        return "ヽ";
      }
      if (ch === "ゞ") {
        return "ヾ";
      }
      return String.fromCharCode(ch.charCodeAt(0) + 0x60);
    });
  }

  function isKanaReading(value) {
    return value.trim() !== "" && /^[\u30a1-\u30fa\u30fb\u30fc\u30fd\u30fe \u3000]+$/.test(value);
  }

  // --- tbms_core.jp.wareki.parse_date ----------------------------------------------------------------------
  function day(y, m, d) {
    return { year: y, month: m, day: d, key: y * 10000 + m * 100 + d };
  }
  var ERAS = [
    { name: "明治", letter: "M", first: day(1868, 10, 23), last: day(1912, 7, 30) },
    { name: "大正", letter: "T", first: day(1912, 7, 30), last: day(1926, 12, 25) },
    { name: "昭和", letter: "S", first: day(1926, 12, 25), last: day(1989, 1, 7) },
    { name: "平成", letter: "H", first: day(1989, 1, 8), last: day(2019, 4, 30) },
    { name: "令和", letter: "R", first: day(2019, 5, 1), last: null }
  ];
  var ERA_BY_TOKEN = {};
  ERAS.forEach(function (era, index) {
    ERA_BY_TOKEN[era.name] = era;
    ERA_BY_TOKEN[era.letter] = era;
    ERA_BY_TOKEN[era.name.charAt(0)] = era;
    ERA_BY_TOKEN[String(index + 1)] = era;
  });
  var MEIJI = ERAS[0];
  var FIRST_GREGORIAN_MEIJI_YEAR = 6;

  var FORMAT_MESSAGE = "日付の形式が正しくありません。例: S45.3.1、昭和45年3月1日、1970-03-01";
  var LUNISOLAR_MESSAGE = "明治5年以前は西暦で入力してください（明治5年までは旧暦のため、和暦から換算できません）。";
  var NO_ERA_MESSAGE = "元号が分かりません。S450301、昭450301 のように元号を付けるか、" +
    "3450301（1明治 2大正 3昭和 4平成 5令和）と入力してください。";

  var ERA = "(明治|大正|昭和|平成|令和|[明大昭平令MTSHRmtshr])";
  var SEP = "[./\\-．／－。ー‐−–]";
  var MONTH_DAY = "\\s*(?:年|" + SEP + ")\\s*([0-9]{1,2})\\s*(?:月|" + SEP + ")\\s*([0-9]{1,2})\\s*日?";
  var ERA_DATE = new RegExp("^" + ERA + "\\s*([0-9]{1,2}|元)" + MONTH_DAY + "$");
  var GREGORIAN_DATE = new RegExp("^([0-9]{4})" + MONTH_DAY + "$");
  var COMPACT_DATE = /^([0-9]{4})([0-9]{2})([0-9]{2})$/;
  var ERA_COMPACT_DATE = new RegExp("^" + ERA + "\\s*([0-9]{2})([0-9]{2})([0-9]{2})$");
  var DIGIT_ERA_DATE = /^([1-5])([0-9]{2})([0-9]{2})([0-9]{2})$/;
  var BARE_SIX_DIGITS = /^[0-9]{6}$/;

  function DateProblem(message) {
    this.message = message;
  }

  function yearLabel(year) {
    return year === 1 ? "元" : String(year);
  }

  function yearNumber(era, d) {
    return d.year - era.first.year + 1;
  }

  function eraLabel(era, d) {
    return yearLabel(yearNumber(era, d)) + "年" + d.month + "月" + d.day + "日";
  }

  function daysIn(year, month) {
    if (month === 2) {
      return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
    }
    return [4, 6, 9, 11].indexOf(month) >= 0 ? 30 : 31;
  }

  function calendarDate(year, month, dayOfMonth, label) {
    if (year < 1 || year > 9999 || month < 1 || month > 12 || dayOfMonth < 1 || dayOfMonth > daysIn(year, month)) {
      throw new DateProblem("「" + label + "」は存在しない日付です。");
    }
    return day(year, month, dayOfMonth);
  }

  function checkEraYear(era, year) {
    if (year < 1) {
      throw new DateProblem("「" + era.name + year + "年」は存在しません（" + era.name + "は元年からです）。");
    }
    if (era === MEIJI && year < FIRST_GREGORIAN_MEIJI_YEAR) {
      throw new DateProblem(LUNISOLAR_MESSAGE);
    }
    if (era.last && year > yearNumber(era, era.last)) {
      throw new DateProblem("「" + era.name + year + "年」は存在しません（" + era.name + "は" + eraLabel(era, era.last) + "まで）。");
    }
  }

  function eraDate(era, year, month, dayOfMonth) {
    checkEraYear(era, year);
    var label = era.name + yearLabel(year) + "年" + month + "月" + dayOfMonth + "日";
    var result = calendarDate(era.first.year + year - 1, month, dayOfMonth, label);
    if (result.key < era.first.key) {
      throw new DateProblem("「" + label + "」は存在しません（" + era.name + "は" + eraLabel(era, era.first) + "から）。");
    }
    if (era.last && result.key > era.last.key) {
      throw new DateProblem("「" + label + "」は存在しません（" + era.name + "は" + eraLabel(era, era.last) + "まで）。");
    }
    return result;
  }

  function parseDate(text) {
    var value = normalizeInput(text);
    var match;
    if (!value) {
      throw new DateProblem("日付を入力してください。");
    }
    match = ERA_DATE.exec(value) || ERA_COMPACT_DATE.exec(value);
    if (match) {
      var year = match[2] === "元" ? 1 : parseInt(match[2], 10);
      return eraDate(ERA_BY_TOKEN[match[1].toUpperCase()], year, parseInt(match[3], 10), parseInt(match[4], 10));
    }
    match = DIGIT_ERA_DATE.exec(value);
    if (match) {
      return eraDate(ERA_BY_TOKEN[match[1]], parseInt(match[2], 10), parseInt(match[3], 10), parseInt(match[4], 10));
    }
    if (BARE_SIX_DIGITS.test(value)) {
      throw new DateProblem(NO_ERA_MESSAGE);
    }
    match = GREGORIAN_DATE.exec(value) || COMPACT_DATE.exec(value);
    if (match) {
      var y = parseInt(match[1], 10);
      var m = parseInt(match[2], 10);
      var d = parseInt(match[3], 10);
      return calendarDate(y, m, d, y + "年" + m + "月" + d + "日");
    }
    throw new DateProblem(FORMAT_MESSAGE);
  }

  // --- the checks of gateway.forms.entry.Field.problem ------------------------------------------------------
  var POSTAL_MESSAGE = "郵便番号は7桁の数字で入力してください（例: 154-0017）。";
  var KANA_MESSAGE = "カナはカタカナまたはひらがなで入力してください。";

  function typed(el) {
    if (el.tagName === "FIELDSET") {
      return el.querySelector("input:checked") ? "yes" : "";
    }
    return String(el.value || "").trim();
  }

  // data-required-when="decision=conditional" (or "override_start override_end"): the field is required only
  // while one of the named fields of its form holds that value (any value when none is given), as the server's
  // rule says it, e.g. patients' 「条件付き承認のときは条件を入力してください。」.
  function chosen(form, name, wanted) {
    return Array.prototype.some.call(form.querySelectorAll('[name="' + CSS.escape(name) + '"]'), function (input) {
      if ((input.type === "checkbox" || input.type === "radio") && !input.checked) {
        return false;
      }
      var value = String(input.value || "").trim();
      return wanted === undefined ? value !== "" : value === wanted;
    });
  }

  function requiredNow(el) {
    var when = el.getAttribute("data-required-when");
    var form = el.closest("form");
    if (!when || !form) {
      return true;
    }
    return when.split(" ").filter(Boolean).some(function (condition) {
      var parts = condition.split("=");
      return chosen(form, parts[0], parts.length > 1 ? parts.slice(1).join("=") : undefined);
    });
  }

  function problem(el) {
    var value = typed(el);
    if (!value) {
      return requiredNow(el) ? el.getAttribute("data-required-message") || "" : "";
    }
    var format = el.getAttribute("data-format");
    if (format === "date") {
      try {
        parseDate(value);
      } catch (e) {
        if (e instanceof DateProblem) {
          return e.message;
        }
        throw e;
      }
    } else if (format === "postal" && !/^[0-9]{3}-?[0-9]{4}$/.test(normalizeInput(value))) {
      return POSTAL_MESSAGE;
    } else if (format === "kana" && !isKanaReading(toKatakana(value))) {
      return KANA_MESSAGE;
    }
    return "";
  }

  // --- messages beside the fields and in the summary, as partials/fields.html draws them -------------------
  function target(el) {
    return el.tagName === "FIELDSET" ? el.querySelector("input") : el;
  }

  function errorId(el) {
    return el.getAttribute("data-error-id") || target(el).id + "-error";
  }

  function wrapper(el) {
    return el.tagName === "FIELDSET" ? el : el.closest(".field") || el.parentNode;
  }

  function showProblem(el, message) {
    var id = errorId(el);
    var shown = document.getElementById(id);
    if (!shown) {
      shown = document.createElement("p");
      shown.className = "field-error";
      shown.id = id;
      shown.setAttribute("data-client-error", "");
      var hint = wrapper(el).querySelector(".hint");
      var label = wrapper(el).querySelector("label, legend");
      var after = hint && hint.parentNode === wrapper(el) ? hint : label;
      if (after) {
        after.insertAdjacentElement("afterend", shown);
      } else {
        wrapper(el).insertBefore(shown, wrapper(el).firstChild);
      }
    }
    shown.textContent = "";
    var hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = "エラー：";
    shown.appendChild(hidden);
    shown.appendChild(document.createTextNode(message));
    wrapper(el).classList.add("field--error");
    var input = target(el);
    input.setAttribute("aria-invalid", "true");
    var described = (el.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (described.indexOf(id) < 0) {
      described.push(id);
      el.setAttribute("aria-describedby", described.join(" "));
    }
  }

  function clearProblem(el) {
    var shown = document.getElementById(errorId(el));
    if (!shown || !shown.hasAttribute("data-client-error")) {
      return;  // the server's own message stays until the server has seen the input again
    }
    shown.remove();
    wrapper(el).classList.remove("field--error");
    target(el).removeAttribute("aria-invalid");
  }

  function summary(form, problems) {
    var old = document.getElementById("error-summary");
    if (old) {
      old.remove();
    }
    var box = document.createElement("div");
    box.id = "error-summary";
    box.className = "error-summary";
    box.setAttribute("role", "alert");
    box.setAttribute("tabindex", "-1");
    box.setAttribute("aria-labelledby", "error-summary-title");
    var heading = document.createElement("h2");
    heading.id = "error-summary-title";
    heading.textContent = "入力内容を確認してください（" + problems.length + "件）";
    var advice = document.createElement("p");
    advice.textContent = "まだ送信していません。次の項目を直してから、もう一度送信してください。";
    var list = document.createElement("ul");
    problems.forEach(function (found) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#" + target(found.el).id;
      link.textContent = (found.el.getAttribute("data-label") || "") + "：" + found.message;
      item.appendChild(link);
      list.appendChild(item);
    });
    box.appendChild(heading);
    box.appendChild(advice);
    box.appendChild(list);
    form.insertAdjacentElement("beforebegin", box);
    box.focus();
  }

  function checkedFields(form) {
    return Array.prototype.filter.call(
      form.querySelectorAll("[data-required-message], [data-format]"),
      function (el) {
        var input = target(el);
        return input && !el.closest("[hidden]") && !input.disabled && !(el.tagName !== "FIELDSET" && el.type === "hidden");
      }
    );
  }

  // Capturing on the document runs before the form's own listeners (the draft keeper, htmx): a form stopped
  // here is not being sent.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || (form.getAttribute("method") || "get").toLowerCase() !== "post") {
      return;
    }
    if (event.submitter && event.submitter.hasAttribute("formnovalidate")) {
      return;
    }
    var problems = [];
    checkedFields(form).forEach(function (el) {
      var message = problem(el);
      if (message) {
        showProblem(el, message);
        problems.push({ el: el, message: message });
      } else {
        clearProblem(el);
      }
    });
    if (problems.length) {
      event.preventDefault();
      event.stopPropagation();
      summary(form, problems);
    }
  }, true);

  // A field corrected after a refusal loses its message once it passes.
  document.addEventListener("change", function (event) {
    var el = event.target.closest ? event.target.closest("[data-required-message], [data-format]") : null;
    if (el && document.getElementById(errorId(el)) && !problem(el)) {
      clearProblem(el);
    }
  });

  window.tbmsChecks = { parseDate: parseDate, problem: problem };  // for the pages' own scripts and tests
})();
