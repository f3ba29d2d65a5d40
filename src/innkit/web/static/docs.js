// The API pages at /docs: Swagger UI, served by this server (no CDN), reading /openapi.json.
"use strict";
window.addEventListener("DOMContentLoaded", () => {
  window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
