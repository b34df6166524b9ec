// The interactive documentation: each operation of /openapi.json, its parameters, its example,
// and a button that sends the request and shows the answer. No framework, no external script.
"use strict";

function node(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined) element.setAttribute(name, value);
  }
  element.append(...children.flat().filter((child) => child !== null && child !== undefined));
  return element;
}

function exampleOf(operation) {
  const content = (operation.requestBody || {}).content || {};
  const [type, media] = Object.entries(content)[0] || [null, {}];
  if (!type) return null;
  const example = media.example;
  return {type, text: typeof example === "string" ? example : JSON.stringify(example, null, 2)};
}

function operationSection(path, method, operation, index) {
  const id = `operation-${index}`;
  const section = node("section", {"aria-labelledby": id + "-titre"},
    node("h2", {id: id + "-titre"}, `${method.toUpperCase()} ${path}`),
    node("p", {}, operation.summary || ""),
    operation.description ? node("p", {class: "aide"}, operation.description) : null);
  const parameters = (operation.parameters || []).filter((p) => p.in === "query" || p.in === "path");
  const inputs = {};
  for (const parameter of parameters) {
    const inputId = `${id}-${parameter.in}-${parameter.name}`;
    const example = parameter.example === undefined ? "" : [].concat(parameter.example).join(",");
    inputs[parameter.name] = node("input", {id: inputId, value: parameter.in === "path" ? example : ""});
    inputs[parameter.name].dataset.in = parameter.in;
    section.append(node("div", {class: "champ"},
      node("label", {for: inputId}, `${parameter.name} (${parameter.in === "path" ? "chemin" : "requête"})`),
      inputs[parameter.name], node("p", {class: "aide"}, parameter.description || "",
        example && parameter.in === "query" ? ` Exemple : ${example}` : "")));
  }
  const example = exampleOf(operation);
  let body = null;
  if (example) {
    body = node("textarea", {id: id + "-corps", rows: "12"});
    body.value = example.text;
    section.append(node("div", {class: "champ"},
      node("label", {for: id + "-corps"}, `Corps (${example.type})`), body));
  }
  const answer = node("pre", {"aria-live": "polite"});
  const button = node("button", {type: "button"}, "Essayer");
  button.addEventListener("click", async () => {
    let url = path;
    const query = new URLSearchParams();
    for (const [name, input] of Object.entries(inputs)) {
      if (input.dataset.in === "path") url = url.replace(`{${name}}`, encodeURIComponent(input.value));
      else if (input.value) input.value.split(",").forEach((value) => query.append(name, value.trim()));
    }
    if ([...query].length) url += "?" + query;
    const options = {method: method.toUpperCase()};
    if (body) {
      const type = example.type === "application/yaml" ? "application/json" : example.type;
      options.headers = {"Content-Type": type};
      options.body = body.value;
    }
    answer.textContent = "…";
    const response = await fetch(url, options);
    const text = await response.text();
    answer.textContent = `${response.status} ${response.statusText}\n${text.slice(0, 20000)}`;
  });
  section.append(node("p", {}, button), answer);
  return section;
}

document.addEventListener("DOMContentLoaded", async () => {
  const container = document.getElementById("operations");
  const api = await fetch("/openapi.json").then((response) => response.json());
  container.replaceChildren();
  let index = 0;
  for (const [path, item] of Object.entries(api.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (path === "/" || path === "/documentation") continue;
      container.append(operationSection(path, method, operation, index++));
    }
  }
});
