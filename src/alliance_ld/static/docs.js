/*
 * Starts Swagger UI on /docs (instead of an inline script, which the site's
 * Content-Security-Policy forbids). Swagger UI itself is served by this server
 * (static/vendor/swagger-ui/), and the OpenAPI address comes from the page. The
 * online validator's badge is off: it would send the description to another host.
 */
(function () {
  "use strict";
  var host = document.getElementById("swagger-ui");
  if (!host || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.ui = window.SwaggerUIBundle({
    url: host.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null,
    presets: [window.SwaggerUIBundle.presets.apis]
  });
}());
