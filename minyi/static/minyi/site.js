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

// A list cell never breaks a date, a state or a short name (issue 17): a cell whose whole text is a
// few characters, or a date with at most a word beside it, keeps to one line (the stylesheet's .nowrap);
// longer text still wraps, and a table wider than its box scrolls inside the box. Cells that say how
// they wrap (.wrap, .nowrap and the .cell-* classes) are left as they are.
(function () {
  var DATE = /^\d{4}-\d{2}-\d{2}/;
  function keepShortCells(root) {
    var cells = root.querySelectorAll ? root.querySelectorAll("table td, table th") : [];
    for (var i = 0; i < cells.length; i++) {
      var cell = cells[i];
      if (/(^|\s)(wrap|nowrap|cell-\w+)(\s|$)/.test(cell.className)) { continue; }
      var text = cell.textContent.replace(/\s+/g, " ").trim();
      if (text && (text.length <= 12 || (DATE.test(text) && text.length <= 24))) {
        cell.classList.add("nowrap");
      }
    }
  }
  keepShortCells(document);
  document.addEventListener("htmx:afterSwap", function (event) { keepShortCells(event.target); });
})();
