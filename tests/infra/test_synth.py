"""Synthesis with plain Python, cfn-lint on the template, and the cdk-nag AwsSolutions pack."""

from __future__ import annotations

import re
from collections import Counter
from graphlib import CycleError, TopologicalSorter
from typing import Any

import cfnlint.api

from tests.infra.conftest import Synthesized

# cfn-lint rules ignored, and why.
CFN_LINT_IGNORED = {
    # CDK gives each function an explicit DependsOn on its role (and the role's policy) as well as the GetAtt of the
    # role's ARN; the duplicate is harmless and CDK's own, so W3005 ("dependency already enforced") is noise here.
    "W3005",
}

# Every cdk-nag finding the stack accepts (reasons in infra/airline_infra/nag.py); a new one must be reviewed here.
ACCEPTED_NAG_FINDINGS = {
    "AwsSolutions-COG2",
    "AwsSolutions-SMG4",
    "AwsSolutions-IAM5",
    "AwsSolutions-ASC3",
    "AwsSolutions-IAM4",
    "AwsSolutions-SQS3",
    # The Flight App's hosting (CloudFront, CDK's BucketDeployment provider).
    "AwsSolutions-CFR1",
    "AwsSolutions-CFR2",
    "AwsSolutions-CFR4",
    "AwsSolutions-L1",
}


def test_plain_python_synthesizes_the_stack_quickly(synthesized: Synthesized) -> None:
    # `python infra/app.py`, Python start and jsii included, without bundling dependencies
    assert synthesized.seconds < 60
    kinds = Counter(resource["Type"] for resource in synthesized.template["Resources"].values())
    print(f"\nsynthesized in {synthesized.seconds:.1f} s: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))


def test_cfn_lint_finds_nothing_in_the_template(synthesized: Synthesized) -> None:
    matches = cfnlint.api.lint_file(synthesized.outdir / "Airline.template.json")
    findings = [f"{m.rule.id} {m.message} ({m.path})" for m in matches if m.rule.id not in CFN_LINT_IGNORED]
    assert findings == []


def test_cdk_nag_reports_no_error_or_warning(synthesized: Synthesized) -> None:
    nag = [(path, message) for kind in ("error", "warning") for path, message in synthesized.annotations(kind)]
    assert nag == []


def test_every_nag_suppression_is_an_accepted_one_with_a_reason(synthesized: Synthesized) -> None:
    suppressed = [line for line in synthesized.nag_report if line["Compliance"] == "Suppressed"]
    assert {line["Rule ID"] for line in suppressed} <= ACCEPTED_NAG_FINDINGS
    for line in suppressed:
        assert len(line["Exception Reason"]) > 40, f"{line['Rule ID']} on {line['Resource ID']} needs a real reason"
    assert not [line for line in synthesized.nag_report if line["Compliance"] == "Non-Compliant"]


def _dependencies(template: dict[str, Any]) -> dict[str, set[str]]:
    """Logical id → the resources it refers to (Ref, Fn::GetAtt, ${...} of Fn::Sub) or names in DependsOn."""
    resources = template["Resources"]

    def refs(node: Any) -> set[str]:
        if isinstance(node, dict):
            found = set()
            for key, value in node.items():
                if key == "Ref" and isinstance(value, str):
                    found.add(value)
                elif key == "Fn::GetAtt":
                    found.add(value[0] if isinstance(value, list) else value.split(".")[0])
                elif key == "Fn::Sub":
                    text = value[0] if isinstance(value, list) else value
                    found |= {name.split(".")[0] for name in re.findall(r"\$\{([^!][^}]*)\}", text)}
                found |= refs(value)
            return found
        if isinstance(node, list):
            return set().union(*map(refs, node)) if node else set()
        return set()

    graph = {}
    for key, resource in resources.items():
        depends_on = resource.get("DependsOn", [])
        named = {depends_on} if isinstance(depends_on, str) else set(depends_on)
        graph[key] = (refs(resource.get("Properties", {})) | named) & resources.keys()
    return graph


def test_the_template_has_no_dependency_cycle_and_the_api_depends_on_no_function(synthesized: Synthesized) -> None:
    # The notifiers' configuration and roles refer to the API, the API's resolvers to the functions: no cycle
    graph = _dependencies(synthesized.template)
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as error:  # pragma: no cover - the message names the cycle
        raise AssertionError(f"dependency cycle: {error.args[1]}") from error
    (api_key,) = synthesized.resources("AWS::AppSync::GraphQLApi")
    reached, todo = set(), [api_key]
    while todo:
        for dependency in graph[todo.pop()] - reached:
            reached.add(dependency)
            todo.append(dependency)
    types = {synthesized.template["Resources"][key]["Type"] for key in reached}
    assert "AWS::Lambda::Function" not in types
