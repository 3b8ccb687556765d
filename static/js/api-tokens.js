/* The token-created page: copy the key to the clipboard (falls back to selecting it for Ctrl+C). */
(function () {
  "use strict";

  function select(input) {
    input.focus();
    input.select();
  }

  document.querySelectorAll("[data-select-on-focus]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });

  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy-target"));
    if (!input) {
      return;
    }
    button.addEventListener("click", function () {
      var done = function () { button.textContent = button.getAttribute("data-copied-label"); };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(input.value).then(done, function () { select(input); });
      } else {
        select(input);
        try {
          if (document.execCommand("copy")) {
            done();
          }
        } catch (e) {
          /* selected: the user copies it by hand */
        }
      }
    });
  });
}());
