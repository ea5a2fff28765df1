// Small progressive enhancements. Every control also works as a plain form without this file.
(function () {
  "use strict";

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

  function init(root) {
    root.querySelectorAll("[data-pinpad]").forEach(pinpad);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
  // Toasts fade after a while so that they do not cover the cart.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "flash") {
      var box = event.detail.target;
      clearTimeout(box._timer);
      box._timer = setTimeout(function () { box.innerHTML = ""; }, 6000);
    }
  });
})();
