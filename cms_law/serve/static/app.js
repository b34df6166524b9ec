// The French page: a form built from the commune's JSON Schema (the labels and help of
// rules/vocabulaire.yaml), the result and its reasoning with each citation linked to its alinéa,
// the check of a contract file, and the JSON answers to download. No framework, no build step.
"use strict";

const SKIPPED = new Set(["commune", "periode", "version_loi", "version_loi_libelle", "derogations",
  "conventions", "explication", "produit_par", "pourquoi_pas", "reforme"]);
const PROVENANCE = {guide: "cité par le guide", projet_de_loi: "projet de loi",
  non_disponible: "texte non disponible"};
// The states of a derogation (the output schema's « etat »), in words.
const ETATS_DEROGATION = {ouverte: "ouverte", a_l_appreciation_du_prefet: "à l'appréciation du préfet",
  fermee: "fermée", indeterminee: "indéterminée"};
const STATUTS_VERIFICATION = {respectee: "respectée", violee: "violée", non_verifiable: "non vérifiable",
  sans_objet: "sans objet"};
const FIELDS = "#formulaire-commune input[id^=champ-], #formulaire-commune select[id^=champ-]";
let resultSchema = null;
let contractSchema = null;

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

function capitalised(text) {
  return text ? text[0].toUpperCase() + text.slice(1) : "";
}

function kindOf(property) {
  if (property.type === "boolean") return "booleen";
  if (property.format === "date") return "date";
  const options = (property.anyOf || []).map((option) => option.type);
  if (options.includes("integer")) return "entier";
  if (options.includes("number")) return "nombre";
  return "texte";
}

// ----------------------------------------------------------------------------- the form

function fieldFor(name, property, required) {
  const id = "champ-" + name;
  const kind = kindOf(property);
  const label = element("label", {for: id}, capitalised(property.title || name),
    required ? element("span", {class: "obligatoire"}, " (obligatoire)") : null);
  let input;
  if (kind === "booleen") {
    input = element("select", {id, name},
      element("option", {value: ""}, required ? "— choisir —" : "non renseigné"),
      element("option", {value: "oui"}, "oui"),
      element("option", {value: "non"}, "non"));
  } else {
    input = element("input", {id, name, type: kind === "date" ? "date" : "text",
      inputmode: kind === "entier" ? "numeric" : kind === "nombre" ? "decimal" : null,
      autocomplete: "off"});
  }
  input.dataset.kind = kind;
  input.setAttribute("aria-describedby", id + "-aide");
  if (required) input.setAttribute("aria-required", "true");
  const help = element("p", {class: "aide", id: id + "-aide"}, property.description || "");
  if (property.default !== undefined) help.append(` Par défaut : ${shown(property.default)}.`);
  return element("div", {class: "champ"}, label, input, help);
}

function shown(value) {
  return value === true ? "oui" : value === false ? "non" : String(value);
}

function valueOf(input) {
  const text = input.value.trim();
  if (text === "") return undefined;
  if (input.dataset.kind === "booleen") return text === "oui";
  if (input.dataset.kind === "entier" && /^-?\d+$/.test(text)) return Number(text);
  return text;  // « 18 450 », « 25 % », « 0,25 »: the service reads them as the CLI does
}

async function buildForm() {
  const [commune, result, contract] = await Promise.all(
    ["commune", "resultat", "resultat-contrat"].map((name) => fetch("/schemas/" + name).then((r) => r.json())));
  resultSchema = result;
  contractSchema = contract;
  const required = new Set(commune.required || []);
  const mandatory = document.getElementById("champs-obligatoires");
  mandatory.querySelector(".chargement").remove();
  const optional = document.getElementById("champs-facultatifs");
  for (const [name, property] of Object.entries(commune.properties)) {
    (required.has(name) ? mandatory : optional).append(fieldFor(name, property, required.has(name)));
  }
}

async function fillExample() {
  const api = await fetch("/openapi.json").then((r) => r.json());
  const example = api.paths["/evaluer"].post.requestBody.content["application/json"].example;
  for (const input of document.querySelectorAll(FIELDS)) {
    const value = example[input.name];
    input.value = value === undefined ? "" : input.dataset.kind === "booleen" ? shown(value) : String(value);
  }
}

// ----------------------------------------------------------------------------- answers

function citationLink(citation, query, title) {
  const params = new URLSearchParams({citation, ...query});
  return element("a", {href: "/citation?" + params.toString(), title: title || null}, citation);
}

function citationsLine(links) {
  if (!links.length) return null;
  const line = element("p", {class: "citations"}, "Cite : ");
  links.forEach((link, index) => line.append(...(index ? ["; ", link] : [link])));
  return line;
}

function formatted(value, property) {
  if (value === null || value === undefined) return "sans objet";
  if (typeof value === "boolean") return value ? "oui" : "non";
  const kind = property && (property["x-cms-law-type"] ||
    (property.anyOf || []).map((o) => o["x-cms-law-type"]).find(Boolean));
  const number = new Intl.NumberFormat("fr-FR", {maximumFractionDigits: 2});
  if (kind === "taux") return number.format(Number(value) * 100) + " %";
  if (kind === "points") return number.format(Number(value)) + (Math.abs(Number(value)) >= 2 ? " points" : " point");
  if (typeof value === "number") return number.format(value);
  if (typeof value === "object") {  // a group (« typologie »): each value with its label
    const group = ((property && property.anyOf) || []).find((o) => o.properties) || {properties: {}};
    return Object.entries(value).map(([k, v]) =>
      `${(group.properties[k] || {}).title || k} : ${formatted(v, group.properties[k])}`).join(" ; ");
  }
  return String(value);
}

function downloadButton(text, name) {
  const button = element("button", {type: "button"}, "Télécharger le JSON");
  button.addEventListener("click", () => {
    const link = element("a", {href: URL.createObjectURL(new Blob([text], {type: "application/json"})), download: name});
    document.body.append(link);
    link.click();
    link.remove();
  });
  return button;
}

function showProblems(container, problems, formId) {
  container.replaceChildren(element("h3", {}, "L'entrée est à corriger"));
  const list = element("ul");
  for (const problem of problems) {
    const input = problem.champ && document.querySelector(`#${formId} [name="${CSS.escape(problem.champ)}"]`);
    if (input) input.setAttribute("aria-invalid", "true");
    const where = input ? element("a", {href: "#" + input.id}, problem.champ) : (problem.champ || "requête");
    list.append(element("li", {}, where, " : ", problem.message));
  }
  container.append(list);
  container.hidden = false;
  container.focus();
}

async function send(path, body, type) {
  const response = await fetch(path, {method: "POST", headers: {"Content-Type": type}, body});
  const text = await response.text();
  return {status: response.status, text, data: JSON.parse(text)};
}

function renderResult(section, data, text) {
  const properties = resultSchema ? resultSchema.properties : {};
  const figures = element("dl", {class: "chiffres"});
  for (const [key, value] of Object.entries(data)) {
    if (SKIPPED.has(key)) continue;
    figures.append(element("dt", {}, capitalised((properties[key] || {}).title || key)),
      element("dd", {"data-cle": key}, formatted(value, properties[key])));
  }
  const steps = element("ol", {class: "raisonnement"});
  for (const step of data.explication || []) {
    steps.append(element("li", {}, element("p", {}, step.texte),
      citationsLine(step.references.map((reference) => {
        const link = citationLink(reference.citation, {version: reference.version_debut}, reference.texte_long);
        const tag = PROVENANCE[reference.provenance];
        return tag ? element("span", {}, link, ` [${tag}]`) : link;
      }))));
  }
  const derogations = element("ul", {class: "derogations"});
  for (const derogation of data.derogations || []) {
    derogations.append(element("li", {},
      element("strong", {}, derogation.titre), ` : ${ETATS_DEROGATION[derogation.etat]}. `,
      derogation.explication,
      citationsLine(derogation.citations.map((c) => citationLink(c, {periode: data.periode})))));
  }
  section.replaceChildren(
    element("h3", {id: "resultat-commune-titre", tabindex: "-1"}, `${data.commune.nom}, période ${data.periode}`),
    element("p", {}, "Droit applicable : ", data.version_loi_libelle),
    // A service started under a reform (cms-law serve --reforme): said before any figure.
    ...(data.reforme ? [element("p", {class: "reforme", role: "alert"}, "RÉFORME — ce résultat n'est pas celui de la loi"
      + ` en vigueur : il est calculé sous « ${data.reforme.titre} » (empreinte ${data.reforme.empreinte.slice(0, 16)}…).`)] : []),
    figures,
    element("h4", {}, "Raisonnement"), steps,
    element("h4", {}, "Dérogations et aménagements"), derogations,
    element("p", {}, downloadButton(text, "resultat.json")));
  section.hidden = false;
}

function verdictOf(valide, violations) {
  return valide ? "conforme à la loi" : violations.length ? "non conforme" : "conformité non établie (données manquantes)";
}

// Every check made, as the contract's annex lists them: its period and commune, its text, its alinéa.
function findingsList(items, withStatus, period) {
  return element("ul", {}, items.map((finding) => element("li", {},
    withStatus ? element("strong", {}, `${STATUTS_VERIFICATION[finding.statut]} — `) : "",
    [finding.periode, finding.commune].filter(Boolean).join(" — ") + (finding.periode || finding.commune ? " : " : ""),
    finding.texte,
    citationsLine(finding.citations.map((c) => citationLink(c, {periode: finding.periode || period}))))));
}

function contractTable(rows, period) {
  const keys = Object.keys(rows[0]).filter((key) => key !== "periode");
  const columns = contractSchema.properties.tableau.items.properties;
  // In the table, counts are integers; the other figures are rates (« Taux de rattrapage… »).
  const cell = (value) => value === null ? "—" : typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value) ?
    formatted(value, {"x-cms-law-type": "taux"}) : formatted(value, null);
  return element("div", {class: "tableau"}, element("table", {},
    element("caption", {}, `Objectifs de la période ${period} (modèle de contrat, article 2)`),
    element("thead", {}, element("tr", {}, keys.map((key) =>
      element("th", {scope: "col"}, capitalised((columns[key] || {}).title || key))))),
    element("tbody", {}, rows.map((row) => element("tr", {},
      keys.map((key) => key === "commune" ? element("th", {scope: "row"}, row[key]) : element("td", {}, cell(row[key]))))))));
}

function renderContract(section, data, text) {
  const periods = data.par_periode || [{periode: data.periode, version_loi: data.version_loi, valide: data.valide}];
  const findings = (title, items) => items.length ?
    [element("h4", {}, `${title} (${items.length})`), findingsList(items, false, data.periode)] : [];
  const tables = periods.map((period) => [
    contractTable(data.tableau.filter((row) => (row.periode || data.periode) === period.periode), period.periode),
    ...(data.par_periode ? [element("p", {}, `Période ${period.periode} (droit applicable : ${period.version_loi}) : `
      + `${verdictOf(period.valide, data.violations.filter((f) => f.periode === period.periode))}.`)] : [])]).flat();
  section.replaceChildren(
    element("h3", {id: "resultat-contrat-titre", tabindex: "-1"}, `Contrat « ${data.type.replace(/_/g, " ")} » : ${verdictOf(data.valide, data.violations)}`),
    element("p", {}, data.par_periode ? `Périodes ${periods.map((p) => p.periode).join(", ")}.` :
      `Période ${data.periode}, droit applicable : ${data.version_loi}.`),
    ...findings("Violations", data.violations),
    ...findings("Vérifications impossibles faute de données", data.verifications_non_evaluees),
    ...tables,
    element("details", {class: "verifications"},
      element("summary", {}, `Toutes les vérifications faites (${data.verifications.length}), à reprendre en annexe du contrat`),
      findingsList(data.verifications, true, data.periode)),
    element("p", {}, downloadButton(text, "verification-contrat.json")));
  section.hidden = false;
}

// Sends a form's request; shows the answer, or the problems, each leading to its field.
async function answerInto(kind, path, body, type, render) {
  const errors = document.getElementById(`erreurs-${kind}`);
  const section = document.getElementById(`resultat-${kind}`);
  try {
    const answer = await send(path, body, type);
    if (answer.status !== 200) {
      section.hidden = true;
      showProblems(errors, answer.data.erreurs, `formulaire-${kind}`);
      return;
    }
    errors.hidden = true;
    render(section, answer.data, answer.text);
    section.querySelector("h3").focus();
  } catch (error) {
    showProblems(errors, [{champ: null, message: `le service ne répond pas (${error.message})`}], `formulaire-${kind}`);
  }
}

function evaluateCommune(event) {
  event.preventDefault();
  const commune = {};
  for (const input of event.target.querySelectorAll(FIELDS)) {
    input.removeAttribute("aria-invalid");
    const value = valueOf(input);
    if (value !== undefined) commune[input.name] = value;
  }
  const periode = event.target.querySelector("#periode").value.trim();
  const body = periode ? {commune, periode} : commune;
  return answerInto("commune", "/evaluer", JSON.stringify(body), "application/json", renderResult);
}

async function checkContract(event) {
  event.preventDefault();
  const file = document.getElementById("fichier-contrat").files[0];
  if (!file) {
    showProblems(document.getElementById("erreurs-contrat"), [{champ: null, message: "choisir le fichier du contrat"}],
      "formulaire-contrat");
    return;
  }
  const type = file.name.toLowerCase().endsWith(".json") ? "application/json" : "application/yaml";
  await answerInto("contrat", "/verifier-contrat", await file.text(), type, renderContract);
}

document.addEventListener("DOMContentLoaded", () => {
  buildForm().catch((error) => {
    document.querySelector("#champs-obligatoires .chargement").textContent =
      `Les champs n'ont pas pu être chargés (${error.message}).`;
  });
  document.getElementById("formulaire-commune").addEventListener("submit", evaluateCommune);
  document.getElementById("formulaire-contrat").addEventListener("submit", checkContract);
  document.getElementById("exemple-commune").addEventListener("click", fillExample);
});
