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

  // Leave empty filters out of the request, so the pushed, shareable URL only holds real filters.
  document.addEventListener("htmx:configRequest", function (event) {
    var parameters = event.detail.parameters;
    Object.keys(parameters).forEach(function (name) {
      if (parameters[name] === "") {
        delete parameters[name];
      }
    });
  });

  // Autocomplete (stations, operators): fill the field's <datalist> from the API as the user
  // types. The field stays a plain text input that works without this script.
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
        var items = Array.isArray(payload) ? payload : payload.results || [];
        var key = input.dataset.autocompleteValue || "name";
        list.replaceChildren.apply(
          list,
          items.map(function (item) {
            var option = document.createElement("option");
            option.value = item[key];
            option.label = item.name + (item.country ? " (" + item.country + ")" : "");
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
