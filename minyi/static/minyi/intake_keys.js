// The operator's intake form (appeals/intake/new.html): keyboard shortcuts for taking a call.
(function () {
  // Keyboard shortcuts for the phone call; the form works the same without them.
  var form = document.getElementById("intake-form");
  if (!form) { return; }
  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing) { return; }  // Enter that ends Chinese input is not a submit
    var target = event.target;
    if (target.tagName === "TEXTAREA" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    } else if (target.id === "id_phone") {
      // After the number: go on with the name; leaving the field looks the caller up.
      event.preventDefault();
      document.getElementById("id_name").focus();
    }
  });
})();
