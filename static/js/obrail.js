// ObRail progressive enhancements. Everything works without this file.
(function () {
  "use strict";
  // Let validation errors (422) be swapped in like successful responses.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
