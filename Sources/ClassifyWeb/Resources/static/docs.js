// Renders /openapi.json as a readable API reference on /docs: operations grouped by tag, each
// with its method, path, summary, parameters, request body and responses, then the shared
// schemas. The page's CSP allows no inline script or style: everything is built with DOM
// calls and styled by class (docs.css); nothing from the document is parsed as HTML.
(function () {
  "use strict";

  var METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
  var doc = null;

  function el(tag, className, children) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  // The document's descriptions use `code` spans and nothing else of Markdown.
  function prose(text, tag) {
    var node = el(tag || "p", "docs-prose");
    String(text || "").split("`").forEach(function (part, index) {
      if (!part) return;
      node.appendChild(index % 2 ? el("code", null, [part]) : document.createTextNode(part));
    });
    return node;
  }

  function link(href, text, className) {
    var a = el("a", className, [text]);
    a.href = href;
    return a;
  }

  function refName(ref) {
    return ref.split("/").pop();
  }

  // Follows a local "#/components/…" reference.
  function resolve(value) {
    var seen = 0;
    while (value && value.$ref && seen++ < 10) {
      var target = doc;
      value.$ref.replace(/^#\//, "").split("/").forEach(function (key) {
        target = target ? target[key.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined;
      });
      value = target;
    }
    return value || {};
  }

  function anchor(prefix, name) {
    return prefix + "-" + String(name).replace(/[^A-Za-z0-9_-]/g, "-");
  }

  function schemaLink(ref) {
    var name = refName(ref);
    return link("#" + anchor("schema", name), name, "docs-ref");
  }

  // A one-line summary of a schema's type and constraints.
  function typeLine(schema) {
    var line = el("span", "docs-type");
    if (schema.$ref) {
      line.appendChild(schemaLink(schema.$ref));
      return line;
    }
    var type = schema.type;
    var words = [];
    if (Array.isArray(type)) words.push(type.join(" | "));
    else if (type === "array" && schema.items) {
      line.appendChild(document.createTextNode("array of "));
      line.appendChild(typeLine(schema.items));
    } else if (type) words.push(type);
    else if (schema.oneOf || schema.anyOf) words.push("one of");
    else words.push("any");
    if (schema.format) words.push("(" + schema.format + ")");
    if (schema.contentMediaType) words.push("(" + schema.contentMediaType + ")");
    if (words.length) line.insertBefore(document.createTextNode(words.join(" ")), line.firstChild);
    var facts = [];
    if (schema.const !== undefined) facts.push("always " + JSON.stringify(schema.const));
    if (schema.enum) facts.push("one of " + schema.enum.map(function (v) { return JSON.stringify(v); }).join(", "));
    if (schema.minimum !== undefined || schema.maximum !== undefined) {
      facts.push(
        (schema.minimum !== undefined ? schema.minimum : "…") + " to " +
          (schema.maximum !== undefined ? schema.maximum : "…"));
    }
    if (schema.minItems !== undefined) facts.push("at least " + schema.minItems + " items");
    if (schema.maxItems !== undefined) facts.push("at most " + schema.maxItems + " items");
    if (schema.pattern) facts.push("matches " + schema.pattern);
    if (schema.default !== undefined) facts.push("default " + JSON.stringify(schema.default));
    if (schema.examples && schema.examples.length) facts.push("e.g. " + JSON.stringify(schema.examples[0]));
    if (facts.length) line.appendChild(el("span", "docs-facts", [" — " + facts.join("; ")]));
    return line;
  }

  // A schema as a nested list of its properties (objects), or its type line. `expand` shows a
  // referenced schema's properties in place (request and response bodies), except the shared
  // Error shape, which every error links to.
  function schemaView(schema, depth, expand) {
    schema = schema || {};
    depth = depth || 0;
    var box = el("div", "docs-schema");
    box.appendChild(typeLine(schema));
    if (schema.$ref && expand && refName(schema.$ref) !== "Error") {
      var target = resolve(schema);
      var inner = schemaView(target, depth + 1);
      inner.removeChild(inner.firstChild);
      if (inner.firstChild) box.appendChild(inner);
      return box;
    }
    if (schema.$ref || depth > 4) return box;
    if (schema.description && depth === 0) box.appendChild(prose(schema.description));
    var objectSchema = schema.type === "object" ? schema : null;
    if (!objectSchema && schema.type === "array" && schema.items && schema.items.type === "object") {
      objectSchema = schema.items;
    }
    if (objectSchema && objectSchema.properties) {
      var required = objectSchema.required || [];
      var list = el("ul", "docs-properties");
      Object.keys(objectSchema.properties).forEach(function (name) {
        var property = objectSchema.properties[name];
        var item = el("li", "docs-property", [
          el("code", "docs-name", [name]),
          required.indexOf(name) >= 0 ? el("span", "docs-required", ["required"]) : el("span", "docs-optional", ["optional"]),
          " ",
          schemaView(property, depth + 1),
        ]);
        if (property.description) item.appendChild(prose(property.description));
        list.appendChild(item);
      });
      box.appendChild(list);
    } else if (objectSchema && objectSchema.additionalProperties) {
      var map = el("p", "docs-map", ["map of string to "]);
      map.appendChild(typeLine(objectSchema.additionalProperties));
      box.appendChild(map);
    }
    return box;
  }

  function contentView(content) {
    var wrapper = el("div", "docs-content");
    Object.keys(content || {}).forEach(function (mediaType) {
      var media = content[mediaType] || {};
      wrapper.appendChild(el("div", "docs-media", [
        el("span", "docs-media-type", [mediaType]),
        media.schema ? schemaView(media.schema, 1, true) : null,
      ]));
    });
    return wrapper;
  }

  function securityView(operation) {
    var requirements = operation.security !== undefined ? operation.security : doc.security || [];
    var schemes = [];
    var optional = false;
    requirements.forEach(function (requirement) {
      var names = Object.keys(requirement);
      if (!names.length) optional = true;
      names.forEach(function (name) {
        if (schemes.indexOf(name) < 0) schemes.push(name);
      });
    });
    if (!schemes.length) return el("p", "docs-security docs-public", ["No sign-in needed."]);
    var labels = schemes.map(function (name) {
      var scheme = (doc.components && doc.components.securitySchemes || {})[name] || {};
      if (scheme.type === "http" && scheme.scheme === "bearer") return "a bearer token";
      if (scheme.in === "cookie") return "the " + scheme.name + " cookie";
      return name;
    });
    return el("p", "docs-security", [
      (optional ? "Sign-in optional; recognises " : "Signed in with ") + labels.join(" or ") + ".",
    ]);
  }

  function parametersView(parameters) {
    if (!parameters.length) return null;
    var table = el("table", "docs-parameters", [
      el("thead", null, [el("tr", null, [el("th", null, ["Name"]), el("th", null, ["In"]), el("th", null, ["Type"]), el("th", null, ["Description"])])]),
    ]);
    var body = el("tbody");
    parameters.forEach(function (parameter) {
      body.appendChild(el("tr", null, [
        el("td", null, [el("code", "docs-name", [parameter.name]), parameter.required ? el("span", "docs-required", ["required"]) : null]),
        el("td", null, [parameter.in]),
        el("td", null, [typeLine(parameter.schema || {})]),
        el("td", null, [prose(parameter.description || "")]),
      ]));
    });
    table.appendChild(body);
    return el("div", "docs-block", [el("h4", null, ["Parameters"]), table]);
  }

  function responsesView(responses) {
    var list = el("div", "docs-block", [el("h4", null, ["Responses"])]);
    Object.keys(responses || {}).sort().forEach(function (status) {
      var response = resolve(responses[status]);
      var kind = status.charAt(0) === "2" || status.charAt(0) === "3" ? "docs-status-ok" : "docs-status-error";
      var row = el("div", "docs-response", [
        el("span", "docs-status-code " + kind, [status]),
        prose(response.description || "", "span"),
      ]);
      var headers = response.headers || {};
      var headerNames = Object.keys(headers);
      if (headerNames.length) {
        row.appendChild(el("p", "docs-headers", ["Headers: "].concat(headerNames.map(function (name, index) {
          return el("span", null, [index ? ", " : "", el("code", null, [name])]);
        }))));
      }
      if (response.content) row.appendChild(contentView(response.content));
      list.appendChild(row);
    });
    return list;
  }

  function operationView(path, method, operation, pathItem) {
    var id = anchor("op", operation.operationId || method + path);
    var parameters = (pathItem.parameters || []).concat(operation.parameters || []).map(resolve);
    var card = el("section", "docs-operation", [
      el("h3", "docs-operation-title", [
        el("span", "docs-method docs-method-" + method, [method.toUpperCase()]),
        el("code", "docs-path", [path]),
        el("span", "docs-summary", [operation.summary || ""]),
      ]),
    ]);
    card.id = id;
    if (operation.operationId) card.appendChild(el("p", "docs-operation-id", ["operationId ", el("code", null, [operation.operationId])]));
    if (operation.description) card.appendChild(prose(operation.description));
    card.appendChild(securityView(operation));
    var parameterBlock = parametersView(parameters);
    if (parameterBlock) card.appendChild(parameterBlock);
    if (operation.requestBody) {
      var requestBody = resolve(operation.requestBody);
      card.appendChild(el("div", "docs-block", [
        el("h4", null, ["Request body" + (requestBody.required ? "" : " (optional)")]),
        requestBody.description ? prose(requestBody.description) : null,
        contentView(requestBody.content),
      ]));
    }
    card.appendChild(responsesView(operation.responses));
    return card;
  }

  function render() {
    var main = document.getElementById("docs-main");
    var nav = document.getElementById("docs-nav");
    main.textContent = "";
    nav.textContent = "";
    var info = doc.info || {};
    document.title = (info.title || "API") + " reference";
    document.getElementById("docs-title").textContent = (info.title || "API") + " " + (info.version || "");
    var summary = document.getElementById("docs-summary");
    summary.textContent = "";
    summary.appendChild(document.createTextNode("OpenAPI " + doc.openapi + " — the raw document is "));
    summary.appendChild(link("/openapi.json", "/openapi.json"));
    summary.appendChild(document.createTextNode("."));
    if (info.description) main.appendChild(prose(info.description));

    // Operations by tag, in the document's tag order; untagged ones last.
    var groups = {};
    var order = (doc.tags || []).map(function (tag) { return tag.name; });
    Object.keys(doc.paths || {}).forEach(function (path) {
      var pathItem = doc.paths[path];
      METHODS.forEach(function (method) {
        var operation = pathItem[method];
        if (!operation) return;
        var tag = (operation.tags && operation.tags[0]) || "Other";
        if (order.indexOf(tag) < 0) order.push(tag);
        (groups[tag] = groups[tag] || []).push({ path: path, method: method, operation: operation, pathItem: pathItem });
      });
    });
    var navList = el("ul", "docs-nav-list");
    order.forEach(function (tagName) {
      var entries = groups[tagName];
      if (!entries) return;
      var tag = (doc.tags || []).filter(function (t) { return t.name === tagName; })[0] || {};
      var section = el("section", "docs-tag", [el("h2", null, [tagName])]);
      section.id = anchor("tag", tagName);
      if (tag.description) section.appendChild(prose(tag.description));
      var navItems = el("ul");
      entries.forEach(function (entry) {
        section.appendChild(operationView(entry.path, entry.method, entry.operation, entry.pathItem));
        var id = anchor("op", entry.operation.operationId || entry.method + entry.path);
        navItems.appendChild(el("li", null, [link("#" + id, "", "docs-nav-op")]));
        var navLink = navItems.lastChild.firstChild;
        navLink.appendChild(el("span", "docs-method docs-method-" + entry.method, [entry.method.toUpperCase()]));
        navLink.appendChild(document.createTextNode(" " + entry.path));
      });
      main.appendChild(section);
      navList.appendChild(el("li", null, [link("#" + section.id, tagName, "docs-nav-tag"), navItems]));
    });

    var schemas = (doc.components && doc.components.schemas) || {};
    var names = Object.keys(schemas);
    if (names.length) {
      var schemaSection = el("section", "docs-tag", [el("h2", null, ["Schemas"])]);
      schemaSection.id = "schemas";
      names.forEach(function (name) {
        var card = el("section", "docs-operation docs-schema-card", [el("h3", null, [el("code", null, [name])]), schemaView(schemas[name], 0)]);
        card.id = anchor("schema", name);
        schemaSection.appendChild(card);
      });
      main.appendChild(schemaSection);
      navList.appendChild(el("li", null, [link("#schemas", "Schemas", "docs-nav-tag")]));
    }
    nav.appendChild(navList);
    if (location.hash) {
      var target = document.getElementById(location.hash.slice(1));
      if (target) target.scrollIntoView();
    }
  }

  function fail(message) {
    var status = document.getElementById("docs-status");
    status.textContent = message;
    status.className = "docs-status docs-status-failed";
  }

  document.addEventListener("DOMContentLoaded", function () {
    fetch("/openapi.json", { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (json) {
        doc = json;
        render();
        document.body.setAttribute("data-docs-ready", "true");
      })
      .catch(function (error) {
        fail("The API description could not be loaded (" + error.message + "). The raw document is at /openapi.json.");
      });
  });
})();
