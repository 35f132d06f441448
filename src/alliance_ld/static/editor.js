/*
 * The alliance-ld query editor: YASGUI (@zazuko/yasgui, served from /static/vendor/yasgui/)
 * set up so that the page talks to this server only.
 *
 * - Queries go to this server's /sparql, whatever is typed in the endpoint field
 *   (requestConfig.endpoint is a function, which YASGUI applies to every request).
 * - Autocompletion uses this dataset's prefixes, classes and properties, handed over by
 *   the server in #editor-config; YASQE's remote completers (LOV for classes and
 *   properties) are removed, and prefixes never come from prefix.cc (prefixCcApi null).
 * - No URL shortener (createShortLink unset), no CORS proxy, no endpoint catalogue but
 *   ours, nothing kept in localStorage (persistenceId null), no telemetry (YASGUI has none).
 * - The query comes from ?query= (pre-filled by the server), else from a #query= share
 *   link, else a default query.
 * - Results link only to http:, https: and relative IRIs: a result IRI (or datatype)
 *   with any other scheme (javascript:, data:, mailto:, ...) is turned into plain text
 *   as soon as YASR draws it, before it can be clicked.
 * Without JavaScript, or without the YASGUI files, the page's plain form still works.
 */
(function () {
  "use strict";

  var LOCAL_COMPLETERS = ["variables", "localPrefixes", "localClasses", "localProperties"];

  var configElement = document.getElementById("editor-config");
  var host = document.getElementById("yasgui");
  if (!configElement || !host) {
    return;
  }
  if (typeof window.Yasgui !== "function") {
    host.textContent = "The query editor could not be loaded; use the plain form below.";
    return;
  }
  var config = JSON.parse(configElement.textContent);
  var Yasgui = window.Yasgui;
  var Yasqe = Yasgui.Yasqe;
  var endpoint = new URL(config.endpoint, window.location.href).href;

  function installLocalCompleters() {
    var prefixLines = Object.keys(config.prefixes).sort().map(function (prefix) {
      return prefix + ": <" + config.prefixes[prefix] + ">";
    });
    Yasqe.forkAutocompleter("prefixes",
      { name: "localPrefixes", get: prefixLines, persistenceId: null }, false);
    Yasqe.forkAutocompleter("class",
      { name: "localClasses", get: config.classes, bulk: true, persistenceId: null }, false);
    Yasqe.forkAutocompleter("property",
      { name: "localProperties", get: config.properties, bulk: true, persistenceId: null }, false);
    // Unregister every other completer, so none can be switched on later by accident.
    Object.keys(Yasqe.Autocompleters).forEach(function (name) {
      if (LOCAL_COMPLETERS.indexOf(name) < 0) {
        delete Yasqe.Autocompleters[name];
      }
    });
    // YASGUI deep-merges its options into these defaults (arrays by index), so the
    // defaults themselves must list only the local completers.
    var defaults = Yasqe.defaults.autocompleters;
    defaults.splice.apply(defaults, [0, defaults.length].concat(LOCAL_COMPLETERS));
    Yasqe.defaults.prefixCcApi = null;
    Yasqe.defaults.createShortLink = undefined;
  }

  function sharedQuery() {
    if (!window.location.hash || window.location.hash.length < 2) {
      return null;
    }
    return new URLSearchParams(window.location.hash.slice(1)).get("query");
  }

  function lockEndpointField() {
    var fields = host.querySelectorAll(".controlbar input.autocomplete");
    Array.prototype.forEach.call(fields, function (field) {
      if (field.value !== endpoint) {
        field.value = endpoint;
      }
      field.readOnly = true;
      field.setAttribute("aria-label", "SPARQL endpoint (this server)");
      field.title = "This editor queries this server only";
    });
  }

  var LINK_PROTOCOLS = ["http:", "https:"];
  var RESULT_LINKS = ".yasr_results td a, .yasr_results a.iri";

  function isSafeLink(link) {
    var href = link.getAttribute("href");
    if (href === null) {
      return false; // YASR's sanitiser drops javascript: hrefs and leaves the <a>
    }
    try {
      return LINK_PROTOCOLS.indexOf(new URL(href, document.baseURI).protocol) >= 0;
    } catch (error) {
      return false;
    }
  }

  function unlinkUnsafeResults() {
    Array.prototype.forEach.call(host.querySelectorAll(RESULT_LINKS), function (link) {
      if (isSafeLink(link)) {
        return;
      }
      var text = document.createElement("span");
      text.className = "iri unlinked";
      text.textContent = link.textContent;
      text.title = link.getAttribute("href") || link.textContent;
      link.parentNode.replaceChild(text, link);
    });
  }

  installLocalCompleters();
  var initialQuery = config.query || sharedQuery() || config.defaultQuery;

  var yasgui = new Yasgui(host, {
    persistenceId: null,
    populateFromUrl: false,
    autoAddOnInit: true,
    copyEndpointOnNewTab: false,
    corsProxy: undefined,
    endpointCatalogueOptions: {
      getData: function () { return [{ endpoint: endpoint }]; },
      keys: []
    },
    requestConfig: {
      endpoint: function () { return endpoint; },
      method: "POST",
      acceptHeaderSelect: "application/sparql-results+json",
      acceptHeaderGraph: "text/turtle"
    },
    yasqe: {
      value: initialQuery,
      autocompleters: LOCAL_COMPLETERS.slice(),
      prefixCcApi: null,
      editorHeight: "320px"
    },
    yasr: {
      prefixes: config.prefixes
    }
  });

  var tab = yasgui.getTab();
  if (tab && tab.getQuery() !== initialQuery) {
    tab.setQuery(initialQuery);
  }

  // Example links open their query in a tab of the editor (without JavaScript they
  // load this page pre-filled, which works too).
  Array.prototype.forEach.call(document.querySelectorAll("a[data-example]"), function (link) {
    link.addEventListener("click", function (event) {
      var name = link.getAttribute("data-example");
      var example = config.examples.filter(function (e) { return e.name === name; })[0];
      if (!example || event.ctrlKey || event.metaKey || event.shiftKey) {
        return;
      }
      event.preventDefault();
      yasgui.addTab(true, { name: example.code, yasqe: { value: example.query } },
        { avoidDuplicateTabs: true });
      host.scrollIntoView({ behavior: "smooth", block: "start" });
    });
  });

  new MutationObserver(lockEndpointField).observe(host, { childList: true, subtree: true });
  lockEndpointField();
  // Mutation observers run before the browser handles the next event, so a drawn
  // result is unlinked before anyone can click it.
  new MutationObserver(unlinkUnsafeResults).observe(host, {
    childList: true, subtree: true, attributes: true, attributeFilter: ["href"]
  });

  // The editor works: fold the plain form away unless it shows a result or an error.
  var plainForm = document.getElementById("plain-form");
  if (plainForm && !document.getElementById("results") && !document.getElementById("query-error")) {
    plainForm.open = false;
  }
  window.yasgui = yasgui;
  host.setAttribute("data-ready", "true");
}());
