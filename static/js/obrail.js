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

  // Network map zoom: the buttons (hidden without this script) and, once the map has the
  // focus, + and - to zoom, the arrows to move, 0 for the whole map. Zooming changes the SVG's
  // viewBox around the current centre; without this script the map is shown whole.
  var ZOOM_STEP = 2;
  var MAX_ZOOM = 16;

  function setView(svg, view) {
    svg.setAttribute("viewBox", [view.x, view.y, view.width, view.height].join(" "));
    svg.dataset.zoom = String(Math.round(svg.__baseView.width / view.width));
  }

  function currentView(svg) {
    var parts = svg.getAttribute("viewBox").split(/\s+/).map(Number);
    return { x: parts[0], y: parts[1], width: parts[2], height: parts[3] };
  }

  function zoomMap(svg, factor) {
    var base = svg.__baseView;
    var view = currentView(svg);
    var width = Math.min(base.width, Math.max(base.width / MAX_ZOOM, view.width / factor));
    var height = width * base.height / base.width;
    var centreX = view.x + view.width / 2;
    var centreY = view.y + view.height / 2;
    setView(svg, clampView(base, {
      x: centreX - width / 2, y: centreY - height / 2, width: width, height: height
    }));
    announce(svg);
  }

  function panMap(svg, dx, dy) {
    var view = currentView(svg);
    view.x += dx * view.width / 4;
    view.y += dy * view.height / 4;
    setView(svg, clampView(svg.__baseView, view));
  }

  function clampView(base, view) {
    view.x = Math.min(Math.max(view.x, base.x), base.x + base.width - view.width);
    view.y = Math.min(Math.max(view.y, base.y), base.y + base.height - view.height);
    return view;
  }

  function announce(svg) {
    var region = document.getElementById("live-region");
    if (region) {
      region.textContent = svg.dataset.zoom === "1"
        ? svg.dataset.zoomWhole
        : svg.dataset.zoomLabel.replace("{zoom}", svg.dataset.zoom);
    }
  }

  function enhanceMaps(root) {
    root.querySelectorAll("[data-map-zoom]").forEach(function (toolbar) {
      var svg = document.getElementById(toolbar.dataset.mapZoom);
      if (!svg || svg.__baseView) {
        return;
      }
      svg.__baseView = currentView(svg);
      svg.dataset.zoom = "1";
      svg.dataset.zoomLabel = toolbar.dataset.zoomLabel;
      svg.dataset.zoomWhole = toolbar.dataset.zoomWhole;
      svg.tabIndex = 0;
      svg.setAttribute("aria-describedby", "map-summary map-keys");
      toolbar.hidden = false;
      toolbar.addEventListener("click", function (event) {
        var button = event.target.closest("button[data-zoom]");
        if (!button) {
          return;
        }
        if (button.dataset.zoom === "in") {
          zoomMap(svg, ZOOM_STEP);
        } else if (button.dataset.zoom === "out") {
          zoomMap(svg, 1 / ZOOM_STEP);
        } else {
          setView(svg, Object.assign({}, svg.__baseView));
          announce(svg);
        }
      });
      svg.addEventListener("keydown", function (event) {
        var moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
        if (event.key === "+" || event.key === "=") {
          zoomMap(svg, ZOOM_STEP);
        } else if (event.key === "-" || event.key === "_") {
          zoomMap(svg, 1 / ZOOM_STEP);
        } else if (event.key === "0") {
          setView(svg, Object.assign({}, svg.__baseView));
          announce(svg);
        } else if (moves[event.key]) {
          panMap(svg, moves[event.key][0], moves[event.key][1]);
        } else {
          return;
        }
        event.preventDefault();
      });
    });
  }
  document.addEventListener("htmx:load", function (event) {
    enhanceMaps(event.detail.elt);
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
