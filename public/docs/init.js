// Renders this origin's OpenAPI document. "Try it out" sends requests to this same origin (the
// document's server is "/") with the token pasted under "Authorize", which stays in memory.
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  // Swagger UI would otherwise load a validity badge from validator.swagger.io.
  validatorUrl: null,
});
