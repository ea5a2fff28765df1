// Printing from the tablet: the ESC/POS bytes the outlet server built, handed to a printer the browser reaches
// itself: Web Serial (USB, and Bluetooth Classic on Chrome for Android 138 and later) or Web Bluetooth (BLE).
// The first time the cashier picks the printer (the browser asks); after that the browser remembers it, and a
// receipt prints on its own when the sale is done.
(function () {
  "use strict";
  // The GATT services cheap BLE receipt printers write through (the common clone chips, Xprinter, Goojprt…).
  var SERVICES = [
    "000018f0-0000-1000-8000-00805f9b34fb",
    "e7810a71-73ae-499d-8c15-faa9aef0c3f2",
    "49535343-fe7d-4ae5-8fa9-9fafd205e455",
    "0000ff00-0000-1000-8000-00805f9b34fb",
    "0000ffe0-0000-1000-8000-00805f9b34fb"
  ];
  var CHUNK = 180; // bytes a BLE write: below the usual negotiated MTU
  var characteristic = null;

  function say(button, text, bad) {
    var out = button.parentNode.querySelector("[data-escpos-status]");
    if (out) { out.textContent = text; out.classList.toggle("is-bad", !!bad); }
  }

  function bytes(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.arrayBuffer();
    }).then(function (b) { return new Uint8Array(b); });
  }

  async function serial(data, ask) {
    var ports = await navigator.serial.getPorts();
    var port = ports[0] || (ask ? await navigator.serial.requestPort() : null);
    if (!port) { return false; }
    if (!port.writable) { await port.open({ baudRate: 9600 }); }
    var writer = port.writable.getWriter();
    try { await writer.write(data); } finally { writer.releaseLock(); }
    return true;
  }

  async function writable(ask) {
    if (characteristic && characteristic.service.device.gatt.connected) { return characteristic; }
    var device = null;
    if (navigator.bluetooth.getDevices) { device = (await navigator.bluetooth.getDevices())[0] || null; }
    if (!device) {
      if (!ask) { return null; }
      device = await navigator.bluetooth.requestDevice({ acceptAllDevices: true, optionalServices: SERVICES });
    }
    var server = await device.gatt.connect();
    for (var i = 0; i < SERVICES.length; i++) {
      try {
        var service = await server.getPrimaryService(SERVICES[i]);
        var found = await service.getCharacteristics();
        for (var j = 0; j < found.length; j++) {
          if (found[j].properties.write || found[j].properties.writeWithoutResponse) {
            characteristic = found[j];
            return characteristic;
          }
        }
      } catch (e) { /* not this printer's service */ }
    }
    throw new Error("no printer service");
  }

  async function bluetooth(data, ask) {
    var c = await writable(ask);
    if (!c) { return false; }
    for (var at = 0; at < data.length; at += CHUNK) {
      var part = data.slice(at, at + CHUNK);
      if (c.properties.writeWithoutResponse) { await c.writeValueWithoutResponse(part); }
      else { await c.writeValueWithResponse(part); }
    }
    return true;
  }

  // Whether the browser already holds a printer for this page's site (chosen before): then it prints unasked.
  async function known(via) {
    if (via === "web_serial") { return (await navigator.serial.getPorts()).length > 0; }
    return !!(navigator.bluetooth.getDevices && (await navigator.bluetooth.getDevices()).length);
  }

  async function print(button, ask) {
    var via = button.getAttribute("data-via");
    var api = via === "web_serial" ? navigator.serial : navigator.bluetooth;
    if (!window.isSecureContext || !api) { say(button, button.getAttribute("data-insecure"), true); return; }
    try {
      if (!ask && !(await known(via))) { say(button, button.getAttribute("data-choose"), true); return; }
      say(button, button.getAttribute("data-printing"));
      var data = await bytes(button.getAttribute("data-escpos"));
      var done = via === "web_serial" ? await serial(data, ask) : await bluetooth(data, ask);
      say(button, button.getAttribute(done ? "data-printed" : "data-choose"), !done);
    } catch (e) {
      say(button, button.getAttribute("data-failed") + " (" + e.message + ")", true);
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-escpos]");
    if (button) { event.preventDefault(); print(button, true); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector("[data-escpos][data-auto='1']");
    if (button) { print(button, false); }
  });
})();
