// tbms gateway: warns before the idle timeout and offers 「延長する」 (N04).
// The server decides when a session ends; this script only asks it (without counting as activity) and tells the user.
(function () {
  "use strict";

  var dialog, title, message, extendButton, relogin, logoutForm, status;
  var warnSeconds = 120;
  var fullSeconds = 0;
  var deadline = 0;
  var checkTimer = null;
  var tickTimer = null;
  var returnFocus = null;
  var mode = "";

  function secondsLeft() {
    return Math.max(0, Math.round((deadline - Date.now()) / 1000));
  }

  function timeText(seconds) {
    if (seconds >= 90) {
      return "約" + Math.round(seconds / 60) + "分";
    }
    return seconds + "秒";
  }

  function csrfToken() {
    var field = logoutForm ? logoutForm.querySelector("input[name=csrf_token]") : null;
    return field ? field.value : "";
  }

  // Asks again shortly before the warning is due; the answer, not this guess, decides.
  function schedule(remaining) {
    deadline = Date.now() + remaining * 1000;
    window.clearTimeout(checkTimer);
    checkTimer = window.setTimeout(check, Math.max(0, remaining - warnSeconds) * 1000);
  }

  function check() {
    fetch("/session/remaining", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : { remaining_seconds: 0, extendable: false };
      })
      .then(function (state) {
        if (state.remaining_seconds > warnSeconds + 5) {
          close();
          schedule(state.remaining_seconds);  // activity in another tab or window kept the session alive
        } else if (state.remaining_seconds <= 0) {
          show("expired");
        } else {
          deadline = Date.now() + state.remaining_seconds * 1000;
          show(state.extendable ? "idle" : "limit");
        }
      })
      .catch(function () {
        show(secondsLeft() > 0 ? "idle" : "expired");
      });
  }

  function render() {
    var left = timeText(secondsLeft());
    if (mode === "idle") {
      message.textContent = "操作がない状態が続いているため、あと" + left + "で自動的にログアウトします。" +
        "作業を続ける場合は「延長する」を押してください。ログアウトすると、保存していない入力内容は失われます。";
    } else if (mode === "limit") {
      message.textContent = "ログインしてから利用できる時間の上限まで、あと" + left + "です。延長はできません。" +
        "入力中の内容を保存してから、ログインし直してください。";
    } else {
      message.textContent = "一定時間操作がなかったため、自動的にログアウトしました。続けるにはログインし直してください。";
    }
  }

  function show(newMode) {
    var opening = !dialog.open;
    mode = newMode;
    title.textContent = mode === "expired" ? "ログインの有効期限が切れました" : "まもなく自動的にログアウトします";
    extendButton.hidden = mode !== "idle";
    relogin.hidden = mode !== "expired";
    logoutForm.hidden = mode === "expired";
    render();
    if (opening) {
      returnFocus = document.activeElement;
      if (typeof dialog.showModal === "function") {
        dialog.showModal();
      } else {
        dialog.setAttribute("open", "");
      }
    }
    (mode === "idle" ? extendButton : mode === "expired" ? relogin : logoutForm.querySelector("button")).focus();
    window.clearInterval(tickTimer);
    if (mode !== "expired") {
      tickTimer = window.setInterval(tick, 1000);
    }
  }

  function tick() {
    if (secondsLeft() <= 0) {
      window.clearInterval(tickTimer);
      check();
    } else {
      render();
    }
  }

  function close() {
    window.clearInterval(tickTimer);
    if (dialog.open) {
      dialog.close();
    }
    if (returnFocus && typeof returnFocus.focus === "function") {
      returnFocus.focus();
    }
    returnFocus = null;
  }

  function extend() {
    fetch("/session/keep-alive", {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { Accept: "application/json", "X-CSRF-Token": csrfToken() },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("expired");
        }
        return response.json();
      })
      .then(function (state) {
        close();
        status.textContent = "ログインを延長しました。";
        schedule(state.remaining_seconds);
      })
      .catch(function () {
        show("expired");
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var body = document.body;
    dialog = document.getElementById("session-timeout");
    if (!dialog || !body.hasAttribute("data-session-remaining")) {
      return;
    }
    title = document.getElementById("session-timeout-title");
    message = document.getElementById("session-timeout-message");
    extendButton = document.getElementById("session-extend");
    relogin = document.getElementById("session-relogin");
    logoutForm = document.getElementById("session-logout");
    status = document.getElementById("session-status");
    warnSeconds = parseInt(body.getAttribute("data-session-warn"), 10) || warnSeconds;
    fullSeconds = parseInt(body.getAttribute("data-session-remaining"), 10) || 0;
    extendButton.addEventListener("click", extend);
    dialog.addEventListener("cancel", function () {
      // Escape closes the warning; the session still ends on time, and then the dialog says so.
      window.clearInterval(tickTimer);
      window.clearTimeout(checkTimer);
      checkTimer = window.setTimeout(check, (secondsLeft() + 1) * 1000);
    });
    // Requests made without reloading the page (htmx) are activity too.
    body.addEventListener("htmx:afterRequest", function () {
      if (!dialog.open) {
        schedule(fullSeconds);
      }
    });
    schedule(fullSeconds);
  });
})();
