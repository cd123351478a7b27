// Small behaviours of every page, bound here instead of in inline handlers, so that the
// Content-Security-Policy refuses every inline script (docs/security.md):
// button[data-print] prints the page; a[data-back] goes back a page (its href is the way without script).
document.addEventListener("click", function (event) {
  var target = event.target.closest ? event.target : null;
  if (!target) { return; }
  if (target.closest("button[data-print]")) {
    window.print();
  } else if (target.closest("a[data-back]") && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});
