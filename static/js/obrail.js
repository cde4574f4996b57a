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

  // Station autocomplete: fill the field's <datalist> from the stations API as the user types.
  // The field stays a plain text input: a name prefix, a UIC code or an id is accepted anyway.
  var timers = new WeakMap();
  var controllers = new WeakMap();

  function suggest(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var term = input.value.trim();
    if (!list || term.length < 2) {
      return;
    }
    if (controllers.has(input)) {
      controllers.get(input).abort();
    }
    var controller = new AbortController();
    controllers.set(input, controller);
    var url = input.dataset.autocomplete + "?q=" + encodeURIComponent(term) + "&page_size=10";
    fetch(url, { headers: { Accept: "application/json" }, signal: controller.signal })
      .then(function (response) {
        return response.ok ? response.json() : { results: [] };
      })
      .then(function (payload) {
        var stations = Array.isArray(payload) ? payload : payload.results || [];
        list.replaceChildren.apply(
          list,
          stations.map(function (station) {
            var option = document.createElement("option");
            option.value = station.name;
            if (station.country) {
              option.label = station.name + " (" + station.country + ")";
            }
            return option;
          })
        );
      })
      .catch(function (error) {
        if (error.name !== "AbortError") {
          list.replaceChildren();
        }
      });
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.dataset.autocomplete) {
      return;
    }
    clearTimeout(timers.get(input));
    timers.set(input, setTimeout(suggest, 250, input));
  });
})();
