// The API reference page: swagger-ui-dist (served from node_modules) over docs/openapi.json, whose server is
// the local API; the dev token npm start minted is pre-authorized, so "Try it out" works at once.
(async () => {
  const config = await fetch('/docs/config.json').then((r) => (r.ok ? r.json() : {}), () => ({}));
  const ui = SwaggerUIBundle({
    url: '/docs/openapi.json',
    dom_id: '#swagger-ui',
    layout: 'BaseLayout',
    deepLinking: true,
    displayOperationId: true,
    docExpansion: 'list',
    defaultModelsExpandDepth: 0,
    tryItOutEnabled: true,
    validatorUrl: null,
    onComplete: () => {
      if (config.token) ui.preauthorizeApiKey('bearer', config.token);
      document.body.dataset.ready = 'true';
    },
  });
  window.ui = ui;
})();
