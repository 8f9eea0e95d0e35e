// tbms gateway: small behaviours every page shares. No inline script anywhere (CSP script-src 'self').
// New pages get them through the base layout: a form opts in with data attributes (data-focus-first, data-draft);
// the checks before sending are static/checks.js.
(function () {
  "use strict";

  var DRAFT_PREFIX = "tbms-draft:";
  var DRAFT_PENDING = "tbms-draft-pending";
  var DRAFT_DAYS = 7;

  // After a refused form, move focus to the list of problems so it is read out first; after a change, to the
  // message saying what it did (「保存しました」), shown in the section that was saved (the address's #fragment)
  // and scrolled below the sticky patient header (scroll-margin-top in app.css).
  function focusMessage() {
    var summary = document.getElementById("error-summary");
    var flash = document.getElementById("flash") || document.querySelector("[data-focus-message]");
    if (summary) {
      summary.focus();
      return true;
    }
    if (!flash) {
      return false;
    }
    var target = null;
    var targetId = flash.getAttribute("data-target") ||
      (window.location.hash.length > 1 ? decodeURIComponent(window.location.hash.slice(1)) : "");
    if (targetId) {
      target = document.getElementById(targetId);
    }
    if (window.location.hash.length > 1) {
      // the browser's own move to the #fragment comes after this and takes the focus: take it back then
      window.addEventListener("load", function () {
        window.setTimeout(function () {
          flash.focus({ preventScroll: true });
          flash.scrollIntoView({ block: "start" });
        }, 0);
      });
    }
    if (target && !target.contains(flash)) {
      target.insertAdjacentElement("afterend", flash);
      flash.classList.add("flash--in-section");
    }
    flash.focus({ preventScroll: true });
    flash.scrollIntoView({ block: "start" });
    return true;
  }

  // <form data-focus-first>: the first field takes the focus when the page opens (not after a save or a refusal).
  function focusFirstField() {
    var form = document.querySelector("form[data-focus-first]");
    if (!form || window.location.hash.length > 1) {
      return;
    }
    var first = visibleFields(form)[0];
    if (first) {
      first.focus();
    }
  }

  function visibleFields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return !el.disabled && el.type !== "hidden" && el.tagName !== "FIELDSET" && el.offsetParent !== null;
    });
  }

  // Enter in a text field of a form that changes something moves to the next field instead of sending a
  // half-filled form; the buttons still send it. Search forms (GET) and data-enter-submits forms keep Enter.
  var TEXT_TYPES = ["text", "tel", "email", "number", "date", "password", "url", "search"];
  function guardEnter(event) {
    if (event.key !== "Enter" || event.isComposing || event.keyCode === 229 || event.defaultPrevented) {
      return;
    }
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || TEXT_TYPES.indexOf(input.type) < 0 || !input.form) {
      return;
    }
    var form = input.form;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post" || form.hasAttribute("data-enter-submits")) {
      return;
    }
    event.preventDefault();
    var fields = visibleFields(form);
    var next = fields[fields.indexOf(input) + 1];
    if (next) {
      next.focus();
    }
  }

  // 「/」 outside a field goes to the header's search box (announced in its help text and the footer).
  function searchShortcut(event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) {
      return;
    }
    var active = document.activeElement;
    var tag = active ? active.tagName : "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (active && active.isContentEditable)) {
      return;
    }
    var box = document.getElementById("global-search-q");
    if (box) {
      event.preventDefault();
      box.focus();
      box.select();
    }
  }

  // 「印刷する」 buttons (the 本人開示 report): the print stylesheet leaves out menus and forms.
  function setUpPrintButtons() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  // <form data-draft="name">: what is typed is kept in this browser (per user and form) so that neither the idle
  // timeout nor a new login loses it; it comes back when the form is opened again, and goes once a save succeeds
  // (the next page shows its 「登録しました」 message).
  function storage() {
    try {
      return window.localStorage;
    } catch (e) {
      return null;
    }
  }

  function draftKey(form) {
    return DRAFT_PREFIX + (document.body.getAttribute("data-user") || "") + ":" + form.getAttribute("data-draft");
  }

  function readDraft(store, key) {
    try {
      var draft = JSON.parse(store.getItem(key) || "null");
      if (draft && Date.now() - draft.saved < DRAFT_DAYS * 86400000) {
        return draft;
      }
    } catch (e) {
      /* a damaged draft is dropped below */
    }
    store.removeItem(key);
    return null;
  }

  function saveDraft(store, key, form) {
    var values = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "hidden" || el.type === "submit" || el.type === "button" || el.type === "file") {
        return;
      }
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) {
        return;
      }
      values.push([el.name, el.value, el.type]);
    });
    store.setItem(key, JSON.stringify({ saved: Date.now(), values: values }));
  }

  function restoreDraft(form, draft) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.type === "radio" || el.type === "checkbox") {
        el.checked = draft.values.some(function (v) {
          return v[0] === el.name && v[1] === el.value;
        });
      }
    });
    draft.values.forEach(function (v) {
      if (v[2] === "radio" || v[2] === "checkbox") {
        return;
      }
      var el = form.elements.namedItem(v[0]);
      if (el && "value" in el) {
        el.value = v[1];
      }
    });
    Array.prototype.forEach.call(form.elements, function (el) {
      el.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function draftNotice(form, key, store, when) {
    var notice = document.createElement("div");
    notice.className = "notice notice--warning draft-notice";
    notice.setAttribute("role", "status");
    var text = document.createElement("p");
    text.textContent = "前回保存していなかった入力内容（" + when.toLocaleString("ja-JP") + "）を復元しました。" +
      "内容を確認して続けてください。";
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "button button--secondary";
    discard.textContent = "復元した内容を消して最初から入力する";
    discard.addEventListener("click", function () {
      store.removeItem(key);
      window.location.reload();
    });
    notice.appendChild(text);
    notice.appendChild(discard);
    form.insertAdjacentElement("beforebegin", notice);
  }

  function setUpDrafts() {
    var store = storage();
    if (!store) {
      return;
    }
    var pending = window.sessionStorage.getItem(DRAFT_PENDING);
    if (pending && document.getElementById("flash")) {
      store.removeItem(pending);  // the save went through: its message is on this page
    }
    if (pending && (document.getElementById("flash") || !document.querySelector("form[data-draft]"))) {
      window.sessionStorage.removeItem(DRAFT_PENDING);
    }
    Array.prototype.forEach.call(document.querySelectorAll("form[data-draft]"), function (form) {
      var key = draftKey(form);
      var draft = readDraft(store, key);
      // A form the server sent back (refused, or 「入力画面に戻る」) already holds what was typed.
      if (draft && !form.hasAttribute("data-draft-filled") && !document.getElementById("error-summary")) {
        restoreDraft(form, draft);
        draftNotice(form, key, store, new Date(draft.saved));
        if (form.closest("details")) {
          form.closest("details").open = true;  // a folded form (the patient page's 経過記録) shows what came back
        }
      }
      var timer = null;
      var keep = function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(function () {
          saveDraft(store, key, form);
        }, 300);
      };
      form.addEventListener("input", keep);
      form.addEventListener("change", keep);
      form.addEventListener("submit", function (event) {
        saveDraft(store, key, form);
        if (!event.defaultPrevented) {
          window.sessionStorage.setItem(DRAFT_PENDING, key);
        }
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll("form[data-draft-of]"), function (form) {
      // the confirmation step: the draft stays until the save succeeds
      form.addEventListener("submit", function () {
        window.sessionStorage.setItem(
          DRAFT_PENDING,
          DRAFT_PREFIX + (document.body.getAttribute("data-user") || "") + ":" + form.getAttribute("data-draft-of")
        );
      });
    });
  }

  // <input data-shown-when="name=value"> fields (or any element) shown only while another field has that value,
  // e.g. the 肺外結核 details while 肺外 is chosen. Without script everything stays visible.
  function setUpConditional() {
    var dependants = document.querySelectorAll("[data-shown-when]");
    if (!dependants.length) {
      return;
    }
    var update = function () {
      Array.prototype.forEach.call(dependants, function (el) {
        var rule = el.getAttribute("data-shown-when").split("=");
        var form = el.closest("form");
        if (!form) {
          return;
        }
        var chosen = Array.prototype.some.call(form.querySelectorAll("[name='" + rule[0] + "']"), function (input) {
          var wanted = rule[1].split("|");
          if (input.type === "radio" || input.type === "checkbox") {
            return input.checked && wanted.indexOf(input.value) >= 0;
          }
          return wanted.indexOf(input.value) >= 0;
        });
        el.hidden = !chosen;
      });
    };
    document.addEventListener("change", update);
    update();
  }

  // <input data-postal-lookup>: a complete 郵便番号 fills the address field of the same form (postal_code →
  // address, guardian.postal_code → guardian.address) from the project's postal-code table, when it is empty.
  function setUpPostalLookup() {
    Array.prototype.forEach.call(document.querySelectorAll("input[data-postal-lookup]"), function (input) {
      var status = document.createElement("p");
      status.className = "hint postal-status";
      status.setAttribute("role", "status");
      input.insertAdjacentElement("afterend", status);
      var asked = "";
      input.addEventListener("input", function () {
        var digits = input.value.replace(/[０-９]/g, function (d) {
          return String.fromCharCode(d.charCodeAt(0) - 0xfee0);
        }).replace(/[^0-9]/g, "");
        if (digits.length !== 7 || digits === asked) {
          return;
        }
        asked = digits;
        var address = input.form ? input.form.elements.namedItem(input.name.replace(/postal_code$/, "address")) : null;
        fetch("/postal-codes/" + digits, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) {
            return response.json().then(function (body) {
              return { ok: response.ok, body: body };
            });
          })
          .then(function (answer) {
            if (!answer.ok) {
              status.textContent = answer.body.detail || "";
            } else if (address && !address.value.trim()) {
              address.value = answer.body.address;
              address.dispatchEvent(new Event("input", { bubbles: true }));
              status.textContent = "住所欄に「" + answer.body.address + "」を入れました。番地などを続けて入力してください。";
            } else {
              status.textContent = "この郵便番号の住所は「" + answer.body.address + "」です（住所欄は変更していません）。";
            }
          })
          .catch(function () {
            status.textContent = "";
          });
      });
    });
  }

  // <button data-fill="input id" data-value="…">: puts a proposed value (e.g. the 終了予定日 of a regimen) into a field.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-fill]") : null;
    var field = button ? document.getElementById(button.getAttribute("data-fill")) : null;
    if (field) {
      field.value = button.getAttribute("data-value");
      field.dispatchEvent(new Event("input", { bubbles: true }));
      field.focus();
    }
  });

  document.addEventListener("keydown", guardEnter);
  document.addEventListener("keydown", searchShortcut);
  document.addEventListener("DOMContentLoaded", function () {
    setUpDrafts();
    setUpConditional();
    setUpPostalLookup();
    if (!focusMessage()) {
      focusFirstField();
    }
    setUpPrintButtons();
  });
})();
