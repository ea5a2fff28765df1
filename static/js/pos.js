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
    var total = digits(form.getAttribute("data-cash-total") || totalEl.getAttribute("data-total"));
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
    var blind = !form.hasAttribute("data-expected");  // counted blind: the difference shows after the count
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
      if (d && !blind) { d.textContent = (diff > 0 ? "+" : "") + rupiah(diff); d.classList.toggle("bad", Math.abs(diff) > tolerance); }
    }
    form.addEventListener("input", update);
  }

  function focusScan() {
    var scan = $("#scan") || $("form[data-next-sale] input[name=code]");
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

  // The menu scrolls sideways when it does not fit: a fade says there is more, the current page is in sight.
  function menu() {
    var nav = $(".mainnav");
    if (!nav) return;
    var current = $("[aria-current=page]", nav);
    if (current && current.offsetLeft + current.offsetWidth > nav.clientWidth) {
      nav.scrollLeft = current.offsetLeft - nav.clientWidth / 3;
    }
    var mark = function () { nav.classList.toggle("more", nav.scrollLeft + nav.clientWidth < nav.scrollWidth - 4); };
    nav.addEventListener("scroll", mark, { passive: true });
    window.addEventListener("resize", mark);
    mark();
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); fadeFlash(); menu(); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });

  document.addEventListener("click", function (event) {
    var fill = event.target.closest("[data-fill]");
    if (fill) {
      var target = $(fill.getAttribute("data-fill"));
      if (target) { target.value = fill.getAttribute("data-value"); target.focus(); }
    }
    if (event.target.closest("[data-print]")) { event.preventDefault(); window.print(); }
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

  // A scan's answer may bring only the line it changed: the line lit before it goes dark.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (target && target.closest && target.closest("#cart-lines")) {
      document.querySelectorAll("#cart .cart-line.changed").forEach(function (line) { line.classList.remove("changed"); });
    }
  });

  function showChanged() {
    var changed = $("#cart .cart-line.changed");
    if (changed) changed.scrollIntoView({ block: "nearest" });
  }

  // A line swapped in place takes its new attributes (lit) when it settles; the target named is its old self.
  function inCart(target) {
    return target && (target.id === "cart" || target.id === "cart-lines" || /^line-/.test(target.id || ""));
  }
  document.addEventListener("htmx:afterSettle", function (event) { if (inCart(event.detail.target)) showChanged(); });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target) return;
    if (target.id === "flash") {
      clearTimeout(target._timer);
      target._timer = setTimeout(function () { target.innerHTML = ""; }, 6000);
      // After an error the box keeps the focus, and what is in it stays: it was emptied when the code was
      // taken, so anything there now is the next code being typed (selecting it would let the next key
      // replace its first digits).
      var box = $("#scan");
      if (box && document.activeElement !== box && !$("#dialog .dialog")) box.focus({ preventScroll: true });
      return;
    }
    var elt = event.detail.elt;
    if (inCart(target) || (elt && (elt.id === "cart" || elt.id === "scan-queue"))) {
      // A cart that changed clears old notices, not an error a scan just met: it stays its few seconds.
      var flash = $("#flash");
      if (flash && event.detail.xhr && event.detail.xhr.status < 300 && !$(".toast-error", flash)) flash.innerHTML = "";
      showChanged();
      focusScan();
    }
  });

  // ---- The connection to the outlet node --------------------------------------------------------------------
  // One place handles a lost connection: a banner, a probe until the node answers again, then what was waiting
  // (queued scans, a payment) goes again and the cart is read afresh. Never the browser's own error page.
  var link = { down: false, timer: null, waiting: [] };

  function whenUp(fn) { if (link.down) link.waiting.push(fn); else fn(); }

  function lost() {
    if (!link.down) {
      link.down = true;
      var banner = $("#offline");
      if (banner) banner.hidden = false;
    }
    if (!link.timer) link.timer = setTimeout(probe, 1000);
  }

  function probe() {
    link.timer = null;
    var banner = $("#offline");
    var url = (banner && banner.getAttribute("data-probe")) || "/static/img/icon.svg";
    fetch(url + (url.indexOf("?") < 0 ? "?" : "&") + "t=" + Date.now(), { cache: "no-store" })
      .then(function (answer) { if (!answer.ok) throw new Error(String(answer.status)); back(); })
      .catch(function () { link.timer = setTimeout(probe, 1500); });
  }

  function back() {
    if (!link.down) return;
    link.down = false;
    var banner = $("#offline");
    if (banner) banner.hidden = true;
    var waiting = link.waiting;
    link.waiting = [];
    if ($("#cart") && !scans.queue.length && !waiting.length && window.htmx) {
      htmx.ajax("GET", location.pathname, { target: "#cart", select: "#cart", swap: "outerHTML" });
    }
    waiting.forEach(function (fn) { fn(); });
  }

  document.addEventListener("htmx:sendError", lost);
  document.addEventListener("htmx:timeout", lost);
  // A read that failed on the way is safe to repeat: it goes again once the node answers.
  document.addEventListener("htmx:sendError", function (event) {
    var config = event.detail.requestConfig;
    if (!config || config.verb !== "get" || config.elt && config.elt.id === "scan-queue") return;
    var elt = config.elt, path = config.path, target = event.detail.target;
    whenUp(function () {
      if (document.body.contains(elt)) htmx.ajax("GET", path, { source: elt, target: target });
    });
  });

  // Leaving the register (Pay) or any page of the till checks the node first, so a dead link shows the banner.
  document.addEventListener("click", function (event) {
    var away = event.target.closest && event.target.closest("a[data-needs-node]");
    if (!away || event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    var banner = $("#offline");
    var url = (banner && banner.getAttribute("data-probe")) || "/static/img/icon.svg";
    fetch(url + (url.indexOf("?") < 0 ? "?" : "&") + "t=" + Date.now(), { cache: "no-store" })
      .then(function (answer) { if (!answer.ok) throw new Error(); location.href = away.href; })
      .catch(function () { lost(); whenUp(function () { location.href = away.href; }); });
  });

  // A payment goes by fetch: an answer lost on the way is asked for again with the same cart key, which the
  // node answers with the receipt of the sale it already saved — never a second sale.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest && event.target.closest("form[data-pay-form], form.pay-form");
    if (!form || !window.fetch || event.defaultPrevented || form._plain) return;
    event.preventDefault();
    var body = new FormData(form);
    if (event.submitter && event.submitter.name) body.append(event.submitter.name, event.submitter.value);
    form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    function send() {
      fetch(form.action, { method: "POST", body: body, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (answer) {
          if (answer.redirected) { location.replace(answer.url); return; }
          // No sale was made (a message to show): the form goes again as a plain form, which shows it.
          form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
          form._plain = true;
          if (event.submitter) form.requestSubmit(event.submitter); else form.requestSubmit();
        })
        .catch(function () { lost(); whenUp(send); });
    }
    send();
  });

  // ---- The scanner --------------------------------------------------------------------------------------------
  // Each Enter-terminated code is taken from the box at once (the box is free for the next one), queued in order
  // with an id of its own, and sent one at a time; the node applies each id once, so a scan sent again after a
  // lost answer is never counted twice.
  var scans = { queue: [], busy: false, tries: 0, taken: 0 };

  function scanId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target.closest && event.target.closest("form[data-scan-form]");
    if (!form || !window.htmx) return;
    event.preventDefault();
    var box = form.querySelector("input[name=code]");
    var code = box.value.trim();
    box.value = "";
    box._cleared = true;  // emptied by a scan, not by the cashier: no search for the empty box
    box.focus();
    if (!code) return;
    scans.taken += 1;
    var results = $("#results");
    if (results && results.getAttribute("data-q") === code) {  // the search its digits started: favourites again
      htmx.ajax("GET", box.getAttribute("hx-get"), { source: results, target: "#results", swap: "outerHTML" });
    }
    scans.queue.push({ id: scanId(), code: code });
    form.setAttribute("data-busy", "");
    pump();
  }, true);

  function pending() {
    var note = $("#offline [data-pending]");
    if (!note) return;
    var n = scans.queue.length;
    var en = document.documentElement.lang === "en";
    note.textContent = n ? " (" + n + (en ? (n === 1 ? " scan waiting)" : " scans waiting)") : " pindaian menunggu)") : "";
  }

  function pump() {
    var form = $("#scan-form");
    pending();
    if (!scans.queue.length) { if (form) form.removeAttribute("data-busy"); return; }
    if (scans.busy || !form) return;
    var item = scans.queue[0];
    scans.busy = true;
    var source = $("#scan-queue");
    htmx.ajax("POST", form.getAttribute("action"), {
      source: source, target: "#cart", swap: "outerHTML",
      values: {
        csrf_token: form.querySelector("input[name=csrf_token]").value, code: item.code, scan_id: item.id,
        revision: ($("#cart-head") || form).getAttribute("data-revision") || "",
      },
    }).then(function () {
      scans.busy = false;
      var status = source._status || 200;
      if (status >= 500 && scans.tries < 3) { scans.tries += 1; setTimeout(pump, 500 * scans.tries); return; }
      scans.tries = 0;
      scans.queue.shift();
      pump();
    }, function () {
      scans.busy = false;
      lost();
      whenUp(pump);
    });
  }

  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.id === "scan-queue") elt._status = event.detail.xhr ? event.detail.xhr.status : 0;
  });

  // A scan just taken leaves the box empty: the search-as-you-type its digits started is not needed.
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.id === "scan" && !elt.value && (scans.queue.length || elt._cleared)) event.preventDefault();
    else if (elt && elt.id === "scan") elt._taken = scans.taken;
  });
  // A search sent while a code was still in the box, answered after the scan took it, would put "results for
  // <barcode>" in place of the favourites: an answer to a search older than the last scan is dropped.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var elt = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (elt && elt.id === "scan" && elt._taken !== scans.taken) event.detail.shouldSwap = false;
  });
  document.addEventListener("input", function (event) {
    if (event.target.id === "scan" && event.target.value) event.target._cleared = false;
  });

  // A scanner types wherever the focus is. On the receipt screen a scan starts the next sale with that item; on
  // the register a code typed before the box took the focus (a page just loaded) still goes into the box.
  document.addEventListener("keydown", function (event) {
    if (!/^[0-9A-Za-z]$/.test(event.key) || !event.target.closest || event.target.closest("input, select, textarea")) return;
    if ($("#dialog .dialog")) return;
    var next = $("form[data-next-sale]");
    var box = next ? next.querySelector("input[name=code]") : $("#scan");
    if (box) box.focus();
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

  // A form or button that asks before it is sent (signing a statement, confirming a count): the browser's own
  // confirmation dialog. No inline script anywhere: the policy allows scripts from static/ only.
  document.addEventListener("submit", function (event) {
    var asker = event.submitter && event.submitter.closest("[data-confirm]");
    asker = asker || (event.target.closest && event.target.closest("form[data-confirm]"));
    if (asker && !window.confirm(asker.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  // A select that applies itself (a filter): the plain form is sent when it changes.
  document.addEventListener("change", function (event) {
    var select = event.target.closest && event.target.closest("[data-autosubmit]");
    if (select && select.form) select.form.requestSubmit ? select.form.requestSubmit() : select.form.submit();
  });
})();
