// Small progressive enhancements. Every control also works as a plain form without this file.
(function () {
  "use strict";

  function $(selector, root) { return (root || document).querySelector(selector); }

  function pinpad(root) {
    var input = root.querySelector("input[name=pin]");
    root.addEventListener("click", function (event) {
      var key = event.target.closest("[data-key]");
      if (!key || !input) return;
      var value = key.getAttribute("data-key");
      if (value === "clear") input.value = input.value.slice(0, -1);
      else if (input.value.length < 6) input.value += value;
      input.focus();
    });
  }

  function digits(text) { return parseInt(String(text || "").replace(/[^0-9]/g, ""), 10) || 0; }
  function rupiah(amount) {
    var sign = amount < 0 ? "-" : "";
    return sign + "Rp" + Math.abs(amount).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }

  function changePreview(form) {
    var input = $("[data-change-input]", form);
    var output = $("[data-change-output]", form);
    var totalEl = $("#pay-total");
    if (!input || !output || !totalEl) return;
    var total = digits(totalEl.getAttribute("data-total"));
    input.addEventListener("input", function () {
      var cash = digits(input.value);
      if (!input.value) { output.textContent = ""; return; }
      output.textContent = cash >= total
        ? (document.documentElement.lang === "en" ? "Change: " : "Kembalian: ") + rupiah(cash - total)
        : (document.documentElement.lang === "en" ? "Short by " : "Kurang ") + rupiah(total - cash);
      output.classList.toggle("bad", cash < total);
    });
  }

  function countForm(form) {
    var expected = digits(form.getAttribute("data-expected"));
    var tolerance = digits(form.getAttribute("data-tolerance"));
    function update() {
      var counted = 0;
      form.querySelectorAll("[data-denomination]").forEach(function (input) {
        counted += digits(input.getAttribute("data-denomination")) * digits(input.value);
      });
      var diff = counted - expected;
      var c = $("[data-counted]", form), d = $("[data-difference]", form);
      if (c) c.textContent = rupiah(counted);
      if (d) { d.textContent = (diff > 0 ? "+" : "") + rupiah(diff); d.classList.toggle("bad", Math.abs(diff) > tolerance); }
    }
    form.addEventListener("input", update);
  }

  function focusScan() {
    var scan = $("#scan");
    if (scan && !$("#dialog .dialog")) scan.focus({ preventScroll: true });
  }

  function once(root, selector, setup) {
    root.querySelectorAll(selector).forEach(function (el) {
      if (el._posReady) return;
      el._posReady = true;
      setup(el);
    });
  }

  function init(root) {
    once(root, "[data-pinpad]", pinpad);
    once(root, "[data-pay-form]", changePreview);
    once(root, "[data-count-form]", countForm);
    var dialogInput = $("#dialog input[autofocus]", root.id === "dialog" ? root.parentNode : root);
    if (dialogInput) dialogInput.focus();
  }

  function fadeFlash() {
    var box = $("#flash");
    if (!box || !box.children.length) return;
    clearTimeout(box._timer);
    box._timer = setTimeout(function () { box.innerHTML = ""; }, 6000);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); fadeFlash(); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });

  document.addEventListener("click", function (event) {
    var fill = event.target.closest("[data-fill]");
    if (fill) {
      var target = $(fill.getAttribute("data-fill"));
      if (target) { target.value = fill.getAttribute("data-value"); target.focus(); }
    }
    if (event.target.closest("[data-print]")) window.print();
    if (event.target.closest("[data-close-dialog]")) {
      event.preventDefault();
      $("#dialog").innerHTML = "";
      focusScan();
    }
    // The scan box keeps the focus, so a scanner always types into it.
    if (!event.target.closest("input, select, textarea, details, [data-close-dialog], a")) {
      setTimeout(focusScan, 0);
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && $("#dialog .dialog")) {
      $("#dialog").innerHTML = "";
      focusScan();
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target) return;
    if (target.id === "flash") {
      clearTimeout(target._timer);
      target._timer = setTimeout(function () { target.innerHTML = ""; }, 6000);
      return;
    }
    if (target.id === "cart" || (event.detail.elt && event.detail.elt.id === "cart")) {
      var scan = $("#scan");
      if (scan && event.detail.requestConfig && event.detail.requestConfig.elt &&
          event.detail.requestConfig.elt.closest("#scan-form")) {
        scan.value = "";
      }
      var flash = $("#flash");
      if (flash && event.detail.xhr && event.detail.xhr.status < 300) flash.innerHTML = "";
      focusScan();
    }
  });

  // Receiving: a scanned code jumps to its line; "all arrived" fills the sent quantity.
  document.addEventListener("keydown", function (event) {
    var find = event.target.closest && event.target.closest("[data-find-line]");
    if (!find || event.key !== "Enter") return;
    event.preventDefault();
    var code = find.value.trim();
    var rows = document.querySelectorAll("tr[data-codes]");
    for (var i = 0; i < rows.length; i++) {
      if ((" " + rows[i].getAttribute("data-codes") + " ").indexOf(" " + code + " ") >= 0) {
        var input = rows[i].querySelector("input.qty-input");
        rows[i].scrollIntoView({ block: "center" });
        if (input) { input.focus(); input.select(); }
        find.value = "";
        return;
      }
    }
    find.select();
  });
  document.addEventListener("click", function (event) {
    var fill = event.target.closest("[data-fill]");
    if (!fill) return;
    var input = fill.parentNode.querySelector("input.qty-input");
    if (input) input.value = fill.getAttribute("data-fill");
  });

  // Swapped-in forms (a scanned count line) take the focus where they ask for it.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    var wanted = target && target.querySelector && target.querySelector("[autofocus]");
    if (wanted && document.activeElement !== wanted) { wanted.focus(); if (wanted.select) wanted.select(); }
  });
})();
