// The live reply check (appeals/staff/_reply_check.html) also shows its "too many checks" answer
// (429): htmx swaps only successful answers unless told otherwise.
document.addEventListener("htmx:beforeSwap", function (event) {
  var target = event.detail.target;
  if (event.detail.xhr.status === 429 && target && target.closest && target.closest(".reply-check")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
