// tbms gateway: small behaviours the pages need. No inline script anywhere (CSP script-src 'self').
(function () {
  "use strict";

  // After a refused form, move focus to the list of problems so it is read out first; after a change, to the
  // message saying what it did (「保存しました」).
  function focusMessage() {
    var summary = document.getElementById("error-summary") || document.getElementById("flash");
    if (summary) {
      summary.focus();
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

  document.addEventListener("DOMContentLoaded", function () {
    focusMessage();
    setUpPrintButtons();
  });
})();
