"""The rules page of an article version, and the rule and derogation cards the article pages share:
what each says (its clauses as in its file), the test cases that apply it, an example by the engine.
"""

from __future__ import annotations

from ..french import french
from ..model import ArticleVersion, Derogation, Rule, Step
from ..cases import CaseResult
from .cases import case_conditions, cases_table
from .labels import derogation_label, period_text, rule_label, version_path
from .markup import code, container, doc, esc, heading, indent, ref, table, target
from .site import Site, derogation_result, step_of

def formula_block(rule: Rule) -> list[str]:
    """A rule's clauses as in its file (``si …``, ``alors name = …``), continuation lines aligned."""

    def clause(keyword: str, prefix: str, source: str) -> list[str]:
        first, *rest = source.strip().splitlines()
        head = f"{keyword:<6}{prefix}"
        return [head + first.strip(), *(" " * len(head) + line.strip() for line in rest)]

    lines = clause("si", "", rule.si.source) if rule.si else []
    for name, formula in rule.alors.items():
        lines += clause("alors", f"{name} = ", formula.source)
    return [".. code-block:: none", "   :class: formule", "", *indent(lines), ""]


def rule_body(site: Site, rule: Rule, version: ArticleVersion) -> list[str]:
    """What a rule says: its clauses as in its file, validity, priorities, explanation template."""
    lines = formula_block(rule)
    if rule.validite != version.validite:
        lines.append(f":En vigueur: {esc(period_text(rule.validite))}")
    if rule.exception_de:
        bases = ", ".join(site.rule_link(base, rule) for base in rule.exception_de)
        lines.append(f":Exception de: {bases} (s'applique à sa place)")
    exceptions = [
        other
        for other in site.book.regles
        if rule.id in other.exception_de and other.validite.overlaps(rule.validite)
    ]
    if exceptions:
        lines.append(
            f":Exceptions: {', '.join(ref(rule_label(other), other.id) for other in exceptions)}"
        )
    lines.append(f":Explication (modèle): {esc(rule.explication)}")
    return [*lines, ""]


def rule_card(site: Site, rule: Rule, version: ArticleVersion) -> list[str]:
    count = len(site.cases_of(rule))
    cases = f"{count} cas de test" if count else "aucun cas de test"
    head = f"**Règle** {ref(rule_label(rule), rule.id)} — {esc(rule.titre)} ({cases})"
    return container("regle", [head, "", *rule_body(site, rule, version)])


def derogation_body(site: Site, derogation: Derogation, version: ArticleVersion) -> list[str]:
    """What a derogation requires: its conditions as in its file, and what the input cannot show."""
    rows = [
        [
            esc(condition.libelle),
            code(condition.condition.source),
            " ; ".join(site.citation_link(c) for c in condition.citations),
        ]
        for condition in derogation.conditions
    ]
    lines = [
        ".. rubric:: Conditions",
        "",
        *table(["Condition", "Expression", "Cite"], rows, [45, 30, 25]),
    ]
    if derogation.appreciation is not None:
        case = derogation.appreciation.cas
        lines += [".. rubric:: À l'appréciation du représentant de l'État", ""]
        lines += table(["Cas", "Expression", "Cite"], [[
            esc(case.libelle), code(case.condition.source), " ; ".join(site.citation_link(c) for c in case.citations)
        ]], [45, 30, 25])
    if derogation.exigences:
        rows = [
            [esc(requirement.texte), " ; ".join(site.citation_link(c) for c in requirement.citations)]
            for requirement in derogation.exigences
        ]
        lines += [".. rubric:: Exigences que l'entrée ne peut pas montrer", ""]
        lines += table(["Exigence", "Cite"], rows, [70, 30])
    if derogation.validite != version.validite:
        lines.append(f":En vigueur: {esc(period_text(derogation.validite))}")
    if derogation.plancher:
        lines.append(f":Plancher: {site.name_link(derogation.plancher)}")
    if derogation.periodes_restantes:
        lines.append(f":Périodes restantes: {site.name_link(derogation.periodes_restantes)}")
    lines += [
        f":Explication si ouverte (modèle): {esc(derogation.explication_ouverte)}",
        *([f":Explication si à l'appréciation du préfet (modèle): {esc(derogation.appreciation.explication)}"]
          if derogation.appreciation else []),
        f":Explication sinon (modèle): {esc(derogation.explication_fermee)}",
    ]
    return [*lines, ""]


def derogation_card(site: Site, derogation: Derogation, version: ArticleVersion) -> list[str]:
    count = len(site.cases_opening(derogation))
    cases = f"ouverte dans {count} cas de test" if count else "ouverte dans aucun cas de test"
    link = ref(derogation_label(derogation), derogation.id)
    head = f"**Dérogation** {link} — {esc(derogation.titre)} ({cases})"
    return container("regle derogation", [head, "", *derogation_body(site, derogation, version)])


def names_table(site: Site, rule: Rule, step: Step | None) -> list[str]:
    """The names a rule reads and concludes, their meaning and, if an example ran, its values."""
    rows = []
    for name in [*sorted(rule.reads), *rule.alors]:
        role = "conclu" if name in rule.alors else "lu"
        row = [site.name_link(name), esc(site.book.label_of(name)), f"{site.kind_of(name)}, {role}"]
        if step is not None:
            values = step.valeurs if name in rule.alors else step.entrees
            row.append(esc(french(values.get(name), site.book.type_of(name))) if name in values else "—")
        rows.append(row)
    header = ["Nom", "Signification", "Nature"] + (["Valeur dans l'exemple"] if step else [])
    return table(header, rows, [22, 40, 18, 20] if step else [25, 50, 25])


def example_block(site: Site, run: CaseResult | None, sentence: str | None, absent: str) -> list[str]:
    """A case the engine evaluated at build time, and the sentence it wrote for the rule."""
    lines = [".. rubric:: Exemple calculé par le moteur", ""]
    if run is None or sentence is None:
        return [*lines, f"*{absent}* (voir {doc('couverture', 'la couverture')}).", ""]
    conditions = case_conditions(run)
    return [
        *lines,
        f"Cas {site.case_link(run)}"
        + (f" ({conditions})" if conditions else "")
        + f" — {esc(run.cas.description)} Explication produite :",
        "",
        *container("exemple", [esc(sentence)]),
    ]


def rules_page(site: Site, version: ArticleVersion) -> list[str]:
    """Each rule and derogation of a version: what it says, its test cases, an example by the engine."""
    lines = [
        *heading(
            f"Règles de l'article {version.article} — version du {french(version.validite.debut, 'date')}",
            "=",
            overline=True,
        ),
        f"Ces règles encodent {doc(version_path(version), 'le texte de cette version')} "
        f"(fichier {code('rules/' + version.fichier)}). Les cas de test qui appliquent chaque règle ont été "
        "trouvés en les évaluant lors de la construction du site ; l'exemple est calculé par le moteur "
        "à ce moment-là.",
        "",
    ]
    for rule in site.rules_of(version):
        runs = site.cases_of(rule)
        example = next((run for run in runs if run.cas.attendu is not None), None)
        step = step_of(example, rule) if example else None
        lines += [*target(rule_label(rule)), *heading(f"{rule.id} — {rule.titre}", "-")]
        lines += [f":Cite: {' ; '.join(site.citation_link(citation) for citation in rule.citations)}", ""]
        lines += rule_body(site, rule, version)
        lines += [".. rubric:: Noms employés", "", *names_table(site, rule, step)]
        lines += example_block(
            site, example, step.texte if step else None, "Aucun cas de test n'applique cette règle"
        )
        lines += cases_table(site, runs, "Cas de test qui appliquent cette règle")
    for derogation in site.derogations_of(version):
        runs = site.cases_opening(derogation)
        example = next((run for run in runs if run.cas.attendu is not None), None)
        result = derogation_result(example, derogation) if example else None
        lines += [
            *target(derogation_label(derogation)),
            *heading(f"Dérogation {derogation.id} — {derogation.titre}", "-"),
        ]
        lines += [
            f":Type: {code(derogation.type)}",
            f":Cite: {' ; '.join(site.citation_link(citation) for citation in derogation.citations)}",
            "",
        ]
        lines += derogation_body(site, derogation, version)
        lines += example_block(
            site, example, result.texte if result else None, "Aucun cas de test n'ouvre cette dérogation"
        )
        lines += cases_table(site, runs, "Cas de test où elle est ouverte")
    return lines
