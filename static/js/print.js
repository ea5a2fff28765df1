// The print views (statements, BAST, returns, the monthly report): their Print button, without inline script.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) { event.preventDefault(); window.print(); }
});
