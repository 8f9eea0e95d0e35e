// 資料 and 一括印刷: files dropped on the upload area go into the (keyboard-usable) file input, and a running
// batch's progress bar is refreshed from the server until the batch is done.
(function () {
  "use strict";

  function describe(input, note) {
    var names = Array.prototype.map.call(input.files, function (f) { return f.name; });
    note.textContent = names.length ? names.length + "件のファイルを選びました: " + names.join("、") : "";
  }

  document.querySelectorAll("[data-dropzone]").forEach(function (zone) {
    var input = zone.querySelector("input[type=file]");
    var note = zone.querySelector(".dropzone__chosen");
    if (!input) { return; }
    input.addEventListener("change", function () { describe(input, note); });
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("dropzone--over"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("dropzone--over"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        describe(input, note);
        input.focus();
      }
    });
  });

  var card = document.querySelector("[data-batch]");
  if (!card || !card.hasAttribute("data-running")) { return; }
  var bar = card.querySelector("progress");
  function show(batch) {
    bar.value = batch.done;
    card.querySelector("[data-status]").textContent = batch.status_label;
    card.querySelector("[data-done]").textContent = batch.done;
    card.querySelector("[data-percent]").textContent = batch.percent;
    card.querySelector("[data-pages]").textContent = batch.pages;
    if (batch.status === "done") { card.querySelector("[data-finished]").hidden = false; }
    return batch.status === "queued" || batch.status === "running";
  }
  function poll() {
    fetch(card.getAttribute("data-batch"), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (batch) {
        if (batch && !show(batch)) {
          if (batch.status !== "done") { window.location.reload(); }
          return;
        }
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
