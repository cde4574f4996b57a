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

  // On a small screen, fold the filter panels (open in the HTML, so that they work without
  // this script) once the page or a new fragment loads: the results then show on the first
  // screen, and the panel's summary says how many filters are active.
  var smallScreen = window.matchMedia("(max-width: 40rem)");
  document.addEventListener("htmx:load", function (event) {
    if (!smallScreen.matches) {
      return;
    }
    event.detail.elt.querySelectorAll("details[data-fold-on-small-screens]").forEach(
      function (panel) {
        panel.open = false;
      }
    );
  });

  // A table wider than the screen scrolls in its own box (.table-wrap): make that box reachable
  // with the keyboard (WCAG 2.1.1) and named after its table, only while it does scroll, so
  // that wide screens get no extra tab stop.
  function fitTableBoxes(root) {
    root.querySelectorAll(".table-wrap:not([data-static-focus])").forEach(function (box) {
      var caption = box.querySelector("caption");
      if (box.scrollWidth > box.clientWidth) {
        box.tabIndex = 0;
        box.setAttribute("role", "region");
        if (caption) {
          box.setAttribute("aria-label", caption.textContent.trim());
        }
      } else {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }
  document.addEventListener("htmx:load", function (event) {
    fitTableBoxes(event.detail.elt);
  });
  document.addEventListener("toggle", function (event) {
    fitTableBoxes(event.target);
  }, true);
  var resizeTimer;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(fitTableBoxes, 150, document);
  });

  // After a swap (filtering, sorting, paging), move focus to the new results' heading, or to
  // the error summary, so that the next Tab continues from the results and not from <body>;
  // the live region (updated out of band) announces the count.
  document.addEventListener("htmx:afterSettle", function () {
    var target = document.querySelector("[data-focus-after-swap]");
    if (target) {
      target.focus();
    }
  });

  // The language switch returns to the page as it is now: after an htmx filter the address bar
  // holds filters that the server-rendered "next" field of the footer does not know about.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.classList.contains("language-form")) {
      form.elements.next.value = window.location.pathname + window.location.search;
    }
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
