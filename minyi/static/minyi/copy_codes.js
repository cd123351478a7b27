// The page shown once after a citizen's submission (appeals/public/done.html): copy buttons for the number and the query code.
(function () {
  // Copy buttons appear only where the browser can copy; the codes are selectable anyway.
  if (!navigator.clipboard) { return; }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = document.getElementById(button.dataset.copy).textContent.trim();
      navigator.clipboard.writeText(text).then(function () { button.textContent = button.dataset.done; });
    });
  });
})();
